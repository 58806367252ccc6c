package ml

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
)

// Exact column statistics by rank: RobustScaler, QuantileTransformer and
// the median and most_frequent imputers. Over lazy arrays the order
// statistics come from array.RankValues (an exact radix selection across
// the row blocks that keeps only histograms between passes: no block is
// concatenated with another); in a task (a grid-search fold) the column is
// sorted in memory. NaN is a missing value, as in scikit-learn: it is left
// out of the statistics and kept by Transform.

func init() {
	RegisterModel(&RobustScalerModel{})
	RegisterModel(&QuantileTransformerModel{})
	RegisterEstimator(RobustScaler{})
	RegisterEstimator(QuantileTransformer{})
	registerPass("ml.mode", &passKernel{block: modeBlock, merge: modeMerge})
}

// columnRanks returns, for every column j, the values of ranks[j] of the
// column sorted with NaN last.
func columnRanks(ctx context.Context, r rows, ranks [][]int64) ([][]float64, error) {
	out := make([][]float64, len(ranks))
	switch r := r.(type) {
	case *lazyRows:
		var arrs []*array.Array
		var cols []int
		for j, rk := range ranks {
			if len(rk) > 0 {
				arrs = append(arrs, r.x.Index(fmt.Sprintf(":, %d", j)).RankValues(rk))
				cols = append(cols, j)
			}
		}
		if len(arrs) == 0 {
			return out, nil
		}
		ds, err := array.ComputeAll(ctx, arrs, r.opts...)
		if err != nil {
			return nil, err
		}
		for i, j := range cols {
			out[j] = ds[i].Data
		}
	case *localRows:
		for j, rk := range ranks {
			if len(rk) == 0 {
				continue
			}
			col := make([]float64, 0, r.n)
			for _, x := range r.xs {
				for i := j; i < len(x.Data); i += r.p {
					col = append(col, x.Data[i])
				}
			}
			sortNaNLast(col)
			for _, k := range rk {
				out[j] = append(out[j], col[k])
			}
		}
	default:
		return nil, fmt.Errorf("column ranks over %T", r)
	}
	return out, nil
}

// sortNaNLast sorts v ascending with NaN at the end.
func sortNaNLast(v []float64) {
	slices.SortFunc(v, func(a, b float64) int {
		an, bn := a != a, b != b
		switch {
		case an || bn:
			if an == bn {
				return 0
			}
			if an {
				return 1
			}
			return -1
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	})
}

// nonNaN counts the non-NaN values of every column (one pass).
func nonNaN(ctx context.Context, r rows) ([]int64, error) {
	_, p := r.dims()
	out, err := r.pass(ctx, "ml.nanmoments", nil, 2*p, false)
	if err != nil {
		return nil, err
	}
	c := make([]int64, p)
	for j := range c {
		c[j] = int64(out[j])
	}
	return c, nil
}

// quantileRanks are NumPy's 'linear' positions of quantile q of m sorted
// values: ranks lo, hi and the weight of hi.
func quantileRanks(m int64, q float64) (lo, hi int64, g float64) {
	v := float64(m-1) * q
	if v >= float64(m-1) {
		return m - 1, m - 1, 0
	}
	if v <= 0 {
		return 0, 0, 0
	}
	lo = int64(math.Floor(v))
	return lo, lo + 1, v - float64(lo)
}

// lerp is NumPy's interpolation between the order statistics (the form it
// uses for accuracy near t = 1).
func lerp(a, b, t float64) float64 {
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}

// nanQuantiles returns, per column, the quantiles qs (in [0, 1]) of its
// non-NaN values with NumPy's linear interpolation (numpy.nanquantile),
// exactly. A column of NaN only is an error naming est.
func nanQuantiles(ctx context.Context, est string, r rows, qs []float64) ([][]float64, error) {
	cnt, err := nonNaN(ctx, r)
	if err != nil {
		return nil, err
	}
	ranks := make([][]int64, len(cnt))
	for j, m := range cnt {
		if m == 0 {
			return nil, errf(est, "column %d holds only NaN", j)
		}
		for _, q := range qs {
			lo, hi, _ := quantileRanks(m, q)
			ranks[j] = append(ranks[j], lo, hi)
		}
	}
	vals, err := columnRanks(ctx, r, ranks)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(cnt))
	for j, m := range cnt {
		out[j] = make([]float64, len(qs))
		for i, q := range qs {
			_, _, g := quantileRanks(m, q)
			out[j][i] = lerp(vals[j][2*i], vals[j][2*i+1], g)
		}
	}
	return out, nil
}

// RobustScaler centres each feature on its median and scales it by its
// interquartile range (QuantileRange, default 25 to 75), as scikit-learn's.
// The quantiles are exact (order statistics selected across the row
// blocks, NumPy's linear interpolation), not approximations; NaN is left
// out of them and kept by Transform. Fit reads X about ten times (a count
// and eight radix rounds per column, all columns in the same passes):
// persist a generated X first.
type RobustScaler struct {
	NoCentering   bool       // scikit-learn's with_centering=False
	NoScaling     bool       // with_scaling=False
	QuantileRange [2]float64 // in percent; [0, 0] means [25, 75]
	UnitVariance  bool       // scale so a normal feature gets variance 1
}

// RobustScalerModel is a fitted RobustScaler: (x - Center) / Scale.
type RobustScalerModel struct {
	Center, Scale []float64
}

// ModelName implements Model.
func (*RobustScalerModel) ModelName() string { return "RobustScalerModel" }

func (RobustScaler) estName() string  { return "RobustScaler" }
func (RobustScaler) supervised() bool { return false }

// Fit computes the medians and quantile ranges of X's columns (y is
// ignored and may be nil).
func (e RobustScaler) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*RobustScalerModel, error) {
	m, err := fitArrays(ctx, e, X, nil, opts)
	if err != nil {
		return nil, err
	}
	return m.(*RobustScalerModel), nil
}

// FitModel implements Estimator.
func (e RobustScaler) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e RobustScaler) fitRows(ctx context.Context, r rows) (Model, error) {
	lo, hi := e.QuantileRange[0], e.QuantileRange[1]
	if lo == 0 && hi == 0 {
		lo, hi = 25, 75
	}
	if !(0 <= lo && lo <= hi && hi <= 100) {
		return nil, errf("RobustScaler", "QuantileRange %v: want 0 <= low <= high <= 100", e.QuantileRange)
	}
	qs, err := nanQuantiles(ctx, "RobustScaler", r, []float64{0.5, lo / 100, hi / 100})
	if err != nil {
		return nil, err
	}
	_, p := r.dims()
	m := &RobustScalerModel{Center: make([]float64, p), Scale: make([]float64, p)}
	adj := 1.0
	if e.UnitVariance {
		adj = normPPF(hi/100) - normPPF(lo/100)
	}
	for j, q := range qs {
		m.Center[j], m.Scale[j] = 0, 1
		if !e.NoCentering {
			m.Center[j] = q[0]
		}
		if !e.NoScaling {
			s := q[2] - q[1]
			if s < 10*epsilon {
				s = 1
			}
			if e.UnitVariance {
				s /= adj
			}
			m.Scale[j] = s
		}
	}
	return m, nil
}

const epsilon = 0x1p-52

// TransformBlock implements BlockTransformer.
func (m *RobustScalerModel) TransformBlock(x *array.Dense) (*array.Dense, error) {
	p := len(m.Scale)
	if err := blockCols("RobustScaler", x, p); err != nil {
		return nil, err
	}
	out := make([]float64, len(x.Data))
	for i := 0; i < len(out); i += p {
		for j := range p {
			out[i+j] = (x.Data[i+j] - m.Center[j]) / m.Scale[j]
		}
	}
	return dense2(out, x.Shape[0], p), nil
}

// Transform returns the lazy scaled X (NaN stays NaN).
func (m *RobustScalerModel) Transform(X *array.Array) *array.Array {
	if m == nil || m.Scale == nil {
		return noModel("RobustScaler", "Transform")
	}
	return mapRows("RobustScaler", m, X, rowTransform, len(m.Scale))
}

// InverseTransform maps scaled values back: x·Scale + Center, lazily.
func (m *RobustScalerModel) InverseTransform(X *array.Array) *array.Array {
	if m == nil || m.Scale == nil {
		return noModel("RobustScaler", "InverseTransform")
	}
	return mapRows("RobustScaler", &affineModel{Name: "RobustScaler", Mul: m.Scale, Add: m.Center}, X, rowTransform, len(m.Scale))
}

// QuantileTransformer maps each feature through its empirical cumulative
// distribution to a uniform (default) or standard normal
// (OutputDistribution "normal") output, as scikit-learn's: NQuantiles
// (default 1000, at most the number of rows) reference quantiles are
// computed per feature and Transform interpolates between them (averaging
// the ascending and descending interpolation where quantiles repeat).
//
// The quantiles are those of at most Subsample rows (default 10000, as
// scikit-learn): exact, with NumPy's linear interpolation, when X has at
// most Subsample rows; otherwise of Subsample rows drawn without
// replacement from Seed (one row sample for all features, where
// scikit-learn draws one per feature), so they carry the sampling error
// scikit-learn's do. Only the sampled rows are read (array.Take), in one
// graph. NaN is left out of the quantiles and kept by Transform.
type QuantileTransformer struct {
	NQuantiles         int
	OutputDistribution string // "uniform" (default) or "normal"
	Subsample          int
	Seed               uint64
}

// QuantileTransformerModel is a fitted QuantileTransformer: Quantiles[j]
// are the reference quantiles of feature j at References.
type QuantileTransformerModel struct {
	Quantiles  [][]float64
	References []float64
	Normal     bool
}

// ModelName implements Model.
func (*QuantileTransformerModel) ModelName() string { return "QuantileTransformerModel" }

func (QuantileTransformer) estName() string  { return "QuantileTransformer" }
func (QuantileTransformer) supervised() bool { return false }

// Fit computes the reference quantiles of X's columns (y is ignored).
func (e QuantileTransformer) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*QuantileTransformerModel, error) {
	m, err := fitArrays(ctx, e, X, nil, opts)
	if err != nil {
		return nil, err
	}
	return m.(*QuantileTransformerModel), nil
}

// FitModel implements Estimator.
func (e QuantileTransformer) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e QuantileTransformer) fitRows(ctx context.Context, r rows) (Model, error) {
	const est = "QuantileTransformer"
	nq, sub := e.NQuantiles, e.Subsample
	if nq == 0 {
		nq = 1000
	}
	if sub == 0 {
		sub = 10000
	}
	switch {
	case nq < 1:
		return nil, errf(est, "NQuantiles = %d: want >= 1", nq)
	case sub < 1:
		return nil, errf(est, "Subsample = %d: want >= 1", sub)
	case nq > sub:
		return nil, errf(est, "NQuantiles = %d is above Subsample = %d", nq, sub)
	case e.OutputDistribution != "" && e.OutputDistribution != "uniform" && e.OutputDistribution != "normal":
		return nil, errf(est, "unknown OutputDistribution %q (want uniform or normal)", e.OutputDistribution)
	}
	n, p := r.dims()
	nq = max(1, min(nq, n))
	// the rows the quantiles are taken from, in memory (at most sub)
	var cols [][]float64
	switch rr := r.(type) {
	case *lazyRows:
		x := rr.x
		if n > sub {
			rng := rand.New(rand.NewPCG(e.Seed, 0x9a7))
			pos := rng.Perm(n)[:sub]
			if n > 4*sub { // avoid a permutation of every row: Floyd's sample
				pos = floydSample(rng, n, sub)
			}
			sort.Ints(pos)
			x = x.Take(0, pos)
		}
		d, err := x.Compute(ctx, rr.opts...)
		if err != nil {
			return nil, err
		}
		cols = columnsOf([]*array.Dense{d}, p)
	case *localRows:
		cols = columnsOf(rr.xs, p)
		if n > sub {
			rng := rand.New(rand.NewPCG(e.Seed, 0x9a7))
			pos := floydSample(rng, n, sub)
			sort.Ints(pos)
			for j, c := range cols {
				s := make([]float64, len(pos))
				for i, k := range pos {
					s[i] = c[k]
				}
				cols[j] = s
			}
		}
	default:
		return nil, fmt.Errorf("%s over %T", est, r)
	}
	m := &QuantileTransformerModel{References: make([]float64, nq), Normal: e.OutputDistribution == "normal"}
	for i := range nq {
		if nq > 1 {
			m.References[i] = float64(i) / float64(nq-1) // numpy.linspace(0, 1, nq)
		}
	}
	if nq > 1 {
		m.References[nq-1] = 1
	}
	for j, c := range cols {
		sortNaNLast(c)
		k := int64(len(c))
		for k > 0 && math.IsNaN(c[k-1]) {
			k--
		}
		if k == 0 {
			return nil, errf(est, "column %d holds only NaN", j)
		}
		q := make([]float64, nq)
		for i, ref := range m.References {
			// numpy.nanpercentile(col, ref*100): the percentile is divided
			// by 100 again, as NumPy does
			lo, hi, g := quantileRanks(k, ref*100/100)
			q[i] = lerp(c[lo], c[hi], g)
			if i > 0 && q[i] < q[i-1] { // numpy.maximum.accumulate
				q[i] = q[i-1]
			}
		}
		m.Quantiles = append(m.Quantiles, q)
	}
	return m, nil
}

// floydSample draws k distinct integers of [0, n) (Floyd's algorithm).
func floydSample(rng *rand.Rand, n, k int) []int {
	seen := make(map[int]struct{}, k)
	out := make([]int, 0, k)
	for j := n - k; j < n; j++ {
		t := rng.IntN(j + 1)
		if _, ok := seen[t]; ok {
			t = j
		}
		seen[t] = struct{}{}
		out = append(out, t)
	}
	return out
}

// columnsOf splits row blocks of p columns into p column slices.
func columnsOf(xs []*array.Dense, p int) [][]float64 {
	cols := make([][]float64, p)
	for _, x := range xs {
		for i := 0; i < len(x.Data); i += p {
			for j := range p {
				cols[j] = append(cols[j], x.Data[i+j])
			}
		}
	}
	return cols
}

// interp is numpy.interp(x, xp, fp) for increasing xp (repeats allowed)
// and x not NaN.
func interp(x float64, xp, fp []float64) float64 {
	n := len(xp)
	j := sort.Search(n, func(i int) bool { return xp[i] > x }) - 1
	switch {
	case j < 0:
		return fp[0]
	case j >= n-1:
		return fp[n-1]
	case xp[j] == x:
		return fp[j]
	}
	slope := (fp[j+1] - fp[j]) / (xp[j+1] - xp[j])
	v := slope*(x-xp[j]) + fp[j]
	if math.IsNaN(v) {
		v = slope*(x-xp[j+1]) + fp[j+1]
		if math.IsNaN(v) && fp[j] == fp[j+1] {
			v = fp[j]
		}
	}
	return v
}

// boundsThreshold is scikit-learn's BOUNDS_THRESHOLD: the normal output is
// clipped to the quantiles of this probability and its complement.
const boundsThreshold = 1e-7

type negatedRefs struct{ q, ref []float64 }

// negated returns -quantiles[::-1] and -references[::-1] of column j.
func (m *QuantileTransformerModel) negated(j int) negatedRefs {
	q := m.Quantiles[j]
	n := len(q)
	out := negatedRefs{q: make([]float64, n), ref: make([]float64, n)}
	for i := range n {
		out.q[i] = -q[n-1-i]
		out.ref[i] = -m.References[n-1-i]
	}
	return out
}

// TransformBlock implements BlockTransformer.
func (m *QuantileTransformerModel) TransformBlock(x *array.Dense) (*array.Dense, error) {
	p := len(m.Quantiles)
	if err := blockCols("QuantileTransformer", x, p); err != nil {
		return nil, err
	}
	negs := make([]negatedRefs, p)
	for j := range negs {
		negs[j] = m.negated(j)
	}
	out := make([]float64, len(x.Data))
	lo, hi := normPPF(boundsThreshold-epsilon), normPPF(1-(boundsThreshold-epsilon))
	for i, v := range x.Data {
		j := i % p
		if math.IsNaN(v) {
			out[i] = v
			continue
		}
		q, ref := m.Quantiles[j], m.References
		nq := len(q)
		t := 0.5 * (interp(v, q, ref) - interp(-v, negs[j].q, negs[j].ref))
		if m.Normal { // scikit-learn sets the upper bound, then the lower
			if v+boundsThreshold > q[nq-1] {
				t = 1
			}
			if v-boundsThreshold < q[0] {
				t = 0
			}
			out[i] = math.Min(math.Max(normPPF(t), lo), hi)
			continue
		}
		if v == q[nq-1] {
			t = 1
		}
		if v == q[0] {
			t = 0
		}
		out[i] = t
	}
	return dense2(out, x.Shape[0], p), nil
}

// Transform returns the lazy transformed X (NaN stays NaN).
func (m *QuantileTransformerModel) Transform(X *array.Array) *array.Array {
	if m == nil || m.Quantiles == nil {
		return noModel("QuantileTransformer", "Transform")
	}
	return mapRows("QuantileTransformer", m, X, rowTransform, len(m.Quantiles))
}

// quantileInverse is the inverse map of a QuantileTransformerModel.
type quantileInverse struct{ M *QuantileTransformerModel }

func init() { RegisterModel(&quantileInverse{}) }

func (*quantileInverse) ModelName() string { return "quantileInverse" }

func (qi *quantileInverse) TransformBlock(x *array.Dense) (*array.Dense, error) {
	m := qi.M
	p := len(m.Quantiles)
	if err := blockCols("QuantileTransformer", x, p); err != nil {
		return nil, err
	}
	out := make([]float64, len(x.Data))
	for i, v := range x.Data {
		q := m.Quantiles[i%p]
		if m.Normal {
			v = normCDF(v)
		}
		if math.IsNaN(v) {
			out[i] = v
			continue
		}
		var o float64
		if m.Normal {
			o = interp(v, m.References, q)
			if v+boundsThreshold > 1 {
				o = q[len(q)-1]
			}
			if v-boundsThreshold < 0 {
				o = q[0]
			}
		} else {
			o = interp(v, m.References, q)
			if v == 1 {
				o = q[len(q)-1]
			}
			if v == 0 {
				o = q[0]
			}
		}
		out[i] = o
	}
	return dense2(out, x.Shape[0], p), nil
}

// InverseTransform maps transformed values back to the feature scale,
// lazily (scikit-learn's inverse_transform).
func (m *QuantileTransformerModel) InverseTransform(X *array.Array) *array.Array {
	if m == nil || m.Quantiles == nil {
		return noModel("QuantileTransformer", "InverseTransform")
	}
	return mapRows("QuantileTransformer", &quantileInverse{M: m}, X, rowTransform, len(m.Quantiles))
}

// normPPF is the standard normal quantile function.
func normPPF(p float64) float64 { return -math.Sqrt2 * math.Erfcinv(2*p) }

// normCDF is the standard normal distribution function.
func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// Most frequent value per column: every block counts its distinct values
// per column (at most maxDistinct; more is an error, the strategy being for
// discrete features), the tables merge by a tree. Layout per column:
// [distinct count, values(maxDistinct), counts(maxDistinct)].
const maxDistinct = 1000

func modeBlock(_ []byte, _ int, x, _ *array.Dense) ([]float64, error) {
	n, p := x.Shape[0], x.Shape[1]
	w := 1 + 2*maxDistinct
	out := make([]float64, p*w)
	for j := range p {
		cnt := map[float64]float64{}
		for i := range n {
			v := x.Data[i*p+j]
			if math.IsNaN(v) {
				continue
			}
			cnt[v]++
			if len(cnt) > maxDistinct {
				return nil, fmt.Errorf("column %d holds more than %d distinct values: most_frequent is for discrete features (use median)", j, maxDistinct)
			}
		}
		putMode(out[j*w:(j+1)*w], cnt)
	}
	return out, nil
}

func putMode(t []float64, cnt map[float64]float64) {
	vs := make([]float64, 0, len(cnt))
	for v := range cnt {
		vs = append(vs, v)
	}
	sort.Float64s(vs)
	clear(t)
	t[0] = float64(len(vs))
	for i, v := range vs {
		t[1+i] = v
		t[1+maxDistinct+i] = cnt[v]
	}
}

func modeMerge(_ []byte, dst, src []float64) {
	w := 1 + 2*maxDistinct
	for j := 0; j+w <= len(dst); j += w {
		cnt := map[float64]float64{}
		for _, t := range [][]float64{dst[j : j+w], src[j : j+w]} {
			k := int(t[0])
			if k > maxDistinct {
				k = maxDistinct
			}
			for i := range k {
				cnt[t[1+i]] += t[1+maxDistinct+i]
			}
		}
		if len(cnt) > maxDistinct {
			clear(dst[j : j+w])
			dst[j] = math.Inf(1) // too many distinct values
			continue
		}
		putMode(dst[j:j+w], cnt)
	}
}

// modes returns the most frequent non-NaN value of every column, the
// smallest of equally frequent ones (scikit-learn's choice).
func modes(ctx context.Context, r rows) ([]float64, error) {
	_, p := r.dims()
	w := 1 + 2*maxDistinct
	out, err := r.pass(ctx, "ml.mode", nil, p*w, false)
	if err != nil {
		return nil, err
	}
	res := make([]float64, p)
	for j := range p {
		t := out[j*w : (j+1)*w]
		if math.IsInf(t[0], 1) {
			return nil, fmt.Errorf("column %d holds more than %d distinct values: most_frequent is for discrete features (use median)", j, maxDistinct)
		}
		k := int(t[0])
		if k == 0 {
			return nil, fmt.Errorf("column %d holds only NaN: no most frequent value to fill with", j)
		}
		best := 0
		for i := 1; i < k; i++ {
			if t[1+maxDistinct+i] > t[1+maxDistinct+best] {
				best = i
			}
		}
		res[j] = t[1+best]
	}
	return res, nil
}
