package array

import (
	"context"
	"fmt"
	"math"
	"math/bits"

	"github.com/godask/godask/graph"
)

// This file holds the NumPy shape and creation routines that move elements
// without arithmetic (Squeeze, ExpandDims, BroadcastTo, Pad, Repeat, Tile,
// Diag, Tril/Triu, ArangeInt, FromArray): every one copies values in their
// own dtype, so int64 stays exact at any magnitude.

func init() {
	registerKernel("strided", stridedKernel)
	registerKernel("repeat", repeatKernel)
	registerKernel("tri", triKernel)
	registerKernel("arange_int", arangeIntKernel)
	registerKernel("fill_typed", fillTypedKernel)
}

// Squeeze removes axes of length 1: the given axes (each must have length
// 1), or every axis of length 1 when none is given, like numpy.squeeze.
func (a *Array) Squeeze(axes ...int) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("Squeeze", a); err != nil {
		return &Array{err: err}
	}
	nd := len(a.shape)
	drop := make([]bool, nd)
	if len(axes) == 0 {
		for i, n := range a.shape {
			drop[i] = n == 1
		}
	}
	for _, ax := range axes {
		x, err := normAxis("Squeeze", ax, nd)
		if err != nil {
			return &Array{err: err}
		}
		if a.shape[x] != 1 {
			return errArray("Squeeze of shape %s: axis %d has length %d, not 1", shapeString(a.shape), ax, a.shape[x])
		}
		drop[x] = true
	}
	var shape []int
	var chunks [][]int
	for i := range a.shape {
		if !drop[i] {
			shape = append(shape, a.shape[i])
			chunks = append(chunks, a.chunks[i])
		}
	}
	if len(shape) == nd {
		return a
	}
	return build(shape, chunks, a.dtype, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		src := make([]int, 0, nd)
		j := 0
		for i := range a.shape {
			if drop[i] {
				src = append(src, 0)
			} else {
				src = append(src, idx[j])
				j++
			}
		}
		return "reshape", appendInts(nil, blockShape(chunks, idx)), []graph.Key{a.blockKey(src)}
	})
}

// ExpandDims inserts axes of length 1 at the given positions of the result
// (negative positions count from the end of the result), like
// numpy.expand_dims.
func (a *Array) ExpandDims(axes ...int) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("ExpandDims", a); err != nil {
		return &Array{err: err}
	}
	nd := len(a.shape) + len(axes)
	ins := make([]bool, nd)
	for _, ax := range axes {
		x, err := normAxis("ExpandDims", ax, nd)
		if err != nil {
			return &Array{err: err}
		}
		if ins[x] {
			return errArray("ExpandDims of shape %s: axis %d given twice", shapeString(a.shape), ax)
		}
		ins[x] = true
	}
	out := a
	shape := append([]int{}, a.shape...)
	for i := 0; i < nd; i++ {
		if ins[i] {
			shape = append(shape[:i], append([]int{1}, shape[i:]...)...)
			out = out.expandDims(i, shape)
		}
	}
	return out
}

// BroadcastTo returns the array broadcast to shape with NumPy's rules
// (trailing axes aligned; an axis of length 1 repeats). New and repeated
// axes take chunks (nil: the whole axis, or the input's chunks along kept
// axes). Each output block reads the one input block it repeats; nothing is
// copied until a block is computed.
func (a *Array) BroadcastTo(shape []int, chunks Chunking) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("BroadcastTo", a); err != nil {
		return &Array{err: err}
	}
	if err := checkShape("BroadcastTo", shape); err != nil {
		return &Array{err: err}
	}
	nd, na := len(shape), len(a.shape)
	if na > nd {
		return errArray("BroadcastTo: cannot broadcast shape %s to %s (fewer axes)", shapeString(a.shape), shapeString(shape))
	}
	lead := nd - na
	var out [][]int
	if chunks != nil {
		c, err := chunks.normalize(shape)
		if err != nil {
			return errArray("BroadcastTo %s: %v", shapeString(shape), err)
		}
		out = c
	} else {
		out = make([][]int, nd)
	}
	for i := 0; i < nd; i++ {
		if i >= lead {
			n := a.shape[i-lead]
			if n != shape[i] && n != 1 {
				return errArray("BroadcastTo: cannot broadcast shape %s to %s (axis %d: %d against %d)", shapeString(a.shape), shapeString(shape), i, n, shape[i])
			}
		}
		if chunks == nil {
			if i >= lead && a.shape[i-lead] == shape[i] {
				out[i] = a.chunks[i-lead]
			} else {
				out[i] = []int{shape[i]}
			}
		}
	}
	// Leading new axes first become axes of length 1; a kept axis must keep
	// the output's chunks so each block has one source block.
	in := a
	for i := 0; i < lead; i++ {
		in = in.ExpandDims(0)
	}
	want := make(Explicit, nd)
	changed := false
	kept := make([]bool, nd)
	for i := 0; i < nd; i++ {
		want[i] = in.chunks[i]
		kept[i] = in.shape[i] == shape[i] && shape[i] != 1
		if kept[i] && !chunksEqual(in.chunks[i], out[i]) {
			want[i] = out[i]
			changed = true
		}
	}
	if changed {
		in = in.Rechunk(want)
	}
	return build(shape, out, a.dtype, []*Array{in}, func(idx []int) (string, []byte, []graph.Key) {
		src := make([]int, nd)
		q := piece{SrcStart: make([]int, nd), SrcStep: make([]int, nd), DstStart: make([]int, nd), Size: blockShape(out, idx)}
		for i := 0; i < nd; i++ {
			if kept[i] {
				src[i] = idx[i]
				q.SrcStep[i] = 1
			}
		}
		return "assemble", encodePieces(a.dtype, q.Size, []piece{q}), []graph.Key{in.blockKey(src)}
	})
}

// PadMode names how Pad fills the new elements, as numpy.pad's mode.
type PadMode string

// The Pad modes (numpy.pad's names).
const (
	PadConstant  PadMode = "constant"  // the constant value
	PadEdge      PadMode = "edge"      // the edge value repeated
	PadReflect   PadMode = "reflect"   // mirrored without the edge: 3 2 | 1 2 3 | 2 1
	PadSymmetric PadMode = "symmetric" // mirrored with the edge: 2 1 | 1 2 3 | 3 2
	PadWrap      PadMode = "wrap"      // periodic: 2 3 | 1 2 3 | 1 2
)

// Pad adds width[i][0] elements before and width[i][1] after axis i, like
// numpy.pad(x, width, mode). A single pair applies to every axis. value is
// the fill of PadConstant, converted to the dtype (an int64 array takes
// int64(value); use AsType for other needs). The padding becomes new blocks
// at both ends of each axis; the input blocks are not copied. Large
// reflect/symmetric/wrap widths repeat the pattern as NumPy does.
func (a *Array) Pad(width [][2]int, mode PadMode, value float64) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("Pad", a); err != nil {
		return &Array{err: err}
	}
	nd := len(a.shape)
	if len(width) == 1 && nd > 1 {
		w := width[0]
		width = make([][2]int, nd)
		for i := range width {
			width[i] = w
		}
	}
	if len(width) != nd {
		return errArray("Pad of shape %s: %d width pairs for %d axes", shapeString(a.shape), len(width), nd)
	}
	for i, w := range width {
		if w[0] < 0 || w[1] < 0 {
			return errArray("Pad of shape %s: negative width %v on axis %d", shapeString(a.shape), w, i)
		}
		if w[0] > 1<<40 || w[1] > 1<<40 {
			return errArray("Pad of shape %s: width %v on axis %d is too large", shapeString(a.shape), w, i)
		}
	}
	switch mode {
	case PadConstant, PadEdge, PadReflect, PadSymmetric, PadWrap:
	default:
		return errArray("Pad: unknown mode %q (constant, edge, reflect, symmetric, wrap)", mode)
	}
	out := a
	for ax := 0; ax < nd; ax++ {
		w := width[ax]
		if w[0] == 0 && w[1] == 0 {
			continue
		}
		n := out.shape[ax]
		if n == 0 && mode != PadConstant {
			return errArray("Pad of shape %s: mode %q cannot extend the empty axis %d", shapeString(a.shape), mode, ax)
		}
		out = padAxis(out, ax, w[0], w[1], mode, value)
		if out.err != nil {
			return out
		}
	}
	return out
}

func padAxis(a *Array, ax, before, after int, mode PadMode, value float64) *Array {
	n := a.shape[ax]
	sl := func(s Slice) *Array {
		ss := make([]Slice, len(a.shape))
		for i := range ss {
			ss[i] = All
		}
		ss[ax] = s
		return a.Slice(ss...)
	}
	side := func(w int, left bool) *Array {
		shape := append([]int{}, a.shape...)
		shape[ax] = w
		switch mode {
		case PadConstant:
			chunks := copyChunks(a.chunks)
			chunks[ax] = []int{w}
			return fullTyped(shape, chunks, a.dtype, value)
		case PadEdge:
			var e *Array
			if left {
				e = sl(S(0, 1))
			} else {
				e = sl(S(n-1, n))
			}
			chunks := copyChunks(a.chunks)
			chunks[ax] = []int{w}
			return e.BroadcastTo(shape, Explicit(chunks))
		case PadReflect:
			if left {
				return sl(Step(w, 0, -1))
			}
			return sl(revSlice(n-2, w))
		case PadSymmetric:
			if left {
				return sl(revSlice(w-1, w))
			}
			return sl(revSlice(n-1, w))
		default: // wrap
			if left {
				return sl(S(n-w, n))
			}
			return sl(S(0, w))
		}
	}
	if mode == PadEdge || mode == PadConstant {
		var parts []*Array
		if before > 0 {
			parts = append(parts, side(before, true))
		}
		parts = append(parts, a)
		if after > 0 {
			parts = append(parts, side(after, false))
		}
		return Concatenate(ax, parts...)
	}
	if (mode == PadReflect || mode == PadSymmetric) && n == 1 {
		return padAxis(a, ax, before, after, PadEdge, 0)
	}
	// NumPy extends by at most one period at a time, reflecting the area
	// already padded.
	lim := n
	if mode == PadReflect {
		lim = n - 1
	}
	l, r := min(before, lim), min(after, lim)
	var parts []*Array
	if l > 0 {
		parts = append(parts, side(l, true))
	}
	parts = append(parts, a)
	if r > 0 {
		parts = append(parts, side(r, false))
	}
	out := Concatenate(ax, parts...)
	if out.err != nil || (l == before && r == after) {
		return out
	}
	return padAxis(out, ax, before-l, after-r, mode, 0)
}

// revSlice selects count positions backwards from start (start >= count-1).
func revSlice(start, count int) Slice {
	s := Slice{Start: start, Stop: start - count, Step: -1, HasStart: true, HasStop: true}
	if s.Stop < 0 {
		s.HasStop = false
	}
	return s
}

// fullTyped is Full with the value converted to dt once (int64 exactly).
func fullTyped(shape []int, chunks [][]int, dt DType, v float64) *Array {
	return build(shape, chunks, dt, nil, func(idx []int) (string, []byte, []graph.Key) {
		p := []byte{byte(dt)}
		p = appendF64(p, v)
		p = appendInts(p, blockShape(chunks, idx))
		return "fill_typed", p, nil
	})
}

func fillTypedKernel(_ context.Context, p []byte, _ []*Dense) (*Dense, error) {
	dt := DType(p[0])
	r := graph.NewReader(p[1:])
	v := readF64(r)
	shape := readInts(r)
	if r.Err() != nil {
		return nil, r.Err()
	}
	d := NewDense(dt, shape...)
	if v == 0 {
		return d, nil
	}
	switch dt {
	case Float32:
		for i := range d.F32 {
			d.F32[i] = float32(v)
		}
	case Int64:
		iv := int64(v)
		if v >= 9.2233720368547758e18 {
			iv = math.MaxInt64
		}
		for i := range d.I64 {
			d.I64[i] = iv
		}
	case Bool:
		for i := range d.B {
			d.B[i] = true
		}
	default:
		for i := range d.Data {
			d.Data[i] = v
		}
	}
	return d, nil
}

// Repeat repeats every element repeats times along axis, like
// numpy.repeat(x, repeats, axis). Each output block is one input block
// repeated, so the chunks along axis grow repeats times.
func (a *Array) Repeat(repeats, axis int) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("Repeat", a); err != nil {
		return &Array{err: err}
	}
	if repeats < 0 {
		return errArray("Repeat of shape %s: negative repeats %d", shapeString(a.shape), repeats)
	}
	ax, err := normAxis("Repeat", axis, len(a.shape))
	if err != nil {
		return &Array{err: err}
	}
	if hi, lo := bits.Mul64(uint64(a.shape[ax]), uint64(repeats)); hi != 0 || lo > 1<<50 {
		return errArray("Repeat of shape %s: %d repeats overflow axis %d", shapeString(a.shape), repeats, axis)
	}
	shape := append([]int{}, a.shape...)
	shape[ax] *= repeats
	chunks := copyChunks(a.chunks)
	for i := range chunks[ax] {
		chunks[ax][i] *= repeats
	}
	return build(shape, chunks, a.dtype, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		p := appendInts(nil, []int{ax, repeats})
		return "repeat", p, []graph.Key{a.blockKey(idx)}
	})
}

func repeatKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	v := readInts(graph.NewReader(p))
	if len(v) != 2 || len(in) != 1 || v[0] >= len(in[0].Shape) {
		return nil, fmt.Errorf("repeat: bad parameters")
	}
	ax, r := v[0], v[1]
	src := in[0]
	nd := len(src.Shape)
	shape := append([]int{}, src.Shape...)
	shape[ax] *= r
	out := NewDense(src.DType, shape...)
	size := append([]int{}, shape...)
	size[ax] = r
	sstart := make([]int, nd)
	step := ones(nd)
	step[ax] = 0
	dstart := make([]int, nd)
	for i := 0; i < src.Shape[ax]; i++ {
		sstart[ax] = i
		dstart[ax] = i * r
		copyRegion(out, dstart, src, sstart, step, size)
	}
	return out, nil
}

// Tile repeats the whole array reps[i] times along axis i, like numpy.tile:
// with fewer reps than axes the leading axes repeat once, with more the
// array gains leading axes of length 1 first. The result's blocks are the
// input's blocks, repeated.
func (a *Array) Tile(reps ...int) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("Tile", a); err != nil {
		return &Array{err: err}
	}
	for i, r := range reps {
		if r < 0 {
			return errArray("Tile of shape %s: negative repetition %d at position %d", shapeString(a.shape), r, i)
		}
	}
	out := a
	for len(out.shape) < len(reps) {
		out = out.ExpandDims(0)
	}
	nd := len(out.shape)
	full := append(ones(nd-len(reps)), reps...)
	for ax, r := range full {
		if r == 1 {
			continue
		}
		if r == 0 {
			out = out.Slice(axisSlice(nd, ax, S(0, 0))...)
			continue
		}
		if hi, lo := bits.Mul64(uint64(out.shape[ax]), uint64(r)); hi != 0 || lo > 1<<50 {
			return errArray("Tile of shape %s: %d repetitions overflow axis %d", shapeString(a.shape), r, ax)
		}
		parts := make([]*Array, r)
		for i := range parts {
			parts[i] = out
		}
		out = Concatenate(ax, parts...)
	}
	return out
}

func axisSlice(nd, ax int, s Slice) []Slice {
	ss := make([]Slice, nd)
	for i := range ss {
		ss[i] = All
	}
	ss[ax] = s
	return ss
}

// Diag is numpy.diag: for a 1-d array, the square 2-d array with it on the
// k-th diagonal (k > 0 above the main one); for a 2-d array, its k-th
// diagonal as a 1-d array. Output blocks follow the input's chunks; a block
// that misses the diagonal is all zeros and reads nothing.
func (a *Array) Diag(k int) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("Diag", a); err != nil {
		return &Array{err: err}
	}
	switch len(a.shape) {
	case 1:
		return a.diagMake(k)
	case 2:
		return a.diagTake(k)
	}
	return errArray("Diag of shape %s: want a 1-d or 2-d array", shapeString(a.shape))
}

// stridedCopy copies Count elements from input In at flat offset Src
// (stride SrcStride) to the output at flat offset Dst (stride DstStride).
type stridedCopy struct {
	In, Src, SrcStride, Dst, DstStride, Count int
}

func encodeStrided(dt DType, shape []int, cs []stridedCopy) []byte {
	p := []byte{byte(dt)}
	p = appendInts(p, shape)
	p = appendUvarint(p, uint64(len(cs)))
	for _, c := range cs {
		p = appendInts(p, []int{c.In, c.Src, c.SrcStride, c.Dst, c.DstStride, c.Count})
	}
	return p
}

func stridedKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt := DType(p[0])
	r := graph.NewReader(p[1:])
	shape := readInts(r)
	n := int(r.Uvarint())
	if r.Err() != nil || checkShape("strided", shape) != nil {
		return nil, fmt.Errorf("strided: bad parameters")
	}
	out := NewDense(dt, shape...)
	for i := 0; i < n; i++ {
		v := readInts(r)
		if r.Err() != nil || len(v) != 6 || v[0] < 0 || v[0] >= len(in) {
			return nil, fmt.Errorf("strided: bad copy %d", i)
		}
		src := in[v[0]].convert(dt)
		if v[5] > 0 && (v[1]+(v[5]-1)*v[2] >= src.Len() || v[3]+(v[5]-1)*v[4] >= out.Len()) {
			return nil, fmt.Errorf("strided: copy %d out of range", i)
		}
		for j := 0; j < v[5]; j++ {
			out.copyRange(v[3]+j*v[4], src, v[1]+j*v[2], 1)
		}
	}
	return out, nil
}

// diagRange returns the diagonal positions t (element (t+ro, t+co)) that
// fall in rows [r0, r1) and columns [c0, c1), clipped to [0, n).
func diagRange(r0, r1, c0, c1, ro, co, n int) (lo, hi int) {
	lo = max(r0-ro, c0-co, 0)
	hi = min(r1-ro, c1-co, n)
	return lo, hi
}

func (a *Array) diagMake(k int) *Array {
	n := a.shape[0]
	ak := k
	if ak < 0 {
		ak = -ak
	}
	if ak > 1<<40 {
		return errArray("Diag: offset %d is too large", k)
	}
	ro, co := max(-k, 0), max(k, 0)
	m := n + ak
	// Rows and columns take the input's chunks, the offset added to the first
	// rows (k < 0) or columns (k > 0) block.
	base := append([]int{}, a.chunks[0]...)
	rows, cols := append([]int{}, base...), append([]int{}, base...)
	if ro > 0 {
		rows = append([]int{ro}, rows...)
		cols = append(cols, ro)
	}
	if co > 0 {
		cols = append([]int{co}, cols...)
		rows = append(rows, co)
	}
	rows, cols = dropZeroChunks(rows), dropZeroChunks(cols)
	chunks := [][]int{rows, cols}
	roff, coff := offsets(rows), offsets(cols)
	inOff := offsets(a.chunks[0])
	return build([]int{m, m}, chunks, a.dtype, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		r0, r1 := roff[idx[0]], roff[idx[0]+1]
		c0, c1 := coff[idx[1]], coff[idx[1]+1]
		bs := []int{r1 - r0, c1 - c0}
		lo, hi := diagRange(r0, r1, c0, c1, ro, co, n)
		var deps []graph.Key
		var cs []stridedCopy
		for b := 0; b < len(a.chunks[0]) && lo < hi; b++ {
			s, e := max(lo, inOff[b]), min(hi, inOff[b+1])
			if s >= e {
				continue
			}
			cs = append(cs, stridedCopy{In: len(deps), Src: s - inOff[b], SrcStride: 1,
				Dst: (s+ro-r0)*bs[1] + (s + co - c0), DstStride: bs[1] + 1, Count: e - s})
			deps = append(deps, a.blockKey([]int{b}))
		}
		return "strided", encodeStrided(a.dtype, bs, cs), deps
	})
}

func (a *Array) diagTake(k int) *Array {
	r, c := a.shape[0], a.shape[1]
	ro, co := max(-k, 0), max(k, 0)
	n := 0
	if ro < r && co < c {
		n = min(r-ro, c-co)
	}
	roff, coff := offsets(a.chunks[0]), offsets(a.chunks[1])
	// Output chunks: where the diagonal crosses a block boundary.
	var chunks []int
	type src struct{ bi, bj, lo, hi int }
	var srcs []src
	for t := 0; t < n; {
		i, j := t+ro, t+co
		bi, bj := blockOfOffset(roff, i), blockOfOffset(coff, j)
		_, hi := diagRange(roff[bi], roff[bi+1], coff[bj], coff[bj+1], ro, co, n)
		srcs = append(srcs, src{bi, bj, t, hi})
		chunks = append(chunks, hi-t)
		t = hi
	}
	if n == 0 {
		chunks = []int{0}
	}
	cc := [][]int{chunks}
	return build([]int{n}, cc, a.dtype, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		if n == 0 {
			return "strided", encodeStrided(a.dtype, []int{0}, nil), nil
		}
		s := srcs[idx[0]]
		bw := a.chunks[1][s.bj]
		cs := []stridedCopy{{In: 0, Src: (s.lo+ro-roff[s.bi])*bw + (s.lo + co - coff[s.bj]), SrcStride: bw + 1, Dst: 0, DstStride: 1, Count: s.hi - s.lo}}
		return "strided", encodeStrided(a.dtype, []int{s.hi - s.lo}, cs), []graph.Key{a.blockKey([]int{s.bi, s.bj})}
	})
}

func blockOfOffset(off []int, p int) int {
	b := 0
	for b+2 < len(off) && p >= off[b+1] {
		b++
	}
	return b
}

func dropZeroChunks(c []int) []int {
	var out []int
	for _, v := range c {
		if v > 0 {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return []int{0}
	}
	return out
}

// Tril keeps the elements on and below the k-th diagonal of the last two
// axes and zeroes the others, like numpy.tril.
func (a *Array) Tril(k int) *Array { return a.tri("Tril", k, true) }

// Triu keeps the elements on and above the k-th diagonal of the last two
// axes and zeroes the others, like numpy.triu.
func (a *Array) Triu(k int) *Array { return a.tri("Triu", k, false) }

func (a *Array) tri(op string, k int, lower bool) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown(op, a); err != nil {
		return &Array{err: err}
	}
	nd := len(a.shape)
	if nd < 2 {
		return errArray("%s of shape %s: want at least 2 axes", op, shapeString(a.shape))
	}
	k = max(min(k, 1<<50), -(1 << 50))
	return build(a.shape, a.chunks, a.dtype, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		st := blockStart(a.chunks, idx)
		lw := 0
		if lower {
			lw = 1
		}
		p := appendInts(nil, []int{st[nd-2], st[nd-1], k, lw})
		return "tri", p, []graph.Key{a.blockKey(idx)}
	})
}

func triKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	v := readInts(graph.NewReader(p))
	src := in[0]
	nd := len(src.Shape)
	if len(v) != 4 || nd < 2 {
		return nil, fmt.Errorf("tri: bad parameters")
	}
	r0, c0, k, lower := v[0], v[1], v[2], v[3] == 1
	out := NewDense(src.DType, src.Shape...)
	out.copyRange(0, src, 0, src.Len())
	R, C := src.Shape[nd-2], src.Shape[nd-1]
	if R == 0 || C == 0 {
		return out, nil
	}
	for m := 0; m < out.Len()/(R*C); m++ {
		for i := 0; i < R; i++ {
			// Row i+r0 keeps columns j with j-i <= k (lower) or j-i >= k.
			row := m*R*C + i*C
			var zlo, zhi int // zero columns [zlo, zhi) in block coordinates
			if lower {
				zlo, zhi = min(max(i+r0+k+1-c0, 0), C), C
			} else {
				zlo, zhi = 0, min(max(i+r0+k-c0, 0), C)
			}
			out.zeroRange(row+zlo, zhi-zlo)
		}
	}
	return out, nil
}

// zeroRange zeroes n elements from off.
func (d *Dense) zeroRange(off, n int) {
	if n <= 0 {
		return
	}
	switch d.DType {
	case Float32:
		clear(d.F32[off : off+n])
	case Int64:
		clear(d.I64[off : off+n])
	case Bool:
		clear(d.B[off : off+n])
	default:
		clear(d.Data[off : off+n])
	}
}

// Outer is numpy.outer: the product of every element of a (flattened) with
// every element of b, shape (a.Size(), b.Size()), blocks from a's and b's
// chunks (an N-d operand split along an axis after its first is rechunked
// so it flattens blockwise).
func Outer(a, b *Array) *Array {
	if err := firstErr(a, b); err != nil {
		return &Array{err: err}
	}
	if err := needKnown("Outer", a, b); err != nil {
		return &Array{err: err}
	}
	fa, fb := flattenC(a), flattenC(b)
	if err := firstErr(fa, fb); err != nil {
		return errArray("Outer: flattening: %v", err)
	}
	return fa.ExpandDims(1).Mul(fb.ExpandDims(0))
}

// flattenC is a.Reshape(-1) (C order) for any chunking: the axes after
// the first are first rechunked into one chunk each where they are split,
// as dask's reshape rechunks, so the flattening is blockwise.
func flattenC(a *Array) *Array {
	if len(a.shape) == 1 {
		return a
	}
	if len(a.shape) > 1 {
		c := copyChunks(a.chunks)
		split := false
		for i := 1; i < len(c); i++ {
			if len(c[i]) > 1 {
				c[i], split = []int{a.shape[i]}, true
			}
		}
		if split {
			a = a.Rechunk(Explicit(c))
		}
	}
	return a.Reshape(-1)
}

// ArangeInt returns the 1-d int64 array start, start+step, ... below stop
// (above it for a negative step), exactly at every magnitude, like
// numpy.arange with integer arguments.
func ArangeInt(start, stop, step int64, chunk int) *Array {
	if step == 0 {
		return errArray("ArangeInt(%d, %d, %d): step must be non-zero", start, stop, step)
	}
	var n uint64
	if step > 0 && stop > start {
		d := uint64(stop) - uint64(start)
		n = (d-1)/uint64(step) + 1
	} else if step < 0 && stop < start {
		d := uint64(start) - uint64(stop)
		n = (d-1)/(uint64(-(step+1))+1) + 1
	}
	if n > 1<<48 {
		return errArray("ArangeInt(%d, %d, %d): %d elements is too many", start, stop, step, n)
	}
	c, err := prepare("ArangeInt", []int{int(n)}, Regular{chunk})
	if err != nil {
		return &Array{err: err}
	}
	off := offsets(c[0])
	return build([]int{int(n)}, c, Int64, nil, func(idx []int) (string, []byte, []graph.Key) {
		p := appendVarint(nil, start)
		p = appendVarint(p, step)
		p = appendInts(p, []int{off[idx[0]], c[0][idx[0]]})
		return "arange_int", p, nil
	})
}

func arangeIntKernel(_ context.Context, p []byte, _ []*Dense) (*Dense, error) {
	r := graph.NewReader(p)
	start, step := r.Varint(), r.Varint()
	v := readInts(r)
	if r.Err() != nil || len(v) != 2 || v[1] < 0 {
		return nil, fmt.Errorf("arange_int: bad parameters")
	}
	d := NewDense(Int64, v[1])
	x := uint64(start) + uint64(v[0])*uint64(step)
	for i := range d.I64 {
		d.I64[i] = int64(x)
		x += uint64(step)
	}
	return d, nil
}

// FromArray wraps d as an array without copying its data: the caller
// promises not to modify d's data afterwards, for as long as the array or
// anything computed from it may be used (blocks share d's memory, and so
// may the result of computing the array). Chunks that split only
// the first axis (the others whole) are sub-slices of d; other chunkings
// read each block out of d when the block is computed (one copy per block,
// at compute time, as dask.array's from_array). Keys hash the data, as
// FromDense.
func FromArray(d *Dense, chunks Chunking) *Array {
	if d == nil {
		return errArray("FromArray: nil *Dense")
	}
	if d.Len() != denseDataLen(d) || len(d.Strides) != len(d.Shape) {
		return errArray("FromArray: dense of shape %v holds %d %s elements", d.Shape, denseDataLen(d), d.DType)
	}
	c, err := prepare("FromArray", d.Shape, chunks)
	if err != nil {
		return &Array{err: err}
	}
	nd := len(d.Shape)
	rowsOnly := true
	for i := 1; i < nd; i++ {
		if len(c[i]) != 1 {
			rowsOnly = false
		}
	}
	a := &Array{shape: append([]int{}, d.Shape...), chunks: c, dtype: d.DType}
	if nd == 0 {
		a.keys = []graph.Key{constKey(d, nil)}
		a.tasks = []*graph.Task{graph.ConstTask(a.keys[0], d)}
		return a
	}
	if rowsOnly {
		row := prod(d.Shape[1:])
		off := 0
		for i, n := range c[0] {
			b := d.view(off*row, n*row, append([]int{n}, d.Shape[1:]...))
			idx := make([]int, nd)
			idx[0] = i
			k := constKey(b, idx)
			a.keys = append(a.keys, k)
			a.tasks = append(a.tasks, graph.ConstTask(k, b))
			off += n
		}
		return a
	}
	whole := constKey(d, nil)
	root := graph.ConstTask(whole, d)
	src := &Array{shape: a.shape, chunks: ones2(d.Shape), dtype: d.DType, keys: []graph.Key{whole}, tasks: []*graph.Task{root}}
	return src.Rechunk(Explicit(c))
}

func denseDataLen(d *Dense) int {
	switch d.DType {
	case Float32:
		return len(d.F32)
	case Int64:
		return len(d.I64)
	case Bool:
		return len(d.B)
	}
	return len(d.Data)
}

// view returns the elements [off, off+n) of d as a Dense of shape (no copy).
func (d *Dense) view(off, n int, shape []int) *Dense {
	v := &Dense{DType: d.DType, Shape: shape, Strides: cStrides(shape)}
	switch d.DType {
	case Float32:
		v.F32 = d.F32[off : off+n : off+n]
	case Int64:
		v.I64 = d.I64[off : off+n : off+n]
	case Bool:
		v.B = d.B[off : off+n : off+n]
	default:
		v.Data = d.Data[off : off+n : off+n]
	}
	return v
}
