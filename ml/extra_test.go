package ml

import (
	"math"
	"testing"

	"github.com/godask/godask/array"
	"github.com/godask/godask/ml/datasets"
)

func TestPolynomialFeatures(t *testing.T) {
	X := array.FromSlice([]float64{1, 2, 3, 4, 5, 6}, []int{3, 2}, array.Regular{2, 2})
	m, err := PolynomialFeatures{}.Fit(ctx, X, nil)
	if err != nil {
		t.Fatal(err)
	}
	// scikit-learn: [1, a, b, a², ab, b²]
	got := denseOf(t, m.Transform(X))
	close(t, "degree 2", got.Data, []float64{1, 1, 2, 1, 2, 4, 1, 3, 4, 9, 12, 16, 1, 5, 6, 25, 30, 36}, 0)
	mi, _ := PolynomialFeatures{InteractionOnly: true, NoBias: true}.Fit(ctx, X, nil)
	close(t, "interaction only", denseOf(t, mi.Transform(X)).Data, []float64{1, 2, 2, 3, 4, 12, 5, 6, 30}, 0)
}

func TestSimpleImputer(t *testing.T) {
	nan := math.NaN()
	X := array.FromSlice([]float64{1, nan, 3, 4, nan, 8, 5, 6}, []int{4, 2}, array.Regular{3, 2})
	m, err := SimpleImputer{}.Fit(ctx, X, nil)
	if err != nil {
		t.Fatal(err)
	}
	close(t, "means", m.Statistics, []float64{3, 6}, 1e-15)
	close(t, "filled", denseOf(t, m.Transform(X)).Data, []float64{1, 6, 3, 4, 3, 8, 5, 6}, 0)
	// the imputed X fits where the raw X is refused
	y := array.FromSlice([]float64{0, 1, 0, 1}, []int{4}, array.Regular{3})
	if _, err := (LogisticRegression{}).Fit(ctx, X, y); err == nil {
		t.Fatal("NaN in X: want an error")
	}
	if _, err := (LogisticRegression{}).Fit(ctx, m.Transform(X), y); err != nil {
		t.Fatal(err)
	}
	c, _ := SimpleImputer{Strategy: "constant", FillValue: -1}.Fit(ctx, X, nil)
	close(t, "constant", denseOf(t, c.Transform(X)).Data, []float64{1, -1, 3, 4, -1, 8, 5, 6}, 0)
	_, err = SimpleImputer{Strategy: "mode"}.Fit(ctx, X, nil)
	wantErr(t, "unknown strategy", err, "unknown strategy")
}

func TestTrainTestSplit(t *testing.T) {
	X, y, _ := datasets.MakeRegression(1000, 130, datasets.Regression{Features: 3})
	a, b, ya, yb, err := TrainTestSplit(X, y, 0.2, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.Shape()[0] != 800 || b.Shape()[0] != 200 || ya.Shape()[0] != 800 || yb.Shape()[0] != 200 {
		t.Fatalf("shapes %v %v", a.Shape(), b.Shape())
	}
	a, b, ya, yb, err = TrainTestSplit(X, y, 0.3, true, 7)
	if err != nil {
		t.Fatal(err)
	}
	n := b.Shape()[0]
	if n < 240 || n > 360 || a.Shape()[0]+n != 1000 || yb.Shape()[0] != n {
		t.Fatalf("test rows %d", n)
	}
	// rows stay paired with their targets: y = X·coef exactly (no noise)
	m, err := LinearRegression{}.Fit(ctx, a, ya)
	if err != nil {
		t.Fatal(err)
	}
	if r2, _ := m.Score(ctx, b, yb); r2 < 1-1e-9 {
		t.Fatalf("R² on the shuffled test rows %v", r2)
	}
}

func TestMiniBatchKMeans(t *testing.T) {
	X, _, centers := datasets.MakeBlobs(6000, 1000, datasets.Blobs{Features: 3, Centers: 3, Std: 0.2, Seed: 4})
	m, err := MiniBatchKMeans{NClusters: 3, MaxIter: 2}.Fit(ctx, X, nil)
	if err != nil {
		t.Fatal(err)
	}
	centresFound(t, centers, m.ClusterCenters, 0.01)
	if m.Blocks != 12 {
		t.Fatalf("%d blocks", m.Blocks)
	}
}
