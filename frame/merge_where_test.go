package frame

import (
	"context"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

// TestMergeWhereMatchesNestedLoops joins random rows (null keys, null
// strings, duplicates, empty partitions) with a residual condition, every
// join kind, broadcast and shuffle plans, local and loopback, against
// nested loops that test keys and condition per pair.
func TestMergeWhereMatchesNestedLoops(t *testing.T) {
	ctx := context.Background()
	nonNeg := Col("v").Ge(Lit(0.0))
	for seed, keys := range [][]string{{"i"}, {"s", "f"}} {
		// v_x < v_y or s_y (i_y) is null; a null comparison counts as false.
		where := Col("v_x").Lt(Col("v_y")).Or(Col("s_y").IsNull())
		cond := func(x, y krow) bool { return x.V < y.V || y.S == nil }
		if seed == 1 {
			where = Col("v_x").Lt(Col("v_y")).Or(Col("i_y").IsNull())
			cond = func(x, y krow) bool { return x.V < y.V || y.I == nil }
		}
		r := rand.New(rand.NewSource(int64(40 + seed)))
		l := randKRows(r, 120+r.Intn(60), 8)
		rt := randKRows(r, 90+r.Intn(60), 8)
		for _, how := range []How{Inner, Left, Right, Outer, Semi, Anti} {
			want := naiveMerge(l, rt, keys, how, cond)
			for pi, plan := range []struct{ lp, rp, bc int }{{3, 1, 0}, {2, 3, -1}, {1, 2, 0}} {
				var opts []sched.Option
				if pi == 1 {
					opts = append(opts, sched.WithExecutor(sched.NewLoopback()))
				}
				j := FromStructs(plan.lp, l).Filter(nonNeg).Merge(FromStructs(plan.rp, rt).Filter(nonNeg),
					MergeOptions{How: how, On: keys, Broadcast: plan.bc, Where: where})
				tab, err := j.Compute(ctx, opts...)
				if err != nil {
					t.Fatalf("keys %v %s %+v: %v", keys, how, plan, err)
				}
				if got := tableRows(t, tab); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("keys %v %s %+v: %d rows, want %d\ngot  %v\nwant %v", keys, how, plan, len(got), len(want),
						got[:min(3, len(got))], want[:min(3, len(want))])
				}
			}
		}
	}
	// Only the needed columns are kept, and the condition still sees its
	// suffixed names.
	l := randKRows(rand.New(rand.NewSource(3)), 50, 5)
	j := FromStructs(2, l).Filter(nonNeg).Merge(FromStructs(2, l).Filter(nonNeg), MergeOptions{How: Semi, On: []string{"i"}, Where: Col("v_x").Lt(Col("v_y"))}).SelectCols("i")
	tab, err := j.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := naiveMerge(l, l, []string{"i"}, Semi, func(x, y krow) bool { return x.V < y.V })
	if tab.NumRows() != len(want) {
		t.Fatalf("pruned semi join: %d rows, want %d", tab.NumRows(), len(want))
	}
}

func TestMergeWhereErrors(t *testing.T) {
	l := FromStructs(1, randKRows(rand.New(rand.NewSource(1)), 10, 3))
	for _, c := range []struct {
		where Expr
		msg   string
	}{
		{Col("nope").Gt(Lit(1)), `column "nope" is on neither side`},
		{Col("v").Gt(Lit(1)), `column "v" is on neither side`}, // v is v_x / v_y in the pairs
		{Col("v_x").Add(Col("v_y")), "not a boolean"},
		{Col("v_x").Sum().Gt(Lit(1)), "aggregation"},
	} {
		err := l.Merge(l, MergeOptions{On: []string{"i"}, Where: c.where}).Err()
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "Merge") {
			t.Errorf("Where %s: error %v, want one saying %q", c.where, err, c.msg)
		}
	}
}

// TestJoinOnIsMerge: the "left=right" pairs give Merge's LeftOn/RightOn
// result, a bare name Merge's On; malformed keys are errors.
func TestJoinOnIsMerge(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewSource(5))
	l, rt := randKRows(r, 80, 6), randKRows(r, 70, 6)
	lf, rf := FromStructs(2, l), FromStructs(3, rt).Rename(map[string]string{"i": "j", "s": "t", "f": "g", "v": "w"})
	got, err := lf.JoinOn(rf, Left, "i=j", "s = t").Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := lf.Merge(rf, MergeOptions{How: Left, LeftOn: []string{"i", "s"}, RightOn: []string{"j", "t"}}).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tableRows(t, got), "\n") != strings.Join(tableRows(t, want), "\n") || got.NumRows() == 0 {
		t.Fatalf("JoinOn differs from Merge: %d rows against %d", got.NumRows(), want.NumRows())
	}
	nonNeg := Col("v").Ge(Lit(0.0))
	got, err = lf.Filter(nonNeg).JoinOn(FromStructs(1, rt).Filter(nonNeg), Inner, "i").Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if w := naiveMerge(l, rt, []string{"i"}, Inner); strings.Join(tableRows(t, got), "\n") != strings.Join(w, "\n") {
		t.Fatalf("JoinOn shared key: %d rows, want %d", got.NumRows(), len(w))
	}
	for _, bad := range [][]string{{"i="}, {"=j"}, {""}, {"i=j", "s"}} {
		if err := lf.JoinOn(rf, Inner, bad...).Err(); err == nil || !strings.Contains(err.Error(), "JoinOn") {
			t.Errorf("JoinOn(%q): error %v", bad, err)
		}
	}
}
