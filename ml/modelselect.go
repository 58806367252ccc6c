package ml

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"

	"github.com/godask/godask/array"
	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Model selection runs candidates × folds as tasks of one graph:
//
//	split(fold)                        one task per fold over X's and y's blocks
//	step(params of step 1, split)      a transformer fitted on the fold's train rows,
//	                                   train and test rows transformed
//	...
//	score(params of last step, prev)   the final estimator fitted and scored
//
// Task keys are derived from the op, its parameters (the step's estimator
// with its parameter values) and its inputs' keys, so a pipeline prefix
// with the same parameters on the same fold is one task shared by every
// candidate that has it. Inside a task the fit runs on the fold's blocks in
// memory with the same pass kernels as a lazy fit.

var estimators = map[string]reflect.Type{}

// RegisterEstimator registers an estimator (or PartialFitter) struct
// type, so it can travel in the parameters of model-selection and
// Incremental tasks (gob of its exported fields), also to remote workers.
// The estimators of this package are registered at init.
func RegisterEstimator(e any) {
	t := reflect.TypeOf(e)
	estimators[t.Name()] = t
}

func init() {
	for _, e := range []Estimator{LinearRegression{}, LogisticRegression{}, StandardScaler{}, MinMaxScaler{},
		KMeans{}, PCA{}, SGDClassifier{}, SGDRegressor{}, MiniBatchKMeans{}} {
		RegisterEstimator(e)
	}
	registerTaskOp("ml.cv.split", func(_ context.Context, p []byte, in []any) (any, error) { return runSplit(p, in) })
	registerTaskOp("ml.cv.step", runStep)
	registerTaskOp("ml.cv.score", runScore)
	graph.RegisterType[*foldData]()
}

func encodeEstimator(e any) ([]byte, error) {
	t := reflect.TypeOf(e)
	if estimators[t.Name()] != t {
		return nil, fmt.Errorf("estimator %T is not registered (ml.RegisterEstimator)", e)
	}
	var buf bytes.Buffer
	buf.Write(graph.AppendBytes(nil, []byte(t.Name())))
	v := reflect.New(t)
	v.Elem().Set(reflect.ValueOf(e))
	if err := gob.NewEncoder(&buf).Encode(v.Interface()); err != nil {
		return nil, fmt.Errorf("encode %T: %w", e, err)
	}
	return buf.Bytes(), nil
}

func decodeEstimator(b []byte) (Estimator, error) {
	v, err := decodeRegistered(b)
	if err != nil {
		return nil, err
	}
	e, ok := v.(Estimator)
	if !ok {
		return nil, fmt.Errorf("%T is not an Estimator", v)
	}
	return e, nil
}

// decodeRegistered decodes what encodeEstimator wrote: a value of a
// registered estimator type.
func decodeRegistered(b []byte) (any, error) {
	r := graph.NewReader(b)
	name := string(r.Bytes())
	if r.Err() != nil {
		return nil, r.Err()
	}
	t, ok := estimators[name]
	if !ok {
		return nil, fmt.Errorf("estimator %q is not registered in this binary", name)
	}
	v := reflect.New(t)
	if err := gob.NewDecoder(bytes.NewReader(r.Rest())).Decode(v.Interface()); err != nil {
		return nil, fmt.Errorf("decode estimator %s: %w", name, err)
	}
	return v.Elem().Interface(), nil
}

// setParam returns a copy of e with field set to v (converted to the
// field's type: a float for an int field must be integral).
func setParam(est string, e Estimator, field string, v any) (Estimator, error) {
	rv := reflect.New(reflect.TypeOf(e)).Elem()
	rv.Set(reflect.ValueOf(e))
	if rv.Kind() != reflect.Struct {
		return nil, errf(est, "cannot set %q on %T", field, e)
	}
	f := rv.FieldByName(field)
	if !f.IsValid() || !f.CanSet() {
		return nil, errf(est, "parameter grid names field %q, which %T does not have", field, e)
	}
	val := reflect.ValueOf(v)
	switch {
	case !val.IsValid():
		f.Set(reflect.Zero(f.Type()))
	case val.Type().AssignableTo(f.Type()):
		f.Set(val)
	case f.Kind() >= reflect.Int && f.Kind() <= reflect.Int64 && val.CanFloat():
		x := val.Float()
		if x != math.Trunc(x) {
			return nil, errf(est, "field %s of %T is an integer, the grid gives %v", field, e, v)
		}
		f.SetInt(int64(x))
	case val.Type().ConvertibleTo(f.Type()) && (val.CanFloat() || val.CanInt()) && (f.CanFloat() || f.CanInt()):
		f.Set(val.Convert(f.Type()))
	default:
		return nil, errf(est, "field %s of %T has type %v, the grid gives %T", field, e, f.Type(), v)
	}
	return rv.Interface().(Estimator), nil
}

// withParams applies a candidate's parameters to e (a Pipeline takes
// "step__Field" names).
func withParams(est string, e Estimator, params map[string]any) (Estimator, error) {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if p, ok := e.(Pipeline); ok {
		steps := append([]Step(nil), p.Steps...)
		for _, k := range keys {
			name, field, found := strings.Cut(k, "__")
			if !found {
				return nil, errf(est, "parameter %q: a pipeline's parameters are named step__Field", k)
			}
			i := -1
			for j, s := range steps {
				if s.Name == name {
					i = j
				}
			}
			if i < 0 {
				return nil, errf(est, "parameter %q names step %q, which the pipeline does not have", k, name)
			}
			se, err := setParam(est, steps[i].Estimator, field, params[k])
			if err != nil {
				return nil, err
			}
			steps[i].Estimator = se
		}
		return Pipeline{Steps: steps}, nil
	}
	for _, k := range keys {
		var err error
		if e, err = setParam(est, e, k, params[k]); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// Splitter makes the train/test folds of n rows.
type Splitter interface {
	folds(n int) ([]foldSpec, error)
}

// foldSpec says which rows are test rows: the ranges [Lo, Hi), or, when
// Frac > 0 or Mod > 0, rows chosen by a hash of (Seed, row).
type foldSpec struct {
	Lo, Hi []int
	Seed   uint64
	Mod    int // hashed: row in test iff hash % Mod == Rem
	Rem    int
	Frac   float64 // hashed: row in test iff u(hash) < Frac
	Fold   []int32 // per row (StratifiedKFold): row in test iff Fold[row] == Rem
}

func (f *foldSpec) test(r int) bool {
	switch {
	case f.Fold != nil:
		return r < len(f.Fold) && int(f.Fold[r]) == f.Rem
	case f.Mod > 0:
		return int(splitmix(f.Seed^splitmix(uint64(r)))%uint64(f.Mod)) == f.Rem
	case f.Frac > 0:
		return float64(splitmix(f.Seed^splitmix(uint64(r)))>>11)/(1<<53) < f.Frac
	}
	for i := range f.Lo {
		if r >= f.Lo[i] && r < f.Hi[i] {
			return true
		}
	}
	return false
}

// KFold splits the rows into NSplits (default 5) contiguous folds, the
// first n%NSplits one row longer, as scikit-learn's KFold. With Shuffle,
// each row goes to the fold given by a hash of (Seed, row): folds of equal
// size in expectation, not exactly.
type KFold struct {
	NSplits int
	Shuffle bool
	Seed    uint64
}

func (k KFold) folds(n int) ([]foldSpec, error) {
	s := k.NSplits
	if s == 0 {
		s = 5
	}
	if s < 2 || s > n {
		return nil, fmt.Errorf("KFold: NSplits = %d for %d rows: want 2 <= NSplits <= rows", s, n)
	}
	var out []foldSpec
	lo := 0
	for f := range s {
		if k.Shuffle {
			out = append(out, foldSpec{Seed: splitmix(k.Seed), Mod: s, Rem: f})
			continue
		}
		sz := n / s
		if f < n%s {
			sz++
		}
		out = append(out, foldSpec{Lo: []int{lo}, Hi: []int{lo + sz}})
		lo += sz
	}
	return out, nil
}

// ShuffleSplit makes NSplits (default 10) random splits, each row a test
// row with probability TestSize (default 0.1), independently per split and
// seeded (so test sizes are TestSize·n in expectation).
type ShuffleSplit struct {
	NSplits  int
	TestSize float64
	Seed     uint64
}

func (s ShuffleSplit) folds(n int) ([]foldSpec, error) {
	k, ts := s.NSplits, s.TestSize
	if k == 0 {
		k = 10
	}
	if ts == 0 {
		ts = 0.1
	}
	if k < 1 || ts <= 0 || ts >= 1 {
		return nil, fmt.Errorf("ShuffleSplit: NSplits = %d, TestSize = %v: want NSplits >= 1 and 0 < TestSize < 1", k, ts)
	}
	var out []foldSpec
	for i := range k {
		out = append(out, foldSpec{Seed: splitmix(s.Seed + uint64(i)*0x9e37), Frac: ts})
	}
	return out, nil
}

// foldData is a fold's rows in memory: train and test blocks.
type foldData struct {
	TrainX, TrainY, TestX, TestY []*array.Dense
}

// Size implements graph.Sizer.
func (f *foldData) Size() int64 {
	var s int64
	for _, bs := range [][]*array.Dense{f.TrainX, f.TrainY, f.TestX, f.TestY} {
		for _, b := range bs {
			s += b.Size()
		}
	}
	return s
}

// split params: gob(foldSpec), row chunks; inputs: X blocks, then y blocks.
func runSplit(p []byte, in []any) (any, error) {
	var f foldSpec
	if err := gob.NewDecoder(bytes.NewReader(p)).Decode(&f); err != nil {
		return nil, err
	}
	nb := len(in) / 2
	fd := &foldData{}
	row := 0
	for b := range nb {
		x, ok1 := in[b].(*array.Dense)
		y, ok2 := in[nb+b].(*array.Dense)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("ml.cv.split: inputs are %T, %T", in[b], in[nb+b])
		}
		n, pc := x.Shape[0], x.Shape[1]
		// runs of consecutive rows on the same side are sliced without copying
		start := 0
		for i := 1; i <= n; i++ {
			if i < n && f.test(row+i) == f.test(row+start) {
				continue
			}
			xs := dense2(x.Data[start*pc:i*pc:i*pc], i-start, pc)
			ys := dense1(y.Data[start:i:i])
			if f.test(row + start) {
				fd.TestX, fd.TestY = append(fd.TestX, xs), append(fd.TestY, ys)
			} else {
				fd.TrainX, fd.TrainY = append(fd.TrainX, xs), append(fd.TrainY, ys)
			}
			start = i
		}
		row += n
	}
	if len(fd.TrainX) > 64 || len(fd.TestX) > 64 {
		fd.TrainX, fd.TrainY = gather(fd.TrainX, fd.TrainY)
		fd.TestX, fd.TestY = gather(fd.TestX, fd.TestY)
	}
	if len(fd.TrainX) == 0 || len(fd.TestX) == 0 {
		return nil, fmt.Errorf("a fold with %d train and %d test pieces: too few rows", len(fd.TrainX), len(fd.TestX))
	}
	return fd, nil
}

// gather copies many small pieces (hashed folds) into one block.
func gather(xs, ys []*array.Dense) ([]*array.Dense, []*array.Dense) {
	if len(xs) == 0 {
		return nil, nil
	}
	p := xs[0].Shape[1]
	var xd, yd []float64
	for i := range xs {
		xd = append(xd, xs[i].Data...)
		yd = append(yd, ys[i].Data...)
	}
	return []*array.Dense{dense2(xd, len(yd), p)}, []*array.Dense{dense1(yd)}
}

func fitLocal(ctx context.Context, p []byte, in []any) (Model, *foldData, error) {
	e, err := decodeEstimator(p)
	if err != nil {
		return nil, nil, err
	}
	fd, ok := in[0].(*foldData)
	if !ok {
		return nil, nil, fmt.Errorf("ml.cv: input is %T, not fold data", in[0])
	}
	rf, ok := e.(rowFitter)
	if !ok {
		return nil, nil, fmt.Errorf("estimator %T cannot be fitted inside a task", e)
	}
	m, err := rf.fitRows(ctx, newLocalRows(fd.TrainX, fd.TrainY))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", rf.estName(), err)
	}
	return m, fd, nil
}

func runStep(ctx context.Context, p []byte, in []any) (any, error) {
	m, fd, err := fitLocal(ctx, p, in)
	if err != nil {
		return nil, err
	}
	t, ok := m.(BlockTransformer)
	if !ok {
		return nil, fmt.Errorf("pipeline step %s does not transform", m.ModelName())
	}
	out := &foldData{TrainY: fd.TrainY, TestY: fd.TestY}
	for _, x := range fd.TrainX {
		z, err := t.TransformBlock(x)
		if err != nil {
			return nil, err
		}
		out.TrainX = append(out.TrainX, z)
	}
	for _, x := range fd.TestX {
		z, err := t.TransformBlock(x)
		if err != nil {
			return nil, err
		}
		out.TestX = append(out.TestX, z)
	}
	return out, nil
}

// runScore fits the final step and scores it on the test rows: accuracy
// for classifiers, R² otherwise.
func runScore(ctx context.Context, p []byte, in []any) (any, error) {
	m, fd, err := fitLocal(ctx, p, in)
	if err != nil {
		return nil, err
	}
	bp, ok := m.(BlockPredictor)
	if !ok {
		return nil, fmt.Errorf("%s does not predict", m.ModelName())
	}
	classify := isClassifierModel(m)
	var n, hit, sse float64
	var ys []float64
	var preds []float64
	for i, x := range fd.TestX {
		pr, err := bp.PredictBlock(x)
		if err != nil {
			return nil, err
		}
		for j, v := range fd.TestY[i].Data {
			n++
			if pr.Data[j] == v {
				hit++
			}
			sse += (pr.Data[j] - v) * (pr.Data[j] - v)
			ys = append(ys, v)
			preds = append(preds, pr.Data[j])
		}
	}
	if classify {
		return hit / n, nil
	}
	var mean, ss float64
	for _, v := range ys {
		mean += v / n
	}
	for _, v := range ys {
		ss += (v - mean) * (v - mean)
	}
	if ss == 0 {
		return 0.0, nil
	}
	return 1 - sse/ss, nil
}

func isClassifierModel(m Model) bool {
	switch v := m.(type) {
	case *LogisticModel:
		return true
	case *SGDModel:
		return v.Classes != nil
	case *PipelineModel:
		return isClassifierModel(v.Models[len(v.Models)-1])
	}
	_, ok := m.(BlockProbaPredictor)
	return ok
}

// CVResult is one candidate of a search: its parameters, the test score of
// every fold, their mean and (population) standard deviation, and its rank
// (1 is best), as scikit-learn's cv_results_.
type CVResult struct {
	Params        map[string]any
	SplitScores   []float64
	MeanTestScore float64
	StdTestScore  float64
	RankTestScore int
}

// SearchResult is a fitted GridSearchCV or RandomizedSearchCV.
type SearchResult struct {
	CVResults     []CVResult
	BestIndex     int
	BestParams    map[string]any
	BestScore     float64
	BestEstimator Model // refitted on all of X (nil with NoRefit)
	// Tasks is the number of tasks of the search graph (shared prefixes
	// counted once).
	Tasks int
}

// GridSearchCV evaluates every combination of ParamGrid (field name →
// values; "step__Field" for a Pipeline) with cross-validation CV (default
// KFold{NSplits: 5}), all candidates × folds as tasks of one graph, and
// refits the best candidate on all of X unless NoRefit. The score is
// accuracy for classifiers and R² for regressors. Candidates are in
// scikit-learn's ParameterGrid order (keys sorted, the last varying
// fastest).
type GridSearchCV struct {
	Estimator Estimator
	ParamGrid map[string][]any
	CV        Splitter
	NoRefit   bool
}

// Distribution is what RandomizedSearchCV draws a parameter value from.
type Distribution interface {
	Sample(r *rand.Rand) any
}

// Choice draws one of its values uniformly.
type Choice []any

// Sample implements Distribution.
func (c Choice) Sample(r *rand.Rand) any { return c[r.IntN(len(c))] }

// Uniform draws a float64 uniformly in [Lo, Hi).
type Uniform struct{ Lo, Hi float64 }

// Sample implements Distribution.
func (u Uniform) Sample(r *rand.Rand) any { return u.Lo + (u.Hi-u.Lo)*r.Float64() }

// LogUniform draws a float64 whose logarithm is uniform in [log Lo, log Hi).
type LogUniform struct{ Lo, Hi float64 }

// Sample implements Distribution.
func (u LogUniform) Sample(r *rand.Rand) any {
	return math.Exp(math.Log(u.Lo) + (math.Log(u.Hi)-math.Log(u.Lo))*r.Float64())
}

// RandomizedSearchCV evaluates NIter (default 10) candidates drawn from
// ParamDistributions (seeded), otherwise as GridSearchCV.
type RandomizedSearchCV struct {
	Estimator          Estimator
	ParamDistributions map[string]Distribution
	NIter              int
	Seed               uint64
	CV                 Splitter
	NoRefit            bool
}

func gridCandidates(grid map[string][]any) []map[string]any {
	keys := make([]string, 0, len(grid))
	for k := range grid {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cands := []map[string]any{{}}
	for _, k := range keys {
		var next []map[string]any
		for _, c := range cands {
			for _, v := range grid[k] {
				n := map[string]any{}
				for kk, vv := range c {
					n[kk] = vv
				}
				n[k] = v
				next = append(next, n)
			}
		}
		cands = next
	}
	return cands
}

// Fit runs the search on X and y.
func (g GridSearchCV) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*SearchResult, error) {
	for k, v := range g.ParamGrid {
		if len(v) == 0 {
			return nil, errf("GridSearchCV", "parameter %q has no values", k)
		}
	}
	return search(ctx, "GridSearchCV", g.Estimator, gridCandidates(g.ParamGrid), g.CV, !g.NoRefit, X, y, opts)
}

// Fit runs the search on X and y.
func (g RandomizedSearchCV) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*SearchResult, error) {
	n := g.NIter
	if n == 0 {
		n = 10
	}
	keys := make([]string, 0, len(g.ParamDistributions))
	for k := range g.ParamDistributions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rng := rand.New(rand.NewPCG(g.Seed, 0x5ea4c4))
	var cands []map[string]any
	for range n {
		c := map[string]any{}
		for _, k := range keys {
			c[k] = g.ParamDistributions[k].Sample(rng)
		}
		cands = append(cands, c)
	}
	return search(ctx, "RandomizedSearchCV", g.Estimator, cands, g.CV, !g.NoRefit, X, y, opts)
}

func search(ctx context.Context, est string, e Estimator, cands []map[string]any, cv Splitter, refit bool, X, y *array.Array, opts []sched.Option) (*SearchResult, error) {
	if e == nil {
		return nil, errf(est, "no Estimator")
	}
	if cv == nil {
		cv = KFold{NSplits: 5}
	}
	x, yy, err := checkXY(est, X, y)
	if err != nil {
		return nil, err
	}
	var folds []foldSpec
	if ls, ok := cv.(labelSplitter); ok {
		yd, err := yy.Compute(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("ml: %s: the labels for %T: %w", est, cv, err)
		}
		folds, err = ls.foldsY(yd.Data)
	} else {
		folds, err = cv.folds(x.Shape()[0])
	}
	if err != nil {
		return nil, errf(est, "%v", err)
	}
	// every candidate's steps, validated before anything runs
	stepsOf := make([][]Estimator, len(cands))
	for c, params := range cands {
		ce, err := withParams(est, e, params)
		if err != nil {
			return nil, err
		}
		if p, ok := ce.(Pipeline); ok {
			if err := p.check(); err != nil {
				return nil, err
			}
			for _, s := range p.Steps {
				stepsOf[c] = append(stepsOf[c], s.Estimator)
			}
		} else {
			stepsOf[c] = []Estimator{ce}
		}
	}
	g := graph.New()
	for _, a := range []*array.Array{x, yy} {
		ag, err := a.Graph()
		if err != nil {
			return nil, fmt.Errorf("ml: %s: %w", est, err)
		}
		g.Merge(ag)
	}
	deps := append(append([]graph.Key(nil), x.Keys()...), yy.Keys()...)
	add := func(kind string, p []byte, d ...graph.Key) (graph.Key, error) {
		t, err := graph.NewTask(&taskOp{name: "ml.cv." + kind, p: p}, d...)
		if err != nil {
			return "", err
		}
		g.Add(t)
		return t.Key, nil
	}
	splitKeys := make([]graph.Key, len(folds))
	for f, fs := range folds {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(&fs); err != nil {
			return nil, err
		}
		if splitKeys[f], err = add("split", buf.Bytes(), deps...); err != nil {
			return nil, err
		}
	}
	var outs []graph.Key
	for c := range cands {
		for f := range folds {
			prev := splitKeys[f]
			steps := stepsOf[c]
			for i, s := range steps {
				p, err := encodeEstimator(s)
				if err != nil {
					return nil, errf(est, "%v", err)
				}
				kind := "step"
				if i == len(steps)-1 {
					kind = "score"
				}
				if prev, err = add(kind, p, prev); err != nil {
					return nil, err
				}
			}
			outs = append(outs, prev)
		}
	}
	res := &SearchResult{Tasks: g.Len()}
	vals, err := sched.Run(ctx, g, outs, opts...)
	if err != nil {
		return nil, fmt.Errorf("ml: %s: %w", est, err)
	}
	res.BestIndex = -1
	for c, params := range cands {
		r := CVResult{Params: params}
		for f := range folds {
			s, _ := vals[c*len(folds)+f].(float64)
			r.SplitScores = append(r.SplitScores, s)
			r.MeanTestScore += s / float64(len(folds))
		}
		for _, s := range r.SplitScores {
			r.StdTestScore += (s - r.MeanTestScore) * (s - r.MeanTestScore) / float64(len(folds))
		}
		r.StdTestScore = math.Sqrt(r.StdTestScore)
		res.CVResults = append(res.CVResults, r)
		if res.BestIndex < 0 || r.MeanTestScore > res.CVResults[res.BestIndex].MeanTestScore {
			res.BestIndex = c
		}
	}
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return res.CVResults[order[a]].MeanTestScore > res.CVResults[order[b]].MeanTestScore
	})
	for rank, i := range order {
		res.CVResults[i].RankTestScore = rank + 1
	}
	res.BestParams = cands[res.BestIndex]
	res.BestScore = res.CVResults[res.BestIndex].MeanTestScore
	if refit {
		be, _ := withParams(est, e, res.BestParams)
		if res.BestEstimator, err = be.FitModel(ctx, x, yy, opts...); err != nil {
			return nil, fmt.Errorf("ml: %s: refit of the best candidate: %w", est, err)
		}
	}
	return res, nil
}

func lowerTypeName(e any) string { return strings.ToLower(reflect.TypeOf(e).Name()) }
