package ml

import (
	"context"
	"fmt"
	"math"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
	"gonum.org/v1/gonum/optimize"
)

// PoissonRegression is scikit-learn's PoissonRegressor: a GLM with log
// link minimising (1/n)·Σ (exp(ηᵢ) - yᵢηᵢ) + Alpha/2·‖w‖² (ηᵢ = xᵢ·w + b,
// intercept not penalised) by L-BFGS, each loss and gradient one blockwise
// pass merged by a tree. y must be non-negative.
type PoissonRegression struct {
	Alpha       float64 // default 1 (scikit-learn's default); negative for none
	MaxIter     int     // default 100
	Tol         float64 // gradient max-norm tolerance; default 1e-4
	NoIntercept bool
}

func init() {
	registerPass("ml.poisson", &passKernel{block: func(params []byte, _ int, x, y *array.Dense) ([]float64, error) {
		w := newPReader(params).floats()
		n, p := x.Shape[0], x.Shape[1]
		if len(w) != p+1 {
			return nil, fmt.Errorf("poisson: %d weights for %d features", len(w), p)
		}
		out := make([]float64, p+2)
		g := out[1:]
		for i := range n {
			row := x.Data[i*p : (i+1)*p]
			eta := w[p]
			for j, v := range row {
				eta += v * w[j]
			}
			yi := y.Data[i]
			if yi < 0 {
				return nil, fmt.Errorf("y holds %v: Poisson targets must be >= 0", yi)
			}
			mu := math.Exp(eta)
			out[0] += mu - yi*eta
			d := mu - yi
			for j, v := range row {
				g[j] += d * v
			}
			g[p] += d
		}
		return out, nil
	}})
	RegisterEstimator(PoissonRegression{})
}

func (PoissonRegression) estName() string  { return "PoissonRegression" }
func (PoissonRegression) supervised() bool { return true }

// Fit fits the coefficients on X and non-negative targets y.
func (e PoissonRegression) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*LinearModel, error) {
	m, err := fitArrays(ctx, e, X, y, opts)
	if err != nil {
		return nil, err
	}
	return m.(*LinearModel), nil
}

// FitModel implements Estimator.
func (e PoissonRegression) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e PoissonRegression) fitRows(ctx context.Context, r rows) (Model, error) {
	alpha := e.Alpha
	if alpha == 0 {
		alpha = 1
	} else if alpha < 0 {
		alpha = 0
	}
	maxIter, tol := e.MaxIter, e.Tol
	if maxIter == 0 {
		maxIter = 100
	}
	if tol == 0 {
		tol = 1e-4
	}
	n, p := r.dims()
	var perr error
	var lastX, lastG []float64
	var lastF float64
	passes := 0
	eval := func(w []float64) (float64, []float64) {
		if lastX != nil && equalFloats(lastX, w) {
			return lastF, lastG
		}
		out, err := r.pass(ctx, "ml.poisson", appendFloats(nil, w), p+2, passes == 0)
		passes++
		if err != nil {
			perr = err
			return math.NaN(), make([]float64, p+1)
		}
		f := out[0] / float64(n)
		g := out[1:]
		for j := range g {
			g[j] /= float64(n)
		}
		for j := range p {
			f += alpha / 2 * w[j] * w[j]
			g[j] += alpha * w[j]
		}
		if e.NoIntercept {
			g[p] = 0
		}
		lastX, lastF, lastG = append(lastX[:0], w...), f, g
		return f, g
	}
	prob := optimize.Problem{
		Func: func(w []float64) float64 { f, _ := eval(w); return f },
		Grad: func(grad, w []float64) { _, g := eval(w); copy(grad, g) },
		Status: func() (optimize.Status, error) {
			if perr != nil {
				return optimize.Failure, perr
			}
			return optimize.NotTerminated, nil
		},
	}
	res, err := optimize.Minimize(prob, make([]float64, p+1), &optimize.Settings{GradientThreshold: tol, MajorIterations: maxIter,
		Converger: &optimize.FunctionConverge{Absolute: 1e-14, Relative: 1e-14, Iterations: 20}}, &optimize.LBFGS{Store: 10})
	if perr != nil {
		return nil, perr
	}
	if res == nil {
		return nil, err
	}
	return &LinearModel{Estimator: "PoissonRegression", Link: "log", Coef: res.X[:p], Intercept: res.X[p],
		NIter: res.MajorIterations, Converged: err == nil && res.Status == optimize.GradientThreshold}, nil
}
