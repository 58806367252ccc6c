package frame

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"
)

// TestScalarOfAgainstNaive filters and computes with scalar subqueries (a
// mean, a max of a filtered frame) on random rows against a loop.
func TestScalarOfAgainstNaive(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewSource(9))
	rows := randKRows(r, 300, 20)
	f := FromStructs(4, rows)
	avg := f.Agg(Col("v").Mean().Alias("m"))
	top := f.Filter(Col("i").Lt(Lit(5))).Agg(Col("v").Max().Alias("mx"))
	q := f.Filter(Col("v").Gt(ScalarOf(avg, "m"))).
		WithColumn("rel", Col("v").Div(ScalarOf(top, "mx"))).
		Select(Col("v"), Col("rel"), Col("v").Sub(ScalarOf(avg, "m")).Alias("d"))
	tab, err := q.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum, mx := 0.0, math.Inf(-1)
	for _, x := range rows {
		sum += x.V
		if x.I != nil && *x.I < 5 {
			mx = math.Max(mx, x.V)
		}
	}
	m := sum / float64(len(rows))
	var want []float64
	for _, x := range rows {
		if x.V > m {
			want = append(want, x.V)
		}
	}
	if tab.NumRows() != len(want) || len(want) == 0 {
		t.Fatalf("%d rows, want %d", tab.NumRows(), len(want))
	}
	if got := tab.Columns(); strings.Join(got, ",") != "v,rel,d" {
		t.Fatalf("columns %v: the scalar columns must not show", got)
	}
	for i, v := range want {
		if g := tab.Value(i, "v").(float64); g != v {
			t.Fatalf("row %d: v %v, want %v", i, g, v)
		}
		if g := tab.Value(i, "rel").(float64); math.Abs(g-v/mx) > 1e-12 {
			t.Fatalf("row %d: rel %v, want %v", i, g, v/mx)
		}
		if g := tab.Value(i, "d").(float64); math.Abs(g-(v-m)) > 1e-9 {
			t.Fatalf("row %d: d %v, want %v", i, g, v-m)
		}
	}
}

func TestScalarOfEdges(t *testing.T) {
	ctx := context.Background()
	f := FromColumns(2, Column{"a", []int64{1, 2, 3, 4}})
	// No rows: null, as SQL's scalar subquery; comparisons with it are false.
	none := f.Filter(Col("a").Gt(Lit(10))).Agg(Col("a").Max().Alias("m"))
	tab, err := f.WithColumn("s", ScalarOf(none, "m")).Filter(Col("a").Gt(ScalarOf(none, "m")).Not().Or(Col("s").IsNull())).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tab.NumRows() != 4 || tab.Value(0, "s") != nil {
		t.Fatalf("empty scalar: %d rows, s=%v; want 4 rows, s null", tab.NumRows(), tab.Value(0, "s"))
	}
	// Several rows: an error naming the column and the count.
	_, err = f.Filter(Col("a").Gt(ScalarOf(f, "a"))).Compute(ctx)
	if err == nil || !strings.Contains(err.Error(), `ScalarOf("a")`) || !strings.Contains(err.Error(), "4 rows") {
		t.Fatalf("several rows: error %v", err)
	}
	if err := f.Filter(Col("a").Gt(ScalarOf(f, "b"))).Err(); err == nil || !strings.Contains(err.Error(), `no column "b"`) {
		t.Fatalf("unknown column: error %v", err)
	}
	if err := f.Filter(Col("a").Gt(ScalarOf(nil, "b"))).Err(); err == nil || !strings.Contains(err.Error(), "nil frame") {
		t.Fatalf("nil frame: error %v", err)
	}
}

// TestCrossJoinAgainstNaive: every pair, in left order then right order,
// over uneven partitions of both sides.
func TestCrossJoinAgainstNaive(t *testing.T) {
	ctx := context.Background()
	l := FromColumns(3, Column{"a", []int64{1, 2, 3, 4, 5}}, Column{"s", []string{"x", "y", "z", "é", ""}})
	r := FromColumns(2, Column{"b", []int64{10, 20, 30}}, Column{"s", []string{"p", "q", "r"}})
	tab, err := l.CrossJoin(r).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for i := 0; i < tab.NumRows(); i++ {
		got = append(got, strings.Join([]string{str(tab.Value(i, "a")), str(tab.Value(i, "s_x")), str(tab.Value(i, "b")), str(tab.Value(i, "s_y"))}, "|"))
	}
	ls, rs := []string{"x", "y", "z", "é", ""}, []string{"p", "q", "r"}
	for i, a := range []int64{1, 2, 3, 4, 5} {
		for j, b := range []int64{10, 20, 30} {
			want = append(want, strings.Join([]string{str(a), ls[i], str(b), rs[j]}, "|"))
		}
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") || strings.Join(tab.Columns(), ",") != "a,s_x,b,s_y" {
		t.Fatalf("cross join %v:\n%v\nwant\n%v", tab.Columns(), got, want)
	}
	empty, err := l.CrossJoin(r.Filter(Col("b").Gt(Lit(100)))).Len(ctx)
	if err != nil || empty != 0 {
		t.Fatalf("cross join with an empty side: %d rows, %v", empty, err)
	}
	if err := l.CrossJoin(nil).Err(); err == nil || !strings.Contains(err.Error(), "CrossJoin") {
		t.Fatalf("nil right: %v", err)
	}
}

// TestCountStar: Count() counts rows, nulls included, per group and overall;
// an empty frame counts 0.
func TestCountStar(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewSource(2))
	rows := randKRows(r, 200, 4)
	tab, err := FromStructs(3, rows).GroupBy("i").Agg(Count().Alias("n"), Col("s").Count().Alias("ns")).SortBy(Asc("i")).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, ns := map[any]int64{}, map[any]int64{}
	for _, x := range rows {
		n[x.cell("i")]++
		if x.S != nil {
			ns[x.cell("i")]++
		}
	}
	if tab.NumRows() != len(n) {
		t.Fatalf("%d groups, want %d", tab.NumRows(), len(n))
	}
	for i := 0; i < tab.NumRows(); i++ {
		k := tab.Value(i, "i")
		if tab.Value(i, "n") != n[k] || tab.Value(i, "ns") != ns[k] {
			t.Fatalf("group %v: count %v / %v, want %d / %d", k, tab.Value(i, "n"), tab.Value(i, "ns"), n[k], ns[k])
		}
	}
	tab, err = FromStructs(2, rows).Filter(Col("v").Gt(Lit(1e9))).Agg(Count().Alias("n")).Compute(ctx)
	if err != nil || tab.NumRows() != 1 || tab.Value(0, "n") != int64(0) {
		t.Fatalf("count of nothing: %v, %v", tab, err)
	}
}

func str(v any) string { return fmt.Sprint(v) }

// TestEmptyAggregations pins what each aggregation gives over no rows (and
// over a group of only nulls), pandas' rules, and MinCount.
func TestEmptyAggregations(t *testing.T) {
	ctx := context.Background()
	f := FromColumns(2, Column{"g", []int64{1, 1, 2, 2}}, Column{"v", []float64{1, 2, 3, 4}}, Column{"i", []int64{5, 6, 7, 8}})
	none := f.Filter(Col("v").Gt(Lit(100.0)))
	tab, err := none.Agg(Col("v").Sum().Alias("sum"), Col("i").Sum().Alias("isum"), Col("v").Count().Alias("count"), Count().Alias("size"),
		Col("v").Mean().Alias("mean"), Col("v").Min().Alias("min"), Col("v").Max().Alias("max"),
		Col("v").Sum().MinCount(1).Alias("sum1"), Col("i").Sum().MinCount(1).Alias("isum1")).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"sum": 0.0, "isum": int64(0), "count": int64(0), "size": int64(0), "sum1": nil, "isum1": nil}
	for c, w := range want {
		if g := tab.Value(0, c); g != w {
			t.Errorf("%s over no rows: %v (%T), want %v", c, g, g, w)
		}
	}
	for _, c := range []string{"mean", "min", "max"} {
		if g := tab.Value(0, c); g != nil {
			t.Errorf("%s over no rows: %v, want null", c, g)
		}
	}
	// Per group: MinCount(2) keeps the sums of groups with two values.
	tab, err = f.Filter(Col("v").Ne(Lit(4.0))).GroupBy("g").Agg(Col("v").Sum().MinCount(2).Alias("s")).SortBy(Asc("g")).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tab.NumRows() != 2 || tab.Value(0, "s") != 3.0 || tab.Value(1, "s") != nil {
		t.Fatalf("MinCount(2) per group: %v", tab)
	}
	if err := f.Agg(Col("v").MinCount(1)).Err(); err == nil || !strings.Contains(err.Error(), "MinCount applies to one aggregation") {
		t.Fatalf("MinCount of a column: %v", err)
	}
}
