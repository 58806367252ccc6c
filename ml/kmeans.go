package ml

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
)

// KMeans is Lloyd's k-means with scalable k-means++ (k-means||, Bahmani et
// al. 2012) initialisation, as dask-ml's:
//
//   - InitRounds (default 5) rounds each draw l = OversamplingFactor·k
//     (default 2k) candidate rows with probability ∝ D², the squared distance
//     to the candidates so far. Each round is one blockwise pass: every block
//     keeps its l rows of largest key log(u)/D² (weighted reservoir sampling,
//     Efraimidis–Spirakis) and the tree merge keeps the global l largest, so
//     exactly l rows are drawn per round instead of l in expectation.
//   - One more pass counts the rows nearest each candidate; the candidates,
//     weighted by those counts, are reclustered into k centres in memory by
//     k-means++ and weighted Lloyd iterations, as the paper says.
//   - Lloyd iterations: each is one pass of per-block cluster sums, counts
//     and inertia merged by a tree, until the centres move less than Tol
//     times the mean feature variance (scikit-learn's rule) or MaxIter.
//
// Init "k-means++" runs k-means++ on the full data instead (k passes) and
// "random" picks k distinct rows. An empty cluster keeps its centre.
type KMeans struct {
	NClusters          int     // default 8
	Init               string  // "k-means||" (default), "k-means++", "random"
	MaxIter            int     // default 300
	Tol                float64 // default 1e-4
	Seed               uint64
	OversamplingFactor float64 // default 2
	InitRounds         int     // default 5
}

// KMeansModel is a fitted KMeans. Inertia is the sum of squared distances
// of the rows to their nearest centre, from the last pass.
type KMeansModel struct {
	ClusterCenters [][]float64
	Inertia        float64
	NIter          int
	Converged      bool
}

func init() {
	RegisterModel(&KMeansModel{})
	registerPass("ml.km.sample", &passKernel{block: kmSampleBlock, merge: kmSampleMerge})
	registerPass("ml.km.count", &passKernel{block: kmCountBlock})
	registerPass("ml.km.lloyd", &passKernel{block: kmLloydBlock})
}

// ModelName implements Model.
func (*KMeansModel) ModelName() string { return "KMeansModel" }

func (KMeans) estName() string  { return "KMeans" }
func (KMeans) supervised() bool { return false }

func (e KMeans) defaults() KMeans {
	if e.NClusters == 0 {
		e.NClusters = 8
	}
	if e.Init == "" {
		e.Init = "k-means||"
	}
	if e.MaxIter == 0 {
		e.MaxIter = 300
	}
	if e.Tol == 0 {
		e.Tol = 1e-4
	}
	if e.OversamplingFactor == 0 {
		e.OversamplingFactor = 2
	}
	if e.InitRounds == 0 {
		e.InitRounds = 5
	}
	return e
}

// Fit clusters the rows of X (y is ignored and may be nil).
func (e KMeans) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*KMeansModel, error) {
	m, err := fitArrays(ctx, e, X, nil, opts)
	if err != nil {
		return nil, err
	}
	return m.(*KMeansModel), nil
}

// FitModel implements Estimator.
func (e KMeans) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e KMeans) fitRows(ctx context.Context, r rows) (Model, error) {
	e = e.defaults()
	n, p := r.dims()
	k := e.NClusters
	switch {
	case k < 1:
		return nil, errf("KMeans", "NClusters = %d: want at least 1", k)
	case k > n:
		return nil, errf("KMeans", "NClusters = %d is larger than the %d rows of X", k, n)
	case e.Init != "k-means||" && e.Init != "k-means++" && e.Init != "random":
		return nil, errf("KMeans", "unknown Init %q (want k-means||, k-means++ or random)", e.Init)
	case e.MaxIter < 0 || e.Tol < 0 || e.OversamplingFactor < 0 || e.InitRounds < 0:
		return nil, errf("KMeans", "negative MaxIter, Tol, OversamplingFactor or InitRounds")
	}
	// The tolerance is relative to the mean feature variance (one pass, which
	// also checks X for NaN).
	_, _, v, err := moments(ctx, r)
	if err != nil {
		return nil, err
	}
	var mv float64
	for _, x := range v {
		mv += x
	}
	tol := e.Tol * mv / float64(p)
	var centers []float64
	switch e.Init {
	case "random":
		centers, err = kmSample(ctx, r, nil, k, e.Seed, 0, true)
	case "k-means++":
		centers, err = kmSample(ctx, r, nil, 1, e.Seed, 0, true)
		for c := 1; c < k && err == nil; c++ {
			var s []float64
			s, err = kmSample(ctx, r, centers, 1, e.Seed, c, false)
			centers = append(centers, s...)
		}
	default:
		if lr, ok := r.(*lazyRows); ok {
			centers, err = e.kmeansParallelLazy(ctx, lr, k, p)
		} else {
			centers, err = e.kmeansParallel(ctx, r, k, p)
		}
	}
	if err != nil {
		return nil, err
	}
	m := &KMeansModel{}
	for it := 1; it <= e.MaxIter; it++ {
		out, err := r.pass(ctx, "ml.km.lloyd", appendFloats(appendInt(nil, k), centers), k*p+k+1, false)
		if err != nil {
			return nil, err
		}
		sums, counts := out[:k*p], out[k*p:k*p+k]
		m.Inertia = out[k*p+k]
		var shift float64
		for c := range k {
			if counts[c] == 0 {
				continue
			}
			for j := range p {
				nv := sums[c*p+j] / counts[c]
				d := nv - centers[c*p+j]
				shift += d * d
				centers[c*p+j] = nv
			}
		}
		m.NIter = it
		if shift <= tol {
			m.Converged = true
			break
		}
	}
	for c := range k {
		m.ClusterCenters = append(m.ClusterCenters, append([]float64(nil), centers[c*p:(c+1)*p]...))
	}
	return m, nil
}

// kmSample draws l rows with probability ∝ D² to centers (uniformly when
// uniform), one pass; round makes the draws of different rounds
// independent.
func kmSample(ctx context.Context, r rows, centers []float64, l int, seed uint64, round int, uniform bool) ([]float64, error) {
	_, p := r.dims()
	b := appendInt(nil, l)
	b = appendInt(b, boolInt(uniform))
	b = binary.LittleEndian.AppendUint64(b, seed)
	b = appendInt(b, round)
	b = appendFloats(b, centers)
	out, err := r.pass(ctx, "ml.km.sample", b, l*(p+1), false)
	if err != nil {
		return nil, err
	}
	var rowsOut []float64
	for i := range l {
		if math.IsInf(out[i*(p+1)], -1) {
			continue
		}
		rowsOut = append(rowsOut, out[i*(p+1)+1:(i+1)*(p+1)]...)
	}
	return rowsOut, nil
}

func (e KMeans) kmeansParallel(ctx context.Context, r rows, k, p int) ([]float64, error) {
	cand, err := kmSample(ctx, r, nil, 1, e.Seed, 0, true)
	if err != nil {
		return nil, err
	}
	l := max(1, int(math.Ceil(e.OversamplingFactor*float64(k))))
	for round := 1; round <= e.InitRounds; round++ {
		s, err := kmSample(ctx, r, cand, l, e.Seed, round, false)
		if err != nil {
			return nil, err
		}
		cand = append(cand, s...)
	}
	m := len(cand) / p
	if m <= k {
		// too few distinct candidates (tiny or degenerate data): top up uniformly
		s, err := kmSample(ctx, r, nil, k, e.Seed, e.InitRounds+1, true)
		if err != nil {
			return nil, err
		}
		cand = append(cand, s...)
		m = len(cand) / p
	}
	w, err := r.pass(ctx, "ml.km.count", appendFloats(appendInt(nil, m), cand), m, false)
	if err != nil {
		return nil, err
	}
	return weightedKMeans(cand, w, k, p, e.Seed), nil
}

// weightedKMeans reclusters m weighted points into k centres in memory:
// k-means++ (greedy, 2+log k trials per centre, as scikit-learn) then
// weighted Lloyd.
func weightedKMeans(pts, w []float64, k, p int, seed uint64) []float64 {
	m := len(w)
	rng := rand.New(rand.NewPCG(seed, 0x6b6d))
	d2 := func(a, b []float64) float64 {
		var s float64
		for j := range a {
			d := a[j] - b[j]
			s += d * d
		}
		return s
	}
	pt := func(i int) []float64 { return pts[i*p : (i+1)*p] }
	pick := func(weights []float64) int {
		var tot float64
		for _, v := range weights {
			tot += v
		}
		u := rng.Float64() * tot
		for i, v := range weights {
			u -= v
			if u <= 0 && v > 0 {
				return i
			}
		}
		for i := len(weights) - 1; i >= 0; i-- {
			if weights[i] > 0 {
				return i
			}
		}
		return 0
	}
	centers := append([]float64(nil), pt(pick(w))...)
	closest := make([]float64, m)
	for i := range m {
		closest[i] = d2(pt(i), centers)
	}
	trials := 2 + int(math.Log(float64(k)))
	for len(centers)/p < k {
		pot := make([]float64, m)
		for i := range m {
			pot[i] = w[i] * closest[i]
		}
		best, bestCost := -1, math.Inf(1)
		var bestClosest []float64
		for range trials {
			c := pick(pot)
			nc := make([]float64, m)
			var cost float64
			for i := range m {
				nc[i] = min(closest[i], d2(pt(i), pt(c)))
				cost += w[i] * nc[i]
			}
			if cost < bestCost {
				best, bestCost, bestClosest = c, cost, nc
			}
		}
		centers = append(centers, pt(best)...)
		closest = bestClosest
	}
	for range 300 {
		sums := make([]float64, k*p)
		cnt := make([]float64, k)
		for i := range m {
			b, _ := nearest(pt(i), centers, k, p)
			for j, v := range pt(i) {
				sums[b*p+j] += w[i] * v
			}
			cnt[b] += w[i]
		}
		var shift float64
		for c := range k {
			if cnt[c] == 0 {
				continue
			}
			for j := range p {
				nv := sums[c*p+j] / cnt[c]
				shift += (nv - centers[c*p+j]) * (nv - centers[c*p+j])
				centers[c*p+j] = nv
			}
		}
		if shift == 0 {
			break
		}
	}
	return centers
}

// nearest returns the index of the centre nearest row and the squared
// distance.
func nearest(row, centers []float64, k, p int) (int, float64) {
	best, bd := 0, math.Inf(1)
	for c := range k {
		ce := centers[c*p : (c+1)*p : (c+1)*p]
		var s float64
		for j, v := range row[:p] {
			d := v - ce[j]
			s += d * d
		}
		if s < bd {
			best, bd = c, s
		}
	}
	return best, bd
}

func kmLloydBlock(params []byte, _ int, x, _ *array.Dense) ([]float64, error) {
	r := newPReader(params)
	k := r.int()
	centers := r.floats()
	if r.err {
		return nil, fmt.Errorf("bad k-means parameters")
	}
	n, p := x.Shape[0], x.Shape[1]
	out := make([]float64, k*p+k+1)
	sums, counts := out[:k*p], out[k*p:k*p+k]
	if len(centers) != k*p {
		return nil, fmt.Errorf("bad k-means parameters: %d centre values for %d×%d", len(centers), k, p)
	}
	out[k*p+k] = newCenterSet(centers, k, p).assigner().lloydSums(x.Data, n, sums, counts)
	return out, nil
}

func kmCountBlock(params []byte, _ int, x, _ *array.Dense) ([]float64, error) {
	r := newPReader(params)
	m := r.int()
	cand := r.floats()
	if r.err {
		return nil, fmt.Errorf("bad k-means parameters")
	}
	n, p := x.Shape[0], x.Shape[1]
	if len(cand) != m*p {
		return nil, fmt.Errorf("bad k-means parameters: %d candidate values for %d×%d", len(cand), m, p)
	}
	out := make([]float64, m)
	a := newCenterSet(cand, m, p).assigner()
	a.each(x.Data, n, func(_, t int) {
		for _, b := range a.lab[:t] {
			out[b]++
		}
	})
	return out, nil
}

func splitmix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// kmSampleBlock keeps the l rows of largest key log(u)/w (w = D², or 1
// for uniform draws): [key, row...] × l, key -Inf for an empty slot.
func kmSampleBlock(params []byte, blk int, x, _ *array.Dense) ([]float64, error) {
	r := newPReader(params)
	l := r.int()
	uniform := r.int() == 1
	if len(r.b) < 8 {
		return nil, fmt.Errorf("bad k-means sampling parameters")
	}
	seed := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	round := r.int()
	cand := r.floats()
	if r.err {
		return nil, fmt.Errorf("bad k-means sampling parameters")
	}
	n, p := x.Shape[0], x.Shape[1]
	m := len(cand) / p
	type item struct {
		key float64
		i   int
	}
	top := make([]item, 0, l+1)
	h := splitmix(splitmix(seed^uint64(round)<<40) ^ uint64(blk))
	offer := func(i int, w float64) {
		h = splitmix(h)
		u := (float64(h>>11) + 0.5) / (1 << 53)
		key := math.Log(u) / w
		if len(top) == l && key <= top[l-1].key {
			return
		}
		j := sort.Search(len(top), func(j int) bool { return top[j].key < key })
		top = append(top, item{})
		copy(top[j+1:], top[j:])
		top[j] = item{key, i}
		if len(top) > l {
			top = top[:l]
		}
	}
	if uniform {
		for i := range n {
			offer(i, 1)
		}
	} else {
		a := newCenterSet(cand, m, p).assigner()
		a.each(x.Data, n, func(i0, t int) {
			for i, w := range a.d[:t] {
				if w != 0 {
					offer(i0+i, w)
				}
			}
		})
	}
	out := make([]float64, l*(p+1))
	for s := range l {
		if s >= len(top) {
			out[s*(p+1)] = math.Inf(-1)
			continue
		}
		out[s*(p+1)] = top[s].key
		copy(out[s*(p+1)+1:], x.Data[top[s].i*p:(top[s].i+1)*p])
	}
	return out, nil
}

func kmSampleMerge(params []byte, a, b []float64) {
	l := newPReader(params).int()
	p := len(a)/l - 1
	all := make([][]float64, 0, 2*l)
	for s := range l {
		all = append(all, append([]float64(nil), a[s*(p+1):(s+1)*(p+1)]...), b[s*(p+1):(s+1)*(p+1)])
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i][0] > all[j][0] })
	for s := range l {
		copy(a[s*(p+1):], all[s])
	}
}

func (m *KMeansModel) ok() bool { return m != nil && len(m.ClusterCenters) > 0 }

func (m *KMeansModel) flat() ([]float64, int, int) {
	k, p := len(m.ClusterCenters), len(m.ClusterCenters[0])
	c := make([]float64, 0, k*p)
	for _, r := range m.ClusterCenters {
		c = append(c, r...)
	}
	return c, k, p
}

// PredictBlock implements BlockPredictor: the index of the nearest centre.
func (m *KMeansModel) PredictBlock(x *array.Dense) (*array.Dense, error) {
	c, k, p := m.flat()
	if err := blockCols("KMeans", x, p); err != nil {
		return nil, err
	}
	n := x.Shape[0]
	out := make([]float64, n)
	a := newCenterSet(c, k, p).assigner()
	a.each(x.Data, n, func(i0, t int) {
		for i, b := range a.lab[:t] {
			out[i0+i] = float64(b)
		}
	})
	return dense1(out), nil
}

// TransformBlock implements BlockTransformer: distances to every centre.
func (m *KMeansModel) TransformBlock(x *array.Dense) (*array.Dense, error) {
	c, k, p := m.flat()
	if err := blockCols("KMeans", x, p); err != nil {
		return nil, err
	}
	n := x.Shape[0]
	out := make([]float64, n*k)
	for i := range n {
		row := x.Data[i*p : (i+1)*p]
		for cc := range k {
			var s float64
			for j, v := range row {
				d := v - c[cc*p+j]
				s += d * d
			}
			out[i*k+cc] = math.Sqrt(s)
		}
	}
	return dense2(out, n, k), nil
}

// Predict returns the lazy cluster index of every row of X.
func (m *KMeansModel) Predict(X *array.Array) *array.Array {
	if !m.ok() {
		return noModel("KMeans", "Predict")
	}
	return mapRows("KMeans", m, X, rowPredict, 0)
}

// Transform returns the lazy distances of every row to every centre.
func (m *KMeansModel) Transform(X *array.Array) *array.Array {
	if !m.ok() {
		return noModel("KMeans", "Transform")
	}
	return mapRows("KMeans", m, X, rowTransform, len(m.ClusterCenters))
}

// Score returns minus the inertia of X under the centres (y is ignored).
func (m *KMeansModel) Score(ctx context.Context, X, y *array.Array, opts ...sched.Option) (float64, error) {
	if !m.ok() {
		return 0, errf("KMeans", "Score before Fit")
	}
	x, err := checkX("KMeans", X)
	if err != nil {
		return 0, err
	}
	c, k, p := m.flat()
	if x.Shape()[1] != p {
		return 0, errf("KMeans", "X has %d features, the model %d", x.Shape()[1], p)
	}
	out, err := (&lazyRows{x: x, opts: opts}).pass(ctx, "ml.km.lloyd", appendFloats(appendInt(nil, k), c), k*p+k+1, true)
	if err != nil {
		return 0, fmt.Errorf("ml: KMeans: Score: %w", err)
	}
	return -out[k*p+k], nil
}

// centerSet holds centres with their squared norms, for nearest-centre
// search by d² = ‖x‖² - 2x·c + ‖c‖² (the blocked pass of kmeans_dist.go).
type centerSet struct {
	c    []float64
	norm []float64
	k, p int
}

func newCenterSet(c []float64, k, p int) *centerSet {
	cs := &centerSet{c: c, k: k, p: p, norm: make([]float64, k)}
	for i := range k {
		var s float64
		for _, v := range c[i*p : (i+1)*p] {
			s += v * v
		}
		cs.norm[i] = s
	}
	return cs
}

// For lazy data, the k-means|| rounds keep each row's squared distance to
// the nearest candidate so far and that candidate's index in a persisted
// (rows × 2) state array, so a round computes distances to its l new
// candidates only, and the weights come from the state without a distance
// pass.
func init() {
	array.RegisterKernelFunc("ml.km.state", kmStateKernel)
	registerPass("ml.km.sample_state", &passKernel{block: kmSampleStateBlock, merge: kmSampleMerge})
	registerPass("ml.km.count_state", &passKernel{block: func(params []byte, _ int, _, st *array.Dense) ([]float64, error) {
		m := newPReader(params).int()
		out := make([]float64, m)
		for i := 0; i < len(st.Data); i += 2 {
			out[int(st.Data[i+1])]++
		}
		return out, nil
	}})
}

// kmStateKernel updates (or, with no state input, starts) the state of a
// block with the candidates cand, numbered from first.
func kmStateKernel(params []byte, in []*array.Dense) (*array.Dense, error) {
	r := newPReader(params)
	first := r.int()
	cand := r.floats()
	if r.err {
		return nil, fmt.Errorf("bad k-means state parameters")
	}
	x := in[0]
	n, p := x.Shape[0], x.Shape[1]
	out := make([]float64, 2*n)
	if len(in) > 1 {
		copy(out, in[1].Data)
	} else {
		for i := range n {
			out[2*i] = math.Inf(1)
		}
	}
	a := newCenterSet(cand, len(cand)/p, p).assigner()
	a.each(x.Data, n, func(i0, t int) {
		for i, b := range a.lab[:t] {
			if d := a.d[i]; d < out[2*(i0+i)] {
				out[2*(i0+i)], out[2*(i0+i)+1] = d, float64(first+int(b))
			}
		}
	})
	return dense2(out, n, 2), nil
}

func kmSampleStateBlock(params []byte, blk int, x, st *array.Dense) ([]float64, error) {
	r := newPReader(params)
	l := r.int()
	seed := uint64(r.int())
	round := r.int()
	if r.err {
		return nil, fmt.Errorf("bad k-means sampling parameters")
	}
	n, p := x.Shape[0], x.Shape[1]
	keys := make([]float64, 0, l+1)
	rowsOf := make([]int, 0, l+1)
	h := splitmix(splitmix(seed^uint64(round)<<40) ^ uint64(blk))
	for i := range n {
		w := st.Data[2*i]
		if w == 0 {
			continue
		}
		h = splitmix(h)
		u := (float64(h>>11) + 0.5) / (1 << 53)
		key := math.Log(u) / w
		if len(keys) == l && key <= keys[l-1] {
			continue
		}
		j := sort.Search(len(keys), func(j int) bool { return keys[j] < key })
		keys = append(keys, 0)
		rowsOf = append(rowsOf, 0)
		copy(keys[j+1:], keys[j:])
		copy(rowsOf[j+1:], rowsOf[j:])
		keys[j], rowsOf[j] = key, i
		if len(keys) > l {
			keys, rowsOf = keys[:l], rowsOf[:l]
		}
	}
	out := make([]float64, l*(p+1))
	for s := range l {
		if s >= len(keys) {
			out[s*(p+1)] = math.Inf(-1)
			continue
		}
		out[s*(p+1)] = keys[s]
		copy(out[s*(p+1)+1:], x.Data[rowsOf[s]*p:(rowsOf[s]+1)*p])
	}
	return out, nil
}

func kmState(x, prev *array.Array, first int, cand []float64) *array.Array {
	ins := []*array.Array{x}
	if prev != nil {
		ins = append(ins, prev)
	}
	p := appendFloats(appendInt(nil, first), cand)
	rc := x.Chunks()[0]
	return array.Blockwise("ml.km.state", array.Float64, []int{x.Shape()[0], 2}, array.Explicit{rc, {2}}, ins,
		func(idx []int) []array.BlockRef {
			refs := []array.BlockRef{{Input: 0, Index: []int{idx[0], 0}}}
			if prev != nil {
				refs = append(refs, array.BlockRef{Input: 1, Index: []int{idx[0], 0}})
			}
			return refs
		}, func([]int) []byte { return p })
}

// kmeansParallelLazy is k-means|| over lazy rows with the persisted state.
func (e KMeans) kmeansParallelLazy(ctx context.Context, r *lazyRows, k, p int) ([]float64, error) {
	cand, err := kmSample(ctx, r, nil, 1, e.Seed, 0, true)
	if err != nil {
		return nil, err
	}
	st, err := kmState(r.x, nil, 0, cand).Persist(ctx, r.opts...)
	if err != nil {
		return nil, err
	}
	l := max(1, int(math.Ceil(e.OversamplingFactor*float64(k))))
	sr := &lazyRows{x: r.x, y: st, opts: r.opts}
	for round := 1; round <= e.InitRounds; round++ {
		b := appendInt(appendInt(appendInt(nil, l), int(e.Seed)), round)
		out, err := sr.pass(ctx, "ml.km.sample_state", b, l*(p+1), false)
		if err != nil {
			return nil, err
		}
		var s []float64
		for i := range l {
			if !math.IsInf(out[i*(p+1)], -1) {
				s = append(s, out[i*(p+1)+1:(i+1)*(p+1)]...)
			}
		}
		if len(s) == 0 {
			break
		}
		first := len(cand) / p
		cand = append(cand, s...)
		if st, err = kmState(r.x, st, first, s).Persist(ctx, r.opts...); err != nil {
			return nil, err
		}
		sr.y = st
	}
	m := len(cand) / p
	if m <= k {
		return e.kmeansParallel(ctx, r, k, p)
	}
	w, err := sr.pass(ctx, "ml.km.count_state", appendInt(nil, m), m, false)
	if err != nil {
		return nil, err
	}
	return weightedKMeans(cand, w, k, p, e.Seed), nil
}
