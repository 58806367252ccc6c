package frame

import (
	"context"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

func sameIDs(t *testing.T, what string, got []int64, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: row %d is id %d, want %d", what, i, got[i], want[i])
		}
	}
}

func seq(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i)
	}
	return out
}

func TestRepartitionKeepsOrder(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	d := newSortData(rng, 2000, 7, 100)
	f := d.frame()
	for _, n := range []int{1, 2, 3, 7, 8, 20, 50} {
		r := f.Repartition(n)
		if r.NPartitions() != n {
			t.Fatalf("Repartition(%d): %d partitions", n, r.NPartitions())
		}
		parts := partitions(t, r, sched.WithExecutor(sched.NewLoopback()))
		var got []int64
		for _, p := range parts {
			got = append(got, ids(t, &Table{rec: p})...)
		}
		sameIDs(t, "repartition", got, seq(2000))
		if n > 7 {
			if ops := opsIn(t, r); ops["frame.concat"] != 0 {
				t.Errorf("splitting made concat tasks: %v", ops)
			}
		}
	}
	if e := f.Repartition(0).Err(); e == nil || !strings.Contains(e.Error(), "at least one") {
		t.Errorf("Repartition(0): %v", e)
	}
}

func TestRepartitionBytes(t *testing.T) {
	ctx := context.Background()
	v := make([]int64, 10000)
	for i := range v {
		v[i] = int64(i)
	}
	// Partitions of 1000 rows (8000 bytes) and a few small ones.
	f := FromColumns(10, Column{"id", v})
	for _, size := range []int64{2000, 8000, 20000, 1 << 30} {
		r, err := f.RepartitionBytes(ctx, size)
		if err != nil {
			t.Fatal(err)
		}
		parts := partitions(t, r)
		var got []int64
		for _, p := range parts {
			if s := rowsSize(p); s > size && p.NumRows() > 1 {
				t.Errorf("size %d: a partition of %d bytes", size, s)
			}
			got = append(got, ids(t, &Table{rec: p})...)
		}
		sameIDs(t, "repartition bytes", got, seq(10000))
		if size == 1<<30 && len(parts) != 1 {
			t.Errorf("all fit in one: %d partitions", len(parts))
		}
		if size == 2000 && len(parts) != 40 {
			t.Errorf("size 2000: %d partitions, want 40", len(parts))
		}
	}
	if _, err := f.RepartitionBytes(ctx, 0); err == nil {
		t.Error("RepartitionBytes(0) succeeded")
	}
}

func TestRepartitionDivisions(t *testing.T) {
	ctx := context.Background()
	x, err := FromColumns(6, Column{"id", seq(600)}).SortValues(true, "id").SetIndex(ctx, "id")
	if err != nil {
		t.Fatal(err)
	}
	if m := x.Repartition(3); len(m.Divisions()) != 4 || m.Divisions()[0] != int64(0) || m.Divisions()[3] != int64(599) {
		t.Errorf("merge divisions %v", m.Divisions())
	}
	if s := x.Repartition(12); s.Divisions() != nil {
		t.Errorf("split kept divisions %v", s.Divisions())
	}
	tab, err := x.Repartition(4).LocRange(100, 199).Compute(ctx)
	if err != nil || tab.NumRows() != 100 {
		t.Fatalf("%v %v", tab, err)
	}
}

func TestConcat(t *testing.T) {
	ctx := context.Background()
	a := FromColumns(3, Column{"id", seq(30)}, Column{"s", make([]string, 30)})
	b := FromColumns(2, Column{"s", make([]string, 20)}, Column{"id", seq(50)[30:]})
	c := Concat(a, b, a)
	if c.Err() != nil {
		t.Fatal(c.Err())
	}
	if c.NPartitions() != 8 {
		t.Fatalf("%d partitions", c.NPartitions())
	}
	tab, err := c.Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "concat", ids(t, tab), append(seq(50), seq(30)...))
	if cols := tab.Columns(); strings.Join(cols, ",") != "id,s" {
		t.Errorf("columns %v", cols)
	}
	// Projection and filters over a concat.
	tab, err = c.Filter(Col("id").Ge(Lit(25))).SelectCols("id").Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tab.NumRows() != 30 || len(tab.Columns()) != 1 {
		t.Errorf("filtered: %d rows %v", tab.NumRows(), tab.Columns())
	}
	for _, bad := range []struct {
		f    *Frame
		want string
	}{
		{Concat(), "no frames"},
		{Concat(a, FromColumns(1, Column{"id", []float64{1}}, Column{"s", []string{""}})), `column "id" is int64 in frame 0 and float64 in frame 1`},
		{Concat(a, FromColumns(1, Column{"id", []int64{1}})), `frame 1 has no column "s"`},
		{Concat(a, FromColumns(1, Column{"id", []int64{1}}, Column{"s", []string{""}}, Column{"z", []int64{1}})), `frame 1 has column "z"`},
		{Concat(a, a.SelectCols("nope")), "nope"},
	} {
		if bad.f.Err() == nil || !strings.Contains(bad.f.Err().Error(), bad.want) {
			t.Errorf("err %v, want %q", bad.f.Err(), bad.want)
		}
	}
}

func TestConcatDivisions(t *testing.T) {
	ctx := context.Background()
	lo, err := FromColumns(3, Column{"k", seq(300)}).SetIndex(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	hi, err := FromColumns(2, Column{"k", seq(500)[300:]}).SetIndex(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	c := Concat(lo, hi)
	d := c.Divisions()
	if len(d) != 6 || d[0] != int64(0) || d[5] != int64(499) {
		t.Fatalf("divisions %v", d)
	}
	tab, err := c.LocRange(250, 349).Compute(ctx)
	if err != nil || tab.NumRows() != 100 {
		t.Fatalf("%v %v", tab, err)
	}
	if Concat(hi, lo).Divisions() != nil {
		t.Error("out-of-order concat kept divisions")
	}
	if !strings.Contains(c.Explain(), "concat 2 frames index=k") {
		t.Errorf("explain:\n%s", c.Explain())
	}
}
