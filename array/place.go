package array

import (
	"context"
	"sync/atomic"
	"unsafe"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Placement: Compute writes the final blocks straight into the result.
//
// On a large result most of Compute's time outside the kernels is fresh
// memory: every final block is written into new pages, then the assembly
// writes the whole result into new pages again. When each block of the
// array is one contiguous run of the C-ordered result (every axis after the
// first in one chunk: a row-chunked matrix, any 1-d array), Compute
// allocates the result first and hands each final task a view of its region
// (a dest carried in the context), so the kernels that support it (see
// outDense) write there and the assembly copies nothing for those blocks.
//
// The view is a local optimisation only: a placed task encodes as its inner
// op (same name, parameters and key), so an executor that ships tasks to
// other processes runs the plain op and its block is copied in as before.

// dest is the region of the result one final task may write into.
type dest struct {
	d    *Dense
	used atomic.Bool
}

type destKey struct{}

// outDense returns the block a kernel writes its final result into: the
// task's region of the result when the context carries one of this dtype
// and shape (once: a second call, a retry, allocates), otherwise a fresh
// zeroed block. The region is zero (fresh memory never written).
func outDense(ctx context.Context, dt DType, shape ...int) *Dense {
	if d := destFor(ctx, dt, shape); d != nil {
		return d
	}
	return NewDense(dt, shape...)
}

// destFor is the task's region of the result when the context carries one
// of this dtype and shape not yet taken, else nil.
func destFor(ctx context.Context, dt DType, shape []int) *Dense {
	if ctx != nil {
		if ds, ok := ctx.Value(destKey{}).(*dest); ok && ds.d.DType == dt && chunksEqual(ds.d.Shape, shape) && ds.used.CompareAndSwap(false, true) {
			return ds.d
		}
	}
	return nil
}

// placedOp runs its inner op with the task's region of the result in the
// context. It encodes as the inner op.
type placedOp struct {
	inner graph.Op
	dst   *dest
}

func (o *placedOp) Name() string            { return o.inner.Name() }
func (o *placedOp) Label() string           { return graph.LabelOf(o.inner) }
func (o *placedOp) Params() ([]byte, error) { return o.inner.Params() }
func (o *placedOp) Run(ctx context.Context, in []any) (any, error) {
	return o.inner.Run(context.WithValue(ctx, destKey{}, o.dst), in)
}

// placed is the collection Compute runs for an array whose result is
// allocated up front: its final tasks carry their regions of out.
type placed struct {
	*Array
	out   *Dense
	dests map[graph.Key]*dest
}

// placeable reports whether every block of a is one contiguous run of its
// C-ordered result and the result is worth placing.
func (a *Array) placeable() bool {
	if a.err != nil || a.hasUnknown() || len(a.keys) < 2 || len(a.shape) == 0 {
		return false
	}
	for ax := 1; ax < len(a.chunks); ax++ {
		if len(a.chunks[ax]) != 1 {
			return false
		}
	}
	return prod(a.shape)*a.dtype.ItemSize() >= placeMin
}

// placedBlocks counts the blocks an assembly found written in place (for
// tests).
var placedBlocks atomic.Int64

// placeMin is the result size (bytes) from which Compute places blocks.
var placeMin = 1 << 20

// place returns the collection that computes a into a fresh result, or a
// itself when a is not placeable.
func (a *Array) place() sched.Collection {
	if !a.placeable() {
		return a
	}
	p := &placed{Array: a, out: NewDense(a.dtype, a.shape...), dests: make(map[graph.Key]*dest, len(a.keys))}
	row := 1
	for _, s := range a.shape[1:] {
		row *= s
	}
	off := 0
	for i, n := range a.chunks[0] {
		k := a.keys[i]
		if _, dup := p.dests[k]; !dup {
			shape := append([]int{n}, a.shape[1:]...)
			p.dests[k] = &dest{d: p.out.view(off, n*row, shape)}
		}
		off += n * row
	}
	return p
}

// Graph is the array's graph with each final task running as a placedOp.
func (p *placed) Graph() (*graph.Graph, error) {
	g, err := p.Array.Graph()
	if err != nil {
		return nil, err
	}
	out := graph.WithCapacity(g.Len())
	for _, t := range g.Tasks() {
		if ds, ok := p.dests[t.Key]; ok {
			t = &graph.Task{Key: t.Key, Op: &placedOp{inner: t.Op, dst: ds}, Deps: t.Deps}
		}
		out.Add(t)
	}
	return out, nil
}

// Finalize copies into the result the blocks that were not written in place.
func (p *placed) Finalize(vals []any) (any, error) {
	return p.assembleInto(p.out, vals)
}

// sameStorage reports whether b's elements start at element off of out.
func sameStorage(out, b *Dense, off int) bool {
	if b.DType != out.DType || b.Len() == 0 {
		return false
	}
	var x, y unsafe.Pointer
	switch out.DType {
	case Float32:
		x, y = unsafe.Pointer(&out.F32[off]), unsafe.Pointer(&b.F32[0])
	case Int64:
		x, y = unsafe.Pointer(&out.I64[off]), unsafe.Pointer(&b.I64[0])
	case Bool:
		x, y = unsafe.Pointer(&out.B[off]), unsafe.Pointer(&b.B[0])
	default:
		x, y = unsafe.Pointer(&out.Data[off]), unsafe.Pointer(&b.Data[0])
	}
	return x == y
}
