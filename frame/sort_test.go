package frame

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// sortData is a random frame for sort tests, with its rows as Go values
// (nil for null) for the reference. Column id numbers the rows.
type sortData struct {
	cols []string
	rows [][]any // rows[r][c]
	recs []arrow.Record
}

func newSortData(rng *rand.Rand, n, nparts int, distinct int) *sortData {
	d := &sortData{cols: []string{"id", "i", "f", "s", "b", "t"}}
	null := func() bool { return rng.Intn(7) == 0 }
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for r := 0; r < n; r++ {
		row := []any{int64(r), nil, nil, nil, nil, nil}
		if !null() {
			row[1] = int64(rng.Intn(distinct) - distinct/2)
		}
		if !null() {
			switch rng.Intn(12) {
			case 0:
				row[2] = math.NaN()
			case 1:
				row[2] = math.Copysign(0, -1)
			case 2:
				row[2] = math.Inf(1 - 2*rng.Intn(2))
			default:
				row[2] = float64(rng.Intn(distinct)) / 4
			}
		}
		if !null() {
			row[3] = []string{"", "a", "ab", "b", "ba", "zz", "é"}[rng.Intn(7)] + strings.Repeat("x", rng.Intn(distinct)%3)
		}
		if !null() {
			row[4] = rng.Intn(2) == 0
		}
		if !null() {
			row[5] = base.Add(time.Duration(rng.Intn(distinct)) * time.Hour)
		}
		d.rows = append(d.rows, row)
	}
	// Random cut points, some equal: empty partitions.
	cuts := []int{0, n}
	for len(cuts) < nparts+1 {
		cuts = append(cuts, rng.Intn(n+1))
	}
	sort.Ints(cuts)
	for p := 0; p < nparts; p++ {
		d.recs = append(d.recs, d.record(d.rows[cuts[p]:cuts[p+1]]))
	}
	return d
}

func (d *sortData) record(rows [][]any) arrow.Record {
	n := len(rows)
	ids, is, ts := make([]int64, n), make([]int64, n), make([]int64, n)
	fs := make([]float64, n)
	bs := make([]bool, n)
	var vi, vf, vs, vb, vt []bool
	for _, v := range []*[]bool{&vi, &vf, &vs, &vb, &vt} {
		*v = make([]bool, n)
	}
	sb := newStrBuilder(n)
	for r, row := range rows {
		ids[r] = row[0].(int64)
		if row[1] != nil {
			is[r], vi[r] = row[1].(int64), true
		}
		if row[2] != nil {
			fs[r], vf[r] = row[2].(float64), true
		}
		if row[3] != nil {
			sb.add([]byte(row[3].(string)))
		} else {
			sb.addNull()
		}
		if row[4] != nil {
			bs[r], vb[r] = row[4].(bool), true
		}
		if row[5] != nil {
			ts[r], vt[r] = row[5].(time.Time).UnixMicro(), true
		}
	}
	_ = vs
	arrs := []arrow.Array{int64Array(ids, nil), int64Array(is, vi), float64Array(fs, vf), sb.array(), boolArray(bs, vb), timeArray(ts, vt)}
	var fields []arrow.Field
	for i, c := range d.cols {
		fields = append(fields, arrow.Field{Name: c, Type: arrs[i].DataType(), Nullable: true})
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(n))
}

func (d *sortData) frame() *Frame { return FromRecords(d.recs...) }

func refNA(v any) bool {
	if v == nil {
		return true
	}
	f, ok := v.(float64)
	return ok && f != f
}

func refCmp(a, b any) int {
	switch x := a.(type) {
	case int64:
		return cmpInt(x, b.(int64))
	case float64:
		y := b.(float64)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case string:
		return strings.Compare(x, b.(string))
	case bool:
		return cmpInt(int64(btoi(x)), int64(btoi(b.(bool))))
	case time.Time:
		return x.Compare(b.(time.Time))
	}
	panic("type")
}

// refSort is the reference: sort.SliceStable of the materialized rows.
func (d *sortData) refSort(keys []SortKey) []int64 {
	ci := map[string]int{}
	for i, c := range d.cols {
		ci[c] = i
	}
	rows := append([][]any(nil), d.rows...)
	sort.SliceStable(rows, func(x, y int) bool {
		for _, k := range keys {
			a, b := rows[x][ci[k.Col]], rows[y][ci[k.Col]]
			na, nb := refNA(a), refNA(b)
			if na || nb {
				if na && nb {
					continue
				}
				return nb
			}
			if c := refCmp(a, b); c != 0 {
				return (c < 0) != k.Desc
			}
		}
		return false
	})
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r[0].(int64)
	}
	return out
}

func ids(t *testing.T, tab *Table) []int64 {
	t.Helper()
	c := colOf(tab.Column("id"))
	return c.i64[:c.n]
}

// partitions computes f's partitions one by one.
func partitions(t *testing.T, f *Frame, opts ...sched.Option) []arrow.Record {
	t.Helper()
	g, err := f.Graph()
	if err != nil {
		t.Fatal(err)
	}
	vals, err := sched.Run(context.Background(), g, f.Keys(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]arrow.Record, len(vals))
	for i, v := range vals {
		out[i] = v.(*Part).R
	}
	return out
}

func TestSortByAgainstSliceStable(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(1))
	cases := [][]SortKey{
		{Asc("i")}, {Desc("i")}, {Asc("f")}, {Desc("f")}, {Asc("s")}, {Desc("s")},
		{Asc("b")}, {Desc("t")}, {Asc("i"), Desc("s")}, {Desc("b"), Asc("f"), Desc("t")},
		{Asc("s"), Asc("i")}, {Desc("t"), Desc("i")}, {Asc("id")},
	}
	for _, nparts := range []int{1, 3, 12} {
		for _, distinct := range []int{3, 1000} {
			d := newSortData(rng, 1500+rng.Intn(1000), nparts, distinct)
			f := d.frame()
			for _, keys := range cases {
				s := f.SortBy(keys...)
				tab, err := s.Compute(ctx)
				if err != nil {
					t.Fatal(err)
				}
				want := d.refSort(keys)
				got := ids(t, tab)
				if len(got) != len(want) {
					t.Fatalf("%v: %d rows, want %d", keys, len(got), len(want))
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("nparts=%d distinct=%d keys=%v: row %d is id %d, want %d", nparts, distinct, keys, i, got[i], want[i])
					}
				}
				if s.NPartitions() != nparts {
					t.Fatalf("%d output partitions, want %d", s.NPartitions(), nparts)
				}
			}
		}
	}
}

func TestSortValuesLoopbackAndMemoryLimit(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(2))
	d := newSortData(rng, 4000, 9, 50)
	s := d.frame().SortValues(true, "f", "s")
	want := d.refSort([]SortKey{Desc("f"), Desc("s")})
	for name, o := range map[string][]sched.Option{
		"loopback": {sched.WithExecutor(sched.NewLoopback())},
		"memlimit": {sched.WithMemoryLimit(1), sched.WithSpillDir(t.TempDir())},
		"workers1": {sched.WithWorkers(1)},
	} {
		tab, err := s.Compute(ctx, o...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := ids(t, tab)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: row %d is id %d, want %d", name, i, got[i], want[i])
			}
		}
	}
}

func TestSortSkewedKeysSpread(t *testing.T) {
	// One key value for every row: ties split by position, still in order.
	n, np := 8000, 8
	ks := make([]int64, n)
	idv := make([]int64, n)
	for i := range idv {
		idv[i] = int64(i)
		if i%10 == 0 {
			ks[i] = 1
		}
	}
	f := FromColumns(np, Column{"id", idv}, Column{"k", ks})
	parts := partitions(t, f.SortValues(false, "k"))
	if len(parts) != np {
		t.Fatalf("%d partitions", len(parts))
	}
	var all []int64
	var ones []int64
	for j, p := range parts {
		if p.NumRows() > int64(n/2) {
			t.Errorf("partition %d has %d of %d rows: skew not spread", j, p.NumRows(), n)
		}
		c := colOf(p.Column(0))
		k := colOf(p.Column(1))
		for i := 0; i < c.n; i++ {
			all = append(all, c.i64[i])
			if k.i64[i] == 1 {
				ones = append(ones, c.i64[i])
			}
		}
	}
	if len(all) != n {
		t.Fatalf("%d rows", len(all))
	}
	for i := 0; i < n-n/10; i++ {
		if want := int64(i + i/9 + 1); all[i] != want {
			t.Fatalf("row %d: id %d, want %d (stable zeros first)", i, all[i], want)
		}
	}
	for i, id := range ones {
		if id != int64(10*i) {
			t.Fatalf("ones out of order at %d: %d", i, id)
		}
	}
}

func TestSortPlanAndErrors(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	d := newSortData(rng, 300, 4, 10)
	f := d.frame()
	s := f.SortBy(Asc("i"), Desc("s"))
	ops := map[string]int{}
	g, err := s.Graph()
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range g.Tasks() {
		ops[tk.Op.Name()]++
	}
	if ops["frame.sample"] != 4 || ops["frame.bounds"] != 1 || ops["frame.rangesplit"] != 4 || ops["frame.sortpiece"] != 4 {
		t.Errorf("tasks by op: %v", ops)
	}
	if e := s.Explain(); !strings.Contains(e, "sort by [i, s desc]") {
		t.Errorf("explain:\n%s", e)
	}
	for _, bad := range []struct {
		f    *Frame
		want string
	}{
		{f.SortValues(false, "nope"), `unknown column "nope"; the columns are`},
		{f.SortBy(), "no sort keys"},
		{f.SortValues(false), "no sort keys"},
		{f.SortBy(Asc("i"), Asc("zz")), `SortBy: unknown column "zz"`},
		{f.SortValues(false, "nope").Filter(Col("i").Gt(Lit(1))), "nope"},
	} {
		if bad.f.Err() == nil || !strings.Contains(bad.f.Err().Error(), bad.want) {
			t.Errorf("err %v, want %q", bad.f.Err(), bad.want)
		}
		if _, err := bad.f.Compute(context.Background()); err == nil {
			t.Error("Compute of a bad sort succeeded")
		}
	}
	// A column type no kernel sorts (kept by a map function's schema).
	odd := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int8}}, nil)
	if _, err := checkSortKeys(odd, []SortKey{Asc("x")}); err == nil || !strings.Contains(err.Error(), `cannot sort by column "x" of type int8`) {
		t.Errorf("unsortable: %v", err)
	}
}

func TestSortPermMatchesComparator(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	kinds := [][]kind{{kInt}, {kFloat}, {kBool}, {kStr}, {kStr, kInt}, {kBool, kStr, kFloat}, {kInt, kInt}}
	for _, n := range []int{1, 5, 300, 5000} {
		for _, ks := range kinds {
			spread := int64(1 + rng.Intn(3000))
			if rng.Intn(3) == 0 {
				spread = 0 // long strings, full-range integers
			}
			r := keyRecord(rng, n, ks, true, spread)
			var names []string
			for j := range ks {
				names = append(names, fmt.Sprintf("k%d", j))
			}
			cs, err := sortKeyCols(r, names)
			if err != nil {
				t.Fatal(err)
			}
			for _, d0 := range []bool{false, true} {
				desc := make([]bool, len(ks))
				for j := range desc {
					desc[j] = d0 != (j%2 == 1)
				}
				got := sortPerm(cs, desc, n)
				want := make([]int32, n)
				for i := range want {
					want[i] = int32(i)
				}
				sort.SliceStable(want, func(a, b int) bool {
					return cmpRows(cs, int(want[a]), cs, int(want[b]), desc) < 0
				})
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("n=%d kinds=%v desc=%v: at %d got row %d, want %d", n, ks, desc, i, got[i], want[i])
					}
				}
			}
		}
	}
}

func TestSortTaskErrorsWrap(t *testing.T) {
	f := FromColumns(3, Column{"x", []int64{3, 1, 2, 5, 4, 0}})
	// A map function that lies about its schema fails its task with an
	// error naming the declared column (the record is checked).
	f = f.MapPartitions("sorttest.drop", nil)
	_, err := f.SortValues(false, "x").Compute(context.Background())
	var te *sched.TaskError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), `declared "x" int64`) {
		t.Fatalf("error %v", err)
	}
}

func init() {
	RegisterMap("sorttest.drop", func(_ context.Context, r arrow.Record) (arrow.Record, error) {
		return array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "y", Type: Int64}}, nil), []arrow.Array{r.Column(0)}, r.NumRows()), nil
	})
}

var _ = graph.Key("")

func TestSortSamplesReadOnlyKeysOrShareShuffles(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(7))
	d := newSortData(rng, 3000, 5, 200)
	dir := t.TempDir() + "/d.parquet"
	if err := d.frame().WriteParquet(ctx, dir, "snappy"); err != nil {
		t.Fatal(err)
	}
	f := ReadParquet(dir)
	s := f.SortBy(Desc("t"), Asc("s"))
	tab, err := s.Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "parquet sort", ids(t, tab), d.refSort([]SortKey{Desc("t"), Asc("s")}))
	// The samples read the key columns alone: no sample task depends on a
	// partition the splits read.
	g, _ := s.Graph()
	split := map[graph.Key]bool{}
	for _, tk := range g.Tasks() {
		if tk.Op.Name() == "frame.rangesplit" {
			split[tk.Deps[0]] = true
		}
	}
	for _, tk := range g.Tasks() {
		if tk.Op.Name() == "frame.sample" && split[tk.Deps[0]] {
			t.Fatalf("sample task reads the full partition %s", tk.Deps[0])
		}
	}
	// After a shuffle the samples read the shuffled partitions.
	agg := d.frame().GroupBy("i").SplitOut(3).Agg(Col("id").Min().Alias("id"))
	tab, err = agg.SortValues(false, "id").Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := ids(t, tab)
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("not sorted at %d: %v", i, got[i-1:i+1])
		}
	}
	ref, err := agg.Compute(ctx)
	if err != nil || ref.NumRows() != len(got) {
		t.Fatalf("%d rows, want %d (%v)", len(got), ref.NumRows(), err)
	}
}

// BenchmarkSortRecord sorts a db-benchmark-like partition (three short
// string columns, five integers, one float) by its float column.
func BenchmarkSortRecord(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	n := 1 << 20
	var arrs []arrow.Array
	var fields []arrow.Field
	for c := 0; c < 3; c++ {
		sb := newStrBuilder(n)
		for i := 0; i < n; i++ {
			sb.add([]byte("id" + strings.Repeat("0", c*4) + string(rune('a'+rng.Intn(26)))))
		}
		arrs = append(arrs, sb.array())
	}
	for c := 0; c < 5; c++ {
		v := make([]int64, n)
		for i := range v {
			v[i] = rng.Int63n(1000)
		}
		arrs = append(arrs, int64Array(v, nil))
	}
	f := make([]float64, n)
	for i := range f {
		f[i] = rng.Float64() * 100
	}
	arrs = append(arrs, float64Array(f, nil))
	for i, a := range arrs {
		fields = append(fields, arrow.Field{Name: string(rune('a' + i)), Type: a.DataType()})
	}
	r := array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(n))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := sortRecordBy(r, []string{"i"}, []bool{false}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSortPermStrings sorts a million short strings (the comparator
// path).
func BenchmarkSortPermStrings(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	n := 1 << 20
	sb := newStrBuilder(n)
	for i := 0; i < n; i++ {
		sb.add([]byte(fmt.Sprintf("id%010d", rng.Intn(n/100))))
	}
	cs := []col{colOf(sb.array())}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sortPerm(cs, []bool{false}, n)
	}
}

func TestSortStringsZeroBytesAndLongPrefixes(t *testing.T) {
	vals := []string{"a\x00", "a", "pre-long-shared-zz", "a\x00\x00b", "", "pre-long-shared-a", "a\x00", "pre-long-shared-zz9", "b"}
	sb := newStrBuilder(len(vals))
	for _, v := range vals {
		sb.add([]byte(v))
	}
	cs := []col{colOf(sb.array())}
	for _, desc := range []bool{false, true} {
		got := sortPerm(cs, []bool{desc}, len(vals))
		want := make([]int, len(vals))
		for i := range want {
			want[i] = i
		}
		sort.SliceStable(want, func(a, b int) bool {
			c := strings.Compare(vals[want[a]], vals[want[b]])
			return (c < 0 && !desc) || (c > 0 && desc)
		})
		for i := range want {
			if int(got[i]) != want[i] {
				t.Fatalf("desc=%v: at %d got %q, want %q", desc, i, vals[got[i]], vals[want[i]])
			}
		}
	}
}
