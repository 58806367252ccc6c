package array

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRankValuesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 2, 17, 1000, 5003} {
		v := make([]float64, n)
		for i := range v {
			switch rng.IntN(10) {
			case 0:
				v[i] = math.NaN()
			case 1:
				v[i] = math.Inf(-1)
			case 2:
				v[i] = 3 // ties
			default:
				v[i] = rng.NormFloat64() * 1e6
			}
		}
		s := slices.Clone(v)
		slices.SortFunc(s, func(a, b float64) int { // NaN last
			switch {
			case math.IsNaN(a) && math.IsNaN(b):
				return 0
			case math.IsNaN(a):
				return 1
			case math.IsNaN(b):
				return -1
			}
			return int(math.Copysign(1, a-b)) * boolSign(a != b)
		})
		ranks := []int64{int64(n - 1), 0, int64(n / 2), int64(n / 2)}
		a := FromSlice(v, []int{n}, Regular{max(1, n/7)})
		d, err := a.RankValues(ranks).Compute(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range ranks {
			got, want := d.Data[i], s[r]
			if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("n=%d rank %d: got %v, want %v", n, r, got, want)
			}
		}
	}
	if _, err := FromSlice([]float64{1, 2}, []int{2}, Regular{1}).RankValues([]int64{2}).Compute(context.Background()); err == nil {
		t.Fatal("rank 2 of 2 elements: no error")
	}
}

func boolSign(b bool) int {
	if b {
		return 1
	}
	return 0
}
