package frame

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// extremeKRows are krows whose int keys include the int64 extremes and
// whose string keys are unicode, with nulls and duplicates.
func extremeKRows(r *rand.Rand, n int) []krow {
	ints := []int64{math.MinInt64, math.MaxInt64, 0, -1, 7, 1 << 40}
	strs := []string{"é", "日本", "", "a\u0301", "🙂"}
	floats := []float64{-2.5, 0.5, 1e300, -1e-300, 3}
	out := make([]krow, n)
	for i := range out {
		if r.Intn(12) > 0 {
			k := ints[r.Intn(len(ints))]
			out[i].I = &k
		}
		if r.Intn(12) > 0 {
			s := strs[r.Intn(len(strs))]
			out[i].S = &s
		}
		if r.Intn(12) > 0 {
			f := floats[r.Intn(len(floats))]
			out[i].F = &f
		}
		out[i].V = float64(r.Intn(1000)) / 4
	}
	return out
}

// TestBroadcastBuiltOnce: a side chosen for broadcast by its size, though
// it has several partitions, is gathered and hashed by one build task that
// every probe task shares; the answers equal nested loops for every join
// kind that can broadcast, on int (with the int64 extremes), unicode
// string, float and multi-column keys with nulls, on the local executor,
// the loopback one (the table crosses a codec) and under a one-byte limit
// (it is spilled and read back). An inner join with the small side on the
// left builds the left side once.
func TestBroadcastBuiltOnce(t *testing.T) {
	ctx := context.Background()
	spill := t.TempDir()
	execs := [][]sched.Option{nil, {sched.WithExecutor(sched.NewLoopback())}, {sched.WithMemoryLimit(1), sched.WithSpillDir(spill)}}
	for seed, keys := range [][]string{{"i"}, {"s"}, {"f"}, {"i", "s"}, {"s", "f", "i"}} {
		r := rand.New(rand.NewSource(int64(seed)))
		big := extremeKRows(r, 400+r.Intn(200))
		small := extremeKRows(r, 40+r.Intn(30))
		for _, how := range []How{Inner, Left, Semi, Anti} {
			j := FromStructs(6, big).Merge(FromStructs(3, small), MergeOptions{How: how, On: keys})
			plan := j.Explain()
			if !strings.Contains(plan, "broadcast right") || !strings.Contains(plan, "build right once") {
				t.Fatalf("keys %v %s: the small right side is not broadcast and built once:\n%s", keys, how, plan)
			}
			if n := countOps(t, j, "frame.joinbuild"); n != 1 {
				t.Fatalf("keys %v %s: %d build tasks, want 1", keys, how, n)
			}
			want := naiveMerge(big, small, keys, how)
			for e, opts := range execs {
				tab, err := FromStructs(6, big).Merge(FromStructs(3, small), MergeOptions{How: how, On: keys}).Compute(ctx, opts...)
				if err != nil {
					t.Fatalf("keys %v %s exec %d: %v", keys, how, e, err)
				}
				if got := tableRows(t, tab); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("keys %v %s exec %d: %d rows, want %d\ngot  %v\nwant %v", keys, how, e, len(got), len(want), got[:min(3, len(got))], want[:min(3, len(want))])
				}
			}
		}
		// The small side on the left of an inner join.
		j := FromStructs(3, small).Merge(FromStructs(6, big), MergeOptions{On: keys})
		if plan := j.Explain(); !strings.Contains(plan, "broadcast left") || !strings.Contains(plan, "build left once") {
			t.Fatalf("keys %v: the small left side is not broadcast and built once:\n%s", keys, plan)
		}
		want := naiveMerge(small, big, keys, Inner)
		for e, opts := range execs {
			tab, err := FromStructs(3, small).Merge(FromStructs(6, big), MergeOptions{On: keys}).Compute(ctx, opts...)
			if err != nil {
				t.Fatalf("keys %v left build exec %d: %v", keys, e, err)
			}
			if got := tableRows(t, tab); strings.Join(got, "\n") != strings.Join(want, "\n") || len(want) == 0 {
				t.Fatalf("keys %v left build exec %d: %d rows, want %d", keys, e, len(got), len(want))
			}
		}
	}
}

// TestBroadcastChoiceBySize: the broadcast choice follows the estimated
// cost. A side whose table would not fit a task's share of the run's
// memory limit is shuffled instead; Partitions asks for a shuffle; a right
// join, whose small left side each task would build again, broadcasts it
// only when that costs no more than a shuffle; the larger side is never
// broadcast.
func TestBroadcastChoiceBySize(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewSource(11))
	big := extremeKRows(r, 3000)
	small := extremeKRows(r, 600)
	mk := func(o MergeOptions) *Frame {
		o.On = []string{"i"}
		return FromStructs(8, big).Merge(FromStructs(4, small), o)
	}
	if plan := mk(MergeOptions{}).Explain(); !strings.Contains(plan, "broadcast right") {
		t.Fatalf("small right side not broadcast:\n%s", plan)
	}
	if plan := FromStructs(4, small).Merge(FromStructs(8, big), MergeOptions{How: Left, On: []string{"i"}}).Explain(); strings.Contains(plan, "broadcast") {
		t.Fatalf("a left join broadcast its larger right side or its left side:\n%s", plan)
	}
	if plan := mk(MergeOptions{Partitions: 5}).Explain(); !strings.Contains(plan, "hash-shuffle, partitions=5") {
		t.Fatalf("Partitions 5 did not shuffle:\n%s", plan)
	}
	// 600 rows of about 40 bytes, four times over, do not fit 16 KiB a task.
	j := mk(MergeOptions{})
	got, err := j.Compute(ctx, sched.WithMemoryLimit(32<<10), sched.WithWorkers(2), sched.WithSpillDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	if plan := j.Explain(); !strings.Contains(plan, "hash-shuffle") || countOps(t, j, "frame.joinbuild") != 0 {
		t.Fatalf("a broadcast side too big for the limit was not shuffled:\n%s", plan)
	}
	if g, w := tableRows(t, got), naiveMerge(big, small, []string{"i"}, Inner); strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Fatalf("the shuffled join differs: %d rows, want %d", len(g), len(w))
	}
	// A right join rebuilds a broadcast left side per task: 600 rows × 8
	// partitions is more than a shuffle of 3600 rows, so it shuffles; and
	// Broadcast -1 never broadcasts.
	rj := FromStructs(4, small).Merge(FromStructs(8, big), MergeOptions{How: Right, On: []string{"i"}})
	if plan := rj.Explain(); strings.Contains(plan, "broadcast") {
		t.Fatalf("right join broadcast its left side to 8 partitions:\n%s", plan)
	}
	rj = FromStructs(4, small).Merge(FromStructs(1, big), MergeOptions{How: Right, On: []string{"i"}, Broadcast: -1})
	if plan := rj.Explain(); strings.Contains(plan, "broadcast") {
		t.Fatalf("Broadcast -1 broadcast:\n%s", plan)
	}
}

// TestJoinTableCodec: a join table encodes as its record and decodes to a
// table that probes alike; bytes that are not a table are an error.
func TestJoinTableCodec(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewSource(3))
	rows := extremeKRows(r, 200)
	tab, err := FromStructs(1, rows).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rec := tab.Record()
	jt, err := newJoinTable(rec, []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := graph.EncodeValue(jt)
	if err != nil {
		t.Fatal(err)
	}
	v, err := graph.DecodeValue(b)
	if err != nil {
		t.Fatal(err)
	}
	back, ok := v.(*joinTable)
	if !ok {
		t.Fatalf("decoded a %T", v)
	}
	if back.Size() != jt.Size() || back.side.n != 200 || len(back.keys) != 2 {
		t.Fatalf("decoded table: size %d (want %d), %d rows, keys %v", back.Size(), jt.Size(), back.side.n, back.keys)
	}
	for i := range jt.h {
		if jt.h[i] != back.h[i] || jt.next[i] != back.next[i] {
			t.Fatalf("row %d: hash or chain differs after the round trip", i)
		}
	}
	if _, err := newJoinTable(rec, []int{9}); err == nil || !strings.Contains(err.Error(), "key column 9") {
		t.Fatalf("key column out of range: %v", err)
	}
	bad := append([]byte(nil), b[:len(b)/2]...)
	if _, err := graph.DecodeValue(bad); err == nil {
		t.Fatal("a truncated join table decoded")
	}
}
