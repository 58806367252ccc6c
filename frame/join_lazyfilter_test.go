package frame

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

// lazyFiltered counts the join tasks of f that filter their probe side
// themselves (join_lazyfilter.go).
func lazyFiltered(t *testing.T, f *Frame) int {
	t.Helper()
	g, err := f.Graph()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tk := range g.Tasks() {
		if j, ok := tk.Op.(*joinOp); ok && j.lfilter != nil {
			n++
		}
	}
	return n
}

// TestLazyProbeFilterMatches: a broadcast join whose probe side ends in a
// filter, the filter evaluated inside the join task, gives the rows of the
// same join with the filter a step of its own, for inner, left, semi and
// anti joins, null keys, a filter that keeps every row, some rows and none,
// a predicate on a column the join does not output (a selection of columns
// after the filter), a residual Where, and on the loopback executor (the
// filter shipped in the join's parameters).
func TestLazyProbeFilterMatches(t *testing.T) {
	defer func() { lazyProbeFilters = true }()
	ctx := context.Background()
	r := rand.New(rand.NewSource(7))
	l := randRows(r, 900, 40)
	rt := randRows(r, 150, 60)
	left := func(thr float64, cols bool) *Frame {
		f := jframe(l, 4).WithColumn("w", Col("v").Mul(Lit(2.0))).Filter(Col("w").Gt(Lit(thr)))
		if cols {
			f = f.SelectCols("k1", "k2", "v")
		}
		return f
	}
	kept := map[float64]string{-1: "all", 250: "some", 1e9: "none"}
	for _, how := range []How{Inner, Left, Semi, Anti} {
		for thr, what := range kept {
			for _, cols := range []bool{false, true} {
				for _, where := range []bool{false, true} {
					if where && (how == Semi || how == Anti) {
						continue
					}
					build := func() *Frame {
						o := MergeOptions{How: how, On: []string{"k1", "k2"}}
						if where {
							o.Where = Col("v_x").Lt(Col("v_y").Mul(Lit(2.0)))
						}
						return left(thr, cols).Merge(jframe(rt, 1), o)
					}
					name := fmt.Sprintf("%v keeps %s", how, what)
					if cols {
						name += ", columns selected"
					}
					if where {
						name += ", where"
					}
					lazyProbeFilters = false
					if n := lazyFiltered(t, build()); n != 0 {
						t.Fatalf("%s: %d lazily filtered joins with the rewrite off", name, n)
					}
					want, err := build().Compute(ctx)
					if err != nil {
						t.Fatalf("%s: reference: %v", name, err)
					}
					lazyProbeFilters = true
					if n := lazyFiltered(t, build()); n != 4 {
						t.Fatalf("%s: %d of 4 join tasks filter their probe side\n%s", name, n, build().Explain())
					}
					for _, opts := range [][]sched.Option{nil, {sched.WithExecutor(sched.NewLoopback())}} {
						got, err := build().Compute(ctx, opts...)
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if strings.Join(got.Columns(), ",") != strings.Join(want.Columns(), ",") {
							t.Fatalf("%s: columns %v, want %v", name, got.Columns(), want.Columns())
						}
						g, w := tableRows(t, got), tableRows(t, want)
						if strings.Join(g, "\n") != strings.Join(w, "\n") {
							t.Fatalf("%s: %d rows, want %d", name, len(g), len(w))
						}
						if what == "some" && (len(w) == 0 || len(w) == len(l)) && how != Left {
							t.Logf("%s: %d rows", name, len(w))
						}
					}
				}
			}
		}
	}
}
