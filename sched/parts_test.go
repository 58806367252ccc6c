package sched

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/leak"
)

// shards is a Parted test value: part j is a []float64. It counts the parts
// dropped, in drops.
type shards struct {
	mu    sync.Mutex // guards p against DropPart racing Size in the test's own checks
	p     [][]float64
	drops *atomic.Int64
}

func (s *shards) NumParts() int { return len(s.p) }
func (s *shards) Part(j int) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.p[j]
}
func (s *shards) Size() int64 {
	var n int64
	for _, p := range s.p {
		n += 8 * int64(len(p))
	}
	return n
}
func (s *shards) DropPart(j int) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.p[j] == nil {
		panic(fmt.Sprintf("part %d dropped twice", j))
	}
	n := 8 * int64(len(s.p[j]))
	s.p[j] = nil
	if s.drops != nil {
		s.drops.Add(1)
	}
	return n
}

var partDrops atomic.Int64

func init() {
	graph.RegisterCodec("sched_test.shards", reflect.TypeOf(&shards{}), graph.Codec{
		Encode: func(v any) ([]byte, error) {
			var b []byte
			for _, p := range v.(*shards).p {
				b = graph.AppendBytes(b, graph.Float64Bytes(p))
			}
			return b, nil
		},
		Decode: func(b []byte) (any, error) {
			r := graph.NewReader(b)
			s := &shards{drops: &partDrops}
			for len(r.Rest()) > 0 && r.Err() == nil {
				p, err := graph.BytesFloat64(r.Bytes())
				if err != nil {
					return nil, err
				}
				s.p = append(s.p, p)
			}
			return s, r.Err()
		},
		Join: func(parts []any) (any, error) {
			s := &shards{drops: &partDrops}
			for _, p := range parts {
				f, _ := p.([]float64)
				s.p = append(s.p, f)
			}
			return s, nil
		},
	})
	graph.Register("sched_test.split", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		return splitOp{n: int(r.Uvarint()), size: int(r.Uvarint()), seed: int(r.Uvarint())}, r.Err()
	})
	graph.Register("sched_test.copy", func([]byte) (graph.Op, error) { return copyOp{}, nil })
	graph.Register("sched_test.take", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		return takeOp{part: int(r.Varint())}, r.Err()
	})
}

// splitOp makes a shards value of n parts of size values each.
type splitOp struct{ n, size, seed int }

func (splitOp) Name() string { return "sched_test.split" }
func (o splitOp) Params() ([]byte, error) {
	var b []byte
	for _, x := range []int{o.n, o.size, o.seed} {
		b = binary.AppendUvarint(b, uint64(x))
	}
	return b, nil
}
func (o splitOp) Run(context.Context, []any) (any, error) {
	s := &shards{p: make([][]float64, o.n), drops: &partDrops}
	for j := range s.p {
		s.p[j] = make([]float64, o.size)
		for k := range s.p[j] {
			s.p[j][k] = float64(o.seed*1000 + j*10 + k%7)
		}
	}
	return s, nil
}

// takeOp reads part `part` of every input (a []float64) and sums them; with
// part -1 it sums whole []float64 inputs.
type takeOp struct{ part int }

func (takeOp) Name() string { return "sched_test.take" }
func (o takeOp) Params() ([]byte, error) {
	return binary.AppendVarint(nil, int64(o.part)), nil
}
func (o takeOp) InputParts(n int) []int {
	if o.part < 0 {
		return nil
	}
	sel := make([]int, n)
	for i := range sel {
		sel[i] = o.part
	}
	return sel
}
func (o takeOp) Run(_ context.Context, in []any) (any, error) {
	s := 0.0
	for i, v := range in {
		p, ok := v.([]float64)
		if !ok {
			return nil, fmt.Errorf("input %d is %T, want part %d", i, v, o.part)
		}
		for _, f := range p {
			s += f
		}
	}
	return []float64{s}, nil
}

// copyOp copies its []float64 input.
type copyOp struct{}

func (copyOp) Name() string            { return "sched_test.copy" }
func (copyOp) Params() ([]byte, error) { return nil, nil }
func (copyOp) Run(_ context.Context, in []any) (any, error) {
	return append([]float64(nil), in[0].([]float64)...), nil
}

// shuffle builds n splits of n parts each, n readers of part j of every
// split, and a sum of the readers. It returns the graph, the output key, the
// split keys and the expected sum.
func shuffle(t *testing.T, n, size int) (*graph.Graph, graph.Key, map[graph.Key]bool, float64) {
	t.Helper()
	g := &graph.Graph{}
	var splits []graph.Key
	splitKeys := map[graph.Key]bool{}
	want := 0.0
	for i := 0; i < n; i++ {
		st, err := graph.NewTask(splitOp{n: n, size: size, seed: i})
		if err != nil {
			t.Fatal(err)
		}
		g.Add(st)
		splits = append(splits, st.Key)
		splitKeys[st.Key] = true
		for j := 0; j < n; j++ {
			for k := 0; k < size; k++ {
				want += float64(i*1000 + j*10 + k%7)
			}
		}
	}
	var outs []graph.Key
	for j := 0; j < n; j++ {
		tt, err := graph.NewTask(takeOp{part: j}, splits...)
		if err != nil {
			t.Fatal(err)
		}
		g.Add(tt)
		// A copy after each reader: fusion makes take+copy one task, which
		// must forward the reader's part selectors.
		cp, err := graph.NewTask(copyOp{}, tt.Key)
		if err != nil {
			t.Fatal(err)
		}
		g.Add(cp)
		outs = append(outs, cp.Key)
	}
	sum, _ := graph.NewTask(takeOp{part: -1}, outs...)
	g.Add(sum)
	return g, sum.Key, splitKeys, want
}

type partCounter struct {
	counter
	mu         sync.Mutex
	wholeSplit int   // ValueLoaded events of split values
	parts      int   // PartLoaded events
	partBytes  int64 // bytes of PartLoaded
	written    int64
	read       int64
	splitKeys  map[graph.Key]bool
	partsOf    map[graph.Key]map[int]int
}

func (c *partCounter) Observe(e Event) {
	c.counter.Observe(e)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch e.Kind {
	case ValueLoaded:
		if c.splitKeys[e.Key] {
			c.wholeSplit++
		}
	case PartLoaded:
		c.parts++
		c.partBytes += e.Bytes
		if c.partsOf == nil {
			c.partsOf = map[graph.Key]map[int]int{}
		}
		if c.partsOf[e.Key] == nil {
			c.partsOf[e.Key] = map[int]int{}
		}
		c.partsOf[e.Key][e.Part]++
	case JobFinished:
		c.written, c.read = e.Written, e.Read
	}
}

func TestShuffleReadsOnlyItsPartFromDisk(t *testing.T) {
	leak.Check(t)
	const n, size = 8, 512
	g, out, splitKeys, want := shuffle(t, n, size)
	ref, err := Run(context.Background(), g, []graph.Key{out}, WithProgress(nil), WithMemoryLimit(-1))
	if err != nil {
		t.Fatal(err)
	}
	if got := ref[0].([]float64)[0]; got != want {
		t.Fatalf("unlimited run: sum %v, want %v", got, want)
	}
	for _, ex := range []Executor{NewLocal(), NewLoopback()} {
		for _, fuse := range []bool{true, false} {
			name := fmt.Sprintf("%T fuse=%v", ex, fuse)
			c := &partCounter{splitKeys: splitKeys}
			dir := t.TempDir()
			opts := []Option{WithMemoryLimit(1), WithSpillDir(dir), WithObserver(c), WithProgress(nil), WithExecutor(ex)}
			if !fuse {
				opts = append(opts, WithoutFusion())
			}
			got, err := Run(context.Background(), g, []graph.Key{out}, opts...)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !reflect.DeepEqual(got, ref) {
				t.Fatalf("%s: got %v, want %v", name, got, ref)
			}
			if c.wholeSplit != 0 {
				t.Errorf("%s: %d split values reloaded whole", name, c.wholeSplit)
			}
			if c.kinds[ValueSpilled] < n {
				t.Errorf("%s: %d values spilled, want every split (%d)", name, c.kinds[ValueSpilled], n)
			}
			// Every part of every split comes back from disk exactly once.
			if c.parts != n*n || len(c.partsOf) != n {
				t.Errorf("%s: %d parts of %d values loaded, want %d of %d", name, c.parts, len(c.partsOf), n*n, n)
			}
			for k, ps := range c.partsOf {
				for j, cnt := range ps {
					if cnt != 1 {
						t.Errorf("%s: part %d of %s loaded %d times", name, j, k, cnt)
					}
				}
			}
			// Each part is read once: the read volume is the parts' bytes,
			// not n times the values'.
			if c.read < c.partBytes || c.read > c.written {
				t.Errorf("%s: read %d bytes (parts %d), wrote %d", name, c.read, c.partBytes, c.written)
			}
			if d := spillDirs(t, dir); len(d) != 0 {
				t.Errorf("%s: spill directory left: %v", name, d)
			}
		}
	}
}

// Parted values read whole (here: the outputs) spill part by part and come
// back whole through their codec's Join.
func TestPartedValuesSpillAndJoinWhole(t *testing.T) {
	g, _, splitKeys, _ := shuffle(t, 5, 100)
	var outs []graph.Key
	for k := range splitKeys {
		outs = append(outs, k)
	}
	ref, err := Run(context.Background(), g, outs, WithProgress(nil), WithMemoryLimit(-1))
	if err != nil {
		t.Fatal(err)
	}
	c := &partCounter{splitKeys: splitKeys}
	got, err := Run(context.Background(), g, outs, WithProgress(nil), WithMemoryLimit(1), WithSpillDir(t.TempDir()), WithObserver(c))
	if err != nil {
		t.Fatal(err)
	}
	for i := range ref {
		if !reflect.DeepEqual(got[i].(*shards).p, ref[i].(*shards).p) {
			t.Fatalf("output %d differs after a spill", i)
		}
	}
	if c.wholeSplit == 0 {
		t.Error("no output was spilled and joined back")
	}
}

func TestPartsDroppedOnceReadersRan(t *testing.T) {
	const n, size = 6, 64
	g, out, splitKeys, want := shuffle(t, n, size)
	for _, limit := range []int64{0, -1} {
		partDrops.Store(0)
		got, err := Run(context.Background(), g, []graph.Key{out}, WithProgress(nil), WithMemoryLimit(limit))
		if err != nil {
			t.Fatal(err)
		}
		if s := got[0].([]float64)[0]; s != want {
			t.Fatalf("limit %d: sum %v, want %v", limit, s, want)
		}
		if d := partDrops.Load(); d != n*n {
			t.Errorf("limit %d: %d parts dropped, want %d", limit, d, n*n)
		}
	}
	// A split that is also an output is read whole at the end: no part of
	// it may be dropped.
	var splits []graph.Key
	for k := range splitKeys {
		splits = append(splits, k)
	}
	partDrops.Store(0)
	vals, err := Run(context.Background(), g, append([]graph.Key{out}, splits[0]), WithProgress(nil))
	if err != nil {
		t.Fatal(err)
	}
	s := vals[1].(*shards)
	for j, p := range s.p {
		if len(p) != size {
			t.Fatalf("output split: part %d has %d values, want %d", j, len(p), size)
		}
	}
	if d := partDrops.Load(); d != (n-1)*n {
		t.Errorf("with a split as output: %d parts dropped, want %d", d, (n-1)*n)
	}
}

func TestCancelMidShuffleLeavesNoFile(t *testing.T) {
	leak.Check(t)
	dir := t.TempDir()
	g, out, _, _ := shuffle(t, 12, 256)
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	var loaded atomic.Bool
	c := &counter{onKind: func(e Event) {
		if e.Kind == PartLoaded {
			loaded.Store(true)
			once.Do(cancel)
		}
	}}
	vals, err := Run(ctx, g, []graph.Key{out}, WithMemoryLimit(1), WithSpillDir(dir), WithObserver(c), WithProgress(nil))
	if !errors.Is(err, context.Canceled) || vals != nil {
		t.Fatalf("want cancel and no result, got %v, %v", vals, err)
	}
	if !loaded.Load() {
		t.Fatal("the run was not cancelled mid-shuffle")
	}
	// No waiting: the directory is gone when Run returns.
	if d := spillDirs(t, dir); len(d) != 0 {
		t.Fatalf("spill directory left behind after cancel: %v", d)
	}
}

// fullDisk is a spill file writer that fails with ENOSPC past a few bytes.
type fullDisk struct{ n int }

func (f *fullDisk) Write(p []byte) (int, error) {
	if f.n+len(p) > 100 {
		return 0, syscall.ENOSPC
	}
	f.n += len(p)
	return len(p), nil
}
func (f *fullDisk) Close() error { return nil }

func TestFullSpillDirIsAnErrorNamingIt(t *testing.T) {
	leak.Check(t)
	old := createSpill
	defer func() { createSpill = old }()
	createSpill = func(string) (io.WriteCloser, error) { return &fullDisk{}, nil }
	dir := t.TempDir()
	g, out, _, _ := shuffle(t, 6, 256)
	vals, err := Run(context.Background(), g, []graph.Key{out}, WithMemoryLimit(1), WithSpillDir(dir), WithProgress(nil))
	if err == nil || vals != nil {
		t.Fatalf("full spill dir: got %v, %v; want an error and no result", vals, err)
	}
	if !errors.Is(err, syscall.ENOSPC) || !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the directory %s or wrap ENOSPC", err, dir)
	}
	if d := spillDirs(t, dir); len(d) != 0 {
		t.Errorf("spill directory left behind: %v", d)
	}
}
