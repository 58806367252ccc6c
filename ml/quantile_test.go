package ml

import (
	"math"
	"testing"

	"github.com/godask/godask/array"
)

// nanMatrix returns fixture name (null meaning NaN) as a row-chunked
// array and its rows.
func nanMatrix(t *testing.T, name string, chunk int) (*array.Array, [][]float64) {
	t.Helper()
	var raw [][]*float64
	fixture(t, name, &raw)
	rows := make([][]float64, len(raw))
	var flat []float64
	for i, r := range raw {
		for _, v := range r {
			f := math.NaN()
			if v != nil {
				f = *v
			}
			rows[i] = append(rows[i], f)
			flat = append(flat, f)
		}
	}
	return array.FromSlice(flat, []int{len(rows), len(rows[0])}, array.Regular{chunk, len(rows[0])}), rows
}

func closeNaN(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i]))) {
			t.Fatalf("%s[%d]: got %.12g, want %.12g", what, i, got[i], want[i])
		}
	}
}

func TestRobustScalerMatchesSklearn(t *testing.T) {
	// no NaN, 150 rows in uneven chunks
	X, _ := matrix(t, "pca_X", 13)
	var c, s []float64
	fixture(t, "rob_center", &c)
	fixture(t, "rob_scale", &s)
	m, err := RobustScaler{}.Fit(ctx, X, nil)
	if err != nil {
		t.Fatal(err)
	}
	close(t, "center", m.Center, c, 1e-13)
	close(t, "scale", m.Scale, s, 1e-13)
	// NaN left out, ties, other ranges; lazily and in a task's memory
	Xn, rows := nanMatrix(t, "rank_X", 23)
	for _, name := range []string{"rk_rob", "rk_rob_q"} {
		e := RobustScaler{}
		if name == "rk_rob_q" {
			e = RobustScaler{QuantileRange: [2]float64{10, 90}, UnitVariance: true}
		}
		fixture(t, name+"_center", &c)
		fixture(t, name+"_scale", &s)
		m, err := e.Fit(ctx, Xn, nil, loop...)
		if err != nil {
			t.Fatal(err)
		}
		close(t, name+" center", m.Center, c, 1e-13)
		close(t, name+" scale", m.Scale, s, 1e-12)
		lm, err := e.fitRows(ctx, localOf(t, Xn))
		if err != nil {
			t.Fatal(err)
		}
		close(t, name+" center (local)", lm.(*RobustScalerModel).Center, c, 1e-13)
		z, err := m.Transform(Xn).Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, 0, len(z.Data))
		for _, r := range rows {
			for j, v := range r {
				want = append(want, (v-c[j])/s[j])
			}
		}
		closeNaN(t, name+" transform", z.Data, want, 1e-12)
		back, err := m.InverseTransform(m.Transform(Xn)).Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		closeNaN(t, name+" inverse", back.Data, flat(rows), 1e-12)
	}
	if _, err := (RobustScaler{QuantileRange: [2]float64{80, 20}}).Fit(ctx, X, nil); err == nil {
		t.Fatal("QuantileRange [80 20]: no error")
	}
	allNaN := array.FromSlice([]float64{1, math.NaN(), 2, math.NaN()}, []int{2, 2}, array.Regular{1, 2})
	if _, err := (RobustScaler{}).Fit(ctx, allNaN, nil); err == nil {
		t.Fatal("a column of NaN only: no error")
	}
}

// localOf computes X's row blocks into a localRows (the in-task path).
func localOf(t *testing.T, X *array.Array) *localRows {
	t.Helper()
	var xs []*array.Dense
	start := 0
	for _, c := range X.Chunks()[0] {
		d, err := X.Slice(array.S(start, start+c)).Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		xs = append(xs, d)
		start += c
	}
	return newLocalRows(xs, nil)
}

func TestQuantileTransformerMatchesSklearn(t *testing.T) {
	X, _ := nanMatrix(t, "rank_X", 17)
	for _, dist := range []string{"uniform", "normal"} {
		var q [][]float64
		fixture(t, "qt_"+dist+"_quantiles", &q)
		m, err := QuantileTransformer{NQuantiles: 50, OutputDistribution: dist}.Fit(ctx, X, nil, loop...)
		if err != nil {
			t.Fatal(err)
		}
		for j := range q {
			close(t, dist+" quantiles", m.Quantiles[j], q[j], 1e-13)
		}
		lm, err := QuantileTransformer{NQuantiles: 50, OutputDistribution: dist}.fitRows(ctx, localOf(t, X))
		if err != nil {
			t.Fatal(err)
		}
		close(t, dist+" quantiles (local)", lm.(*QuantileTransformerModel).Quantiles[1], q[1], 1e-13)
		_, z := nanMatrix(t, "qt_"+dist+"_Z", 17)
		got, err := m.Transform(X).Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		closeNaN(t, dist+" transform", got.Data, flat(z), 1e-9)
		_, back := nanMatrix(t, "qt_"+dist+"_back", 17)
		gb, err := m.InverseTransform(m.Transform(X)).Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		closeNaN(t, dist+" inverse", gb.Data, flat(back), 1e-9)
	}
	// a subsample: quantiles of Subsample rows, each one a value of X
	big := array.Normal(3, 0, 1, []int{5000, 2}, array.Regular{700, 2})
	m, err := QuantileTransformer{NQuantiles: 11, Subsample: 1000, Seed: 4}.Fit(ctx, big, nil)
	if err != nil {
		t.Fatal(err)
	}
	if med := m.Quantiles[0][5]; math.Abs(med) > 0.15 {
		t.Fatalf("median of a standard normal sample of 1000: %v", med)
	}
	for _, e := range []QuantileTransformer{{NQuantiles: -1}, {OutputDistribution: "cauchy"}, {NQuantiles: 100, Subsample: 10}} {
		if _, err := e.Fit(ctx, big, nil); err == nil {
			t.Fatalf("%+v: no error", e)
		}
	}
}

func TestImputerMedianMostFrequent(t *testing.T) {
	X, _ := nanMatrix(t, "rank_X", 31)
	var med, mode []float64
	fixture(t, "imp_median", &med)
	fixture(t, "imp_mode", &mode)
	m, err := SimpleImputer{Strategy: "median"}.Fit(ctx, X, nil)
	if err != nil {
		t.Fatal(err)
	}
	close(t, "median", m.Statistics, med, 1e-13)
	D, rows := nanMatrix(t, "mode_X", 9)
	m, err = SimpleImputer{Strategy: "most_frequent"}.Fit(ctx, D, nil, loop...)
	if err != nil {
		t.Fatal(err)
	}
	close(t, "most_frequent", m.Statistics, mode, 0)
	lm, err := SimpleImputer{Strategy: "most_frequent"}.fitRows(ctx, localOf(t, D))
	if err != nil {
		t.Fatal(err)
	}
	close(t, "most_frequent (local)", lm.(*ImputerModel).Statistics, mode, 0)
	z, err := m.Transform(D).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		for j, v := range r {
			want := v
			if math.IsNaN(v) {
				want = mode[j]
			}
			if z.Data[i*len(r)+j] != want {
				t.Fatalf("imputed [%d,%d] = %v, want %v", i, j, z.Data[i*len(r)+j], want)
			}
		}
	}
	// continuous data: more distinct values than the limit is a clear error
	cont := array.Normal(1, 0, 1, []int{3000, 1}, array.Regular{500, 1})
	if _, err := (SimpleImputer{Strategy: "most_frequent"}).Fit(ctx, cont, nil); err == nil {
		t.Fatal("most_frequent over 3000 distinct values: no error")
	}
	if _, err := (SimpleImputer{Strategy: "mode"}).Fit(ctx, D, nil); err == nil {
		t.Fatal("unknown strategy: no error")
	}
}
