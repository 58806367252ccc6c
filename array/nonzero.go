package array

import (
	"context"
	"fmt"

	"github.com/godask/godask/graph"
)

func init() { registerKernel("argwhere", argwhereKernel) }

// ArgWhere returns the indices of the non-zero (true) elements, like
// numpy.argwhere: an int64 array of shape (count, ndim) in C order. count is
// known only once computed, so the first axis has Unknown chunk lengths (see
// Mask). The input is first rechunked so that only its first axis is split
// (each block then lists its positions in global C order).
func (a *Array) ArgWhere() *Array { return a.argWhere("ArgWhere", -1) }

// Nonzero returns, for each axis, the int64 positions of the non-zero
// (true) elements along it, like numpy.nonzero: ndim 1-d arrays of Unknown
// length (see ArgWhere). A 0-d array is treated as 1-d, as NumPy does.
func (a *Array) Nonzero() []*Array {
	if a.err != nil {
		return []*Array{a}
	}
	n := max(len(a.shape), 1)
	out := make([]*Array, n)
	for i := range out {
		out[i] = a.argWhere("Nonzero", i)
	}
	return out
}

func (a *Array) argWhere(op string, dim int) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown(op, a); err != nil {
		return &Array{err: err}
	}
	x := a
	if len(x.shape) == 0 && dim >= 0 {
		x = x.ExpandDims(0)
	}
	nd := len(x.shape)
	if nd > 0 {
		slab := make(Explicit, nd)
		slab[0] = x.chunks[0]
		for i := 1; i < nd; i++ {
			slab[i] = []int{x.shape[i]}
		}
		x = x.Rechunk(slab)
	}
	nb := 1
	if nd > 0 {
		nb = len(x.chunks[0])
	}
	shape := []int{Unknown}
	chunks := [][]int{unknownChunks(nb)}
	if dim < 0 {
		shape = append(shape, nd)
		chunks = append(chunks, []int{nd})
	}
	var off []int
	if nd > 0 {
		off = offsets(x.chunks[0])
	}
	return build(shape, chunks, Int64, []*Array{x}, func(idx []int) (string, []byte, []graph.Key) {
		bi := make([]int, nd)
		start := 0
		if nd > 0 {
			bi[0] = idx[0]
			start = off[idx[0]]
		}
		p := appendInts(nil, []int{start, dim})
		return "argwhere", p, []graph.Key{x.blockKey(bi)}
	})
}

func nonzeroAt(d *Dense, i int) bool {
	switch d.DType {
	case Float32:
		return d.F32[i] != 0
	case Int64:
		return d.I64[i] != 0
	case Bool:
		return d.B[i]
	}
	return d.Data[i] != 0 // NaN is non-zero, as in NumPy
}

func argwhereKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	v := readInts(graph.NewReader(p))
	if len(v) != 2 || len(in) != 1 {
		return nil, fmt.Errorf("argwhere: bad parameters")
	}
	start, dim := v[0], v[1]
	d := in[0]
	nd := len(d.Shape)
	var hits []int
	for i := 0; i < d.Len(); i++ {
		if nonzeroAt(d, i) {
			hits = append(hits, i)
		}
	}
	if dim >= nd {
		return nil, fmt.Errorf("argwhere: axis %d of a %d-d block", dim, nd)
	}
	var out *Dense
	if dim < 0 {
		out = NewDense(Int64, len(hits), nd)
	} else {
		out = NewDense(Int64, len(hits))
	}
	for h, f := range hits {
		for ax := nd - 1; ax >= 0; ax-- {
			c := f % d.Shape[ax]
			f /= d.Shape[ax]
			if ax == 0 {
				c += start
			}
			if dim < 0 {
				out.I64[h*nd+ax] = int64(c)
			} else if ax == dim {
				out.I64[h] = int64(c)
			}
		}
	}
	return out, nil
}
