package array

import (
	"context"

	"github.com/godask/godask/graph"
)

// Cumulative sums and products. Each block is accumulated on its own; a
// chain of small carry tasks then combines the totals of the blocks before
// it along the axis. int64 (and bool, which accumulates as int64) computes
// in int64 and wraps on overflow like NumPy.

type cumOp uint8

const (
	cumSum cumOp = iota
	cumProd
	cumNanSum
	cumNanProd
)

var cumNames = [...]string{"CumSum", "CumProd", "NanCumSum", "NanCumProd"}

func (c cumOp) prod() bool { return c == cumProd || c == cumNanProd }

// CumSum returns the cumulative sum along axis (numpy.cumsum).
func (a *Array) CumSum(axis int) *Array { return a.cumulative(cumSum, axis) }

// CumProd returns the cumulative product along axis (numpy.cumprod).
func (a *Array) CumProd(axis int) *Array { return a.cumulative(cumProd, axis) }

// NanCumSum is CumSum treating NaN as zero (numpy.nancumsum).
func (a *Array) NanCumSum(axis int) *Array { return a.cumulative(cumNanSum, axis) }

// NanCumProd is CumProd treating NaN as one (numpy.nancumprod).
func (a *Array) NanCumProd(axis int) *Array { return a.cumulative(cumNanProd, axis) }

func (a *Array) cumulative(op cumOp, axis int) *Array {
	if a.err != nil {
		return a
	}
	name := cumNames[op]
	if err := needKnown(name, a); err != nil {
		return &Array{err: err}
	}
	ax, err := normAxis(name, axis, len(a.shape))
	if err != nil {
		return errArray("%s of shape %s: axis %d out of range", name, shapeString(a.shape), axis)
	}
	dt := outDType(RSum, a.dtype)
	local := build(a.shape, a.chunks, dt, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		return "cumsum", []byte{byte(dt), byte(ax), byte(op)}, []graph.Key{a.blockKey(idx)}
	})
	// carry[idx] = carry[idx-1 along ax] (+ or ×) last slice of local[idx-1].
	carry := map[int]graph.Key{}
	grid := gridShape(a.chunks)
	holder := &Array{parents: []*Array{local}}
	pm := byte(0)
	if op.prod() {
		pm = 1
	}
	_ = forEachBlock(grid, func(fi int, idx []int) error {
		if idx[ax] == 0 {
			return nil
		}
		prev := append([]int{}, idx...)
		prev[ax]--
		pf := flatIndex(grid, prev)
		deps := []graph.Key{local.keys[pf]}
		if k, ok := carry[pf]; ok {
			deps = append(deps, k)
		}
		t := newTask("cumsum-carry", []byte{byte(dt), byte(ax), 0, pm}, deps...)
		holder.tasks = append(holder.tasks, t)
		carry[fi] = t.Key
		return nil
	})
	return build(a.shape, a.chunks, dt, []*Array{local, holder}, func(idx []int) (string, []byte, []graph.Key) {
		fi := flatIndex(grid, idx)
		if k, ok := carry[fi]; ok {
			return "cumsum-carry", []byte{byte(dt), byte(ax), 1, pm}, []graph.Key{local.keys[fi], k}
		}
		return "reshape", appendInts(nil, blockShape(a.chunks, idx)), []graph.Key{local.keys[fi]}
	})
}

// scanAxis accumulates x (shape pre×n×post) along the middle axis in place.
func scanAxis[T int64 | float64](x []T, pre, n, post int, prod bool) {
	for pi := 0; pi < pre; pi++ {
		for k := 1; k < n; k++ {
			row := x[(pi*n+k)*post : (pi*n+k+1)*post]
			prev := x[(pi*n+k-1)*post : (pi*n+k)*post]
			if prod {
				for j := range row {
					row[j] *= prev[j]
				}
			} else {
				for j := range row {
					row[j] += prev[j]
				}
			}
		}
	}
}

// applyCarry combines the carry c (pre×post) into every row of x, or, for
// mode 0, returns the last row of x combined with c (the next carry).
func applyCarry[T int64 | float64](x, c []T, pre, n, post int, prod bool, next bool) []T {
	if next {
		out := make([]T, pre*post)
		if prod {
			for i := range out {
				out[i] = 1
			}
		}
		if n > 0 {
			for pi := 0; pi < pre; pi++ {
				copy(out[pi*post:(pi+1)*post], x[(pi*n+n-1)*post:(pi*n+n)*post])
			}
		}
		if c != nil {
			for i := range out {
				if prod {
					out[i] *= c[i]
				} else {
					out[i] += c[i]
				}
			}
		}
		return out
	}
	y := append([]T{}, x...)
	for pi := 0; pi < pre; pi++ {
		for k := 0; k < n; k++ {
			row := y[(pi*n+k)*post : (pi*n+k+1)*post]
			cc := c[pi*post : (pi+1)*post]
			for j := range row {
				if prod {
					row[j] *= cc[j]
				} else {
					row[j] += cc[j]
				}
			}
		}
	}
	return y
}

func cumsumKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt, ax, op := DType(p[0]), int(p[1]), cumOp(p[2])
	d := in[0]
	pre, n, post := prod(d.Shape[:ax]), d.Shape[ax], prod(d.Shape[ax+1:])
	out := NewDense(dt, d.Shape...)
	if dt == Int64 {
		copy(out.I64, int64s(d))
		scanAxis(out.I64, pre, n, post, op.prod())
		return out, nil
	}
	x := append([]float64{}, d.Float64s()...)
	switch op {
	case cumNanSum:
		x = replaceNaN(x, 0)
	case cumNanProd:
		x = replaceNaN(x, 1)
	}
	scanAxis(x, pre, n, post, op.prod())
	out.storeF64(x, 0)
	return out, nil
}

// cumsumCarryKernel: mode 0 computes the carry into the next block (last
// slice of in[0] combined with the carry in[1], if any), with the axis kept
// at 1; mode 1 combines the carry in[1] into the block in[0].
func cumsumCarryKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt, ax, mode, isProd := DType(p[0]), int(p[1]), p[2], p[3] == 1
	d := in[0]
	pre, n, post := prod(d.Shape[:ax]), d.Shape[ax], prod(d.Shape[ax+1:])
	shape := d.Shape
	if mode == 0 {
		shape = append([]int{}, d.Shape...)
		shape[ax] = 1
	}
	out := NewDense(dt, shape...)
	if dt == Int64 {
		var c []int64
		if len(in) > 1 {
			c = int64s(in[1])
		}
		copy(out.I64, applyCarry(int64s(d), c, pre, n, post, isProd, mode == 0))
		return out, nil
	}
	var c []float64
	if len(in) > 1 {
		c = in[1].Float64s()
	}
	out.storeF64(applyCarry(d.Float64s(), c, pre, n, post, isProd, mode == 0), 0)
	return out, nil
}
