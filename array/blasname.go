//go:build !openblas

package array

import (
	"github.com/godask/godask/internal/gemm"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// The default build multiplies with godask's own GEMM (internal/gemm), and
// so do gonum's mat and lapack routines that linalg calls: blas64 and
// blas32 get an implementation whose Dgemm/Sgemm are ours and whose other
// routines are gonum's.
func init() {
	blas64.Use(gemm.BLAS{})
	blas32.Use(gemm.BLAS{})
}

// BLASName reports which BLAS implementation block products use: godask's
// own GEMM with the micro-kernel the CPU selected (gonum's pure-Go BLAS for
// the other routines) by default, OpenBLAS when built with -tags openblas
// (see README.md, "Products and BLAS").
func BLASName() string { return "godask gemm (" + gemm.Kernel() + "; gonum for the rest)" }
