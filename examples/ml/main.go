// Command ml runs the seed sequence of dask-ml in Go:
//
//	make_blobs + KMeans (k-means||)
//	make_classification + StandardScaler + LogisticRegression
//	GridSearchCV over a pipeline (candidates × folds as one graph)
//	Incremental SGD over an array generated lazily, larger than its memory limit
//	ParallelPostFit predict_proba, blockwise and lazy, on many rows
//	a random forest of 200 trees, one task per tree
//
//	go run ./examples/ml [-rows 1000000] [-postfit 10000000] [-memlimit 1073741824] [-inc-memlimit 134217728] (bytes)
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/godask/godask/ml"
	"github.com/godask/godask/ml/datasets"
	"github.com/godask/godask/sched"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "rows of the generated data sets")
	chunk := flag.Int("chunk", 100_000, "rows per block")
	postfit := flag.Int("postfit", 10_000_000, "rows predicted by ParallelPostFit")
	mem := flag.Int64("memlimit", 1<<30, "memory limit (bytes) for the ParallelPostFit step")
	incMem := flag.Int64("inc-memlimit", 128<<20, "memory limit (bytes) for the Incremental step, smaller than the 640 MB it streams at the default -rows")
	trees := flag.Int("trees", 200, "trees of the forest")
	flag.Parse()
	if err := run(*rows, *chunk, *postfit, *trees, *mem, *incMem); err != nil {
		fmt.Fprintln(os.Stderr, "ml:", err)
		os.Exit(1)
	}
}

func step(name string, t time.Time) { fmt.Printf("  (%s: %.2fs)\n", name, time.Since(t).Seconds()) }

func run(rows, chunk, postfit, trees int, mem, incMem int64) error {
	ctx := context.Background()

	// 1. make_blobs + KMeans
	t := time.Now()
	X, _, _ := datasets.MakeBlobs(rows, chunk, datasets.Blobs{Features: 20, Centers: 8, Seed: 1})
	X, err := X.Persist(ctx)
	if err != nil {
		return err
	}
	km, err := ml.KMeans{NClusters: 8, Seed: 1}.Fit(ctx, X, nil)
	if err != nil {
		return err
	}
	fmt.Printf("KMeans: %d iterations, inertia/row %.4f, %s\n", km.NIter, km.Inertia/float64(rows), km.Predict(X))
	step("kmeans", t)

	// 2. make_classification + StandardScaler + LogisticRegression
	t = time.Now()
	Xc, yc := datasets.MakeClassification(rows, chunk, datasets.Classification{Features: 20, Informative: 10, Seed: 2})
	if Xc, err = Xc.Persist(ctx); err != nil {
		return err
	}
	if yc, err = yc.Persist(ctx); err != nil {
		return err
	}
	pipe, err := ml.MakePipeline(ml.StandardScaler{}, ml.LogisticRegression{C: 1}).Fit(ctx, Xc, yc)
	if err != nil {
		return err
	}
	acc, err := pipe.Score(ctx, Xc, yc)
	if err != nil {
		return err
	}
	lr := pipe.Models[1].(*ml.LogisticModel)
	fmt.Printf("StandardScaler + LogisticRegression: accuracy %.4f after %d L-BFGS iterations\n", acc, lr.NIter)
	step("pipeline", t)

	// 3. GridSearchCV over the pipeline
	t = time.Now()
	small := Xc.Index(":100000, :")
	ys := yc.Index(":100000")
	gs, err := ml.GridSearchCV{
		Estimator: ml.MakePipeline(ml.StandardScaler{}, ml.LogisticRegression{}),
		ParamGrid: map[string][]any{"logisticregression__C": {0.001, 0.01, 0.1, 1.0, 10.0}},
		CV:        ml.KFold{NSplits: 5},
	}.Fit(ctx, small, ys)
	if err != nil {
		return err
	}
	fmt.Printf("GridSearchCV: best %v score %.4f (%d tasks: the scaler of each fold is fitted once)\n", gs.BestParams, gs.BestScore, gs.Tasks)
	for _, r := range gs.CVResults {
		fmt.Printf("    %v  mean %.4f  std %.4f  rank %d\n", r.Params, r.MeanTestScore, r.StdTestScore, r.RankTestScore)
	}
	step("grid search", t)

	// 4. Incremental SGD over a lazily generated array, under a memory limit
	t = time.Now()
	Xl, yl := datasets.MakeClassification(4*rows, chunk, datasets.Classification{Features: 20, Informative: 10, Seed: 2})
	sc, err := ml.StandardScaler{}.Fit(ctx, small, nil) // scale by a sample, lazily apply to all
	if err != nil {
		return err
	}
	inc, err := ml.Incremental{Estimator: ml.SGDClassifier{Loss: "log_loss"}, Classes: []float64{0, 1}}.Fit(ctx, sc.Transform(Xl), yl, sched.WithMemoryLimit(incMem))
	if err != nil {
		return err
	}
	sacc, err := inc.(*ml.SGDModel).Score(ctx, sc.Transform(Xc), yc)
	if err != nil {
		return err
	}
	fmt.Printf("Incremental SGD over %d lazily generated rows (%d MB of float64) under a %d MiB memory limit: accuracy %.4f\n",
		4*rows, 4*rows*20*8/1_000_000, incMem>>20, sacc)
	step("incremental", t)

	// 5. ParallelPostFit: fit on a small sample, predict_proba blockwise
	t = time.Now()
	pf, err := ml.ParallelPostFit{Estimator: ml.LogisticRegression{}}.Fit(ctx, small, ys)
	if err != nil {
		return err
	}
	Xp, _ := datasets.MakeClassification(postfit, 1_000_000, datasets.Classification{Features: 20, Informative: 10, Seed: 2})
	proba := pf.PredictProba(Xp)
	mean, err := proba.Index(":, 1").Mean().Compute(ctx, sched.WithMemoryLimit(mem))
	if err != nil {
		return err
	}
	fmt.Printf("ParallelPostFit predict_proba on %d rows (%s): mean P(1) %.4f\n", postfit, proba, mean.Data[0])
	step("postfit", t)

	// 6. a forest, one task per tree
	t = time.Now()
	fr, err := ml.RandomForestClassifier{NEstimators: trees, MaxDepth: 10, Seed: 3}.Fit(ctx, small, ys)
	if err != nil {
		return err
	}
	facc, err := fr.Score(ctx, Xc.Index("100000:200000, :"), yc.Index("100000:200000"))
	if err != nil {
		return err
	}
	fmt.Printf("RandomForestClassifier: %d trees, held-out accuracy %.4f\n", len(fr.Trees), facc)
	step("forest", t)
	return nil
}
