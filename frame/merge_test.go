package frame

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

// joinRow is a row of a join result rendered as text, for comparing
// multisets of rows.
func tableRows(t *testing.T, tab *Table) []string {
	t.Helper()
	cols := tab.Columns()
	out := make([]string, tab.NumRows())
	for i := range out {
		var b strings.Builder
		for _, c := range cols {
			fmt.Fprintf(&b, "%s=%v;", c, tab.Value(i, c))
		}
		out[i] = b.String()
	}
	sort.Strings(out)
	return out
}

type jrow struct {
	k1 *int64
	k2 string
	v  float64
}

// naiveJoin is the nested-loop reference: keys (k1, k2), null k1 matches
// nothing; columns named as Merge names them with On: k1, k2, v_x, v_y.
func naiveJoin(l, r []jrow, how How) []string {
	var out []string
	row := func(k1 *int64, k2 any, lv, rv any) string {
		var a any
		if k1 != nil {
			a = *k1
		}
		switch how {
		case Semi, Anti:
			return fmt.Sprintf("k1=%v;k2=%v;v=%v;", a, k2, lv)
		}
		return fmt.Sprintf("k1=%v;k2=%v;v_x=%v;v_y=%v;", a, k2, lv, rv)
	}
	eq := func(a, b jrow) bool { return a.k1 != nil && b.k1 != nil && *a.k1 == *b.k1 && a.k2 == b.k2 }
	rmatched := make([]bool, len(r))
	for _, x := range l {
		found := false
		for j, y := range r {
			if eq(x, y) {
				found = true
				rmatched[j] = true
				if how != Semi && how != Anti {
					out = append(out, row(x.k1, x.k2, x.v, y.v))
				}
			}
		}
		switch {
		case how == Semi && found, how == Anti && !found:
			out = append(out, row(x.k1, x.k2, x.v, nil))
		case !found && (how == Left || how == Outer):
			out = append(out, row(x.k1, x.k2, x.v, nil))
		}
	}
	if how == Right || how == Outer {
		for j, y := range r {
			if !rmatched[j] {
				out = append(out, row(y.k1, y.k2, nil, y.v))
			}
		}
	}
	sort.Strings(out)
	return out
}

func jframe(rows []jrow, nparts int) *Frame {
	k1 := make([]*int64, len(rows))
	k2 := make([]string, len(rows))
	v := make([]float64, len(rows))
	type rec struct {
		K1 *int64  `frame:"k1"`
		K2 string  `frame:"k2"`
		V  float64 `frame:"v"`
	}
	rs := make([]rec, len(rows))
	for i, x := range rows {
		k1[i], k2[i], v[i] = x.k1, x.k2, x.v
		rs[i] = rec{x.k1, x.k2, x.v}
	}
	return FromStructs(nparts, rs)
}

func randRows(r *rand.Rand, n, keys int) []jrow {
	out := make([]jrow, n)
	for i := range out {
		if r.Intn(20) > 0 {
			k := int64(r.Intn(keys))
			out[i].k1 = &k
		}
		out[i].k2 = []string{"a", "b", ""}[r.Intn(3)]
		out[i].v = float64(r.Intn(1000)) / 4
	}
	return out
}

// TestMergeMatchesNestedLoops checks every join kind, broadcast and shuffle
// plans, on the local and loopback executors, against nested loops.
func TestMergeMatchesNestedLoops(t *testing.T) {
	ctx := context.Background()
	for seed := int64(0); seed < 4; seed++ {
		r := rand.New(rand.NewSource(seed))
		l := randRows(r, 300+r.Intn(200), 40)
		rt := randRows(r, 100+r.Intn(200), 60)
		for _, how := range []How{Inner, Left, Right, Outer, Semi, Anti} {
			want := naiveJoin(l, rt, how)
			for _, plan := range []struct {
				lp, rp, bc int
				exec       sched.Executor
			}{{4, 1, 0, nil}, {1, 3, 0, nil}, {4, 3, -1, nil}, {5, 2, 2, sched.NewLoopback()}, {3, 4, -1, sched.NewLoopback()}} {
				j := jframe(l, plan.lp).Merge(jframe(rt, plan.rp), MergeOptions{How: how, On: []string{"k1", "k2"}, Broadcast: plan.bc})
				if j.Err() != nil {
					t.Fatal(j.Err())
				}
				var o []sched.Option
				if plan.exec != nil {
					o = append(o, sched.WithExecutor(plan.exec))
				}
				tab, err := j.Compute(ctx, o...)
				if err != nil {
					t.Fatalf("seed %d %s %+v: %v\n%s", seed, how, plan, err, j.Explain())
				}
				got := tableRows(t, tab)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("seed %d %s %+v: %d rows, want %d\nplan:\n%s\nfirst got %v\nfirst want %v", seed, how, plan,
						len(got), len(want), j.Explain(), got[:min(3, len(got))], want[:min(3, len(want))])
				}
			}
		}
	}
}

func TestMergeNamesProjectionAndErrors(t *testing.T) {
	ctx := context.Background()
	l := FromColumns(2, Column{"id", []int64{1, 2, 3, 4}}, Column{"x", []float64{1, 2, 3, 4}}, Column{"name", []string{"a", "b", "c", "d"}})
	r := FromColumns(2, Column{"key", []int64{2, 4, 4, 5}}, Column{"x", []float64{20, 40, 41, 50}}, Column{"name", []string{"B", "D", "D2", "E"}})
	j := l.Merge(r, MergeOptions{LeftOn: []string{"id"}, RightOn: []string{"key"}, Suffixes: [2]string{"_l", "_r"}})
	if got := strings.Join(j.Columns(), ","); got != "id,x_l,name_l,key,x_r,name_r" {
		t.Fatalf("columns %s", got)
	}
	// Only the columns used are read, and the answer is right.
	s := j.Agg(Col("x_r").Sum())
	tab, err := s.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Value(0, "x_r") != 101.0 {
		t.Fatalf("sum %v\n%s", tab, s.Explain())
	}
	if !strings.Contains(s.Explain(), "columns=[key, x]") {
		t.Fatalf("right side not pruned:\n%s", s.Explain())
	}
	for _, c := range []struct {
		f    *Frame
		want string
	}{
		{l.Join(r, Inner, "nope"), `unknown column "nope"`},
		{l.Merge(r, MergeOptions{LeftOn: []string{"name"}, RightOn: []string{"key"}}), `key "name" is utf8 on the left but key "key" is int64 on the right`},
		{l.Merge(r, MergeOptions{How: "sideways", On: []string{"x"}}), `unknown join kind "sideways"`},
		{l.Merge(r, MergeOptions{}), "no join keys"},
		{FromColumns(1, Column{"id", []int64{1}}, Column{"v", []int64{1}}, Column{"v_y", []int64{1}}).
			Join(FromColumns(1, Column{"id", []int64{1}}, Column{"v", []int64{2}}), Inner, "id"), `column "v_y" appears twice`},
	} {
		if c.f.Err() == nil || !strings.Contains(c.f.Err().Error(), c.want) {
			t.Errorf("err = %v, want %q", c.f.Err(), c.want)
		}
	}
}
