package array

import (
	"context"
	"fmt"
	"math"

	"github.com/godask/godask/graph"
)

// Reduction names a reduction for Reduce.
type Reduction uint8

// The reductions. Var and Std combine per-block moments with Chan et al.'s
// pairwise formula on centred sums (see reduce-combine), which stays accurate
// where the naive sum of squares loses digits. The Nan variants skip NaN as
// NumPy's nansum, nanmean, ... do; on int64 and bool arrays (which hold no
// NaN) they are the plain reductions.
//
// Sum, Prod, Min, Max, ArgMin and ArgMax of int64 and bool arrays compute in
// int64, exactly: sums and products wrap on overflow as NumPy's do. Mean, Var
// and Std of integers compute in float64, as NumPy does.
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
	RNanSum
	RNanProd
	RNanMin
	RNanMax
	RNanMean
	RNanVar
	RNanStd
	RNanArgMin
	RNanArgMax
)

var reductionNames = [...]string{"sum", "prod", "min", "max", "any", "all", "mean", "var", "std", "argmin", "argmax",
	"nansum", "nanprod", "nanmin", "nanmax", "nanmean", "nanvar", "nanstd", "nanargmin", "nanargmax"}

func (r Reduction) String() string {
	if int(r) < len(reductionNames) {
		return reductionNames[r]
	}
	return fmt.Sprintf("reduction(%d)", uint8(r))
}

// nan reports whether r is a Nan variant.
func (r Reduction) nan() bool { return r >= RNanSum && r <= RNanArgMax }

// base returns the plain reduction of a Nan variant (r itself otherwise).
func (r Reduction) base() Reduction {
	switch r {
	case RNanSum:
		return RSum
	case RNanProd:
		return RProd
	case RNanMin:
		return RMin
	case RNanMax:
		return RMax
	case RNanMean:
		return RMean
	case RNanVar:
		return RVar
	case RNanStd:
		return RStd
	case RNanArgMin:
		return RArgMin
	case RNanArgMax:
		return RArgMax
	}
	return r
}

func (r Reduction) isArg() bool { b := r.base(); return b == RArgMin || b == RArgMax }

// stats is the number of partial values per output element: Mean, Var and
// Std share the moments (count, shift, mean offset, M2, sum), so that
// computing the mean and the standard deviation of one array together reads
// it once.
func (r Reduction) stats() int {
	switch r.base() {
	case RArgMin, RArgMax:
		return 2
	case RMean, RVar, RStd:
		return 5
	}
	return 1
}

// partial is the reduction whose partials r combines: RVar (the moments)
// for Mean, Var and Std (RNanVar for their Nan variants), r itself otherwise.
func (r Reduction) partial() Reduction {
	switch r {
	case RMean, RStd:
		return RVar
	case RNanMean, RNanStd:
		return RNanVar
	}
	return r
}

// intKind reports whether r over a block of dtype dt computes in int64.
func intKind(r Reduction, dt DType) bool {
	if dt != Int64 && dt != Bool {
		return false
	}
	switch r.base() {
	case RSum, RProd, RMin, RMax, RArgMin, RArgMax:
		return true
	}
	return false
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

// Var is the population variance (ddof 0) over the given axes. Use Reduce
// with ReduceOptions.DDOF for another divisor; with DDOF >= n the result is
// +Inf (NaN when every element is equal), as in NumPy.
func (a *Array) Var(axes ...int) *Array { return a.Reduce(RVar, ReduceOptions{Axes: axes}) }

// Std is the population standard deviation (ddof 0) over the given axes.
func (a *Array) Std(axes ...int) *Array { return a.Reduce(RStd, ReduceOptions{Axes: axes}) }

// NanSum sums over the given axes treating NaN as zero (numpy.nansum).
func (a *Array) NanSum(axes ...int) *Array { return a.Reduce(RNanSum, ReduceOptions{Axes: axes}) }

// NanProd multiplies over the given axes treating NaN as one (numpy.nanprod).
func (a *Array) NanProd(axes ...int) *Array { return a.Reduce(RNanProd, ReduceOptions{Axes: axes}) }

// NanMin is Min ignoring NaN; a selection of only NaN gives NaN (numpy.nanmin).
func (a *Array) NanMin(axes ...int) *Array { return a.Reduce(RNanMin, ReduceOptions{Axes: axes}) }

// NanMax is Max ignoring NaN; a selection of only NaN gives NaN (numpy.nanmax).
func (a *Array) NanMax(axes ...int) *Array { return a.Reduce(RNanMax, ReduceOptions{Axes: axes}) }

// NanMean is Mean over the elements that are not NaN (NaN when there are none).
func (a *Array) NanMean(axes ...int) *Array { return a.Reduce(RNanMean, ReduceOptions{Axes: axes}) }

// NanVar is Var over the elements that are not NaN (numpy.nanvar, ddof 0).
func (a *Array) NanVar(axes ...int) *Array { return a.Reduce(RNanVar, ReduceOptions{Axes: axes}) }

// NanStd is Std over the elements that are not NaN (numpy.nanstd, ddof 0).
func (a *Array) NanStd(axes ...int) *Array { return a.Reduce(RNanStd, ReduceOptions{Axes: axes}) }

// ArgMin returns the int64 index of the minimum along axis, or the flat
// C-order index over the whole array when axis is nil. Ties and NaNs give
// the first occurrence (the lowest index), like NumPy.
func (a *Array) ArgMin(axis *int) *Array { return a.arg(RArgMin, axis) }

// ArgMax is ArgMin for the maximum.
func (a *Array) ArgMax(axis *int) *Array { return a.arg(RArgMax, axis) }

// NanArgMin is ArgMin ignoring NaN; computing it fails where a selection
// holds only NaN ("All-NaN slice encountered", as numpy.nanargmin).
func (a *Array) NanArgMin(axis *int) *Array { return a.arg(RNanArgMin, axis) }

// NanArgMax is NanArgMin for the maximum.
func (a *Array) NanArgMax(axis *int) *Array { return a.arg(RNanArgMax, axis) }

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
	if int(r) >= len(reductionNames) {
		return errArray("Reduce: unknown reduction %d", r)
	}
	name := r.String()
	if r.nan() && (a.dtype == Int64 || a.dtype == Bool) {
		r = r.base() // no NaN to skip
	}
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
	redSize := 1
	for i, b := range red {
		if b {
			nred++
			redSize *= a.shape[i]
		}
	}
	if r.isArg() {
		if err := needKnown(name, a); err != nil {
			return &Array{err: err}
		}
	}
	if r.isArg() && nred != nd && nred != 1 {
		return errArray("%s over axes %v: one axis or all", name, o.Axes)
	}
	if b := r.base(); (r.isArg() || b == RMin || b == RMax) && redSize == 0 {
		return errArray("%s over axes %v of an array of shape %s: zero-size reduction, which has no identity", name, o.Axes, shapeString(a.shape))
	}
	fanin := o.SplitEvery
	if fanin == 0 {
		fanin = 8
	}
	if fanin < 2 {
		return errArray("%s: SplitEvery %d below 2", name, fanin)
	}
	flat := nred == nd && nd != 1 && r.isArg()
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
		if nred == nd && !r.isArg() && !intKind(r, a.dtype) {
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
	if (r.base() == RMin || r.base() == RMax) && a.hasUnknown() {
		return a.checkNonEmpty(r, o, red, res)
	}
	return res
}

func outDType(r Reduction, in DType) DType {
	switch r.base() {
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

// sumDev returns the sum of the deviations of x from m and of their squares
// (the corrected two-pass algorithm: the first corrects the rounding of m).
func sumDev(x []float64, m float64) (sd, sq float64) {
	var s0, s1, s2, s3, d0, d1, d2, d3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		e0, e1, e2, e3 := v[0]-m, v[1]-m, v[2]-m, v[3]-m
		d0 += e0
		d1 += e1
		d2 += e2
		d3 += e3
		s0 += e0 * e0
		s1 += e1 * e1
		s2 += e2 * e2
		s3 += e3 * e3
	}
	for ; i < len(x); i++ {
		e := x[i] - m
		d0 += e
		s0 += e * e
	}
	return (d0 + d1) + (d2 + d3), (s0 + s1) + (s2 + s3)
}

// nanFold folds ignoring NaN: NaN stands for "nothing yet".
func nanFold(less func(a, b float64) bool) func(a, v float64) float64 {
	return func(a, v float64) float64 {
		if v != v {
			return a
		}
		if a != a || less(v, a) {
			return v
		}
		return a
	}
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
	RAny:    {0, func(a, v float64) float64 { return b2f(a != 0 || v != 0) }},
	RAll:    {1, func(a, v float64) float64 { return b2f(a != 0 && v != 0) }},
	RNanMin: {math.NaN(), nanFold(func(a, b float64) bool { return a < b })},
	RNanMax: {math.NaN(), nanFold(func(a, b float64) bool { return a > b })},
}

func foldAll(x []float64, shape []int, axes []int, r Reduction) ([]float64, []int) {
	ff := foldFuncs[r]
	for _, ax := range axes {
		x, shape = reduceAxis(x, shape, ax, ff.init, ff.f, r == RSum)
	}
	return x, shape
}

// replaceNaN returns x with NaN replaced by v (x itself when it has none).
func replaceNaN(x []float64, v float64) []float64 {
	var out []float64
	for i, e := range x {
		if e != e {
			if out == nil {
				out = append([]float64{}, x...)
			}
			out[i] = v
		}
	}
	if out == nil {
		return x
	}
	return out
}

// betterF reports whether v beats the current best cur of arg reduction r.
// The plain ones take the first NaN; the Nan ones never take a NaN.
func betterF(r Reduction, v, cur float64) bool {
	if r.nan() {
		if v != v {
			return false
		}
		if cur != cur {
			return true
		}
	} else {
		if cur != cur {
			return false
		}
		if v != v {
			return true
		}
	}
	if r.base() == RArgMin {
		return v < cur
	}
	return v > cur
}

func betterI(r Reduction, v, cur int64) bool {
	if r.base() == RArgMin {
		return v < cur
	}
	return v > cur
}

// argBlock finds the best element of arg reduction r over a block: flat
// (C-order, global flat index into gshape) or along axis ax (index along it),
// writing values to vals and indexes (-1 for an empty selection) to idx.
func argBlock[T int64 | float64](x []T, shape []int, ax int, flat bool, start, gshape []int, better func(v, cur T) bool, vals []T, idx []int64) {
	if flat || len(shape) <= 1 {
		bi := -1
		var best T
		for i, v := range x {
			if bi < 0 || better(v, best) {
				best, bi = v, i
			}
		}
		vals[0], idx[0] = best, -1
		if bi < 0 {
			return
		}
		g := 0
		if flat {
			gst := cStrides(gshape)
			st := cStrides(shape)
			for i := range shape {
				g += (start[i] + bi/st[i]%shape[i]) * gst[i]
			}
		} else {
			g = bi + start[0]
		}
		idx[0] = int64(g)
		return
	}
	pre, n, post := prod(shape[:ax]), shape[ax], prod(shape[ax+1:])
	for pi := 0; pi < pre; pi++ {
		for j := 0; j < post; j++ {
			bi := -1
			var best T
			for kk := 0; kk < n; kk++ {
				if v := x[(pi*n+kk)*post+j]; bi < 0 || better(v, best) {
					best, bi = v, kk
				}
			}
			vals[pi*post+j] = best
			idx[pi*post+j] = -1
			if bi >= 0 {
				idx[pi*post+j] = int64(bi + start[ax])
			}
		}
	}
}

// moments returns the partial of RVar (RNanVar when skipNaN) over axes:
// count, shift K (the block mean), mean offset from K, M2 and sum.
func moments(x []float64, shape []int, axes []int, skipNaN bool) *Dense {
	s := append([]int{}, shape...)
	for _, ax := range axes {
		s[ax] = 1
	}
	m := prod(s)
	out := NewDense(Float64, append([]int{5}, s...)...)
	cnt, K, lo, m2, sum := out.Data[:m], out.Data[m:2*m], out.Data[2*m:3*m], out.Data[3*m:4*m], out.Data[4*m:]
	st := make([]int, len(shape))
	ms := cStrides(s)
	for i := range shape {
		if s[i] == shape[i] {
			st[i] = ms[i]
		}
	}
	offs := make([]int, len(x))
	_ = forEachBlock(shape, func(fi int, idx []int) error {
		o := 0
		for i, v := range idx {
			o += v * st[i]
		}
		offs[fi] = o
		return nil
	})
	for fi, v := range x {
		if skipNaN && v != v {
			continue
		}
		cnt[offs[fi]]++
		sum[offs[fi]] += v
	}
	for o := range K {
		if cnt[o] > 0 {
			K[o] = sum[o] / cnt[o]
		}
	}
	for fi, v := range x {
		if skipNaN && v != v {
			continue
		}
		o := offs[fi]
		d := v - K[o]
		lo[o] += d
		m2[o] += d * d
	}
	for o := range K {
		if cnt[o] > 0 {
			c := lo[o]
			lo[o] = c / cnt[o]
			m2[o] = math.Max(m2[o]-c*c/cnt[o], 0)
		}
	}
	return out
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
	if intKind(r, d.DType) {
		return reduceChunkInt(r, flat, axes, start, gshape, d), nil
	}
	x := d.Float64s()
	shape := d.Shape
	if len(axes) == len(shape) && !r.isArg() {
		var f folder
		f.r = r
		f.add(x)
		return f.partial(len(shape)), nil
	}
	switch r {
	case RSum, RProd, RMin, RMax, RAny, RAll, RNanSum, RNanProd, RNanMin, RNanMax:
		switch r {
		case RNanSum:
			x, r = replaceNaN(x, 0), RSum
		case RNanProd:
			x, r = replaceNaN(x, 1), RProd
		}
		v, s := foldAll(x, shape, axes, r)
		return &Dense{DType: Float64, Shape: append([]int{1}, s...), Strides: cStrides(append([]int{1}, s...)), Data: v}, nil
	case RVar, RNanVar:
		return moments(x, shape, axes, r.nan()), nil
	case RArgMin, RArgMax, RNanArgMin, RNanArgMax:
		s := append([]int{}, shape...)
		for _, ax := range axes {
			s[ax] = 1
		}
		if flat {
			s = ones(len(shape))
		}
		out := NewDense(Float64, append([]int{2}, s...)...)
		m := prod(s)
		idx := make([]int64, m)
		ax := 0
		if len(axes) > 0 {
			ax = axes[0]
		}
		argBlock(x, shape, ax, flat, start, gshape, func(v, cur float64) bool { return betterF(r, v, cur) }, out.Data[:m], idx)
		for i, v := range idx {
			out.Data[m+i] = float64(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown reduction %d", r)
}

// int64s returns the elements of an int64 or bool block as int64.
func int64s(d *Dense) []int64 {
	if d.DType == Int64 {
		return d.I64
	}
	out := make([]int64, d.Len())
	if d.DType == Bool {
		for i, v := range d.B {
			if v {
				out[i] = 1
			}
		}
		return out
	}
	for i, v := range d.Float64s() {
		out[i] = int64(v)
	}
	return out
}

var intIdentity = map[Reduction]int64{RSum: 0, RProd: 1, RMin: math.MaxInt64, RMax: math.MinInt64}

func foldInt(r Reduction, a, v int64) int64 {
	switch r {
	case RSum:
		return a + v
	case RProd:
		return a * v
	case RMin:
		return min(a, v)
	}
	return max(a, v)
}

// reduceChunkInt is reduce-chunk in int64 (sums and products wrap).
func reduceChunkInt(r Reduction, flat bool, axes, start, gshape []int, d *Dense) *Dense {
	x := int64s(d)
	shape := d.Shape
	b := r.base()
	if r.isArg() {
		s := append([]int{}, shape...)
		for _, ax := range axes {
			s[ax] = 1
		}
		if flat {
			s = ones(len(shape))
		}
		out := NewDense(Int64, append([]int{2}, s...)...)
		m := prod(s)
		ax := 0
		if len(axes) > 0 {
			ax = axes[0]
		}
		argBlock(x, shape, ax, flat, start, gshape, func(v, cur int64) bool { return betterI(r, v, cur) }, out.I64[:m], out.I64[m:])
		return out
	}
	if len(axes) == len(shape) {
		acc := intIdentity[b]
		switch b {
		case RSum:
			var a1, a2, a3 int64
			i := 0
			for ; i+4 <= len(x); i += 4 {
				v := x[i : i+4 : i+4]
				acc += v[0]
				a1 += v[1]
				a2 += v[2]
				a3 += v[3]
			}
			for ; i < len(x); i++ {
				acc += x[i]
			}
			acc += a1 + a2 + a3
		case RProd:
			for _, v := range x {
				acc *= v
			}
		case RMin:
			for _, v := range x {
				acc = min(acc, v)
			}
		default:
			for _, v := range x {
				acc = max(acc, v)
			}
		}
		out := NewDense(Int64, append([]int{1}, ones(len(shape))...)...)
		out.I64[0] = acc
		return out
	}
	for _, ax := range axes {
		pre, n, post := prod(shape[:ax]), shape[ax], prod(shape[ax+1:])
		o := make([]int64, pre*post)
		for i := range o {
			o[i] = intIdentity[b]
		}
		for pi := 0; pi < pre; pi++ {
			oo := o[pi*post : (pi+1)*post]
			for k := 0; k < n; k++ {
				row := x[(pi*n+k)*post : (pi*n+k+1)*post]
				for j, v := range row {
					oo[j] = foldInt(b, oo[j], v)
				}
			}
		}
		x = o
		shape = append([]int{}, shape...)
		shape[ax] = 1
	}
	return &Dense{DType: Int64, Shape: append([]int{1}, shape...), Strides: cStrides(append([]int{1}, shape...)), I64: x}
}

func reduceCombineKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	r := Reduction(p[0])
	if in[0].DType == Int64 {
		return reduceCombineInt(r, in)
	}
	out := NewDense(Float64, in[0].Shape...)
	copy(out.Data, in[0].Data)
	m := out.Len() / r.stats()
	for _, d := range in[1:] {
		if d.Len() != out.Len() || d.DType != Float64 {
			return nil, fmt.Errorf("combine %s partials of shapes %v and %v", r, in[0].Shape, d.Shape)
		}
		x := d.Data
		o := out.Data
		switch r {
		case RSum, RNanSum:
			for i := range o {
				o[i] += x[i]
			}
		case RProd, RMin, RMax, RAny, RAll, RNanMin, RNanMax, RNanProd:
			rr := r
			if r == RNanProd {
				rr = RProd
			}
			f := foldFuncs[rr].f
			for i := range o {
				o[i] = f(o[i], x[i])
			}
		case RVar, RNanVar:
			mergeMoments(o, x, m)
		case RArgMin, RArgMax, RNanArgMin, RNanArgMax:
			for i := 0; i < m; i++ {
				v, cur := x[i], o[i]
				vi, ci := x[m+i], o[m+i]
				if vi < 0 {
					continue
				}
				if ci < 0 || betterF(r, v, cur) || !betterF(r, cur, v) && vi < ci {
					o[i], o[m+i] = v, vi
				}
			}
		}
	}
	return out, nil
}

// mergeMoments merges the moments x into o (m output elements each): the
// offset between the two means is taken as the difference of the shifts
// plus the difference of the offsets, so that large means with a small
// spread keep their digits.
func mergeMoments(o, x []float64, m int) {
	for i := 0; i < m; i++ {
		na, nb := o[i], x[i]
		o[4*m+i] += x[4*m+i]
		if nb == 0 {
			continue
		}
		if na == 0 {
			o[i], o[m+i], o[2*m+i], o[3*m+i] = nb, x[m+i], x[2*m+i], x[3*m+i]
			continue
		}
		n := na + nb
		delta := (x[m+i] - o[m+i]) + (x[2*m+i] - o[2*m+i])
		o[2*m+i] += delta * nb / n
		o[3*m+i] += x[3*m+i] + delta*delta*na*nb/n
		o[i] = n
	}
}

func reduceCombineInt(r Reduction, in []*Dense) (*Dense, error) {
	out := NewDense(Int64, in[0].Shape...)
	copy(out.I64, in[0].I64)
	m := out.Len() / r.stats()
	b := r.base()
	for _, d := range in[1:] {
		if d.Len() != out.Len() || d.DType != Int64 {
			return nil, fmt.Errorf("combine %s partials of shapes %v and %v", r, in[0].Shape, d.Shape)
		}
		x, o := d.I64, out.I64
		if r.isArg() {
			for i := 0; i < m; i++ {
				v, cur := x[i], o[i]
				vi, ci := x[m+i], o[m+i]
				if vi < 0 {
					continue
				}
				if ci < 0 || betterI(r, v, cur) || v == cur && vi < ci {
					o[i], o[m+i] = v, vi
				}
			}
			continue
		}
		for i := range o {
			o[i] = foldInt(b, o[i], x[i])
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
	m := in[0].Len() / r.stats()
	shape = resolveFinalShape(shape, m)
	if m != prod(shape) {
		return nil, fmt.Errorf("finalize %s: %d values for shape %v", r, m, shape)
	}
	if in[0].DType == Int64 {
		x := in[0].I64
		out := NewDense(dt, shape...)
		if r.isArg() {
			for _, v := range x[m:] {
				if v < 0 {
					return nil, fmt.Errorf("%s of an empty sequence", r)
				}
			}
			copy(out.I64, x[m:])
			return out, nil
		}
		switch dt {
		case Int64:
			copy(out.I64, x[:m])
		case Bool:
			for i, v := range x[:m] {
				out.B[i] = v != 0
			}
		default:
			for i, v := range x[:m] {
				out.storeF64([]float64{float64(v)}, i)
			}
		}
		return out, nil
	}
	x := in[0].Data
	v := make([]float64, m)
	switch r.base() {
	case RMean:
		for i := range v {
			v[i] = x[4*m+i] / x[i]
		}
	case RVar, RStd:
		for i := range v {
			v[i] = x[3*m+i] / math.Max(x[i]-float64(ddof), 0)
			if r.base() == RStd {
				v[i] = math.Sqrt(v[i])
			}
		}
	case RArgMin, RArgMax:
		for i := range v {
			if x[m+i] < 0 {
				return nil, fmt.Errorf("%s of an empty sequence", r)
			}
			if r.nan() && x[i] != x[i] {
				return nil, fmt.Errorf("%s: All-NaN slice encountered", r)
			}
		}
		out := NewDense(Int64, shape...)
		for i := range out.I64 {
			out.I64[i] = int64(x[m+i])
		}
		return out, nil
	default:
		copy(v, x[:m])
	}
	out := NewDense(dt, shape...)
	out.storeF64(v, 0)
	return out, nil
}
