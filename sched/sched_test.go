package sched

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/leak"
)

// mixOp hashes its inputs with a constant: a registered op whose result
// depends on every input and their order.
type mixOp struct{ c uint64 }

func (mixOp) Name() string              { return "sched_test.mix" }
func (m mixOp) Params() ([]byte, error) { return binary.AppendUvarint(nil, m.c), nil }
func (m mixOp) Run(_ context.Context, in []any) (any, error) {
	h := m.c*0x9e3779b97f4a7c15 + 1
	for _, v := range in {
		h = (h ^ v.(uint64)) * 0xff51afd7ed558ccd
	}
	return h, nil
}

// sleepOp sleeps, honouring ctx, then returns its index.
type sleepOp struct {
	d time.Duration
	i int
}

func (sleepOp) Name() string              { return "sched_test.sleep" }
func (s sleepOp) Params() ([]byte, error) { return []byte(fmt.Sprint(s.d, s.i)), nil }
func (s sleepOp) Run(ctx context.Context, _ []any) (any, error) {
	select {
	case <-time.After(s.d):
		return uint64(s.i), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

var errBoom = errors.New("boom")

type failOp struct{ panics bool }

func (failOp) Name() string            { return "sched_test.fail" }
func (failOp) Params() ([]byte, error) { return nil, nil }
func (f failOp) Run(context.Context, []any) (any, error) {
	if f.panics {
		var m map[string]int
		m["x"] = 1 // a real runtime panic
	}
	return nil, errBoom
}

// countOp counts how often it runs.
type countOp struct {
	n   *atomic.Int64
	tag string
}

func (countOp) Name() string              { return "sched_test.count" }
func (c countOp) Params() ([]byte, error) { return []byte(c.tag), nil }
func (c countOp) Run(_ context.Context, in []any) (any, error) {
	c.n.Add(1)
	return uint64(len(in)), nil
}

func init() {
	graph.Register("sched_test.mix", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		c := r.Uvarint()
		return mixOp{c}, r.Err()
	})
}

func mk(t testing.TB, op graph.Op, deps ...graph.Key) *graph.Task {
	tk, err := graph.NewTask(op, deps...)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func randomGraph(t testing.TB, rng *rand.Rand, n int) (*graph.Graph, []graph.Key) {
	g := &graph.Graph{}
	var keys []graph.Key
	for i := 0; i < n; i++ {
		var deps []graph.Key
		for j := rng.Intn(4); j > 0 && len(keys) > 0; j-- {
			deps = append(deps, keys[rng.Intn(len(keys))])
		}
		tk := mk(t, mixOp{uint64(i)}, deps...)
		g.Add(tk)
		keys = append(keys, tk.Key)
	}
	var outs []graph.Key
	for j := 0; j < 1+rng.Intn(5); j++ {
		outs = append(outs, keys[rng.Intn(len(keys))])
	}
	return g, outs
}

func reference(t testing.TB, g *graph.Graph, k graph.Key, memo map[graph.Key]uint64) uint64 {
	if v, ok := memo[k]; ok {
		return v
	}
	tk := g.Get(k)
	in := make([]any, len(tk.Deps))
	for i, d := range tk.Deps {
		in[i] = reference(t, g, d, memo)
	}
	v, _ := tk.Op.Run(context.Background(), in)
	memo[k] = v.(uint64)
	return v.(uint64)
}

func TestRandomGraphsMatchSequentialEvaluation(t *testing.T) {
	leak.Check(t)
	rng := rand.New(rand.NewSource(7))
	for trial := 0; trial < 60; trial++ {
		g, outs := randomGraph(t, rng, 1+rng.Intn(400))
		memo := map[graph.Key]uint64{}
		for _, ex := range []Executor{NewLocal(), NewLoopback()} {
			for _, w := range []int{1, 2, 3, 8} {
				vals, err := Run(context.Background(), g, outs, WithExecutor(ex), WithWorkers(w), WithProgress(nil))
				if err != nil {
					t.Fatal(err)
				}
				for i, o := range outs {
					if want := reference(t, g, o, memo); vals[i].(uint64) != want {
						t.Fatalf("trial %d %T workers=%d: output %d = %x, want %x", trial, ex, w, i, vals[i], want)
					}
				}
			}
		}
	}
}

func TestEmptyAndTrivialRuns(t *testing.T) {
	vals, err := Run(context.Background(), &graph.Graph{}, nil, WithProgress(nil))
	if err != nil || len(vals) != 0 {
		t.Fatalf("empty run: %v %v", vals, err)
	}
	a := mk(t, mixOp{1})
	vals, err = Run(context.Background(), graph.New(a), []graph.Key{a.Key, a.Key}, WithProgress(nil))
	if err != nil || vals[0] != vals[1] {
		t.Fatalf("duplicate outputs: %v %v", vals, err)
	}
}

func TestFailingTaskStopsRunAndNamesTask(t *testing.T) {
	leak.Check(t)
	for _, panics := range []bool{false, true} {
		var ran atomic.Int64
		g := &graph.Graph{}
		bad := mk(t, failOp{panics})
		g.Add(bad)
		// Many slow tasks after the failure in priority order: most never run.
		var outs []graph.Key
		for i := 0; i < 200; i++ {
			s := mk(t, sleepOp{time.Millisecond, i})
			c := mk(t, countOp{&ran, fmt.Sprint(i)}, s.Key)
			g.Add(s)
			g.Add(c)
			outs = append(outs, c.Key)
		}
		outs = append([]graph.Key{bad.Key}, outs...)
		_, err := Run(context.Background(), g, outs, WithWorkers(2), WithProgress(nil), WithoutFusion())
		var te *TaskError
		if !errors.As(err, &te) || te.Key != bad.Key || te.Op != "sched_test.fail" {
			t.Fatalf("panics=%v: want TaskError for %s, got %v", panics, bad.Key, err)
		}
		if !strings.Contains(err.Error(), string(bad.Key)) {
			t.Errorf("error %q does not name the key", err)
		}
		if panics {
			var pe *PanicError
			if !errors.As(err, &pe) || !strings.Contains(string(pe.Stack), "sched_test.go") {
				t.Fatalf("want a PanicError with the stack, got %v", err)
			}
		} else if !errors.Is(err, errBoom) {
			t.Fatalf("errors.Is(err, errBoom) false: %v", err)
		}
		if n := ran.Load(); n > 20 {
			t.Errorf("panics=%v: %d tasks ran after the failure", panics, n)
		}
	}
}

func TestCancelStopsPromptly(t *testing.T) {
	leak.Check(t)
	g := &graph.Graph{}
	var outs []graph.Key
	for i := 0; i < 10000; i++ {
		s := mk(t, sleepOp{5 * time.Millisecond, i})
		g.Add(s)
		outs = append(outs, s.Key)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(30 * time.Millisecond); cancel() }()
	start := time.Now()
	_, err := Run(ctx, g, outs, WithWorkers(4), WithProgress(nil))
	el := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if el > 30*time.Millisecond+100*time.Millisecond {
		t.Errorf("run returned %v after start, more than 100 ms after the cancel", el)
	}
	// Already cancelled: nothing runs.
	if _, err := Run(ctx, g, outs); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ctx: %v", err)
	}
	// A deadline.
	dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer dcancel()
	if _, err := Run(dctx, g, outs, WithWorkers(2), WithProgress(nil)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}
}

func TestBadGraphs(t *testing.T) {
	a := mk(t, mixOp{1})
	b := mk(t, mixOp{2}, a.Key, "ghost-9")
	_, err := Run(context.Background(), graph.New(a, b), []graph.Key{b.Key})
	if err == nil || !strings.Contains(err.Error(), "ghost-9") {
		t.Fatalf("missing dep: %v", err)
	}
	x := &graph.Task{Key: "x", Op: mixOp{}, Deps: []graph.Key{"y"}}
	y := &graph.Task{Key: "y", Op: mixOp{}, Deps: []graph.Key{"x"}}
	var ce *graph.CycleError
	if _, err := Run(context.Background(), graph.New(x, y), []graph.Key{"x"}); !errors.As(err, &ce) {
		t.Fatalf("cycle: %v", err)
	}
	if _, err := Run(context.Background(), graph.New(a), []graph.Key{"nope-1"}); err == nil || !strings.Contains(err.Error(), "nope-1") {
		t.Fatalf("missing output: %v", err)
	}
	// The loopback executor refuses an op it cannot ship, by name.
	var n atomic.Int64
	c := mk(t, countOp{&n, "x"})
	_, err = Run(context.Background(), graph.New(c), []graph.Key{c.Key}, WithExecutor(NewLoopback()))
	if !errors.Is(err, graph.ErrUnregistered) || !strings.Contains(err.Error(), "sched_test.count") || n.Load() != 0 {
		t.Fatalf("loopback with an unregistered op: %v (ran %d)", err, n.Load())
	}
}

// liveTracker counts values alive at once from the observer's events: a value
// is born when its task finishes and dies when its last reader finishes.
type liveTracker struct {
	mu       sync.Mutex
	g        *graph.Graph
	readers  map[graph.Key]int
	live     int
	max      int
	finished int
}

func (l *liveTracker) Observe(e Event) {
	if e.Kind != TaskFinished {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.finished++
	l.live++
	if l.live > l.max {
		l.max = l.live
	}
	for _, d := range l.g.Get(e.Key).Deps {
		l.readers[d]--
		if l.readers[d] == 0 {
			l.live--
		}
	}
}

// treeGraph is a binary tree reduction over n (a power of two) leaves; it
// returns the graph, the root's key and the depth.
func treeGraph(t testing.TB, n int) (*graph.Graph, []graph.Key, int) {
	g := &graph.Graph{}
	var level []graph.Key
	for i := 0; i < n; i++ {
		tk := mk(t, mixOp{uint64(i)})
		g.Add(tk)
		level = append(level, tk.Key)
	}
	depth := 0
	for len(level) > 1 {
		var next []graph.Key
		for i := 0; i < len(level); i += 2 {
			tk := mk(t, mixOp{0}, level[i], level[i+1])
			g.Add(tk)
			next = append(next, tk.Key)
		}
		level = next
		depth++
	}
	return g, level, depth
}

func TestTreeReductionMemoryIsBounded(t *testing.T) {
	const n = 4096
	g, level, depth := treeGraph(t, n)
	for _, w := range []int{1, 2, 4} {
		lt := &liveTracker{g: g, readers: map[graph.Key]int{}}
		for _, tk := range g.Tasks() {
			for _, d := range tk.Deps {
				lt.readers[d]++
			}
		}
		if _, err := Run(context.Background(), g, level, WithWorkers(w), WithObserver(lt), WithProgress(nil)); err != nil {
			t.Fatal(err)
		}
		if lt.finished != g.Len() {
			t.Fatalf("observer saw %d of %d tasks finish", lt.finished, g.Len())
		}
		bound := 2 * w * (depth + 2)
		t.Logf("workers=%d depth=%d: at most %d values alive (bound %d, %d leaves)", w, depth, lt.max, bound, n)
		if lt.max > bound {
			t.Errorf("workers=%d: %d values alive at once, want <= %d", w, lt.max, bound)
		}
	}
}

// coll is a minimal collection for the front-end tests.
type coll struct {
	g    *graph.Graph
	keys []graph.Key
}

func (c coll) Graph() (*graph.Graph, error)     { return c.g, nil }
func (c coll) Keys() []graph.Key                { return c.keys }
func (c coll) Persisted(vals []any) Collection  { return coll{PersistGraph(c.keys, vals), c.keys} }
func (c coll) Finalize(vals []any) (any, error) { return len(vals), nil }

func TestComputeSharesWorkAndPersist(t *testing.T) {
	var n atomic.Int64
	shared := mk(t, countOp{&n, "shared"})
	a := mk(t, mixOp{1}, shared.Key)
	b := mk(t, mixOp{2}, shared.Key)
	ca := coll{graph.New(shared, a), []graph.Key{a.Key}}
	cb := coll{graph.New(shared, b), []graph.Key{b.Key}}
	res, err := Compute(context.Background(), []Collection{ca, cb}, WithProgress(nil))
	if err != nil {
		t.Fatal(err)
	}
	if n.Load() != 1 {
		t.Errorf("shared task ran %d times", n.Load())
	}
	if res[0] != 1 || res[1] != 1 {
		t.Errorf("finalized results = %v", res)
	}
	ps, err := Persist(context.Background(), []Collection{ca, cb}, WithProgress(nil))
	if err != nil {
		t.Fatal(err)
	}
	before := n.Load()
	vals, err := Run(context.Background(), ps[0].(coll).g, ps[0].Keys())
	if err != nil || n.Load() != before {
		t.Fatalf("persisted collection recomputed: %v", err)
	}
	want := reference(t, graph.New(mk(t, mixOp{0}), a), a.Key, map[graph.Key]uint64{shared.Key: 0})
	if vals[0].(uint64) != want {
		t.Errorf("persisted value %x, want %x", vals[0], want)
	}
	if _, err := Persist(context.Background(), []Collection{struct{ Collection }{ca}}); err == nil {
		t.Error("persisting a non-Persister must fail")
	}
}

func TestProgressBar(t *testing.T) {
	leak.Check(t)
	var buf syncBuf
	g := &graph.Graph{}
	var outs []graph.Key
	for i := 0; i < 40; i++ {
		s := mk(t, sleepOp{20 * time.Millisecond, i})
		g.Add(s)
		outs = append(outs, s.Key)
	}
	p := NewProgress(&buf, 0)
	if _, err := Run(context.Background(), g, outs, WithWorkers(2), WithObserver(p)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "40/40 tasks") || !strings.Contains(out, "100%") || !strings.HasSuffix(out, "\n") {
		t.Errorf("progress output %q", out)
	}
	var events []EventKind
	var mu sync.Mutex
	samples := 0
	obs := ObserverFunc(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if e.Kind == MemorySampled {
			samples++ // one at the start, every 100 ms, one at the end
			return
		}
		events = append(events, e.Kind)
	})
	if _, err := Run(context.Background(), g, outs[:1], WithObserver(obs), WithProgress(nil)); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(events) != "[job-started task-started task-finished job-finished]" || samples < 2 {
		t.Errorf("events %v, %d memory samples", events, samples)
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestSetDefault(t *testing.T) {
	lb := NewLoopback()
	old := SetDefault(lb)
	defer SetDefault(old)
	if Default() != lb {
		t.Fatal("SetDefault did not take")
	}
	var n atomic.Int64
	c := mk(t, countOp{&n, "d"})
	if _, err := Run(context.Background(), graph.New(c), []graph.Key{c.Key}); !errors.Is(err, graph.ErrUnregistered) {
		t.Fatalf("default loopback should refuse the unregistered op: %v", err)
	}
}

func BenchmarkTreeReduction(b *testing.B) {
	g, level, _ := treeGraph(b, 1<<14)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(context.Background(), g, level, WithProgress(nil)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(g.Len()), "ns/task")
}
