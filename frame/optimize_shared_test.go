package frame

import (
	"context"
	"math"
	"math/rand"
	"testing"
)

// TestSharedSubplanRunsOnce: a frame used by two parents that need
// different columns (TPC-H q17's shape: rows semi-joined to a small table,
// averaged per key, and compared with the average) is planned once: its
// join tasks appear once in the graph, not once per parent, and the answer
// is the naive loop's, with an extra parent that needs all columns and one
// that filters first (paths that cannot share) in the same plan.
func TestSharedSubplanRunsOnce(t *testing.T) {
	r := rand.New(rand.NewSource(17))
	const n, nparts = 5000, 7
	k, q, p, s := make([]int64, n), make([]float64, n), make([]float64, n), make([]string, n)
	for i := range k {
		k[i] = int64(r.Intn(300))
		q[i] = float64(r.Intn(50))
		p[i] = r.Float64() * 100
		s[i] = string(rune('a' + r.Intn(26)))
	}
	var pk []int64
	chosen := map[int64]bool{}
	for len(pk) < 40 {
		v := int64(r.Intn(300))
		if !chosen[v] {
			chosen[v] = true
			pk = append(pk, v)
		}
	}
	li := FromColumns(nparts, Column{"k", k}, Column{"q", q}, Column{"p", p}, Column{"s", s})
	parts := FromColumns(1, Column{"pk", pk})
	sel := li.JoinOn(parts, Semi, "k=pk")
	avg := sel.GroupBy("k").Agg(Col("q").Mean().Mul(Lit(0.2)).Alias("lim"))
	out := sel.JoinOn(avg, Inner, "k").Filter(Col("q").Lt(Col("lim"))).Agg(Col("p").Sum().Alias("tot"))

	g, err := out.Graph()
	if err != nil {
		t.Fatal(err)
	}
	joins := 0
	for _, tk := range g.Tasks() {
		if tk.Op.Name() == "frame.join" {
			joins++
		}
	}
	// nparts semi-join probes shared by both parents, nparts inner probes.
	if joins != 2*nparts {
		t.Errorf("%d join tasks, want %d (the semi join once per partition, not once per parent)", joins, 2*nparts)
	}

	sum, cnt := map[int64]float64{}, map[int64]float64{}
	for i := range k {
		if chosen[k[i]] {
			sum[k[i]] += q[i]
			cnt[k[i]]++
		}
	}
	want := 0.0
	for i := range k {
		if chosen[k[i]] && q[i] < 0.2*sum[k[i]]/cnt[k[i]] {
			want += p[i]
		}
	}
	got := tableFloat(t, out, "tot")
	if math.Abs(got-want) > 1e-9*math.Abs(want) {
		t.Errorf("tot = %v, want %v", got, want)
	}

	// A third parent needing every column, and a fourth that filters the
	// shared frame first, in one computation with the others.
	all := sel.SortBy(Asc("k"), Asc("q"), Asc("p")).Limit(3)
	filt := sel.Filter(Col("s").Eq(Lit("a"))).Agg(Count().Alias("n"))
	wantA := 0
	for i := range k {
		if chosen[k[i]] && s[i] == "a" {
			wantA++
		}
	}
	if got := tableFloat(t, filt, "n"); got != float64(wantA) {
		t.Errorf("filtered count = %v, want %d", got, wantA)
	}
	tab, err := all.Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tab.NumRows() != 3 || len(tab.Columns()) != 4 {
		t.Errorf("sorted head: %d rows, columns %v", tab.NumRows(), tab.Columns())
	}
}

// tableFloat computes f and returns its one value of column name.
func tableFloat(t *testing.T, f *Frame, name string) float64 {
	t.Helper()
	tab, err := f.Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	vs, err := tab.Float64s(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 {
		t.Fatalf("%d rows of %s", len(vs), name)
	}
	return vs[0]
}
