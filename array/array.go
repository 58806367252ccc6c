package array

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Array is a lazy, chunked N-d array: a shape, a dtype, a chunking of every
// axis, and one task per block that computes it. Arrays are immutable; every
// operation returns a new one. An Array built from a mistake carries a sticky
// error (see Err) that every Array derived from it inherits and Compute
// returns. The zero Array is not valid; build arrays with the constructors.
type Array struct {
	shape   []int
	chunks  [][]int
	dtype   DType
	keys    []graph.Key // one per block, C order over the block grid
	tasks   []*graph.Task
	parents []*Array
	err     error
	ew      *ewInfo // set when the array is an elementwise expression (fusion)
	trOf    *Array  // set when the array is the 2-d transpose of trOf
}

func errArray(format string, args ...any) *Array {
	return &Array{err: fmt.Errorf("array: "+format, args...)}
}

func firstErr(as ...*Array) error {
	for _, a := range as {
		if a == nil {
			return fmt.Errorf("array: nil *Array operand")
		}
		if a.err != nil {
			return a.err
		}
	}
	return nil
}

// Err returns the error of the operation that built the array (or of one it
// depends on), or nil.
func (a *Array) Err() error {
	if a == nil {
		return fmt.Errorf("array: nil *Array")
	}
	return a.err
}

// Shape returns the array's shape (a copy); an axis whose length is not known
// until the array is computed (after Mask) has length Unknown.
func (a *Array) Shape() []int { return append([]int{}, a.shape...) }

// Ndim returns the number of axes.
func (a *Array) Ndim() int { return len(a.shape) }

// Size returns the number of elements, or Unknown when some axis has
// Unknown length (and none has length 0).
func (a *Array) Size() int {
	n := prod(a.shape)
	if n < 0 {
		return Unknown
	}
	return n
}

// DType returns the element type.
func (a *Array) DType() DType { return a.dtype }

// Chunks returns the chunk lengths along every axis (a copy); they are
// Unknown along an axis of unknown length.
func (a *Array) Chunks() [][]int { return copyChunks(a.chunks) }

// NumBlocks returns the number of blocks.
func (a *Array) NumBlocks() int { return len(a.keys) }

// String prints the array like Dask's repr:
// array<shape=(10000, 20), dtype=float64, chunks=(1000, 20), tasks=10>.
// Unknown lengths print as nan: array<shape=(nan, 20), ...>.
func (a *Array) String() string {
	if a.err != nil {
		return fmt.Sprintf("array<error: %v>", a.err)
	}
	return fmt.Sprintf("array<shape=%s, dtype=%s, chunks=%s, tasks=%d>",
		shapeString(a.shape), a.dtype, chunksString(a.chunks), a.numTasks())
}

// walk visits a and everything it depends on once, dependencies first.
func (a *Array) walk(f func(*Array)) {
	seen := map[*Array]bool{}
	var stack []*Array
	var rec func(x *Array)
	rec = func(x *Array) {
		if seen[x] {
			return
		}
		seen[x] = true
		stack = append(stack, x)
		for _, p := range x.parents {
			rec(p)
		}
		f(x)
	}
	rec(a)
}

func (a *Array) numTasks() int {
	g, err := a.Graph()
	if err != nil {
		return 0
	}
	c, err := graph.Cull(g, a.keys)
	if err != nil {
		return g.Len()
	}
	return c.Len()
}

// Graph implements sched.Collection: the tasks of the array and of
// everything it depends on (or the sticky error).
func (a *Array) Graph() (*graph.Graph, error) {
	if a.err != nil {
		return nil, a.err
	}
	g := &graph.Graph{}
	a.walk(func(x *Array) {
		for _, t := range x.tasks {
			g.Add(t)
		}
	})
	return g, nil
}

// Keys implements sched.Collection: one key per block, in C order over the
// block grid.
func (a *Array) Keys() []graph.Key { return a.keys }

// Finalize implements sched.Finalizer: it assembles the computed blocks into
// one *Dense.
func (a *Array) Finalize(vals []any) (any, error) {
	if a.hasUnknown() {
		return a.assembleUnknown(vals)
	}
	return a.assemble(vals)
}

func (a *Array) assemble(vals []any) (*Dense, error) { return a.assembleInto(nil, vals) }

// assembleInto is assemble into out (nil: a fresh result), skipping the
// blocks that were computed in place (see placed).
func (a *Array) assembleInto(out *Dense, vals []any) (*Dense, error) {
	if len(vals) != len(a.keys) {
		return nil, fmt.Errorf("array: finalize: %d values for %d blocks", len(vals), len(a.keys))
	}
	if len(vals) == 1 && out == nil {
		d, ok := vals[0].(*Dense)
		if !ok {
			return nil, fmt.Errorf("array: finalize: block is %T, not *array.Dense", vals[0])
		}
		return d.convert(a.dtype), nil
	}
	if out == nil {
		out = NewDense(a.dtype, a.shape...)
	}
	offs := make([][]int, len(a.chunks))
	for i, c := range a.chunks {
		offs[i] = offsets(c)
	}
	grid := gridShape(a.chunks)
	blocks := make([]*Dense, len(vals))
	starts := make([][]int, len(vals))
	err := forEachBlock(grid, func(flat int, idx []int) error {
		if m, ok := vals[flat].(placedMark); ok {
			if m.byKernel {
				placedBlocks.Add(1)
			} else {
				earlyCopies.Add(1)
			}
			return nil // in the result already
		}
		d, ok := vals[flat].(*Dense)
		if !ok {
			return fmt.Errorf("array: finalize: block %v is %T, not *array.Dense", idx, vals[flat])
		}
		bs := blockShape(a.chunks, idx)
		if !chunksEqual(d.Shape, bs) {
			return fmt.Errorf("array: finalize: block %v has shape %v, want %v", idx, d.Shape, bs)
		}
		start := make([]int, len(idx))
		off := 0
		for i, v := range idx {
			start[i] = offs[i][v]
			off += start[i] * out.Strides[i]
		}
		if sameStorage(out, d, off) {
			placedBlocks.Add(1)
			return nil // written in place
		}
		blocks[flat], starts[flat] = d, start
		return nil
	})
	if err != nil {
		return nil, err
	}
	copyBlocks(out, starts, blocks)
	return out, nil
}

// parallelCopyMin is the result size (bytes) from which assemble copies
// the blocks on several goroutines: on a large fresh result most of the
// time is first-touch page faults, which the cores can take in parallel.
var parallelCopyMin = 8 << 20

// copyBlocks copies each block into out at its start (the blocks cover
// disjoint regions; a nil block is skipped), on up to GOMAXPROCS
// goroutines when out is large.
func copyBlocks(out *Dense, starts [][]int, blocks []*Dense) {
	kept := blocks[:0:0]
	var ks [][]int
	for i, d := range blocks {
		if d != nil {
			kept, ks = append(kept, d), append(ks, starts[i])
		}
	}
	blocks, starts = kept, ks
	workers := min(runtime.GOMAXPROCS(0), len(blocks))
	if out.Len()*out.DType.ItemSize() < parallelCopyMin || workers < 2 {
		for i, d := range blocks {
			copyInto(out, starts[i], d.convert(out.DType))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(blocks) {
					return
				}
				copyInto(out, starts[i], blocks[i].convert(out.DType))
			}
		}()
	}
	wg.Wait()
}

// copyInto copies src into dst at offset start (same dtype, same ndim).
func copyInto(dst *Dense, start []int, src *Dense) {
	nd := len(src.Shape)
	if nd == 0 {
		dst.copyRange(0, src, 0, 1)
		return
	}
	if src.Len() == 0 {
		return
	}
	row := src.Shape[nd-1]
	outer := src.Len() / row
	idx := make([]int, nd-1)
	for r := 0; r < outer; r++ {
		off := start[nd-1]
		for i := 0; i < nd-1; i++ {
			off += (start[i] + idx[i]) * dst.Strides[i]
		}
		dst.copyRange(off, src, r*row, row)
		for d := nd - 2; d >= 0; d-- {
			idx[d]++
			if idx[d] < src.Shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}

// copyRange copies n elements of src from soff to d at doff (same dtype).
func (d *Dense) copyRange(doff int, src *Dense, soff, n int) {
	switch d.DType {
	case Float32:
		copy(d.F32[doff:doff+n], src.F32[soff:soff+n])
	case Int64:
		copy(d.I64[doff:doff+n], src.I64[soff:soff+n])
	case Bool:
		copy(d.B[doff:doff+n], src.B[soff:soff+n])
	default:
		copy(d.Data[doff:doff+n], src.Data[soff:soff+n])
	}
}

// Persisted implements sched.Persister: the same array (same keys) whose
// blocks are the computed values.
func (a *Array) Persisted(vals []any) sched.Collection {
	if a.hasUnknown() {
		return a.persistedUnknown(vals)
	}
	b := &Array{shape: a.shape, chunks: a.chunks, dtype: a.dtype, keys: a.keys}
	for i, k := range a.keys {
		b.tasks = append(b.tasks, graph.ConstTask(k, vals[i]))
	}
	return b
}

// Compute runs the array's graph (see sched.Compute for the options) and
// returns the assembled result. It returns the sticky error without running
// anything when there is one.
func (a *Array) Compute(ctx context.Context, opts ...sched.Option) (*Dense, error) {
	if err := a.Err(); err != nil {
		return nil, err
	}
	out, err := sched.Compute(ctx, []sched.Collection{a.place(true)}, opts...)
	if err != nil {
		return nil, err
	}
	return out[0].(*Dense), nil
}

// Persist computes the array's blocks and returns an array with the same
// keys whose blocks are held in memory, so later computations start from them.
func (a *Array) Persist(ctx context.Context, opts ...sched.Option) (*Array, error) {
	if err := a.Err(); err != nil {
		return nil, err
	}
	out, err := sched.Persist(ctx, []sched.Collection{a}, opts...)
	if err != nil {
		return nil, err
	}
	return out[0].(*Array), nil
}

// Visualize writes the array's task graph to path (.dot, or .svg/.png when
// Graphviz is installed), see graph.Visualize.
func (a *Array) Visualize(path string) error {
	g, err := a.Graph()
	if err != nil {
		return err
	}
	g, err = graph.Cull(g, a.keys)
	if err != nil {
		return err
	}
	return graph.Visualize(g, path, a.keys...)
}

// ComputeAll computes several arrays in one run, sharing their common work.
func ComputeAll(ctx context.Context, arrays []*Array, opts ...sched.Option) ([]*Dense, error) {
	colls := make([]sched.Collection, len(arrays))
	for i, a := range arrays {
		if err := a.Err(); err != nil {
			return nil, err
		}
		colls[i] = a.place(false)
	}
	vals, err := sched.Compute(ctx, colls, opts...)
	if err != nil {
		return nil, err
	}
	out := make([]*Dense, len(vals))
	for i, v := range vals {
		out[i] = v.(*Dense)
	}
	return out, nil
}

// blockOp is the op of every array task: a kernel name and its encoded
// parameters. Kernels are registered under "array.<name>".
type blockOp struct {
	kind string
	p    []byte
	k    kernel
}

type kernel func(ctx context.Context, p []byte, in []*Dense) (*Dense, error)

var kernels = map[string]kernel{}

func registerKernel(name string, k kernel) {
	kernels[name] = k
	graph.Register("array."+name, func(p []byte) (graph.Op, error) {
		return &blockOp{kind: name, p: p, k: k}, nil
	})
}

func (o *blockOp) Name() string            { return "array." + o.kind }
func (o *blockOp) Label() string           { return o.kind }
func (o *blockOp) Params() ([]byte, error) { return o.p, nil }

func (o *blockOp) Run(ctx context.Context, in []any) (any, error) {
	ds := make([]*Dense, len(in))
	for i, v := range in {
		d, ok := v.(*Dense)
		if !ok {
			return nil, fmt.Errorf("array.%s: input %d is %T, not *array.Dense", o.kind, i, v)
		}
		ds[i] = d
	}
	return o.k(ctx, o.p, ds)
}

func newTask(kind string, p []byte, deps ...graph.Key) *graph.Task {
	k := kernels[kind]
	if k == nil {
		panic("array: kernel " + kind + " not registered")
	}
	t, err := graph.NewTask(&blockOp{kind: kind, p: p, k: k}, deps...)
	if err != nil {
		panic(err) // Params never fails for blockOp
	}
	return t
}

// build returns an array with one task per block of chunks: f returns the
// kernel, parameters and dependencies of the block at idx.
func build(shape []int, chunks [][]int, dt DType, parents []*Array,
	f func(idx []int) (kind string, p []byte, deps []graph.Key)) *Array {
	a := &Array{shape: append([]int{}, shape...), chunks: chunks, dtype: dt, parents: parents}
	grid := gridShape(chunks)
	a.keys = make([]graph.Key, prod(grid))
	a.tasks = make([]*graph.Task, 0, len(a.keys))
	_ = forEachBlock(grid, func(flat int, idx []int) error {
		kind, p, deps := f(idx)
		t := newTask(kind, p, deps...)
		a.keys[flat] = t.Key
		a.tasks = append(a.tasks, t)
		return nil
	})
	return a
}

// blockKey returns the key of the block at idx.
func (a *Array) blockKey(idx []int) graph.Key {
	return a.keys[flatIndex(gridShape(a.chunks), idx)]
}

func appendInts(b []byte, v []int) []byte {
	b = appendUvarint(b, uint64(len(v)))
	for _, x := range v {
		b = appendVarint(b, int64(x))
	}
	return b
}

func readInts(r *graph.Reader) []int {
	n := r.Uvarint()
	if n > 1<<24 {
		return nil
	}
	v := make([]int, n)
	for i := range v {
		v[i] = int(r.Varint())
	}
	return v
}

// WithErr returns an array carrying err as its sticky error (for packages
// that build on Array, such as array/linalg, to report their own mistakes).
func (a *Array) WithErr(err error) *Array {
	if err == nil {
		return a
	}
	return &Array{err: err}
}
