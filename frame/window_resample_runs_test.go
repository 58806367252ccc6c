package frame

import (
	"math"
	"math/rand"
	"testing"
)

// sortedBinRuns gives each row the bin floorDiv gives it: negative
// timestamps, repeats, gaps of many bins, one-row and empty partitions.
func TestSortedBinRunsMatchesDivision(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	for trial := 0; trial < 500; trial++ {
		n := rng.Intn(80)
		freq := int64(1 + rng.Intn(50))
		ts := make([]int64, n)
		cur := int64(rng.Intn(2000) - 1000)
		for i := range ts {
			switch rng.Intn(4) {
			case 0: // repeat
			case 1:
				cur += int64(rng.Intn(int(5 * freq)))
			default:
				cur += int64(rng.Intn(3))
			}
			ts[i] = cur
		}
		bins, starts, ok := sortedBinRuns(ts, freq)
		if !ok || len(starts) != len(bins)+1 || starts[len(starts)-1] != n {
			t.Fatalf("trial %d: ok=%v bins %v starts %v", trial, ok, bins, starts)
		}
		for g := range bins {
			if g > 0 && bins[g] <= bins[g-1] {
				t.Fatalf("trial %d: bins not ascending %v", trial, bins)
			}
			if starts[g] >= starts[g+1] {
				t.Fatalf("trial %d: empty run %v", trial, starts)
			}
			for i := starts[g]; i < starts[g+1]; i++ {
				if want := floorDiv(ts[i], freq) * freq; want != bins[g] {
					t.Fatalf("trial %d row %d (%d): bin %d, want %d", trial, i, ts[i], bins[g], want)
				}
			}
		}
	}
	if _, _, ok := sortedBinRuns([]int64{3, 1}, 10); ok {
		t.Fatal("unsorted accepted")
	}
}

// sum4 gives the count and, to rounding, the sum of a sequential loop over
// the non-NaN values, at every length and NaN placement.
func TestSum4AgainstLoop(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for trial := 0; trial < 2000; trial++ {
		vs := make([]float64, rng.Intn(40))
		for i := range vs {
			vs[i] = rng.NormFloat64() * 100
			if rng.Intn(5) == 0 {
				vs[i] = math.NaN()
			}
		}
		s, k := sum4(vs)
		var ws, mag float64
		var wk int64
		for _, v := range vs {
			if !math.IsNaN(v) {
				ws += v
				mag += math.Abs(v)
				wk++
			}
		}
		if k != wk || math.Abs(s-ws) > 1e-13*mag {
			t.Fatalf("trial %d (%d values): %v, %d; want %v, %d", trial, len(vs), s, k, ws, wk)
		}
	}
}
