package array

import (
	"context"
	"fmt"

	"github.com/godask/godask/graph"
)

func init() { registerKernel("mask", maskKernel) }

// Mask selects the elements of a where the lazy bool array m is true, like
// x[m] in NumPy and Dask:
//
//   - when m has a's shape, the result is 1-d and holds the selected elements
//     in C order; a is cut into slabs along its first axis first (other axes
//     whole, a Rechunk when a is chunked along them) so that the blocks'
//     selections concatenate in C order;
//   - when m is 1-d with a's first-axis length, it selects rows: the result
//     keeps a's other axes and chunks.
//
// m is rechunked to line up with a's blocks. How many elements a block keeps
// is known only once m is computed, so the selected axis has Unknown chunk
// lengths (printed "nan", as in Dask): reductions, elementwise operations and
// Compute work; operations that need positions fail until ComputeChunkSizes.
// A mask that is not bool, or whose shape fits neither case, is an error
// naming both shapes.
func (a *Array) Mask(m *Array) *Array {
	if err := firstErr(a, m); err != nil {
		return &Array{err: err}
	}
	if m.dtype != Bool {
		return errArray("Mask of shape %s: mask has dtype %s, want bool", shapeString(a.shape), m.dtype)
	}
	nd := len(a.shape)
	switch {
	case nd == 0:
		return errArray("Mask of a 0-d array")
	case chunksEqual(m.shape, a.shape):
		return a.maskFull(m)
	case len(m.shape) == 1 && m.shape[0] == a.shape[0]:
		return a.maskRows(m)
	}
	return errArray("Mask of shape %s with a mask of shape %s: the mask must have the array's shape or be 1-d of its first-axis length %s",
		shapeString(a.shape), shapeString(m.shape), shapeString(a.shape[:1]))
}

// lineUp returns t (a or its mask m) with the chunks want, rechunking when
// both are known.
func lineUp(a, m, t *Array, want [][]int) (*Array, error) {
	if chunksEq2(t.chunks, want) {
		return t, nil
	}
	for _, c := range append(copyChunks(want), t.chunks...) {
		for _, v := range c {
			if v < 0 {
				return nil, fmt.Errorf("array: Mask of shape %s with a mask of shape %s: chunks %s and %s do not line up and their sizes are unknown; call ComputeChunkSizes first",
					shapeString(a.shape), shapeString(m.shape), chunksString(want), chunksString(t.chunks))
			}
		}
	}
	t = t.Rechunk(Explicit(want))
	return t, t.err
}

func unknownChunks(n int) []int {
	c := make([]int, n)
	for i := range c {
		c[i] = Unknown
	}
	return c
}

func (a *Array) maskFull(m *Array) *Array {
	nd := len(a.shape)
	slab := make([][]int, nd)
	slab[0] = a.chunks[0]
	for i := 1; i < nd; i++ {
		slab[i] = []int{a.shape[i]}
	}
	x, err := lineUp(a, m, a, slab)
	if err != nil {
		return &Array{err: err}
	}
	mm, err := lineUp(a, m, m, slab)
	if err != nil {
		return &Array{err: err}
	}
	n := len(slab[0])
	return build([]int{Unknown}, [][]int{unknownChunks(n)}, a.dtype, []*Array{x, mm}, func(idx []int) (string, []byte, []graph.Key) {
		bi := make([]int, nd)
		bi[0] = idx[0]
		return "mask", []byte{0}, []graph.Key{x.blockKey(bi), mm.blockKey(bi)}
	})
}

func (a *Array) maskRows(m *Array) *Array {
	mm, err := lineUp(a, m, m, [][]int{a.chunks[0]})
	if err != nil {
		return &Array{err: err}
	}
	shape := append([]int{Unknown}, a.shape[1:]...)
	chunks := copyChunks(a.chunks)
	chunks[0] = unknownChunks(len(a.chunks[0]))
	return build(shape, chunks, a.dtype, []*Array{a, mm}, func(idx []int) (string, []byte, []graph.Key) {
		return "mask", []byte{1}, []graph.Key{a.blockKey(idx), mm.blockKey(idx[:1])}
	})
}

// maskKernel selects from block in[0] with bool block in[1]: mode 0 keeps
// the elements (same shapes, result 1-d), mode 1 keeps the rows (mask 1-d).
func maskKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	x, m := in[0], in[1]
	if m.DType != Bool {
		return nil, fmt.Errorf("mask block has dtype %s, want bool", m.DType)
	}
	cnt := 0
	for _, b := range m.B {
		if b {
			cnt++
		}
	}
	if p[0] == 0 {
		if !chunksEqual(x.Shape, m.Shape) {
			return nil, fmt.Errorf("mask block of shape %v for a block of shape %v", m.Shape, x.Shape)
		}
		out := NewDense(x.DType, cnt)
		switch x.DType {
		case Float32:
			compressInto(out.F32, x.F32, m.B, 1)
		case Int64:
			compressInto(out.I64, x.I64, m.B, 1)
		case Bool:
			compressInto(out.B, x.B, m.B, 1)
		default:
			compressInto(out.Data, x.Data, m.B, 1)
		}
		return out, nil
	}
	if len(m.Shape) != 1 || len(x.Shape) == 0 || m.Shape[0] != x.Shape[0] {
		return nil, fmt.Errorf("row mask block of shape %v for a block of shape %v", m.Shape, x.Shape)
	}
	row := prod(x.Shape[1:])
	out := NewDense(x.DType, append([]int{cnt}, x.Shape[1:]...)...)
	switch x.DType {
	case Float32:
		compressInto(out.F32, x.F32, m.B, row)
	case Int64:
		compressInto(out.I64, x.I64, m.B, row)
	case Bool:
		compressInto(out.B, x.B, m.B, row)
	default:
		compressInto(out.Data, x.Data, m.B, row)
	}
	return out, nil
}

// compressInto copies the runs of row elements of src whose mask is true to
// dst, in order.
func compressInto[T any](dst, src []T, mask []bool, row int) {
	j := 0
	for i, b := range mask {
		if b {
			copy(dst[j:j+row], src[i*row:(i+1)*row])
			j += row
		}
	}
}
