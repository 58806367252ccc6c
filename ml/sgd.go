package ml

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
)

// SGDClassifier is scikit-learn's SGDClassifier (plain SGD, one-vs-rest
// for more than two classes): per-sample updates with the "optimal"
// learning rate η = 1/(α(t₀+t)), t₀ from Bottou's heuristic, l2 shrinkage
// by a running weight scale, as sklearn's _plain_sgd. Loss "hinge"
// (default), "log_loss" or "modified_huber"; Penalty "l2" (default) or
// "none". Rows are visited in a shuffled order per pass, seeded.
//
// Fit runs MaxIter epochs over the whole data (gathered block by block, in
// order), PartialFit one pass over one in-memory block; Incremental runs
// PartialFit over the blocks of an array.
type SGDClassifier struct {
	Loss      string  // "hinge", "log_loss", "modified_huber"
	Penalty   string  // "l2" or "none"
	Alpha     float64 // default 1e-4
	MaxIter   int     // epochs of Fit; default 5
	NoShuffle bool
	Seed      uint64
	Classes   []float64 // all classes, for Incremental (nil: found by a pass)
}

// SGDRegressor is scikit-learn's SGDRegressor with loss "squared_error"
// and the "invscaling" learning rate η = Eta0 / t^PowerT (defaults 0.01,
// 0.25), l2 penalty Alpha.
type SGDRegressor struct {
	Alpha     float64 // default 1e-4
	Eta0      float64 // default 0.01
	PowerT    float64 // default 0.25
	Penalty   string  // "l2" or "none"
	MaxIter   int     // epochs of Fit; default 5
	NoShuffle bool
	Seed      uint64
}

// SGDModel is a fitted SGD linear model: one coefficient row per class
// (one for binary problems and regression). T counts the samples seen, so
// PartialFit resumes the learning-rate schedule.
type SGDModel struct {
	Estimator string
	Loss      string
	Classes   []float64
	Coef      [][]float64
	Intercept []float64
	T         float64
	Blocks    int // blocks seen (seeds the shuffles)
	NIter     int
}

func init() { RegisterModel(&SGDModel{}) }

// ModelName implements Model.
func (*SGDModel) ModelName() string { return "SGDModel" }

func (SGDClassifier) estName() string  { return "SGDClassifier" }
func (SGDClassifier) supervised() bool { return true }
func (SGDRegressor) estName() string   { return "SGDRegressor" }
func (SGDRegressor) supervised() bool  { return true }

func (e SGDClassifier) defaults() SGDClassifier {
	if e.Loss == "" {
		e.Loss = "hinge"
	}
	if e.Penalty == "" {
		e.Penalty = "l2"
	}
	if e.Alpha == 0 {
		e.Alpha = 1e-4
	}
	if e.MaxIter == 0 {
		e.MaxIter = 5
	}
	return e
}

func (e SGDClassifier) check() error {
	e = e.defaults()
	switch {
	case e.Loss != "hinge" && e.Loss != "log_loss" && e.Loss != "modified_huber":
		return errf("SGDClassifier", "unknown loss %q (want hinge, log_loss or modified_huber)", e.Loss)
	case e.Penalty != "l2" && e.Penalty != "none":
		return errf("SGDClassifier", "unknown penalty %q (want l2 or none)", e.Penalty)
	case e.Alpha < 0:
		return errf("SGDClassifier", "Alpha = %v: want >= 0", e.Alpha)
	}
	return nil
}

// dloss is sklearn's derivative of the loss at prediction p for y ∈ {-1, 1}.
func dloss(loss string, p, y float64) float64 {
	z := p * y
	switch loss {
	case "log_loss":
		if z > 18 {
			return -y * math.Exp(-z)
		}
		if z < -18 {
			return -y
		}
		return -y / (math.Exp(z) + 1)
	case "modified_huber":
		if z >= 1 {
			return 0
		}
		if z >= -1 {
			return -2 * (1 - z) * y
		}
		return -4 * y
	default: // hinge
		if z <= 1 {
			return -y
		}
		return 0
	}
}

// Fit runs MaxIter epochs of PartialFit over the row blocks of X in order.
func (e SGDClassifier) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*SGDModel, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	e = e.defaults()
	m, err := Incremental{Estimator: e, Epochs: e.MaxIter, Seed: e.Seed}.Fit(ctx, X, y, opts...)
	if err != nil {
		return nil, err
	}
	return m.(*SGDModel), nil
}

// FitModel implements Estimator.
func (e SGDClassifier) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e SGDClassifier) fitRows(ctx context.Context, r rows) (Model, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	e = e.defaults()
	lr, ok := r.(*localRows)
	if !ok {
		return nil, errf("SGDClassifier", "in-memory fit on lazy rows")
	}
	classes := e.Classes
	if classes == nil {
		var err error
		if classes, err = classesOf(ctx, "SGDClassifier", r); err != nil {
			return nil, err
		}
	}
	var m Model
	for range e.MaxIter {
		for i, x := range lr.xs {
			var err error
			if m, err = e.PartialFit(m, x, lr.ys[i], classes); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// PartialFit implements PartialFitter: one shuffled pass over the rows of
// x. classes must list every class (sorted or not) on the first call.
func (e SGDClassifier) PartialFit(prev Model, x, y *array.Dense, classes []float64) (Model, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	e = e.defaults()
	var m *SGDModel
	if prev != nil {
		pm, ok := prev.(*SGDModel)
		if !ok || pm == nil {
			return nil, errf("SGDClassifier", "PartialFit on a %T, want *SGDModel", prev)
		}
		m = pm.clone()
	} else {
		if len(classes) < 2 {
			return nil, errf("SGDClassifier", "PartialFit needs all classes on the first call (got %v)", classes)
		}
		cs := sortedCopy(classes)
		k := len(cs)
		if k == 2 {
			k = 1
		}
		if len(x.Shape) != 2 {
			return nil, errf("SGDClassifier", "block of shape %v: want 2-D", x.Shape)
		}
		m = &SGDModel{Estimator: "SGDClassifier", Loss: e.Loss, Classes: cs, Intercept: make([]float64, k)}
		for range k {
			m.Coef = append(m.Coef, make([]float64, x.Shape[1]))
		}
		// sklearn's optimal_init: t₀ = 1 / (η₀ α), η₀ = typw / max(1, dloss(-typw, 1))
		typw := math.Sqrt(1 / math.Sqrt(e.Alpha))
		eta0 := typw / math.Max(1, dloss(e.Loss, -typw, 1))
		m.T = 1 / (eta0 * e.Alpha)
	}
	p := len(m.Coef[0])
	if err := blockCols("SGDClassifier", x, p); err != nil {
		return nil, err
	}
	if y == nil || len(y.Data) != x.Shape[0] {
		return nil, errf("SGDClassifier", "PartialFit needs y with one label per row of the block")
	}
	if err := checkFinite(x, y); err != nil {
		return nil, fmt.Errorf("ml: SGDClassifier: %w", err)
	}
	n := x.Shape[0]
	t0 := m.T
	order := sgdOrder(n, !e.NoShuffle, e.Seed, m.Blocks)
	lab := make([]int, n)
	for i, v := range y.Data {
		if lab[i] = classIndex(m.Classes, v); lab[i] < 0 {
			return nil, errf("SGDClassifier", "label %v is not one of the classes %v", v, m.Classes)
		}
	}
	l2 := e.Penalty == "l2"
	loss := lossCode(e.Loss)
	for c := range m.Coef {
		pos := c
		if len(m.Coef) == 1 {
			pos = 1
		}
		// every class's pass starts at the same schedule count
		m.Intercept[c], m.T = sgdClassEpoch(x.Data, p, lab, pos, order, m.Coef[c], m.Intercept[c], t0, e.Alpha, loss, l2)
	}
	m.Blocks++
	m.NIter++
	return m, nil
}

func (m *SGDModel) clone() *SGDModel {
	c := *m
	c.Coef = nil
	for _, r := range m.Coef {
		c.Coef = append(c.Coef, append([]float64(nil), r...))
	}
	c.Intercept = append([]float64(nil), m.Intercept...)
	return &c
}

func (m *SGDModel) ok() bool { return m != nil && len(m.Coef) > 0 }

func (m *SGDModel) decision(row []float64, c int) float64 {
	v := m.Intercept[c]
	for j, x := range row {
		v += x * m.Coef[c][j]
	}
	return v
}

// PredictBlock implements BlockPredictor.
func (m *SGDModel) PredictBlock(x *array.Dense) (*array.Dense, error) {
	p := len(m.Coef[0])
	if err := blockCols(m.Estimator, x, p); err != nil {
		return nil, err
	}
	n := x.Shape[0]
	out := make([]float64, n)
	for i := range n {
		row := x.Data[i*p : (i+1)*p]
		switch {
		case m.Classes == nil:
			out[i] = m.decision(row, 0)
		case len(m.Coef) == 1:
			out[i] = m.Classes[0]
			if m.decision(row, 0) > 0 {
				out[i] = m.Classes[1]
			}
		default:
			b, bv := 0, math.Inf(-1)
			for c := range m.Coef {
				if v := m.decision(row, c); v > bv {
					b, bv = c, v
				}
			}
			out[i] = m.Classes[b]
		}
	}
	return dense1(out), nil
}

// PredictProbaBlock implements BlockProbaPredictor for loss log_loss
// (the logistic of the decision; one-vs-rest rows normalised, as
// scikit-learn).
func (m *SGDModel) PredictProbaBlock(x *array.Dense) (*array.Dense, error) {
	if m.Loss != "log_loss" || m.Classes == nil {
		return nil, errf(m.Estimator, "probabilities need loss log_loss (this model has %q)", m.Loss)
	}
	p := len(m.Coef[0])
	if err := blockCols(m.Estimator, x, p); err != nil {
		return nil, err
	}
	n, k := x.Shape[0], len(m.Classes)
	out := make([]float64, n*k)
	for i := range n {
		row := x.Data[i*p : (i+1)*p]
		o := out[i*k : (i+1)*k]
		if len(m.Coef) == 1 {
			s := 1 / (1 + math.Exp(-m.decision(row, 0)))
			o[0], o[1] = 1-s, s
			continue
		}
		var tot float64
		for c := range k {
			o[c] = 1 / (1 + math.Exp(-m.decision(row, c)))
			tot += o[c]
		}
		for c := range k {
			o[c] /= tot
		}
	}
	return dense2(out, n, k), nil
}

// Predict returns the lazy predictions for the rows of X.
func (m *SGDModel) Predict(X *array.Array) *array.Array {
	if !m.ok() {
		return noModel("SGDModel", "Predict")
	}
	return mapRows(m.Estimator, m, X, rowPredict, 0)
}

// PredictProba returns the lazy class probabilities (loss log_loss).
func (m *SGDModel) PredictProba(X *array.Array) *array.Array {
	if !m.ok() {
		return noModel("SGDModel", "PredictProba")
	}
	if m.Loss != "log_loss" || m.Classes == nil {
		return noModel(m.Estimator, "PredictProba without loss log_loss:")
	}
	return mapRows(m.Estimator, m, X, rowProba, len(m.Classes))
}

// Score returns the accuracy (classifier) or R² (regressor) on X, y.
func (m *SGDModel) Score(ctx context.Context, X, y *array.Array, opts ...sched.Option) (float64, error) {
	if !m.ok() {
		return 0, errf("SGDModel", "Score before Fit")
	}
	if m.Classes == nil {
		return R2Score(ctx, y, m.Predict(X), opts...)
	}
	return AccuracyScore(ctx, y, m.Predict(X), opts...)
}

func (e SGDRegressor) defaults() SGDRegressor {
	if e.Alpha == 0 {
		e.Alpha = 1e-4
	}
	if e.Eta0 == 0 {
		e.Eta0 = 0.01
	}
	if e.PowerT == 0 {
		e.PowerT = 0.25
	}
	if e.Penalty == "" {
		e.Penalty = "l2"
	}
	if e.MaxIter == 0 {
		e.MaxIter = 5
	}
	return e
}

// Fit runs MaxIter epochs of PartialFit over the row blocks of X in order.
func (e SGDRegressor) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*SGDModel, error) {
	e = e.defaults()
	if e.Penalty != "l2" && e.Penalty != "none" {
		return nil, errf("SGDRegressor", "unknown penalty %q (want l2 or none)", e.Penalty)
	}
	m, err := Incremental{Estimator: e, Epochs: e.MaxIter, Seed: e.Seed}.Fit(ctx, X, y, opts...)
	if err != nil {
		return nil, err
	}
	return m.(*SGDModel), nil
}

// FitModel implements Estimator.
func (e SGDRegressor) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e SGDRegressor) fitRows(ctx context.Context, r rows) (Model, error) {
	e = e.defaults()
	lr, ok := r.(*localRows)
	if !ok {
		return nil, errf("SGDRegressor", "in-memory fit on lazy rows")
	}
	var m Model
	for range e.MaxIter {
		for i, x := range lr.xs {
			var err error
			if m, err = e.PartialFit(m, x, lr.ys[i], nil); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// PartialFit implements PartialFitter (classes is ignored).
func (e SGDRegressor) PartialFit(prev Model, x, y *array.Dense, _ []float64) (Model, error) {
	e = e.defaults()
	var m *SGDModel
	if prev != nil {
		pm, ok := prev.(*SGDModel)
		if !ok || pm == nil {
			return nil, errf("SGDRegressor", "PartialFit on a %T, want *SGDModel", prev)
		}
		m = pm.clone()
	} else {
		if len(x.Shape) != 2 {
			return nil, errf("SGDRegressor", "block of shape %v: want 2-D", x.Shape)
		}
		m = &SGDModel{Estimator: "SGDRegressor", Loss: "squared_error", Coef: [][]float64{make([]float64, x.Shape[1])}, Intercept: []float64{0}, T: 1}
	}
	p := len(m.Coef[0])
	if err := blockCols("SGDRegressor", x, p); err != nil {
		return nil, err
	}
	if y == nil || len(y.Data) != x.Shape[0] {
		return nil, errf("SGDRegressor", "PartialFit needs y with one value per row of the block")
	}
	if err := checkFinite(x, y); err != nil {
		return nil, fmt.Errorf("ml: SGDRegressor: %w", err)
	}
	n := x.Shape[0]
	order := sgdOrder(n, !e.NoShuffle, e.Seed, m.Blocks)
	w, b, t := m.Coef[0], m.Intercept[0], m.T
	wscale := 1.0
	for _, i := range order {
		row := x.Data[i*p : (i+1)*p]
		var dot float64
		for j, v := range row {
			dot += v * w[j]
		}
		pr := dot*wscale + b
		eta := e.Eta0 / math.Pow(t, e.PowerT)
		upd := -eta * max(min(pr-y.Data[i], 1e12), -1e12)
		if e.Penalty == "l2" {
			wscale *= math.Max(0, 1-eta*e.Alpha)
		}
		wscale = sgdAdd(w, wscale, row, upd)
		b += upd
		t++
	}
	for j := range w {
		w[j] *= wscale
	}
	m.Intercept[0], m.T = b, t
	m.Blocks++
	m.NIter++
	return m, nil
}

// sgdAdd adds upd·row to the weights w·wscale (w scaled back first when
// wscale has shrunk below 1e-9, as scikit-learn's WeightVector) and returns
// the scale.
func sgdAdd(w []float64, wscale float64, row []float64, upd float64) float64 {
	if wscale < 1e-9 {
		for j := range w {
			w[j] *= wscale
		}
		wscale = 1
	}
	f := upd / wscale
	w = w[:len(row)]
	for j, v := range row {
		w[j] += f * v
	}
	return wscale
}

// sgdOrder is the order rows of a block are visited: shuffled by (seed,
// blocks seen) or in order.
func sgdOrder(n int, shuffle bool, seed uint64, blocks int) []int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if shuffle {
		rng := rand.New(rand.NewPCG(seed, uint64(blocks)))
		rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	return order
}
