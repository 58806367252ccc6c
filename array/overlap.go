package array

import (
	"context"
	"fmt"
	"sync"
	"unsafe"

	"github.com/godask/godask/graph"
)

func init() { registerKernel("overlap", overlapKernel) }

// Boundary says what MapOverlap's halo holds beyond the ends of the array,
// as dask.array's boundary argument.
type Boundary string

// The MapOverlap boundaries (dask.array's names).
const (
	BoundaryNone     Boundary = "none"     // no halo at the ends: edge blocks are smaller
	BoundaryReflect  Boundary = "reflect"  // mirrored, the edge included (NumPy's "symmetric")
	BoundaryPeriodic Boundary = "periodic" // the other end of the axis
	BoundaryNearest  Boundary = "nearest"  // the edge value repeated
	BoundaryConstant Boundary = "constant" // OverlapOptions.Value
)

// OverlapOptions configure MapOverlap.
type OverlapOptions struct {
	// Depth is the halo width on each side, per axis (missing axes: 0).
	Depth []int
	// Boundary is the halo beyond the ends of the array ("" is none).
	Boundary Boundary
	// Value fills a BoundaryConstant halo (converted to the dtype).
	Value float64
	// NoTrim keeps the halo in the function's output (its blocks are then
	// the extended blocks); by default Depth is trimmed off every side that
	// received a halo, as dask's trim=True.
	NoTrim bool
}

// MapOverlap applies the function registered under name (RegisterMapFunc)
// to every block extended by a halo of Depth elements from its neighbours
// along each axis, then trims the halo from the result, like
// dask.array.map_overlap: the building block of stencils, filters and
// rolling windows. Each block is one task that reads its block and the
// neighbours the halo needs (up to 3 per axis), so no overlapped copy of the
// array is materialized. All arrays must have the same shape (the others are
// rechunked to the first's chunks) and all get the same halo; the function
// must return a block of the extended shape of the first (the shape it
// received), of dtype dt or convertible to it. The blocks it receives are
// valid only during the call (their storage is reused for later blocks): it
// must not keep them, though it may return one of them; the block it
// returns belongs to MapOverlap from then on (the halo is trimmed in place).
//
// A chunk shorter than the depth along an axis cannot take its halo from one
// neighbour: such an axis is rechunked first (chunks of at least the depth,
// as dask does), and an axis shorter than a non-zero depth with a reflect,
// periodic or nearest boundary is an error.
func MapOverlap(name string, dt DType, o OverlapOptions, as ...*Array) *Array {
	if err := firstErr(as...); err != nil {
		return &Array{err: err}
	}
	if len(as) == 0 {
		return errArray("MapOverlap %q: no arrays", name)
	}
	if err := needKnown("MapOverlap", as...); err != nil {
		return &Array{err: err}
	}
	if _, ok := mapFuncs.Load(name); !ok {
		return errArray("MapOverlap: function %q is not registered (array.RegisterMapFunc)", name)
	}
	if !dt.valid() {
		return errArray("MapOverlap %q: invalid dtype %d", name, dt)
	}
	first := as[0]
	nd := len(first.shape)
	if len(o.Depth) > nd {
		return errArray("MapOverlap %q: depth %v has %d axes, the array %d", name, o.Depth, len(o.Depth), nd)
	}
	depth := make([]int, nd)
	copy(depth, o.Depth)
	bnd := o.Boundary
	if bnd == "" {
		bnd = BoundaryNone
	}
	switch bnd {
	case BoundaryNone, BoundaryReflect, BoundaryPeriodic, BoundaryNearest, BoundaryConstant:
	default:
		return errArray("MapOverlap %q: unknown boundary %q (none, reflect, periodic, nearest, constant)", name, o.Boundary)
	}
	chunks := copyChunks(first.chunks)
	for ax, d := range depth {
		n := first.shape[ax]
		if d < 0 {
			return errArray("MapOverlap %q: negative depth %d on axis %d", name, d, ax)
		}
		if d == 0 {
			continue
		}
		if d > n && bnd != BoundaryNone && bnd != BoundaryConstant {
			return errArray("MapOverlap %q: depth %d on axis %d is larger than the axis (length %d) for boundary %q", name, d, ax, n, bnd)
		}
		chunks[ax] = minChunks(chunks[ax], d)
	}
	ins := make([]*Array, len(as))
	for i, a := range as {
		if !chunksEqual(a.shape, first.shape) {
			return errArray("MapOverlap %q: shapes %s differ", name, shapesString(as))
		}
		ins[i] = a.Rechunk(Explicit(chunks))
		if ins[i].err != nil {
			return ins[i]
		}
	}
	type seg struct{ blk, start, step, size int } // blk -1: constant
	segsOf := func(ax, b int) (segs []seg, lo, hi int) {
		c := chunks[ax]
		d := depth[ax]
		last := len(c) - 1
		if d > 0 && first.shape[ax] > 0 {
			switch {
			case b > 0:
				segs = append(segs, seg{b - 1, c[b-1] - d, 1, d})
			case bnd == BoundaryReflect:
				segs = append(segs, seg{0, d - 1, -1, d})
			case bnd == BoundaryPeriodic:
				segs = append(segs, seg{last, c[last] - d, 1, d})
			case bnd == BoundaryNearest:
				segs = append(segs, seg{0, 0, 0, d})
			case bnd == BoundaryConstant:
				segs = append(segs, seg{-1, 0, 0, d})
			}
		}
		if len(segs) > 0 {
			lo = d
		}
		segs = append(segs, seg{b, 0, 1, c[b]})
		if d > 0 && first.shape[ax] > 0 {
			n0 := len(segs)
			switch {
			case b < last:
				segs = append(segs, seg{b + 1, 0, 1, d})
			case bnd == BoundaryReflect:
				segs = append(segs, seg{last, c[last] - 1, -1, d})
			case bnd == BoundaryPeriodic:
				segs = append(segs, seg{0, 0, 1, d})
			case bnd == BoundaryNearest:
				segs = append(segs, seg{last, c[last] - 1, 0, d})
			case bnd == BoundaryConstant:
				segs = append(segs, seg{-1, 0, 0, d})
			}
			if len(segs) > n0 {
				hi = d
			}
		}
		return segs, lo, hi
	}
	outChunks := chunks
	shape := first.shape
	if o.NoTrim {
		outChunks = make([][]int, nd)
		shape = make([]int, nd)
		for ax := range chunks {
			for b := range chunks[ax] {
				segs, _, _ := segsOf(ax, b)
				n := 0
				for _, s := range segs {
					n += s.size
				}
				outChunks[ax] = append(outChunks[ax], n)
				shape[ax] += n
			}
		}
	}
	return build(shape, outChunks, dt, ins, func(idx []int) (string, []byte, []graph.Key) {
		perAxis := make([][]seg, nd)
		ext := make([]int, nd)
		trimLo, trimHi := make([]int, nd), make([]int, nd)
		for ax := 0; ax < nd; ax++ {
			perAxis[ax], trimLo[ax], trimHi[ax] = segsOf(ax, idx[ax])
			for _, s := range perAxis[ax] {
				ext[ax] += s.size
			}
		}
		if o.NoTrim {
			trimLo, trimHi = make([]int, nd), make([]int, nd)
		}
		p := graph.AppendBytes(nil, []byte(name))
		p = append(p, byte(dt))
		p = appendF64(p, o.Value)
		p = appendInts(p, trimLo)
		p = appendInts(p, trimHi)
		p = appendUvarint(p, uint64(len(ins)))
		var deps []graph.Key
		depOf := map[graph.Key]int{}
		count := make([]int, nd)
		for ax := range count {
			count[ax] = len(perAxis[ax])
		}
		for _, in := range ins {
			var ps []piece
			hasConst := false
			_ = forEachBlock(count, func(_ int, j []int) error {
				q := piece{SrcStart: make([]int, nd), SrcStep: make([]int, nd), DstStart: make([]int, nd), Size: make([]int, nd)}
				src := make([]int, nd)
				for ax := 0; ax < nd; ax++ {
					s := perAxis[ax][j[ax]]
					if s.blk < 0 {
						hasConst = true
						return nil
					}
					src[ax] = s.blk
					q.SrcStart[ax], q.SrcStep[ax], q.Size[ax] = s.start, s.step, s.size
					for _, t := range perAxis[ax][:j[ax]] {
						q.DstStart[ax] += t.size
					}
				}
				k := in.blockKey(src)
				di, ok := depOf[k]
				if !ok {
					di = len(deps)
					depOf[k] = di
					deps = append(deps, k)
				}
				q.In = di
				ps = append(ps, q)
				return nil
			})
			if hasConst {
				p = append(p, 1)
			} else {
				p = append(p, 0)
			}
			p = graph.AppendBytes(p, encodePieces(in.dtype, ext, ps))
		}
		return "overlap", p, deps
	})
}

// minChunks merges chunks shorter than d with their neighbours, keeping the
// others, so every chunk is at least d long (or the axis is one chunk).
func minChunks(c []int, d int) []int {
	ok := true
	for _, v := range c {
		if v < d {
			ok = false
		}
	}
	if ok || len(c) == 1 {
		return c
	}
	var out []int
	acc := 0
	for _, v := range c {
		acc += v
		if acc >= d {
			out = append(out, acc)
			acc = 0
		}
	}
	if acc > 0 {
		if len(out) == 0 {
			out = []int{acc}
		} else {
			out[len(out)-1] += acc
		}
	}
	return out
}

func overlapKernel(ctx context.Context, p []byte, in []*Dense) (*Dense, error) {
	r := graph.NewReader(p)
	name := string(r.Bytes())
	dt := DType(r.Byte())
	val := readF64(r)
	trimLo, trimHi := readInts(r), readInts(r)
	n := int(r.Uvarint())
	if r.Err() != nil || n > len(in)+64 {
		return nil, fmt.Errorf("overlap: bad parameters")
	}
	f, ok := mapFuncs.Load(name)
	if !ok {
		return nil, fmt.Errorf("map function %q is not registered (array.RegisterMapFunc)", name)
	}
	blocks := make([]*Dense, n)
	var pooled [][]float64
	for i := 0; i < n; i++ {
		hasConst := r.Byte() == 1
		pp := r.Bytes()
		if r.Err() != nil || len(pp) == 0 {
			return nil, fmt.Errorf("overlap: bad parameters")
		}
		idt := DType(pp[0])
		pr := graph.NewReader(pp[1:])
		shape := readInts(pr)
		np := int(pr.Uvarint())
		if pr.Err() != nil || checkShape("overlap", shape) != nil {
			return nil, fmt.Errorf("overlap: bad parameters")
		}
		var ext *Dense
		switch {
		case idt == Float64:
			// The halo'd block is built in a pooled buffer (memory already
			// touched by an earlier block, not fresh pages); the pieces tile
			// it, so only a block with constant segments needs a fill.
			ext = &Dense{DType: Float64, Shape: shape, Strides: cStrides(shape), Data: getF64Buf(prod(shape))}
			pooled = append(pooled, ext.Data)
			if hasConst {
				fillF64(ext.Data, val)
			}
		case hasConst && val != 0:
			ext = fillTypedDense(idt, shape, val)
		default:
			ext = NewDense(idt, shape...)
		}
		for k := 0; k < np; k++ {
			q := piece{In: int(pr.Uvarint()), SrcStart: readInts(pr), SrcStep: readInts(pr), DstStart: readInts(pr), Size: readInts(pr)}
			if pr.Err() != nil || q.In >= len(in) {
				return nil, fmt.Errorf("overlap: bad piece %d", k)
			}
			copyRegion(ext, q.DstStart, in[q.In].convert(idt), q.SrcStart, q.SrcStep, q.Size)
		}
		blocks[i] = ext
	}
	d, err := f.(MapFunc)(blocks)
	// The pooled buffers go back unless the returned block is (a view of)
	// one of them.
	for _, b := range pooled {
		if d == nil || d.DType != Float64 || !overlapsF64(d.Data, b) {
			putF64Buf(b)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("map function %q: %w", name, err)
	}
	if d == nil || !chunksEqual(d.Shape, blocks[0].Shape) {
		return nil, fmt.Errorf("map function %q returned a block of shape %v, want the extended shape %v", name, shapeOf(d), blocks[0].Shape)
	}
	d = d.convert(dt)
	trimmed := false
	for ax := range trimLo {
		if trimLo[ax] != 0 || trimHi[ax] != 0 {
			trimmed = true
		}
	}
	if !trimmed {
		return d, nil
	}
	size := make([]int, len(d.Shape))
	for ax := range size {
		size[ax] = d.Shape[ax] - trimLo[ax] - trimHi[ax]
	}
	if ds := takeDest(ctx, dt, size, true); ds != nil {
		// A final block of a placed Compute that nothing else reads: the
		// interior goes straight into the result, and the block,
		// MapOverlap's own, is recycled for the next one.
		ones := make([]int, len(size))
		for i := range ones {
			ones[i] = 1
		}
		copyRegion(ds.out, ds.start, d, trimLo, ones, size)
		if d.DType == Float64 {
			putF64Buf(d.Data)
		}
		return placedDense, nil
	}
	return trimInPlace(d, trimLo, size), nil
}

// trimInPlace moves the interior of d (start, shape) to the front of d's own
// storage and returns d reshaped to it: no fresh memory is touched. Rows
// only move to lower offsets, in order, so each copy (a memmove) reads a
// source no earlier copy has overwritten. d is the block the map function
// returned, which MapOverlap owns from then on.
func trimInPlace(d *Dense, start, shape []int) *Dense {
	nd := len(shape)
	n := prod(shape)
	if nd > 0 && n > 0 {
		row := shape[nd-1]
		idx := make([]int, nd-1)
		for r := 0; r < n/row; r++ {
			off := start[nd-1]
			for i := 0; i < nd-1; i++ {
				off += (start[i] + idx[i]) * d.Strides[i]
			}
			d.copyRange(r*row, d, off, row)
			for k := nd - 2; k >= 0; k-- {
				idx[k]++
				if idx[k] < shape[k] {
					break
				}
				idx[k] = 0
			}
		}
	}
	switch d.DType {
	case Float32:
		d.F32 = d.F32[:n]
	case Int64:
		d.I64 = d.I64[:n]
	case Bool:
		d.B = d.B[:n]
	default:
		d.Data = d.Data[:n]
	}
	d.Shape = append([]int{}, shape...)
	d.Strides = cStrides(shape)
	return d
}

// f64Pool holds float64 buffers for halo'd blocks, by capacity.
var f64Pool sync.Pool

// getF64Buf returns a float64 buffer of length n, reused when the pool has
// one large enough (its contents are then arbitrary).
func getF64Buf(n int) []float64 {
	if b, ok := reusedF64Buf(n); ok {
		return b
	}
	b := make([]float64, n)
	if n > 0 {
		adviseHuge(unsafe.Pointer(&b[0]), n*8)
	}
	return b
}

// reusedF64Buf returns a pooled buffer of length n (arbitrary contents), or
// false when the pool has none of about that size.
//
// Only buffers the package owns go into the pool: MapOverlap's halo'd
// blocks once the map function has run, and the block a map function
// returned once its interior is copied into the placed result. NewDense
// draws float64 blocks of at least recycleMin elements from it (cleared),
// so a stencil over a large array writes its per-block outputs into memory
// an earlier block already touched instead of fresh pages (issue #13: page
// faults were most of the stencil's time outside the kernel).
func reusedF64Buf(n int) ([]float64, bool) {
	if v, ok := f64Pool.Get().(*[]float64); ok && cap(*v) >= n && cap(*v) <= 2*n+1024 {
		return (*v)[:n], true
	} else if ok {
		f64Pool.Put(v)
	}
	return nil, false
}

// recycleMin is the smallest float64 block (elements) NewDense draws from
// the pool.
const recycleMin = 1 << 15

func putF64Buf(b []float64) {
	if cap(b) < 4096 {
		return
	}
	f64Pool.Put(&b)
}

// overlapsF64 reports whether a and b share any element of storage.
func overlapsF64(a, b []float64) bool {
	if cap(a) == 0 || cap(b) == 0 {
		return false
	}
	a0 := uintptr(unsafe.Pointer(unsafe.SliceData(a)))
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return a0 < b0+uintptr(cap(b))*8 && b0 < a0+uintptr(cap(a))*8
}

func fillF64(x []float64, v float64) {
	if v == 0 {
		clear(x)
		return
	}
	for i := range x {
		x[i] = v
	}
}

func fillTypedDense(dt DType, shape []int, v float64) *Dense {
	p := []byte{byte(dt)}
	p = appendF64(p, v)
	p = appendInts(p, shape)
	d, _ := fillTypedKernel(context.Background(), p, nil)
	return d
}
