package datasets

import (
	"context"
	"math"
	"testing"

	"github.com/godask/godask/array"
)

func compute(t *testing.T, a *array.Array) *array.Dense {
	t.Helper()
	d, err := a.Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func equal(t *testing.T, what string, a, b *array.Dense) {
	t.Helper()
	if len(a.Data) != len(b.Data) {
		t.Fatalf("%s: lengths %d and %d", what, len(a.Data), len(b.Data))
	}
	for i := range a.Data {
		if a.Data[i] != b.Data[i] {
			t.Fatalf("%s: element %d differs: %v vs %v", what, i, a.Data[i], b.Data[i])
		}
	}
}

// The values must not depend on the chunking (uneven, one row, whole).
func TestChunkingIndependent(t *testing.T) {
	for _, chunk := range []int{1, 7, 100, 0} {
		X1, y1, _ := MakeBlobs(100, chunk, Blobs{Features: 3, Centers: 4, Seed: 5})
		X2, y2, _ := MakeBlobs(100, 33, Blobs{Features: 3, Centers: 4, Seed: 5})
		equal(t, "blobs X", compute(t, X1), compute(t, X2))
		equal(t, "blobs y", compute(t, y1), compute(t, y2))
		X1, y1 = MakeClassification(100, chunk, Classification{Seed: 2})
		X2, y2 = MakeClassification(100, 9, Classification{Seed: 2})
		equal(t, "class X", compute(t, X1), compute(t, X2))
		equal(t, "class y", compute(t, y1), compute(t, y2))
		X1, y1, _ = MakeRegression(100, chunk, Regression{Features: 5, Seed: 3})
		X2, y2, _ = MakeRegression(100, 64, Regression{Features: 5, Seed: 3})
		equal(t, "reg X", compute(t, X1), compute(t, X2))
		equal(t, "reg y", compute(t, y1), compute(t, y2))
	}
}

func TestBlobsAroundCenters(t *testing.T) {
	X, y, centers := MakeBlobs(20000, 3000, Blobs{Features: 2, Centers: 3, Std: 0.5, Seed: 1})
	x, l := compute(t, X), compute(t, y)
	sum := make([][2]float64, 3)
	cnt := make([]float64, 3)
	var sq float64
	for i := range 20000 {
		c := int(l.Data[i])
		for j := range 2 {
			d := x.Data[2*i+j] - centers[c][j]
			sum[c][j] += d
			sq += d * d
		}
		cnt[c]++
	}
	for c := range 3 {
		if cnt[c] < 6000 || cnt[c] > 7300 {
			t.Errorf("center %d has %v rows of 20000", c, cnt[c])
		}
		for j := range 2 {
			if m := sum[c][j] / cnt[c]; math.Abs(m) > 0.03 {
				t.Errorf("center %d axis %d: mean offset %v", c, j, m)
			}
		}
	}
	if sd := math.Sqrt(sq / 40000); math.Abs(sd-0.5) > 0.01 {
		t.Errorf("std %v, want 0.5", sd)
	}
}

func TestRegressionExact(t *testing.T) {
	X, y, coef := MakeRegression(500, 77, Regression{Features: 6, Informative: 3, Bias: 2})
	x, yy := compute(t, X), compute(t, y)
	if coef[3] != 0 || coef[0] == 0 {
		t.Fatalf("coef %v", coef)
	}
	for i := range 500 {
		v := 2.0
		for j := range 6 {
			v += x.Data[6*i+j] * coef[j]
		}
		if math.Abs(v-yy.Data[i]) > 1e-9 {
			t.Fatalf("row %d: y %v, X·coef+bias %v", i, yy.Data[i], v)
		}
	}
}

func TestClassificationLabels(t *testing.T) {
	_, y := MakeClassification(4000, 500, Classification{Classes: 3, Informative: 4, Seed: 9})
	l := compute(t, y)
	cnt := map[float64]int{}
	for _, v := range l.Data {
		cnt[v]++
	}
	if len(cnt) != 3 {
		t.Fatalf("classes %v", cnt)
	}
	if _, y := MakeClassification(10, 5, Classification{Informative: 1, Classes: 3}); y.Err() == nil {
		t.Fatal("6 clusters on a 1-d hypercube: want an error")
	}
}
