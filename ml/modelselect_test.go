package ml

import (
	"strings"
	"testing"

	"github.com/godask/godask/array"
)

func TestGridSearchPipelineMatchesSklearn(t *testing.T) {
	X, _ := matrix(t, "bin_X", 70)
	y, _ := vector(t, "bin_y", 70)
	pipe := MakePipeline(StandardScaler{}, LogisticRegression{Tol: 1e-9, MaxIter: 1000})
	g := GridSearchCV{Estimator: pipe, ParamGrid: map[string][]any{"logisticregression__C": {0.01, 0.1, 1.0, 10.0}}, CV: KFold{NSplits: 3}}
	res, err := g.Fit(ctx, X, y)
	if err != nil {
		t.Fatal(err)
	}
	var mean, std []float64
	fixture(t, "gs_mean", &mean)
	fixture(t, "gs_std", &std)
	for i, r := range res.CVResults {
		if d := r.MeanTestScore - mean[i]; d > 1e-9 || d < -1e-9 {
			t.Errorf("candidate %v: mean score %v, scikit-learn %v", r.Params, r.MeanTestScore, mean[i])
		}
		if d := r.StdTestScore - std[i]; d > 1e-9 || d < -1e-9 {
			t.Errorf("candidate %v: std %v, scikit-learn %v", r.Params, r.StdTestScore, std[i])
		}
	}
	// the scaler on each fold is one task shared by the 4 candidates:
	// data blocks (5 X + 5 y) + 3 splits + 3 scalers + 12 scores
	if res.Tasks != 10+3+3+12 {
		t.Errorf("%d tasks, want %d (shared pipeline prefixes)", res.Tasks, 10+3+3+12)
	}
	best := res.CVResults[res.BestIndex]
	if best.RankTestScore != 1 || res.BestScore != best.MeanTestScore {
		t.Errorf("best %+v", best)
	}
	bm, ok := res.BestEstimator.(*PipelineModel)
	if !ok {
		t.Fatalf("best estimator %T", res.BestEstimator)
	}
	if c := bm.Models[1].(*LogisticModel); len(c.Coef[0]) != 5 {
		t.Fatalf("refit model %+v", c)
	}
	// the refitted pipeline saves and loads, and predicts the same
	b, err := Save(bm)
	if err != nil {
		t.Fatal(err)
	}
	lm, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := denseOf(t, bm.Predict(X)), denseOf(t, lm.(*PipelineModel).Predict(X))
	close(t, "loaded pipeline", p2.Data, p1.Data, 0)

	// randomized search over the same space, on Loopback
	rs, err := RandomizedSearchCV{Estimator: pipe, ParamDistributions: map[string]Distribution{"logisticregression__C": LogUniform{0.01, 10}},
		NIter: 3, CV: ShuffleSplit{NSplits: 2, TestSize: 0.25, Seed: 1}, NoRefit: true}.Fit(ctx, X, y, loop...)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.CVResults) != 3 || rs.BestScore < 0.6 {
		t.Fatalf("randomized search %+v", rs.CVResults)
	}
}

func TestSearchBadInput(t *testing.T) {
	X, _ := matrix(t, "bin_X", 70)
	y, _ := vector(t, "bin_y", 70)
	pipe := MakePipeline(StandardScaler{}, LogisticRegression{})
	for grid, want := range map[string]string{
		"logisticregression__Cee": `field "Cee"`,
		"nope__C":                 `step "nope"`,
		"C":                       "step__Field",
	} {
		_, err := GridSearchCV{Estimator: pipe, ParamGrid: map[string][]any{grid: {1.0}}}.Fit(ctx, X, y)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "GridSearchCV") {
			t.Errorf("grid %q: %v, want %q", grid, err, want)
		}
	}
	_, err := GridSearchCV{Estimator: LogisticRegression{}, ParamGrid: map[string][]any{"Solver": {"bogus"}}}.Fit(ctx, X, y)
	if err == nil || !strings.Contains(err.Error(), "unknown solver") {
		t.Errorf("bogus solver in a grid: %v", err)
	}
	_, err = GridSearchCV{Estimator: LogisticRegression{}, ParamGrid: map[string][]any{"MaxIter": {1.5}}}.Fit(ctx, X, y)
	if err == nil || !strings.Contains(err.Error(), "integer") {
		t.Errorf("MaxIter 1.5: %v", err)
	}
	short := array.Zeros([]int{10}, nil)
	if _, err := (GridSearchCV{Estimator: LogisticRegression{}}).Fit(ctx, X, short); err == nil || !strings.Contains(err.Error(), "y has 10 rows") {
		t.Errorf("short y: %v", err)
	}
}
