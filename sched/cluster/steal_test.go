package cluster_test

import (
	"context"
	"encoding/binary"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

// spinOp burns CPU for about d (so a starved worker is slow at it, unlike
// a sleep) and returns its input plus salt.
type spinOp struct {
	salt int64
	d    time.Duration
}

func (o spinOp) Name() string { return "clustertest.spin" }
func (o spinOp) Params() ([]byte, error) {
	return binary.AppendVarint(binary.AppendVarint(nil, o.salt), int64(o.d)), nil
}
func (o spinOp) Run(_ context.Context, in []any) (any, error) {
	// Spin on a fixed amount of work, calibrated once, not on the clock:
	// a stopped process does none of it.
	x := uint64(o.salt)
	for i := int64(0); i < int64(o.d/time.Microsecond)*spinPerUS; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	if x == 42 { // never: keeps the loop
		return int64(-1), nil
	}
	return in[0].(int64) + o.salt, nil
}

// spinPerUS is about how many iterations of spinOp's loop a quiet core
// does in a microsecond.
const spinPerUS = 300

func init() {
	graph.Register("clustertest.spin", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		o := spinOp{salt: r.Varint(), d: time.Duration(r.Varint())}
		return o, r.Err()
	})
}

// straggle makes the process pid a straggler: stopped 9 ms in every 10
// until the returned stop is called (which lets it run again).
func straggle(pid int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer syscall.Kill(pid, syscall.SIGCONT)
		for {
			syscall.Kill(pid, syscall.SIGSTOP)
			select {
			case <-done:
				return
			case <-time.After(9 * time.Millisecond):
			}
			syscall.Kill(pid, syscall.SIGCONT)
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// stragglerRun runs 2 roots and 40 spin tasks over them on c while worker 0
// straggles; it returns the answer's check, the time, and the tasks each
// worker ran.
func stragglerRun(t *testing.T, c *cluster.Executor, salt int64) (bool, time.Duration, map[int]int) {
	t.Helper()
	ws := c.Workers()
	g := &graph.Graph{}
	roots := []*graph.Task{task(t, litOp(salt)), task(t, litOp(salt+1))}
	g.Add(roots[0])
	g.Add(roots[1])
	var outs []graph.Key
	want := int64(0)
	for i := 0; i < 40; i++ {
		s := task(t, spinOp{salt: int64(i), d: 4 * time.Millisecond}, roots[i%2].Key)
		g.Add(s)
		outs = append(outs, s.Key)
		want += salt + int64(i%2) + int64(i)
	}
	var mu sync.Mutex
	ran := map[int]int{}
	obs := sched.WithObserver(sched.ObserverFunc(func(e sched.Event) {
		if e.Kind == sched.TaskFinished {
			mu.Lock()
			ran[e.Worker]++
			mu.Unlock()
		}
	}))
	stop := straggle(ws[0].PID)
	start := time.Now()
	vals, err := sched.Run(context.Background(), g, outs, sched.WithExecutor(c), sched.WithoutFusion(), obs)
	d := time.Since(start)
	stop()
	if err != nil {
		t.Fatal(err)
	}
	got := int64(0)
	for _, v := range vals {
		got += v.(int64)
	}
	return got == want, d, ran
}

// TestStealingFromAStraggler: one of two workers runs at a tenth of its
// speed (stopped 9 ms in 10). The idle fast worker steals the tasks queued
// behind the straggler, so it runs most of them, and the run is faster than
// with stealing off (measured, logged; asserted only loosely, the machine
// is shared).
func TestStealingFromAStraggler(t *testing.T) {
	if testing.Short() {
		t.Skip("a few seconds of straggling")
	}
	var times [2]time.Duration
	for k, opts := range [][]cluster.Option{{}, {cluster.WithoutStealing()}} {
		c, err := cluster.Local(2, append(opts, cluster.WithThreads(1))...)
		if err != nil {
			t.Fatal(err)
		}
		// Warm up: op statistics and connections.
		if ok, _, _ := stragglerRun(t, c, 100); !ok {
			t.Fatal("warm-up answer wrong")
		}
		before := c.Stats().Stolen
		ok, d, ran := stragglerRun(t, c, 7)
		stolen := c.Stats().Stolen - before
		slow := int(c.Workers()[0].ID)
		c.Close()
		if !ok {
			t.Fatalf("stealing=%v: wrong answer", k == 0)
		}
		times[k] = d
		t.Logf("stealing=%v: %v, tasks per worker %v (worker %d straggles), stolen %d", k == 0, d, ran, slow, stolen)
		if k == 0 {
			if stolen == 0 {
				t.Fatal("nothing was stolen from the straggler")
			}
			fast := 0
			for w, n := range ran {
				if w != slow {
					fast += n
				}
			}
			if fast <= ran[slow] && !raceEnabled { // the race detector's slowdown blurs the straggling
				t.Fatalf("the fast worker ran %d tasks, the straggler %d", fast, ran[slow])
			}
		} else if stolen != 0 {
			t.Fatalf("%d tasks stolen with stealing off", stolen)
		}
	}
	t.Logf("with stealing %v, without %v (%.1fx)", times[0], times[1], times[1].Seconds()/times[0].Seconds())
}
