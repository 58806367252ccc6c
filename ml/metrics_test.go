package ml

import (
	"math"
	"strings"
	"testing"

	"github.com/godask/godask/array"
)

// uneven row chunks (one empty) for n rows
func metricChunks(n int) []int {
	rc := []int{100, 0, 37, 250}
	for s := 387; s < n; s += 90 {
		rc = append(rc, min(90, n-s))
	}
	return rc
}

func fxVec(t *testing.T, name string) (*array.Array, []float64) {
	t.Helper()
	var v []float64
	fixture(t, name, &v)
	return array.FromSlice(v, []int{len(v)}, array.Explicit{metricChunks(len(v))}), v
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Fatalf("%s = %.15g, scikit-learn %.15g", what, got, want)
	}
}

// Every blockwise metric against scikit-learn 1.2.1 on the same random
// labels, predictions, probabilities and scores (gen_fixtures4.py), over
// uneven row chunks with an empty one, on Loopback.
func TestMetricsMatchSklearn(t *testing.T) {
	yt, _ := fxVec(t, "m_yt")
	yp, _ := fxVec(t, "m_yp")
	var want float64
	fixture(t, "m_accuracy", &want)
	got, err := AccuracyScore(ctx, yt, yp, loop...)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "accuracy", got, want, 1e-12)

	var wcm [][]float64
	fixture(t, "m_confusion", &wcm)
	cm, err := ConfusionMatrix(ctx, yt, yp, []float64{5, -1, 2}, loop...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range wcm {
		close(t, "confusion row", cm[i], wcm[i], 0)
	}

	var prf []float64
	fixture(t, "m_prf", &prf)
	p, r, f, err := PrecisionRecallF1(ctx, yt, yp, 5, loop...)
	if err != nil {
		t.Fatal(err)
	}
	close(t, "precision, recall, F1", []float64{p, r, f}, prf, 1e-12)

	yl, _ := fxVec(t, "m_yl")
	var pr [][]float64
	fixture(t, "m_proba", &pr)
	proba := array.FromSlice(flat(pr), []int{len(pr), 3}, array.Explicit{metricChunks(len(pr)), {2, 1}})
	fixture(t, "m_logloss", &want)
	ll, err := LogLoss(ctx, yl, proba, []float64{5, -1, 2}, loop...)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "log loss", ll, want, 1e-12)

	ya, _ := fxVec(t, "m_ya")
	for _, c := range []struct {
		score, auc string
		pos        float64
		tol        float64
	}{
		{"m_score_r", "m_auc_r", 1, 1e-12}, // each distinct score its own bin: exact
		{"m_score", "m_auc", 1, 1e-4},      // bounded error of the 2^14 bins
	} {
		s, _ := fxVec(t, c.score)
		fixture(t, c.auc, &want)
		got, err := RocAucScore(ctx, ya, s, c.pos, loop...)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "ROC AUC of "+c.score, got, want, c.tol)
	}
	// the other class as the positive one, with its own scores 1-s
	s, sv := fxVec(t, "m_score")
	neg := make([]float64, len(sv))
	for i, v := range sv {
		neg[i] = 1 - v
	}
	fixture(t, "m_auc_neg", &want)
	got, err = RocAucScore(ctx, ya, array.FromSlice(neg, []int{len(neg)}, array.Explicit{s.Chunks()[0]}), 0, loop...)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "ROC AUC, positive label 0", got, want, 1e-4)

	tt, _ := fxVec(t, "m_t")
	qq, _ := fxVec(t, "m_q")
	for _, c := range []struct {
		name string
		f    func() (float64, error)
	}{
		{"m_r2", func() (float64, error) { return R2Score(ctx, tt, qq, loop...) }},
		{"m_mse", func() (float64, error) { return MeanSquaredError(ctx, tt, qq, loop...) }},
		{"m_mae", func() (float64, error) { return MeanAbsoluteError(ctx, tt, qq, loop...) }},
	} {
		got, err := c.f()
		if err != nil {
			t.Fatal(err)
		}
		fixture(t, c.name, &want)
		near(t, c.name, got, want, 1e-12)
	}
	var rc []float64
	fixture(t, "m_r2_const", &rc)
	ones := array.FromSlice([]float64{1, 1, 1, 1, 1}, []int{5}, array.Regular{2})
	ramp := array.FromSlice([]float64{0, 1, 2, 3, 4}, []int{5}, array.Regular{3})
	r1, err1 := R2Score(ctx, ones, ones)
	r2, err2 := R2Score(ctx, ones, ramp)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	close(t, "R² of a constant yTrue", []float64{r1, r2}, rc, 0)
}

// Metric inputs that do not fit are errors naming the metric.
func TestMetricsBadInput(t *testing.T) {
	y := array.FromSlice([]float64{0, 1, 1, 0}, []int{4}, array.Regular{2})
	short := array.FromSlice([]float64{0, 1, 1}, []int{3}, array.Regular{2})
	p2 := array.FromSlice([]float64{0.2, 0.8, 0.5, 0.5, 1, 0, 0.3, 0.7}, []int{4, 2}, array.Regular{2, 2})
	for _, c := range []struct {
		want string
		f    func() error
	}{
		{"AccuracyScore: yTrue has 4 rows, the predictions 3", func() error { _, err := AccuracyScore(ctx, y, short); return err }},
		{"R2Score: the predictions have shape [4 2]: want 1-D", func() error { _, err := R2Score(ctx, y, p2); return err }},
		{"LogLoss: probabilities have 2 columns for 3 classes", func() error { _, err := LogLoss(ctx, y, p2, []float64{0, 1, 2}); return err }},
		{"LogLoss:|label 1 is not one of the classes [0 2]", func() error { _, err := LogLoss(ctx, y, p2, []float64{0, 2}); return err }},
		{"RocAucScore: only one class present", func() error { _, err := RocAucScore(ctx, y, y, 7); return err }},
		{"RocAucScore:|score 1 of row block 0 is 1.5: want a probability", func() error {
			_, err := RocAucScore(ctx, y, array.FromSlice([]float64{0, 1.5, 0, 0}, []int{4}, array.Regular{2}), 1)
			return err
		}},
		{"ConfusionMatrix: no classes given", func() error { _, err := ConfusionMatrix(ctx, y, y, nil); return err }},
		{"MeanSquaredError: no rows", func() error {
			e := array.FromSlice([]float64{}, []int{0}, array.Regular{1})
			_, err := MeanSquaredError(ctx, e, e)
			return err
		}},
	} {
		err := c.f()
		for _, w := range strings.Split(c.want, "|") {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("want an error containing %q, got %v", w, err)
			}
		}
	}
}
