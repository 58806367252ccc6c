package frame

import (
	"context"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// TestSemiAntiBuildLeftMatchNestedLoops: semi and anti joins of a small
// left side against a right side of many partitions, planned with the left
// side built once and each right partition marking the rows it matches
// (join_semibuild.go), with and without a Where condition, give the
// nested-loop answer: left rows in order, null keys never matching, empty
// partitions on both sides, more right partitions than one merge task
// takes, local and loopback (the table and the marks encoded).
func TestSemiAntiBuildLeftMatchNestedLoops(t *testing.T) {
	ctx := context.Background()
	nonNeg := Col("v").Ge(Lit(0.0)) // naiveMerge leaves out v < 0
	for seed, keys := range [][]string{{"i"}, {"s"}, {"f"}, {"i", "s"}} {
		r := rand.New(rand.NewSource(int64(70 + seed)))
		l := randKRows(r, 40+r.Intn(20), 10)
		rt := randKRows(r, 700+r.Intn(200), 12)
		for _, how := range []How{Semi, Anti} {
			for wi, w := range []struct {
				where Expr
				cond  func(x, y krow) bool
			}{
				{},
				{Col("v_x").Lt(Col("v_y")), func(x, y krow) bool { return x.V < y.V }},
				{Col("v_x").Ne(Col("v_y")).And(Col("v_y").Gt(Lit(50.0))), func(x, y krow) bool { return x.V != y.V && y.V > 50 }},
			} {
				var want []string
				if w.cond == nil {
					want = naiveMerge(l, rt, keys, how)
				} else {
					want = naiveMerge(l, rt, keys, how, w.cond)
				}
				for pi, plan := range []struct{ lp, rp int }{{3, 20}, {1, 5}, {6, 37}} {
					var opts []sched.Option
					if pi == 2 {
						opts = append(opts, sched.WithExecutor(sched.NewLoopback()))
					}
					lf := FromStructs(plan.lp, l).Filter(nonNeg)
					j := lf.Merge(FromStructs(plan.rp, rt).Filter(nonNeg), MergeOptions{How: how, On: keys, Where: w.where})
					if ex := j.Explain(); !strings.Contains(ex, "each right partition marks") {
						t.Fatalf("keys %v %s where %d %+v: not built on the left:\n%s", keys, how, wi, plan, ex)
					}
					if n := j.NPartitions(); n != plan.lp {
						t.Fatalf("keys %v %s %+v: %d partitions, want the left's %d", keys, how, plan, n, plan.lp)
					}
					tab, err := j.Compute(ctx, opts...)
					if err != nil {
						t.Fatalf("keys %v %s where %d %+v: %v", keys, how, wi, plan, err)
					}
					if got := tableRows(t, tab); strings.Join(got, "\n") != strings.Join(want, "\n") {
						t.Fatalf("keys %v %s where %d %+v: %d rows, want %d\ngot  %v\nwant %v", keys, how, wi, plan, len(got), len(want),
							got[:min(3, len(got))], want[:min(3, len(want))])
					}
				}
			}
		}
	}
}

// TestSemiBuildLeftEmptySides: a left side with no rows gives no rows; a
// right side with no rows gives no rows for a semi join and the whole left
// for an anti join.
func TestSemiBuildLeftEmptySides(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewSource(9))
	l, rt := randKRows(r, 40, 8), randKRows(r, 600, 8)
	none, nonNeg := Col("v").Gt(Lit(1e9)), Col("v").Ge(Lit(0.0))
	for _, how := range []How{Semi, Anti} {
		for _, c := range []struct {
			lf, rf Expr
			want   []string
		}{
			{none, nonNeg, nil},
			{nonNeg, none, map[How][]string{Semi: nil, Anti: naiveMerge(l, nil, []string{"i"}, Anti)}[how]},
		} {
			j := FromStructs(2, l).Filter(c.lf).Merge(FromStructs(9, rt).Filter(c.rf), MergeOptions{How: how, On: []string{"i"}, Where: Col("v_x").Lt(Col("v_y"))})
			tab, err := j.Compute(ctx)
			if err != nil {
				t.Fatalf("%s: %v", how, err)
			}
			if got := tableRows(t, tab); strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Fatalf("%s: %d rows, want %d", how, len(got), len(c.want))
			}
		}
	}
}

// TestJoinMarksCodec: marks and a table's partition bounds survive
// encoding; bad bytes are an error, not a panic.
func TestJoinMarksCodec(t *testing.T) {
	m := newJoinMarks(130)
	for _, i := range []int32{0, 63, 64, 129} {
		m.set(i)
	}
	b, err := graph.EncodeValue(m)
	if err != nil {
		t.Fatal(err)
	}
	v, err := graph.DecodeValue(b)
	if err != nil {
		t.Fatal(err)
	}
	back := v.(*joinMarks)
	for i := 0; i < 130; i++ {
		if back.has(i) != m.has(i) {
			t.Fatalf("row %d: mark %v after the round trip, want %v", i, back.has(i), m.has(i))
		}
	}
	for cut := 0; cut < len(b); cut++ {
		if _, err := graph.DecodeValue(b[:cut]); err == nil && cut < len(b)-1 {
			t.Fatalf("marks cut at %d of %d bytes decoded", cut, len(b))
		}
	}
	tab, err := FromStructs(1, randKRows(rand.New(rand.NewSource(1)), 50, 5)).Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	jt, err := newJoinTable(tab.Record(), []int{0})
	if err != nil {
		t.Fatal(err)
	}
	jt.bounds = []int{0, 20, 20, 50}
	b, err = graph.EncodeValue(jt)
	if err != nil {
		t.Fatal(err)
	}
	v, err = graph.DecodeValue(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.(*joinTable).bounds; len(got) != 4 || got[1] != 20 || got[3] != 50 {
		t.Fatalf("bounds after the round trip: %v", got)
	}
	// A pick of a partition the table does not have is an error.
	_, err = (&semiPickOp{spec: &joinSpec{how: Semi}, part: 3}).Run(context.Background(), []any{jt, newJoinMarks(50)})
	if err == nil || !strings.Contains(err.Error(), "partition 3") {
		t.Fatalf("pick of partition 3 of 3: %v", err)
	}
}
