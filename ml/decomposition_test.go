package ml

import (
	"math"
	"testing"
)

func TestPCAMatchesSklearn(t *testing.T) {
	X, _ := matrix(t, "pca_X", 40)
	evr, sv, comp := svdFixture(t, "pca")
	check := func(name string, m *PCAModel, tol float64) {
		t.Helper()
		checkSVD(t, name, m, evr, sv, comp, tol, tol)
	}
	m, err := PCA{NComponents: 3}.Fit(ctx, X, nil, loop...)
	if err != nil {
		t.Fatal(err)
	}
	check("full", m, 1e-9)
	r, err := PCA{NComponents: 3, SVDSolver: "randomized", NIter: 8}.Fit(ctx, X, nil)
	if err != nil {
		t.Fatal(err)
	}
	check("randomized", r, 1e-6)
	xs, _ := localBlocks(t, X, X.Sum(1))
	lm, err := PCA{NComponents: 3}.fitRows(ctx, newLocalRows(xs, nil))
	if err != nil {
		t.Fatal(err)
	}
	check("in-memory", lm.(*PCAModel), 1e-8)

	// InverseTransform of Transform with all components is the identity.
	all, err := PCA{}.Fit(ctx, X, nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := all.InverseTransform(all.Transform(X)).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := X.Compute(ctx)
	close(t, "round trip", back.Data, x.Data, 1e-9)
	// the scores of the first component have variance ExplainedVariance[0]
	z, _ := m.Transform(X).Compute(ctx)
	var mean, ss float64
	for i := range 150 {
		mean += z.Data[i*3] / 150
	}
	for i := range 150 {
		ss += (z.Data[i*3] - mean) * (z.Data[i*3] - mean)
	}
	if d := math.Abs(ss/149 - m.ExplainedVariance[0]); d > 1e-8*m.ExplainedVariance[0] {
		t.Fatalf("score variance %v, explained variance %v", ss/149, m.ExplainedVariance[0])
	}
	if _, err := (TruncatedSVD{NComponents: 2, Algorithm: "tsqr"}).Fit(ctx, X, nil); err != nil {
		t.Fatal(err)
	}
}

// svdFixture reads scikit-learn's explained variance ratio, singular
// values and components stored under prefix.
func svdFixture(t *testing.T, prefix string) (evr, sv []float64, comp [][]float64) {
	t.Helper()
	fixture(t, prefix+"_evr", &evr)
	fixture(t, prefix+"_sv", &sv)
	fixture(t, prefix+"_comp", &comp)
	return evr, sv, comp
}

// checkSVD compares a fitted decomposition with scikit-learn's: explained
// variance ratio and components (up to sign) to tol, singular values to
// svTol.
func checkSVD(t *testing.T, name string, m *PCAModel, evr, sv []float64, comp [][]float64, tol, svTol float64) {
	t.Helper()
	close(t, name+" evr", m.ExplainedVarianceRatio, evr, tol)
	close(t, name+" singular values", m.SingularValues, sv, svTol)
	for c := range comp {
		got := m.Components[c]
		if got[0]*comp[c][0] < 0 { // sign convention may differ
			got = append([]float64(nil), got...)
			for j := range got {
				got[j] = -got[j]
			}
		}
		close(t, name+" component", got, comp[c], tol)
	}
}

// TruncatedSVD (no centring), tsqr and randomized, against scikit-learn's
// exact (arpack) fit: singular values, explained variance ratio, components
// up to sign.
func TestTruncatedSVDMatchesSklearn(t *testing.T) {
	X, _ := matrix(t, "pca_X", 40)
	evr, sv, comp := svdFixture(t, "tsvd")
	for _, c := range []struct {
		alg string
		tol float64
	}{{"tsqr", 1e-9}, {"randomized", 1e-5}} {
		m, err := TruncatedSVD{NComponents: 3, Algorithm: c.alg, NIter: 10, Seed: 1}.Fit(ctx, X, nil, loop...)
		if err != nil {
			t.Fatal(err)
		}
		checkSVD(t, c.alg, m, evr, sv, comp, c.tol, c.tol*sv[0])
	}
}
