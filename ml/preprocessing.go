package ml

import (
	"context"
	"fmt"
	"math"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
)

func init() {
	RegisterModel(&StandardScalerModel{})
	RegisterModel(&MinMaxScalerModel{})
	// [n, mean(p), M2(p)] merged with Chan et al.'s formula.
	registerPass("ml.moments", &passKernel{
		block: func(_ []byte, _ int, x, _ *array.Dense) ([]float64, error) {
			n, p := x.Shape[0], x.Shape[1]
			out := make([]float64, 1+2*p)
			mean, m2 := out[1:1+p], out[1+p:]
			for i := range n {
				for j, v := range x.Data[i*p : (i+1)*p] {
					mean[j] += v
				}
			}
			if n > 0 {
				for j := range mean {
					mean[j] /= float64(n)
				}
			}
			for i := range n {
				for j, v := range x.Data[i*p : (i+1)*p] {
					d := v - mean[j]
					m2[j] += d * d
				}
			}
			out[0] = float64(n)
			return out, nil
		},
		merge: func(_ []byte, a, b []float64) {
			p := (len(a) - 1) / 2
			na, nb := a[0], b[0]
			n := na + nb
			if nb == 0 {
				return
			}
			for j := range p {
				d := b[1+j] - a[1+j]
				a[1+p+j] += b[1+p+j] + d*d*na*nb/n
				a[1+j] += d * nb / n
			}
			a[0] = n
		},
	})
	registerPass("ml.minmax", &passKernel{
		block: func(_ []byte, _ int, x, _ *array.Dense) ([]float64, error) {
			n, p := x.Shape[0], x.Shape[1]
			out := make([]float64, 2*p)
			for j := range p {
				out[j], out[p+j] = math.Inf(1), math.Inf(-1)
			}
			for i := range n {
				for j, v := range x.Data[i*p : (i+1)*p] {
					out[j] = min(out[j], v)
					out[p+j] = max(out[p+j], v)
				}
			}
			return out, nil
		},
		merge: func(_ []byte, a, b []float64) {
			p := len(a) / 2
			for j := range p {
				a[j] = min(a[j], b[j])
				a[p+j] = max(a[p+j], b[p+j])
			}
		},
	})
}

// moments returns the row count, column means and population variances.
func moments(ctx context.Context, r rows) (n float64, mean, variance []float64, err error) {
	_, p := r.dims()
	out, err := r.pass(ctx, "ml.moments", nil, 1+2*p, true)
	if err != nil {
		return 0, nil, nil, err
	}
	n = out[0]
	mean = out[1 : 1+p]
	variance = out[1+p:]
	for j := range variance {
		variance[j] /= n
	}
	return n, mean, variance, nil
}

// StandardScaler standardises features: (x - mean) / std, as
// scikit-learn's (population std; a constant feature keeps scale 1). One
// pass: per-block moments merged with Chan's formula.
type StandardScaler struct {
	NoMean, NoStd bool // scikit-learn's with_mean=False / with_std=False
}

// StandardScalerModel is a fitted StandardScaler.
type StandardScalerModel struct {
	Mean, Var, Scale []float64
	NSamples         int
	NoMean, NoStd    bool
}

// ModelName implements Model.
func (*StandardScalerModel) ModelName() string { return "StandardScalerModel" }

func (StandardScaler) estName() string  { return "StandardScaler" }
func (StandardScaler) supervised() bool { return false }

// Fit computes the means and standard deviations of X's columns (y is
// ignored and may be nil).
func (e StandardScaler) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*StandardScalerModel, error) {
	m, err := fitArrays(ctx, e, X, nil, opts)
	if err != nil {
		return nil, err
	}
	return m.(*StandardScalerModel), nil
}

// FitModel implements Estimator.
func (e StandardScaler) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e StandardScaler) fitRows(ctx context.Context, r rows) (Model, error) {
	n, mean, v, err := moments(ctx, r)
	if err != nil {
		return nil, err
	}
	m := &StandardScalerModel{Mean: mean, Var: v, Scale: make([]float64, len(v)), NSamples: int(n), NoMean: e.NoMean, NoStd: e.NoStd}
	for j, x := range v {
		s := math.Sqrt(x)
		if s < 10*math.SmallestNonzeroFloat64 || s <= 1e-12*math.Abs(mean[j]) {
			s = 1
		}
		m.Scale[j] = s
	}
	return m, nil
}

// TransformBlock implements BlockTransformer.
func (m *StandardScalerModel) TransformBlock(x *array.Dense) (*array.Dense, error) {
	p := len(m.Mean)
	if err := blockCols("StandardScaler", x, p); err != nil {
		return nil, err
	}
	out := make([]float64, len(x.Data))
	for i := 0; i < len(out); i += p {
		for j := range p {
			v := x.Data[i+j]
			if !m.NoMean {
				v -= m.Mean[j]
			}
			if !m.NoStd {
				v /= m.Scale[j]
			}
			out[i+j] = v
		}
	}
	return dense2(out, x.Shape[0], p), nil
}

// Transform returns the lazy standardised X, with X's row chunks.
func (m *StandardScalerModel) Transform(X *array.Array) *array.Array {
	if m == nil || m.Mean == nil {
		return noModel("StandardScaler", "Transform")
	}
	return mapRows("StandardScaler", m, X, rowTransform, len(m.Mean))
}

// InverseTransform undoes Transform: x·scale + mean, lazily.
func (m *StandardScalerModel) InverseTransform(X *array.Array) *array.Array {
	if m == nil || m.Mean == nil {
		return noModel("StandardScaler", "InverseTransform")
	}
	inv := &affineModel{Name: "StandardScaler", Mul: make([]float64, len(m.Mean)), Add: make([]float64, len(m.Mean))}
	for j := range m.Mean {
		inv.Mul[j], inv.Add[j] = 1, 0
		if !m.NoStd {
			inv.Mul[j] = m.Scale[j]
		}
		if !m.NoMean {
			inv.Add[j] = m.Mean[j]
		}
	}
	return mapRows("StandardScaler", inv, X, rowTransform, len(m.Mean))
}

// affineModel maps x to x·Mul + Add per column (inverse transforms).
type affineModel struct {
	Name     string
	Mul, Add []float64
}

func init() { RegisterModel(&affineModel{}) }

func (*affineModel) ModelName() string { return "affine" }

func (m *affineModel) TransformBlock(x *array.Dense) (*array.Dense, error) {
	p := len(m.Mul)
	if err := blockCols(m.Name, x, p); err != nil {
		return nil, err
	}
	out := make([]float64, len(x.Data))
	for i := 0; i < len(out); i += p {
		for j := range p {
			out[i+j] = x.Data[i+j]*m.Mul[j] + m.Add[j]
		}
	}
	return dense2(out, x.Shape[0], p), nil
}

// MinMaxScaler scales each feature to FeatureRange (default [0, 1]) by
// its minimum and maximum, one pass.
type MinMaxScaler struct {
	FeatureRange [2]float64 // [0, 0] means [0, 1]
}

// MinMaxScalerModel is a fitted MinMaxScaler: x·Scale + Min.
type MinMaxScalerModel struct {
	DataMin, DataMax, Scale, Min []float64
}

// ModelName implements Model.
func (*MinMaxScalerModel) ModelName() string { return "MinMaxScalerModel" }

func (MinMaxScaler) estName() string  { return "MinMaxScaler" }
func (MinMaxScaler) supervised() bool { return false }

// Fit computes the column minima and maxima (y is ignored).
func (e MinMaxScaler) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*MinMaxScalerModel, error) {
	if e.FeatureRange[0] > e.FeatureRange[1] {
		return nil, errf("MinMaxScaler", "FeatureRange %v: minimum above maximum", e.FeatureRange)
	}
	m, err := fitArrays(ctx, e, X, nil, opts)
	if err != nil {
		return nil, err
	}
	return m.(*MinMaxScalerModel), nil
}

// FitModel implements Estimator.
func (e MinMaxScaler) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e MinMaxScaler) fitRows(ctx context.Context, r rows) (Model, error) {
	_, p := r.dims()
	out, err := r.pass(ctx, "ml.minmax", nil, 2*p, true)
	if err != nil {
		return nil, err
	}
	lo, hi := e.FeatureRange[0], e.FeatureRange[1]
	if lo == 0 && hi == 0 {
		hi = 1
	}
	m := &MinMaxScalerModel{DataMin: out[:p], DataMax: out[p:], Scale: make([]float64, p), Min: make([]float64, p)}
	for j := range p {
		rng := m.DataMax[j] - m.DataMin[j]
		if rng == 0 {
			rng = 1
		}
		m.Scale[j] = (hi - lo) / rng
		m.Min[j] = lo - m.DataMin[j]*m.Scale[j]
	}
	return m, nil
}

// TransformBlock implements BlockTransformer.
func (m *MinMaxScalerModel) TransformBlock(x *array.Dense) (*array.Dense, error) {
	return (&affineModel{Name: "MinMaxScaler", Mul: m.Scale, Add: m.Min}).TransformBlock(x)
}

// Transform returns the lazy scaled X.
func (m *MinMaxScalerModel) Transform(X *array.Array) *array.Array {
	if m == nil || m.Scale == nil {
		return noModel("MinMaxScaler", "Transform")
	}
	return mapRows("MinMaxScaler", m, X, rowTransform, len(m.Scale))
}

var _ = fmt.Sprint
