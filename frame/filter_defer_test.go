package frame

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
)

// recString prints every cell of r, column by column.
func recString(r arrow.Record) string {
	var b strings.Builder
	for i := 0; i < int(r.NumCols()); i++ {
		fmt.Fprintf(&b, "%s:", r.ColumnName(i))
		a := r.Column(i)
		for j := 0; j < a.Len(); j++ {
			if a.IsNull(j) {
				b.WriteString(" null")
			} else {
				fmt.Fprintf(&b, " %v", a.GetOneForMarshal(j))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestMaskedPartialAgainstFiltered compares maskedPartial with partialAgg of
// the filtered record, on random records with nulls, masks that keep all,
// none or some rows, and every partial aggregation.
func TestMaskedPartialAgainstFiltered(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	aggs := []aggSpec{{fn: "size", out: "n", k: kInt}, {fn: "count", in: "vf", out: "c", k: kFloat},
		{fn: "sum", in: "vi", out: "si", k: kInt}, {fn: "sum", in: "vf", out: "sf", k: kFloat},
		{fn: "mean", in: "vf", out: "mf", k: kFloat}, {fn: "mean", in: "vi", out: "mi", k: kInt},
		{fn: "std", in: "vf", out: "sd", k: kFloat}, {fn: "var", in: "vi", out: "v", k: kInt},
		{fn: "min", in: "vf", out: "lo", k: kFloat}, {fn: "max", in: "vi", out: "hi", k: kInt},
		{fn: "first", in: "u", out: "fu", k: kStr}, {fn: "last", in: "vf", out: "lf", k: kFloat}}
	keySets := [][]string{{"s"}, {"u"}, {"s", "a"}, {"a", "b"}, {"s", "u", "c"}, {"a"}}
	for trial := 0; trial < 6; trial++ {
		d := newGBData(rng, rng.Intn(3000), 1+rng.Intn(3), []int64{1, 50, 1 << 40}[trial%3], trial%2 == 0)
		for _, r := range d.recs {
			n := int(r.NumRows())
			for _, mode := range []int{0, 1, 2, 3} {
				keep := make([]bool, n)
				for i := range keep {
					switch mode {
					case 0:
						keep[i] = true
					case 2:
						keep[i] = rng.Intn(10) != 0
					case 3:
						keep[i] = rng.Intn(2) == 0
					}
				}
				for _, keys := range keySets {
					got, err := maskedPartial(r, keep, keys, aggs, nil)
					if err != nil {
						t.Fatal(err)
					}
					want, err := partialAgg(filterRecord(r, keep), keys, aggs, nil)
					if err != nil {
						t.Fatal(err)
					}
					if g, w := recString(got), recString(want); g != w {
						t.Fatalf("trial %d rows %d mode %d keys %v:\ngot  %s\nwant %s", trial, n, mode, keys, g, w)
					}
				}
			}
		}
	}
	if _, err := maskedPartial(newGBData(rng, 10, 1, 5, false).recs[0], make([]bool, 10), []string{"s"}, []aggSpec{{fn: "sum", in: "nope", out: "x", k: kFloat}}, nil); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("unknown column: err %v", err)
	}
}

// TestDeferredFilterGroupBy runs filter, projections and a groupby over
// fresh and persisted partitions with the filter deferred into the
// aggregation and without, and requires the same tables (and that the
// deferral happened).
func TestDeferredFilterGroupBy(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(11))
	var deferred atomic.Int64
	onDefer = func() { deferred.Add(1) }
	defer func() { onDefer = nil }()
	aggs := []Expr{Col("w").Sum().Alias("sw"), Col("vi").Mean().Alias("mi"), Col("w").Std().Alias("sd"),
		Col("vf").Min().Alias("lo"), Col("vi").Max().Alias("hi"), Count().Alias("n"), Col("vf").Count().Alias("c"),
		Col("u").First().Alias("fu"), Col("w").Last().Alias("lw")}
	vals := []string{"sw", "mi", "sd", "lo", "hi", "n", "c", "fu", "lw"}
	filters := []Expr{Col("b").Gt(Lit(-140)), Col("b").Gt(Lit(-140)).And(Col("vi").NotNull()), Col("a").Ne(Lit(99)), Col("b").Gt(Lit(0))}
	for trial := 0; trial < 2; trial++ {
		d := newGBData(rng, 300+rng.Intn(1500), 1+rng.Intn(6), 1<<20, trial%2 == 0)
		f := FromRecords(d.recs...)
		pf, err := f.Persist(ctx, opts()...)
		if err != nil {
			t.Fatal(err)
		}
		for _, src := range []*Frame{f, pf} {
			for fi, flt := range filters {
				for _, keys := range [][]string{{"s"}, {"s", "a"}, {"u"}, {"a", "b"}, {"a"}} {
					q := src.Filter(flt).WithColumn("w", Col("vf").Mul(Lit(2.0)).Sub(Col("vi"))).
						GroupBy(keys...).Agg(aggs...)
					deferFilters = false
					want, err := q.Compute(ctx, opts()...)
					deferFilters = true
					if err != nil {
						t.Fatal(err)
					}
					got, err := q.Compute(ctx, opts()...)
					if err != nil {
						t.Fatal(err)
					}
					w, g := tableByKey(t, want, keys, vals), tableByKey(t, got, keys, vals)
					if len(g) != len(w) {
						t.Fatalf("trial %d filter %d keys %v: %d groups, want %d", trial, fi, keys, len(g), len(w))
					}
					for k, wv := range w {
						if g[k] != wv {
							t.Fatalf("trial %d filter %d keys %v group %s: got %s, want %s", trial, fi, keys, k, g[k], wv)
						}
					}
				}
			}
		}
	}
	if deferred.Load() == 0 {
		t.Fatal("no filter was deferred")
	}
}
