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
)

// lrow is a row of the Limit tests: a (nullable int), b (float with NaN and
// nulls), c (string, unicode), i (the row's position in the frame).
type lrow struct {
	a    *int64
	b    *float64
	c    string
	i    int64
	part int
}

// limitFrame is rows cut into partitions of the given sizes (0: empty).
func limitFrame(t *testing.T, rows []lrow, sizes []int) *Frame {
	t.Helper()
	sch := arrow.NewSchema([]arrow.Field{{Name: "a", Type: Int64, Nullable: true}, {Name: "b", Type: Float64, Nullable: true},
		{Name: "c", Type: String, Nullable: true}, {Name: "i", Type: Int64, Nullable: true}}, nil)
	var recs []arrow.Record
	at := 0
	for _, n := range sizes {
		a, av := make([]int64, n), make([]bool, n)
		b, bv := make([]float64, n), make([]bool, n)
		sb := newStrBuilder(n)
		ix := make([]int64, n)
		for j := 0; j < n; j++ {
			r := rows[at+j]
			if r.a != nil {
				a[j], av[j] = *r.a, true
			}
			if r.b != nil {
				b[j], bv[j] = *r.b, true
			}
			sb.add([]byte(r.c))
			ix[j] = r.i
		}
		recs = append(recs, array.NewRecord(sch, []arrow.Array{int64Array(a, av), float64Array(b, bv), sb.array(), int64Array(ix, nil)}, int64(n)))
		at += n
	}
	f := FromRecords(recs...)
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	return f
}

func randLRows(r *rand.Rand, n int) []lrow {
	out := make([]lrow, n)
	for i := range out {
		out[i].i = int64(i)
		if r.Intn(8) > 0 {
			v := int64(r.Intn(6)) - 2
			if r.Intn(30) == 0 {
				v = math.MaxInt64 - int64(r.Intn(2))
			}
			if r.Intn(30) == 0 {
				v = math.MinInt64
			}
			out[i].a = &v
		}
		switch r.Intn(10) {
		case 0:
		case 1:
			v := math.NaN()
			out[i].b = &v
		default:
			v := float64(r.Intn(7)) / 2
			out[i].b = &v
		}
		out[i].c = []string{"é", "a", "ab", "", "ß", "Z"}[r.Intn(6)]
	}
	return out
}

// naiveSortedRows sorts rows stably by the keys (nulls and NaN last in
// either direction), the reference for SortBy and SortBy(...).Limit.
func naiveSortedRows(rows []lrow, keys []SortKey) []lrow {
	out := append([]lrow(nil), rows...)
	cmp := func(x, y lrow, k SortKey) int {
		var na, nb bool
		var c int
		switch k.Col {
		case "a":
			na, nb = x.a == nil, y.a == nil
			if !na && !nb {
				c = cmpInt(*x.a, *y.a)
			}
		case "b":
			na, nb = x.b == nil || *x.b != *x.b, y.b == nil || *y.b != *y.b
			if !na && !nb {
				c = cmpOrd(*x.b, *y.b)
			}
		case "c":
			c = strings.Compare(x.c, y.c)
		}
		switch {
		case na && nb:
			return 0
		case na:
			return 1
		case nb:
			return -1
		}
		if k.Desc {
			return -c
		}
		return c
	}
	sort.SliceStable(out, func(i, j int) bool {
		for _, k := range keys {
			if c := cmp(out[i], out[j], k); c != 0 {
				return c < 0
			}
		}
		return false
	})
	return out
}

func positions(t *testing.T, tab *Table) []int64 {
	t.Helper()
	var out []int64
	for i := 0; i < tab.NumRows(); i++ {
		out = append(out, tab.Value(i, "i").(int64))
	}
	return out
}

func rowPositions(rows []lrow) []int64 {
	out := []int64{}
	for _, r := range rows {
		out = append(out, r.i)
	}
	return out
}

// Issue #11: Limit is a lazy plan node; after SortBy it is a per-partition
// top-n then a merge (no range shuffle), with SortBy's order, ties and
// null placement.
func TestLimitAndSortedTopN(t *testing.T) {
	ctx := context.Background()
	for seed := int64(0); seed < 4; seed++ {
		r := rand.New(rand.NewSource(seed))
		rows := randLRows(r, 400)
		sizes := []int{0, 150, 7, 0, 200, 43}
		f := limitFrame(t, rows, sizes)
		for _, n := range []int{0, 1, 5, 149, 160, 400, 1000} {
			// Limit without a sort: the first n rows in frame order.
			got := compute(t, f.Limit(n))
			want := rowPositions(rows[:min(n, len(rows))])
			if fmt.Sprint(positions(t, got)) != fmt.Sprint(want) {
				t.Fatalf("seed %d Limit(%d): got %v, want %v", seed, n, positions(t, got), want)
			}
			for _, keys := range [][]SortKey{{Asc("a")}, {Desc("b")}, {Asc("a"), Desc("b")}, {Desc("c"), Asc("b"), Desc("a")}} {
				q := f.SortBy(keys...).Limit(n)
				if c := countOps(t, q, "frame.rangesplit"); c != 0 {
					t.Fatalf("SortBy(%v).Limit(%d) range-shuffles (%d splits):\n%s", keys, n, c, q.Explain())
				}
				want := rowPositions(naiveSortedRows(rows, keys)[:min(n, len(rows))])
				for name, o := range execs(t) {
					got := compute(t, q, o...)
					if fmt.Sprint(positions(t, got)) != fmt.Sprint(want) {
						t.Fatalf("seed %d %s SortBy(%v).Limit(%d): got %v, want %v", seed, name, keys, n, positions(t, got), want)
					}
				}
				// Through a projection, and Head of the sorted frame.
				p := compute(t, f.SortBy(keys...).SelectCols("i", "c").Limit(n))
				if fmt.Sprint(positions(t, p)) != fmt.Sprint(want) || len(p.Columns()) != 2 {
					t.Fatalf("SortBy(%v).SelectCols.Limit(%d): got %v, want %v", keys, n, positions(t, p), want)
				}
				h, err := f.SortBy(keys...).Head(ctx, n)
				if err != nil || fmt.Sprint(positions(t, h)) != fmt.Sprint(want) {
					t.Fatalf("SortBy(%v).Head(%d): got %v (%v), want %v", keys, n, positions(t, h), err, want)
				}
			}
		}
	}
	f := limitFrame(t, randLRows(rand.New(rand.NewSource(9)), 50), []int{20, 30})
	if ex := f.SortBy(Asc("a"), Desc("b")).Limit(10).Explain(); !strings.Contains(ex, "limit 10: top-n by [a, b desc]") {
		t.Fatalf("Explain:\n%s", ex)
	}
}

// Issue #11 defect: Head re-ran the whole query once per partition. Now a
// frame that is not partition-local (here a groupby) is computed once, and
// a partition-local Limit computes only the partitions it needs.
func TestHeadAndLimitComputeOnce(t *testing.T) {
	ctx := context.Background()
	xs := make([]int64, 1000)
	for i := range xs {
		xs[i] = int64(i % 97)
	}
	src := FromColumns(10, Column{"x", xs}).MapPartitions("frame_test.count", nil)
	g := src.GroupBy("x").Agg(Col("x").Count().Alias("n")).SortBy(Desc("n"), Asc("x"))
	countParts.Store(0)
	h, err := g.Head(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := countParts.Load(); got != 10 {
		t.Fatalf("Head of a sorted groupby computed %d source partitions, want 10 (once each)", got)
	}
	// 1000 rows over 97 keys: keys 0..30 occur 11 times, the rest 10.
	if h.NumRows() != 3 || h.Value(0, "x") != int64(0) || h.Value(2, "x") != int64(2) || h.Value(0, "n") != int64(11) {
		t.Fatalf("Head:\n%s", h)
	}
	countParts.Store(0)
	tab := compute(t, src.Limit(150))
	if got := countParts.Load(); got != 2 || tab.NumRows() != 150 {
		t.Fatalf("Limit(150) over 100-row partitions computed %d partitions, %d rows", got, tab.NumRows())
	}
}

func TestLimitBadInput(t *testing.T) {
	f := FromColumns(2, Column{"x", []int64{1, 2, 3}})
	if e := f.Limit(-1).Err(); e == nil || !strings.Contains(e.Error(), "Limit(-1)") {
		t.Fatalf("Limit(-1): %v", e)
	}
	if _, e := f.Head(context.Background(), -2); e == nil || !strings.Contains(e.Error(), "Head(-2)") {
		t.Fatalf("Head(-2): %v", e)
	}
	if e := f.SortBy(Asc("x"), Desc("nope")).Limit(3).Err(); e == nil || !strings.Contains(e.Error(), `SortBy: unknown column "nope"`) {
		t.Fatalf("SortBy on a missing column: %v", e)
	}
	// Limit(0) keeps the columns.
	tab := compute(t, f.Limit(0))
	if tab.NumRows() != 0 || fmt.Sprint(tab.Columns()) != "[x]" {
		t.Fatalf("Limit(0): %v", tab)
	}
}
