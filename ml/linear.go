package ml

import (
	"context"
	"fmt"
	"math"

	"github.com/godask/godask/array"
	"github.com/godask/godask/array/linalg"
	"github.com/godask/godask/sched"
	"gonum.org/v1/gonum/mat"
)

// LinearRegression is ordinary least squares, as scikit-learn's: the
// solution comes from TSQR of [X 1 y] (linalg.Lstsq), one pass over the
// data, no normal equations. FitIntercept false fits through the origin
// (NoIntercept, so the zero value fits an intercept as scikit-learn).
type LinearRegression struct {
	NoIntercept bool
}

// LinearModel is a fitted linear regression (LinearRegression,
// PoissonRegression): prediction = X·Coef + Intercept (through the inverse
// link for Poisson).
type LinearModel struct {
	Estimator string
	Coef      []float64
	Intercept float64
	Link      string // "identity" or "log"
	NIter     int
	Converged bool
}

func init() {
	RegisterModel(&LinearModel{})
	array.RegisterMapFunc("ml.addones", func(b []*array.Dense) (*array.Dense, error) {
		x := b[0]
		n, p := x.Shape[0], x.Shape[1]
		out := make([]float64, n*(p+1))
		for i := range n {
			copy(out[i*(p+1):], x.Data[i*p:(i+1)*p])
			out[i*(p+1)+p] = 1
		}
		return dense2(out, n, p+1), nil
	})
}

func (LinearRegression) estName() string  { return "LinearRegression" }
func (LinearRegression) supervised() bool { return true }

// ModelName implements Model.
func (*LinearModel) ModelName() string { return "LinearModel" }

// Fit fits the least-squares coefficients of y on X.
func (e LinearRegression) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*LinearModel, error) {
	x, yy, err := checkXY(e.estName(), X, y)
	if err != nil {
		return nil, err
	}
	a := x
	p := x.Shape()[1]
	if !e.NoIntercept {
		a = array.MapBlocks("ml.addones", array.Float64, array.Explicit{x.Chunks()[0], {p + 1}}, x)
	}
	// The NaN check rides on the same pass: a NaN makes TSQR's R NaN.
	w, err := linalg.Lstsq(a, yy).Compute(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("ml: LinearRegression: fit: %w", err)
	}
	m := &LinearModel{Estimator: "LinearRegression", Link: "identity", Coef: append([]float64(nil), w.Data[:p]...), NIter: 1, Converged: true}
	if !e.NoIntercept {
		m.Intercept = w.Data[p]
	}
	for _, v := range w.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errf("LinearRegression", "the solution holds %v: X or y holds NaN or Inf (impute or drop them first)", v)
		}
	}
	return m, nil
}

// FitModel implements Estimator.
func (e LinearRegression) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e LinearRegression) fitRows(ctx context.Context, r rows) (Model, error) {
	// In memory (a grid-search fold): the normal equations of a pass of
	// Gram partials, solved by Cholesky of the small (p+1)² system.
	_, p := r.dims()
	q := p + 1
	if e.NoIntercept {
		q = p
	}
	g, err := r.pass(ctx, "ml.gram", appendInt(nil, boolInt(!e.NoIntercept)), q*q+q, true)
	if err != nil {
		return nil, err
	}
	w, err := solveSPD(g[:q*q], g[q*q:], q)
	if err != nil {
		return nil, errf("LinearRegression", "%v", err)
	}
	m := &LinearModel{Estimator: "LinearRegression", Link: "identity", Coef: w[:p], NIter: 1, Converged: true}
	if !e.NoIntercept {
		m.Intercept = w[p]
	}
	return m, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// PredictBlock implements BlockPredictor.
func (m *LinearModel) PredictBlock(x *array.Dense) (*array.Dense, error) {
	if err := blockCols(m.Estimator, x, len(m.Coef)); err != nil {
		return nil, err
	}
	n, p := x.Shape[0], len(m.Coef)
	out := make([]float64, n)
	for i := range n {
		v := m.Intercept
		row := x.Data[i*p : (i+1)*p]
		for j, c := range m.Coef {
			v += row[j] * c
		}
		if m.Link == "log" {
			v = math.Exp(v)
		}
		out[i] = v
	}
	return dense1(out), nil
}

// Predict returns the lazy predictions, one per row of X.
func (m *LinearModel) Predict(X *array.Array) *array.Array {
	if m == nil || m.Coef == nil {
		return noModel("LinearModel", "Predict")
	}
	return mapRows(m.Estimator, m, X, rowPredict, 0)
}

// Score returns R² of the predictions on X against y.
func (m *LinearModel) Score(ctx context.Context, X, y *array.Array, opts ...sched.Option) (float64, error) {
	if m == nil || m.Coef == nil {
		return 0, errf("LinearModel", "Score before Fit")
	}
	return R2Score(ctx, y, m.Predict(X), opts...)
}

func init() {
	registerPass("ml.gram", &passKernel{block: func(p []byte, _ int, x, y *array.Dense) ([]float64, error) {
		icpt := newPReader(p).int() == 1
		n, d := x.Shape[0], x.Shape[1]
		q := d
		if icpt {
			q++
		}
		out := make([]float64, q*q+q)
		g, b := out[:q*q], out[q*q:]
		row := make([]float64, q)
		for i := range n {
			copy(row, x.Data[i*d:(i+1)*d])
			if icpt {
				row[d] = 1
			}
			yi := y.Data[i]
			for j, vj := range row {
				if vj == 0 {
					continue
				}
				gr := g[j*q : j*q+q]
				for k := j; k < q; k++ {
					gr[k] += vj * row[k]
				}
				b[j] += vj * yi
			}
		}
		for j := range q {
			for k := 0; k < j; k++ {
				g[j*q+k] = g[k*q+j]
			}
		}
		return out, nil
	}})
}

// solveSPD solves g w = b for a symmetric positive definite q×q g.
func solveSPD(g, b []float64, q int) ([]float64, error) {
	var ch mat.Cholesky
	if !ch.Factorize(mat.NewSymDense(q, append([]float64(nil), g...))) {
		return nil, fmt.Errorf("the %d×%d system is singular (collinear or constant features)", q, q)
	}
	var w mat.VecDense
	if err := ch.SolveVecTo(&w, mat.NewVecDense(q, append([]float64(nil), b...))); err != nil {
		return nil, err
	}
	return append([]float64(nil), w.RawVector().Data...), nil
}
