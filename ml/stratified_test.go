package ml

import (
	"testing"
)

func TestStratifiedKFoldMatchesSklearn(t *testing.T) {
	var y []float64
	var want []int32
	fixture(t, "skf_y", &y)
	fixture(t, "skf_fold", &want)
	got, err := StratifiedKFold{NSplits: 4}.TestFolds(y)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d: fold %d, scikit-learn %d", i, got[i], want[i])
		}
	}
	// shuffled: the same class counts per fold, another assignment
	sh, err := StratifiedKFold{NSplits: 4, Shuffle: true, Seed: 3}.TestFolds(y)
	if err != nil {
		t.Fatal(err)
	}
	type fc struct {
		f int32
		c float64
	}
	a, b := map[fc]int{}, map[fc]int{}
	same := true
	for i := range y {
		a[fc{got[i], y[i]}]++
		b[fc{sh[i], y[i]}]++
		same = same && got[i] == sh[i]
	}
	if same {
		t.Fatal("Shuffle changed nothing")
	}
	for k, v := range a {
		if b[k] != v {
			t.Fatalf("shuffled fold %d has %d rows of class %v, unshuffled %d", k.f, b[k], k.c, v)
		}
	}
	if _, err := (StratifiedKFold{NSplits: 200}).TestFolds(y); err == nil {
		t.Fatal("NSplits above every class count: no error")
	}

	// in a grid search: scikit-learn's scores on the same folds
	X, _ := matrix(t, "bin_X", 47)
	yb, _ := vector(t, "bin_y", 47)
	res, err := GridSearchCV{
		Estimator: MakePipeline(StandardScaler{}, LogisticRegression{Tol: 1e-10, MaxIter: 10000}),
		ParamGrid: map[string][]any{"logisticregression__C": {0.01, 0.1, 1.0, 10.0}},
		CV:        StratifiedKFold{NSplits: 3},
	}.Fit(ctx, X, yb)
	if err != nil {
		t.Fatal(err)
	}
	var mean, std []float64
	fixture(t, "skf_gs_mean", &mean)
	fixture(t, "skf_gs_std", &std)
	for i, r := range res.CVResults {
		if d := r.MeanTestScore - mean[i]; d > 1e-9 || d < -1e-9 {
			t.Errorf("candidate %v: mean score %v, scikit-learn %v", r.Params, r.MeanTestScore, mean[i])
		}
		if d := r.StdTestScore - std[i]; d > 1e-9 || d < -1e-9 {
			t.Errorf("candidate %v: std %v, scikit-learn %v", r.Params, r.StdTestScore, std[i])
		}
	}
	if _, err := (RandomizedSearchCV{
		Estimator:          LogisticRegression{},
		ParamDistributions: map[string]Distribution{"C": LogUniform{Lo: 0.01, Hi: 10}},
		NIter:              3,
		CV:                 StratifiedKFold{NSplits: 3, Shuffle: true, Seed: 1},
	}).Fit(ctx, X, yb); err != nil {
		t.Fatal(err)
	}
}
