// Package ml is the dask-ml of godask: datasets, preprocessing, linear
// models, clustering, decomposition, trees, model selection, wrappers and
// metrics that fit on chunked *array.Array inputs through the same executors
// as every other collection (DESIGN.md: examples → ml → array/frame → sched).
//
// The shape, used by every estimator:
//
//   - An estimator is a plain parameter struct (LogisticRegression{C: 1}).
//     Its zero value means scikit-learn's defaults.
//   - Fit(ctx, X, y, opts...) returns a fitted model value (a pointer to a
//     struct with exported fitted fields: Coef, Intercept, ClusterCenters,
//     Inertia, ExplainedVarianceRatio, NIter, Converged, ...). The estimator
//     itself is never modified. FitModel is the same call behind the
//     Estimator interface, for code that handles any estimator (Pipeline,
//     GridSearchCV).
//   - X is a 2-D float64 array chunked by rows (several column chunks are
//     gathered per row block, never across row blocks); y is a 1-D array of
//     the same length and row chunks.
//   - Predict, PredictProba, Transform of a fitted model return lazy arrays
//     with X's row chunks: one task per row block, the model travelling in the
//     task parameters (so it runs on remote workers). Every fitted model is
//     thus ParallelPostFit; ParallelPostFit wraps a user's BlockPredictor.
//   - Every pass over the data is one task per row block returning a small
//     partial result (a gradient, cluster sums, counts) merged by a tree of
//     tasks; no chunk is ever concatenated with another.
//   - Iterative fits (LogisticRegression, KMeans, ...) read X once per pass:
//     persist X first (X.Persist) when it is cheap to hold in memory and
//     expensive to recompute; for data larger than memory leave it lazy and
//     every pass streams it under the executor's memory limit.
//   - A fitted model encodes to bytes: Save/Load (versioned), and every model
//     type is registered with graph.RegisterType, so it can be a task value.
//
// Bad input (X not 2-D or not float64, y of the wrong length or chunks, NaN
// in X, a single class, K larger than the rows, an unknown solver, Predict
// before Fit, a model file of another version) is an error naming the
// estimator and the problem; nothing panics.
package ml
