package ml

import (
	"context"
	"fmt"
	"math"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// LogisticRegression is scikit-learn's LogisticRegression: binary (one
// coefficient row, classes[1] positive) or multinomial (softmax over all
// classes, for three or more) with the objective
//
//	C·Σ loss(yᵢ, xᵢ·w + b) + penalty(w)
//
// where penalty is ½‖w‖² (l2), ‖w‖₁ (l1) or L1Ratio·‖w‖₁ + (1-L1Ratio)/2·‖w‖²
// (elasticnet), the intercept not penalised, so a fit converged to the same
// tolerance has scikit-learn's coefficients. Every evaluation of the loss and
// gradient is one blockwise pass merged by a tree of tasks.
//
// Solvers: "lbfgs" (gonum/optimize L-BFGS; l2 or none), "newton" (Newton's
// method with the blockwise Hessian; binary, l2 or none), "proximal"
// (accelerated proximal gradient, FISTA with backtracking; any penalty, the
// default for l1 and elasticnet), "owlqn" (orthant-wise L-BFGS, any
// penalty; usually the fewest passes for l1) and "admm" (consensus ADMM as
// dask-glm: every row block solves its own smooth problem inside its task,
// the driver averages and applies the penalty's prox; any penalty; Tol is
// on the relative primal and dual residuals, MaxIter·10 rounds at most).
type LogisticRegression struct {
	C           float64 // inverse regularisation strength; 0 means 1
	Penalty     string  // "l2" (default), "l1", "elasticnet", "none"
	L1Ratio     float64 // elasticnet mix, in [0, 1]
	Solver      string  // "lbfgs", "newton", "proximal"; "" chooses by penalty
	MaxIter     int     // 0 means 100
	Tol         float64 // gradient tolerance (max-norm, on the objective divided by C·n); 0 means 1e-4
	NoIntercept bool
}

// LogisticModel is a fitted logistic regression. Coef has one row for a
// binary problem (the log-odds of Classes[1]) and one per class otherwise.
type LogisticModel struct {
	Classes   []float64
	Coef      [][]float64
	Intercept []float64
	NIter     int
	Converged bool
}

func init() {
	RegisterModel(&LogisticModel{})
	registerPass("ml.logit", &passKernel{block: logitBlock})
	registerPass("ml.logit_hess", &passKernel{block: logitHessBlock})
}

// ModelName implements Model.
func (*LogisticModel) ModelName() string { return "LogisticModel" }

func (LogisticRegression) estName() string  { return "LogisticRegression" }
func (LogisticRegression) supervised() bool { return true }

// Fit fits the model on X and labels y (any float labels; at least two).
func (e LogisticRegression) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*LogisticModel, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	m, err := fitArrays(ctx, e, X, y, opts)
	if err != nil {
		return nil, err
	}
	return m.(*LogisticModel), nil
}

// FitModel implements Estimator.
func (e LogisticRegression) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e LogisticRegression) defaults() LogisticRegression {
	if e.C == 0 {
		e.C = 1
	}
	if e.Penalty == "" {
		e.Penalty = "l2"
	}
	if e.MaxIter == 0 {
		e.MaxIter = 100
	}
	if e.Tol == 0 {
		e.Tol = 1e-4
	}
	if e.Solver == "" {
		e.Solver = "lbfgs"
		if e.Penalty == "l1" || e.Penalty == "elasticnet" {
			e.Solver = "proximal"
		}
	}
	return e
}

func (e LogisticRegression) check() error {
	e = e.defaults()
	switch {
	case e.C < 0 || math.IsNaN(e.C):
		return errf("LogisticRegression", "C = %v: want a positive number", e.C)
	case e.Penalty != "l2" && e.Penalty != "l1" && e.Penalty != "elasticnet" && e.Penalty != "none":
		return errf("LogisticRegression", "unknown penalty %q (want l2, l1, elasticnet or none)", e.Penalty)
	case e.Solver != "lbfgs" && e.Solver != "newton" && e.Solver != "proximal" && e.Solver != "owlqn" && e.Solver != "admm":
		return errf("LogisticRegression", "unknown solver %q (want lbfgs, newton, proximal, owlqn or admm)", e.Solver)
	case (e.Penalty == "l1" || e.Penalty == "elasticnet") && (e.Solver == "lbfgs" || e.Solver == "newton"):
		return errf("LogisticRegression", "solver %s does not support penalty %s (use proximal, owlqn or admm)", e.Solver, e.Penalty)
	case e.L1Ratio < 0 || e.L1Ratio > 1:
		return errf("LogisticRegression", "L1Ratio = %v: want a value in [0, 1]", e.L1Ratio)
	case e.MaxIter < 0:
		return errf("LogisticRegression", "MaxIter = %d: want >= 0", e.MaxIter)
	}
	return nil
}

// logitProblem is the objective on the rows: mean loss + λ·penalty.
type logitProblem struct {
	r       rows
	ctx     context.Context
	classes []float64
	k, p    int // coefficient rows, features
	icpt    bool
	lam     float64 // 1/(C·n)
	l1, l2  float64 // penalty weights (of λ)
	err     error
	passes  int
}

func (lp *logitProblem) params(w []float64, first bool) []byte {
	b := appendFloats(nil, lp.classes)
	b = appendInt(b, lp.k)
	b = appendInt(b, boolInt(lp.icpt))
	return appendFloats(b, w)
}

// eval returns the smooth objective (mean loss + λ·l2/2·‖coef‖²) and its
// gradient at w (k × (p+1)).
func (lp *logitProblem) eval(w []float64, hess bool) (float64, []float64, []float64) {
	q := lp.k * (lp.p + 1)
	size := 1 + q
	name := "ml.logit"
	if hess {
		size += q * q
		name = "ml.logit_hess"
	}
	out, err := lp.r.pass(lp.ctx, name, lp.params(w, lp.passes == 0), size, lp.passes == 0)
	lp.passes++
	if err != nil {
		lp.err = err
		return math.NaN(), make([]float64, q), nil
	}
	n, _ := lp.r.dims()
	inv := 1 / float64(n)
	f := out[0] * inv
	g := out[1 : 1+q]
	for i := range g {
		g[i] *= inv
	}
	for c := range lp.k {
		for j := range lp.p {
			v := w[c*(lp.p+1)+j]
			f += lp.lam * lp.l2 * v * v / 2
			g[c*(lp.p+1)+j] += lp.lam * lp.l2 * v
		}
	}
	var h []float64
	if hess {
		h = out[1+q:]
		for i := range h {
			h[i] *= inv
		}
		for c := range lp.k {
			for j := range lp.p {
				i := c*(lp.p+1) + j
				h[i*q+i] += lp.lam * lp.l2
			}
		}
		if !lp.icpt {
			for c := range lp.k {
				i := c*(lp.p+1) + lp.p
				h[i*q+i] = 1
			}
		}
	}
	return f, g, h
}

func (e LogisticRegression) fitRows(ctx context.Context, r rows) (Model, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	e = e.defaults()
	classes, err := classesOf(ctx, "LogisticRegression", r)
	if err != nil {
		return nil, err
	}
	n, p := r.dims()
	k := len(classes)
	if k == 2 {
		k = 1
	}
	if e.Solver == "newton" && k > 1 {
		return nil, errf("LogisticRegression", "solver newton fits binary problems only (%d classes): use lbfgs", len(classes))
	}
	lp := &logitProblem{r: r, ctx: ctx, classes: classes, k: k, p: p, icpt: !e.NoIntercept, lam: 1 / (e.C * float64(n))}
	switch e.Penalty {
	case "l2":
		lp.l2 = 1
	case "l1":
		lp.l1 = 1
	case "elasticnet":
		lp.l1, lp.l2 = e.L1Ratio, 1-e.L1Ratio
	}
	q := k * (p + 1)
	w := make([]float64, q)
	var iters int
	var conv bool
	switch e.Solver {
	case "lbfgs":
		w, iters, conv = lp.lbfgs(w, e.MaxIter, e.Tol)
	case "newton":
		w, iters, conv = lp.newton(w, e.MaxIter, e.Tol)
	case "proximal":
		w, iters, conv = lp.fista(w, e.MaxIter*10, e.Tol)
	case "owlqn":
		w, iters, conv = lp.owlqn(w, e.MaxIter, e.Tol)
	case "admm":
		w, iters, conv = lp.admm(w, e.MaxIter*10, e.Tol, r.blocks())
	}
	if lp.err != nil {
		return nil, lp.err
	}
	if k > 1 && lp.icpt {
		// softmax intercepts are defined up to a common shift (they are
		// not penalised): report the ones summing to zero, as
		// scikit-learn's solvers started from zero do
		var mean float64
		for c := range k {
			mean += w[c*(p+1)+p] / float64(k)
		}
		for c := range k {
			w[c*(p+1)+p] -= mean
		}
	}
	m := &LogisticModel{Classes: classes, NIter: iters, Converged: conv}
	for c := range k {
		m.Coef = append(m.Coef, append([]float64(nil), w[c*(p+1):c*(p+1)+p]...))
		m.Intercept = append(m.Intercept, w[c*(p+1)+p])
	}
	return m, nil
}

// zeroIntercept keeps the intercept at 0 when it is not fitted.
func (lp *logitProblem) zeroIntercept(g []float64) {
	if !lp.icpt {
		for c := range lp.k {
			g[c*(lp.p+1)+lp.p] = 0
		}
	}
}

func (lp *logitProblem) lbfgs(w0 []float64, maxIter int, tol float64) ([]float64, int, bool) {
	var lastX, lastG []float64
	var lastF float64
	evalAt := func(x []float64) (float64, []float64) {
		if lastX != nil && equalFloats(lastX, x) {
			return lastF, lastG
		}
		f, g, _ := lp.eval(x, false)
		lp.zeroIntercept(g)
		lastX, lastF, lastG = append(lastX[:0], x...), f, g
		return f, g
	}
	prob := optimize.Problem{
		Func: func(x []float64) float64 { f, _ := evalAt(x); return f },
		Grad: func(grad, x []float64) { _, g := evalAt(x); copy(grad, g) },
		Status: func() (optimize.Status, error) {
			if lp.err != nil {
				return optimize.Failure, lp.err
			}
			return optimize.NotTerminated, nil
		},
	}
	settings := &optimize.Settings{
		GradientThreshold: tol,
		MajorIterations:   maxIter,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-14, Relative: 1e-14, Iterations: 20},
	}
	res, err := optimize.Minimize(prob, w0, settings, &optimize.LBFGS{Store: 10})
	if res == nil {
		if lp.err == nil {
			lp.err = err
		}
		return w0, 0, false
	}
	conv := err == nil && res.Status == optimize.GradientThreshold
	if !conv && err == nil && res.Status == optimize.FunctionConvergence {
		conv = maxAbs(res.Gradient) <= 10*tol
	}
	return res.X, res.MajorIterations, conv
}

func (lp *logitProblem) newton(w []float64, maxIter int, tol float64) ([]float64, int, bool) {
	q := len(w)
	f, g, h := lp.eval(w, true)
	for it := 1; it <= maxIter && lp.err == nil; it++ {
		lp.zeroIntercept(g)
		if maxAbs(g) <= tol {
			return w, it - 1, true
		}
		var ch mat.Cholesky
		if !ch.Factorize(mat.NewSymDense(q, h)) {
			lp.err = fmt.Errorf("the Hessian is singular (collinear or constant features): use lbfgs")
			return w, it, false
		}
		var d mat.VecDense
		if err := ch.SolveVecTo(&d, mat.NewVecDense(q, g)); err != nil {
			lp.err = err
			return w, it, false
		}
		// backtracking line search on the objective (Armijo)
		step := 1.0
		dg := mat.Dot(&d, mat.NewVecDense(q, g))
		for ls := 0; ; ls++ {
			wn := make([]float64, q)
			for i := range w {
				wn[i] = w[i] - step*d.AtVec(i)
			}
			fn, gn, hn := lp.eval(wn, true)
			if lp.err != nil {
				return w, it, false
			}
			if fn <= f-1e-4*step*dg || ls == 30 {
				w, f, g, h = wn, fn, gn, hn
				break
			}
			step /= 2
		}
	}
	lp.zeroIntercept(g)
	return w, maxIter, maxAbs(g) <= tol
}

func (lp *logitProblem) prox(v []float64, t float64) {
	if lp.l1 == 0 {
		return
	}
	a := t * lp.lam * lp.l1
	for c := range lp.k {
		for j := range lp.p {
			i := c*(lp.p+1) + j
			switch {
			case v[i] > a:
				v[i] -= a
			case v[i] < -a:
				v[i] += a
			default:
				v[i] = 0
			}
		}
	}
}

// fista is accelerated proximal gradient with backtracking on the step.
// It stops when the gradient mapping's max-norm is below tol.
func (lp *logitProblem) fista(w []float64, maxIter int, tol float64) ([]float64, int, bool) {
	q := len(w)
	L := 1.0
	yv := append([]float64(nil), w...)
	t := 1.0
	for it := 1; it <= maxIter; it++ {
		fy, gy, _ := lp.eval(yv, false)
		lp.zeroIntercept(gy)
		if lp.err != nil {
			return w, it, false
		}
		var wn []float64
		for {
			wn = make([]float64, q)
			for i := range wn {
				wn[i] = yv[i] - gy[i]/L
			}
			lp.prox(wn, 1/L)
			fw, _, _ := lp.eval(wn, false)
			if lp.err != nil {
				return w, it, false
			}
			var lin, sq float64
			for i := range wn {
				d := wn[i] - yv[i]
				lin += gy[i] * d
				sq += d * d
			}
			if fw <= fy+lin+L/2*sq+1e-15*math.Abs(fy) || L > 1e12 {
				break
			}
			L *= 2
		}
		var move float64
		for i := range wn {
			move = max(move, math.Abs(wn[i]-w[i])*L)
		}
		tn := (1 + math.Sqrt(1+4*t*t)) / 2
		for i := range yv {
			yv[i] = wn[i] + (t-1)/tn*(wn[i]-w[i])
		}
		w, t = wn, tn
		L /= 1.5 // let the step grow again
		if move <= tol {
			return w, it, true
		}
	}
	return w, maxIter, false
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}

type logitParams struct {
	classes []float64
	k       int
	icpt    bool
	w       []float64
}

func readLogit(p []byte) (logitParams, error) {
	r := newPReader(p)
	lp := logitParams{classes: r.floats(), k: r.int(), icpt: r.int() == 1, w: r.floats()}
	if r.err {
		return lp, fmt.Errorf("bad logistic parameters")
	}
	return lp, nil
}

// logitBlock returns [Σ loss, Σ gradient] over the rows of one block.
func logitBlock(params []byte, _ int, x, y *array.Dense) ([]float64, error) {
	lp, err := readLogit(params)
	if err != nil {
		return nil, err
	}
	return logitPartial(lp, x, y, false)
}

func logitHessBlock(params []byte, _ int, x, y *array.Dense) ([]float64, error) {
	lp, err := readLogit(params)
	if err != nil {
		return nil, err
	}
	return logitPartial(lp, x, y, true)
}

func logitPartial(lp logitParams, x, y *array.Dense, hess bool) ([]float64, error) {
	n, p := x.Shape[0], x.Shape[1]
	k := lp.k
	q := k * (p + 1)
	if len(lp.w) != q {
		return nil, fmt.Errorf("logistic: %d weights for %d×%d", len(lp.w), k, p+1)
	}
	size := 1 + q
	if hess {
		size += q * q
	}
	out := make([]float64, size)
	g := out[1 : 1+q]
	var loss float64
	if k == 1 {
		w, b := lp.w[:p], lp.w[p]
		pos := lp.classes[1]
		var h []float64
		if hess {
			h = out[1+q:]
		}
		for i := range n {
			row := x.Data[i*p : (i+1)*p]
			z := b
			for j, v := range row {
				z += v * w[j]
			}
			yi := 0.0
			if y.Data[i] == pos {
				yi = 1
			} else if y.Data[i] != lp.classes[0] {
				return nil, fmt.Errorf("label %v is not one of the classes %v", y.Data[i], lp.classes)
			}
			// log(1+e^z) - y z and the sigmoid from one exponential
			ez := math.Exp(-math.Abs(z))
			var s float64
			if z > 0 {
				loss += z + math.Log1p(ez) - yi*z
				s = 1 / (1 + ez)
			} else {
				loss += math.Log1p(ez) - yi*z
				s = ez / (1 + ez)
			}
			d := s - yi
			for j, v := range row {
				g[j] += d * v
			}
			g[p] += d
			if hess {
				wt := s * (1 - s)
				for j := range q {
					vj := 1.0
					if j < p {
						vj = row[j]
					}
					hr := h[j*q:]
					for l := j; l < q; l++ {
						vl := 1.0
						if l < p {
							vl = row[l]
						}
						hr[l] += wt * vj * vl
					}
				}
			}
		}
		if hess {
			for j := range q {
				for l := 0; l < j; l++ {
					out[1+q+j*q+l] = out[1+q+l*q+j]
				}
			}
		}
	} else {
		z := make([]float64, k)
		for i := range n {
			row := x.Data[i*p : (i+1)*p]
			c := classIndex(lp.classes, y.Data[i])
			if c < 0 {
				return nil, fmt.Errorf("label %v is not one of the classes %v", y.Data[i], lp.classes)
			}
			zmax := math.Inf(-1)
			for cc := range k {
				wc := lp.w[cc*(p+1) : (cc+1)*(p+1)]
				v := wc[p]
				for j, xv := range row {
					v += xv * wc[j]
				}
				z[cc] = v
				zmax = max(zmax, v)
			}
			var se float64
			for cc := range k {
				z[cc] = math.Exp(z[cc] - zmax)
				se += z[cc]
			}
			loss += math.Log(se) - math.Log(z[c])
			for cc := range k {
				d := z[cc] / se
				if cc == c {
					d--
				}
				gc := g[cc*(p+1) : (cc+1)*(p+1)]
				for j, xv := range row {
					gc[j] += d * xv
				}
				gc[p] += d
			}
		}
	}
	out[0] = loss
	return out, nil
}

func (m *LogisticModel) ok() bool { return m != nil && len(m.Coef) > 0 }

// PredictProbaBlock implements BlockProbaPredictor: rows × len(Classes).
func (m *LogisticModel) PredictProbaBlock(x *array.Dense) (*array.Dense, error) {
	p := len(m.Coef[0])
	if err := blockCols("LogisticRegression", x, p); err != nil {
		return nil, err
	}
	n, k := x.Shape[0], len(m.Classes)
	out := make([]float64, n*k)
	for i := range n {
		row := x.Data[i*p : (i+1)*p]
		o := out[i*k : (i+1)*k]
		if len(m.Coef) == 1 {
			z := m.Intercept[0]
			for j, v := range row {
				z += v * m.Coef[0][j]
			}
			s := 1 / (1 + math.Exp(-z))
			o[0], o[1] = 1-s, s
			continue
		}
		zmax := math.Inf(-1)
		for c := range k {
			z := m.Intercept[c]
			for j, v := range row {
				z += v * m.Coef[c][j]
			}
			o[c] = z
			zmax = max(zmax, z)
		}
		var se float64
		for c := range k {
			o[c] = math.Exp(o[c] - zmax)
			se += o[c]
		}
		for c := range k {
			o[c] /= se
		}
	}
	return dense2(out, n, k), nil
}

// PredictBlock implements BlockPredictor: the most probable class.
func (m *LogisticModel) PredictBlock(x *array.Dense) (*array.Dense, error) {
	pr, err := m.PredictProbaBlock(x)
	if err != nil {
		return nil, err
	}
	return argmaxClasses(pr, m.Classes), nil
}

func argmaxClasses(pr *array.Dense, classes []float64) *array.Dense {
	n, k := pr.Shape[0], pr.Shape[1]
	out := make([]float64, n)
	for i := range n {
		o := pr.Data[i*k : (i+1)*k]
		b := 0
		for c := 1; c < k; c++ {
			if o[c] > o[b] {
				b = c
			}
		}
		out[i] = classes[b]
	}
	return dense1(out)
}

// Predict returns the lazy predicted classes, one per row of X.
func (m *LogisticModel) Predict(X *array.Array) *array.Array {
	if !m.ok() {
		return noModel("LogisticRegression", "Predict")
	}
	return mapRows("LogisticRegression", m, X, rowPredict, 0)
}

// PredictProba returns the lazy class probabilities (rows × len(Classes)).
func (m *LogisticModel) PredictProba(X *array.Array) *array.Array {
	if !m.ok() {
		return noModel("LogisticRegression", "PredictProba")
	}
	return mapRows("LogisticRegression", m, X, rowProba, len(m.Classes))
}

// Score returns the accuracy on X against y.
func (m *LogisticModel) Score(ctx context.Context, X, y *array.Array, opts ...sched.Option) (float64, error) {
	if !m.ok() {
		return 0, errf("LogisticRegression", "Score before Fit")
	}
	return AccuracyScore(ctx, y, m.Predict(X), opts...)
}
