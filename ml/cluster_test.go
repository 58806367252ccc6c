package ml

import (
	"math"
	"os"
	"testing"

	"github.com/godask/godask/array"
	"github.com/godask/godask/ml/datasets"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

// TestMain makes the test binary its own worker: cluster.Local starts
// copies of it with cluster.EnvWorker set, and cluster.Main turns them into
// workers (every ml op and model codec is registered in them by init).
func TestMain(m *testing.M) {
	cluster.Main()
	os.Exit(m.Run())
}

// Incremental SGD and a fitted model's blockwise PredictProba on a real
// cluster of two local worker processes (every task, block and model
// crosses a socket and a process boundary) give the same values, bit for
// bit, as the local executor: the step chain is sequential whatever the
// executor, and each block's prediction is one task.
func TestIncrementalAndPredictProbaOnCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	c, err := cluster.Local(2, cluster.WithThreads(1), cluster.WithMemoryLimit(256<<20))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	on := []sched.Option{sched.WithExecutor(c)}

	X, y := datasets.MakeClassification(6000, 700, datasets.Classification{Informative: 4, Features: 6, Classes: 3, Seed: 21})
	inc := Incremental{Estimator: SGDClassifier{Loss: "log_loss", Seed: 5}, Epochs: 2, ShuffleBlocks: true, Seed: 8}
	want, err := inc.Fit(ctx, X, y)
	if err != nil {
		t.Fatal(err)
	}
	got, err := inc.Fit(ctx, X, y, on...)
	if err != nil {
		t.Fatalf("Incremental on the cluster: %v", err)
	}
	// 9 blocks generated and 18 steps, at least, ran in the workers
	if st := c.Stats(); st.Tasks < 27 || st.Workers != 2 {
		t.Fatalf("cluster stats after Incremental: %+v; want 2 workers and at least 27 tasks", st)
	}
	g, w := got.(*SGDModel), want.(*SGDModel)
	if len(g.Coef) != 3 || g.Blocks != 2*9 {
		t.Fatalf("cluster model: %d coefficient rows, %d blocks; want 3 and 18", len(g.Coef), g.Blocks)
	}
	for k := range w.Coef {
		close(t, "coef", g.Coef[k], w.Coef[k], 0)
	}
	close(t, "intercept", g.Intercept, w.Intercept, 0)
	if g.T != w.T {
		t.Fatalf("T %v on the cluster, %v locally", g.T, w.T)
	}

	// The locally fitted model predicts on the cluster: the model travels
	// in every task's parameters.
	pl, err := w.PredictProba(X).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := w.PredictProba(X).Compute(ctx, on...)
	if err != nil {
		t.Fatalf("PredictProba on the cluster: %v", err)
	}
	if pc.Shape[0] != 6000 || pc.Shape[1] != 3 {
		t.Fatalf("PredictProba shape %v", pc.Shape)
	}
	close(t, "predict_proba", pc.Data, pl.Data, 0)
	before := c.Stats().Tasks

	// A forest fitted on the cluster (one task per tree) equals the local
	// one in its predicted probabilities.
	rf := RandomForestClassifier{NEstimators: 8, MaxDepth: 6, Seed: 2}
	fl, err := rf.Fit(ctx, X, y)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := rf.Fit(ctx, X, y, on...)
	if err != nil {
		t.Fatalf("forest on the cluster: %v", err)
	}
	ql, err := fl.PredictProba(X).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	qc, err := fc.PredictProba(X).Compute(ctx, on...)
	if err != nil {
		t.Fatal(err)
	}
	close(t, "forest predict_proba", qc.Data, ql.Data, 0)
	if n := c.Stats().Tasks - before; n < 8 {
		t.Fatalf("%d tasks of the forest ran on the cluster, want at least one per tree", n)
	}
}

// stumpModel is a model a user wrote: class 1 where feature 0 exceeds Cut,
// probability by a logistic of the margin.
type stumpModel struct{ Cut float64 }

func (*stumpModel) ModelName() string { return "mltest.stump" }

func (m *stumpModel) PredictBlock(x *array.Dense) (*array.Dense, error) {
	r, c := x.Shape[0], x.Shape[1]
	out := make([]float64, r)
	for i := range r {
		if x.Data[i*c] > m.Cut {
			out[i] = 1
		}
	}
	return array.NewDenseFloat64(out, r)
}

func (m *stumpModel) PredictProbaBlock(x *array.Dense) (*array.Dense, error) {
	r, c := x.Shape[0], x.Shape[1]
	out := make([]float64, 2*r)
	for i := range r {
		p := 1 / (1 + math.Exp(m.Cut-x.Data[i*c]))
		out[2*i], out[2*i+1] = 1-p, p
	}
	return array.NewDenseFloat64(out, r, 2)
}

func init() { RegisterModel(&stumpModel{}) }

// ParallelPostFit gives a user's registered model blockwise lazy
// prediction, with X's row chunks, locally and on a cluster of worker
// processes, equal to the model called row by row.
func TestParallelPostFitUserModel(t *testing.T) {
	X0, _ := datasets.MakeClassification(2000, 500, datasets.Classification{Features: 4, Seed: 3})
	rc := []int{500, 0, 300, 700, 500}
	X := X0.Rechunk(array.Explicit{rc, {4}})
	pf := ParallelPostFit{Model: &stumpModel{Cut: 0.25}}
	xd, err := X.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wp, _ := pf.Model.PredictBlock(xd)
	wq, _ := pf.Model.(BlockProbaPredictor).PredictProbaBlock(xd)
	runs := [][]sched.Option{nil, loop}
	if !testing.Short() {
		c, err := cluster.Local(2, cluster.WithThreads(1), cluster.WithMemoryLimit(256<<20))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		runs = append(runs, []sched.Option{sched.WithExecutor(c)})
	}
	for _, on := range runs {
		p, q := pf.Predict(X), pf.PredictProba(X)
		if !sameInts(p.Chunks()[0], rc) || !sameInts(q.Chunks()[0], rc) {
			t.Fatalf("row chunks %v and %v, want X's %v", p.Chunks()[0], q.Chunks()[0], rc)
		}
		ds, err := array.ComputeAll(ctx, []*array.Array{p, q}, on...)
		if err != nil {
			t.Fatal(err)
		}
		close(t, "ParallelPostFit predict", ds[0].Data, wp.Data, 0)
		close(t, "ParallelPostFit predict_proba", ds[1].Data, wq.Data, 0)
	}
}
