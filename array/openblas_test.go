//go:build openblas

package array

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// TestOpenBLASIsUsed checks that the openblas build really routes block
// products through OpenBLAS and that they agree with a naive triple loop.
func TestOpenBLASIsUsed(t *testing.T) {
	if !strings.HasPrefix(BLASName(), "openblas") {
		t.Fatalf("BLASName() = %q under the openblas tag", BLASName())
	}
	r := rand.New(rand.NewSource(7))
	m, k, n := 301, 177, 233
	a := make([]float64, m*k)
	b := make([]float64, k*n)
	for i := range a {
		a[i] = r.NormFloat64()
	}
	for i := range b {
		b[i] = r.NormFloat64()
	}
	A := FromSlice(a, []int{m, k}, Explicit{{100, 100, 101}, {90, 87}})
	B := FromSlice(b, []int{k, n}, Explicit{{90, 87}, {200, 33}})
	got, err := MatMul(A, B).Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for p := 0; p < k; p++ {
				s += a[i*k+p] * b[p*n+j]
			}
			if g := got.Data[i*n+j]; math.Abs(g-s) > 1e-9*(1+math.Abs(s)) {
				t.Fatalf("C[%d,%d] = %v, want %v", i, j, g, s)
			}
		}
	}
}
