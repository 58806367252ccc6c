package sched

import (
	"context"
	"errors"
	"math/rand"
	"sync"
	"testing"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/leak"
)

// TestReusedRunStateIsClean runs random graphs one after the other and
// from several goroutines at once, so that runs take the state a previous
// run left (see bufs.go), with and without a memory manager, spilling
// every value or none, with failing runs in between (a failed run leaves
// nothing to reuse), and checks every result against the sequential
// reference.
func TestReusedRunStateIsClean(t *testing.T) {
	leak.Check(t)
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for gr := 0; gr < 3; gr++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed))
			for trial := 0; trial < 40; trial++ {
				g, outs := randomGraph(t, rng, 1+rng.Intn(300))
				limit := []int64{-1, 0, 1}[rng.Intn(3)]
				if rng.Intn(5) == 0 {
					// A failing task somewhere in a copy of the graph.
					bad := &graph.Graph{}
					for i, tk := range g.Tasks() {
						if i == len(g.Tasks())/2 {
							tk = &graph.Task{Key: tk.Key, Op: failOp{}, Deps: tk.Deps}
						}
						bad.Add(tk)
					}
					if _, err := Run(context.Background(), bad, outs, WithMemoryLimit(limit), WithSpillDir(dir),
						WithProgress(nil), WithWorkers(1+rng.Intn(3))); err != nil && !errors.Is(err, errBoom) {
						errs <- err
						return
					}
				}
				vals, err := Run(context.Background(), g, outs, WithMemoryLimit(limit), WithSpillDir(dir),
					WithProgress(nil), WithWorkers(1+rng.Intn(3)))
				if err != nil {
					errs <- err
					return
				}
				memo := map[graph.Key]uint64{}
				for i, o := range outs {
					if want := reference(t, g, o, memo); vals[i].(uint64) != want {
						errs <- errors.New("a result differs from the sequential reference")
						return
					}
				}
			}
		}(int64(31 + gr))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// TestSpareBufsComeBackZeroed dirties a run's state, hands it back and
// checks that the next run's carved slices are zero and its values nil.
func TestSpareBufsComeBackZeroed(t *testing.T) {
	dropSpare()
	b := getBufs(100, 150, true)
	if !b.fresh {
		t.Fatal("no spare yet, but getBufs did not allocate")
	}
	for i := range b.i32 {
		b.i32[i] = 7
	}
	for i := range b.i64 {
		b.i64[i] = 7
	}
	for i := range b.vals {
		b.vals[i] = i
	}
	putBufs(b)
	c := getBufs(80, 100, true)
	if c != b {
		t.Fatal("the spare was not reused for a smaller run")
	}
	if len(c.vals) != 80 || len(c.i64) != 80 {
		t.Fatalf("got %d values and %d sizes, want 80", len(c.vals), len(c.i64))
	}
	for _, v := range c.vals[:cap(c.vals)] {
		if v != nil {
			t.Fatal("a reused value slot is not nil")
		}
	}
	s := c.take(bufInts(80, 100, true))
	for _, x := range s {
		if x != 0 {
			t.Fatal("a reused count is not zero")
		}
	}
	if d := getBufs(80, 100, true); d == c {
		t.Fatal("the spare was handed to two runs")
	}
	putBufs(c)
	d := getBufs(maxPooledTasks+1, 1, false)
	if d == c || !d.fresh || !d.apart {
		t.Fatal("a run larger than maxPooledTasks took the spare")
	}
	if s := d.take(10); len(s) != 10 || cap(s) != 10 {
		t.Fatalf("take(10) on a large run's state gave len %d cap %d", len(s), cap(s))
	}
	putBufs(d)
	if spare.b != c {
		t.Fatal("a large run's state replaced the spare")
	}
	dropSpare()
}
