package frame

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
)

// naiveGroupTop is the reference: per group, the non-null rows stably sorted
// by v (desc or asc), the first n; returned as "key|row" strings sorted.
func naiveGroupTop(keys []string, v []int64, null []bool, n int, desc bool) []string {
	groups := map[string][]int{}
	for i, k := range keys {
		if !null[i] {
			groups[k] = append(groups[k], i)
		}
	}
	var out []string
	for k, rows := range groups {
		sort.SliceStable(rows, func(a, b int) bool {
			if desc {
				return v[rows[a]] > v[rows[b]]
			}
			return v[rows[a]] < v[rows[b]]
		})
		if len(rows) > n {
			rows = rows[:n]
		}
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%s|%d", k, r))
		}
	}
	sort.Strings(out)
	return out
}

func TestGroupByNLargestAgainstNaive(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(8))
	for _, tc := range []struct {
		rows, groups, nparts, n, split int
		desc                           bool
	}{
		{2000, 37, 1, 2, 0, true},
		{2000, 37, 9, 2, 0, true},
		{3000, 700, 20, 2, 0, true},
		{3000, 700, 20, 2, 3, false},
		{3000, 700, 12, 1, 0, true},
		{3000, 50, 7, 5, 2, false},
		{1000, 300, 4, 1000, 0, true}, // n beyond every group: sorted fallback
		{500, 10, 3, 0, 0, true},
	} {
		name := fmt.Sprintf("%+v", tc)
		keys := make([]string, tc.rows)
		v := make([]int64, tc.rows)
		null := make([]bool, tc.rows)
		ids := make([]int64, tc.rows)
		for i := range keys {
			keys[i] = fmt.Sprintf("g%d", rng.Intn(tc.groups))
			v[i] = int64(rng.Intn(20)) // many ties
			null[i] = rng.Intn(7) == 0
			ids[i] = int64(i)
		}
		f := FromColumns(tc.nparts, Column{"k", keys}, Column{"v0", v}, Column{"id", ids}, Column{"isnull", null})
		f = f.WithColumn("v", When(Col("isnull")).Then(Lit(nil)).Otherwise(Col("v0"))).SelectCols("k", "v", "id")
		g := f.GroupBy("k")
		if tc.split > 0 {
			g = g.SplitOut(tc.split)
		}
		var q *Frame
		if tc.desc {
			q = g.NLargest(tc.n, "v")
		} else {
			q = g.NSmallest(tc.n, "v")
		}
		tab, err := q.Compute(ctx, opts()...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for r := 0; r < tab.NumRows(); r++ {
			got = append(got, fmt.Sprintf("%s|%d", tab.Value(r, "k"), tab.Value(r, "id")))
			id := tab.Value(r, "id").(int64)
			if tab.Value(r, "v") != v[id] {
				t.Fatalf("%s: row %d has v=%v, want %d", name, id, tab.Value(r, "v"), v[id])
			}
		}
		sort.Strings(got)
		want := naiveGroupTop(keys, v, null, tc.n, tc.desc)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%s: got %d rows, want %d\ngot  %.300v\nwant %.300v", name, len(got), len(want), got, want)
		}
		// Within a group the rows come best first.
		last := map[string]int64{}
		for r := 0; r < tab.NumRows(); r++ {
			k, x := tab.Value(r, "k").(string), tab.Value(r, "v").(int64)
			if p, ok := last[k]; ok && ((tc.desc && x > p) || (!tc.desc && x < p)) {
				t.Fatalf("%s: group %s out of order: %d after %d", name, k, x, p)
			}
			last[k] = x
		}
		if want := tc.split; want > 0 && q.NPartitions() != want {
			t.Fatalf("%s: %d partitions, want %d", name, q.NPartitions(), want)
		}
	}
}

func TestGroupByNLargestFloatStringKeys(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(3))
	const rows = 4000
	a := make([]int64, rows)
	b := make([]string, rows)
	fv := make([]float64, rows)
	sv := make([]string, rows)
	for i := range a {
		a[i] = int64(rng.Intn(5))
		b[i] = fmt.Sprintf("b%d", rng.Intn(6))
		fv[i] = float64(rng.Intn(50)) / 4
		sv[i] = fmt.Sprintf("s%03d", rng.Intn(100))
	}
	f := FromColumns(6, Column{"a", a}, Column{"b", b}, Column{"f", fv}, Column{"s", sv})
	type kv struct {
		key string
		f   float64
		s   string
	}
	groups := map[string][]kv{}
	for i := range a {
		k := fmt.Sprintf("%d/%s", a[i], b[i])
		groups[k] = append(groups[k], kv{k, fv[i], sv[i]})
	}
	// Multiset of the top-3 float values and bottom-2 strings per (a, b).
	var wantF, wantS []string
	for k, g := range groups {
		fs := append([]kv(nil), g...)
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].f > fs[j].f })
		for _, x := range fs[:min(3, len(fs))] {
			wantF = append(wantF, fmt.Sprintf("%s %g", k, x.f))
		}
		ss := append([]kv(nil), g...)
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].s < ss[j].s })
		for _, x := range ss[:min(2, len(ss))] {
			wantS = append(wantS, fmt.Sprintf("%s %s", k, x.s))
		}
	}
	sort.Strings(wantF)
	sort.Strings(wantS)
	tf, err := f.GroupBy("a", "b").NLargest(3, "f").Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := f.GroupBy("a", "b").SplitOut(2).NSmallest(2, "s").Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	var gotF, gotS []string
	for r := 0; r < tf.NumRows(); r++ {
		gotF = append(gotF, fmt.Sprintf("%d/%s %g", tf.Value(r, "a"), tf.Value(r, "b"), tf.Value(r, "f")))
	}
	for r := 0; r < ts.NumRows(); r++ {
		gotS = append(gotS, fmt.Sprintf("%d/%s %s", ts.Value(r, "a"), ts.Value(r, "b"), ts.Value(r, "s")))
	}
	sort.Strings(gotF)
	sort.Strings(gotS)
	if strings.Join(gotF, ",") != strings.Join(wantF, ",") {
		t.Fatalf("float top-3: got %v\nwant %v", gotF, wantF)
	}
	if strings.Join(gotS, ",") != strings.Join(wantS, ",") {
		t.Fatalf("string bottom-2: got %v\nwant %v", gotS, wantS)
	}
}

func TestGroupByNLargestErrorsAndPlan(t *testing.T) {
	f := FromColumns(8, Column{"k", []int64{1, 2, 3, 4, 5, 6, 7, 8}}, Column{"v", []float64{1, 2, 3, 4, 5, 6, 7, 8}}, Column{"w", []int64{1, 2, 3, 4, 5, 6, 7, 8}})
	if err := f.GroupBy("nope").NLargest(2, "v").Err(); err == nil || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "k, v, w") {
		t.Fatalf("unknown key: %v", err)
	}
	if err := f.GroupBy("k").NLargest(2, "x").Err(); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Fatalf("unknown column: %v", err)
	}
	if err := f.GroupBy("k").NLargest(-1, "v").Err(); err == nil {
		t.Fatal("negative n accepted")
	}
	q := f.GroupBy("k").NLargest(2, "v").SelectCols("k", "v")
	ex := q.Explain()
	if !strings.Contains(ex, "groupby [k] nlargest 2 by v") || !strings.Contains(ex, "split_out=4") || !strings.Contains(ex, "columns=[k, v]") {
		t.Fatalf("explain:\n%s", ex)
	}
	if q.NPartitions() != 4 {
		t.Fatalf("%d partitions", q.NPartitions())
	}
	tab, err := q.Compute(context.Background(), opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if tab.NumRows() != 8 || len(tab.Columns()) != 2 {
		t.Fatalf("got %d rows %v", tab.NumRows(), tab.Columns())
	}
}
