package array

import "strings"

// Products with a long contracted axis and small free axes, like the
// per-block Xᵀ X and Xᵀ y of the normal equations (X a 200000×20 block),
// spend their time in the BLAS call's inner loops over 20 elements when
// they go through gonum's Dgemm. gemmTNSmall computes them in one stream
// over the rows instead, with a 4×2 tile of C in registers over a chunk of
// rows that stays in L1, and only the upper triangle for Aᵀ A.

// pureGoBLAS is true in the default build, where products go to
// internal/gemm (the openblas build tag routes them to OpenBLAS).
var pureGoBLAS = !strings.HasPrefix(BLASName(), "openblas")

// smallTN reports whether C (m×n) = Aᵀ B with k contracted rows goes
// through gemmTNSmall (4×4 tiles with AVX2 and FMA on amd64).
func smallTN(m, n, k int) bool {
	return pureGoBLAS && m <= 64 && n <= 64 && k >= 4*max(m, n) && k >= 256
}

const tnRows = 128 // rows per chunk: 128 rows of 20 float64 are 20 KB

// gemmTNSmall adds Aᵀ B to C, for A k×m (row stride lda), B k×n (row stride
// ldb) and C m×n (row stride ldc), all row-major. When sym is set, A and B
// are the same matrix: only the upper triangle is computed and mirrored.
func gemmTNSmall(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int, sym bool) {
	t := make([]float64, m*n)
	for l0 := 0; l0 < k; l0 += tnRows {
		l1 := min(l0+tnRows, k)
		i := 0
		for ; i+4 <= m; i += 4 {
			j := 0
			if sym {
				j = i
			}
			for ; j+4 <= n; j += 4 {
				if !tn44(t, n, i, j, a, lda, b, ldb, l0, l1) {
					tn42(t, n, i, j, a, lda, b, ldb, l0, l1)
					tn42(t, n, i, j+2, a, lda, b, ldb, l0, l1)
				}
			}
			for ; j+2 <= n; j += 2 {
				tn42(t, n, i, j, a, lda, b, ldb, l0, l1)
			}
			for ; j < n; j++ {
				tn41(t, n, i, j, a, lda, b, ldb, l0, l1)
			}
		}
		for ; i < m; i++ {
			j := 0
			if sym {
				j = i
			}
			for ; j < n; j++ {
				t[i*n+j] += dotCol(a, lda, i, b, ldb, j, l0, l1)
			}
		}
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			v := t[i*n+j]
			if sym && j < i {
				v = t[j*n+i]
			}
			c[i*ldc+j] += v
		}
	}
}

// tn42 accumulates the 4×2 tile of Aᵀ B at (i, j) over rows [l0, l1).
func tn42(t []float64, n, i, j int, a []float64, lda int, b []float64, ldb int, l0, l1 int) {
	var c00, c01, c10, c11, c20, c21, c30, c31 float64
	for l := l0; l < l1; l++ {
		ar := a[l*lda+i : l*lda+i+4 : l*lda+i+4]
		br := b[l*ldb+j : l*ldb+j+2 : l*ldb+j+2]
		a0, a1, a2, a3 := ar[0], ar[1], ar[2], ar[3]
		b0, b1 := br[0], br[1]
		c00 += a0 * b0
		c01 += a0 * b1
		c10 += a1 * b0
		c11 += a1 * b1
		c20 += a2 * b0
		c21 += a2 * b1
		c30 += a3 * b0
		c31 += a3 * b1
	}
	t[i*n+j] += c00
	t[i*n+j+1] += c01
	t[(i+1)*n+j] += c10
	t[(i+1)*n+j+1] += c11
	t[(i+2)*n+j] += c20
	t[(i+2)*n+j+1] += c21
	t[(i+3)*n+j] += c30
	t[(i+3)*n+j+1] += c31
}

// tn41 accumulates the 4×1 tile of Aᵀ B at (i, j) over rows [l0, l1).
func tn41(t []float64, n, i, j int, a []float64, lda int, b []float64, ldb int, l0, l1 int) {
	var c0, c1, c2, c3 float64
	for l := l0; l < l1; l++ {
		ar := a[l*lda+i : l*lda+i+4 : l*lda+i+4]
		bv := b[l*ldb+j]
		c0 += ar[0] * bv
		c1 += ar[1] * bv
		c2 += ar[2] * bv
		c3 += ar[3] * bv
	}
	t[i*n+j] += c0
	t[(i+1)*n+j] += c1
	t[(i+2)*n+j] += c2
	t[(i+3)*n+j] += c3
}

// dotCol is column i of A dotted with column j of B over rows [l0, l1).
func dotCol(a []float64, lda, i int, b []float64, ldb, j int, l0, l1 int) float64 {
	var s0, s1 float64
	l := l0
	for ; l+2 <= l1; l += 2 {
		s0 += a[l*lda+i] * b[l*ldb+j]
		s1 += a[(l+1)*lda+i] * b[(l+1)*ldb+j]
	}
	for ; l < l1; l++ {
		s0 += a[l*lda+i] * b[l*ldb+j]
	}
	return s0 + s1
}
