package ml

import (
	"math"
	"testing"
)

func TestStandardScalerMatchesSklearn(t *testing.T) {
	X, rows := matrix(t, "pca_X", 13)
	var mean, scale []float64
	fixture(t, "std_mean", &mean)
	fixture(t, "std_scale", &scale)
	m, err := StandardScaler{}.Fit(ctx, X, nil, loop...)
	if err != nil {
		t.Fatal(err)
	}
	close(t, "mean", m.Mean, mean, 1e-12)
	close(t, "scale", m.Scale, scale, 1e-12)
	z, err := m.Transform(X).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		for j, v := range r {
			if want := (v - mean[j]) / scale[j]; math.Abs(z.Data[i*6+j]-want) > 1e-12 {
				t.Fatalf("z[%d,%d] = %v, want %v", i, j, z.Data[i*6+j], want)
			}
		}
	}
	back, err := m.InverseTransform(m.Transform(X)).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	close(t, "inverse", back.Data, flat(rows), 1e-12)

	mm, err := MinMaxScaler{FeatureRange: [2]float64{-1, 1}}.Fit(ctx, X, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := mm.Transform(X).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for j := range 6 {
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := range rows {
			lo, hi = min(lo, s.Data[i*6+j]), max(hi, s.Data[i*6+j])
		}
		if math.Abs(lo+1) > 1e-12 || math.Abs(hi-1) > 1e-12 {
			t.Fatalf("column %d scaled to [%v, %v]", j, lo, hi)
		}
	}
}
