package frame

import (
	"context"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/sched"
)

// opsIn counts f's graph tasks by op name.
func opsIn(t *testing.T, f *Frame) map[string]int {
	t.Helper()
	g, err := f.Graph()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, tk := range g.Tasks() {
		out[tk.Op.Name()]++
	}
	return out
}

// inRange is the reference for LocRange: lo <= v <= hi, nil bounds open,
// NA never.
func inRange(v, lo, hi any) bool {
	if refNA(v) {
		return false
	}
	if lo != nil && refCmp(v, lo) < 0 {
		return false
	}
	return hi == nil || refCmp(v, hi) <= 0
}

func TestSetIndexDivisionsAndLocRange(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(5))
	d := newSortData(rng, 3000, 10, 400)
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		col    string
		ci     int
		bounds [][2]any
	}{
		{"i", 1, [][2]any{{int64(-10), int64(10)}, {nil, int64(-150)}, {int64(150), nil}, {int64(7), int64(7)}, {nil, nil}, {int64(500), int64(600)}}},
		{"f", 2, [][2]any{{10.0, 20.5}, {nil, 3.0}, {90.0, nil}}},
		{"s", 3, [][2]any{{"a", "ab"}, {"b", nil}, {nil, ""}}},
		{"t", 5, [][2]any{{base.Add(10 * time.Hour), base.Add(30 * time.Hour)}, {"2020-01-10", nil}}},
	} {
		x, err := d.frame().SetIndex(ctx, tc.col, sched.WithExecutor(sched.NewLoopback()))
		if err != nil {
			t.Fatal(err)
		}
		if x.Index() != tc.col {
			t.Fatalf("index %q", x.Index())
		}
		divs := x.Divisions()
		if len(divs) != x.NPartitions()+1 || x.NPartitions() != 10 {
			t.Fatalf("%s: %d divisions for %d partitions", tc.col, len(divs), x.NPartitions())
		}
		// Every partition's values lie within its divisions.
		parts := partitions(t, x)
		tabs := make([]*Table, len(parts))
		for j, p := range parts {
			tabs[j] = &Table{rec: p}
			for r := 0; r < int(p.NumRows()); r++ {
				v := tabs[j].Value(r, tc.col)
				if refNA(v) {
					continue
				}
				hi := divs[j+1]
				if hi == nil {
					hi = divs[len(divs)-1]
				}
				if divs[j] == nil || refCmp(v, divs[j]) < 0 || refCmp(v, hi) > 0 {
					t.Fatalf("%s: partition %d holds %v outside [%v, %v]", tc.col, j, v, divs[j], hi)
				}
			}
		}
		for _, b := range tc.bounds {
			sel := x.LocRange(b[0], b[1])
			if sel.Err() != nil {
				t.Fatal(sel.Err())
			}
			if sel.Divisions() == nil || sel.Index() != tc.col {
				t.Fatalf("LocRange lost the index")
			}
			tab, err := sel.Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			lo, hi := b[0], b[1]
			if s, ok := lo.(string); ok && tc.col == "t" {
				tm, _ := time.Parse("2006-01-02", s)
				lo = tm
			}
			var want []int64
			for _, id := range d.refSort([]SortKey{Asc(tc.col)}) {
				if inRange(d.rows[id][tc.ci], lo, hi) {
					want = append(want, id)
				}
			}
			got := ids(t, tab)
			if len(got) != len(want) {
				t.Fatalf("%s LocRange(%v, %v): %d rows, want %d", tc.col, b[0], b[1], len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s LocRange(%v, %v): row %d id %d, want %d", tc.col, b[0], b[1], i, got[i], want[i])
				}
			}
			// Only the kept partitions' sort tasks are in the graph.
			if n := opsIn(t, sel)["frame.sortpiece"]; n != sel.NPartitions() {
				t.Fatalf("%d sort tasks for %d partitions", n, sel.NPartitions())
			}
		}
	}
}

func TestLocRangeReadsOnlyNeededPartitions(t *testing.T) {
	ctx := context.Background()
	n := 10000
	v := make([]int64, n)
	id := make([]int64, n)
	for i := range v {
		id[i] = int64(i)
		v[i] = int64((i * 7919) % n) // a permutation of 0..n-1
	}
	x, err := FromColumns(10, Column{"id", id}, Column{"v", v}).SetIndex(ctx, "v")
	if err != nil {
		t.Fatal(err)
	}
	sel := x.LocRange(4000, 4999)
	if k := sel.NPartitions(); k < 1 || k > 3 {
		t.Fatalf("LocRange over a tenth of the values keeps %d of 10 partitions", k)
	}
	if got := opsIn(t, sel)["frame.sortpiece"]; got != sel.NPartitions() {
		t.Fatalf("%d sort tasks in the graph", got)
	}
	for _, o := range [][]sched.Option{nil, {sched.WithExecutor(sched.NewLoopback())}, {sched.WithMemoryLimit(1), sched.WithSpillDir(t.TempDir())}} {
		tab, err := sel.Compute(ctx, o...)
		if err != nil {
			t.Fatal(err)
		}
		if tab.NumRows() != 1000 || tab.Value(0, "v") != int64(4000) || tab.Value(999, "v") != int64(4999) {
			t.Fatalf("rows %d first %v last %v", tab.NumRows(), tab.Value(0, "v"), tab.Value(999, "v"))
		}
	}
	// Persisted: the selection reads only the kept persisted partitions.
	p, err := x.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Divisions()) != 11 {
		t.Fatalf("persist dropped the divisions")
	}
	ps := p.LocRange(4000, 4999)
	if got := opsIn(t, ps)["graph.const"]; got != ps.NPartitions() || got > 3 {
		t.Fatalf("%d persisted partitions in the graph, %d kept", got, ps.NPartitions())
	}
	tab2, err := ps.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tab2.NumRows() != 1000 {
		t.Fatalf("%d rows", tab2.NumRows())
	}
	// Nothing in range: no partitions.
	if e := p.LocRange(20000, nil); e.NPartitions() != 0 {
		t.Fatalf("%d partitions for an empty range", e.NPartitions())
	} else if tab, err := e.Compute(ctx); err != nil || tab.NumRows() != 0 {
		t.Fatalf("empty range: %v %v", tab, err)
	} else if tab, err := e.SortValues(true, "id").Repartition(1).Compute(ctx); err != nil || tab.NumRows() != 0 {
		t.Fatalf("sorting no partitions: %v %v", tab, err)
	}
}

func TestIndexKeptOrDropped(t *testing.T) {
	ctx := context.Background()
	f := FromColumns(4, Column{"k", []int64{5, 3, 9, 1, 7, 2, 8, 6}}, Column{"v", []float64{1, 2, 3, 4, 5, 6, 7, 8}})
	x, err := f.SetIndex(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	for name, g := range map[string]*Frame{
		"filter":     x.Filter(Col("v").Gt(Lit(2))),
		"withcolumn": x.WithColumn("w", Col("v").Mul(Lit(2))),
		"select":     x.SelectCols("v", "k"),
	} {
		if g.Index() != "k" || len(g.Divisions()) != 5 {
			t.Errorf("%s dropped the index", name)
		}
	}
	for name, g := range map[string]*Frame{
		"select-other": x.SelectCols("v"),
		"rename":       x.Rename(map[string]string{"k": "kk"}),
		"groupby":      x.GroupBy("k").Sum("v"),
		"sort":         x.SortValues(false, "v"),
		"replace":      x.WithColumn("k", Col("k").Add(Lit(1))),
	} {
		if g.Divisions() != nil {
			t.Errorf("%s kept the divisions", name)
		}
	}
	if s := x.String(); !strings.Contains(s, "index=k divisions=[1, ") || !strings.Contains(s, ", 9]") {
		t.Errorf("String:\n%s", s)
	}
	if e := x.LocRange(2, 6).Explain(); !strings.Contains(e, "divisions=") || !strings.Contains(e, "partitions [") {
		t.Errorf("Explain:\n%s", e)
	}
	// Errors.
	if _, err := f.SetIndex(ctx, "nope"); err == nil || !strings.Contains(err.Error(), `unknown column "nope"`) {
		t.Errorf("SetIndex(nope): %v", err)
	}
	if e := f.LocRange(1, 2).Err(); e == nil || !strings.Contains(e.Error(), "no index") {
		t.Errorf("LocRange without index: %v", e)
	}
	if e := x.LocRange("a", nil).Err(); e == nil || !strings.Contains(e.Error(), `bound a (string) does not compare with a int64 index`) {
		t.Errorf("LocRange bad bound: %v", e)
	}
}

func TestSetSortedIndex(t *testing.T) {
	ctx := context.Background()
	// Sorted values with duplicates across partition ends, nulls at the
	// end, and empty partitions.
	vals := []int64{}
	for i := 0; i < 400; i++ {
		vals = append(vals, int64(i/3))
	}
	var recs []arrow.Record
	cuts := []int{0, 0, 50, 50, 150, 151, 300, 400}
	for p := 0; p+1 < len(cuts); p++ {
		part := vals[cuts[p]:cuts[p+1]]
		ids := make([]int64, len(part))
		for i := range ids {
			ids[i] = int64(cuts[p] + i)
		}
		recs = append(recs, array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "id", Type: Int64}, {Name: "k", Type: Int64, Nullable: true}}, nil),
			[]arrow.Array{int64Array(ids, nil), int64Array(part, nil)}, int64(len(part))))
	}
	// A trailing partition of nulls.
	recs = append(recs, array.NewRecord(recs[0].Schema(), []arrow.Array{int64Array([]int64{400, 401}, nil), int64Array([]int64{0, 0}, []bool{false, false})}, 2))
	f := FromRecords(recs...)
	x, err := f.SetSortedIndex(ctx, "k", sched.WithExecutor(sched.NewLoopback()))
	if err != nil {
		t.Fatal(err)
	}
	want := []any{int64(0), int64(0), int64(16), int64(16), int64(50), int64(50), int64(100), nil, int64(133)}
	got := x.Divisions()
	if len(got) != len(want) {
		t.Fatalf("divisions %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("divisions %v, want %v", got, want)
		}
	}
	for _, b := range [][2]any{{int64(16), int64(16)}, {nil, int64(20)}, {int64(49), int64(50)}, {int64(120), nil}, {nil, nil}} {
		sel := x.LocRange(b[0], b[1])
		tab, err := sel.Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var wantIDs []int64
		for i, v := range vals {
			if inRange(v, b[0], b[1]) {
				wantIDs = append(wantIDs, int64(i))
			}
		}
		sameIDs(t, "sorted index", ids(t, tab), wantIDs)
	}
	// Parquet written sorted: a range reads only its row groups.
	dir := t.TempDir() + "/s.parquet"
	if err := FromColumns(8, Column{"id", seq(8000)}, Column{"v", seq(8000)}).WriteParquet(ctx, dir, "snappy"); err != nil {
		t.Fatal(err)
	}
	p, err := ReadParquet(dir).SetSortedIndex(ctx, "id")
	if err != nil {
		t.Fatal(err)
	}
	sel := p.LocRange(2500, 3100)
	if reads := opsIn(t, sel)["frame.pqcol"]; sel.NPartitions() != 2 || reads != 4 {
		t.Fatalf("%d partitions, %d column reads for a range in 2 row groups", sel.NPartitions(), reads)
	}
	tab, err := sel.Compute(ctx)
	if err != nil || tab.NumRows() != 601 {
		t.Fatalf("%v %v", tab, err)
	}
	// Out of order.
	if _, err := FromColumns(2, Column{"k", []int64{1, 2, 4, 3}}).SetSortedIndex(ctx, "k"); err == nil || !strings.Contains(err.Error(), "partition 1 is not sorted") {
		t.Errorf("unsorted: %v", err)
	}
	if _, err := FromColumns(2, Column{"k", []int64{1, 5, 4, 6}}).SetSortedIndex(ctx, "k"); err == nil || !strings.Contains(err.Error(), "partition 1 starts below") {
		t.Errorf("overlap: %v", err)
	}
	if _, err := FromColumns(2, Column{"k", []int64{1, 5}}).SetSortedIndex(ctx, "x"); err == nil || !strings.Contains(err.Error(), `unknown column "x"`) {
		t.Errorf("unknown: %v", err)
	}
}

func TestSetIndexDivisions(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(8))
	d := newSortData(rng, 2000, 6, 400)
	x := d.frame().SetIndexDivisions("i", -100, -50, 0, 0, 50, 100)
	if x.Err() != nil {
		t.Fatal(x.Err())
	}
	if x.NPartitions() != 5 || len(x.Divisions()) != 6 || x.Divisions()[1] != int64(-50) {
		t.Fatalf("%d partitions, divisions %v", x.NPartitions(), x.Divisions())
	}
	// The whole frame, sorted; each partition within its divisions (the
	// ends open: values beyond them sit in the first and last partitions).
	tab, err := x.Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "divisions sort", ids(t, tab), d.refSort([]SortKey{Asc("i")}))
	parts := partitions(t, x)
	div := []int64{-100, -50, 0, 0, 50, 100}
	for j, p := range parts {
		c := colOf(p.Column(1))
		for r := 0; r < c.n; r++ {
			if c.null(r) {
				if j != len(parts)-1 {
					t.Fatalf("null in partition %d", j)
				}
				continue
			}
			v := c.i64[r]
			if (j > 0 && v < div[j]) || (j < len(parts)-1 && v >= div[j+1]) {
				t.Fatalf("partition %d holds %d, divisions %v", j, v, div)
			}
		}
	}
	for _, b := range [][2]any{{-300, -120}, {-10, 10}, {120, nil}, {0, 0}, {nil, nil}} {
		tab, err := x.LocRange(b[0], b[1]).Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		lo, hi := b[0], b[1]
		if v, ok := lo.(int); ok {
			lo = int64(v)
		}
		if v, ok := hi.(int); ok {
			hi = int64(v)
		}
		for _, id := range d.refSort([]SortKey{Asc("i")}) {
			if inRange(d.rows[id][1], lo, hi) {
				want = append(want, id)
			}
		}
		sameIDs(t, "divisions LocRange", ids(t, tab), want)
	}
	if n := x.LocRange(-10, 10).NPartitions(); n != 3 {
		t.Errorf("LocRange(-10, 10) keeps %d partitions", n)
	}
	if x.Repartition(1).Divisions() == nil {
		t.Error("merging dropped the divisions")
	}
	for _, bad := range []struct {
		f    *Frame
		want string
	}{
		{d.frame().SetIndexDivisions("i", 1), "at least two"},
		{d.frame().SetIndexDivisions("i", 5, 1), "divisions decrease at 1"},
		{d.frame().SetIndexDivisions("i", 1, "x"), "division 1: bound x (string)"},
		{d.frame().SetIndexDivisions("i", 1, 2.5), "not an integer"},
		{d.frame().SetIndexDivisions("zz", 1, 2), `unknown column "zz"`},
	} {
		if bad.f.Err() == nil || !strings.Contains(bad.f.Err().Error(), bad.want) {
			t.Errorf("err %v, want %q", bad.f.Err(), bad.want)
		}
	}
	s := d.frame().SetIndexDivisions("s", "a", "b", "zz")
	if tab, err := s.Compute(ctx); err != nil || tab.NumRows() != 2000 {
		t.Fatalf("string divisions: %v", err)
	}
}
