package frame

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/godask/godask/sched"
)

// joinTables returns two frames of n rows each (4 partitions, int64 keys
// drawn from 0..n, a float with NaN and a unicode string column), for the
// memory-sized join tests.
func memJoinTables(n int, seed int64) (*Frame, *Frame) {
	rng := rand.New(rand.NewSource(seed))
	mk := func(name string) *Frame {
		k := make([]int64, n)
		v := make([]float64, n)
		s := make([]string, n)
		for i := range k {
			k[i] = int64(rng.Intn(n))
			v[i] = rng.Float64()
			if i%97 == 0 {
				v[i] = 0
			}
			s[i] = fmt.Sprintf("é%d", rng.Intn(1000))
		}
		return FromColumns(4, Column{Name: "k", Values: k}, Column{Name: name + "v", Values: v}, Column{Name: name + "s", Values: s})
	}
	return mk("l"), mk("r")
}

// TestJoinSizedFromMemoryLimit: under a run's memory limit a shuffle join
// of default partition count gets enough partitions that a piece of both
// sides fits a task's share, and the answer is the unlimited one; explicit
// Partitions are kept.
func TestJoinSizedFromMemoryLimit(t *testing.T) {
	ctx := context.Background()
	l, r := memJoinTables(20000, 1)
	want, err := l.Join(r, Inner, "k").Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	free := l.Join(r, Inner, "k")
	if p := free.NPartitions(); p != 4 {
		t.Fatalf("partitions without a limit: %d, want 4", p)
	}
	j := l.Join(r, Inner, "k")
	got, err := j.Compute(ctx, sched.WithMemoryLimit(1<<20), sched.WithWorkers(2), sched.WithSpillDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	// 20000 rows of about 32 bytes a side, 4 times, in 512 KiB tasks.
	if p := j.NPartitions(); p < 9 || p > 12 {
		t.Fatalf("partitions under a 1 MiB limit: %d, want about 10", p)
	}
	if !slices.Equal(sortedRows(got), sortedRows(want)) {
		t.Fatalf("the memory-sized join differs: %d rows, want %d", got.NumRows(), want.NumRows())
	}
	for _, how := range []How{Left, Outer, Right} {
		w, err := l.Join(r, how, "k").Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		g, err := l.Join(r, how, "k").Compute(ctx, sched.WithMemoryLimit(1<<20), sched.WithWorkers(2), sched.WithSpillDir(t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sortedRows(g), sortedRows(w)) {
			t.Fatalf("%s join: the memory-sized join differs", how)
		}
	}
	fixed := l.Merge(r, MergeOptions{How: Inner, On: []string{"k"}, Partitions: 3})
	if _, err := fixed.Compute(ctx, sched.WithMemoryLimit(1<<20), sched.WithWorkers(2), sched.WithSpillDir(t.TempDir())); err != nil {
		t.Fatal(err)
	}
	if p := fixed.NPartitions(); p != 3 {
		t.Fatalf("explicit Partitions 3 became %d", p)
	}
}

// TestJoinWarnsWhenTaskCannotFit: a join task whose inputs cannot fit its
// share of the limit (here one partition, as the user asked) sends a
// sched.Warning saying so; under a large limit it does not.
func TestJoinWarnsWhenTaskCannotFit(t *testing.T) {
	ctx := context.Background()
	l, r := memJoinTables(20000, 2)
	var mu sync.Mutex
	var warns []string
	obs := sched.ObserverFunc(func(e sched.Event) {
		if e.Kind == sched.Warning {
			mu.Lock()
			warns = append(warns, e.Msg)
			mu.Unlock()
		}
	})
	one := func() *Frame {
		return l.Merge(r, MergeOptions{How: Inner, On: []string{"k"}, Partitions: 1, Broadcast: -1})
	}
	if _, err := one().Compute(ctx, sched.WithObserver(obs), sched.WithMemoryLimit(1<<20), sched.WithWorkers(2), sched.WithSpillDir(t.TempDir())); err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "join task holds 20000 left and 20000 right rows") || !strings.Contains(warns[0], "Partitions") {
		t.Fatalf("warnings %q", warns)
	}
	warns = nil
	if _, err := one().Compute(ctx, sched.WithObserver(obs), sched.WithMemoryLimit(1<<30)); err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Fatalf("warnings under a large limit: %q", warns)
	}
}

// TestSizeJoinsBroadcastTooBig: an automatically broadcast side too large
// for a task's share is shuffled instead; the plan the caller holds is not
// changed.
func TestSizeJoinsBroadcastTooBig(t *testing.T) {
	l, r := memJoinTables(20000, 3)
	j := l.Join(r.Filter(Col("k").Lt(Lit(int64(2000)))), Inner, "k")
	n := optimize(j.n)
	if bcastSide(n, partsOf(n.in), partsOf(n.right)) == 0 {
		t.Skip("the filtered side is not broadcast by size here")
	}
	m := sizeJoins(n, 4<<10)
	if m == n || m.join == n.join {
		t.Fatal("sizeJoins kept a broadcast side far larger than a task's share")
	}
	if bcastSide(m, partsOf(m.in), partsOf(m.right)) != 0 {
		t.Fatal("still broadcast")
	}
	if bcastSide(n, partsOf(n.in), partsOf(n.right)) == 0 {
		t.Fatal("the original plan was changed")
	}
}

// TestBroadcastJoinSlicedByMemory: a join broadcasting a small right side
// joins each left partition in row ranges when one partition's join would
// not fit a task's share, and gives the unlimited answer in the same row
// order (inner and left joins).
func TestBroadcastJoinSlicedByMemory(t *testing.T) {
	ctx := context.Background()
	l, _ := memJoinTables(20000, 4)
	rk := make([]int64, 300)
	rv := make([]string, 300)
	for i := range rk {
		rk[i] = int64(i * 37 % 20000)
		rv[i] = fmt.Sprintf("ü%d", i)
	}
	r := FromColumns(1, Column{Name: "k", Values: rk}, Column{Name: "name", Values: rv})
	for _, how := range []How{Inner, Left} {
		want, err := l.Join(r, how, "k").Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		j := l.Join(r, how, "k")
		got, err := j.Compute(ctx, sched.WithMemoryLimit(1<<20), sched.WithWorkers(2), sched.WithSpillDir(t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		if p := j.NPartitions(); p <= 4 || p%4 != 0 {
			t.Fatalf("%s: %d partitions under a 1 MiB limit, want each of the 4 cut into ranges", how, p)
		}
		if g, w := orderedRows(got), orderedRows(want); !slices.Equal(g, w) {
			t.Fatalf("%s: the sliced join differs (or its order does): %d rows, want %d", how, len(g), len(w))
		}
	}
}

// orderedRows lists a table's rows as strings, in order.
func orderedRows(tab *Table) []string {
	out := make([]string, tab.NumRows())
	for i := range out {
		var b strings.Builder
		for _, c := range tab.Columns() {
			fmt.Fprintf(&b, "%v|", tab.Value(i, c))
		}
		out[i] = b.String()
	}
	return out
}
