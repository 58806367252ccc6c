package bag_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/godask/godask/delayed/bag"
	"github.com/godask/godask/sched"
)

func strKey(x int) string { return fmt.Sprintf("k%d", x%997) }

// Under a memory limit far below the data, the FoldBy shuffle spills its
// splits part by part and reads single parts back, and the answer is still
// the reference's.
func TestFoldBySpillsUnderTinyMemory(t *testing.T) {
	ctx := context.Background()
	xs := make([]int, 20000)
	want := map[string]int{}
	for i := range xs {
		xs[i] = i * 7919 % 10007
		want[strKey(xs[i])] += xs[i]
	}
	var spilled, partLoads atomic.Int64
	obs := sched.ObserverFunc(func(e sched.Event) {
		switch e.Kind {
		case sched.ValueSpilled:
			spilled.Add(1)
		case sched.PartLoaded:
			partLoads.Add(1)
		}
	})
	b := bag.FoldBy(bag.FromSlice(xs, 16), strKey, addTo, 0, add, bag.SplitOut(8))
	got, err := b.Compute(ctx, sched.WithMemoryLimit(32<<10), sched.WithWorkers(2), sched.WithObserver(obs), sched.WithProgress(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d groups, want %d", len(got), len(want))
	}
	for _, p := range got {
		if want[p.Key] != p.Value {
			t.Fatalf("key %s: %d, want %d", p.Key, p.Value, want[p.Key])
		}
	}
	if spilled.Load() == 0 || partLoads.Load() == 0 {
		t.Fatalf("nothing spilled (%d spills, %d part loads)", spilled.Load(), partLoads.Load())
	}
	t.Logf("%d values spilled, %d parts read back", spilled.Load(), partLoads.Load())
}

// Frequencies over strings of every length up to 40, with many collisions of
// prefixes and suffixes, against a map.
func TestFrequenciesStringTable(t *testing.T) {
	var xs []string
	want := map[string]int64{}
	for i := 0; i < 30000; i++ {
		n := i % 41
		s := fmt.Sprintf("%0*d", n, i%(n*n+1))
		if n == 0 {
			s = ""
		} else if len(s) > n {
			s = s[len(s)-n:]
		}
		xs = append(xs, s)
		want[s]++
	}
	got, err := bag.Frequencies(bag.FromSlice(xs, 7)).Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d distinct, want %d", len(got), len(want))
	}
	for _, p := range got {
		if want[p.Key] != p.Value {
			t.Fatalf("%q: %d, want %d", p.Key, p.Value, want[p.Key])
		}
	}
}
