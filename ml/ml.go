package ml

import (
	"context"
	"fmt"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
)

// Model is a fitted model: what Fit returns. Every Model type is registered
// (RegisterModel), so Save, Load and task values work for it.
type Model interface {
	// ModelName is the registered name of the model type (for Save/Load).
	ModelName() string
}

// Estimator is anything that fits a Model on X (and y, nil for
// unsupervised estimators). Each estimator also has a typed Fit that
// returns its concrete model.
type Estimator interface {
	FitModel(ctx context.Context, X, y *array.Array, opts ...sched.Option) (Model, error)
}

// Predictor is a fitted model that predicts one value per row, lazily.
type Predictor interface {
	Model
	Predict(X *array.Array) *array.Array
}

// ProbaPredictor is a fitted classifier that gives class probabilities, one
// row of len(Classes) per row of X, lazily.
type ProbaPredictor interface {
	Predictor
	PredictProba(X *array.Array) *array.Array
}

// Transformer is a fitted model that maps X to new features, lazily.
type Transformer interface {
	Model
	Transform(X *array.Array) *array.Array
}

// PartialFitter is an estimator that learns from one in-memory block at a
// time (SGD, MiniBatchKMeans): PartialFit updates the model m (nil to start)
// with the rows of x and returns it. classes lists every class a classifier
// will ever see (nil for regressors and clustering).
type PartialFitter interface {
	PartialFit(m Model, x, y *array.Dense, classes []float64) (Model, error)
}

// Scorer is a fitted model with a default score: accuracy for classifiers,
// R² for regressors, minus the inertia for clustering (higher is better).
type Scorer interface {
	Model
	Score(ctx context.Context, X, y *array.Array, opts ...sched.Option) (float64, error)
}

// BlockPredictor is the in-memory side of a model: it predicts the rows of
// one block. Every model in this package implements it; a user's model that
// implements it (and is registered with RegisterModel) gets blockwise lazy
// prediction from ParallelPostFit.
type BlockPredictor interface {
	Model
	PredictBlock(x *array.Dense) (*array.Dense, error)
}

// BlockProbaPredictor is a BlockPredictor that also gives probabilities.
type BlockProbaPredictor interface {
	BlockPredictor
	PredictProbaBlock(x *array.Dense) (*array.Dense, error)
}

// BlockTransformer transforms the rows of one block.
type BlockTransformer interface {
	Model
	TransformBlock(x *array.Dense) (*array.Dense, error)
}

// errf formats an error of estimator est.
func errf(est, format string, args ...any) error {
	return fmt.Errorf("ml: %s: "+format, append([]any{est}, args...)...)
}
