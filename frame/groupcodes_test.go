package frame

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/sched"
)

// keyRecord makes a record of key columns of the given kinds with random
// values (nulls in about one row of eight when nulls is set); spread picks
// how many distinct values an integer column has (0: the full int64 range).
func keyRecord(rng *rand.Rand, n int, kinds []kind, nulls bool, spread int64) arrow.Record {
	mem := memory.DefaultAllocator
	var fields []arrow.Field
	var cols []arrow.Array
	for j, k := range kinds {
		isNull := func() bool { return nulls && rng.Intn(8) == 0 }
		var a arrow.Array
		switch k {
		case kInt:
			b := array.NewInt64Builder(mem)
			for i := 0; i < n; i++ {
				switch {
				case isNull():
					b.AppendNull()
				case spread == 0:
					b.Append(int64(rng.Uint64()>>uint(rng.Intn(2))) * int64(1-2*rng.Intn(2)))
				default:
					b.Append(rng.Int63n(spread) - spread/2)
				}
			}
			a = b.NewArray()
		case kStr:
			b := array.NewStringBuilder(mem)
			for i := 0; i < n; i++ {
				if isNull() {
					b.AppendNull()
				} else {
					// Lengths around the 4-, 8- and 16-byte word
					// boundaries, and longer ones when spread is 0.
					v := fmt.Sprintf("s%d", rng.Intn(40))
					v = v + "0123456789abcdefghij"[:rng.Intn(15)]
					if spread == 0 && rng.Intn(3) == 0 {
						v += "-a-longer-key"
					}
					if rng.Intn(50) == 0 {
						v = ""
					}
					b.Append(v)
				}
			}
			a = b.NewArray()
		case kBool:
			b := array.NewBooleanBuilder(mem)
			for i := 0; i < n; i++ {
				if isNull() {
					b.AppendNull()
				} else {
					b.Append(rng.Intn(2) == 0)
				}
			}
			a = b.NewArray()
		case kFloat:
			b := array.NewFloat64Builder(mem)
			for i := 0; i < n; i++ {
				if isNull() {
					b.AppendNull()
				} else {
					b.Append(float64(rng.Intn(30)) / 4)
				}
			}
			a = b.NewArray()
		}
		fields = append(fields, arrow.Field{Name: fmt.Sprintf("k%d", j), Type: a.DataType(), Nullable: true})
		cols = append(cols, a)
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n))
}

// naiveGroups groups rows by the printed tuple of their keys (nulls as
// "<nil>"), in first-seen order.
func naiveGroups(r arrow.Record) ([]int32, []int32) {
	ids := map[string]int32{}
	gids := make([]int32, r.NumRows())
	var first []int32
	for i := 0; i < int(r.NumRows()); i++ {
		k := ""
		for _, c := range r.Columns() {
			if c.IsNull(i) {
				k += "<nil>|"
			} else {
				k += c.ValueStr(i) + "|"
			}
		}
		g, ok := ids[k]
		if !ok {
			g = int32(len(first))
			ids[k] = g
			first = append(first, int32(i))
		}
		gids[i] = g
	}
	return gids, first
}

func TestGroupRowsAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	cases := [][]kind{{kInt}, {kStr}, {kBool}, {kFloat}, {kInt, kStr}, {kStr, kStr, kInt}, {kBool, kInt, kStr}, {kFloat, kInt}}
	for _, kinds := range cases {
		for _, nulls := range []bool{false, true} {
			for _, spread := range []int64{5, 3000, 1 << 40, 0} {
				n := 1 + rng.Intn(5000)
				r := keyRecord(rng, n, kinds, nulls, spread)
				keyIdx := make([]int, len(kinds))
				for j := range keyIdx {
					keyIdx[j] = j
				}
				wg, wf := naiveGroups(r)
				enc := &encCache{}
				for pass, e := range []*encCache{nil, enc, enc} {
					gids, first, _ := groupRowsMaybe(r, keyIdx, e, false)
					if fmt.Sprint(gids) != fmt.Sprint(wg) || fmt.Sprint(first) != fmt.Sprint(wf) {
						t.Fatalf("kinds %v nulls %v spread %d pass %d: groups differ from the naive grouping (%d groups, want %d)",
							kinds, nulls, spread, pass, len(first), len(wf))
					}
				}
			}
		}
	}
}

func TestGroupByCodesGivesUp(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	// Two full-range integer keys overflow 64 bits of combined code.
	r := keyRecord(rng, 1000, []kind{kInt, kInt}, false, 0)
	if _, _, st := groupByCodes(r, []int{0, 1}, nil, false); st != codesNoFit {
		t.Fatalf("status %d, want codesNoFit", st)
	}
	// Unique keys abandon the partial aggregation; repeated ones do not.
	r = keyRecord(rng, 1<<17, []kind{kInt, kStr}, false, 1<<40)
	if _, _, st := groupByCodes(r, []int{0, 1}, nil, true); st != codesAbandon {
		t.Fatalf("status %d, want codesAbandon", st)
	}
	r = keyRecord(rng, 1<<17, []kind{kInt, kStr}, false, 10)
	if _, _, st := groupByCodes(r, []int{0, 1}, nil, true); st != codesOK {
		t.Fatalf("status %d, want codesOK", st)
	}
}

func TestGroupMediansAgainstSort(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for trial := 0; trial < 30; trial++ {
		n := 1 + rng.Intn(4000)
		ng := 1 + rng.Intn(60)
		b := array.NewFloat64Builder(memory.DefaultAllocator)
		gids := make([]int32, n)
		for i := range gids {
			gids[i] = int32(rng.Intn(ng))
			switch {
			case rng.Intn(10) == 0:
				b.AppendNull()
				continue
			case trial%5 == 0 && rng.Intn(50) == 0:
				b.Append(math.NaN())
			default:
				b.Append(float64(rng.Intn(7 + trial*50)))
			}
		}
		a := b.NewArray()
		c := colOf(a)
		// Reference: sort each group's non-null, non-NaN values (median
		// skips NaN, SEMANTICS.md).
		ref := make([][]float64, ng)
		for i, g := range gids {
			if !c.null(i) && !math.IsNaN(c.f64[i]) {
				ref[g] = append(ref[g], c.f64[i])
			}
		}
		out, valid := groupMedians(&c, gids, ng)
		for g := 0; g < ng; g++ {
			if len(ref[g]) == 0 {
				if valid[g] {
					t.Fatalf("trial %d group %d: median of no values is valid", trial, g)
				}
				continue
			}
			sort.Float64s(ref[g])
			want := midOfSorted(ref[g])
			if !valid[g] || !(out[g] == want || (math.IsNaN(out[g]) && math.IsNaN(want))) {
				t.Fatalf("trial %d group %d (%d values): median %v, want %v", trial, g, len(ref[g]), out[g], want)
			}
		}
	}
}

// TestHighCardinalityGroupBy covers partial aggregations that are skipped
// (keys hardly repeat): alone in one partition, merged across several, and
// over persisted partitions that keep dictionary codes.
func TestHighCardinalityGroupBy(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(12))
	n := 150000
	a := make([]int64, n)
	s := make([]string, n)
	v := make([]int64, n)
	w := make([]float64, n)
	for i := range a {
		a[i] = rng.Int63n(1 << 40)
		if i%10 == 0 && i > 0 {
			a[i] = a[i-1] // a few repeats
		}
		s[i] = fmt.Sprintf("id%03d", rng.Intn(5))
		if i%10 == 0 && i > 0 {
			s[i] = s[i-1]
		}
		v[i] = rng.Int63n(100)
		w[i] = rng.Float64()
	}
	type acc struct {
		n, sum, mn, mx int64
		ws             float64
	}
	ref := map[string]*acc{}
	for i := range a {
		k := fmt.Sprint(a[i], s[i])
		r := ref[k]
		if r == nil {
			r = &acc{mn: math.MaxInt64, mx: math.MinInt64}
			ref[k] = r
		}
		r.n++
		r.sum += v[i]
		r.mn, r.mx = min(r.mn, v[i]), max(r.mx, v[i])
		r.ws += w[i]
	}
	for _, np := range []int{1, 2} {
		f := FromColumns(np, Column{"a", a}, Column{"s", s}, Column{"v", v}, Column{"w", w})
		pf, err := f.Persist(ctx, opts()...)
		if err != nil {
			t.Fatal(err)
		}
		for run, src := range []*Frame{f, pf, f, pf} {
			// Runs 2 and 3: split_out 3, in process (pieces gathered
			// straight from their sources).
			o, split := opts(), 0
			if run >= 2 {
				o, split = []sched.Option{sched.WithProgress(nil)}, 3
			}
			wf := Col("w").Cast(Float64)
			g := src.GroupBy("a", "s").SplitOut(split).Agg(Col("v").Sum(), Col("v").Size().Alias("n"), Col("v").Min().Alias("mn"),
				Col("v").Max().Alias("mx"), Col("v").Mean().Alias("mean"), Col("w").Std().Alias("sd"),
				wf.Mul(wf).Sum().Sub(wf.Sum().Mul(wf.Sum())).Alias("cse"))
			tab, err := g.Compute(ctx, o...)
			if err != nil {
				t.Fatal(err)
			}
			if tab.NumRows() != len(ref) {
				t.Fatalf("np=%d: %d groups, want %d", np, tab.NumRows(), len(ref))
			}
			for r := 0; r < tab.NumRows(); r++ {
				k := fmt.Sprint(tab.Value(r, "a"), tab.Value(r, "s"))
				x := ref[k]
				if x == nil || tab.Value(r, "v").(int64) != x.sum || tab.Value(r, "n").(int64) != x.n ||
					tab.Value(r, "mn").(int64) != x.mn || tab.Value(r, "mx").(int64) != x.mx ||
					math.Abs(tab.Value(r, "mean").(float64)-float64(x.sum)/float64(x.n)) > 1e-9 {
					t.Fatalf("np=%d group %s: row %v, want %+v", np, k, tab.Record().NewSlice(int64(r), int64(r+1)), x)
				}
				if sd := tab.Value(r, "sd"); (x.n > 1) != (sd != nil) {
					t.Fatalf("np=%d group %s: sd %v with %d rows", np, k, sd, x.n)
				}
			}
		}
	}
}
