package frame

import (
	"context"
	"math/rand"
	"strings"
	"testing"
)

// TestSemiAntiSmallLeftMatchNestedLoops: semi and anti joins whose left side
// is much smaller than the right (built on the left, semiRowsBuildLeft) give
// the nested-loop answer: left rows in order, each once however many right
// rows match, null keys never matching, over int, string, float and
// composite keys.
func TestSemiAntiSmallLeftMatchNestedLoops(t *testing.T) {
	ctx := context.Background()
	for seed, keys := range [][]string{{"i"}, {"s"}, {"f"}, {"i", "s"}, {"s", "f", "i"}} {
		r := rand.New(rand.NewSource(int64(40 + seed)))
		l := randKRows(r, 25+r.Intn(10), 12)
		rt := randKRows(r, 250+r.Intn(100), 15)
		for _, how := range []How{Semi, Anti} {
			want := naiveMerge(l, rt, keys, how)
			for _, plan := range []struct{ lp, rp, bc int }{{1, 1, -1}, {1, 1, 0}, {2, 3, -1}} {
				nonNeg := Col("v").Ge(Lit(0.0)) // naiveMerge leaves out v < 0
				j := FromStructs(plan.lp, l).Filter(nonNeg).Merge(FromStructs(plan.rp, rt).Filter(nonNeg), MergeOptions{How: how, On: keys, Broadcast: plan.bc})
				tab, err := j.Compute(ctx)
				if err != nil {
					t.Fatalf("keys %v %s %+v: %v", keys, how, plan, err)
				}
				got := tableRows(t, tab)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("keys %v %s %+v: %d rows, want %d\ngot  %v\nwant %v", keys, how, plan, len(got), len(want), got, want)
				}
			}
		}
	}
}
