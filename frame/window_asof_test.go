package frame

import (
	"context"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestMergeAsofAgainstNaive(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 4; seed++ {
		rng := rand.New(rand.NewSource(seed))
		nl, nr := 300, 80
		lk, rk := make([]int64, nl), make([]int64, nr)
		for i := range lk {
			lk[i] = int64(rng.Intn(500))
		}
		for i := range rk {
			rk[i] = int64(rng.Intn(500))
		}
		sort.Slice(lk, func(i, j int) bool { return lk[i] < lk[j] })
		sort.Slice(rk, func(i, j int) bool { return rk[i] < rk[j] })
		groups := []string{"a", "b", "ü"}
		lg, rg := make([]string, nl), make([]string, nr)
		lv, rv := make([]float64, nl), make([]float64, nr)
		for i := range lg {
			lg[i], lv[i] = groups[rng.Intn(3)], float64(i)
		}
		for i := range rg {
			rg[i], rv[i] = groups[rng.Intn(2)], float64(1000+i)
		}
		// Float keys too: k-250, negative ones and -0 included, ordered as
		// the integers.
		flk, frk := make([]float64, nl), make([]float64, nr)
		for i, k := range lk {
			if flk[i] = float64(k - 250); k == 250 && i%2 == 0 {
				flk[i] = math.Copysign(0, -1)
			}
		}
		for i, k := range rk {
			frk[i] = float64(k - 250)
		}
		for _, floats := range []bool{false, true} {
			left := FromColumns(9, Column{"k", lk}, Column{"g", lg}, Column{"v", lv})
			right := FromColumns(4, Column{"k", rk}, Column{"g", rg}, Column{"v", rv})
			if floats {
				left = FromColumns(9, Column{"k", flk}, Column{"g", lg}, Column{"v", lv})
				right = FromColumns(4, Column{"k", frk}, Column{"g", rg}, Column{"v", rv})
			}
			for _, dir := range []string{"backward", "forward", "nearest"} {
				for _, by := range [][]string{nil, {"g"}} {
					for _, tol := range []any{nil, int64(3)} {
						for _, excl := range []bool{false, true} {
							if floats && tol != nil {
								tol = float64(3)
							}
							tb, err := left.MergeAsof(right, AsofOptions{On: "k", By: by, Direction: dir, Tolerance: tol, ExcludeExact: excl}).Compute(ctx)
							if err != nil {
								t.Fatal(err)
							}
							got, gok := gotFloats(t, tb, "v_y")
							lvs, _ := gotFloats(t, tb, "v_x")
							for i := range lk {
								if lvs[i] != lv[i] {
									t.Fatalf("left row %d moved", i)
								}
								best, bd := -1, int64(math.MaxInt64)
								for j := range rk {
									if by != nil && rg[j] != lg[i] {
										continue
									}
									d := lk[i] - rk[j]
									if excl && d == 0 {
										continue
									}
									switch dir {
									case "backward":
										if d >= 0 && d <= bd {
											best, bd = j, d
										}
									case "forward":
										if d <= 0 && -d < bd {
											best, bd = j, -d
										}
									case "nearest":
										ad := d
										if ad < 0 {
											ad = -ad
										}
										// ties: backward (the last of the equal backward keys), else the first forward
										if ad < bd || (ad == bd && d >= 0 && (best < 0 || lk[i]-rk[best] < 0 || j > best)) {
											best, bd = j, ad
										}
									}
								}
								if tol != nil && best >= 0 && bd > 3 {
									best = -1
								}
								wok := best >= 0
								if gok[i] != wok || (wok && got[i] != rv[best]) {
									t.Fatalf("seed %d floats=%v %s by=%v tol=%v excl=%v row %d (k=%d %s): got %v/%v, want row %d", seed, floats, dir, by, tol, excl, i, lk[i], lg[i], got[i], gok[i], best)
								}
							}
						}
					}
				}
			}
		}
	}
}

func TestMergeAsofErrors(t *testing.T) {
	ctx := context.Background()
	l := FromColumns(2, Column{"t", []time.Time{time.Unix(30, 0), time.Unix(10, 0)}}, Column{"a", []float64{1, 2}})
	r := FromColumns(1, Column{"t", []time.Time{time.Unix(5, 0), time.Unix(20, 0)}}, Column{"b", []float64{1, 2}})
	tb, err := r.MergeAsof(r, AsofOptions{On: "t", Tolerance: time.Second}).Compute(ctx)
	if err != nil || tb.NumRows() != 2 {
		t.Fatalf("self asof: %v %v", tb, err)
	}
	for _, c := range []struct {
		f    *Frame
		want string
	}{
		{l.MergeAsof(r, AsofOptions{On: "t"}), ""},
		{l.Repartition(1).MergeAsof(r, AsofOptions{On: "t"}), `left key "t" is not sorted at partition 0 row 1`},
		{l.MergeAsof(r, AsofOptions{On: "a"}), `no column "a" on the right`},
		{l.MergeAsof(r, AsofOptions{On: "t", Direction: "sideways"}), `Direction "sideways"`},
		{l.MergeAsof(r, AsofOptions{On: "t", Tolerance: 3}), "must be a time.Duration"},
		{l.MergeAsof(r, AsofOptions{LeftOn: "t", RightOn: "b"}), "must both be Int64, Float64 or Timestamp"},
	} {
		_, err := c.f.Compute(ctx)
		if c.want == "" {
			if err != nil {
				t.Errorf("got %v", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}
