package array

import (
	"context"
	"fmt"
	"runtime"

	"github.com/godask/godask/graph"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

func init() { registerKernel("tensordot", tensordotKernel) }

// Dot is numpy.dot: the inner product of vectors, the matrix product of
// 2-d arrays, and for N-d arrays a sum over the last axis of a and the
// second-to-last of b. Blocks multiply with gonum's BLAS (see README for
// OpenBLAS).
func Dot(a, b *Array) *Array {
	if err := firstErr(a, b); err != nil {
		return &Array{err: err}
	}
	if len(a.shape) == 0 || len(b.shape) == 0 {
		return a.Mul(b)
	}
	bx := max(len(b.shape)-2, 0)
	// A lazily transposed operand is read in place with a BLAS transpose
	// flag instead of being copied block by block.
	if a.trOf != nil && len(b.shape) <= 2 {
		return tensorDot("Dot", a.trOf, b, []int{0}, []int{bx}, a.shape, b.shape)
	}
	if b.trOf != nil && len(a.shape) <= 2 {
		return tensorDot("Dot", a, b.trOf, []int{len(a.shape) - 1}, []int{1}, a.shape, b.shape)
	}
	return tensorDot("Dot", a, b, []int{len(a.shape) - 1}, []int{bx}, a.shape, b.shape)
}

// MatMul is the matrix product of 1-d or 2-d arrays (numpy.matmul without
// batch axes; use TensorDot for those).
func MatMul(a, b *Array) *Array {
	if err := firstErr(a, b); err != nil {
		return &Array{err: err}
	}
	if len(a.shape) == 0 || len(b.shape) == 0 || len(a.shape) > 2 || len(b.shape) > 2 {
		return errArray("MatMul of shapes %s: want 1-d or 2-d operands (TensorDot for more axes)", shapesString([]*Array{a, b}))
	}
	return Dot(a, b)
}

// MatMul returns a @ b (see the function MatMul).
func (a *Array) MatMul(b *Array) *Array { return MatMul(a, b) }

// Dot returns Dot(a, b).
func (a *Array) Dot(b *Array) *Array { return Dot(a, b) }

// TensorDot sums the products of a and b over axesA of a and axesB of b
// (pairwise, equal lengths); the result has a's other axes then b's.
func TensorDot(a, b *Array, axesA, axesB []int) *Array {
	if err := firstErr(a, b); err != nil {
		return &Array{err: err}
	}
	return tensorDot("TensorDot", a, b, axesA, axesB, a.shape, b.shape)
}

func tensorDot(op string, a, b *Array, axesA, axesB []int, sa, sb []int) *Array {
	if err := needKnown(op, a, b); err != nil {
		return &Array{err: err}
	}
	shapes := shapeString(sa) + " and " + shapeString(sb)
	if len(axesA) != len(axesB) {
		return errArray("%s of %s: %d axes of a against %d of b", op, shapes, len(axesA), len(axesB))
	}
	na, nb := len(a.shape), len(b.shape)
	ca, cb := make([]bool, na), make([]bool, nb)
	ax := make([]int, len(axesA))
	bx := make([]int, len(axesB))
	for i := range axesA {
		x, err := normAxis(op, axesA[i], na)
		y, err2 := normAxis(op, axesB[i], nb)
		if err != nil || err2 != nil || ca[x] || cb[y] {
			return errArray("%s of %s: bad contraction axes %v and %v", op, shapes, axesA, axesB)
		}
		if a.shape[x] != b.shape[y] {
			return errArray("%s of %s: contracted axis lengths %d and %d differ", op, shapes, a.shape[x], b.shape[y])
		}
		ca[x], cb[y] = true, true
		ax[i], bx[i] = x, y
	}
	// b's contracted axes take a's chunks.
	want := make(Explicit, nb)
	for i := range want {
		want[i] = b.chunks[i]
	}
	for i := range ax {
		want[bx[i]] = a.chunks[ax[i]]
	}
	b = b.Rechunk(want)
	if b.err != nil {
		return b
	}
	var shape []int
	var chunks [][]int
	var freeA, freeB []int
	for i := 0; i < na; i++ {
		if !ca[i] {
			freeA = append(freeA, i)
			shape = append(shape, a.shape[i])
			chunks = append(chunks, a.chunks[i])
		}
	}
	for i := 0; i < nb; i++ {
		if !cb[i] {
			freeB = append(freeB, i)
			shape = append(shape, b.shape[i])
			chunks = append(chunks, b.chunks[i])
		}
	}
	// NumPy's dtypes: bool @ bool is a logical product (bool), integers
	// give int64 computed exactly, floats promote.
	dt := promote(a.dtype, b.dtype)
	cgrid := make([]int, len(ax))
	for i, x := range ax {
		cgrid[i] = len(a.chunks[x])
	}
	ncomb := prod(cgrid)
	nout := prod(gridShape(chunks))
	// Few output blocks and many contraction blocks: one task per block pair
	// and a sum tree, so every worker has a product to compute.
	split := ncomb > 1 && nout < 2*runtime.GOMAXPROCS(0)
	p := []byte{byte(dt)}
	p = appendInts(p, ax)
	p = appendInts(p, bx)
	holder := &Array{parents: []*Array{a, b}}
	out := build(shape, chunks, dt, []*Array{a, b, holder}, func(idx []int) (string, []byte, []graph.Key) {
		ia := make([]int, na)
		ib := make([]int, nb)
		for i, x := range freeA {
			ia[x] = idx[i]
		}
		for i, x := range freeB {
			ib[x] = idx[len(freeA)+i]
		}
		var deps []graph.Key
		_ = forEachBlock(cgrid, func(_ int, c []int) error {
			for i := range c {
				ia[ax[i]] = c[i]
				ib[bx[i]] = c[i]
			}
			deps = append(deps, a.blockKey(ia), b.blockKey(ib))
			return nil
		})
		if !split {
			return "tensordot", p, deps
		}
		var level []graph.Key
		for i := 0; i < len(deps); i += 2 {
			t := newTask("tensordot", p, deps[i], deps[i+1])
			holder.tasks = append(holder.tasks, t)
			level = append(level, t.Key)
		}
		for len(level) > 2 {
			var next []graph.Key
			for s := 0; s < len(level); s += 4 {
				g := level[s:min(s+4, len(level))]
				if len(g) == 1 {
					next = append(next, g[0])
					continue
				}
				t := newTask("tensordot-sum", []byte{byte(dt)}, g...)
				holder.tasks = append(holder.tasks, t)
				next = append(next, t.Key)
			}
			level = next
		}
		return "tensordot-sum", []byte{byte(dt)}, level
	})
	return out
}

// tensordotKernel sums the tensordot of its input pairs (a0, b0, a1, b1, ...).
func tensordotKernel(ctx context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt := DType(p[0])
	r := graph.NewReader(p[1:])
	ax, bx := readInts(r), readInts(r)
	if r.Err() != nil {
		return nil, r.Err()
	}
	if dt == Int64 || dt == Bool {
		return tensordotInt(dt, ax, bx, in)
	}
	if out, ok, err := tensordotF32(ctx, dt, in, ax, bx); ok || err != nil {
		return out, err
	}
	var out *Dense
	var c blas64.General
	for i := 0; i+1 < len(in); i += 2 {
		A, tA, m, k := asMatrix(in[i], ax, false)
		B, tB, k2, n := asMatrix(in[i+1], bx, true)
		if k != k2 {
			return nil, fmt.Errorf("tensordot blocks of shapes %v and %v: contracted sizes %d and %d", in[i].Shape, in[i+1].Shape, k, k2)
		}
		if out == nil {
			shape := productShape(in[i], in[i+1], ax, bx)
			if dt == Float64 {
				out = outDense(ctx, Float64, shape...) // zero: the products add into it
			} else {
				out = NewDense(Float64, shape...)
			}
			c = blas64.General{Rows: m, Cols: n, Stride: max(n, 1), Data: out.Data}
		}
		if m == 0 || n == 0 || k == 0 {
			continue
		}
		if tA == blas.Trans && tB == blas.NoTrans && smallTN(m, n, k) {
			sym := m == n && A.Stride == B.Stride && &A.Data[0] == &B.Data[0]
			gemmTNSmall(m, n, k, A.Data, A.Stride, B.Data, B.Stride, c.Data, c.Stride, sym)
			continue
		}
		blas64.Gemm(tA, tB, 1, A, B, 1, c)
	}
	if out == nil {
		return nil, fmt.Errorf("tensordot without inputs")
	}
	return out.convert(dt), nil
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// asMatrix views block d as the matrix (free, contracted) — or (contracted,
// free) when contractedFirst — transposing through the BLAS flag when a 2-d
// block has its axes the other way round, and copying otherwise.
func asMatrix(d *Dense, cax []int, contractedFirst bool) (blas64.General, blas.Transpose, int, int) {
	x := d.Float64s()
	nd := len(d.Shape)
	var free []int
	for i := 0; i < nd; i++ {
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
	rows, cols := fsz, csz
	if contractedFirst {
		rows, cols = csz, fsz
	}
	// Natural layouts need no copy.
	natural := append([]int{}, free...)
	natural = append(natural, cax...)
	if contractedFirst {
		natural = append(append([]int{}, cax...), free...)
	}
	isID := func(p []int) bool {
		for i, v := range p {
			if v != i {
				return false
			}
		}
		return true
	}
	if isID(natural) {
		return blas64.General{Rows: rows, Cols: cols, Stride: max(cols, 1), Data: x}, blas.NoTrans, rows, cols
	}
	if nd == 2 && len(cax) == 1 {
		// The block is stored as the transpose of what is wanted.
		return blas64.General{Rows: cols, Cols: rows, Stride: max(rows, 1), Data: x}, blas.Trans, rows, cols
	}
	t := transposeDense(&Dense{DType: Float64, Shape: d.Shape, Strides: d.Strides, Data: x}, natural)
	return blas64.General{Rows: rows, Cols: cols, Stride: max(cols, 1), Data: t.Data}, blas.NoTrans, rows, cols
}
