package window

import (
	"math"
	"math/big"
	"math/rand"
	"testing"
)

// exactWindow is the exact sum of the non-NaN values of xs rounded once,
// their count and the sum of their magnitudes.
func exactWindow(xs []float64) (float64, int, float64) {
	s := new(big.Float).SetPrec(4096)
	cnt, mag := 0, 0.0
	for _, v := range xs {
		if math.IsInf(v, 0) {
			return 0, 0, math.Inf(1)
		}
		if !math.IsNaN(v) {
			s.Add(s, new(big.Float).SetFloat64(v))
			cnt++
			mag += math.Abs(v)
		}
	}
	f, _ := s.Float64()
	return f, cnt, mag
}

// SumRows agrees with the exact window sums (and means) to within a few
// rounding errors of the values' magnitudes, and with Sum over the
// concatenation with count bounds on validity, on short and long inputs
// with NaN, values of 1e16 beside values of 1, and infinities.
func TestSumRowsMatchesSum(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for trial := 0; trial < 400; trial++ {
		k := 1 + rng.Intn(12)
		np := rng.Intn(k + 2)
		n := rng.Intn(60)
		if trial%10 == 0 {
			k, n = 1+rng.Intn(300), rng.Intn(5000)
		}
		inf := trial%7 == 0
		all := make([]float64, np+n)
		for i := range all {
			switch rng.Intn(6) {
			case 0:
				all[i] = math.NaN()
				if inf && rng.Intn(3) == 0 {
					all[i] = math.Inf(1 - 2*rng.Intn(2))
				}
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
		seenMag := make([]float64, len(all)) // Σ|x| of the rows up to each
		for i, v := range all {
			if i > 0 {
				seenMag[i] = seenMag[i-1]
			}
			if !math.IsNaN(v) {
				seenMag[i] += math.Abs(v)
			}
		}
		minp := rng.Intn(k + 1)
		for _, mean := range []bool{false, true} {
			want, wok := make([]float64, n), make([]bool, n)
			Sum(all, np, lo, minp, mean, want, wok)
			got := make([]float64, n)
			gok := SumRows(all[:np], all[np:], k, minp, mean, got)
			allValid := true
			for _, v := range wok {
				allValid = allValid && v
			}
			if (gok == nil) != allValid {
				t.Fatalf("trial %d: validity returned %v, every row valid %v", trial, gok != nil, allValid)
			}
			for r := range want {
				if gok != nil && wok[r] != gok[r] {
					t.Fatalf("trial %d k=%d np=%d minp=%d mean=%v row %d: valid %v, want %v", trial, k, np, minp, mean, r, gok[r], wok[r])
				}
				if !wok[r] || (n > 100 && r%29 != 0 && r > 50) { // long inputs: a sample of rows
					continue
				}
				ex, cnt, mag := exactWindow(all[max(0, np+r-k+1) : np+r+1])
				if math.IsInf(mag, 0) || math.IsNaN(mag) {
					continue // an infinity in the window: no finite answer to check
				}
				// Cancelled large values leave rounding residue in the
				// compensation term: a few ulps of ulps of what passed.
				seen := seenMag[np+r]
				tol := 8*0x1p-52*mag + 64*0x1p-104*seen + 1e-300
				if mean {
					ex, tol = ex/float64(cnt), tol/float64(cnt)
				}
				if math.Abs(got[r]-ex) > tol || math.Abs(want[r]-ex) > tol {
					t.Fatalf("trial %d k=%d np=%d minp=%d mean=%v row %d: %v (Sum %v), exact %v", trial, k, np, minp, mean, r, got[r], want[r], ex)
				}
			}
		}
	}
}
