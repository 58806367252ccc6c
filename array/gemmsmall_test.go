package array

import (
	"math"
	"math/rand"
	"testing"
)

// gemmTNSmall against the triple loop, for odd sizes around its tiles and
// row chunks, strided operands, the symmetric case, and NaN propagation.
func TestGemmTNSmall(t *testing.T) {
	rng := rand.New(rand.NewSource(31))
	for _, c := range []struct{ m, n, k, pad int }{
		{1, 1, 1, 0}, {4, 2, 128, 0}, {5, 3, 129, 1}, {20, 20, 1000, 0}, {20, 1, 777, 2}, {7, 9, 300, 3}, {13, 13, 257, 0}, {3, 17, 64, 1},
	} {
		for _, sym := range []bool{false, true} {
			if sym && c.m != c.n {
				continue
			}
			lda, ldb := c.m+c.pad, c.n+c.pad
			a := make([]float64, c.k*lda)
			for i := range a {
				a[i] = rng.NormFloat64()
			}
			b := a
			if !sym {
				b = make([]float64, c.k*ldb)
				for i := range b {
					b[i] = rng.NormFloat64()
				}
			} else {
				ldb = lda
			}
			if c.k > 10 {
				a[5*lda+c.m-1] = math.NaN()
			}
			ldc := c.n + 1
			got := make([]float64, c.m*ldc)
			for i := range got {
				got[i] = 1
			}
			gemmTNSmall(c.m, c.n, c.k, a, lda, b, ldb, got, ldc, sym)
			for i := 0; i < c.m; i++ {
				for j := 0; j < c.n; j++ {
					want := 1.0
					for l := 0; l < c.k; l++ {
						want += a[l*lda+i] * b[l*ldb+j]
					}
					g := got[i*ldc+j]
					if !(math.IsNaN(want) && math.IsNaN(g)) && math.Abs(g-want) > 1e-10*(1+math.Abs(want)) {
						t.Fatalf("%+v sym=%v: C[%d][%d] = %v, want %v", c, sym, i, j, g, want)
					}
				}
				if got[i*ldc+c.n] != 1 {
					t.Fatalf("%+v: wrote past the row of C", c)
				}
			}
		}
	}
}

// Xᵀ X and Xᵀ y through Dot with tall blocks (the fast path) agree with
// naive loops.
func TestNormalEquationProducts(t *testing.T) {
	rng := rand.New(rand.NewSource(32))
	X := randDense(rng, 3001, 7)
	y := randDense(rng, 3001)
	xa := FromDense(X, Regular{600, 7})
	ya := FromDense(y, Regular{600})
	xtx := mustCompute(t, MatMul(xa.T(), xa))
	xty := mustCompute(t, MatMul(xa.T(), ya))
	for i := 0; i < 7; i++ {
		w := 0.0
		for l := 0; l < 3001; l++ {
			w += X.Data[l*7+i] * y.Data[l]
		}
		if !close(xty.Data[i], w) {
			t.Fatalf("Xᵀy[%d] = %v, want %v", i, xty.Data[i], w)
		}
		for j := 0; j < 7; j++ {
			w := 0.0
			for l := 0; l < 3001; l++ {
				w += X.Data[l*7+i] * X.Data[l*7+j]
			}
			if !close(xtx.Data[i*7+j], w) {
				t.Fatalf("XᵀX[%d][%d] = %v, want %v", i, j, xtx.Data[i*7+j], w)
			}
		}
	}
}
