package window

import (
	"math"
	"math/rand"
	"testing"
)

// SumRows gives the bits of Sum over the concatenation with count bounds.
func TestSumRowsMatchesSum(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for trial := 0; trial < 300; trial++ {
		k := 1 + rng.Intn(12)
		np := rng.Intn(k + 2)
		n := rng.Intn(60)
		all := make([]float64, np+n)
		for i := range all {
			switch rng.Intn(6) {
			case 0:
				all[i] = math.NaN()
			case 1:
				all[i] = 1e16 * rng.NormFloat64()
			default:
				all[i] = rng.NormFloat64()
			}
		}
		lo := make([]int32, n)
		for r := range lo {
			lo[r] = int32(max(0, np+r-k+1))
		}
		minp := rng.Intn(k + 1)
		for _, mean := range []bool{false, true} {
			want, wok := make([]float64, n), make([]bool, n)
			Sum(all, np, lo, minp, mean, want, wok)
			got, gok := make([]float64, n), make([]bool, n)
			SumRows(all[:np], all[np:], k, minp, mean, got, gok)
			for r := range want {
				if wok[r] != gok[r] || math.Float64bits(want[r]) != math.Float64bits(got[r]) {
					t.Fatalf("trial %d k=%d np=%d minp=%d mean=%v row %d: %v/%v, want %v/%v", trial, k, np, minp, mean, r, got[r], gok[r], want[r], wok[r])
				}
			}
		}
	}
}
