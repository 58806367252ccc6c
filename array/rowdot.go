package array

// rowdot sets c[t] to the dot product of rows t of a and b, both nb×k
// row-major contiguous (len(c) = nb, len(a) = len(b) = nb*k): the kernel
// behind einsum('ij,ij->i'). It uses the AVX2+FMA kernel when the CPU has
// it (see rowdot_amd64.go) and the unrolled Go loop otherwise.
func rowdot(c, a, b []float64, k int) {
	nb := len(c)
	if nb == 0 {
		return
	}
	if k == 0 {
		clear(c)
		return
	}
	a, b = a[:nb*k], b[:nb*k]
	if rowdotFast(c, a, b, k) {
		return
	}
	rowdotGo(c, a, b, k)
}

// rowdotGo is the portable rowdot: four accumulators per row.
func rowdotGo(c, a, b []float64, k int) {
	for t := range c {
		at, bt := a[t*k:(t+1)*k], b[t*k:(t+1)*k]
		var s0, s1, s2, s3 float64
		q := 0
		for ; q+4 <= k; q += 4 {
			s0 += at[q] * bt[q]
			s1 += at[q+1] * bt[q+1]
			s2 += at[q+2] * bt[q+2]
			s3 += at[q+3] * bt[q+3]
		}
		for ; q < k; q++ {
			s0 += at[q] * bt[q]
		}
		c[t] = (s0 + s1) + (s2 + s3)
	}
}
