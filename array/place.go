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

// dest is the region of the result one final task may write into: at
// start, of shape shape; d is a view of it when the region is one
// contiguous run of out (then kernels may write into it, see outDense).
type dest struct {
	out          *Dense
	start, shape []int
	d            *Dense
	// detach: no other task reads this block, so the placed op copies a
	// block the kernel did not write in place into the region at once and
	// returns placedMark, letting the block go (see placedOp.Run).
	detach bool
	used   atomic.Bool
}

type destKey struct{}

// placedMark is the value of a final task whose block is already in the
// result: written there by its kernel (byKernel) or copied there by its
// placed op while the run went on. Finalize has nothing to copy for it.
type placedMark struct{ byKernel bool }

// Size implements graph.Sizer: the block lives in the result.
func (placedMark) Size() int64 { return 0 }

// outDense returns the block a kernel writes its final result into: the
// task's region of the result when the context carries one of this dtype
// and shape (once: a second call, a retry, allocates), otherwise a fresh
// zeroed block. The region is zero (fresh memory never written).
func outDense(ctx context.Context, dt DType, shape ...int) *Dense {
	if ds := takeDest(ctx, dt, shape, false); ds != nil {
		return ds.d
	}
	return NewDense(dt, shape...)
}

// takeDest takes the task's region of the result when the context carries
// one of this dtype and shape not yet taken, else returns nil: for a kernel
// writing into the region's view (detached false: the region must be one
// contiguous run), or for one that writes the region itself and returns
// placedDense (detached true: nothing else reads the block). Taking it is
// final: the caller must fill it.
func takeDest(ctx context.Context, dt DType, shape []int, detached bool) *dest {
	if ctx != nil {
		if ds, ok := ctx.Value(destKey{}).(*dest); ok && ds.out.DType == dt && chunksEqual(ds.shape, shape) &&
			(detached && ds.detach || !detached && ds.d != nil) && ds.used.CompareAndSwap(false, true) {
			return ds
		}
	}
	return nil
}

// placedDense is what a kernel returns for a block it wrote into its
// detached region (placedOp turns it into placedMark).
var placedDense = &Dense{}

// placedOp runs its inner op with the task's region of the result in the
// context. It encodes as the inner op.
type placedOp struct {
	inner graph.Op
	dst   *dest
}

func (o *placedOp) Name() string            { return o.inner.Name() }
func (o *placedOp) Label() string           { return graph.LabelOf(o.inner) }
func (o *placedOp) Params() ([]byte, error) { return o.inner.Params() }

// Run runs the inner op. A detached block the kernel did not write in place
// is copied into its region here, on the worker that made it, while other
// tasks run (not in Finalize), and dropped: the run never holds every
// final block and the result at once.
func (o *placedOp) Run(ctx context.Context, in []any) (any, error) {
	v, err := o.inner.Run(context.WithValue(ctx, destKey{}, o.dst), in)
	if err != nil || !o.dst.detach {
		return v, err
	}
	if v == placedDense {
		return placedMark{byKernel: true}, nil
	}
	if d, ok := v.(*Dense); ok && chunksEqual(d.Shape, o.dst.shape) && o.dst.used.CompareAndSwap(false, true) {
		copyInto(o.dst.out, o.dst.start, d.convert(o.dst.out.DType))
		return placedMark{}, nil
	}
	return v, nil
}

// placed is the collection Compute runs for an array whose result is
// allocated up front: its final tasks carry their regions of out.
type placed struct {
	*Array
	out    *Dense
	dests  map[graph.Key]*dest
	detach bool
}

// placeable reports whether the result is worth placing.
func (a *Array) placeable() bool {
	if a.err != nil || a.hasUnknown() || len(a.keys) < 2 || len(a.shape) == 0 {
		return false
	}
	return prod(a.shape)*a.dtype.ItemSize() >= placeMin
}

// placedBlocks counts the blocks an assembly found written in place by
// their kernels, earlyCopies those their placed ops copied in (for tests).
var placedBlocks, earlyCopies atomic.Int64

// placeMin is the result size (bytes) from which Compute places blocks.
var placeMin = 1 << 20

// place returns the collection that computes a into a fresh result, or a
// itself when a is not placeable. detach lets final blocks that no other
// task reads be copied into the result as they finish (Compute of one
// array; ComputeAll does not, as another array may read them).
func (a *Array) place(detach bool) sched.Collection {
	if !a.placeable() {
		return a
	}
	p := &placed{Array: a, out: NewDense(a.dtype, a.shape...), dests: make(map[graph.Key]*dest, len(a.keys)), detach: detach}
	offs := make([][]int, len(a.chunks))
	contiguous := true
	for ax, c := range a.chunks {
		offs[ax] = offsets(c)
		if ax > 0 && len(c) != 1 {
			contiguous = false
		}
	}
	_ = forEachBlock(gridShape(a.chunks), func(flat int, idx []int) error {
		k := a.keys[flat]
		if ds, dup := p.dests[k]; dup {
			ds.detach = false // the block fills several regions: Finalize copies it
			return nil
		}
		ds := &dest{out: p.out, start: make([]int, len(idx)), shape: blockShape(a.chunks, idx), detach: detach}
		off := 0
		for ax, v := range idx {
			ds.start[ax] = offs[ax][v]
			off += ds.start[ax] * p.out.Strides[ax]
		}
		if contiguous {
			ds.d = p.out.view(off, prod(ds.shape), ds.shape)
		}
		p.dests[k] = ds
		return nil
	})
	return p
}

// Graph is the array's graph with each final task running as a placedOp.
// A final block another task reads is not detached.
func (p *placed) Graph() (*graph.Graph, error) {
	g, err := p.Array.Graph()
	if err != nil {
		return nil, err
	}
	if p.detach {
		for _, t := range g.Tasks() {
			for _, k := range t.Deps {
				if ds, ok := p.dests[k]; ok {
					ds.detach = false
				}
			}
		}
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
