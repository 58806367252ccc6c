package array

import (
	"context"
	"fmt"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Unknown is the length that Shape and Chunks report for an axis whose chunk
// lengths are not known until the array is computed: Dask's NaN chunks, as
// after Mask. It prints as "nan". Such an array can be computed, persisted,
// reduced and combined elementwise with scalars, with arrays it broadcasts
// against on the known axes, and with arrays of the same unknown chunk
// structure; operations that need positions (Slice, Take, Reshape, Rechunk,
// Concatenate, Dot, MapBlocks, ToZarr, ...) fail with an error saying the chunk
// sizes are unknown. ComputeChunkSizes turns it back into an array of known
// shape.
const Unknown = -1

// hasUnknown reports whether some axis of a has unknown chunk lengths.
func (a *Array) hasUnknown() bool {
	for _, s := range a.shape {
		if s < 0 {
			return true
		}
	}
	return false
}

// needKnown returns the error of operation op on an array whose chunk sizes
// are unknown, or nil when every operand's are known.
func needKnown(op string, as ...*Array) error {
	for _, a := range as {
		if a != nil && a.err == nil && a.hasUnknown() {
			return fmt.Errorf("array: %s of shape %s: chunk sizes are unknown (chunks %s); call ComputeChunkSizes first",
				op, shapeString(a.shape), chunksString(a.chunks))
		}
	}
	return nil
}

func init() {
	registerKernel("blockshape", blockShapeKernel)
	registerKernel("nonempty", nonEmptyKernel)
}

// ComputeChunkSizes computes the blocks of an array with Unknown chunk
// lengths to learn them, and returns the same array (same tasks and keys)
// with known shape and chunks, like Dask's compute_chunk_sizes. Only the
// blocks' shapes are kept: the result is still lazy, and computing it
// computes the blocks again (Persist keeps them instead, and also learns the
// chunk sizes). An array whose chunks are all known is returned as is.
func (a *Array) ComputeChunkSizes(ctx context.Context, opts ...sched.Option) (*Array, error) {
	if err := a.Err(); err != nil {
		return nil, err
	}
	if !a.hasUnknown() {
		return a, nil
	}
	nd := len(a.shape)
	nb := len(a.keys)
	shapes := build([]int{nb, nd}, [][]int{ones(nb), {nd}}, Int64, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		return "blockshape", nil, []graph.Key{a.keys[idx[0]]}
	})
	d, err := shapes.Compute(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("array: ComputeChunkSizes: %w", err)
	}
	bs := make([][]int, nb)
	for i := range bs {
		bs[i] = make([]int, nd)
		for j := range bs[i] {
			bs[i][j] = int(d.I64[i*nd+j])
		}
	}
	shape, chunks, err := a.learnChunks(bs)
	if err != nil {
		return nil, fmt.Errorf("array: ComputeChunkSizes: %w", err)
	}
	return &Array{shape: shape, chunks: chunks, dtype: a.dtype, keys: a.keys, parents: []*Array{a}}, nil
}

func blockShapeKernel(_ context.Context, _ []byte, in []*Dense) (*Dense, error) {
	out := NewDense(Int64, 1, len(in[0].Shape))
	for i, s := range in[0].Shape {
		out.I64[i] = int64(s)
	}
	return out, nil
}

// learnChunks returns a's shape and chunks with the Unknown lengths replaced
// by those of the computed blocks (block shapes bs, C order over the grid),
// checking that the blocks agree with the known lengths and with each other.
func (a *Array) learnChunks(bs [][]int) ([]int, [][]int, error) {
	grid := gridShape(a.chunks)
	if len(bs) != prod(grid) {
		return nil, nil, fmt.Errorf("%d blocks for a grid of %v", len(bs), grid)
	}
	chunks := copyChunks(a.chunks)
	seen := make([][]bool, len(chunks))
	for i, c := range chunks {
		seen[i] = make([]bool, len(c))
	}
	err := forEachBlock(grid, func(flat int, idx []int) error {
		s := bs[flat]
		if len(s) != len(chunks) {
			return fmt.Errorf("block %v has shape %v, want %d axes", idx, s, len(chunks))
		}
		for d, v := range s {
			want := a.chunks[d][idx[d]]
			switch {
			case want >= 0 && v != want:
				return fmt.Errorf("block %v has shape %v, chunks say %d on axis %d", idx, s, want, d)
			case want < 0 && seen[d][idx[d]] && chunks[d][idx[d]] != v:
				return fmt.Errorf("blocks in row %d of axis %d have lengths %d and %d", idx[d], d, chunks[d][idx[d]], v)
			case want < 0:
				chunks[d][idx[d]] = v
				seen[d][idx[d]] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	shape := make([]int, len(chunks))
	for d, c := range chunks {
		for _, v := range c {
			shape[d] += v
		}
	}
	return shape, chunks, nil
}

// assembleUnknown assembles computed blocks of an array with Unknown chunk
// lengths, taking the lengths from the blocks.
func (a *Array) assembleUnknown(vals []any) (*Dense, error) {
	bs := make([][]int, len(vals))
	for i, v := range vals {
		d, ok := v.(*Dense)
		if !ok {
			return nil, fmt.Errorf("array: finalize: block %d is %T, not *array.Dense", i, v)
		}
		bs[i] = d.Shape
	}
	shape, chunks, err := a.learnChunks(bs)
	if err != nil {
		return nil, fmt.Errorf("array: finalize: %w", err)
	}
	k := &Array{shape: shape, chunks: chunks, dtype: a.dtype, keys: a.keys}
	return k.assemble(vals)
}

// persistedUnknown is Persisted for an array with Unknown chunk lengths: the
// computed blocks tell the lengths, so the persisted array knows them.
func (a *Array) persistedUnknown(vals []any) *Array {
	b := &Array{shape: a.shape, chunks: a.chunks, dtype: a.dtype, keys: a.keys}
	bs := make([][]int, len(vals))
	for i, v := range vals {
		if d, ok := v.(*Dense); ok {
			bs[i] = d.Shape
		}
	}
	if shape, chunks, err := a.learnChunks(bs); err == nil {
		b.shape, b.chunks = shape, chunks
	}
	for i, k := range a.keys {
		b.tasks = append(b.tasks, graph.ConstTask(k, vals[i]))
	}
	return b
}

// checkUnknownOperands checks that the operands of an elementwise operation
// with output shape and chunks line up on every axis of unknown length: an
// operand spanning such an axis must have exactly the output's chunks there
// (they cannot be rechunked).
func checkUnknownOperands(op string, xs []*Array, shape []int, chunks [][]int) error {
	nd := len(shape)
	for _, a := range xs {
		off := nd - len(a.shape)
		for j, s := range a.shape {
			if s < 0 && !chunksEqual(a.chunks[j], chunks[off+j]) {
				return fmt.Errorf("array: %s: operands %s have unknown chunk sizes that do not line up on axis %d (%d and %d chunks); call ComputeChunkSizes first",
					op, shapesString(xs), off+j, len(a.chunks[j]), len(chunks[off+j]))
			}
			if s >= 0 && shape[off+j] < 0 && s != 1 {
				return fmt.Errorf("array: %s: shapes %s do not broadcast", op, shapesString(xs))
			}
		}
	}
	return nil
}

// ewBlockShape is the block shape at idx that an elementwise task is given:
// a length of Unknown is encoded as -1-mask, where bit i of mask says that
// leaf i has that axis of unknown length (the kernel takes the length from
// those leaves' blocks, which must agree).
func ewBlockShape(chunks [][]int, idx []int, shape []int, leaves []*Array) []int {
	bs := blockShape(chunks, idx)
	for i, v := range bs {
		if v >= 0 {
			continue
		}
		var mask int
		for li, l := range leaves {
			off := len(shape) - len(l.shape)
			if i >= off && l.shape[i-off] < 0 && li < 62 {
				mask |= 1 << li
			}
		}
		bs[i] = -1 - mask
	}
	return bs
}

// resolveEwShape replaces the encoded unknown lengths of an elementwise
// block shape (see ewBlockShape) by those of the input blocks.
func resolveEwShape(shape []int, in []*Dense) ([]int, error) {
	var out []int
	for i, v := range shape {
		if v >= 0 {
			continue
		}
		if out == nil {
			out = append([]int{}, shape...)
		}
		mask := -1 - v
		n := -1
		for li, d := range in {
			off := len(shape) - len(d.Shape)
			if mask&(1<<li) == 0 || i < off {
				continue
			}
			switch dv := d.Shape[i-off]; {
			case n < 0:
				n = dv
			case dv != n:
				return nil, fmt.Errorf("operands of unknown length have %d and %d elements on axis %d", n, dv, i)
			}
		}
		if n < 0 {
			n = 1 // no input spans the axis: it broadcasts
		}
		out[i] = n
	}
	if out == nil {
		return shape, nil
	}
	return out, nil
}

// resolveFinalShape replaces the one Unknown length of a reduction's output
// block shape, given its m elements.
func resolveFinalShape(shape []int, m int) []int {
	u, known := -1, 1
	for i, v := range shape {
		if v < 0 {
			if u >= 0 {
				return shape
			}
			u = i
			continue
		}
		known *= v
	}
	if u < 0 {
		return shape
	}
	out := append([]int{}, shape...)
	out[u] = 0
	if known > 0 {
		out[u] = m / known
	}
	return out
}

// checkNonEmpty wraps the result res of Min or Max over the axes red of an
// array with Unknown lengths: computing it fails when a reduced selection
// turns out empty (NumPy: a zero-size reduction has no identity).
func (a *Array) checkNonEmpty(r Reduction, o ReduceOptions, red []bool, res *Array) *Array {
	unk := false
	for i, b := range red {
		unk = unk || (b && a.shape[i] < 0)
	}
	if !unk || res.err != nil {
		return res
	}
	isnan := a.IsNaN()
	cnt := isnan.Or(isnan.Not()).Reduce(RSum, ReduceOptions{Axes: o.Axes, KeepDims: o.KeepDims})
	if cnt.err != nil || len(cnt.keys) != len(res.keys) {
		return res
	}
	out := &Array{shape: res.shape, chunks: res.chunks, dtype: res.dtype, parents: []*Array{res, cnt}}
	for i := range res.keys {
		t := newTask("nonempty", []byte{byte(r)}, res.keys[i], cnt.keys[i])
		out.keys = append(out.keys, t.Key)
		out.tasks = append(out.tasks, t)
	}
	return out
}

func nonEmptyKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	for _, c := range in[1].Float64s() {
		if c == 0 {
			return nil, fmt.Errorf("%s of an empty selection: a zero-size reduction has no identity", Reduction(p[0]))
		}
	}
	return in[0], nil
}

// CountNonzero counts the non-zero (true) elements over the given axes (all
// when none), like numpy.count_nonzero; the result is int64.
func (a *Array) CountNonzero(axes ...int) *Array {
	return a.Ne(Scalar(0)).Sum(axes...)
}

// Count counts the elements that are not NaN over the given axes (all when
// none), like xarray's count; the result is int64. On an array of Unknown
// length it is how to learn the size of a selection lazily.
func (a *Array) Count(axes ...int) *Array {
	return a.IsNaN().Not().Sum(axes...)
}
