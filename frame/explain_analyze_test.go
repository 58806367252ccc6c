package frame

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

func analyze(t *testing.T, f *Frame) (string, []NodeStats) {
	t.Helper()
	ctx := context.Background()
	text, tab, stats, err := f.ExplainAnalyze(ctx, sched.WithProgress(nil))
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.Compute(ctx, sched.WithProgress(nil))
	if err != nil {
		t.Fatal(err)
	}
	if tab.String() != want.String() {
		t.Fatalf("result\n%s\nwant\n%s", tab, want)
	}
	if !strings.HasPrefix(text, f.Explain()) || !strings.Contains(text, "analyzed:") {
		t.Fatalf("text:\n%s", text)
	}
	// One stat per line of Explain, in its order.
	lines := strings.Split(f.Explain(), "\n")
	if len(stats) != len(lines) {
		t.Fatalf("%d stats for %d plan lines:\n%s", len(stats), len(lines), text)
	}
	for i, s := range stats {
		if strings.TrimSpace(lines[i]) != s.Node || strings.Repeat("  ", s.Depth)+s.Node != lines[i] {
			t.Fatalf("stat %d is for %q (depth %d), Explain line %q", i, s.Node, s.Depth, lines[i])
		}
		if s.Tasks <= 0 || s.Time < 0 || s.Bytes <= 0 {
			t.Fatalf("stat %+v\n%s", s, text)
		}
	}
	return text, stats
}

func rows(t *testing.T, f *Frame) int64 {
	t.Helper()
	tab, err := f.Compute(context.Background(), sched.WithProgress(nil))
	if err != nil {
		t.Fatal(err)
	}
	return int64(tab.NumRows())
}

// TestExplainAnalyzePerNode: filter -> groupby -> sort; each plan node's
// rows equal the rows of that node's output computed alone.
func TestExplainAnalyzePerNode(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	n := 5000
	ks, vs, ws := make([]string, n), make([]float64, n), make([]int64, n)
	for i := range ks {
		ks[i] = []string{"a", "b", "ü", "", "日本"}[rng.Intn(5)] + string(rune('a'+rng.Intn(20)))
		vs[i] = rng.NormFloat64()
		ws[i] = rng.Int63n(100)
	}
	src := FromColumns(7, Column{Name: "k", Values: ks}, Column{Name: "v", Values: vs}, Column{Name: "w", Values: ws})
	filtered := src.Filter(Col("v").Gt(Lit(0.0)))
	grouped := filtered.GroupBy("k").Agg(Col("v").Sum(), Col("w").Max())
	sorted := grouped.SortValues(false, "k")
	text, stats := analyze(t, sorted)
	t.Logf("\n%s", text)
	// The plan: sort, groupby, the source with the filter pushed into it.
	want := []int64{rows(t, sorted), rows(t, grouped), rows(t, filtered)}
	if len(stats) != len(want) {
		t.Fatalf("plan of %d nodes, want %d:\n%s", len(stats), len(want), text)
	}
	for i, w := range want {
		if stats[i].Rows != w {
			t.Fatalf("node %q: %d rows, want %d\n%s", stats[i].Node, stats[i].Rows, w, text)
		}
	}
	if want[2] == 0 || want[2] == int64(n) || want[1] >= want[2] {
		t.Fatalf("a test that cannot fail: %v", want)
	}
	// The filter node kept apart (no pushdown through a map-like project).
	proj := src.Select(Col("k"), Col("v").Mul(Lit(2.0)).Alias("v2"))
	f2 := proj.Filter(Col("v2").Gt(Lit(0.5)))
	text, stats = analyze(t, f2)
	if stats[len(stats)-1].Rows != int64(n) || stats[0].Rows != rows(t, f2) {
		t.Fatalf("stats %+v\n%s", stats, text)
	}

	bad := FromColumns(1, Column{Name: "k", Values: ks}).Filter(Col("nope").Gt(Lit(1)))
	if _, _, _, err := bad.ExplainAnalyze(context.Background()); err == nil {
		t.Fatal("bad frame analyzed")
	}
}

// TestExplainAnalyzeJoin: a join of two filtered sides; each node's rows
// equal its output's.
func TestExplainAnalyzeJoin(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	nl, nr := 3000, 800
	lk, lv := make([]int64, nl), make([]float64, nl)
	for i := range lk {
		lk[i], lv[i] = rng.Int63n(500), rng.Float64()
	}
	rk, rv := make([]int64, nr), make([]string, nr)
	for i := range rk {
		rk[i], rv[i] = rng.Int63n(700), []string{"x", "ÿ", ""}[rng.Intn(3)]
	}
	left := FromColumns(5, Column{Name: "id", Values: lk}, Column{Name: "a", Values: lv}).Filter(Col("a").Lt(Lit(0.7)))
	right := FromColumns(3, Column{Name: "id", Values: rk}, Column{Name: "b", Values: rv})
	j := left.Join(right, Inner, "id")
	text, stats := analyze(t, j)
	t.Logf("\n%s", text)
	if len(stats) != 3 {
		t.Fatalf("plan:\n%s", text)
	}
	want := []int64{rows(t, j), rows(t, left), rows(t, right)}
	for i, w := range want {
		if stats[i].Rows != w {
			t.Fatalf("node %q: %d rows, want %d\n%s", stats[i].Node, stats[i].Rows, w, text)
		}
	}
}

func ExampleFrame_ExplainAnalyze() {
	f := FromColumns(2,
		Column{Name: "k", Values: []string{"a", "b", "a", "c", "b", "a"}},
		Column{Name: "v", Values: []float64{1, -2, 3, 4, -5, 6}}).
		Filter(Col("v").Gt(Lit(0.0))).GroupBy("k").Agg(Col("v").Sum())
	_, _, stats, err := f.ExplainAnalyze(context.Background(), sched.WithProgress(nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range stats {
		fmt.Printf("%s%s: %d rows\n", strings.Repeat("  ", s.Depth), s.Node, s.Rows)
	}
	// Output:
	// groupby [k] agg [sum(v)] (partial per partition, tree-reduce): 2 rows
	//   from-memory partitions=2 columns=[k, v] filter=(v > 0): 4 rows
}
