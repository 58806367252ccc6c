package gemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// BLAS is a gonum BLAS implementation (blas.Float64 and blas.Float32)
// whose Dgemm and Sgemm are this package's and whose other routines are
// gonum's native ones. Install it with blas64.Use(BLAS{}) and
// blas32.Use(BLAS{}); package array does so in the default build.
type BLAS struct{ gonum.Implementation }

// Dgemm is the package function Dgemm.
func (BLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// Sgemm is the package function Sgemm.
func (BLAS) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

var (
	_ blas.Float64 = BLAS{}
	_ blas.Float32 = BLAS{}
)
