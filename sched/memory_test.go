package sched

import (
	"context"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/leak"
)

// blockOp makes a []float64 of n values from its index, or sums its inputs'
// elements into a one-element slice.
type blockOp struct {
	n, seed int
	sleep   time.Duration
}

func (blockOp) Name() string { return "sched_test.block" }
func (b blockOp) Params() ([]byte, error) {
	return graph.AppendBytes(nil, []byte(strings.Repeat("x", b.n%7)+string(rune(b.seed)))), nil
}
func (b blockOp) Run(ctx context.Context, in []any) (any, error) {
	if b.sleep > 0 {
		time.Sleep(b.sleep)
	}
	if len(in) == 0 {
		x := make([]float64, b.n)
		for i := range x {
			x[i] = float64(b.seed*31 + i%97)
		}
		return x, nil
	}
	s := 0.0
	for _, v := range in {
		for _, f := range v.([]float64) {
			s += f
		}
	}
	return []float64{s}, nil
}

type counter struct {
	mu     sync.Mutex
	kinds  map[EventKind]int
	peak   int64
	onKind func(Event)
}

func (c *counter) Observe(e Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kinds == nil {
		c.kinds = map[EventKind]int{}
	}
	c.kinds[e.Kind]++
	if e.Kind == JobFinished {
		c.peak = e.Bytes
	}
	if c.onKind != nil {
		c.onKind(e)
	}
}

func spillDirs(t *testing.T, parent string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(parent, "godask-spill-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTinyLimitSpillsEveryValueAndResultsMatch(t *testing.T) {
	leak.Check(t)
	rng := rand.New(rand.NewSource(11))
	for trial := 0; trial < 20; trial++ {
		g, outs := randomGraph(t, rng, 1+rng.Intn(200))
		memo := map[graph.Key]uint64{}
		dir := t.TempDir()
		c := &counter{}
		for _, ex := range []Executor{NewLocal(), NewLoopback()} {
			vals, err := Run(context.Background(), g, outs, WithExecutor(ex), WithMemoryLimit(1), WithSpillDir(dir),
				WithObserver(c), WithProgress(nil), WithWorkers(1+trial%3))
			if err != nil {
				t.Fatal(err)
			}
			for i, o := range outs {
				if want := reference(t, g, o, memo); vals[i].(uint64) != want {
					t.Fatalf("trial %d: output %d = %x, want %x", trial, i, vals[i], want)
				}
			}
			if d := spillDirs(t, dir); len(d) != 0 {
				t.Fatalf("spill directory left behind: %v", d)
			}
		}
		if g.Len() > 1 && (c.kinds[ValueSpilled] == 0 || c.kinds[ValueLoaded] == 0) {
			t.Fatalf("trial %d: %d spills, %d loads with a 1-byte limit", trial, c.kinds[ValueSpilled], c.kinds[ValueLoaded])
		}
	}
}

// fanIn builds n roots of size floats each, all read by one final sum.
func fanIn(t *testing.T, n, size int, sleep time.Duration) (*graph.Graph, graph.Key, float64) {
	g := &graph.Graph{}
	var keys []graph.Key
	want := 0.0
	for i := 0; i < n; i++ {
		tk := mk(t, blockOp{n: size, seed: i, sleep: sleep})
		g.Add(tk)
		keys = append(keys, tk.Key)
		for j := 0; j < size; j++ {
			want += float64(i*31 + j%97)
		}
	}
	sum := mk(t, blockOp{seed: -1}, keys...)
	g.Add(sum)
	return g, sum.Key, want
}

func TestSpillRealValues(t *testing.T) {
	leak.Check(t)
	g, out, want := fanIn(t, 40, 1<<17, 0) // 40 values of 1 MiB, all needed at the end
	c := &counter{}
	dir := t.TempDir()
	vals, err := Run(context.Background(), g, []graph.Key{out}, WithMemoryLimit(8<<20), WithSpillDir(dir),
		WithObserver(c), WithProgress(nil), WithoutFusion())
	if err != nil {
		t.Fatal(err)
	}
	if got := vals[0].([]float64)[0]; got != want {
		t.Fatalf("sum %v, want %v", got, want)
	}
	if c.kinds[ValueSpilled] < 20 {
		t.Errorf("only %d values spilled", c.kinds[ValueSpilled])
	}
	if len(spillDirs(t, dir)) != 0 {
		t.Error("spill directory left behind")
	}
}

// opaque has a size but no codec: it cannot spill.
type opaque struct{ n int64 }

func (o opaque) Size() int64 { return o.n }

// opaqueOp returns an opaque value of n bytes after sleeping, and records
// when it finished.
type opaqueOp struct {
	n     int64
	id    int
	sleep time.Duration
	log   *finishLog
}

type finishLog struct {
	mu    sync.Mutex
	order []int
	// started, when not nil, is closed when task 0 starts; the other tasks
	// wait for it (at most a second), so that a worker slow to start under
	// a loaded machine (CI: the race detector beside other packages) cannot
	// let the roots all run before the task they are meant to wait behind.
	started chan struct{}
	once    sync.Once
}

func (opaqueOp) Name() string              { return "sched_test.opaque" }
func (o opaqueOp) Params() ([]byte, error) { return []byte{byte(o.id), byte(o.id >> 8)}, nil }
func (o opaqueOp) Run(context.Context, []any) (any, error) {
	if st := o.log.started; st != nil {
		if o.id == 0 {
			o.log.once.Do(func() { close(st) })
		} else {
			select {
			case <-st:
			case <-time.After(time.Second):
			}
		}
	}
	time.Sleep(o.sleep)
	o.log.mu.Lock()
	o.log.order = append(o.log.order, o.id)
	o.log.mu.Unlock()
	return opaque{o.n}, nil
}

func TestRootsHeldBackUnderMemoryPressure(t *testing.T) {
	// A long task (id 0) and 50 roots of 1 MiB that cannot spill, all read by
	// one final task: while the long task runs, nothing can be freed, so the
	// roots must wait once memory passes the pause level.
	log := &finishLog{started: make(chan struct{})}
	g := &graph.Graph{}
	long := mk(t, opaqueOp{n: 1, id: 0, sleep: 150 * time.Millisecond, log: log})
	keys := []graph.Key{long.Key}
	g.Add(long)
	for i := 1; i <= 50; i++ {
		r := mk(t, opaqueOp{n: 1 << 20, id: i, log: log})
		g.Add(r)
		keys = append(keys, r.Key)
	}
	final := mk(t, countOp{&atomic.Int64{}, "final"}, keys...)
	g.Add(final)
	c := &counter{}
	const limit = 10 << 20
	if _, err := Run(context.Background(), g, []graph.Key{final.Key}, WithMemoryLimit(limit), WithSpillDir(t.TempDir()),
		WithObserver(c), WithProgress(nil), WithWorkers(2)); err != nil {
		t.Fatal(err)
	}
	before := 0
	for _, id := range log.order {
		if id == 0 {
			break
		}
		before++
	}
	t.Logf("%d of 50 roots finished before the long task; roots held %d times; peak %d", before, c.kinds[RootsHeld], c.peak)
	if c.kinds[RootsHeld] == 0 {
		t.Error("roots were never held back")
	}
	if max := int(pauseFraction*limit)>>20 + 2; before > max {
		t.Errorf("%d roots ran while the long task held memory, want <= %d", before, max)
	}
}

func TestCorruptedOrMissingSpillFileIsAnError(t *testing.T) {
	for _, mode := range []string{"corrupt", "remove", "truncate"} {
		dir := t.TempDir()
		c := &counter{}
		var once sync.Once
		c.onKind = func(e Event) {
			if e.Kind != ValueSpilled {
				return
			}
			once.Do(func() {
				files, _ := filepath.Glob(filepath.Join(dir, "godask-spill-*", "*.spill"))
				for _, f := range files {
					switch mode {
					case "corrupt":
						b, _ := os.ReadFile(f)
						b[len(b)-1] ^= 0xff
						os.WriteFile(f, b, 0o644)
					case "remove":
						os.Remove(f)
					case "truncate":
						os.WriteFile(f, []byte{1, 2}, 0o644)
					}
				}
			})
		}
		g, out, _ := fanIn(t, 10, 1<<10, 0)
		_, err := Run(context.Background(), g, []graph.Key{out}, WithMemoryLimit(1), WithSpillDir(dir),
			WithObserver(c), WithProgress(nil), WithWorkers(1), WithoutFusion())
		if err == nil || !strings.Contains(err.Error(), "spilled") {
			t.Fatalf("%s: want a reload error, got %v", mode, err)
		}
		if mode != "remove" && !strings.Contains(err.Error(), "corrupted") {
			t.Errorf("%s: error %v does not say corrupted", mode, err)
		}
	}
}

func TestUnwritableSpillDir(t *testing.T) {
	g, out, _ := fanIn(t, 4, 1<<10, 0)
	for _, dir := range []string{"/nonexistent/godask", "/proc/version"} {
		_, err := Run(context.Background(), g, []graph.Key{out}, WithMemoryLimit(1), WithSpillDir(dir), WithProgress(nil))
		if err == nil || !strings.Contains(err.Error(), dir) {
			t.Fatalf("spill dir %s: %v", dir, err)
		}
	}
}

func TestCancelMidSpillLeavesNoFile(t *testing.T) {
	leak.Check(t)
	dir := t.TempDir()
	g, out, _ := fanIn(t, 400, 1<<12, time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	var spilled atomic.Bool
	c := &counter{onKind: func(e Event) {
		if e.Kind == ValueSpilled && !spilled.Swap(true) {
			go cancel()
		}
	}}
	_, err := Run(ctx, g, []graph.Key{out}, WithMemoryLimit(1), WithSpillDir(dir), WithObserver(c), WithProgress(nil), WithoutFusion())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want cancel, got %v", err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(spillDirs(t, dir)) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("spill directory left behind after cancel")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
