package ml

import (
	"context"
	"fmt"
	"math"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
)

// Metrics are blockwise: one task per row block of (yTrue, yPred) computes a
// small partial (counts, sums, a confusion matrix, score histograms), merged
// by a tree of tasks.

func init() {
	registerPass("ml.m.reg", &passKernel{
		// [n, mean, M2 of yTrue, Σ(y-ŷ)², Σ|y-ŷ|]
		block: func(_ []byte, _ int, t, p *array.Dense) ([]float64, error) {
			var n, mean, m2, sse, sae float64
			for i, v := range t.Data {
				n++
				d := v - mean
				mean += d / n
				m2 += d * (v - mean)
				e := v - p.Data[i]
				sse += e * e
				sae += math.Abs(e)
			}
			return []float64{n, mean, m2, sse, sae}, nil
		},
		merge: func(_ []byte, a, b []float64) {
			n := a[0] + b[0]
			if n == 0 {
				return
			}
			d := b[1] - a[1]
			a[2] += b[2] + d*d*a[0]*b[0]/n
			a[1] += d * b[0] / n
			a[0] = n
			a[3] += b[3]
			a[4] += b[4]
		},
	})
	registerPass("ml.m.confusion", &passKernel{block: func(p []byte, _ int, t, q *array.Dense) ([]float64, error) {
		classes := newPReader(p).floats()
		k := len(classes)
		out := make([]float64, k*k+1)
		for i, v := range t.Data {
			a, b := classIndex(classes, v), classIndex(classes, q.Data[i])
			if a < 0 || b < 0 {
				out[k*k]++
				continue
			}
			out[a*k+b]++
		}
		return out, nil
	}})
	registerPass("ml.m.logloss", &passKernel{block: func(p []byte, _ int, t, pr *array.Dense) ([]float64, error) {
		classes := newPReader(p).floats()
		k := len(classes)
		var s float64
		for i, v := range t.Data {
			c := classIndex(classes, v)
			if c < 0 {
				return nil, fmt.Errorf("label %v is not one of the classes %v", v, classes)
			}
			// clipped first, then renormalised, as scikit-learn
			row := pr.Data[i*k : (i+1)*k]
			var tot float64
			for _, q := range row {
				tot += logLossClip(q)
			}
			s -= math.Log(logLossClip(row[c]) / tot)
		}
		return []float64{float64(len(t.Data)), s}, nil
	}})
	registerPass("ml.m.auc", &passKernel{block: func(p []byte, blk int, t, s *array.Dense) ([]float64, error) {
		pos := newPReader(p).float()
		out := make([]float64, 2*aucBins)
		for i, v := range t.Data {
			sc := s.Data[i]
			if !(sc >= 0 && sc <= 1) {
				// NaN too; a decision function's scores are not probabilities
				return nil, fmt.Errorf("score %d of row block %d is %v: want a probability in [0, 1]", i, blk, sc)
			}
			b := min(int(sc*aucBins), aucBins-1)
			if v == pos {
				out[aucBins+b]++
			} else {
				out[b]++
			}
		}
		return out, nil
	}})
}

const aucBins = 1 << 14

// logLossClip clips a probability to [ε, 1-ε], ε the float64 machine
// epsilon (scikit-learn 1.2's eps="auto").
func logLossClip(q float64) float64 {
	const eps = 0x1p-52
	return min(max(q, eps), 1-eps)
}

func pair(name string, yTrue, yPred *array.Array, cols bool) (*array.Array, *array.Array, error) {
	if err := yTrue.Err(); err != nil {
		return nil, nil, fmt.Errorf("ml: %s: yTrue: %w", name, err)
	}
	if err := yPred.Err(); err != nil {
		return nil, nil, fmt.Errorf("ml: %s: yPred: %w", name, err)
	}
	if yTrue.Ndim() != 1 {
		return nil, nil, errf(name, "yTrue has shape %v: want 1-D", yTrue.Shape())
	}
	if want := 1 + boolInt(cols); yPred.Ndim() != want {
		return nil, nil, errf(name, "the predictions have shape %v: want %d-D", yPred.Shape(), want)
	}
	if yTrue.Shape()[0] != yPred.Shape()[0] {
		return nil, nil, errf(name, "yTrue has %d rows, the predictions %d", yTrue.Shape()[0], yPred.Shape()[0])
	}
	if yTrue.Shape()[0] == 0 {
		return nil, nil, errf(name, "no rows")
	}
	t := yTrue.AsType(array.Float64)
	q := yPred.AsType(array.Float64)
	rc := q.Chunks()[0]
	if !sameInts(t.Chunks()[0], rc) {
		t = t.Rechunk(array.Explicit{rc})
	}
	if cols && len(q.Chunks()[1]) > 1 {
		q = q.Rechunk(array.Explicit{rc, {q.Shape()[1]}})
	}
	return t, q, nil
}

func metricPass(ctx context.Context, name, kernel string, yTrue, yPred *array.Array, cols bool, params []byte, size int, opts []sched.Option) ([]float64, error) {
	t, q, err := pair(name, yTrue, yPred, cols)
	if err != nil {
		return nil, err
	}
	d, err := passArray(t, q, kernel, params, size, false).Compute(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("ml: %s: %w", name, err)
	}
	return d.Data, nil
}

func regStats(ctx context.Context, name string, yTrue, yPred *array.Array, opts []sched.Option) ([]float64, error) {
	return metricPass(ctx, name, "ml.m.reg", yTrue, yPred, false, nil, 5, opts)
}

// R2Score is the coefficient of determination of yPred against yTrue
// (scikit-learn's r2_score; 0 for a constant yTrue predicted exactly is
// reported as 1, as scikit-learn does).
func R2Score(ctx context.Context, yTrue, yPred *array.Array, opts ...sched.Option) (float64, error) {
	s, err := regStats(ctx, "R2Score", yTrue, yPred, opts)
	if err != nil {
		return 0, err
	}
	if s[2] == 0 {
		if s[3] == 0 {
			return 1, nil
		}
		return 0, nil
	}
	return 1 - s[3]/s[2], nil
}

// MeanSquaredError is the mean of (yTrue - yPred)².
func MeanSquaredError(ctx context.Context, yTrue, yPred *array.Array, opts ...sched.Option) (float64, error) {
	s, err := regStats(ctx, "MeanSquaredError", yTrue, yPred, opts)
	if err != nil {
		return 0, err
	}
	return s[3] / s[0], nil
}

// MeanAbsoluteError is the mean of |yTrue - yPred|.
func MeanAbsoluteError(ctx context.Context, yTrue, yPred *array.Array, opts ...sched.Option) (float64, error) {
	s, err := regStats(ctx, "MeanAbsoluteError", yTrue, yPred, opts)
	if err != nil {
		return 0, err
	}
	return s[4] / s[0], nil
}

// ConfusionMatrix returns the k×k counts C[i][j] of rows whose true label
// is classes[i] and predicted label classes[j]. Rows whose labels are not in
// classes are not counted.
func ConfusionMatrix(ctx context.Context, yTrue, yPred *array.Array, classes []float64, opts ...sched.Option) ([][]float64, error) {
	if len(classes) == 0 {
		return nil, errf("ConfusionMatrix", "no classes given")
	}
	cs := sortedCopy(classes)
	s, err := metricPass(ctx, "ConfusionMatrix", "ml.m.confusion", yTrue, yPred, false, appendFloats(nil, cs), len(cs)*len(cs)+1, opts)
	if err != nil {
		return nil, err
	}
	k := len(cs)
	out := make([][]float64, k)
	for i := range out {
		// in the caller's order of classes
		out[i] = make([]float64, k)
	}
	pos := make([]int, k)
	for i, c := range classes {
		pos[i] = classIndex(cs, c)
	}
	for i := range k {
		for j := range k {
			out[i][j] = s[pos[i]*k+pos[j]]
		}
	}
	return out, nil
}

// AccuracyScore is the fraction of rows where yPred equals yTrue.
func AccuracyScore(ctx context.Context, yTrue, yPred *array.Array, opts ...sched.Option) (float64, error) {
	t, q, err := pair("AccuracyScore", yTrue, yPred, false)
	if err != nil {
		return 0, err
	}
	d, err := t.Eq(q).AsType(array.Float64).Mean().Compute(ctx, opts...)
	if err != nil {
		return 0, fmt.Errorf("ml: AccuracyScore: %w", err)
	}
	return d.Data[0], nil
}

// PrecisionRecallF1 returns the precision, recall and F1 score of the
// positive class posLabel (scikit-learn's average="binary"); 0 where a
// denominator is 0, as scikit-learn's zero_division=0... warns and does.
func PrecisionRecallF1(ctx context.Context, yTrue, yPred *array.Array, posLabel float64, opts ...sched.Option) (precision, recall, f1 float64, err error) {
	t, q, err := pair("PrecisionRecallF1", yTrue, yPred, false)
	if err != nil {
		return 0, 0, 0, err
	}
	pt := t.Eq(array.Scalar(posLabel)).AsType(array.Float64)
	pp := q.Eq(array.Scalar(posLabel)).AsType(array.Float64)
	ds, err := array.ComputeAll(ctx, []*array.Array{pt.Mul(pp).Sum(), pp.Sum(), pt.Sum()}, opts...)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("ml: PrecisionRecallF1: %w", err)
	}
	tp, npred, ntrue := ds[0].Data[0], ds[1].Data[0], ds[2].Data[0]
	if npred > 0 {
		precision = tp / npred
	}
	if ntrue > 0 {
		recall = tp / ntrue
	}
	if precision+recall > 0 {
		f1 = 2 * precision * recall / (precision + recall)
	}
	return precision, recall, f1, nil
}

// LogLoss is the mean negative log-likelihood of yTrue under the class
// probabilities proba (rows × len(classes), columns in the order of the
// sorted classes, as PredictProba gives them); probabilities are clipped to
// [ε, 1-ε] (ε = 2⁻⁵², the machine epsilon) and then each row
// renormalised, as scikit-learn 1.2's log_loss does.
func LogLoss(ctx context.Context, yTrue, proba *array.Array, classes []float64, opts ...sched.Option) (float64, error) {
	if len(classes) < 2 {
		return 0, errf("LogLoss", "classes %v: want at least two", classes)
	}
	if proba.Err() == nil && proba.Ndim() == 2 && proba.Shape()[1] != len(classes) {
		return 0, errf("LogLoss", "probabilities have %d columns for %d classes", proba.Shape()[1], len(classes))
	}
	s, err := metricPass(ctx, "LogLoss", "ml.m.logloss", yTrue, proba, true, appendFloats(nil, sortedCopy(classes)), 2, opts)
	if err != nil {
		return 0, err
	}
	return s[1] / s[0], nil
}

// RocAucScore is the area under the ROC curve of score (higher means
// posLabel) against yTrue, for scores in [0, 1] (probabilities; a score
// outside, or NaN, is an error naming it: pass PredictProba's column, not a
// decision function). It is
// computed blockwise from score histograms of 2^14 equal bins: pairs of a
// positive and a negative row in the same bin count one half, so the error
// is at most the fraction of such pairs (exact when no two scores of
// different classes share a bin).
func RocAucScore(ctx context.Context, yTrue, score *array.Array, posLabel float64, opts ...sched.Option) (float64, error) {
	s, err := metricPass(ctx, "RocAucScore", "ml.m.auc", yTrue, score, false, appendFloat(nil, posLabel), 2*aucBins, opts)
	if err != nil {
		return 0, err
	}
	neg, pos := s[:aucBins], s[aucBins:]
	var np, nn, below, area float64
	for b := range aucBins {
		area += pos[b] * (below + neg[b]/2)
		below += neg[b]
		np += pos[b]
		nn += neg[b]
	}
	if np == 0 || nn == 0 {
		return 0, errf("RocAucScore", "only one class present in yTrue (%v positives, %v negatives)", np, nn)
	}
	return area / (np * nn), nil
}

func sortedCopy(v []float64) []float64 {
	c := append([]float64(nil), v...)
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && c[j] < c[j-1]; j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
	return c
}
