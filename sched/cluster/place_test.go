package cluster_test

import (
	"context"
	"encoding/binary"
	"math"
	"sync"
	"testing"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

// scanOp sums its []float64 inputs reps times plus salt: its duration
// grows with its input bytes.
type scanOp struct{ salt, reps int64 }

func (o scanOp) Name() string { return "clustertest.scan" }
func (o scanOp) Params() ([]byte, error) {
	return binary.AppendVarint(binary.AppendVarint(nil, o.salt), o.reps), nil
}
func (o scanOp) Run(_ context.Context, in []any) (any, error) {
	s := 0.0
	for r := int64(0); r < o.reps; r++ {
		for _, v := range in {
			for _, x := range v.([]float64) {
				s += x
			}
		}
	}
	return s/float64(o.reps) + float64(o.salt), nil
}

func init() {
	graph.Register("clustertest.scan", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		return scanOp{salt: r.Varint(), reps: r.Varint()}, r.Err()
	})
}

// TestShuffleOutputsSpread: tasks that each read every one of ten inputs,
// seven of them on worker a and three on b (a shuffle's output tasks),
// spread over both workers instead of all going to a, which holds most of
// their bytes, before their op was measured and when its durations were
// learnt on tiny inputs
// (the scheduler expects a task to take its op's seconds per input byte
// times its input bytes, not the op's mean duration). Stealing is off, so
// placement alone decides.
func TestShuffleOutputsSpread(t *testing.T) {
	c, a, b := twoWorkersNoStealing(t)
	run := func(n int, salt int64) map[int]int {
		t.Helper()
		g := &graph.Graph{}
		var srcs []graph.Key
		var keys []graph.Key
		want := 0.0
		for s := 0; s < 10; s++ {
			scale := float64(s+1) + float64(salt)/1000
			src := task(t, floatsOp{n: n, scale: scale})
			g.Add(src)
			srcs = append(srcs, src.Key)
			w := a
			if s >= 7 {
				w = b
			}
			c.Restrict(src.Key, w)
			want += scale * float64(n) * float64(n-1) / 2
		}
		defer c.Unrestrict(srcs...)
		for j := int64(0); j < 6; j++ {
			tk := task(t, scanOp{salt: salt*100 + j, reps: 40}, srcs...)
			g.Add(tk)
			keys = append(keys, tk.Key)
		}
		out, ran := runCounting(t, c, g, keys, "clustertest.scan")
		for j, v := range out {
			if got, w := v.(float64), want+float64(salt*100+int64(j)); math.Abs(got-w) > 1e-9*math.Abs(w) {
				t.Fatalf("output %d: %v, want %v", j, got, w)
			}
		}
		return ran
	}
	check := func(ran map[int]int, when string) {
		t.Helper()
		t.Logf("%s: tasks reading 256 KiB x 10 per worker: %v (worker %d holds 7 inputs, %d holds 3)", when, ran, a, b)
		if ran[int(a)] > 4 || ran[int(b)] < 2 {
			t.Fatalf("%s: tasks per worker %v: worker %d, holding 7 of the 10 inputs, ran %d of 6", when, ran, a, ran[int(a)])
		}
	}
	// Before any fetch the bandwidths are the default, so the first run's
	// placement follows the model alone.
	check(run(1<<15, 1), "op not measured yet")
	run(64, 2) // the op measured on inputs of 512 bytes too
	// Now the measured bandwidths decide as well (fetches of 256 KiB on a
	// loaded machine can measure a few MB/s, and then keeping the tasks by
	// their inputs is right): logged, not asserted.
	ran := run(1<<15, 3)
	t.Logf("op measured on small inputs: tasks per worker %v", ran)
}

// firstScanOp sums its first input ([]float64); the others only order it.
// Its op is measured by no other test, so each fresh cluster sees it new.
type firstScanOp struct{ salt int64 }

func (o firstScanOp) Name() string { return "clustertest.firstscan" }
func (o firstScanOp) Params() ([]byte, error) {
	return binary.AppendVarint(nil, o.salt), nil
}
func (o firstScanOp) Run(_ context.Context, in []any) (any, error) {
	s := float64(o.salt)
	for _, x := range in[0].([]float64) {
		s += x
	}
	return s, nil
}

func init() {
	graph.Register("clustertest.firstscan", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		return firstScanOp{salt: r.Varint()}, r.Err()
	})
}

// TestFirstRunKeepsLargeInputsHome: six tasks of an op never measured,
// each reading its own 8 MiB input held by worker a, all ready at once,
// with worker b idle: they run on a and b fetches nothing. (The queue on a
// is then made of guesses, input bytes at unknownRate; a first q1 over a
// persisted table used to send partitions to the idle worker on their
// strength, 0.7 s of fetching for a 20 ms question.) Once the op has been
// measured, placement weighs the offload again.
func TestFirstRunKeepsLargeInputsHome(t *testing.T) {
	c, a, b := twoWorkersNoStealing(t)
	const n = 1 << 20
	g := &graph.Graph{}
	var srcs, keys []graph.Key
	for j := 0; j < 6; j++ {
		src := task(t, floatsOp{n: n, scale: float64(j + 1)})
		g.Add(src)
		c.Restrict(src.Key, a)
		srcs = append(srcs, src.Key)
	}
	// A gate on a that reads every input, so that the six tasks become
	// ready together, when a's queue is full of them.
	gate := task(t, fsumOp{}, srcs...)
	g.Add(gate)
	c.Restrict(gate.Key, a)
	defer c.Unrestrict(append(srcs, gate.Key)...)
	for j := 0; j < 6; j++ {
		tk := task(t, firstScanOp{salt: int64(j)}, srcs[j], gate.Key)
		g.Add(tk)
		keys = append(keys, tk.Key)
	}
	out, ran := runCounting(t, c, g, keys, "clustertest.firstscan")
	for j, v := range out {
		want := float64(j+1)*float64(n)*float64(n-1)/2 + float64(j)
		if got := v.(float64); math.Abs(got-want) > 1e-9*want {
			t.Fatalf("output %d: %v, want %v", j, got, want)
		}
	}
	t.Logf("tasks per worker %v (worker %d holds every input)", ran, a)
	if ran[int(b)] != 0 {
		t.Fatalf("worker %d, holding none of the inputs, ran %d of the 6 first tasks of an unmeasured op: %v", b, ran[int(b)], ran)
	}
}

// runCounting runs g for keys on c without fusion and counts, per worker,
// the finished tasks whose op label is label.
func runCounting(t *testing.T, c *cluster.Executor, g *graph.Graph, keys []graph.Key, label string) ([]any, map[int]int) {
	t.Helper()
	var mu sync.Mutex
	ran := map[int]int{}
	obs := sched.ObserverFunc(func(e sched.Event) {
		if e.Kind == sched.TaskFinished && e.Label == label {
			mu.Lock()
			ran[e.Worker]++
			mu.Unlock()
		}
	})
	out, err := sched.Run(context.Background(), g, keys, sched.WithExecutor(c), sched.WithProgress(nil), sched.WithoutFusion(), sched.WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	return out, ran
}

// twoWorkersNoStealing starts a fresh cluster of two one-thread workers
// with stealing off (closed when the test ends) and returns their ids.
func twoWorkersNoStealing(t *testing.T) (*cluster.Executor, uint64, uint64) {
	t.Helper()
	c, err := cluster.Local(2, cluster.WithThreads(1), cluster.WithoutStealing())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ws := c.Workers()
	return c, ws[0].ID, ws[1].ID
}
