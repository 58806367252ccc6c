//go:build !openblas

package array

import (
	"strings"
	"testing"

	"github.com/godask/godask/internal/gemm"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Gonum's BLAS users (mat, lapack, and so linalg) get internal/gemm.
func TestGonumUsesOwnGEMM(t *testing.T) {
	if _, ok := blas64.Implementation().(gemm.BLAS); !ok {
		t.Fatalf("blas64 implementation is %T", blas64.Implementation())
	}
	if _, ok := blas32.Implementation().(gemm.BLAS); !ok {
		t.Fatalf("blas32 implementation is %T", blas32.Implementation())
	}
	if !strings.HasPrefix(BLASName(), "godask gemm (") {
		t.Fatalf("BLASName() = %q", BLASName())
	}
	a := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})
	var c mat.Dense
	c.Mul(a, a.T())
	if c.At(0, 0) != 14 || c.At(0, 1) != 32 || c.At(1, 1) != 77 {
		t.Fatalf("mat.Mul = %v", mat.Formatted(&c))
	}
}
