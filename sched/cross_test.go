package sched

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/leak"
)

// finishOrder records the order in which tasks finish and the values
// spilled, by run index.
type finishOrder struct {
	mu      sync.Mutex
	rank    map[int]int
	spilled []int
}

func (f *finishOrder) Observe(e Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch e.Kind {
	case TaskFinished:
		f.rank[e.Index] = len(f.rank)
	case ValueSpilled:
		f.spilled = append(f.spilled, e.Index)
	}
}

// reversedInputs returns g with the inputs of task out in reverse order, so
// that the roots run in the reverse of their positions in the graph (the
// order a spill looks at them in): only the LRU stamps, not the positions,
// can then tell the oldest values.
func reversedInputs(g *graph.Graph, out graph.Key) *graph.Graph {
	h := &graph.Graph{}
	for _, tk := range g.Tasks() {
		if tk.Key == out {
			c := *tk
			c.Deps = slices.Clone(tk.Deps)
			slices.Reverse(c.Deps)
			tk = &c
		}
		h.Add(tk)
	}
	return h
}

// TestRunCrossingTheLimitMidwaySpills: a run that starts far below the
// memory target, where a worker's bookkeeping is batched (bytes added to the
// shared total a batch at a time, values stamped when made, not at each
// use), and crosses the target half-way still spills as much as the exact
// accounting requires, picks the oldest values to spill, and gives the
// sequential answer.
func TestRunCrossingTheLimitMidwaySpills(t *testing.T) {
	leak.Check(t)
	const limit = 8 << 20 // target 4.8 MiB, exact from 2.4 MiB
	for _, w := range []int{1, 2, 3} {
		g, out, want := fanIn(t, 600, 2048, 0) // 600 values of 16 KiB: 9.4 MiB, all read at the end
		g = reversedInputs(g, out)
		f := &finishOrder{rank: map[int]int{}}
		vals, err := Run(context.Background(), g, []graph.Key{out}, WithMemoryLimit(limit), WithSpillDir(t.TempDir()),
			WithObserver(f), WithProgress(nil), WithoutFusion(), WithWorkers(w))
		if err != nil {
			t.Fatal(err)
		}
		if got := vals[0].([]float64)[0]; got != want {
			t.Fatalf("workers=%d: sum %v, want %v", w, got, want)
		}
		// 9.4 MiB made, at most the target held: about 4.6 MiB must go to disk.
		if len(f.spilled) < 250 {
			t.Fatalf("workers=%d: %d of 600 values spilled, want at least 250", w, len(f.spilled))
		}
		// LRU: the values spilled are the oldest. Ranks of the 600 roots
		// run 0..599 (the sum is last), averaging 299.5; the spilled ones
		// must be mostly from the first half.
		sum, early := 0, 0
		for i, r := range f.rank {
			if r < 300 && i > 300 {
				early++
			}
		}
		if early < 200 {
			t.Fatalf("workers=%d: the roots ran in position order (%d of the first 300 to finish are in the second half), the test needs the reverse", w, early)
		}
		for _, i := range f.spilled {
			sum += f.rank[i]
		}
		if mean := float64(sum) / float64(len(f.spilled)); mean > 250 {
			t.Fatalf("workers=%d: spilled values finished at rank %.0f on average, want the oldest (< 250)", w, mean)
		}
		t.Logf("workers=%d: %d spilled, mean finish rank %.0f", w, len(f.spilled), float64(sum)/float64(len(f.spilled)))
	}
}
