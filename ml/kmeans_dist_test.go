package ml

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The blocked nearest-centre search against a naive loop over every row
// and centre, on sizes around the tile edges (rows not a multiple of the
// 6-row micro-tile or of distTile, centres not a multiple of 8, one
// feature, one centre).
func TestAssignerMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][3]int{{1, 1, 1}, {7, 3, 1}, {289, 8, 20}, {1000, 13, 5}, {577, 81, 20}, {5, 1, 33}} {
		n, k, p := sz[0], sz[1], sz[2]
		x := make([]float64, n*p)
		c := make([]float64, k*p)
		for i := range x {
			x[i] = rng.NormFloat64() * 3
		}
		for i := range c {
			c[i] = rng.NormFloat64() * 3
		}
		a := newCenterSet(c, k, p).assigner()
		sums, counts := make([]float64, k*p), make([]float64, k)
		inertia := a.lloydSums(x, n, sums, counts)
		wantSums, wantCounts := make([]float64, k*p), make([]float64, k)
		var wantInertia float64
		for i := range n {
			best, bd := 0, math.Inf(1)
			for cc := range k {
				var s float64
				for j := range p {
					d := x[i*p+j] - c[cc*p+j]
					s += d * d
				}
				if s < bd {
					best, bd = cc, s
				}
			}
			wantInertia += bd
			wantCounts[best]++
			for j := range p {
				wantSums[best*p+j] += x[i*p+j]
			}
		}
		if math.Abs(inertia-wantInertia) > 1e-9*wantInertia {
			t.Errorf("%v: inertia %v, naive %v", sz, inertia, wantInertia)
		}
		for cc := range k {
			if counts[cc] != wantCounts[cc] {
				t.Fatalf("%v: centre %d has %v rows, naive %v", sz, cc, counts[cc], wantCounts[cc])
			}
		}
		for i := range sums {
			if math.Abs(sums[i]-wantSums[i]) > 1e-9*(1+math.Abs(wantSums[i])) {
				t.Fatalf("%v: sum %d = %v, naive %v", sz, i, sums[i], wantSums[i])
			}
		}
	}
}

func BenchmarkLloydBlock(b *testing.B)   { benchLloyd(b, 8) }
func BenchmarkLloydBlock80(b *testing.B) { benchLloyd(b, 80) }

func benchLloyd(b *testing.B, k int) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, p = 100_000, 20
	x := make([]float64, n*p)
	c := make([]float64, k*p)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range c {
		c[i] = rng.NormFloat64()
	}
	sums, counts := make([]float64, k*p), make([]float64, k)
	b.SetBytes(n * p * 8)
	for range b.N {
		newCenterSet(c, k, p).assigner().lloydSums(x, n, sums, counts)
	}
}
