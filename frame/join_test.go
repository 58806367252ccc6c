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

// krow is a row of the key-type tests: nullable int, string and float
// columns (any of them a key) and a value.
type krow struct {
	I *int64   `frame:"i"`
	S *string  `frame:"s"`
	F *float64 `frame:"f"`
	V float64  `frame:"v"`
}

func (r krow) cell(c string) any {
	switch c {
	case "i":
		if r.I != nil {
			return *r.I
		}
	case "s":
		if r.S != nil {
			return *r.S
		}
	case "f":
		if r.F != nil {
			return *r.F
		}
	case "v":
		return r.V
	}
	return nil
}

func randKRows(r *rand.Rand, n, keys int) []krow {
	out := make([]krow, n)
	for i := range out {
		if r.Intn(15) > 0 {
			k := int64(r.Intn(keys))
			out[i].I = &k
		}
		if r.Intn(15) > 0 {
			s := []string{"a", "bb", "", "ccc"}[r.Intn(4)]
			out[i].S = &s
		}
		if r.Intn(15) > 0 {
			f := float64(r.Intn(keys)) + 0.5
			out[i].F = &f
		}
		out[i].V = float64(r.Intn(1000)) / 4
		if i < n/4 {
			out[i].V = -1 // filtered out: leaves empty partitions
		}
	}
	return out
}

// naiveMerge is the nested-loop reference of Merge with On keys: rows
// rendered as tableRows renders them; a pair matches where its keys are
// equal and cond (MergeOptions.Where), if given, holds.
func naiveMerge(l, r []krow, keys []string, how How, cond ...func(x, y krow) bool) []string {
	isKey := map[string]bool{}
	for _, k := range keys {
		isKey[k] = true
	}
	all := []string{"i", "s", "f", "v"}
	type oc struct {
		name string
		side int // 0 left, 1 right, 2 shared key
		col  string
	}
	var cols []oc
	for _, c := range all {
		switch {
		case isKey[c]:
			cols = append(cols, oc{c, 2, c})
		case how == Semi || how == Anti:
			cols = append(cols, oc{c, 0, c})
		default:
			cols = append(cols, oc{c + "_x", 0, c})
		}
	}
	if how != Semi && how != Anti {
		for _, c := range all {
			if !isKey[c] {
				cols = append(cols, oc{c + "_y", 1, c})
			}
		}
	}
	keep := func(rows []krow) []krow {
		var out []krow
		for _, x := range rows {
			if x.V >= 0 {
				out = append(out, x)
			}
		}
		return out
	}
	l, r = keep(l), keep(r)
	render := func(x, y *krow) string {
		var b strings.Builder
		for _, c := range cols {
			var v any
			switch {
			case c.side == 0 && x != nil, c.side == 2 && x != nil:
				v = x.cell(c.col)
			case c.side == 1 && y != nil, c.side == 2 && y != nil:
				v = y.cell(c.col)
			}
			fmt.Fprintf(&b, "%s=%v;", c.name, v)
		}
		return b.String()
	}
	eq := func(x, y krow) bool {
		for _, k := range keys {
			a, b := x.cell(k), y.cell(k)
			if a == nil || b == nil || a != b {
				return false
			}
		}
		return true
	}
	var out []string
	matched := make([]bool, len(r))
	for i := range l {
		found := false
		for j := range r {
			if eq(l[i], r[j]) && (len(cond) == 0 || cond[0](l[i], r[j])) {
				found, matched[j] = true, true
				if how != Semi && how != Anti {
					out = append(out, render(&l[i], &r[j]))
				}
			}
		}
		switch {
		case how == Semi && found, how == Anti && !found, !found && (how == Left || how == Outer):
			out = append(out, render(&l[i], nil))
		}
	}
	if how == Right || how == Outer {
		for j := range r {
			if !matched[j] {
				out = append(out, render(nil, &r[j]))
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestMergeKeyTypesMatchNestedLoops joins random data on int, string, float
// and multi-column keys with nulls, duplicates and empty partitions, every
// join kind, broadcast and shuffle plans, on the local executor, the
// loopback executor and under a tiny memory limit, against nested loops.
func TestMergeKeyTypesMatchNestedLoops(t *testing.T) {
	ctx := context.Background()
	spill := t.TempDir()
	execs := []struct {
		name string
		opts []sched.Option
	}{
		{"local", nil},
		{"loopback", []sched.Option{sched.WithExecutor(sched.NewLoopback())}},
		{"memlimit", []sched.Option{sched.WithMemoryLimit(1), sched.WithSpillDir(spill)}},
	}
	nonNeg := Col("v").Ge(Lit(0.0))
	for seed, keys := range [][]string{{"i"}, {"s"}, {"f"}, {"i", "s"}, {"s", "f", "i"}} {
		r := rand.New(rand.NewSource(int64(seed)))
		l := randKRows(r, 150+r.Intn(100), 12)
		rt := randKRows(r, 80+r.Intn(100), 15)
		// A left side much smaller than the right: the inner join builds
		// its table on the left.
		small := l[len(l)-20:]
		want := naiveMerge(small, rt, keys, Inner)
		for _, plan := range []struct{ lp, rp, bc int }{{1, 1, 0}, {1, 2, 0}, {2, 2, -1}} {
			j := FromStructs(plan.lp, small).Merge(FromStructs(plan.rp, rt).Filter(nonNeg), MergeOptions{On: keys, Broadcast: plan.bc})
			tab, err := j.Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := tableRows(t, tab); strings.Join(got, "\n") != strings.Join(want, "\n") || len(want) == 0 {
				t.Fatalf("keys %v small left %+v: %d rows, want %d", keys, plan, len(got), len(want))
			}
		}
		for _, how := range []How{Inner, Left, Right, Outer, Semi, Anti} {
			want := naiveMerge(l, rt, keys, how)
			for pi, plan := range []struct{ lp, rp, bc int }{{4, 1, 0}, {1, 3, 0}, {4, 3, -1}, {5, 2, 2}, {3, 4, -1}} {
				ex := execs[(seed+pi)%len(execs)]
				lf := FromStructs(plan.lp, l).Filter(nonNeg)
				rf := FromStructs(plan.rp, rt).Filter(nonNeg)
				j := lf.Merge(rf, MergeOptions{How: how, On: keys, Broadcast: plan.bc})
				tab, err := j.Compute(ctx, ex.opts...)
				if err != nil {
					t.Fatalf("keys %v %s %+v %s: %v", keys, how, plan, ex.name, err)
				}
				got := tableRows(t, tab)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("keys %v %s %+v %s: %d rows, want %d\nplan:\n%s\ngot  %v\nwant %v", keys, how, plan, ex.name,
						len(got), len(want), j.Explain(), got[:min(3, len(got))], want[:min(3, len(want))])
				}
			}
		}
	}
}

func countOps(t *testing.T, f *Frame, name string) int {
	t.Helper()
	g, err := f.Graph()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, task := range g.Tasks() {
		if task.Op.Name() == name {
			n++
		}
	}
	return n
}

// TestMergeCoPartitionedNoShuffle joins two groupby outputs hash-partitioned
// on the join key into the same number of partitions: no split task is
// added, and the result equals the shuffled join's.
func TestMergeCoPartitionedNoShuffle(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewSource(7))
	mk := func(n int) *Frame {
		ks := make([]string, n)
		is := make([]int64, n)
		vs := make([]float64, n)
		for i := range ks {
			ks[i] = fmt.Sprintf("k%d", r.Intn(300))
			is[i] = int64(r.Intn(40))
			vs[i] = float64(r.Intn(100))
		}
		return FromColumns(6, Column{"k", ks}, Column{"i", is}, Column{"v", vs})
	}
	a := mk(2000).GroupBy("k").SplitOut(4).Agg(Col("v").Sum().Alias("sa"))
	b := mk(1500).GroupBy("k").SplitOut(4).Agg(Col("v").Max().Alias("mb"))
	for _, how := range []How{Inner, Left, Right, Outer, Semi, Anti} {
		j := a.Merge(b, MergeOptions{How: how, On: []string{"k"}})
		if got, want := countOps(t, j, "frame.split"), countOps(t, a, "frame.split")+countOps(t, b, "frame.split"); got != want {
			t.Fatalf("%s: %d split tasks, want the groupbys' %d\n%s", how, got, want, j.Explain())
		}
		if !strings.Contains(j.Explain(), "co-partitioned") {
			t.Fatalf("%s: plan does not say co-partitioned:\n%s", how, j.Explain())
		}
		shuffled := a.Merge(b, MergeOptions{How: how, On: []string{"k"}, Partitions: 3})
		if countOps(t, shuffled, "frame.split") == countOps(t, j, "frame.split") {
			t.Fatalf("%s: the reference join did not shuffle", how)
		}
		got, err := j.Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
		if err != nil {
			t.Fatal(err)
		}
		want, err := shuffled.Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := tableRows(t, got), tableRows(t, want); strings.Join(g, "\n") != strings.Join(w, "\n") || len(g) == 0 && how != Anti {
			t.Fatalf("%s: co-partitioned join has %d rows, shuffled %d", how, len(g), len(w))
		}
	}
	// Persisted groupby outputs keep their partitioning: the join graph has
	// no split task at all, and a join of the join is co-partitioned too.
	pa, err := a.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	j := pa.Join(pb, Inner, "k").Filter(Col("sa").Gt(Lit(0.0)))
	jj := j.Join(pb.Rename(map[string]string{"mb": "mb2"}), Left, "k")
	if n := countOps(t, jj, "frame.split"); n != 0 {
		t.Fatalf("%d split tasks joining persisted co-partitioned frames\n%s", n, jj.Explain())
	}
	want, err := a.Join(b, Inner, "k").Filter(Col("sa").Gt(Lit(0.0))).Join(b.Rename(map[string]string{"mb": "mb2"}), Left, "k").Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := jj.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := tableRows(t, got), tableRows(t, want); strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Fatalf("persisted co-partitioned join differs: %d rows, want %d", len(g), len(w))
	}
	// Different partition counts or other keys shuffle (broadcast off: these
	// sides are small enough to be broadcast by size).
	shuffled := MergeOptions{On: []string{"k"}, Broadcast: -1}
	c := mk(100).GroupBy("k").SplitOut(3).Agg(Col("v").Sum().Alias("sc"))
	if n := countOps(t, a.Merge(c, shuffled), "frame.split"); n == countOps(t, a, "frame.split")+countOps(t, c, "frame.split") {
		t.Fatalf("4 and 3 partitions joined without a shuffle")
	}
	d := mk(100).GroupBy("k", "i").SplitOut(4).Agg(Col("v").Sum().Alias("sd"))
	if n := countOps(t, a.Merge(d, shuffled), "frame.split"); n == countOps(t, a, "frame.split")+countOps(t, d, "frame.split") {
		t.Fatalf("partitioned on [k i] but joined on k without a shuffle")
	}
}

// TestDropDuplicatesMatchesFirstOccurrence checks DropDuplicates on random
// data with nulls and many distinct values against a first-occurrence scan,
// on several partition counts and executors; Unique and NUnique too.
func TestDropDuplicatesMatchesFirstOccurrence(t *testing.T) {
	ctx := context.Background()
	spill := t.TempDir()
	for seed := int64(0); seed < 3; seed++ {
		r := rand.New(rand.NewSource(seed))
		rows := randKRows(r, 600, 50+int(seed)*200)
		for i := range rows {
			rows[i].V = float64(i) // identifies the row kept
		}
		for _, subset := range [][]string{{"i"}, {"s"}, {"f", "i"}, nil} {
			keyOf := func(x krow) string {
				cols := subset
				if cols == nil {
					cols = []string{"i", "s", "f", "v"}
				}
				var b strings.Builder
				for _, c := range cols {
					fmt.Fprintf(&b, "%v|", x.cell(c))
				}
				return b.String()
			}
			seen := map[string]bool{}
			var want []string
			for _, x := range rows {
				if k := keyOf(x); !seen[k] {
					seen[k] = true
					want = append(want, fmt.Sprintf("i=%v;s=%v;f=%v;v=%v;", x.cell("i"), x.cell("s"), x.cell("f"), x.cell("v")))
				}
			}
			sort.Strings(want)
			for _, c := range []struct {
				parts int
				opts  []sched.Option
			}{{1, nil}, {5, nil}, {4, []sched.Option{sched.WithExecutor(sched.NewLoopback())}}, {3, []sched.Option{sched.WithMemoryLimit(1), sched.WithSpillDir(spill)}}} {
				f := FromStructs(c.parts, rows).DropDuplicates(subset...)
				if c.parts > 1 && countOps(t, f, "frame.split") != c.parts {
					t.Fatalf("%d partitions: %d split tasks\n%s", c.parts, countOps(t, f, "frame.split"), f.Explain())
				}
				tab, err := f.Compute(ctx, c.opts...)
				if err != nil {
					t.Fatal(err)
				}
				if got := tableRows(t, tab); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("seed %d subset %v parts %d: %d rows, want %d\n%v\n%v", seed, subset, c.parts, len(got), len(want), got[:min(4, len(got))], want[:min(4, len(want))])
				}
			}
		}
		// Unique and NUnique (nulls: one value in Unique, not counted by NUnique).
		f := FromStructs(4, rows)
		vals := map[string]map[any]bool{"i": {}, "s": {}}
		for _, x := range rows {
			for c := range vals {
				vals[c][x.cell(c)] = true
			}
		}
		u, err := f.Unique("i").Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if u.NumRows() != len(vals["i"]) || len(u.Columns()) != 1 {
			t.Fatalf("Unique: %d rows %v, want %d", u.NumRows(), u.Columns(), len(vals["i"]))
		}
		nu, err := f.NUnique("i", "s").Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
		if err != nil {
			t.Fatal(err)
		}
		if nu.NumRows() != 1 || nu.Value(0, "i") != int64(len(vals["i"])-1) || nu.Value(0, "s") != int64(len(vals["s"])-1) {
			t.Fatalf("NUnique: %v, want i=%d s=%d", nu, len(vals["i"])-1, len(vals["s"])-1)
		}
	}
	if err := FromStructs(1, []krow{{}}).DropDuplicates("nope").Err(); err == nil || !strings.Contains(err.Error(), `unknown column "nope"`) {
		t.Fatalf("err = %v", err)
	}
}

// TestMergeErrorsNameTheSide checks the bad-input errors: a key absent on
// one side names it and lists that side's columns; keys of different types
// suggest Cast.
func TestMergeErrorsNameTheSide(t *testing.T) {
	l := FromColumns(1, Column{"id", []int64{1}}, Column{"a", []float64{1}})
	r := FromColumns(1, Column{"key", []string{"1"}}, Column{"b", []float64{2}})
	err := l.Merge(r, MergeOptions{LeftOn: []string{"id"}, RightOn: []string{"id"}}).Err()
	if err == nil || !strings.Contains(err.Error(), `right side: unknown column "id"; the columns are [key, b]`) {
		t.Fatalf("err = %v", err)
	}
	err = l.Merge(r, MergeOptions{LeftOn: []string{"key"}, RightOn: []string{"key"}}).Err()
	if err == nil || !strings.Contains(err.Error(), `left side: unknown column "key"; the columns are [id, a]`) {
		t.Fatalf("err = %v", err)
	}
	err = l.Merge(r, MergeOptions{LeftOn: []string{"id"}, RightOn: []string{"key"}}).Err()
	if err == nil || !strings.Contains(err.Error(), "Cast") || !strings.Contains(err.Error(), "int64") || !strings.Contains(err.Error(), "utf8") {
		t.Fatalf("err = %v", err)
	}
}
