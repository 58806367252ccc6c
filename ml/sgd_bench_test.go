package ml

import (
	"math/rand/v2"
	"testing"

	"github.com/godask/godask/array"
)

func BenchmarkSGDPartialFitBlock(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, p = 100_000, 20
	xs := make([]float64, n*p)
	ys := make([]float64, n)
	for i := range ys {
		var s float64
		for j := range p {
			v := rng.NormFloat64()
			xs[i*p+j] = v
			s += v * float64(j%3-1)
		}
		if s+rng.NormFloat64() > 0 {
			ys[i] = 1
		}
	}
	x, _ := array.NewDenseFloat64(xs, n, p)
	y, _ := array.NewDenseFloat64(ys, n)
	e := SGDClassifier{Loss: "log_loss"}
	b.ResetTimer()
	for range b.N {
		var m Model
		for range 2 {
			var err error
			if m, err = e.PartialFit(m, x, y, []float64{0, 1}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
