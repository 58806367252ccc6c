package ml

import (
	"math"
	"strings"
	"testing"

	"github.com/godask/godask/array"
	"github.com/godask/godask/ml/datasets"
)

func naiveInertia(x *array.Dense, centers [][]float64) float64 {
	n, p := x.Shape[0], x.Shape[1]
	var tot float64
	for i := range n {
		best := math.Inf(1)
		for _, c := range centers {
			var s float64
			for j := range p {
				d := x.Data[i*p+j] - c[j]
				s += d * d
			}
			best = min(best, s)
		}
		tot += best
	}
	return tot
}

func TestKMeansMatchesSklearnInertia(t *testing.T) {
	X, _ := matrix(t, "km_X", 37)
	var want float64
	fixture(t, "km_inertia", &want)
	x, _ := X.Compute(ctx)
	for _, init := range []string{"k-means||", "k-means++", "random"} {
		for seed := uint64(0); seed < 3; seed++ {
			m, err := KMeans{NClusters: 4, Init: init, Seed: seed, Tol: 1e-8}.Fit(ctx, X, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !m.Converged {
				t.Errorf("%s seed %d: not converged in %d iterations", init, seed, m.NIter)
			}
			got := naiveInertia(x, m.ClusterCenters)
			if math.Abs(got-m.Inertia) > 1e-6*got {
				t.Errorf("%s: reported inertia %v, recomputed %v", init, m.Inertia, got)
			}
			if init == "k-means||" && got > want*1.01 {
				t.Errorf("%s seed %d: inertia %v, scikit-learn (10 inits) %v", init, seed, got, want)
			}
		}
	}
}

func TestKMeansBlobsAndPredict(t *testing.T) {
	X, y, centers := datasets.MakeBlobs(5000, 700, datasets.Blobs{Features: 4, Centers: 5, Std: 0.3, Seed: 2})
	m, err := KMeans{NClusters: 5, Seed: 1}.Fit(ctx, X, nil, loop...)
	if err != nil {
		t.Fatal(err)
	}
	centresFound(t, centers, m.ClusterCenters, 0.01)
	// Predict is consistent with the labels (a permutation)
	pred, err := m.Predict(X).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pred.Data) != 5000 || m.Predict(X).Chunks()[0][0] != 700 {
		t.Fatalf("predict chunks %v", m.Predict(X).Chunks())
	}
	lab, _ := y.Compute(ctx)
	perm := map[float64]float64{}
	for i, v := range lab.Data {
		if q, ok := perm[v]; ok && q != pred.Data[i] {
			t.Fatalf("row %d: true blob %v predicted %v, earlier rows of that blob %v", i, v, pred.Data[i], q)
		}
		perm[v] = pred.Data[i]
	}
	s, err := m.Score(ctx, X, nil)
	if err != nil || math.Abs(-s-m.Inertia) > 1e-6*m.Inertia {
		t.Fatalf("score %v inertia %v %v", s, m.Inertia, err)
	}
}

func TestKMeansBadInput(t *testing.T) {
	X, _ := matrix(t, "km_X", 37)
	for _, c := range []struct {
		e    KMeans
		x    *array.Array
		want string
	}{
		{KMeans{NClusters: 500}, X, "larger than the 400 rows"},
		{KMeans{Init: "nope"}, X, "unknown Init"},
		{KMeans{}, array.Zeros([]int{10}, nil), "want a 2-D array"},
		{KMeans{}, array.Zeros([]int{10, 2}, nil).AsType(array.Int64), "want float64"},
		{KMeans{NClusters: 2}, array.FromSlice([]float64{1, 2, math.NaN(), 4}, []int{2, 2}, nil), "NaN"},
	} {
		_, err := c.e.Fit(ctx, c.x, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "KMeans") {
			t.Errorf("%+v: error %v, want %q", c.e, err, c.want)
		}
	}
	var m *KMeansModel
	if err := m.Predict(X).Err(); err == nil || !strings.Contains(err.Error(), "before Fit") {
		t.Errorf("Predict before Fit: %v", err)
	}
}

// centresFound fails unless every true centre has a fitted centre within
// squared distance tol.
func centresFound(t *testing.T, truth, fitted [][]float64, tol float64) {
	t.Helper()
	for _, c := range truth {
		best := math.Inf(1)
		for _, f := range fitted {
			var s float64
			for j := range c {
				s += (c[j] - f[j]) * (c[j] - f[j])
			}
			best = min(best, s)
		}
		if best > tol {
			t.Errorf("true centre %v not found (nearest at squared distance %v)", c, best)
		}
	}
}
