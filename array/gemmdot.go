package array

import (
	"context"
	"fmt"

	"github.com/godask/godask/internal/gemm"
	"gonum.org/v1/gonum/blas"
)

// tensordotF32 is the tensordot kernel for float32 blocks in the default
// build: they multiply in float32 with internal/gemm's Sgemm (twice the
// SIMD width of float64) instead of being widened to float64. It reports
// ok == false, doing nothing, when another path is to be taken: a result
// dtype other than float32, a block of another dtype, or the openblas
// build (whose float64 dgemm is faster than gonum's sgemm).
func tensordotF32(ctx context.Context, dt DType, in []*Dense, ax, bx []int) (*Dense, bool, error) {
	if dt != Float32 || !pureGoBLAS || len(in) < 2 {
		return nil, false, nil
	}
	for _, d := range in {
		if d.DType != Float32 {
			return nil, false, nil
		}
	}
	var out *Dense
	for i := 0; i+1 < len(in); i += 2 {
		a, lda, tA, m, k := asMatrixF32(in[i], ax, false)
		b, ldb, tB, k2, n := asMatrixF32(in[i+1], bx, true)
		if k != k2 {
			return nil, true, fmt.Errorf("tensordot blocks of shapes %v and %v: contracted sizes %d and %d", in[i].Shape, in[i+1].Shape, k, k2)
		}
		if out == nil {
			shape := productShape(in[i], in[i+1], ax, bx)
			out = outDense(ctx, Float32, shape...) // zero: the products add into it
		}
		if m == 0 || n == 0 || k == 0 {
			continue
		}
		gemm.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 1, out.F32, max(n, 1))
	}
	return out, true, nil
}

// asMatrixF32 is asMatrix for a float32 block: its data as the row-major
// matrix (free, contracted) — (contracted, free) when contractedFirst —
// with its row stride, read through the transpose flag when a 2-d block
// holds the transpose, and copied otherwise.
func asMatrixF32(d *Dense, cax []int, contractedFirst bool) ([]float32, int, blas.Transpose, int, int) {
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
	natural := append(append([]int{}, free...), cax...)
	if contractedFirst {
		rows, cols = csz, fsz
		natural = append(append([]int{}, cax...), free...)
	}
	identity := true
	for i, v := range natural {
		identity = identity && v == i
	}
	switch {
	case identity:
		return d.F32, max(cols, 1), blas.NoTrans, rows, cols
	case nd == 2 && len(cax) == 1:
		return d.F32, max(rows, 1), blas.Trans, rows, cols
	}
	return transposeDense(d, natural).F32, max(cols, 1), blas.NoTrans, rows, cols
}
