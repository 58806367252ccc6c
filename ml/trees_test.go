package ml

import (
	"math"
	"testing"

	"github.com/godask/godask/array"
	"github.com/godask/godask/ml/datasets"
)

// xorData is a problem no linear model solves: the class is the sign of
// x0·x1.
func xorData(n, chunk int, seed uint64) (*array.Array, *array.Array) {
	X := array.Uniform(seed, -1, 1, []int{n, 4}, array.Regular{chunk, 4})
	y := X.Index(":, 0").Mul(X.Index(":, 1")).Gt(array.Scalar(0)).AsType(array.Float64)
	return X, y
}

func TestForestLearnsXor(t *testing.T) {
	X, y := xorData(4000, 700, 1)
	Xt, yt := xorData(2000, 500, 2)
	f, err := RandomForestClassifier{NEstimators: 30, MaxDepth: 8, Seed: 3}.Fit(ctx, X, y)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Trees) != 30 {
		t.Fatalf("%d trees", len(f.Trees))
	}
	acc, err := f.Score(ctx, Xt, yt)
	if err != nil {
		t.Fatal(err)
	}
	lr, _ := LogisticRegression{}.Fit(ctx, X, y)
	lacc, _ := lr.Score(ctx, Xt, yt)
	if acc < 0.95 || lacc > 0.65 {
		t.Fatalf("forest accuracy %v, logistic %v", acc, lacc)
	}
	// probabilities are the mean of the trees' leaf frequencies
	pr := denseOf(t, f.PredictProba(Xt.Index(":50, :")))
	x := denseOf(t, Xt.Index(":50, :"))
	for i := range 50 {
		var want float64
		for _, tr := range f.Trees {
			want += tr.leaf(x.Data[i*4 : (i+1)*4])[1] / 30
		}
		if math.Abs(pr.Data[2*i+1]-want) > 1e-12 || math.Abs(pr.Data[2*i]+pr.Data[2*i+1]-1) > 1e-12 {
			t.Fatalf("row %d: proba %v, mean of trees %v", i, pr.Data[2*i:2*i+2], want)
		}
	}
	// seeded: the same forest again, on Loopback (trees travel as bytes)
	g, err := RandomForestClassifier{NEstimators: 30, MaxDepth: 8, Seed: 3}.Fit(ctx, X, y, loop...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Trees {
		close(t, "thresholds", g.Trees[i].Threshold, f.Trees[i].Threshold, 0)
	}
	if equalFloats(f.Trees[0].Threshold, f.Trees[1].Threshold) {
		t.Fatal("trees 0 and 1 are identical: the bootstrap is not per tree")
	}
}

func TestDecisionTreeFitsTraining(t *testing.T) {
	X, y := xorData(500, 100, 5)
	m, err := DecisionTreeClassifier{}.Fit(ctx, X, y)
	if err != nil {
		t.Fatal(err)
	}
	if acc, _ := m.Score(ctx, X, y); acc < 0.99 {
		t.Fatalf("unlimited tree training accuracy %v", acc)
	}
	Xr, yr, _ := datasets.MakeRegression(2000, 300, datasets.Regression{Features: 3, Informative: 2, Seed: 1})
	r, err := RandomForestRegressor{NEstimators: 20, Seed: 1}.Fit(ctx, Xr, yr)
	if err != nil {
		t.Fatal(err)
	}
	if r2, _ := r.Score(ctx, Xr, yr); r2 < 0.95 {
		t.Fatalf("forest regressor training R² %v", r2)
	}
	if _, err := (RandomForestClassifier{MaxFeatures: 9}).Fit(ctx, X, y); err == nil {
		t.Fatal("MaxFeatures 9 of 4 features: want an error")
	}
}
