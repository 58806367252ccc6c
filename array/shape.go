package array

import (
	"context"
	"fmt"
	"sort"

	"github.com/godask/godask/graph"
)

func init() {
	registerKernel("assemble", assembleKernel)
	registerKernel("transpose", transposeKernel)
	registerKernel("reshape", reshapeKernel)
}

// piece copies the region of input In starting at SrcStart with steps
// SrcStep (per axis, may be negative) into the output at DstStart; Size is
// the region's shape in the output.
type piece struct {
	In                          int
	SrcStart, SrcStep, DstStart []int
	Size                        []int
}

func encodePieces(dt DType, shape []int, ps []piece) []byte {
	p := []byte{byte(dt)}
	p = appendInts(p, shape)
	p = appendUvarint(p, uint64(len(ps)))
	for _, q := range ps {
		p = appendUvarint(p, uint64(q.In))
		p = appendInts(p, q.SrcStart)
		p = appendInts(p, q.SrcStep)
		p = appendInts(p, q.DstStart)
		p = appendInts(p, q.Size)
	}
	return p
}

func assembleKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt := DType(p[0])
	r := graph.NewReader(p[1:])
	shape := readInts(r)
	n := int(r.Uvarint())
	out := NewDense(dt, shape...)
	for i := 0; i < n && r.Err() == nil; i++ {
		q := piece{In: int(r.Uvarint()), SrcStart: readInts(r), SrcStep: readInts(r), DstStart: readInts(r), Size: readInts(r)}
		if r.Err() != nil {
			break
		}
		if q.In >= len(in) {
			return nil, fmt.Errorf("piece input %d of %d", q.In, len(in))
		}
		copyRegion(out, q.DstStart, in[q.In].convert(dt), q.SrcStart, q.SrcStep, q.Size)
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	return out, nil
}

// copyRegion copies the region of src at srcStart (steps srcStep) of the
// given size into dst at dstStart.
func copyRegion(dst *Dense, dstStart []int, src *Dense, srcStart, srcStep, size []int) {
	nd := len(size)
	if prod(size) == 0 {
		return
	}
	if nd == 0 {
		dst.copyRange(0, src, 0, 1)
		return
	}
	idx := make([]int, nd-1)
	row := size[nd-1]
	last := srcStep[nd-1]
	for {
		doff, soff := dstStart[nd-1], srcStart[nd-1]
		for i := 0; i < nd-1; i++ {
			doff += (dstStart[i] + idx[i]) * dst.Strides[i]
			soff += (srcStart[i] + idx[i]*srcStep[i]) * src.Strides[i]
		}
		if last == 1 {
			dst.copyRange(doff, src, soff, row)
		} else {
			for j := 0; j < row; j++ {
				dst.copyRange(doff+j, src, soff+j*last, 1)
			}
		}
		k := nd - 2
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < size[k] {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

func ones(n int) []int {
	o := make([]int, n)
	for i := range o {
		o[i] = 1
	}
	return o
}

// Rechunk returns the array cut into other chunks. Each output block is one
// task reading the input blocks it overlaps, so the task count is the number
// of output blocks.
func (a *Array) Rechunk(chunks Chunking) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("Rechunk", a); err != nil {
		return &Array{err: err}
	}
	c, err := chunks.normalize(a.shape)
	if err != nil {
		return errArray("Rechunk of shape %s: %v", shapeString(a.shape), err)
	}
	if chunksEq2(c, a.chunks) {
		return a
	}
	nd := len(a.shape)
	inOff := make([][]int, nd)
	outOff := make([][]int, nd)
	for i := range c {
		inOff[i] = offsets(a.chunks[i])
		outOff[i] = offsets(c[i])
	}
	agrid := gridShape(a.chunks)
	return build(a.shape, c, a.dtype, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		// Per axis, the input blocks overlapping the output block.
		lo := make([]int, nd)
		hi := make([]int, nd)
		for d := 0; d < nd; d++ {
			s, e := outOff[d][idx[d]], outOff[d][idx[d]+1]
			// Clamped: an axis of length 0 has one block of length 0.
			lo[d] = min(sort.SearchInts(inOff[d], s+1)-1, len(a.chunks[d])-1)
			hi[d] = min(sort.SearchInts(inOff[d], e), len(a.chunks[d]))
			if hi[d] <= lo[d] {
				hi[d] = lo[d] + 1
			}
		}
		var deps []graph.Key
		var ps []piece
		span := make([]int, nd)
		for d := range span {
			span[d] = hi[d] - lo[d]
		}
		_ = forEachBlock(span, func(_ int, j []int) error {
			bi := make([]int, nd)
			q := piece{In: len(deps), SrcStart: make([]int, nd), SrcStep: ones(nd), DstStart: make([]int, nd), Size: make([]int, nd)}
			for d := 0; d < nd; d++ {
				bi[d] = lo[d] + j[d]
				s := max(outOff[d][idx[d]], inOff[d][bi[d]])
				e := min(outOff[d][idx[d]+1], inOff[d][bi[d]+1])
				q.SrcStart[d] = s - inOff[d][bi[d]]
				q.DstStart[d] = s - outOff[d][idx[d]]
				q.Size[d] = max(e-s, 0)
			}
			deps = append(deps, a.keys[flatIndex(agrid, bi)])
			ps = append(ps, q)
			return nil
		})
		return "assemble", encodePieces(a.dtype, blockShape(c, idx), ps), deps
	})
}

// T returns the transpose (axes reversed).
func (a *Array) T() *Array {
	if a.err != nil {
		return a
	}
	perm := make([]int, len(a.shape))
	for i := range perm {
		perm[i] = len(perm) - 1 - i
	}
	t := a.Transpose(perm...)
	if len(a.shape) == 2 {
		t.trOf = a
	}
	return t
}

// Transpose permutes the axes: axis i of the result is axis perm[i] of a.
func (a *Array) Transpose(perm ...int) *Array {
	if a.err != nil {
		return a
	}
	nd := len(a.shape)
	if len(perm) != nd {
		return errArray("Transpose of shape %s: permutation %v has %d axes, want %d", shapeString(a.shape), perm, len(perm), nd)
	}
	seen := make([]bool, nd)
	for _, p := range perm {
		if p < 0 || p >= nd || seen[p] {
			return errArray("Transpose of shape %s: %v is not a permutation of the axes", shapeString(a.shape), perm)
		}
		seen[p] = true
	}
	shape := make([]int, nd)
	chunks := make([][]int, nd)
	for i, p := range perm {
		shape[i] = a.shape[p]
		chunks[i] = a.chunks[p]
	}
	return build(shape, chunks, a.dtype, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		src := make([]int, nd)
		for i, p := range perm {
			src[p] = idx[i]
		}
		return "transpose", appendInts(nil, perm), []graph.Key{a.blockKey(src)}
	})
}

func transposeKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	perm := readInts(graph.NewReader(p))
	return transposeDense(in[0], perm), nil
}

func transposeDense(d *Dense, perm []int) *Dense {
	nd := len(perm)
	shape := make([]int, nd)
	for i, p := range perm {
		shape[i] = d.Shape[p]
	}
	out := NewDense(d.DType, shape...)
	if nd == 2 && d.DType == Float64 {
		r, c := d.Shape[0], d.Shape[1]
		const bs = 32
		for i0 := 0; i0 < r; i0 += bs {
			for j0 := 0; j0 < c; j0 += bs {
				for i := i0; i < min(i0+bs, r); i++ {
					for j := j0; j < min(j0+bs, c); j++ {
						out.Data[j*r+i] = d.Data[i*c+j]
					}
				}
			}
		}
		return out
	}
	// General: walk the output, read through permuted strides.
	st := make([]int, nd)
	for i, p := range perm {
		st[i] = d.Strides[p]
	}
	_ = forEachBlock(shape, func(flat int, idx []int) error {
		off := 0
		for i, v := range idx {
			off += v * st[i]
		}
		out.copyRange(flat, d, off, 1)
		return nil
	})
	return out
}

func ones2(shape []int) [][]int {
	c := make([][]int, len(shape))
	for i, s := range shape {
		c[i] = []int{s}
	}
	return c
}

func reshapeKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	shape := readInts(graph.NewReader(p))
	if prod(shape) != in[0].Len() {
		return nil, fmt.Errorf("reshape block of shape %v to %v", in[0].Shape, shape)
	}
	return in[0].reshaped(shape), nil
}

// Concatenate joins arrays along an existing axis; the other axes must agree
// in length (their chunks are unified to the first array's).
func Concatenate(axis int, as ...*Array) *Array {
	if err := firstErr(as...); err != nil {
		return &Array{err: err}
	}
	if len(as) == 0 {
		return errArray("Concatenate: no arrays")
	}
	if err := needKnown("Concatenate", as...); err != nil {
		return &Array{err: err}
	}
	nd := len(as[0].shape)
	ax, err := normAxis("Concatenate", axis, nd)
	if err != nil {
		return &Array{err: err}
	}
	dt := as[0].dtype
	for _, b := range as[1:] {
		dt = promote(dt, b.dtype)
		if len(b.shape) != nd {
			return errArray("Concatenate along axis %d: shapes %s differ in number of axes", axis, shapesString(as))
		}
		for i := range b.shape {
			if i != ax && b.shape[i] != as[0].shape[i] {
				return errArray("Concatenate along axis %d: shapes %s differ on axis %d", axis, shapesString(as), i)
			}
		}
	}
	parts := make([]*Array, len(as))
	shape := append([]int{}, as[0].shape...)
	shape[ax] = 0
	chunks := copyChunks(as[0].chunks)
	chunks[ax] = nil
	var owner [][2]int // per output block along ax: (array, block)
	for i, b := range as {
		want := copyChunks(as[0].chunks)
		want[ax] = b.chunks[ax]
		parts[i] = b.Rechunk(Explicit(want))
		shape[ax] += b.shape[ax]
		for j, c := range b.chunks[ax] {
			if c == 0 && b.shape[ax] == 0 {
				continue
			}
			chunks[ax] = append(chunks[ax], c)
			owner = append(owner, [2]int{i, j})
		}
	}
	if len(chunks[ax]) == 0 {
		chunks[ax] = []int{0}
		owner = [][2]int{{0, 0}}
	}
	return build(shape, chunks, dt, parts, func(idx []int) (string, []byte, []graph.Key) {
		o := owner[idx[ax]]
		src := append([]int{}, idx...)
		src[ax] = o[1]
		bs := blockShape(chunks, idx)
		p := encodePieces(dt, bs, []piece{{In: 0, SrcStart: make([]int, nd), SrcStep: ones(nd), DstStart: make([]int, nd), Size: bs}})
		return "assemble", p, []graph.Key{parts[o[0]].blockKey(src)}
	})
}

// Stack joins arrays of the same shape along a new axis.
func Stack(axis int, as ...*Array) *Array {
	if err := firstErr(as...); err != nil {
		return &Array{err: err}
	}
	if len(as) == 0 {
		return errArray("Stack: no arrays")
	}
	if err := needKnown("Stack", as...); err != nil {
		return &Array{err: err}
	}
	nd := len(as[0].shape)
	ax, err := normAxis("Stack", axis, nd+1)
	if err != nil {
		return &Array{err: err}
	}
	ex := make([]*Array, len(as))
	for i, b := range as {
		if !chunksEqual(b.shape, as[0].shape) {
			return errArray("Stack: shapes %s differ", shapesString(as))
		}
		sh := append(append(append([]int{}, b.shape[:ax]...), 1), b.shape[ax:]...)
		ex[i] = b.expandDims(ax, sh)
	}
	return Concatenate(ax, ex...)
}

// expandDims inserts an axis of length 1 at ax (shape is the new shape).
func (a *Array) expandDims(ax int, shape []int) *Array {
	chunks := make([][]int, 0, len(shape))
	chunks = append(chunks, a.chunks[:ax]...)
	chunks = append(chunks, []int{1})
	chunks = append(chunks, a.chunks[ax:]...)
	return build(shape, chunks, a.dtype, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		src := append(append([]int{}, idx[:ax]...), idx[ax+1:]...)
		return "reshape", appendInts(nil, blockShape(chunks, idx)), []graph.Key{a.blockKey(src)}
	})
}

func normAxis(op string, axis, nd int) (int, error) {
	if axis < -nd || axis >= nd {
		return 0, fmt.Errorf("array: %s: axis %d out of range for %d-d array", op, axis, nd)
	}
	if axis < 0 {
		axis += nd
	}
	return axis, nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
