package frame

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

func TestResampleAgainstNaive(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 3; seed++ {
		d := newWinData(t, seed, 400, 14)
		// Also unsorted: the same rows reversed per partition order.
		for _, freq := range []time.Duration{time.Hour, 7 * time.Minute, 24 * time.Hour} {
			fu := freq.Microseconds()
			// pandas' origin "start_day": the first timestamp's midnight.
			origin := floorDiv(d.ts[0], usPerDay) * usPerDay
			first := origin + floorDiv(d.ts[0]-origin, fu)*fu
			last := origin + floorDiv(d.ts[len(d.ts)-1]-origin, fu)*fu
			nb := int((last-first)/fu) + 1
			for _, fn := range []string{"sum", "mean", "count", "min", "max", "first", "last", "std", "var", "size"} {
				r := d.f.Resample(freq).On("ts")
				var f *Frame
				switch fn {
				case "sum":
					f = r.Sum("x")
				case "mean":
					f = r.Mean("x")
				case "count":
					f = r.Count("x")
				case "min":
					f = r.Min("x")
				case "max":
					f = r.Max("x")
				case "first":
					f = r.First("x")
				case "last":
					f = r.Last("x")
				case "std":
					f = r.Std("x")
				case "var":
					f = r.Var("x")
				case "size":
					f = r.Size()
				}
				tb, err := f.Compute(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if tb.NumRows() != nb {
					t.Fatalf("%s %s: %d bins, want %d", fn, freq, tb.NumRows(), nb)
				}
				tsc := colOf(tb.Column("ts"))
				vals := make([][]float64, nb)
				sizes := make([]int, nb)
				for r := range d.x {
					b := int((origin + floorDiv(d.ts[r]-origin, fu)*fu - first) / fu)
					sizes[b]++
					if !d.missing(r) {
						vals[b] = append(vals[b], d.x[r])
					}
				}
				want, wok := make([]float64, nb), make([]bool, nb)
				for b := range vals {
					if tsc.i64[b] != first+int64(b)*fu {
						t.Fatalf("bin %d labelled %d", b, tsc.i64[b])
					}
					vs := vals[b]
					var s float64
					for _, v := range vs {
						s += v
					}
					n := float64(len(vs))
					wok[b] = len(vs) > 0
					switch fn {
					case "sum":
						want[b], wok[b] = s, true
					case "mean":
						want[b] = s / n
					case "count":
						want[b], wok[b] = n, true
					case "size":
						want[b], wok[b] = float64(sizes[b]), true
					case "min", "max":
						m := math.Inf(1)
						if fn == "max" {
							m = math.Inf(-1)
						}
						for _, v := range vs {
							if fn == "min" {
								m = math.Min(m, v)
							} else {
								m = math.Max(m, v)
							}
						}
						want[b] = m
					case "first":
						if len(vs) > 0 {
							want[b] = vs[0]
						}
					case "last":
						if len(vs) > 0 {
							want[b] = vs[len(vs)-1]
						}
					case "std", "var":
						var ss float64
						for _, v := range vs {
							ss += (v - s/n) * (v - s/n)
						}
						wok[b] = len(vs) > 1
						want[b] = ss / (n - 1)
						if fn == "std" {
							want[b] = math.Sqrt(want[b])
						}
					}
				}
				name := "x"
				if fn == "size" {
					name = "size"
				}
				g, gok := gotFloats(t, tb, name)
				checkFloats(t, fn+" "+freq.String(), g, gok, want, wok, 1e-9)
			}
		}
	}
}

func TestResampleUnsortedAndErrors(t *testing.T) {
	ctx := context.Background()
	ts := []time.Time{time.Unix(7200, 0), time.Unix(10, 0), time.Unix(3700, 0), time.Unix(20, 0), time.Unix(7300, 0)}
	f := FromColumns(2, Column{"ts", ts}, Column{"v", []float64{1, 2, 3, 4, 5}})
	tb, err := f.Resample(time.Hour).On("ts").Sum("v").Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := tb.Float64s("v")
	if want := []float64{6, 3, 6}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("got %v, want %v", got, want)
	}
	for _, c := range []struct {
		f    *Frame
		want string
	}{
		{f.Resample(time.Hour).Sum("v"), "Resample(1h0m0s).Sum: needs a timestamp index"},
		{f.Resample(0).On("ts").Sum("v"), "the frequency must be at least one microsecond"},
		{f.Resample(time.Hour).On("v").Sum("v"), `column "v" is float64, not a timestamp`},
	} {
		if _, err := c.f.Compute(ctx); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}
