package ml

import (
	"context"
	"fmt"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
)

// Incremental fits a PartialFitter over the row blocks of X, one block in
// memory at a time (dask-ml's Incremental): Epochs passes (default 1) over
// the blocks in order, or in a seeded shuffled order per epoch when
// ShuffleBlocks. The partial fits are a chain of tasks on the executor of
// the options (see incremental.go): each takes the previous model and one
// block of X and y, so the fit runs where the blocks are (the local pool, a
// cluster), and a lazily generated or Zarr-backed X larger than memory
// streams under the executor's memory limit, the next blocks computed while
// one is learned. The Estimator's type must be registered
// (RegisterEstimator; this package's SGDClassifier, SGDRegressor and
// MiniBatchKMeans are). For classifiers the classes are found by one pass
// over y unless Classes is given; y may be nil for unsupervised fitters.
type Incremental struct {
	Estimator     PartialFitter
	Epochs        int
	ShuffleBlocks bool
	Seed          uint64
	Classes       []float64
}

// classifierEstimator is a PartialFitter that needs the list of classes.
type classifierEstimator interface{ classifier() bool }

func (SGDClassifier) classifier() bool { return true }

// Fit runs the partial fits and returns the final model.
func (inc Incremental) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	const est = "Incremental"
	if inc.Estimator == nil {
		return nil, errf(est, "no Estimator")
	}
	eb, err := encodeEstimator(inc.Estimator)
	if err != nil {
		return nil, errf(est, "%v", err)
	}
	var x, yy *array.Array
	if y == nil {
		x, err = checkX(est, X)
	} else {
		x, yy, err = checkXY(est, X, y)
	}
	if err != nil {
		return nil, err
	}
	epochs := inc.Epochs
	if epochs == 0 {
		epochs = 1
	}
	if epochs < 0 {
		return nil, errf(est, "Epochs = %d: want >= 1", epochs)
	}
	classes := inc.Classes
	if sc, ok := inc.Estimator.(SGDClassifier); ok && classes == nil {
		classes = sc.Classes
	}
	if c, ok := inc.Estimator.(classifierEstimator); ok && c.classifier() {
		if yy == nil {
			return nil, errf(est, "%T is a classifier: y is required", inc.Estimator)
		}
		if classes == nil {
			if classes, err = classesOf(ctx, est, &lazyRows{x: x, y: yy, opts: opts}); err != nil {
				return nil, fmt.Errorf("ml: %s: %w", est, err)
			}
		}
	}
	order := inc.incOrder(x.Chunks()[0], epochs)
	if len(order) == 0 {
		return nil, errf(est, "X has no rows")
	}
	return inc.runChain(ctx, eb, x, yy, order, classes, opts)
}

// FitModel implements Estimator.
func (inc Incremental) FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error) {
	return inc.Fit(ctx, X, y, opts...)
}

// ParallelPostFit gives any in-memory model blockwise lazy prediction
// (dask-ml's ParallelPostFit): Model, which must be registered with
// RegisterModel so it travels in the task parameters, predicts each row
// block of X in its own task. Fit fits Estimator (typically on a small
// sample) and wraps the result.
type ParallelPostFit struct {
	Estimator Estimator
	Model     BlockPredictor
}

// Fit fits Estimator on X, y and returns the wrapper holding the model.
func (pf ParallelPostFit) Fit(ctx context.Context, X, y *array.Array, opts ...sched.Option) (ParallelPostFit, error) {
	if pf.Estimator == nil {
		return pf, errf("ParallelPostFit", "no Estimator to fit")
	}
	m, err := pf.Estimator.FitModel(ctx, X, y, opts...)
	if err != nil {
		return pf, err
	}
	bp, ok := m.(BlockPredictor)
	if !ok {
		return pf, errf("ParallelPostFit", "model %s does not implement BlockPredictor", m.ModelName())
	}
	pf.Model = bp
	return pf, nil
}

// Predict returns the lazy predictions, one task per row block of X.
func (pf ParallelPostFit) Predict(X *array.Array) *array.Array {
	if pf.Model == nil {
		return noModel("ParallelPostFit", "Predict")
	}
	return mapRows("ParallelPostFit", pf.Model, X, rowPredict, 0)
}

// PredictProba returns the lazy probabilities; the number of columns is
// found by predicting one row of zeros.
func (pf ParallelPostFit) PredictProba(X *array.Array) *array.Array {
	pp, ok := pf.Model.(BlockProbaPredictor)
	if !ok {
		return noModel("ParallelPostFit", "PredictProba (the model gives no probabilities) or")
	}
	if X.Err() != nil || X.Ndim() != 2 {
		return mapRows("ParallelPostFit", pp, X, rowProba, 1)
	}
	z, _ := array.NewDenseFloat64(make([]float64, X.Shape()[1]), 1, X.Shape()[1])
	d, err := pp.PredictProbaBlock(z)
	if err != nil {
		return array.Zeros([]int{0}, nil).WithErr(fmt.Errorf("ml: ParallelPostFit: PredictProba: %w", err))
	}
	return mapRows("ParallelPostFit", pp, X, rowProba, d.Shape[len(d.Shape)-1])
}
