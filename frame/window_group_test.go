package frame

import (
	"context"
	"math"
	"testing"
)

func TestGroupWindowsAgainstNaive(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 4; seed++ {
		d := newWinData(t, seed, 300, 17)
		g := d.f.GroupBy("s")
		if seed%2 == 0 {
			// A persisted frame: string keys come coded from its cache.
			p, err := d.f.Persist(ctx)
			if err != nil {
				t.Fatal(err)
			}
			g = p.GroupBy("s")
		}
		for _, k := range []int{1, 2, 5, -1, -3} {
			tb, err := g.Shift(k, "x").Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, gok := gotFloats(t, tb, "x")
			want, wok := make([]float64, len(d.x)), make([]bool, len(d.x))
			for r := range d.x {
				// the k-th row before r in r's group (after, for k < 0)
				step, need := -1, k
				if k < 0 {
					step, need = 1, -k
				}
				for j := r + step; j >= 0 && j < len(d.x); j += step {
					if d.s[j] == d.s[r] {
						need--
						if need == 0 {
							want[r], wok[r] = d.x[j], !d.xnull[j]
							break
						}
					}
				}
			}
			checkFloats(t, "group shift", got, gok, want, wok, 0)
		}
		for _, fn := range []string{"cumsum", "cummax", "cummin", "cumcount"} {
			var f *Frame
			switch fn {
			case "cumsum":
				f = g.CumSum("x")
			case "cummax":
				f = g.CumMax("x")
			case "cummin":
				f = g.CumMin("x")
			case "cumcount":
				f = g.CumCount()
			}
			tb, err := f.Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			name := "x"
			if fn == "cumcount" {
				name = "cumcount"
			}
			got, gok := gotFloats(t, tb, name)
			want, wok := make([]float64, len(d.x)), make([]bool, len(d.x))
			acc, have, rows := map[string]float64{}, map[string]bool{}, map[string]int{}
			for r := range d.x {
				s := d.s[r]
				if fn == "cumcount" {
					want[r], wok[r] = float64(rows[s]), true
					rows[s]++
					continue
				}
				if d.xnull[r] {
					continue
				}
				v := d.x[r]
				if math.IsNaN(v) {
					want[r], wok[r] = v, true
					continue
				}
				switch {
				case fn == "cumsum":
					acc[s] += v
				case !have[s], fn == "cummax" && v > acc[s], fn == "cummin" && v < acc[s]:
					acc[s] = v
				}
				have[s] = true
				want[r], wok[r] = acc[s], true
			}
			checkFloats(t, "group "+fn, got, gok, want, wok, 1e-9)
		}
		for _, m := range []string{"average", "min", "max", "first", "dense"} {
			for _, desc := range []bool{false, true} {
				tb, err := g.Rank(RankOptions{Method: m, Descending: desc}, "i").Compute(ctx)
				if err != nil {
					t.Fatal(err)
				}
				got, gok := gotFloats(t, tb, "i")
				want, wok := make([]float64, len(d.x)), make([]bool, len(d.x))
				for r := range d.i {
					if d.inull[r] {
						continue
					}
					var lt, eq, eqBefore int
					distinct := map[int64]bool{}
					for j := range d.i {
						if d.inull[j] || d.s[j] != d.s[r] {
							continue
						}
						less := d.i[j] < d.i[r]
						if desc {
							less = d.i[j] > d.i[r]
						}
						if less {
							lt++
							distinct[d.i[j]] = true
						}
						if d.i[j] == d.i[r] {
							eq++
							if j < r {
								eqBefore++
							}
						}
					}
					wok[r] = true
					switch m {
					case "average":
						want[r] = float64(lt) + float64(eq+1)/2
					case "min":
						want[r] = float64(lt + 1)
					case "max":
						want[r] = float64(lt + eq)
					case "first":
						want[r] = float64(lt + eqBefore + 1)
					case "dense":
						want[r] = float64(len(distinct) + 1)
					}
				}
				checkFloats(t, "rank "+m, got, gok, want, wok, 0)
			}
		}
		tb, err := g.Transform(Col("x").Sum().Alias("xs"), Col("i").Max()).Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		xs, xok := gotFloats(t, tb, "xs")
		im, _ := gotFloats(t, tb, "i")
		sums, maxs := map[string]float64{}, map[string]float64{}
		for r := range d.x {
			if !d.missing(r) {
				sums[d.s[r]] += d.x[r]
			}
			if !d.inull[r] {
				if v, ok := maxs[d.s[r]]; !ok || float64(d.i[r]) > v {
					maxs[d.s[r]] = float64(d.i[r])
				}
			}
		}
		for r := range d.x {
			if !xok[r] || math.Abs(xs[r]-sums[d.s[r]]) > 1e-9 || im[r] != maxs[d.s[r]] {
				t.Fatalf("transform row %d: %v %v, want %v %v", r, xs[r], im[r], sums[d.s[r]], maxs[d.s[r]])
			}
		}
	}
}

func TestGroupRankAgainstPandas(t *testing.T) {
	p, f := loadPandasFixture(t)
	for m, want := range p.Rank {
		tb, err := f.GroupBy("g").Rank(RankOptions{Method: m}, "v").Compute(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got, gok := gotFloats(t, tb, "v")
		w, wok := fixtureFloats(want)
		checkFloats(t, "rank "+m, got, gok, w, wok, 0)
	}
}
