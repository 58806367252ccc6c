package frame

import (
	"context"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// filterBelowJoin reports whether Explain shows a filter under the join.
func filterBelowJoin(f *Frame) bool {
	ex := f.Explain()
	i := strings.Index(ex, "join ")
	return i >= 0 && strings.Contains(ex[i:], "filter")
}

// Issue #11: filters above a join move below it where that cannot change
// the answer. The reference is the join computed unfiltered, then
// filtered; the plans are checked to show which conditions moved.
func TestFilterPushdownThroughJoins(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewSource(11))
	l := randRows(r, 300, 30)
	rt := randRows(r, 200, 40)
	left, right := jframe(l, 3), jframe(rt, 2)
	type pcase struct {
		name  string
		pred  Expr
		moves map[How]bool // join kinds where something moves below
	}
	all := map[How]bool{Inner: true, Left: true, Right: true, Semi: true, Anti: true}
	onlyL := map[How]bool{Inner: true, Left: true, Semi: true, Anti: true}
	cases := []pcase{
		{"left column", Col("v_x").Gt(Lit(100.0)), onlyL},
		{"right column", Col("v_y").Lt(Lit(150.0)), map[How]bool{Inner: true, Right: true}},
		{"right IsNull", Col("v_y").IsNull(), map[How]bool{Inner: true, Right: true}},
		{"left IsNull", Col("v_x").IsNull().Or(Col("v_x").Lt(Lit(20.0))), onlyL},
		{"key", Col("k1").Ge(Lit(int64(10))).And(Col("k2").Ne(Lit("a"))), map[How]bool{Inner: true, Left: true, Right: true, Semi: true, Anti: true}},
		{"key IsNull", Col("k1").IsNull(), all},
		{"mixed", Col("v_x").Gt(Col("v_y")), nil},
		{"all at once", Col("v_x").Gt(Lit(30.0)).And(Col("v_y").Lt(Lit(200.0))).And(Col("k1").Lt(Lit(int64(25)))).And(Col("v_x").Ne(Col("v_y"))), all},
	}
	for _, how := range []How{Inner, Left, Right, Outer, Semi, Anti} {
		j := left.Merge(right, MergeOptions{How: how, On: []string{"k1", "k2"}})
		ref, err := j.Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			pred := c.pred
			if how == Semi || how == Anti {
				if strings.Contains(pred.String(), "v_y") {
					continue
				}
				pred = renameExpr(pred, map[string]string{"v_x": "v"})
			}
			q := j.Filter(pred)
			if q.Err() != nil {
				t.Fatalf("%s %s: %v", how, c.name, q.Err())
			}
			got, err := q.Compute(ctx)
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", how, c.name, err, q.Explain())
			}
			want, err := ref.Frame().Filter(pred).Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := tableRows(t, got), tableRows(t, want); !reflect.DeepEqual(g, w) {
				t.Fatalf("%s join, %s: %d rows, want %d\n%s", how, c.name, len(g), len(w), q.Explain())
			}
			if below := filterBelowJoin(q); below != c.moves[how] {
				t.Errorf("%s join, %s: filter below the join = %v, want %v\n%s", how, c.name, below, c.moves[how], q.Explain())
			}
		}
	}
}

func renameExpr(e Expr, m map[string]string) Expr {
	full := map[string]string{}
	set := map[string]bool{}
	e.n.cols(set)
	for c := range set {
		full[c] = c
		if n, ok := m[c]; ok {
			full[c] = n
		}
	}
	return Expr{renameCols(e.n, full)}
}
