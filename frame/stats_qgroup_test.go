package frame

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"
)

// The grouped quantile (groups prepared per partition, whole groups
// shuffled) against a naive sort per group: two keys (a string and an int
// with nulls, so null keys form groups), a float column with nulls and
// NaN and an int column with nulls (all null in the null-key groups), on every executor (Loopback encodes the list
// columns), persisted (string codes cached) and not, with several pieces.
func TestGroupedQuantileAgainstNaive(t *testing.T) {
	ctx := context.Background()
	d := newWinData(t, 11, 2500, 13)
	pers, err := d.f.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := func(r int) string {
		if d.inull[r] {
			return d.s[r] + "|null"
		}
		return fmt.Sprintf("%s|%d", d.s[r], d.i[r])
	}
	wantX, wantTS := map[string][]float64{}, map[string][]float64{}
	for r := range d.x {
		k := key(r)
		if !d.missing(r) {
			wantX[k] = append(wantX[k], d.x[r])
		}
		if !d.inull[r] {
			wantTS[k] = append(wantTS[k], float64(d.i[r]))
		} else if _, ok := wantTS[k]; !ok {
			wantTS[k] = nil
		}
	}
	quant := func(vs []float64, q float64) float64 {
		vs = append([]float64(nil), vs...)
		sort.Float64s(vs)
		if len(vs) == 0 {
			return math.NaN()
		}
		pos := q * float64(len(vs)-1)
		lo := int(math.Floor(pos))
		w := vs[lo]
		if lo+1 < len(vs) {
			w += (vs[lo+1] - vs[lo]) * (pos - float64(lo))
		}
		return w
	}
	for name, o := range execs(t) {
		for _, src := range []*Frame{d.f.WithColumn("i2", Col("i")), pers.WithColumn("i2", Col("i"))} {
			for _, q := range []float64{0, 0.9, 1} {
				tb, err := src.GroupBy("s", "i").SplitOut(3).Quantile(q, "x", "i2").Compute(ctx, o...)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if tb.NumRows() != len(wantTS) {
					t.Fatalf("%s q=%v: %d groups, want %d", name, q, tb.NumRows(), len(wantTS))
				}
				for i := 0; i < tb.NumRows(); i++ {
					k := fmt.Sprintf("%s|%d", tb.Value(i, "s"), tb.Value(i, "i"))
					if tb.Value(i, "i") == nil {
						k = fmt.Sprintf("%s|null", tb.Value(i, "s"))
					}
					for _, c := range []struct {
						col  string
						want map[string][]float64
					}{{"x", wantX}, {"i2", wantTS}} {
						w := quant(c.want[k], q)
						g := tb.Value(i, c.col)
						if math.IsNaN(w) {
							if g != nil {
								t.Fatalf("%s q=%v group %s %s: %v, want null", name, q, k, c.col, g)
							}
							continue
						}
						if g == nil || math.Abs(g.(float64)-w) > 1e-6*math.Max(1, math.Abs(w)) {
							t.Fatalf("%s q=%v group %s %s: %v, want %v", name, q, k, c.col, g, w)
						}
					}
				}
			}
		}
	}
}
