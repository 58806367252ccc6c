//go:build amd64 && !purego

package array

import "golang.org/x/sys/cpu"

var haveTN44 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func tn44AVX2(a, b []float64, lda, ldb, rows int, c *[16]float64)

// tn44 accumulates the 4×4 tile of Aᵀ B at (i, j) over rows [l0, l1) into
// t (m×n, row stride n), with the AVX2 kernel when the CPU has it; it
// reports false (and does nothing) otherwise.
func tn44(t []float64, n, i, j int, a []float64, lda int, b []float64, ldb int, l0, l1 int) bool {
	rows := l1 - l0
	if !haveTN44 || rows <= 0 {
		return false
	}
	ao, bo := l0*lda+i, l0*ldb+j
	if ao+(rows-1)*lda+4 > len(a) || bo+(rows-1)*ldb+4 > len(b) {
		return false
	}
	var c [16]float64
	tn44AVX2(a[ao:], b[bo:], lda, ldb, rows, &c)
	for jj := 0; jj < 4; jj++ {
		for ii := 0; ii < 4; ii++ {
			t[(i+ii)*n+j+jj] += c[jj*4+ii]
		}
	}
	return true
}
