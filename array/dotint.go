package array

import (
	"context"
	"fmt"
)

// The dtype side of the block products: exact int64 and logical bool
// products, and the sums of a product's sum tree in the product's dtype.

func init() { registerKernel("tensordot-sum", tensordotSumKernel) }

// tensordotSumKernel adds the partial products (int64 wrapping, bool as
// logical or, float32 and float64 summed in float64) and stores the sum in
// dtype p[0].
func tensordotSumKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	if len(p) < 1 || len(in) == 0 {
		return nil, fmt.Errorf("tensordot-sum: no inputs")
	}
	dt := DType(p[0])
	if !dt.valid() {
		return nil, fmt.Errorf("tensordot-sum: bad dtype %d", p[0])
	}
	n := in[0].Len()
	for _, d := range in[1:] {
		if d.Len() != n || d.DType != in[0].DType {
			return nil, fmt.Errorf("tensordot-sum: partials of shapes %v (%s) and %v (%s)", in[0].Shape, in[0].DType, d.Shape, d.DType)
		}
	}
	switch in[0].DType {
	case Int64:
		out := NewDense(Int64, in[0].Shape...)
		for _, d := range in {
			for i, v := range d.I64 {
				out.I64[i] += v
			}
		}
		return out.convert(dt), nil
	case Bool:
		out := NewDense(Bool, in[0].Shape...)
		for _, d := range in {
			for i, v := range d.B {
				out.B[i] = out.B[i] || v
			}
		}
		return out.convert(dt), nil
	}
	out := NewDense(Float64, in[0].Shape...)
	for _, d := range in {
		for i, v := range d.Float64s() {
			out.Data[i] += v
		}
	}
	return out.convert(dt), nil
}

// tensordotInt sums the products of the int64 (or bool, as 0/1) block
// pairs exactly in wrapping int64; a bool result is true where the count of
// true products is not zero: the logical product.
func tensordotInt(dt DType, ax, bx []int, in []*Dense) (*Dense, error) {
	var out *Dense
	var m, n int
	for i := 0; i+1 < len(in); i += 2 {
		A, m1, k := intMatrix(in[i], ax, false)
		B, k2, n1 := intMatrix(in[i+1], bx, true)
		if k != k2 {
			return nil, fmt.Errorf("tensordot blocks of shapes %v and %v: contracted sizes %d and %d", in[i].Shape, in[i+1].Shape, k, k2)
		}
		if out == nil {
			shape := productShape(in[i], in[i+1], ax, bx)
			out = NewDense(Int64, shape...)
			m, n = m1, n1
		}
		c := out.I64
		for r := 0; r < m; r++ {
			row := c[r*n : r*n+n]
			for q := 0; q < k; q++ {
				v := A[r*k+q]
				if v == 0 {
					continue
				}
				for j, w := range B[q*n : q*n+n] {
					row[j] += v * w
				}
			}
		}
	}
	if out == nil {
		return nil, fmt.Errorf("tensordot without inputs")
	}
	if dt == Bool {
		b := NewDense(Bool, out.Shape...)
		for i, v := range out.I64 {
			b.B[i] = v != 0
		}
		return b, nil
	}
	return out, nil
}

// intMatrix returns block d as an int64 row-major matrix (free, contracted)
// — or (contracted, free) when contractedFirst — and its dimensions.
func intMatrix(d *Dense, cax []int, contractedFirst bool) ([]int64, int, int) {
	if d.DType != Int64 {
		e := NewDense(Int64, d.Shape...)
		for i, v := range d.Float64s() {
			e.I64[i] = int64(v)
		}
		d = e
	}
	var free []int
	for i := range d.Shape {
		if !contains(cax, i) {
			free = append(free, i)
		}
	}
	fsz, csz := 1, 1
	for _, f := range free {
		fsz *= d.Shape[f]
	}
	for _, c := range cax {
		csz *= d.Shape[c]
	}
	perm := append(append([]int{}, free...), cax...)
	rows, cols := fsz, csz
	if contractedFirst {
		perm = append(append([]int{}, cax...), free...)
		rows, cols = csz, fsz
	}
	for i, v := range perm {
		if v != i {
			return transposeDense(d, perm).I64, rows, cols
		}
	}
	return d.I64, rows, cols
}

// productShape is the shape of the tensordot of blocks a and b over axes
// ax of a and bx of b: a's other axes, then b's.
func productShape(a, b *Dense, ax, bx []int) []int {
	var shape []int
	for j, s := range a.Shape {
		if !contains(ax, j) {
			shape = append(shape, s)
		}
	}
	for j, s := range b.Shape {
		if !contains(bx, j) {
			shape = append(shape, s)
		}
	}
	return shape
}
