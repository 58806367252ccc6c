package array

import (
	"context"
	"fmt"
	"math"

	"github.com/godask/godask/graph"
)

// Reduction names a reduction for Reduce.
type Reduction uint8

// The reductions. Var and Std combine per-block (count, mean, M2) triples
// with Chan et al.'s pairwise formula, which stays accurate where the naive
// sum of squares loses digits.
const (
	RSum Reduction = iota
	RProd
	RMin
	RMax
	RAny
	RAll
	RMean
	RVar
	RStd
	RArgMin
	RArgMax
)

var reductionNames = [...]string{"sum", "prod", "min", "max", "any", "all", "mean", "var", "std", "argmin", "argmax"}

func (r Reduction) String() string {
	if int(r) < len(reductionNames) {
		return reductionNames[r]
	}
	return fmt.Sprintf("reduction(%d)", uint8(r))
}

// stats is the number of partial values per output element: Mean, Var and
// Std share the moments (count, mean, M2, sum), so that computing the mean
// and the standard deviation of one array together reads it once.
func (r Reduction) stats() int {
	switch r {
	case RArgMin, RArgMax:
		return 2
	case RMean, RVar, RStd:
		return 4
	}
	return 1
}

// partial is the reduction whose partials r combines: RVar (the moments)
// for Mean, Var and Std, r itself otherwise.
func (r Reduction) partial() Reduction {
	if r == RMean || r == RStd {
		return RVar
	}
	return r
}

// ReduceOptions tunes Reduce.
type ReduceOptions struct {
	// Axes to reduce; empty means all.
	Axes []int
	// KeepDims keeps the reduced axes with length 1.
	KeepDims bool
	// DDOF is the delta degrees of freedom of Var and Std (divisor n-DDOF).
	DDOF int
	// SplitEvery is the fan-in of the combination tree (default 8, min 2).
	SplitEvery int
}

func init() {
	registerKernel("reduce-chunk", reduceChunkKernel)
	registerKernel("reduce-combine", reduceCombineKernel)
	registerKernel("reduce-final", reduceFinalKernel)
	registerKernel("cumsum", cumsumKernel)
	registerKernel("cumsum-carry", cumsumCarryKernel)
}

// Sum sums over the given axes (all when none).
func (a *Array) Sum(axes ...int) *Array { return a.Reduce(RSum, ReduceOptions{Axes: axes}) }

// Prod multiplies over the given axes (all when none).
func (a *Array) Prod(axes ...int) *Array { return a.Reduce(RProd, ReduceOptions{Axes: axes}) }

// Min returns the minimum over the given axes (NaN if any element is NaN).
func (a *Array) Min(axes ...int) *Array { return a.Reduce(RMin, ReduceOptions{Axes: axes}) }

// Max returns the maximum over the given axes (NaN if any element is NaN).
func (a *Array) Max(axes ...int) *Array { return a.Reduce(RMax, ReduceOptions{Axes: axes}) }

// Any reports whether any element is non-zero over the given axes.
func (a *Array) Any(axes ...int) *Array { return a.Reduce(RAny, ReduceOptions{Axes: axes}) }

// All reports whether every element is non-zero over the given axes.
func (a *Array) All(axes ...int) *Array { return a.Reduce(RAll, ReduceOptions{Axes: axes}) }

// Mean averages over the given axes.
func (a *Array) Mean(axes ...int) *Array { return a.Reduce(RMean, ReduceOptions{Axes: axes}) }

// Var is the population variance (ddof 0) over the given axes.
func (a *Array) Var(axes ...int) *Array { return a.Reduce(RVar, ReduceOptions{Axes: axes}) }

// Std is the population standard deviation (ddof 0) over the given axes.
func (a *Array) Std(axes ...int) *Array { return a.Reduce(RStd, ReduceOptions{Axes: axes}) }

// ArgMin returns the int64 index of the minimum along axis, or the flat
// C-order index over the whole array when axis is nil. Ties and NaNs give
// the first occurrence, like NumPy.
func (a *Array) ArgMin(axis *int) *Array { return a.arg(RArgMin, axis) }

// ArgMax is ArgMin for the maximum.
func (a *Array) ArgMax(axis *int) *Array { return a.arg(RArgMax, axis) }

// Axis returns a pointer to ax, for ArgMin and ArgMax.
func Axis(ax int) *int { return &ax }

func (a *Array) arg(r Reduction, axis *int) *Array {
	if axis == nil {
		return a.Reduce(r, ReduceOptions{})
	}
	return a.Reduce(r, ReduceOptions{Axes: []int{*axis}})
}

// Reduce applies reduction r with the given options. The blocks are reduced
// in parallel, then their partial results combined by a tree with fan-in
// SplitEvery, then finalized.
func (a *Array) Reduce(r Reduction, o ReduceOptions) *Array {
	if a.err != nil {
		return a
	}
	name := r.String()
	nd := len(a.shape)
	red := make([]bool, nd)
	if len(o.Axes) == 0 {
		for i := range red {
			red[i] = true
		}
	}
	for _, ax := range o.Axes {
		x, err := normAxis(name, ax, nd)
		if err != nil {
			return errArray("%s over axes %v of shape %s: axis %d out of range", name, o.Axes, shapeString(a.shape), ax)
		}
		if red[x] {
			return errArray("%s over axes %v of shape %s: axis %d repeated", name, o.Axes, shapeString(a.shape), ax)
		}
		red[x] = true
	}
	nred := 0
	for _, b := range red {
		if b {
			nred++
		}
	}
	if r == RArgMin || r == RArgMax {
		if err := needKnown(name, a); err != nil {
			return &Array{err: err}
		}
	}
	if (r == RArgMin || r == RArgMax) && nred != nd && nred != 1 {
		return errArray("%s over axes %v: one axis or all", name, o.Axes)
	}
	if (r == RArgMin || r == RArgMax || r == RMin || r == RMax) && a.Size() == 0 {
		return errArray("%s of an empty array of shape %s: no identity", name, shapeString(a.shape))
	}
	fanin := o.SplitEvery
	if fanin == 0 {
		fanin = 8
	}
	if fanin < 2 {
		return errArray("%s: SplitEvery %d below 2", name, fanin)
	}
	flat := nred == nd && nred > 1 && (r == RArgMin || r == RArgMax)
	// 1. Per block partials, shape [stats, keepdims block shape].
	redAxes := []int{}
	for i, b := range red {
		if b {
			redAxes = append(redAxes, i)
		}
	}
	pchunks := make([][]int, nd+1)
	pchunks[0] = []int{r.stats()}
	pshape := make([]int, nd+1)
	pshape[0] = r.stats()
	for i := range a.shape {
		if red[i] {
			pchunks[i+1] = ones(len(a.chunks[i]))
			pshape[i+1] = len(a.chunks[i])
		} else {
			pchunks[i+1] = a.chunks[i]
			pshape[i+1] = a.shape[i]
		}
	}
	part := &Array{shape: pshape, chunks: pchunks, dtype: Float64, parents: []*Array{a}}
	grid := gridShape(a.chunks)
	part.keys = make([]graph.Key, prod(grid))
	fusedFrom := fusibleBlocks(a)
	_ = forEachBlock(grid, func(fi int, idx []int) error {
		if nred == nd && r != RArgMin && r != RArgMax {
			// A whole-block reduction of an elementwise expression or of a
			// slice folds the tiles as they are produced: no block between.
			if t := fusedReduceTask(r.partial(), nd, fusedFrom, fi); t != nil {
				part.keys[fi] = t.Key
				part.tasks = append(part.tasks, t)
				return nil
			}
		}
		p := []byte{byte(r.partial())}
		if flat {
			p = append(p, 1)
		} else {
			p = append(p, 0)
		}
		p = appendInts(p, redAxes)
		p = appendInts(p, blockStart(a.chunks, idx))
		p = appendInts(p, a.shape)
		t := newTask("reduce-chunk", p, a.keys[fi])
		part.keys[fi] = t.Key
		part.tasks = append(part.tasks, t)
		return nil
	})
	// 2. Tree over the reduced block axes, per kept block index.
	var keptAxes []int
	for i := range red {
		if !red[i] {
			keptAxes = append(keptAxes, i)
		}
	}
	outShape := []int{}
	outChunks := [][]int{}
	for i := range a.shape {
		switch {
		case !red[i]:
			outShape = append(outShape, a.shape[i])
			outChunks = append(outChunks, a.chunks[i])
		case o.KeepDims:
			outShape = append(outShape, 1)
			outChunks = append(outChunks, []int{1})
		}
	}
	keptGrid := make([]int, len(keptAxes))
	for i, ax := range keptAxes {
		keptGrid[i] = grid[ax]
	}
	redGrid := make([]int, len(redAxes))
	for i, ax := range redAxes {
		redGrid[i] = grid[ax]
	}
	comb := &Array{parents: []*Array{part}}
	var finals []graph.Key
	var ftasks []*graph.Task
	odt := outDType(r, a.dtype)
	_ = forEachBlock(keptGrid, func(_ int, kidx []int) error {
		var level []graph.Key
		full := make([]int, nd)
		_ = forEachBlock(redGrid, func(_ int, ridx []int) error {
			for i, ax := range keptAxes {
				full[ax] = kidx[i]
			}
			for i, ax := range redAxes {
				full[ax] = ridx[i]
			}
			level = append(level, part.keys[flatIndex(grid, full)])
			return nil
		})
		for len(level) > 1 {
			var next []graph.Key
			for s := 0; s < len(level); s += fanin {
				grp := level[s:min(s+fanin, len(level))]
				if len(grp) == 1 {
					next = append(next, grp[0])
					continue
				}
				t := newTask("reduce-combine", []byte{byte(r.partial())}, grp...)
				comb.tasks = append(comb.tasks, t)
				next = append(next, t.Key)
			}
			level = next
		}
		bs := make([]int, 0, len(outShape))
		k := 0
		for i := range a.shape {
			if !red[i] {
				bs = append(bs, a.chunks[i][kidx[k]])
				k++
			} else if o.KeepDims {
				bs = append(bs, 1)
			}
		}
		p := []byte{byte(r), byte(odt)}
		p = appendVarint(p, int64(o.DDOF))
		p = appendInts(p, bs)
		t := newTask("reduce-final", p, level[0])
		ftasks = append(ftasks, t)
		finals = append(finals, t.Key)
		return nil
	})
	res := &Array{shape: outShape, chunks: outChunks, dtype: odt, keys: finals, tasks: ftasks, parents: []*Array{comb}}
	if (r == RMin || r == RMax) && a.hasUnknown() {
		return a.checkNonEmpty(r, o, red, res)
	}
	return res
}

func outDType(r Reduction, in DType) DType {
	switch r {
	case RAny, RAll:
		return Bool
	case RArgMin, RArgMax:
		return Int64
	case RSum, RProd:
		if in == Bool {
			return Int64
		}
		return in
	case RMin, RMax:
		return in
	}
	if in == Float32 {
		return Float32
	}
	return Float64
}

// reduceAxis reduces axis ax of x (shape) with f, giving keepdims shape.
// f(acc, v) folds; init is the identity.
func reduceAxis(x []float64, shape []int, ax int, init float64, f func(acc, v float64) float64, sum bool) ([]float64, []int) {
	pre := prod(shape[:ax])
	n := shape[ax]
	post := prod(shape[ax+1:])
	out := make([]float64, pre*post)
	for i := range out {
		out[i] = init
	}
	for p := 0; p < pre; p++ {
		o := out[p*post : (p+1)*post]
		for k := 0; k < n; k++ {
			row := x[(p*n+k)*post : (p*n+k+1)*post]
			if sum {
				if post == 1 {
					continue
				}
				for j, v := range row {
					o[j] += v
				}
			} else {
				for j, v := range row {
					o[j] = f(o[j], v)
				}
			}
		}
		if sum && post == 1 {
			o[0] = sumSlice(x[p*n : (p+1)*n])
		}
	}
	ns := append([]int{}, shape...)
	ns[ax] = 1
	return out, ns
}

// sumSlice sums with 8 accumulators: independent chains let the CPU overlap
// the adds, and pairwise-ish accumulation keeps rounding small.
func sumSlice(x []float64) float64 {
	var s0, s1, s2, s3, s4, s5, s6, s7 float64
	i := 0
	for ; i+8 <= len(x); i += 8 {
		v := x[i : i+8 : i+8]
		s0 += v[0]
		s1 += v[1]
		s2 += v[2]
		s3 += v[3]
		s4 += v[4]
		s5 += v[5]
		s6 += v[6]
		s7 += v[7]
	}
	for ; i < len(x); i++ {
		s0 += x[i]
	}
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}

func sumSqDev(x []float64, m float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		d0, d1, d2, d3 := v[0]-m, v[1]-m, v[2]-m, v[3]-m
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(x); i++ {
		d := x[i] - m
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

var foldFuncs = map[Reduction]struct {
	init float64
	f    func(a, v float64) float64
}{
	RSum:  {0, func(a, v float64) float64 { return a + v }},
	RProd: {1, func(a, v float64) float64 { return a * v }},
	RMin: {math.Inf(1), func(a, v float64) float64 {
		if v < a || v != v {
			return v
		}
		return a
	}},
	RMax: {math.Inf(-1), func(a, v float64) float64 {
		if v > a || v != v {
			return v
		}
		return a
	}},
	RAny: {0, func(a, v float64) float64 { return b2f(a != 0 || v != 0) }},
	RAll: {1, func(a, v float64) float64 { return b2f(a != 0 && v != 0) }},
}

func foldAll(x []float64, shape []int, axes []int, r Reduction) ([]float64, []int) {
	ff := foldFuncs[r]
	for _, ax := range axes {
		x, shape = reduceAxis(x, shape, ax, ff.init, ff.f, r == RSum)
	}
	return x, shape
}

func reduceChunkKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	r := Reduction(p[0])
	flat := p[1] == 1
	rd := graph.NewReader(p[2:])
	axes, start, gshape := readInts(rd), readInts(rd), readInts(rd)
	if rd.Err() != nil {
		return nil, rd.Err()
	}
	d := in[0]
	x := d.Float64s()
	shape := d.Shape
	k := r.stats()
	if len(axes) == len(shape) && r != RArgMin && r != RArgMax {
		var f folder
		f.r = r
		f.add(x)
		return f.partial(len(shape)), nil
	}
	switch r {
	case RSum, RProd, RMin, RMax, RAny, RAll:
		v, s := foldAll(x, shape, axes, r)
		return &Dense{DType: Float64, Shape: append([]int{1}, s...), Strides: cStrides(append([]int{1}, s...)), Data: v}, nil
	case RMean, RVar, RStd:
		cnt := 1
		for _, ax := range axes {
			cnt *= shape[ax]
		}
		sum, s := foldAll(x, shape, axes, RSum)
		m := len(sum)
		out := NewDense(Float64, append([]int{k}, s...)...)
		for i, v := range sum {
			out.Data[i] = float64(cnt)
			out.Data[3*m+i] = v
			if cnt > 0 {
				out.Data[m+i] = v / float64(cnt)
			}
		}
		means := out.Data[m : 2*m]
		m2 := out.Data[2*m : 3*m]
		// Deviations from the broadcast block means.
		st := make([]int, len(shape))
		ms := cStrides(s)
		for i := range shape {
			if s[i] == shape[i] {
				st[i] = ms[i]
			}
		}
		_ = forEachBlock(shape, func(fi int, idx []int) error {
			o := 0
			for i, v := range idx {
				o += v * st[i]
			}
			dv := x[fi] - means[o]
			m2[o] += dv * dv
			return nil
		})
		return out, nil
	case RArgMin, RArgMax:
		less := func(v, cur float64) bool {
			if cur != cur {
				return false
			}
			if v != v {
				return true
			}
			if r == RArgMin {
				return v < cur
			}
			return v > cur
		}
		if flat || len(shape) == 1 || len(axes) == len(shape) && len(axes) == 1 {
			// Over everything: the global C-order flat index of the best.
			gst := cStrides(gshape)
			best, bi := math.NaN(), -1
			var bidx []int
			_ = forEachBlock(shape, func(fi int, idx []int) error {
				if bi < 0 || less(x[fi], best) {
					best, bi = x[fi], fi
					bidx = append(bidx[:0], idx...)
				}
				return nil
			})
			g := 0
			for i, v := range bidx {
				g += (start[i] + v) * gst[i]
			}
			if !flat {
				g = bidx[0] + start[0]
			}
			out := NewDense(Float64, append([]int{2}, ones(len(shape))...)...)
			out.Data[0], out.Data[1] = best, float64(g)
			return out, nil
		}
		ax := axes[0]
		pre, n, post := prod(shape[:ax]), shape[ax], prod(shape[ax+1:])
		s := append([]int{}, shape...)
		s[ax] = 1
		out := NewDense(Float64, append([]int{2}, s...)...)
		m := pre * post
		for pi := 0; pi < pre; pi++ {
			for j := 0; j < post; j++ {
				best, bi := x[pi*n*post+j], 0
				for kk := 1; kk < n; kk++ {
					if v := x[(pi*n+kk)*post+j]; less(v, best) {
						best, bi = v, kk
					}
				}
				out.Data[pi*post+j] = best
				out.Data[m+pi*post+j] = float64(bi + start[ax])
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown reduction %d", r)
}

func reduceCombineKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	r := Reduction(p[0])
	out := NewDense(Float64, in[0].Shape...)
	copy(out.Data, in[0].Data)
	m := out.Len() / r.stats()
	for _, d := range in[1:] {
		if d.Len() != out.Len() {
			return nil, fmt.Errorf("combine partials of shapes %v and %v", in[0].Shape, d.Shape)
		}
		x := d.Data
		o := out.Data
		switch r {
		case RSum:
			for i := range o {
				o[i] += x[i]
			}
		case RProd, RMin, RMax, RAny, RAll:
			f := foldFuncs[r].f
			for i := range o {
				o[i] = f(o[i], x[i])
			}
		case RVar, RStd:
			for i := 0; i < m; i++ {
				na, nb := o[i], x[i]
				n := na + nb
				o[3*m+i] += x[3*m+i]
				if nb == 0 {
					continue
				}
				if na == 0 {
					o[i], o[m+i], o[2*m+i] = nb, x[m+i], x[2*m+i]
					continue
				}
				delta := x[m+i] - o[m+i]
				o[m+i] += delta * nb / n
				o[2*m+i] += x[2*m+i] + delta*delta*na*nb/n
				o[i] = n
			}
		case RArgMin, RArgMax:
			for i := 0; i < m; i++ {
				v, cur := x[i], o[i]
				better := false
				switch {
				case cur != cur:
				case v != v:
					better = true
				case r == RArgMin:
					better = v < cur
				default:
					better = v > cur
				}
				if better {
					o[i], o[m+i] = v, x[m+i]
				}
			}
		}
	}
	return out, nil
}

func reduceFinalKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	r := Reduction(p[0])
	dt := DType(p[1])
	rd := graph.NewReader(p[2:])
	ddof := int(rd.Varint())
	shape := readInts(rd)
	if rd.Err() != nil {
		return nil, rd.Err()
	}
	x := in[0].Data
	m := len(x) / r.stats()
	shape = resolveFinalShape(shape, m)
	if m != prod(shape) {
		return nil, fmt.Errorf("finalize %s: %d values for shape %v", r, m, shape)
	}
	v := make([]float64, m)
	switch r {
	case RMean:
		for i := range v {
			v[i] = x[3*m+i] / x[i]
		}
	case RVar, RStd:
		for i := range v {
			v[i] = x[2*m+i] / (x[i] - float64(ddof))
			if x[i]-float64(ddof) <= 0 {
				v[i] = math.NaN()
			}
			if r == RStd {
				v[i] = math.Sqrt(v[i])
			}
		}
	case RArgMin, RArgMax:
		copy(v, x[m:])
	default:
		copy(v, x[:m])
	}
	out := NewDense(dt, shape...)
	out.storeF64(v, 0)
	return out, nil
}

// CumSum returns the cumulative sum along axis. Each block is summed on its
// own; a chain of small carry tasks then adds the totals of the blocks before
// it along the axis.
func (a *Array) CumSum(axis int) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("CumSum", a); err != nil {
		return &Array{err: err}
	}
	ax, err := normAxis("CumSum", axis, len(a.shape))
	if err != nil {
		return errArray("CumSum of shape %s: axis %d out of range", shapeString(a.shape), axis)
	}
	dt := outDType(RSum, a.dtype)
	local := build(a.shape, a.chunks, dt, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		return "cumsum", []byte{byte(dt), byte(ax)}, []graph.Key{a.blockKey(idx)}
	})
	// carry[idx] = carry[idx-1 along ax] + last slice of local[idx-1].
	carry := map[int]graph.Key{}
	grid := gridShape(a.chunks)
	holder := &Array{parents: []*Array{local}}
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
		t := newTask("cumsum-carry", []byte{byte(dt), byte(ax), 0}, deps...)
		holder.tasks = append(holder.tasks, t)
		carry[fi] = t.Key
		return nil
	})
	return build(a.shape, a.chunks, dt, []*Array{local, holder}, func(idx []int) (string, []byte, []graph.Key) {
		fi := flatIndex(grid, idx)
		if k, ok := carry[fi]; ok {
			return "cumsum-carry", []byte{byte(dt), byte(ax), 1}, []graph.Key{local.keys[fi], k}
		}
		return "reshape", appendInts(nil, blockShape(a.chunks, idx)), []graph.Key{local.keys[fi]}
	})
}

func cumsumKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt, ax := DType(p[0]), int(p[1])
	d := in[0]
	x := append([]float64{}, d.Float64s()...)
	pre, n, post := prod(d.Shape[:ax]), d.Shape[ax], prod(d.Shape[ax+1:])
	for pi := 0; pi < pre; pi++ {
		for k := 1; k < n; k++ {
			row := x[(pi*n+k)*post : (pi*n+k+1)*post]
			prev := x[(pi*n+k-1)*post : (pi*n+k)*post]
			for j := range row {
				row[j] += prev[j]
			}
		}
	}
	out := NewDense(dt, d.Shape...)
	out.storeF64(x, 0)
	return out, nil
}

// cumsumCarryKernel: mode 0 computes the carry into the next block (last
// slice of in[0] plus the carry in[1], if any), with the axis kept at 1;
// mode 1 adds the carry in[1] to the block in[0].
func cumsumCarryKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt, ax, mode := DType(p[0]), int(p[1]), p[2]
	d := in[0]
	x := d.Float64s()
	pre, n, post := prod(d.Shape[:ax]), d.Shape[ax], prod(d.Shape[ax+1:])
	if mode == 0 {
		s := append([]int{}, d.Shape...)
		s[ax] = 1
		out := make([]float64, pre*post)
		if n > 0 {
			for pi := 0; pi < pre; pi++ {
				copy(out[pi*post:(pi+1)*post], x[(pi*n+n-1)*post:(pi*n+n)*post])
			}
		}
		if len(in) > 1 {
			c := in[1].Float64s()
			for i := range out {
				out[i] += c[i]
			}
		}
		o := NewDense(dt, s...)
		o.storeF64(out, 0)
		return o, nil
	}
	c := in[1].Float64s()
	y := append([]float64{}, x...)
	for pi := 0; pi < pre; pi++ {
		for k := 0; k < n; k++ {
			row := y[(pi*n+k)*post : (pi*n+k+1)*post]
			for j := range row {
				row[j] += c[pi*post+j]
			}
		}
	}
	o := NewDense(dt, d.Shape...)
	o.storeF64(y, 0)
	return o, nil
}
