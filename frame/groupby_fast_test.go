package frame

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/sched"
)

// gbData is a random table for the groupby fast paths: integer keys a
// (small range, negative values, nulls), b (a wider range) and c (a range
// given by the test), string keys s (few values, nulls) and u (many), and
// values vi (int, nulls) and vf (float, nulls), split into partitions of
// random sizes (some empty).
type gbData struct {
	recs []arrow.Record
	rows [][]any // a, b, c, s, u, vi, vf; nil = null
}

var gbCols = []string{"a", "b", "c", "s", "u", "vi", "vf"}

func newGBData(rng *rand.Rand, n, nparts int, cspan int64, nulls bool) *gbData {
	d := &gbData{}
	null := func() bool { return nulls && rng.Intn(9) == 0 }
	for i := 0; i < n; i++ {
		row := make([]any, 7)
		if !null() {
			row[0] = int64(rng.Intn(7) - 3)
		}
		if !null() {
			row[1] = int64(rng.Intn(300) - 150)
		}
		if !null() {
			row[2] = rng.Int63n(cspan) - cspan/2
		}
		if !null() {
			row[3] = fmt.Sprintf("s%d", rng.Intn(5))
		}
		row[4] = fmt.Sprintf("u%05d", rng.Intn(n/2+1))
		if !null() {
			row[5] = int64(rng.Intn(2001) - 1000)
		}
		if !null() {
			row[6] = float64(rng.Intn(1<<16)) / 16
		}
		d.rows = append(d.rows, row)
	}
	cuts := []int{0, n}
	for p := 1; p < nparts; p++ {
		cuts = append(cuts, rng.Intn(n+1))
	}
	sort.Ints(cuts)
	mem := memory.DefaultAllocator
	fields := []arrow.Field{}
	for j, name := range gbCols {
		t := Int64
		switch j {
		case 3, 4:
			t = String
		case 6:
			t = Float64
		}
		fields = append(fields, arrow.Field{Name: name, Type: t, Nullable: true})
	}
	sch := arrow.NewSchema(fields, nil)
	for p := 0; p+1 < len(cuts); p++ {
		b := array.NewRecordBuilder(mem, sch)
		for _, row := range d.rows[cuts[p]:cuts[p+1]] {
			for j, v := range row {
				fb := b.Field(j)
				if v == nil {
					fb.AppendNull()
					continue
				}
				switch x := v.(type) {
				case int64:
					fb.(*array.Int64Builder).Append(x)
				case float64:
					fb.(*array.Float64Builder).Append(x)
				case string:
					fb.(*array.StringBuilder).Append(x)
				}
			}
		}
		d.recs = append(d.recs, b.NewRecord())
	}
	return d
}

// naiveAgg is the reference: per group of the named keys (nulls a group of
// their own), sum/count of vi, size, and sum/mean/std/median of vf, printed
// with 9 significant digits.
func (d *gbData) naiveAgg(keys []string) map[string]string {
	type acc struct {
		si, ci, size int64
		fs           []float64
	}
	idx := map[string]int{}
	for j, c := range gbCols {
		idx[c] = j
	}
	groups := map[string]*acc{}
	for _, row := range d.rows {
		var kp []string
		for _, k := range keys {
			kp = append(kp, fmt.Sprint(row[idx[k]]))
		}
		key := strings.Join(kp, "|")
		a := groups[key]
		if a == nil {
			a = &acc{}
			groups[key] = a
		}
		a.size++
		if v := row[5]; v != nil {
			a.si += v.(int64)
			a.ci++
		}
		if v := row[6]; v != nil {
			a.fs = append(a.fs, v.(float64))
		}
	}
	out := map[string]string{}
	for k, a := range groups {
		var s float64
		for _, v := range a.fs {
			s += v
		}
		mean, sd, med := any(nil), any(nil), any(nil)
		if len(a.fs) > 0 {
			m := s / float64(len(a.fs))
			mean = m
			sorted := append([]float64(nil), a.fs...)
			sort.Float64s(sorted)
			med = midOfSorted(sorted)
			if len(a.fs) > 1 {
				var q float64
				for _, v := range a.fs {
					q += (v - m) * (v - m)
				}
				sd = math.Sqrt(q / float64(len(a.fs)-1))
			}
		}
		out[k] = fmtVals(a.si, a.ci, a.size, s, mean, sd, med)
	}
	return out
}

func fmtVals(vs ...any) string {
	var b strings.Builder
	for _, v := range vs {
		switch x := v.(type) {
		case float64:
			fmt.Fprintf(&b, "%.9g|", x)
		case nil:
			b.WriteString("<nil>|")
		default:
			fmt.Fprintf(&b, "%v|", x)
		}
	}
	return b.String()
}

// tableByKey prints the rows of a groupby result like naiveAgg.
func tableByKey(t *testing.T, tab *Table, keys []string, vals []string) map[string]string {
	out := map[string]string{}
	for r := 0; r < tab.NumRows(); r++ {
		var kp []string
		for _, k := range keys {
			kp = append(kp, fmt.Sprint(tab.Value(r, k)))
		}
		key := strings.Join(kp, "|")
		var vs []any
		for _, v := range vals {
			vs = append(vs, tab.Value(r, v))
		}
		if _, dup := out[key]; dup {
			t.Fatalf("group %s twice in the result", key)
		}
		out[key] = fmtVals(vs...)
	}
	return out
}

// TestGroupByFastPathsAgainstNaive runs the groupby shapes that have fast
// paths (one small-range int key: dense accumulators and merges; keys whose
// codes pack into 64 bits; median and std together) against a naive
// reference, over fresh and persisted partitions, with and without nulls,
// with tree and split_out merges.
func TestGroupByFastPathsAgainstNaive(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(31))
	keySets := [][]string{{"a"}, {"b"}, {"c"}, {"a", "b"}, {"s", "a"}, {"s", "a", "b", "c", "u"}, {"u", "c"}}
	aggs := []Expr{Col("vi").Sum().Alias("si"), Col("vi").Count().Alias("ci"), Col("vi").Size().Alias("size"),
		Col("vf").Sum().Alias("sf"), Col("vf").Mean().Alias("mf"), Col("vf").Std().Alias("sd"), Col("vf").Median().Alias("med")}
	vals := []string{"si", "ci", "size", "sf", "mf", "sd", "med"}
	for trial := 0; trial < 6; trial++ {
		n := 200 + rng.Intn(4000)
		cspan := []int64{1, 50, 1 << 20, 1 << 62}[trial%4]
		d := newGBData(rng, n, 1+rng.Intn(9), cspan, trial%2 == 0)
		f := FromRecords(d.recs...)
		pf, err := f.Persist(ctx, opts()...)
		if err != nil {
			t.Fatal(err)
		}
		for _, keys := range keySets {
			want := d.naiveAgg(keys)
			for run, src := range []*Frame{f, pf} {
				for _, split := range []int{1, 3} {
					for _, sub := range [][]int{{0, 1, 2, 3, 4}, {0, 1, 2, 5, 6}, {0, 2, 3, 4}} {
						var as []Expr
						var vs []string
						for _, j := range sub {
							as, vs = append(as, aggs[j]), append(vs, vals[j])
						}
						o := []sched.Option{sched.WithProgress(nil)}
						if (run+split+trial)%2 == 0 {
							o = opts() // values through bytes: pieces arrive as records
						}
						tab, err := src.GroupBy(keys...).SplitOut(split).Agg(as...).Compute(ctx, o...)
						if err != nil {
							t.Fatal(err)
						}
						got := tableByKey(t, tab, keys, vs)
						if len(got) != len(want) {
							t.Fatalf("trial %d keys %v run %d split %d: %d groups, want %d", trial, keys, run, split, len(got), len(want))
						}
						for k, w := range want {
							wf := strings.Split(w, "|")
							var ws []string
							for _, j := range sub {
								ws = append(ws, wf[j])
							}
							if g, w := got[k], strings.Join(ws, "|")+"|"; g != w {
								t.Fatalf("trial %d keys %v run %d split %d aggs %v group %s: got %s, want %s", trial, keys, run, split, vs, k, g, w)
							}
						}
					}
				}
			}
		}
	}
}

// TestSortedAggSources runs sortedAgg over several sources and row lists
// whose key ranges and nulls differ from source to source (the first
// source's range too narrow, all-null, empty), against fullAggRows over the
// gathered rows.
func TestSortedAggSources(t *testing.T) {
	rng := rand.New(rand.NewSource(61))
	aggs := []aggSpec{{fn: "median", in: "vf", out: "m", k: kFloat}, {fn: "std", in: "vf", out: "s", k: kFloat},
		{fn: "sum", in: "vi", out: "si", k: kInt}, {fn: "mean", in: "vi", out: "mi", k: kInt}, {fn: "count", in: "vf", out: "c", k: kFloat},
		{fn: "size", out: "n", k: kInt}, {fn: "var", in: "vi", out: "v", k: kInt}}
	taken := 0
	for trial := 0; trial < 40; trial++ {
		var srcs []arrow.Record
		var idx [][]int32
		for k := 0; k < 1+rng.Intn(4); k++ {
			n := rng.Intn(300)
			if trial%5 == 0 && k == 0 {
				n = 0
			}
			lo := int64(rng.Intn(20) - 10)
			span := int64(1 + rng.Intn(30))
			if trial%7 == 1 {
				n, lo, span = 50+n, -1, 1 // just below the all-null first source's (empty) range
			}
			keyNulls := (trial+k)%3 == 0
			r := valueRecord(rng, n, lo, span, keyNulls, trial%2 == 0, Int64)
			if trial%7 == 1 && k == 0 {
				r = valueRecord(rng, n, lo, span, false, false, Int64)
				b := array.NewInt64Builder(memory.DefaultAllocator)
				for i := 0; i < n; i++ {
					b.AppendNull() // an all-null key
				}
				r = array.NewRecord(r.Schema(), []arrow.Array{b.NewArray(), r.Column(1), r.Column(2)}, int64(n))
			}
			srcs = append(srcs, r)
			if rng.Intn(2) == 0 {
				idx = append(idx, nil)
				continue
			}
			var rows []int32
			for i := 0; i < n; i++ {
				if rng.Intn(3) > 0 {
					rows = append(rows, int32(i))
				}
			}
			if rows == nil {
				rows = []int32{}
			}
			idx = append(idx, rows)
		}
		got, ok, err := sortedAgg(srcs, idx, []string{"k"}, aggs)
		if err != nil {
			t.Fatal(err)
		}
		all, err := gatherRecords(srcs, idx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			if all.NumRows() > 0 {
				t.Fatalf("trial %d: sortedAgg declined %d rows of a small key range", trial, all.NumRows())
			}
			continue
		}
		taken++
		want, err := fullAggRows(all, []string{"k"}, aggs)
		if err != nil {
			t.Fatal(err)
		}
		g, w := rowsByKey(got), rowsByKey(want)
		if len(g) != len(w) {
			t.Fatalf("trial %d: %d groups, want %d", trial, len(g), len(w))
		}
		for k, wv := range w {
			if !sameFloats(g[k], wv) {
				t.Fatalf("trial %d key %s: got %s, want %s", trial, k, g[k], wv)
			}
		}
	}
	if taken < 20 {
		t.Fatalf("sortedAgg took only %d of 40 trials", taken)
	}
}

// sameFloats compares two rows printed by rowsByKey, numbers to 1e-9.
func sameFloats(a, b string) bool {
	as, bs := strings.Split(a, "|"), strings.Split(b, "|")
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		if as[i] == bs[i] {
			continue
		}
		var x, y float64
		if _, err := fmt.Sscan(as[i], &x); err != nil {
			return false
		}
		if _, err := fmt.Sscan(bs[i], &y); err != nil {
			return false
		}
		if math.Abs(x-y) > 1e-9*math.Max(1, math.Abs(y)) {
			return false
		}
	}
	return true
}
