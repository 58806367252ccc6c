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

// PCA is principal component analysis, as scikit-learn's: the data are
// centred (one moments pass), then SVDSolver "full" (the default) takes the
// SVD of the R factor of TSQR of the centred X (linalg.TSQR; one more pass,
// Q is never formed) and "randomized" takes linalg.SVDCompressed with NIter
// power iterations. Components' signs are fixed so the largest-magnitude
// entry of each is positive (scikit-learn fixes them by U, so a component
// may be the negation of scikit-learn's).
type PCA struct {
	NComponents int    // 0 means min(rows, features)
	SVDSolver   string // "full" (default) or "randomized"
	NIter       int    // power iterations of randomized; 0 means 4
	Whiten      bool
	Seed        uint64
}

// PCAModel is a fitted PCA.
type PCAModel struct {
	Components             [][]float64 // NComponents × features
	ExplainedVariance      []float64
	ExplainedVarianceRatio []float64
	SingularValues         []float64
	Mean                   []float64
	NSamples               int
	NoiseVariance          float64
	Whiten                 bool
	Center                 bool // false for TruncatedSVD
}

func init() { RegisterModel(&PCAModel{}) }

// ModelName implements Model.
func (*PCAModel) ModelName() string { return "PCAModel" }

func (PCA) estName() string  { return "PCA" }
func (PCA) supervised() bool { return false }

// Fit fits the principal axes of X (y is ignored and may be nil).
func (e PCA) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*PCAModel, error) {
	x, err := checkX("PCA", X)
	if err != nil {
		return nil, err
	}
	if e.SVDSolver != "" && e.SVDSolver != "full" && e.SVDSolver != "randomized" {
		return nil, errf("PCA", "unknown SVDSolver %q (want full or randomized)", e.SVDSolver)
	}
	sh := x.Shape()
	n, p := sh[0], sh[1]
	k := e.NComponents
	if k == 0 {
		k = min(n, p)
	}
	if k < 0 || k > min(n, p) {
		return nil, errf("PCA", "NComponents = %d: want 1..min(rows, features) = %d", k, min(n, p))
	}
	if n < p {
		return nil, errf("PCA", "X has %d rows and %d features: want at least as many rows as features (tall data)", n, p)
	}
	lr := &lazyRows{x: x, opts: opts}
	_, mean, v, err := moments(ctx, lr)
	if err != nil {
		return nil, fmt.Errorf("ml: PCA: fit: %w", err)
	}
	xc := x.Sub(array.FromSlice(mean, []int{p}, nil))
	var s, vt []float64
	if e.SVDSolver == "randomized" {
		it := e.NIter
		if it == 0 {
			it = 4
		}
		_, sa, va := linalg.SVDCompressed(xc, k, it, e.Seed)
		ds, err := array.ComputeAll(ctx, []*array.Array{sa, va}, opts...)
		if err != nil {
			return nil, fmt.Errorf("ml: PCA: fit: %w", err)
		}
		s, vt = ds[0].Data, ds[1].Data
	} else {
		_, r := linalg.TSQR(xc)
		rd, err := r.Compute(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("ml: PCA: fit: %w", err)
		}
		s, vt = svdSmall(rd.Data, p)
	}
	var total float64
	for _, x := range v {
		total += x * float64(n) / float64(n-1)
	}
	return pcaModel(s, vt, k, p, n, mean, total, e.Whiten, true), nil
}

// svdSmall returns the singular values and Vᵀ (row-major p×p) of a p×p
// matrix.
func svdSmall(a []float64, p int) ([]float64, []float64) {
	var svd mat.SVD
	svd.Factorize(mat.NewDense(p, p, append([]float64(nil), a...)), mat.SVDThin)
	s := svd.Values(nil)
	var v mat.Dense
	svd.VTo(&v)
	vt := make([]float64, p*p)
	for i := range p {
		for j := range p {
			vt[i*p+j] = v.At(j, i)
		}
	}
	return s, vt
}

func pcaModel(s, vt []float64, k, p, n int, mean []float64, total float64, whiten, center bool) *PCAModel {
	m := &PCAModel{Mean: mean, NSamples: n, Whiten: whiten, Center: center}
	var rest float64
	for i, sv := range s {
		ev := sv * sv / float64(n-1)
		if i < k {
			comp := append([]float64(nil), vt[i*p:(i+1)*p]...)
			big := 0
			for j := range comp {
				if math.Abs(comp[j]) > math.Abs(comp[big]) {
					big = j
				}
			}
			if comp[big] < 0 {
				for j := range comp {
					comp[j] = -comp[j]
				}
			}
			m.Components = append(m.Components, comp)
			m.SingularValues = append(m.SingularValues, sv)
			m.ExplainedVariance = append(m.ExplainedVariance, ev)
			r := 0.0
			if total > 0 {
				r = ev / total
			}
			m.ExplainedVarianceRatio = append(m.ExplainedVarianceRatio, r)
		} else {
			rest += ev
		}
	}
	if len(s) > k && min(n, p) > k {
		m.NoiseVariance = rest / float64(min(n, p)-k)
	}
	return m
}

// FitModel implements Estimator.
func (e PCA) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}

func (e PCA) fitRows(ctx context.Context, r rows) (Model, error) {
	// In memory (a grid-search fold): eigen-decomposition of the covariance
	// of one Gram pass.
	n, p := r.dims()
	k := e.NComponents
	if k == 0 {
		k = min(n, p)
	}
	if k < 0 || k > min(n, p) {
		return nil, errf("PCA", "NComponents = %d: want 1..%d", k, min(n, p))
	}
	_, mean, v, err := moments(ctx, r)
	if err != nil {
		return nil, err
	}
	g, err := r.pass(ctx, "ml.cov", appendFloats(nil, mean), p*p, false)
	if err != nil {
		return nil, err
	}
	var eig mat.EigenSym
	if !eig.Factorize(mat.NewSymDense(p, g), true) {
		return nil, errf("PCA", "eigen-decomposition failed")
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	s := make([]float64, p)
	vt := make([]float64, p*p)
	for i := range p { // descending
		c := p - 1 - i
		s[i] = math.Sqrt(max(vals[c], 0))
		for j := range p {
			vt[i*p+j] = vecs.At(j, c)
		}
	}
	var total float64
	for _, x := range v {
		total += x * float64(n) / float64(n-1)
	}
	return pcaModel(s, vt, k, p, n, mean, total, e.Whiten, true), nil
}

func init() {
	registerPass("ml.cov", &passKernel{block: func(params []byte, _ int, x, _ *array.Dense) ([]float64, error) {
		mean := newPReader(params).floats()
		n, p := x.Shape[0], x.Shape[1]
		g := make([]float64, p*p)
		row := make([]float64, p)
		for i := range n {
			for j := range p {
				row[j] = x.Data[i*p+j] - mean[j]
			}
			for j, vj := range row {
				gr := g[j*p : j*p+p]
				for l := j; l < p; l++ {
					gr[l] += vj * row[l]
				}
			}
		}
		for j := range p {
			for l := 0; l < j; l++ {
				g[j*p+l] = g[l*p+j]
			}
		}
		return g, nil
	}})
}

func (m *PCAModel) ok() bool { return m != nil && len(m.Components) > 0 }

// TransformBlock implements BlockTransformer: (x - Mean)·Componentsᵀ,
// divided by √ExplainedVariance when Whiten.
func (m *PCAModel) TransformBlock(x *array.Dense) (*array.Dense, error) {
	k, p := len(m.Components), len(m.Components[0])
	if err := blockCols("PCA", x, p); err != nil {
		return nil, err
	}
	n := x.Shape[0]
	out := make([]float64, n*k)
	row := make([]float64, p)
	for i := range n {
		copy(row, x.Data[i*p:(i+1)*p])
		if m.Center {
			for j := range row {
				row[j] -= m.Mean[j]
			}
		}
		for c, comp := range m.Components {
			var s float64
			for j, v := range row {
				s += v * comp[j]
			}
			if m.Whiten && m.ExplainedVariance[c] > 0 {
				s /= math.Sqrt(m.ExplainedVariance[c])
			}
			out[i*k+c] = s
		}
	}
	return dense2(out, n, k), nil
}

// Transform returns the lazy projection of X on the components.
func (m *PCAModel) Transform(X *array.Array) *array.Array {
	if !m.ok() {
		return noModel("PCA", "Transform")
	}
	return mapRows("PCA", m, X, rowTransform, len(m.Components))
}

// pcaInverse maps scores back to the feature space.
type pcaInverse struct{ M *PCAModel }

func init() { RegisterModel(&pcaInverse{}) }

func (*pcaInverse) ModelName() string { return "PCAInverse" }

func (iv *pcaInverse) TransformBlock(z *array.Dense) (*array.Dense, error) {
	m := iv.M
	k, p := len(m.Components), len(m.Components[0])
	if err := blockCols("PCA", z, k); err != nil {
		return nil, err
	}
	n := z.Shape[0]
	out := make([]float64, n*p)
	for i := range n {
		o := out[i*p : (i+1)*p]
		if m.Center {
			copy(o, m.Mean)
		}
		for c, comp := range m.Components {
			s := z.Data[i*k+c]
			if m.Whiten {
				s *= math.Sqrt(m.ExplainedVariance[c])
			}
			for j, v := range comp {
				o[j] += s * v
			}
		}
	}
	return dense2(out, n, p), nil
}

// InverseTransform maps component scores (rows × NComponents) back to the
// feature space, lazily.
func (m *PCAModel) InverseTransform(Z *array.Array) *array.Array {
	if !m.ok() {
		return noModel("PCA", "InverseTransform")
	}
	return mapRows("PCA", &pcaInverse{M: m}, Z, rowTransform, len(m.Components[0]))
}

// TruncatedSVD is scikit-learn's TruncatedSVD: the leading singular
// vectors of X without centring. Algorithm "randomized" (the default)
// uses linalg.SVDCompressed with NIter power iterations (default 5); "tsqr"
// the exact SVD of TSQR's R factor. ExplainedVariance is the variance of
// each transformed column, as scikit-learn reports it.
type TruncatedSVD struct {
	NComponents int    // default 2
	Algorithm   string // "randomized" (default) or "tsqr"
	NIter       int
	Seed        uint64
}

func (TruncatedSVD) estName() string { return "TruncatedSVD" }

// Fit fits the components of X (y is ignored).
func (e TruncatedSVD) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (*PCAModel, error) {
	x, err := checkX("TruncatedSVD", X)
	if err != nil {
		return nil, err
	}
	if e.Algorithm != "" && e.Algorithm != "randomized" && e.Algorithm != "tsqr" {
		return nil, errf("TruncatedSVD", "unknown Algorithm %q (want randomized or tsqr)", e.Algorithm)
	}
	n, p := x.Shape()[0], x.Shape()[1]
	k := e.NComponents
	if k == 0 {
		k = 2
	}
	if k < 1 || k > min(n, p) || n < p {
		return nil, errf("TruncatedSVD", "NComponents = %d for X of shape %v: want 1..min(shape) on tall data", k, x.Shape())
	}
	var s, vt []float64
	if e.Algorithm == "tsqr" {
		_, r := linalg.TSQR(x)
		rd, err := r.Compute(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("ml: TruncatedSVD: fit: %w", err)
		}
		s, vt = svdSmall(rd.Data, p)
	} else {
		it := e.NIter
		if it == 0 {
			it = 5
		}
		_, sa, va := linalg.SVDCompressed(x, k, it, e.Seed)
		ds, err := array.ComputeAll(ctx, []*array.Array{sa, va}, opts...)
		if err != nil {
			return nil, fmt.Errorf("ml: TruncatedSVD: fit: %w", err)
		}
		s, vt = ds[0].Data, ds[1].Data
	}
	m := pcaModel(s, vt, k, p, n, make([]float64, p), 0, false, false)
	ds, err := array.ComputeAll(ctx, []*array.Array{m.Transform(x).Var(0), x.Var(0)}, opts...)
	if err != nil {
		return nil, fmt.Errorf("ml: TruncatedSVD: fit: %w", err)
	}
	var total float64
	for _, v := range ds[1].Data {
		total += v
	}
	for c := range k {
		m.ExplainedVariance[c] = ds[0].Data[c]
		m.ExplainedVarianceRatio[c] = ds[0].Data[c] / total
	}
	return m, nil
}

// FitModel implements Estimator.
func (e TruncatedSVD) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return e.Fit(ctx, X, y, opts...)
}
