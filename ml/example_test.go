package ml_test

import (
	"context"
	"fmt"

	"github.com/godask/godask/ml"
	"github.com/godask/godask/ml/datasets"
)

func ExampleKMeans() {
	ctx := context.Background()
	X, _, _ := datasets.MakeBlobs(10_000, 2_000, datasets.Blobs{Features: 2, Centers: 3, Std: 0.5, Seed: 1})
	m, err := ml.KMeans{NClusters: 3, Seed: 1}.Fit(ctx, X, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(m.ClusterCenters), m.Converged, m.Predict(X))
	// Output: 3 true array<shape=(10000,), dtype=float64, chunks=(2000,), tasks=10>
}

func ExampleLogisticRegression() {
	ctx := context.Background()
	X, y := datasets.MakeClassification(10_000, 2_500, datasets.Classification{Seed: 1})
	pipe, err := ml.MakePipeline(ml.StandardScaler{}, ml.LogisticRegression{C: 1}).Fit(ctx, X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	acc, _ := pipe.Score(ctx, X, y)
	fmt.Println(pipe.Names, acc > 0.8, pipe.PredictProba(X).Shape())
	// Output: [standardscaler logisticregression] true [10000 2]
}

func ExampleGridSearchCV() {
	ctx := context.Background()
	X, y := datasets.MakeClassification(5_000, 1_000, datasets.Classification{Informative: 6, Seed: 2})
	res, err := ml.GridSearchCV{
		Estimator: ml.MakePipeline(ml.StandardScaler{}, ml.LogisticRegression{}),
		ParamGrid: map[string][]any{"logisticregression__C": {0.01, 1.0}},
		CV:        ml.KFold{NSplits: 3},
	}.Fit(ctx, X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	// 10 data blocks, 3 fold splits, 3 shared scalers, 6 fits
	fmt.Println(len(res.CVResults), res.Tasks, res.BestScore > 0.7)
	// Output: 2 22 true
}
