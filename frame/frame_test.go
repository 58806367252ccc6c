package frame

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

func randFrame(t *testing.T, n, nparts int, seed int64) (*Frame, []string, []int64, []float64, []bool) {
	rng := rand.New(rand.NewSource(seed))
	ks := make([]string, n)
	is := make([]int64, n)
	fs := make([]float64, n)
	valid := make([]bool, n)
	for i := range ks {
		ks[i] = fmt.Sprintf("k%d", rng.Intn(37))
		is[i] = int64(rng.Intn(1000) - 500)
		fs[i] = rng.NormFloat64() * 10
		valid[i] = rng.Intn(10) != 0
	}
	f := FromColumns(nparts, Column{"k", ks}, Column{"i", is}, Column{"f0", fs})
	// f: f0 with nulls where !valid.
	f = f.WithColumn("f", When(Lit(true).And(Col("i").Ge(Lit(-1000)))).Then(Col("f0")).Otherwise(Lit(nil)))
	_ = valid
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	return f, ks, is, fs, valid
}

func opts() []sched.Option {
	return []sched.Option{sched.WithExecutor(sched.NewLoopback()), sched.WithProgress(nil)}
}

func TestGroupBySumMeanAgainstNaive(t *testing.T) {
	ctx := context.Background()
	for _, np := range []int{1, 3, 9, 20} {
		f, ks, is, fs, _ := randFrame(t, 5000, np, int64(np))
		g := f.GroupBy("k").Agg(Col("i").Sum(), Col("f").Mean().Alias("fm"), Col("i").Count().Alias("n"),
			Col("f").Std().Alias("fs"), Col("i").Min().Alias("mn"), Col("i").Max().Alias("mx"),
			Col("i").Max().Sub(Col("i").Min()).Alias("rng"), Col("f").Var().Alias("fv"))
		tab, err := g.Compute(ctx, opts()...)
		if err != nil {
			t.Fatal(err)
		}
		type acc struct {
			sum, n, mn, mx int64
			fs             []float64
		}
		ref := map[string]*acc{}
		for i, k := range ks {
			a := ref[k]
			if a == nil {
				a = &acc{mn: math.MaxInt64, mx: math.MinInt64}
				ref[k] = a
			}
			a.sum += is[i]
			a.n++
			a.mn = min(a.mn, is[i])
			a.mx = max(a.mx, is[i])
			a.fs = append(a.fs, fs[i])
		}
		if tab.NumRows() != len(ref) {
			t.Fatalf("np=%d: %d groups, want %d", np, tab.NumRows(), len(ref))
		}
		for r := 0; r < tab.NumRows(); r++ {
			k := tab.Value(r, "k").(string)
			a := ref[k]
			if tab.Value(r, "i").(int64) != a.sum || tab.Value(r, "n").(int64) != a.n ||
				tab.Value(r, "mn").(int64) != a.mn || tab.Value(r, "rng").(int64) != a.mx-a.mn {
				t.Fatalf("np=%d group %s: got %v %v %v, want %d %d %d", np, k, tab.Value(r, "i"), tab.Value(r, "n"), tab.Value(r, "mn"), a.sum, a.n, a.mn)
			}
			var s float64
			for _, v := range a.fs {
				s += v
			}
			m := s / float64(len(a.fs))
			var q float64
			for _, v := range a.fs {
				q += (v - m) * (v - m)
			}
			sd := math.Sqrt(q / float64(len(a.fs)-1))
			if math.Abs(tab.Value(r, "fm").(float64)-m) > 1e-9 || math.Abs(tab.Value(r, "fs").(float64)-sd) > 1e-9 {
				t.Fatalf("np=%d group %s: mean/std %v %v want %v %v", np, k, tab.Value(r, "fm"), tab.Value(r, "fs"), m, sd)
			}
		}
	}
}

func TestFilterSelectExprs(t *testing.T) {
	ctx := context.Background()
	f, ks, is, fs, _ := randFrame(t, 3000, 4, 7)
	q := f.Filter(Col("i").Gt(Lit(100)).And(Col("k").IsIn("k1", "k2", "k3").Not())).
		Select(Col("k").Upper().Alias("K"), Col("i").Mul(Lit(2)).Add(Lit(1)).Alias("j"), Col("f").Div(Lit(2)).Alias("h"))
	tab, err := q.Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range ks {
		if is[i] > 100 && ks[i] != "k1" && ks[i] != "k2" && ks[i] != "k3" {
			want = append(want, fmt.Sprintf("%s %d %.6f", strings.ToUpper(ks[i]), is[i]*2+1, fs[i]/2))
		}
	}
	var got []string
	for r := 0; r < tab.NumRows(); r++ {
		got = append(got, fmt.Sprintf("%s %d %.6f", tab.Value(r, "K"), tab.Value(r, "j"), tab.Value(r, "h")))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
}

func TestManyGroupsSplitOut(t *testing.T) {
	ctx := context.Background()
	n := 20000
	rng := rand.New(rand.NewSource(3))
	a := make([]int64, n)
	b := make([]string, n)
	v := make([]float64, n)
	ref := map[string]float64{}
	cnt := map[string]int{}
	for i := range a {
		a[i] = int64(rng.Intn(3000))
		b[i] = fmt.Sprintf("s%d", rng.Intn(3))
		v[i] = float64(rng.Intn(100))
		k := fmt.Sprint(a[i], b[i])
		ref[k] += v[i]
		cnt[k]++
	}
	f := FromColumns(16, Column{"a", a}, Column{"b", b}, Column{"v", v})
	// An input this small merges in a tree by default (treeSmallAggs);
	// asked for, the hash-partitioned merge of many groups.
	if d := f.GroupBy("a", "b").Agg(Col("v").Sum()); d.NPartitions() != 1 {
		t.Fatalf("a small groupby has %d partitions by default, want 1", d.NPartitions())
	}
	g := f.GroupBy("a", "b").SplitOut(8).Agg(Col("v").Sum(), Col("v").Size().Alias("n"), Col("v").Median().Alias("med"))
	if g.NPartitions() != 8 {
		t.Fatalf("split_out not kept: %d partitions", g.NPartitions())
	}
	tab, err := g.Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if tab.NumRows() != len(ref) {
		t.Fatalf("%d groups, want %d", tab.NumRows(), len(ref))
	}
	for r := 0; r < tab.NumRows(); r++ {
		k := fmt.Sprint(tab.Value(r, "a"), tab.Value(r, "b"))
		if tab.Value(r, "v").(float64) != ref[k] || int(tab.Value(r, "n").(int64)) != cnt[k] {
			t.Fatalf("group %s: %v %v want %v %v", k, tab.Value(r, "v"), tab.Value(r, "n"), ref[k], cnt[k])
		}
	}
	// Algebraic path with split.
	g2 := f.GroupBy("a", "b").SplitOut(8).Agg(Col("v").Sum())
	tab2, err := g2.Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if tab2.NumRows() != len(ref) || g2.NPartitions() < 2 {
		t.Fatalf("%d groups in %d partitions", tab2.NumRows(), g2.NPartitions())
	}
}

func TestNLargestAndReductions(t *testing.T) {
	ctx := context.Background()
	f, _, is, fs, _ := randFrame(t, 4000, 5, 11)
	tab, err := f.NLargest(7, "i").Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	s := append([]int64(nil), is...)
	sort.Slice(s, func(a, b int) bool { return s[a] > s[b] })
	for r := 0; r < 7; r++ {
		if tab.Value(r, "i").(int64) != s[r] {
			t.Fatalf("row %d: %v want %d", r, tab.Value(r, "i"), s[r])
		}
	}
	red, err := f.Agg(Col("i").Sum().Alias("s"), Col("f").Max().Alias("mx"), Col("i").NUnique().Alias("nu")).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	mx := math.Inf(-1)
	uniq := map[int64]bool{}
	for i := range is {
		sum += is[i]
		mx = math.Max(mx, fs[i])
		uniq[is[i]] = true
	}
	if red.Value(0, "s").(int64) != sum || red.Value(0, "mx").(float64) != mx || red.Value(0, "nu").(int64) != int64(len(uniq)) {
		t.Fatalf("got %v, want %d %v %d", red, sum, mx, len(uniq))
	}
	d, err := f.Describe().Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if d.NumRows() != 8 || d.Value(0, "i").(float64) != float64(len(is)) {
		t.Fatalf("describe:\n%v", d)
	}
}

func TestPlanErrors(t *testing.T) {
	f := FromColumns(2, Column{"s", []string{"a", "b"}}, Column{"x", []int64{1, 2}})
	cases := map[string]*Frame{
		`unknown column "nope"; the columns are [s, x]`: f.Filter(Col("nope").Gt(Lit(1))),
		"sum of utf8 column":                            f.GroupBy("x").Agg(Col("s").Sum()),
		`GroupBy: unknown column "zz"`:                  f.GroupBy("zz").Sum(),
		"comparison of utf8 with int64":                 f.Filter(Col("s").Gt(Col("x"))),
	}
	for want, fr := range cases {
		if fr.Err() == nil || !strings.Contains(fr.Err().Error(), want) {
			t.Errorf("want error containing %q, got %v", want, fr.Err())
		}
		if _, err := fr.Compute(context.Background()); err == nil {
			t.Errorf("Compute of a failed frame succeeded")
		}
	}
}

func TestHeadTailLen(t *testing.T) {
	ctx := context.Background()
	xs := make([]int64, 1000)
	for i := range xs {
		xs[i] = int64(i)
	}
	f := FromColumns(10, Column{"x", xs})
	h, err := f.Head(ctx, 150, opts()...)
	if err != nil || h.NumRows() != 150 || h.Value(149, "x").(int64) != 149 {
		t.Fatalf("head: %v %v", h, err)
	}
	tl, err := f.Tail(ctx, 5, opts()...)
	if err != nil || tl.NumRows() != 5 || tl.Value(0, "x").(int64) != 995 {
		t.Fatalf("tail: %v %v", tl, err)
	}
	n, err := f.Filter(Col("x").Ge(Lit(900))).Len(ctx, opts()...)
	if err != nil || n != 100 {
		t.Fatalf("len %d %v", n, err)
	}
	vc, err := FromColumns(3, Column{"s", []string{"a", "b", "a", "c", "a", "b"}}).ValueCounts("s").Compute(ctx, opts()...)
	if err != nil || vc.Value(0, "s") != "a" || vc.Value(0, "count").(int64) != 3 || vc.NumRows() != 3 {
		t.Fatalf("value counts: %v %v", vc, err)
	}
	u, err := FromColumns(3, Column{"s", []string{"a", "b", "a", "c"}}).Unique("s").Compute(ctx, opts()...)
	if err != nil || u.NumRows() != 3 {
		t.Fatalf("unique: %v %v", u, err)
	}
}
