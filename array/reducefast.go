package array

import (
	"context"
	"fmt"

	"github.com/godask/godask/graph"
)

// Whole-block reductions without intermediate blocks. When every axis is
// reduced, the partial of a block is a fold over its elements in any order,
// so a block that is an elementwise expression is folded tile by tile as
// the expression produces it ("reduce-ew"), and a block that is a slice of
// another is folded straight from the strided rows of its source
// ("reduce-view"): neither writes the block out and reads it back.

func init() {
	registerKernel("reduce-ew", reduceEwKernel)
	registerKernel("reduce-view", reduceViewKernel)
}

// folder accumulates the partial of a whole-block reduction of kind r (a
// partial kind: RVar stands for the moments of Mean, Var and Std; a Nan
// variant skips NaN).
type folder struct {
	r   Reduction
	acc float64
	// moments: count, shift K (the first tile's mean), offset of the mean
	// from K, M2 (sum of squared deviations), sum
	n, k, lo, m2, sum float64
	started           bool
	buf               []float64
}

func (f *folder) init() {
	if f.started {
		return
	}
	f.started = true
	switch f.r {
	case RProd, RAll, RNanProd:
		f.acc = 1
	case RMin:
		f.acc = inf
	case RMax:
		f.acc = -inf
	case RNanMin, RNanMax:
		f.acc = nan
	}
}

var inf = 1 / zero()

var nan = zero() / zero()

func zero() float64 { return 0 }

// add folds x in.
func (f *folder) add(x []float64) {
	f.init()
	if f.r.nan() {
		f.buf = f.buf[:0]
		for _, v := range x {
			if v == v {
				f.buf = append(f.buf, v)
			}
		}
		x = f.buf
	}
	switch f.r.base() {
	case RSum:
		f.acc += sumSlice(x)
	case RProd:
		a := f.acc
		for _, v := range x {
			a *= v
		}
		f.acc = a
	case RMin:
		a := f.acc
		if f.r.nan() {
			for _, v := range x {
				if v < a || a != a {
					a = v
				}
			}
		} else {
			for _, v := range x {
				if v < a || v != v {
					a = v
				}
			}
		}
		f.acc = a
	case RMax:
		a := f.acc
		if f.r.nan() {
			for _, v := range x {
				if v > a || a != a {
					a = v
				}
			}
		} else {
			for _, v := range x {
				if v > a || v != v {
					a = v
				}
			}
		}
		f.acc = a
	case RAny:
		if f.acc == 0 {
			for _, v := range x {
				if v != 0 {
					f.acc = 1
					break
				}
			}
		}
	case RAll:
		if f.acc != 0 {
			for _, v := range x {
				if v == 0 {
					f.acc = 0
					break
				}
			}
		}
	case RVar:
		// Two passes per cache-sized tile (its sum, then the deviations
		// from its mean and their squares: the corrected two-pass
		// algorithm), tiles merged with Chan et al.'s formula on the
		// offsets from a fixed shift: one pass over memory, and as
		// accurate as two.
		for s := 0; s < len(x); s += tile {
			t := x[s:min(s+tile, len(x))]
			nt := float64(len(t))
			st := sumSlice(t)
			mt := st / nt
			c, m2t := sumDev(t, mt)
			lot := c / nt
			m2t = max(m2t-c*lot, 0)
			f.sum += st
			if f.n == 0 {
				f.n, f.k, f.lo, f.m2 = nt, mt, lot, m2t
				continue
			}
			n := f.n + nt
			delta := (mt - f.k) + (lot - f.lo)
			f.lo += delta * nt / n
			f.m2 += m2t + delta*delta*f.n*nt/n
			f.n = n
		}
	}
}

// partial returns the folded partial in the layout reduce-combine takes:
// shape [stats, 1, ..., 1] with nd ones.
func (f *folder) partial(nd int) *Dense {
	f.init()
	shape := append([]int{f.r.stats()}, ones(nd)...)
	out := NewDense(Float64, shape...)
	if f.r.base() == RVar {
		copy(out.Data, []float64{f.n, f.k, f.lo, f.m2, f.sum})
	} else {
		out.Data[0] = f.acc
	}
	return out
}

// fusibleBlocks returns, per block of a, the task that computes it when
// its kernel can be folded into a whole-block reduction (nil otherwise).
func fusibleBlocks(a *Array) []*graph.Task {
	byKey := make(map[graph.Key]*graph.Task, len(a.tasks))
	for _, t := range a.tasks {
		byKey[t.Key] = t
	}
	out := make([]*graph.Task, len(a.keys))
	for i, k := range a.keys {
		t := byKey[k]
		if t == nil {
			continue
		}
		op, ok := t.Op.(*blockOp)
		if !ok {
			continue
		}
		switch op.kind {
		case "elemwise":
			out[i] = t
		case "reshape":
			// A slice: assemble (one piece of one input), then reshape.
			if len(t.Deps) != 1 {
				continue
			}
			src := byKey[t.Deps[0]]
			if src == nil {
				continue
			}
			if sop, ok := src.Op.(*blockOp); ok && sop.kind == "assemble" && len(src.Deps) == 1 && onePiece(sop.p) {
				out[i] = src
			}
		}
	}
	return out
}

func onePiece(p []byte) bool {
	if len(p) < 1 {
		return false
	}
	r := graph.NewReader(p[1:])
	_ = readInts(r)
	n := r.Uvarint()
	in := r.Uvarint()
	return r.Err() == nil && n == 1 && in == 0
}

// fusedReduceTask returns the task computing the partial of kind pk of
// block fi from the inputs of the task that makes the block, or nil.
func fusedReduceTask(pk Reduction, nd int, from []*graph.Task, fi int) *graph.Task {
	if fi >= len(from) || from[fi] == nil {
		return nil
	}
	t := from[fi]
	op := t.Op.(*blockOp)
	p := graph.AppendBytes([]byte{byte(pk), byte(nd)}, op.p)
	switch op.kind {
	case "elemwise":
		return newTask("reduce-ew", p, t.Deps...)
	case "assemble":
		return newTask("reduce-view", p, t.Deps...)
	}
	return nil
}

func fusedParams(p []byte) (folder, int, []byte, error) {
	if len(p) < 2 {
		return folder{}, 0, nil, fmt.Errorf("fused reduction: short parameters")
	}
	f := folder{r: Reduction(p[0])}
	nd := int(p[1])
	r := graph.NewReader(p[2:])
	inner := r.Bytes()
	return f, nd, inner, r.Err()
}

func reduceEwKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	f, nd, inner, err := fusedParams(p)
	if err != nil {
		return nil, err
	}
	e, err := parseEw(inner)
	if err != nil {
		return nil, err
	}
	if err := e.run(in, func(_ int, t []float64) { f.add(t) }); err != nil {
		return nil, err
	}
	return f.partial(nd), nil
}

func reduceViewKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	f, nd, inner, err := fusedParams(p)
	if err != nil {
		return nil, err
	}
	r := graph.NewReader(inner[1:])
	_ = readInts(r)
	_ = r.Uvarint()
	_ = r.Uvarint()
	srcStart, srcStep, _, size := readInts(r), readInts(r), readInts(r), readInts(r)
	if r.Err() != nil {
		return nil, r.Err()
	}
	src := in[0]
	k := len(size)
	if len(src.Shape) != k || len(srcStart) != k || len(srcStep) != k {
		return nil, fmt.Errorf("slice of %d axes from a block of shape %v", k, src.Shape)
	}
	if prod(size) == 0 {
		return f.partial(nd), nil
	}
	if k == 0 {
		f.add([]float64{src.elem(0)})
		return f.partial(nd), nil
	}
	row := size[k-1]
	last := srcStep[k-1]
	buf := make([]float64, 0, min(row, tile))
	idx := make([]int, k-1)
	for {
		soff := srcStart[k-1]
		for i := 0; i < k-1; i++ {
			soff += (srcStart[i] + idx[i]*srcStep[i]) * src.Strides[i]
		}
		if last == 1 && src.DType == Float64 {
			f.add(src.Data[soff : soff+row])
		} else {
			for j0 := 0; j0 < row; j0 += tile {
				buf = buf[:0]
				for j := j0; j < min(row, j0+tile); j++ {
					buf = append(buf, src.elem(soff+j*last))
				}
				f.add(buf)
			}
		}
		i := k - 2
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < size[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			break
		}
	}
	return f.partial(nd), nil
}
