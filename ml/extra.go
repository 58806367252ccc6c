package ml

import (
	"context"
	"fmt"
	"math"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
)

// PolynomialFeatures expands each row into all monomials of its features
// up to Degree (default 2), in scikit-learn's order: the bias 1 (unless
// NoBias), the features, then the degree-2 products x_i·x_j (i <= j), and so
// on. It needs no pass over the data: Fit only records the width.
type PolynomialFeatures struct {
	Degree          int
	InteractionOnly bool
	NoBias          bool
}

// PolynomialModel is a fitted PolynomialFeatures: Powers lists, per output
// column, the feature indices multiplied.
type PolynomialModel struct {
	NFeatures int
	Terms     [][]int
}

func init() {
	RegisterModel(&PolynomialModel{})
	RegisterModel(&ImputerModel{})
	RegisterModel(&MiniBatchKMeansModel{})
	RegisterEstimator(PolynomialFeatures{})
	RegisterEstimator(SimpleImputer{})
	registerPass("ml.nanmoments", &passKernel{block: func(_ []byte, _ int, x, _ *array.Dense) ([]float64, error) {
		n, p := x.Shape[0], x.Shape[1]
		out := make([]float64, 2*p) // count, sum of the non-NaN values
		for i := range n {
			for j, v := range x.Data[i*p : (i+1)*p] {
				if !math.IsNaN(v) {
					out[j]++
					out[p+j] += v
				}
			}
		}
		return out, nil
	}})
}

// ModelName implements Model.
func (*PolynomialModel) ModelName() string { return "PolynomialModel" }

func (PolynomialFeatures) estName() string  { return "PolynomialFeatures" }
func (PolynomialFeatures) supervised() bool { return false }

// Fit records the number of features of X and the output terms.
func (e PolynomialFeatures) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*PolynomialModel, error) {
	x, err := checkX("PolynomialFeatures", X)
	if err != nil {
		return nil, err
	}
	m, err := e.fitRows(ctx, &lazyRows{x: x})
	if err != nil {
		return nil, err
	}
	return m.(*PolynomialModel), nil
}

// FitModel implements Estimator.
func (e PolynomialFeatures) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e PolynomialFeatures) fitRows(_ context.Context, r rows) (Model, error) {
	d := e.Degree
	if d == 0 {
		d = 2
	}
	if d < 1 {
		return nil, errf("PolynomialFeatures", "Degree = %d: want >= 1", d)
	}
	_, p := r.dims()
	m := &PolynomialModel{NFeatures: p}
	if !e.NoBias {
		m.Terms = append(m.Terms, []int{})
	}
	level := [][]int{{}}
	for deg := 1; deg <= d; deg++ {
		var next [][]int
		for _, t := range level {
			lo := 0
			if len(t) > 0 {
				lo = t[len(t)-1]
				if e.InteractionOnly {
					lo++
				}
			}
			for j := lo; j < p; j++ {
				next = append(next, append(append([]int(nil), t...), j))
			}
		}
		m.Terms = append(m.Terms, next...)
		level = next
		if len(m.Terms) > 1<<20 {
			return nil, errf("PolynomialFeatures", "degree %d of %d features gives more than 2^20 columns", d, p)
		}
	}
	return m, nil
}

// TransformBlock implements BlockTransformer.
func (m *PolynomialModel) TransformBlock(x *array.Dense) (*array.Dense, error) {
	if err := blockCols("PolynomialFeatures", x, m.NFeatures); err != nil {
		return nil, err
	}
	n, p, q := x.Shape[0], m.NFeatures, len(m.Terms)
	out := make([]float64, n*q)
	for i := range n {
		row := x.Data[i*p : (i+1)*p]
		for c, t := range m.Terms {
			v := 1.0
			for _, j := range t {
				v *= row[j]
			}
			out[i*q+c] = v
		}
	}
	return dense2(out, n, q), nil
}

// Transform returns the lazy expanded X.
func (m *PolynomialModel) Transform(X *array.Array) *array.Array {
	if m == nil || m.NFeatures == 0 {
		return noModel("PolynomialFeatures", "Transform")
	}
	return mapRows("PolynomialFeatures", m, X, rowTransform, len(m.Terms))
}

// SimpleImputer replaces NaN in each feature by a statistic of the
// column's non-NaN values: Strategy "mean" (the default, one pass),
// "median" (exact, by selection across the row blocks; see RobustScaler),
// "most_frequent" (exact counts merged by a tree; the smallest of equally
// frequent values, as scikit-learn; at most 1000 distinct values per
// column, more is an error), or FillValue ("constant").
type SimpleImputer struct {
	Strategy  string
	FillValue float64
}

// ImputerModel is a fitted SimpleImputer.
type ImputerModel struct {
	Statistics []float64
}

// ModelName implements Model.
func (*ImputerModel) ModelName() string { return "ImputerModel" }

func (SimpleImputer) estName() string  { return "SimpleImputer" }
func (SimpleImputer) supervised() bool { return false }

// Fit computes the fill value of each column of X (NaN allowed).
func (e SimpleImputer) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*ImputerModel, error) {
	x, err := checkX("SimpleImputer", X)
	if err != nil {
		return nil, err
	}
	m, err := e.fitRows(ctx, &lazyRows{x: x, opts: opts})
	if err != nil {
		return nil, fmt.Errorf("ml: SimpleImputer: fit: %w", err)
	}
	return m.(*ImputerModel), nil
}

// FitModel implements Estimator.
func (e SimpleImputer) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e SimpleImputer) fitRows(ctx context.Context, r rows) (Model, error) {
	_, p := r.dims()
	switch e.Strategy {
	case "", "mean":
		out, err := r.pass(ctx, "ml.nanmoments", nil, 2*p, false)
		if err != nil {
			return nil, err
		}
		m := &ImputerModel{Statistics: make([]float64, p)}
		for j := range p {
			if out[j] == 0 {
				return nil, errf("SimpleImputer", "column %d holds only NaN: no mean to fill with", j)
			}
			m.Statistics[j] = out[p+j] / out[j]
		}
		return m, nil
	case "constant":
		m := &ImputerModel{Statistics: make([]float64, p)}
		for j := range m.Statistics {
			m.Statistics[j] = e.FillValue
		}
		return m, nil
	case "median":
		qs, err := nanQuantiles(ctx, "SimpleImputer", r, []float64{0.5})
		if err != nil {
			return nil, err
		}
		m := &ImputerModel{Statistics: make([]float64, p)}
		for j, q := range qs {
			m.Statistics[j] = q[0]
		}
		return m, nil
	case "most_frequent":
		st, err := modes(ctx, r)
		if err != nil {
			return nil, err
		}
		return &ImputerModel{Statistics: st}, nil
	}
	return nil, errf("SimpleImputer", "unknown strategy %q (want mean, median, most_frequent or constant)", e.Strategy)
}

// TransformBlock implements BlockTransformer.
func (m *ImputerModel) TransformBlock(x *array.Dense) (*array.Dense, error) {
	p := len(m.Statistics)
	if err := blockCols("SimpleImputer", x, p); err != nil {
		return nil, err
	}
	out := append([]float64(nil), x.Data...)
	for i, v := range out {
		if math.IsNaN(v) {
			out[i] = m.Statistics[i%p]
		}
	}
	return dense2(out, x.Shape[0], p), nil
}

// Transform returns the lazy X with NaN replaced.
func (m *ImputerModel) Transform(X *array.Array) *array.Array {
	if m == nil || m.Statistics == nil {
		return noModel("SimpleImputer", "Transform")
	}
	return mapRows("SimpleImputer", m, X, rowTransform, len(m.Statistics))
}

// TrainTestSplit splits X and y by rows, lazily and blockwise: without
// Shuffle the last TestSize fraction (default 0.25) of the rows is the test
// set (scikit-learn's shuffle=False); with Shuffle every row is a test row
// with probability TestSize from a hash of (Seed, row), so the split does
// not depend on the chunking. Chunk sizes stay known (counted when the
// split is built, no pass over the data).
func TrainTestSplit(X, y *array.Array, testSize float64, shuffle bool, seed uint64) (xTrain, xTest, yTrain, yTest *array.Array, err error) {
	x, yy, err := checkXY("TrainTestSplit", X, y)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if testSize == 0 {
		testSize = 0.25
	}
	if testSize <= 0 || testSize >= 1 {
		return nil, nil, nil, nil, errf("TrainTestSplit", "TestSize = %v: want 0 < TestSize < 1", testSize)
	}
	n := x.Shape()[0]
	if !shuffle {
		k := n - int(math.Ceil(testSize*float64(n)))
		return x.Index(fmt.Sprintf(":%d, :", k)), x.Index(fmt.Sprintf("%d:, :", k)),
			yy.Index(fmt.Sprintf(":%d", k)), yy.Index(fmt.Sprintf("%d:", k)), nil
	}
	f := foldSpec{Seed: splitmix(seed), Frac: testSize}
	mask := make([]bool, n)
	for r := range mask {
		mask[r] = f.test(r)
	}
	not := make([]bool, n)
	for i, v := range mask {
		not[i] = !v
	}
	return x.Compress(0, not), x.Compress(0, mask), yy.Compress(0, not), yy.Compress(0, mask), nil
}

// MiniBatchKMeans is scikit-learn's MiniBatchKMeans update: every
// PartialFit block moves each centre towards the mean of its rows in the
// block with a per-centre learning rate 1/count. The first block
// initialises the centres by k-means++ on it. Fit is Incremental over the
// blocks of X for MaxIter epochs (default 1).
type MiniBatchKMeans struct {
	NClusters int // default 8
	MaxIter   int
	Seed      uint64
}

// MiniBatchKMeansModel is a fitted MiniBatchKMeans; Counts are the rows
// each centre has absorbed.
type MiniBatchKMeansModel struct {
	KMeansModel
	Counts []float64
	Blocks int
}

// ModelName implements Model.
func (*MiniBatchKMeansModel) ModelName() string { return "MiniBatchKMeansModel" }

// Fit runs PartialFit over the row blocks of X (y is ignored).
func (e MiniBatchKMeans) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*MiniBatchKMeansModel, error) {
	x, err := checkX("MiniBatchKMeans", X)
	if err != nil {
		return nil, err
	}
	if y == nil {
		y = array.Zeros([]int{x.Shape()[0]}, array.Explicit{x.Chunks()[0]})
	}
	m, err := Incremental{Estimator: e, Epochs: max(1, e.MaxIter), Seed: e.Seed}.Fit(ctx, x, y, opts...)
	if err != nil {
		return nil, err
	}
	return m.(*MiniBatchKMeansModel), nil
}

// FitModel implements Estimator.
func (e MiniBatchKMeans) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

// PartialFit implements PartialFitter (y and classes are ignored).
func (e MiniBatchKMeans) PartialFit(prev Model, x, _ *array.Dense, _ []float64) (Model, error) {
	k := e.NClusters
	if k == 0 {
		k = 8
	}
	if len(x.Shape) != 2 {
		return nil, errf("MiniBatchKMeans", "block of shape %v: want 2-D", x.Shape)
	}
	if err := checkFinite(x, nil); err != nil {
		return nil, fmt.Errorf("ml: MiniBatchKMeans: %w", err)
	}
	n, p := x.Shape[0], x.Shape[1]
	var m *MiniBatchKMeansModel
	if prev == nil {
		if n < k {
			return nil, errf("MiniBatchKMeans", "NClusters = %d is larger than the %d rows of the first block", k, n)
		}
		w := make([]float64, n)
		for i := range w {
			w[i] = 1
		}
		c := weightedKMeans(append([]float64(nil), x.Data...), w, k, p, e.Seed)
		m = &MiniBatchKMeansModel{Counts: make([]float64, k)}
		for i := range k {
			m.ClusterCenters = append(m.ClusterCenters, c[i*p:(i+1)*p])
		}
	} else {
		pm, ok := prev.(*MiniBatchKMeansModel)
		if !ok {
			return nil, errf("MiniBatchKMeans", "PartialFit on a %T", prev)
		}
		c := *pm
		c.ClusterCenters = nil
		for _, r := range pm.ClusterCenters {
			c.ClusterCenters = append(c.ClusterCenters, append([]float64(nil), r...))
		}
		c.Counts = append([]float64(nil), pm.Counts...)
		m = &c
	}
	if err := blockCols("MiniBatchKMeans", x, len(m.ClusterCenters[0])); err != nil {
		return nil, err
	}
	flat, _, _ := m.flat()
	sums := make([]float64, k*p)
	cnt := make([]float64, k)
	inertia := newCenterSet(flat, k, p).assigner().lloydSums(x.Data, n, sums, cnt)
	for c := range k {
		if cnt[c] == 0 {
			continue
		}
		m.Counts[c] += cnt[c]
		lr := cnt[c] / m.Counts[c]
		for j := range p {
			m.ClusterCenters[c][j] = (1-lr)*m.ClusterCenters[c][j] + lr*sums[c*p+j]/cnt[c]
		}
	}
	m.Inertia = inertia
	m.Blocks++
	m.NIter++
	return m, nil
}
