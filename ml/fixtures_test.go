package ml

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
)

var ctx = context.Background()

type fixtures map[string]json.RawMessage

var fx fixtures

func fixture(t *testing.T, name string, v any) {
	t.Helper()
	if fx == nil {
		b, err := os.ReadFile("testdata/sklearn_fixtures.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &fx); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"testdata/sklearn_fixtures2.json", "testdata/sklearn_fixtures3.json", "testdata/sklearn_fixtures4.json"} {
			var more fixtures
			if b, err = os.ReadFile(name); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &more); err != nil {
				t.Fatal(err)
			}
			for k, v := range more {
				fx[k] = v
			}
		}
	}
	raw, ok := fx[name]
	if !ok {
		t.Fatalf("no fixture %s", name)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
}

// matrix returns fixture name as a row-chunked array (uneven chunks).
func matrix(t *testing.T, name string, chunk int) (*array.Array, [][]float64) {
	t.Helper()
	var rows [][]float64
	fixture(t, name, &rows)
	var flat []float64
	for _, r := range rows {
		flat = append(flat, r...)
	}
	return array.FromSlice(flat, []int{len(rows), len(rows[0])}, array.Regular{chunk, len(rows[0])}), rows
}

func vector(t *testing.T, name string, chunk int) (*array.Array, []float64) {
	t.Helper()
	var v []float64
	fixture(t, name, &v)
	return array.FromSlice(v, []int{len(v)}, array.Regular{chunk}), v
}

func close(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); d > tol*math.Max(1, math.Abs(want[i])) || math.IsNaN(got[i]) {
			t.Fatalf("%s[%d]: got %.10g, want %.10g (got %v, want %v)", what, i, got[i], want[i], got, want)
		}
	}
}

func flat(m [][]float64) []float64 {
	var o []float64
	for _, r := range m {
		o = append(o, r...)
	}
	return o
}

var loop = []sched.Option{sched.WithExecutor(sched.NewLoopback())}

func TestLogisticMatchesSklearn(t *testing.T) {
	X, _ := matrix(t, "bin_X", 47)
	y, _ := vector(t, "bin_y", 47)
	for _, c := range []struct {
		name string
		e    LogisticRegression
		tol  float64
	}{
		{"bin_C0.5", LogisticRegression{C: 0.5, Tol: 1e-9}, 1e-5},
		{"bin_C0.5", LogisticRegression{C: 0.5, Tol: 1e-9, Solver: "newton"}, 1e-5},
		{"bin_C10.0", LogisticRegression{C: 10, Tol: 1e-9}, 1e-5},
		{"bin_l1", LogisticRegression{C: 0.1, Penalty: "l1", Tol: 1e-9, MaxIter: 2000}, 1e-4},
		{"bin_en", LogisticRegression{C: 0.1, Penalty: "elasticnet", L1Ratio: 0.5, Tol: 1e-9, MaxIter: 2000}, 1e-4},
	} {
		var opts []sched.Option
		if c.e.Solver == "newton" {
			opts = loop // one fit through the byte encoding of every task and value
		}
		m, err := c.e.Fit(ctx, X, y, opts...)
		if err != nil {
			t.Fatalf("%s %s: %v", c.name, c.e.Solver, err)
		}
		var coef [][]float64
		var icpt []float64
		fixture(t, c.name+"_coef", &coef)
		fixture(t, c.name+"_icpt", &icpt)
		close(t, c.name+" coef", m.Coef[0], coef[0], c.tol)
		close(t, c.name+" intercept", m.Intercept, icpt, c.tol)
		if !m.Converged {
			t.Errorf("%s: not converged after %d iterations", c.name, m.NIter)
		}
	}
	m, err := LogisticRegression{C: 0.5, Tol: 1e-9}.Fit(ctx, X, y)
	if err != nil {
		t.Fatal(err)
	}
	var proba [][]float64
	fixture(t, "bin_C0.5_proba", &proba)
	pr, err := m.PredictProba(X.Index(":10, :")).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	close(t, "proba", pr.Data, flat(proba), 1e-5)
}

func TestMultinomialMatchesSklearn(t *testing.T) {
	X, _ := matrix(t, "mul_X", 64)
	y, _ := vector(t, "mul_y", 64)
	m, err := LogisticRegression{Tol: 1e-9, MaxIter: 1000}.Fit(ctx, X, y)
	if err != nil {
		t.Fatal(err)
	}
	var coef [][]float64
	var icpt []float64
	fixture(t, "mul_coef", &coef)
	fixture(t, "mul_icpt", &icpt)
	close(t, "coef", flat(m.Coef), flat(coef), 1e-5)
	close(t, "intercept", m.Intercept, icpt, 1e-5)
	acc, err := m.Score(ctx, X, y)
	if err != nil || acc < 0.7 {
		t.Fatalf("accuracy %v, %v", acc, err)
	}
}

func TestLinearRegressionMatchesSklearn(t *testing.T) {
	X, _ := matrix(t, "reg_X", 33)
	y, _ := vector(t, "reg_y", 33)
	m, err := LinearRegression{}.Fit(ctx, X, y, loop...)
	if err != nil {
		t.Fatal(err)
	}
	var coef []float64
	var icpt float64
	fixture(t, "reg_coef", &coef)
	fixture(t, "reg_icpt", &icpt)
	close(t, "coef", m.Coef, coef, 1e-9)
	close(t, "intercept", []float64{m.Intercept}, []float64{icpt}, 1e-9)
	r2, err := m.Score(ctx, X, y)
	if err != nil || r2 < 0.9 {
		t.Fatalf("R² %v %v", r2, err)
	}
	// the in-memory (grid search) path agrees
	xs, ys := localBlocks(t, X, y)
	lm, err := LinearRegression{}.fitRows(ctx, newLocalRows(xs, ys))
	if err != nil {
		t.Fatal(err)
	}
	close(t, "local coef", lm.(*LinearModel).Coef, coef, 1e-8)
}

func localBlocks(t *testing.T, X, y *array.Array) (xs, ys []*array.Dense) {
	t.Helper()
	x, err := X.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	yy, err := y.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, p := x.Shape[0], x.Shape[1]
	for s := 0; s < n; s += 40 {
		e := min(n, s+40)
		xs = append(xs, dense2(x.Data[s*p:e*p], e-s, p))
		ys = append(ys, dense1(yy.Data[s:e]))
	}
	return xs, ys
}
