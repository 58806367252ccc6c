package ml

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/godask/godask/array"
	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Trees are CART on histogram splits: each feature is cut at up to
// MaxBins-1 thresholds, the quantiles of a uniform sample of rows (one
// pass, weighted-reservoir sampling merged by a tree); one task per row
// block bins its rows (one byte per value); every tree is one task over the
// binned blocks and y that draws its own bootstrap (seeded by Seed and the
// tree's index), grows the tree depth-first on Gini (classification) or
// squared error (regression) and returns it. Thresholds are values of X,
// so prediction runs on raw rows.

// RandomForestClassifier is scikit-learn's RandomForestClassifier with
// histogram splits: NEstimators (default 100) trees, each on a bootstrap
// sample with MaxFeatures features tried per split (default √features),
// PredictProba the mean of the trees' leaf class frequencies.
type RandomForestClassifier struct {
	NEstimators     int
	MaxDepth        int // 0: unlimited
	MaxFeatures     int // 0: √features (classifier), all (regressor)
	MinSamplesSplit int // default 2
	MinSamplesLeaf  int // default 1
	NoBootstrap     bool
	MaxBins         int // default 256
	Seed            uint64
}

// RandomForestRegressor is the regression forest (mean of the trees).
type RandomForestRegressor RandomForestClassifier

// DecisionTreeClassifier is one CART tree on all rows and all features.
type DecisionTreeClassifier struct {
	MaxDepth, MinSamplesSplit, MinSamplesLeaf, MaxBins int
	Seed                                               uint64
}

// DecisionTreeRegressor is one regression tree.
type DecisionTreeRegressor DecisionTreeClassifier

// Tree is one fitted tree: node i splits on Feature[i] at Threshold[i]
// (x <= t goes Left) or is a leaf (Feature -1) with Value[i*K:(i+1)*K]
// (class frequencies, or the mean for regression).
type Tree struct {
	Feature     []int32
	Threshold   []float64
	Left, Right []int32
	Value       []float64
	K           int
}

// ForestModel is a fitted forest or tree.
type ForestModel struct {
	Estimator string
	Classes   []float64 // nil for regression
	Trees     []*Tree
	NFeatures int
}

func init() {
	RegisterModel(&ForestModel{})
	graph.RegisterType[*Tree]()
	registerTaskOp("ml.tree.bin", runBin)
	registerTaskOp("ml.tree.fit", runTree)
	for _, e := range []Estimator{RandomForestClassifier{}, RandomForestRegressor{}, DecisionTreeClassifier{}, DecisionTreeRegressor{}} {
		RegisterEstimator(e)
	}
}

// ModelName implements Model.
func (*ForestModel) ModelName() string { return "ForestModel" }

type treeSpec struct {
	Index, MaxDepth, MinSplit, MinLeaf, MaxFeatures int
	Bootstrap, Regression                           bool
	Seed                                            uint64
	Classes                                         []float64
	Edges                                           [][]float64
}

func (e RandomForestClassifier) config(name string, reg bool) forestConfig {
	c := forestConfig{name: name, reg: reg, trees: e.NEstimators, spec: treeSpec{MaxDepth: e.MaxDepth, MinSplit: e.MinSamplesSplit,
		MinLeaf: e.MinSamplesLeaf, MaxFeatures: e.MaxFeatures, Bootstrap: !e.NoBootstrap, Regression: reg, Seed: e.Seed}, bins: e.MaxBins}
	if c.trees == 0 {
		c.trees = 100
	}
	c.sqrt = !reg && e.MaxFeatures == 0
	return c
}

func (e DecisionTreeClassifier) config(name string, reg bool) forestConfig {
	return forestConfig{name: name, reg: reg, trees: 1, bins: e.MaxBins, spec: treeSpec{MaxDepth: e.MaxDepth, MinSplit: e.MinSamplesSplit,
		MinLeaf: e.MinSamplesLeaf, Regression: reg, Seed: e.Seed}}
}

type forestConfig struct {
	name  string
	reg   bool
	trees int
	bins  int
	sqrt  bool
	spec  treeSpec
}

// Fit grows the forest on X and y, one task per tree.
func (e RandomForestClassifier) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*ForestModel, error) {
	return fitForest(ctx, e.config("RandomForestClassifier", false), X, y, opts)
}

// Fit grows the forest on X and y, one task per tree.
func (e RandomForestRegressor) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*ForestModel, error) {
	return fitForest(ctx, RandomForestClassifier(e).config("RandomForestRegressor", true), X, y, opts)
}

// Fit grows the tree on X and y (one task).
func (e DecisionTreeClassifier) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*ForestModel, error) {
	return fitForest(ctx, e.config("DecisionTreeClassifier", false), X, y, opts)
}

// Fit grows the tree on X and y (one task).
func (e DecisionTreeRegressor) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*ForestModel, error) {
	return fitForest(ctx, DecisionTreeClassifier(e).config("DecisionTreeRegressor", true), X, y, opts)
}

// FitModel implements Estimator.
func (e RandomForestClassifier) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

// FitModel implements Estimator.
func (e RandomForestRegressor) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

// FitModel implements Estimator.
func (e DecisionTreeClassifier) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

// FitModel implements Estimator.
func (e DecisionTreeRegressor) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func fitForest(ctx context.Context, c forestConfig, X, y *array.Array, opts []sched.Option) (*ForestModel, error) {
	x, yy, err := checkXY(c.name, X, y)
	if err != nil {
		return nil, err
	}
	n, p := x.Shape()[0], x.Shape()[1]
	s := c.spec
	if s.MinSplit == 0 {
		s.MinSplit = 2
	}
	if s.MinLeaf == 0 {
		s.MinLeaf = 1
	}
	if c.bins == 0 {
		c.bins = 256
	}
	switch {
	case c.trees < 1:
		return nil, errf(c.name, "NEstimators = %d: want at least 1", c.trees)
	case c.bins < 2 || c.bins > 256:
		return nil, errf(c.name, "MaxBins = %d: want 2..256", c.bins)
	case s.MaxDepth < 0 || s.MinSplit < 2 || s.MinLeaf < 1 || s.MaxFeatures < 0 || s.MaxFeatures > p:
		return nil, errf(c.name, "MaxDepth %d, MinSamplesSplit %d, MinSamplesLeaf %d, MaxFeatures %d (of %d features): out of range",
			s.MaxDepth, s.MinSplit, s.MinLeaf, s.MaxFeatures, p)
	}
	if s.MaxFeatures == 0 {
		s.MaxFeatures = p
		if c.sqrt {
			s.MaxFeatures = max(1, int(math.Sqrt(float64(p))))
		}
	}
	r := &lazyRows{x: x, y: yy, opts: opts}
	if !c.reg {
		if s.Classes, err = classesOf(ctx, c.name, r); err != nil {
			return nil, fmt.Errorf("ml: %s: fit: %w", c.name, err)
		}
	}
	// thresholds from a uniform sample of rows
	sample, err := kmSample(ctx, r, nil, min(n, 20*c.bins), s.Seed, 0, true)
	if err != nil {
		return nil, fmt.Errorf("ml: %s: fit: %w", c.name, err)
	}
	s.Edges = binEdges(sample, p, c.bins)
	g := graph.New()
	for _, a := range []*array.Array{x, yy} {
		ag, err := a.Graph()
		if err != nil {
			return nil, err
		}
		g.Merge(ag)
	}
	edges := gobBytes(s.Edges)
	var bins []graph.Key
	for _, k := range x.Keys() {
		t, err := graph.NewTask(&taskOp{name: "ml.tree.bin", p: edges}, k)
		if err != nil {
			return nil, err
		}
		g.Add(t)
		bins = append(bins, t.Key)
	}
	deps := append(bins, yy.Keys()...)
	var outs []graph.Key
	for i := range c.trees {
		ts := s
		ts.Index = i
		t, err := graph.NewTask(&taskOp{name: "ml.tree.fit", p: gobBytes(ts)}, deps...)
		if err != nil {
			return nil, err
		}
		g.Add(t)
		outs = append(outs, t.Key)
	}
	vals, err := sched.Run(ctx, g, outs, opts...)
	if err != nil {
		return nil, fmt.Errorf("ml: %s: fit: %w", c.name, err)
	}
	m := &ForestModel{Estimator: c.name, Classes: s.Classes, NFeatures: p}
	for _, v := range vals {
		m.Trees = append(m.Trees, v.(*Tree))
	}
	return m, nil
}

func gobBytes(v any) []byte {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		panic(err) // plain numeric structs always encode
	}
	return buf.Bytes()
}

// binEdges returns up to bins-1 distinct thresholds per feature: quantiles
// of the sampled rows (pts: rows × p).
func binEdges(pts []float64, p, bins int) [][]float64 {
	m := len(pts) / p
	out := make([][]float64, p)
	col := make([]float64, m)
	for j := range p {
		for i := range m {
			col[i] = pts[i*p+j]
		}
		sort.Float64s(col)
		var e []float64
		for b := 1; b < bins; b++ {
			v := col[min(m-1, b*m/bins)]
			if len(e) == 0 || v > e[len(e)-1] {
				e = append(e, v)
			}
		}
		if len(e) > 0 && e[len(e)-1] >= col[m-1] {
			e = e[:len(e)-1] // the last bin must not be empty on the right
		}
		if len(e) == 0 && m > 0 {
			e = []float64{col[0]}
		}
		out[j] = e
	}
	return out
}

// runBin bins one row block (params: gob of the edges) into bytes.
func runBin(_ context.Context, params []byte, in []any) (any, error) {
	var edges [][]float64
	if err := gob.NewDecoder(bytes.NewReader(params)).Decode(&edges); err != nil {
		return nil, err
	}
	x, ok := in[0].(*array.Dense)
	if !ok {
		return nil, fmt.Errorf("ml.tree.bin: input is %T", in[0])
	}
	if err := checkFinite(x, nil); err != nil {
		return nil, err
	}
	p := len(edges)
	out := make([]byte, len(x.Data))
	for i, v := range x.Data {
		out[i] = byte(sort.SearchFloat64s(edges[i%p], v))
	}
	return out, nil
}

// runTree grows one tree (params: gob of its treeSpec) over the binned
// blocks and the y blocks.
func runTree(ctx context.Context, params []byte, in []any) (any, error) {
	var s treeSpec
	if err := gob.NewDecoder(bytes.NewReader(params)).Decode(&s); err != nil {
		return nil, err
	}
	nb := len(in) / 2
	var bins [][]byte
	var ys []*array.Dense
	for b := range nb {
		bb, ok1 := in[b].([]byte)
		yb, ok2 := in[nb+b].(*array.Dense)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("ml.tree.fit: inputs %T, %T", in[b], in[nb+b])
		}
		bins, ys = append(bins, bb), append(ys, yb)
	}
	return growTree(ctx, &s, bins, ys)
}

func growTree(ctx context.Context, s *treeSpec, bins [][]byte, ys []*array.Dense) (*Tree, error) {
	p := len(s.Edges)
	n := 0
	for _, y := range ys {
		n += len(y.Data)
	}
	rng := rand.New(rand.NewPCG(s.Seed, uint64(s.Index)*0x9e3779b97f4a7c15+1))
	w := make([]float64, n)
	if s.Bootstrap {
		for range n {
			w[rng.IntN(n)]++
		}
	} else {
		for i := range w {
			w[i] = 1
		}
	}
	// gather the drawn rows: binned features, label (index or value), weight
	var xb []byte
	var lab []float64
	var wt []float64
	row := 0
	k := len(s.Classes)
	for b, y := range ys {
		for i, v := range y.Data {
			if w[row] > 0 {
				xb = append(xb, bins[b][i*p:(i+1)*p]...)
				if s.Regression {
					lab = append(lab, v)
				} else {
					c := classIndex(s.Classes, v)
					if c < 0 {
						return nil, fmt.Errorf("label %v is not one of the classes", v)
					}
					lab = append(lab, float64(c))
				}
				wt = append(wt, w[row])
			}
			row++
		}
	}
	if s.Regression {
		k = 1
	}
	tb := &treeBuilder{s: s, p: p, k: k, xb: xb, lab: lab, wt: wt, rng: rng, t: &Tree{K: k}}
	idx := make([]int32, len(wt))
	for i := range idx {
		idx[i] = int32(i)
	}
	feats := make([]int, p)
	for i := range feats {
		feats[i] = i
	}
	tb.feats = feats
	tb.build(ctx, idx, 0)
	return tb.t, ctx.Err()
}

type treeBuilder struct {
	s     *treeSpec
	p, k  int
	xb    []byte
	lab   []float64
	wt    []float64
	rng   *rand.Rand
	t     *Tree
	feats []int
	hist  []float64
	tot   []float64
}

func (tb *treeBuilder) leafValue(idx []int32) []float64 {
	v := make([]float64, tb.k)
	var tot float64
	for _, i := range idx {
		w := tb.wt[i]
		if tb.s.Regression {
			v[0] += w * tb.lab[i]
		} else {
			v[int(tb.lab[i])] += w
		}
		tot += w
	}
	for c := range v {
		v[c] /= tot
	}
	return v
}

func (tb *treeBuilder) newNode(val []float64) int32 {
	t := tb.t
	t.Feature = append(t.Feature, -1)
	t.Threshold = append(t.Threshold, 0)
	t.Left = append(t.Left, -1)
	t.Right = append(t.Right, -1)
	t.Value = append(t.Value, val...)
	return int32(len(t.Feature) - 1)
}

// build grows the subtree of the rows idx and returns its node.
func (tb *treeBuilder) build(ctx context.Context, idx []int32, depth int) int32 {
	val := tb.leafValue(idx)
	node := tb.newNode(val)
	if ctx.Err() != nil || len(idx) < tb.s.MinSplit || (tb.s.MaxDepth > 0 && depth >= tb.s.MaxDepth) || tb.pure(idx) {
		return node
	}
	f, b, ok := tb.bestSplit(idx)
	if !ok {
		return node
	}
	// partition idx: bin <= b first
	lo, hi := 0, len(idx)-1
	for lo <= hi {
		if int(tb.xb[int(idx[lo])*tb.p+f]) <= b {
			lo++
		} else {
			idx[lo], idx[hi] = idx[hi], idx[lo]
			hi--
		}
	}
	tb.t.Feature[node] = int32(f)
	tb.t.Threshold[node] = tb.s.Edges[f][b]
	l := tb.build(ctx, idx[:lo], depth+1)
	r := tb.build(ctx, idx[lo:], depth+1)
	tb.t.Left[node], tb.t.Right[node] = l, r
	return node
}

func (tb *treeBuilder) pure(idx []int32) bool {
	first := tb.lab[idx[0]]
	for _, i := range idx[1:] {
		if tb.lab[i] != first {
			return false
		}
	}
	return true
}

// bestSplit tries MaxFeatures random features (more if none of them
// splits, as scikit-learn) and returns the feature and bin of the best
// split, by the weighted impurity decrease.
func (tb *treeBuilder) bestSplit(idx []int32) (int, int, bool) {
	p, k := tb.p, tb.k
	nbins := 257
	width := k + 1 // class weights (or Σw·y for regression), count
	if tb.s.Regression {
		width = 3 // Σw, Σw·y, count
	}
	if len(tb.hist) < nbins*width {
		tb.hist = make([]float64, nbins*width)
	}
	bestF, bestB, best := -1, -1, math.Inf(-1)
	// partial Fisher–Yates over the features
	feats := tb.feats
	tried := 0
	for j := 0; j < p; j++ {
		if tried >= tb.s.MaxFeatures && bestF >= 0 {
			break
		}
		r := j + tb.rng.IntN(p-j)
		feats[j], feats[r] = feats[r], feats[j]
		f := feats[j]
		tried++
		nb := len(tb.s.Edges[f]) + 1
		h := tb.hist[:nb*width]
		clear(h)
		for _, i := range idx {
			bb := int(tb.xb[int(i)*p+f])
			o := h[bb*width : bb*width+width]
			w := tb.wt[i]
			if tb.s.Regression {
				o[0] += w
				o[1] += w * tb.lab[i]
			} else {
				o[int(tb.lab[i])] += w
			}
			o[width-1]++
		}
		score, b := tb.scan(h, nb, width, len(idx))
		if b >= 0 && score > best {
			bestF, bestB, best = f, b, score
		}
	}
	return bestF, bestB, bestF >= 0
}

// scan returns the best proxy (Σ_c L_c²/W_L + Σ_c R_c²/W_R for Gini,
// S_L²/W_L + S_R²/W_R for squared error) over the bin boundaries, and the
// bin (-1 when no split beats the parent).
func (tb *treeBuilder) scan(h []float64, nb, width, n int) (float64, int) {
	if cap(tb.tot) < 2*width {
		tb.tot = make([]float64, 2*width)
	}
	tot, left := tb.tot[:width], tb.tot[width:2*width]
	clear(tot)
	clear(left)
	for b := range nb {
		o := h[b*width : b*width+width]
		for c, v := range o {
			tot[c] += v
		}
	}
	best, bestB := 0.0, -1
	minLeaf := float64(tb.s.MinLeaf)
	parent := tb.side(tot, nil)
	for b := 0; b < nb-1; b++ {
		o := h[b*width : b*width+width]
		if o[width-1] == 0 {
			continue // an empty bin: the same split as the boundary before
		}
		for c, v := range o {
			left[c] += v
		}
		nl := left[width-1]
		if nl < minLeaf || float64(n)-nl < minLeaf {
			continue
		}
		v := tb.side(left, nil) + tb.side(tot, left)
		if bestB < 0 || v > best {
			best, bestB = v, b
		}
	}
	if bestB < 0 || best <= parent*(1+1e-12) {
		return best, -1
	}
	return best, bestB
}

// side is Σ_c v_c²/Σ_c v_c over the class weights of a (minus sub, when
// given) for Gini, or S²/W for squared error.
func (tb *treeBuilder) side(a, sub []float64) float64 {
	if tb.s.Regression {
		w, s := a[0], a[1]
		if sub != nil {
			w, s = w-sub[0], s-sub[1]
		}
		if w <= 0 {
			return 0
		}
		return s * s / w
	}
	var w, sq float64
	for c := 0; c < len(a)-1; c++ {
		v := a[c]
		if sub != nil {
			v -= sub[c]
		}
		w += v
		sq += v * v
	}
	if w <= 0 {
		return 0
	}
	return sq / w
}

func (t *Tree) leaf(row []float64) []float64 {
	i := int32(0)
	for t.Feature[i] >= 0 {
		if row[t.Feature[i]] <= t.Threshold[i] {
			i = t.Left[i]
		} else {
			i = t.Right[i]
		}
	}
	return t.Value[int(i)*t.K : int(i+1)*t.K]
}

func (m *ForestModel) ok() bool { return m != nil && len(m.Trees) > 0 }

func (m *ForestModel) mean(x *array.Dense) ([]float64, int, error) {
	if err := blockCols(m.Estimator, x, m.NFeatures); err != nil {
		return nil, 0, err
	}
	n, p, k := x.Shape[0], m.NFeatures, m.Trees[0].K
	out := make([]float64, n*k)
	for i := range n {
		row := x.Data[i*p : (i+1)*p]
		o := out[i*k : (i+1)*k]
		for _, t := range m.Trees {
			for c, v := range t.leaf(row) {
				o[c] += v
			}
		}
		for c := range o {
			o[c] /= float64(len(m.Trees))
		}
	}
	return out, k, nil
}

// PredictProbaBlock implements BlockProbaPredictor (classifiers).
func (m *ForestModel) PredictProbaBlock(x *array.Dense) (*array.Dense, error) {
	if m.Classes == nil {
		return nil, errf(m.Estimator, "a regressor has no probabilities")
	}
	out, k, err := m.mean(x)
	if err != nil {
		return nil, err
	}
	return dense2(out, x.Shape[0], k), nil
}

// PredictBlock implements BlockPredictor.
func (m *ForestModel) PredictBlock(x *array.Dense) (*array.Dense, error) {
	out, k, err := m.mean(x)
	if err != nil {
		return nil, err
	}
	if m.Classes == nil {
		return dense1(out), nil
	}
	return argmaxClasses(dense2(out, x.Shape[0], k), m.Classes), nil
}

// Predict returns the lazy predictions (majority of the averaged
// probabilities, or the mean for regression).
func (m *ForestModel) Predict(X *array.Array) *array.Array {
	if !m.ok() {
		return noModel("ForestModel", "Predict")
	}
	return mapRows(m.Estimator, m, X, rowPredict, 0)
}

// PredictProba returns the lazy mean class probabilities of the trees.
func (m *ForestModel) PredictProba(X *array.Array) *array.Array {
	if !m.ok() {
		return noModel("ForestModel", "PredictProba")
	}
	if m.Classes == nil {
		return noModel(m.Estimator, "PredictProba of a regressor:")
	}
	return mapRows(m.Estimator, m, X, rowProba, len(m.Classes))
}

// Score returns the accuracy (classifier) or R² (regressor).
func (m *ForestModel) Score(ctx context.Context, X, y *array.Array, opts ...sched.Option) (float64, error) {
	if !m.ok() {
		return 0, errf("ForestModel", "Score before Fit")
	}
	if m.Classes == nil {
		return R2Score(ctx, y, m.Predict(X), opts...)
	}
	return AccuracyScore(ctx, y, m.Predict(X), opts...)
}
