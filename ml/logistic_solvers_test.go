package ml

import (
	"testing"
	"time"
)

// The L1 and elastic-net solvers against scikit-learn's saga at tight
// tolerance: binary and multinomial, every solver, coefficients to 1e-4.
func TestL1SolversMatchSklearn(t *testing.T) {
	type fit struct {
		data, name string
		e          LogisticRegression
	}
	var cases []fit
	for _, s := range []string{"proximal", "owlqn"} {
		cases = append(cases,
			fit{"bin", "bin_l1", LogisticRegression{C: 0.1, Penalty: "l1", Solver: s, Tol: 1e-9, MaxIter: 2000}},
			fit{"bin", "bin_en", LogisticRegression{C: 0.1, Penalty: "elasticnet", L1Ratio: 0.5, Solver: s, Tol: 1e-9, MaxIter: 2000}},
			fit{"mul", "mul_l1", LogisticRegression{C: 0.05, Penalty: "l1", Solver: s, Tol: 1e-9, MaxIter: 2000}},
			fit{"mul", "mul_en", LogisticRegression{C: 0.05, Penalty: "elasticnet", L1Ratio: 0.3, Solver: s, Tol: 1e-9, MaxIter: 2000}},
		)
	}
	// ADMM (slower to a tight tolerance: one l1 and one elastic net), and
	// l2 through ADMM and OWL-QN agrees with the lbfgs fixture too
	cases = append(cases,
		fit{"bin", "bin_l1", LogisticRegression{C: 0.1, Penalty: "l1", Solver: "admm", Tol: 1e-7, MaxIter: 2000}},
		fit{"bin", "bin_en", LogisticRegression{C: 0.1, Penalty: "elasticnet", L1Ratio: 0.5, Solver: "admm", Tol: 1e-7, MaxIter: 2000}},
		fit{"bin", "bin_C0.5", LogisticRegression{C: 0.5, Solver: "admm", Tol: 1e-7, MaxIter: 2000}},
		fit{"bin", "bin_C0.5", LogisticRegression{C: 0.5, Solver: "owlqn", Tol: 1e-9, MaxIter: 2000}})
	for _, c := range cases {
		X, _ := matrix(t, c.data+"_X", 47)
		y, _ := vector(t, c.data+"_y", 47)
		t0 := time.Now()
		m, err := c.e.Fit(ctx, X, y)
		if err != nil {
			t.Fatalf("%s %s: %v", c.name, c.e.Solver, err)
		}
		var coef [][]float64
		var icpt []float64
		fixture(t, c.name+"_coef", &coef)
		fixture(t, c.name+"_icpt", &icpt)
		close(t, c.name+" "+c.e.Solver+" coef", flat(m.Coef), flat(coef), 1e-4)
		close(t, c.name+" "+c.e.Solver+" intercept", m.Intercept, icpt, 1e-4)
		if !m.Converged {
			t.Errorf("%s %s: not converged after %d iterations", c.name, c.e.Solver, m.NIter)
		}
		t.Logf("%s %s: %d iterations, %v", c.name, c.e.Solver, m.NIter, time.Since(t0))
	}
}
