package ml

import (
	"math"
	"testing"
)

func TestPoissonMatchesSklearn(t *testing.T) {
	X, _ := matrix(t, "reg_X", 33)
	y, _ := vector(t, "pois_y", 33)
	m, err := PoissonRegression{Alpha: 0.01, Tol: 1e-10, MaxIter: 1000}.Fit(ctx, X, y)
	if err != nil {
		t.Fatal(err)
	}
	var coef []float64
	var icpt float64
	fixture(t, "pois_coef", &coef)
	fixture(t, "pois_icpt", &icpt)
	close(t, "coef", m.Coef, coef, 1e-6)
	close(t, "intercept", []float64{m.Intercept}, []float64{icpt}, 1e-6)
	pr := denseOf(t, m.Predict(X))
	x := denseOf(t, X)
	for i := range 10 {
		eta := m.Intercept
		for j, c := range m.Coef {
			eta += x.Data[i*4+j] * c
		}
		if math.Abs(pr.Data[i]-math.Exp(eta)) > 1e-12*math.Exp(eta) {
			t.Fatalf("row %d: predicted %v, exp(η) %v", i, pr.Data[i], math.Exp(eta))
		}
	}
	neg := y.MulScalar(-1)
	_, err = PoissonRegression{}.Fit(ctx, X, neg)
	wantErr(t, "negative y", err, "PoissonRegression", ">= 0")
}
