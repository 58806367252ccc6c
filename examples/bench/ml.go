package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/godask/godask/array"
	"github.com/godask/godask/io/npy"
	"github.com/godask/godask/ml"
	"github.com/godask/godask/sched"
)

// The ml suite: the workloads of shared/peers/ml_sklearn.py on the same
// .npy files (written once by `ml_sklearn.py DIR gen`), with the same
// quality measures on the same rows (the holdout is the last 20% of rows, in
// file order). Inputs are read and persisted before the clock starts, as
// the peer loads them with np.load first.
func init() { suites["ml"] = mlSuite }

type mlEnv struct {
	dir   string
	chunk int
	opts  []sched.Option
	cache map[string]*array.Array
}

func (e *mlEnv) load(name string) (*array.Array, error) {
	if a, ok := e.cache[name]; ok {
		return a, nil
	}
	d, err := npy.Load(filepath.Join(e.dir, name+".npy"), nil)
	if err != nil {
		return nil, err
	}
	sh := d.Shape()
	ch := array.Regular{e.chunk}
	if len(sh) == 2 {
		ch = array.Regular{e.chunk, sh[1]}
	}
	a, err := d.Rechunk(ch).Persist(context.Background(), e.opts...)
	if err != nil {
		return nil, err
	}
	if a.DType() != array.Float64 {
		if a, err = a.AsType(array.Float64).Persist(context.Background(), e.opts...); err != nil {
			return nil, err
		}
	}
	e.cache = map[string]*array.Array{name: a} // hold one data set at a time
	return a, nil
}

func (e *mlEnv) xy(xn, yn string) (X, y *array.Array, err error) {
	if X, err = e.load(xn); err != nil {
		return nil, nil, err
	}
	keep := X
	if y, err = e.load(yn); err != nil {
		return nil, nil, err
	}
	e.cache[xn] = keep
	return X, y, nil
}

// split is the peer's split (first 80% of rows to fit, the rest held out),
// persisted before the clock starts as the peer's NumPy views are.
func split(X, y *array.Array) (xa, ya, xb, yb *array.Array) {
	n := X.Shape()[0]
	k := int(float64(n) * 0.8)
	parts := []*array.Array{X.Index(fmt.Sprintf(":%d, :", k)), y.Index(fmt.Sprintf(":%d", k)),
		X.Index(fmt.Sprintf("%d:, :", k)), y.Index(fmt.Sprintf("%d:", k))}
	for i, a := range parts {
		if p, err := a.Persist(context.Background()); err == nil {
			parts[i] = p
		}
	}
	return parts[0], parts[1], parts[2], parts[3]
}

// clock is a start time and the process CPU time then.
type clock struct {
	t   time.Time
	cpu float64
}

func start() clock { return clock{time.Now(), cpuSeconds()} }

// out prints the workload's line (stdout) and its CPU seconds (stderr:
// wall time on a shared machine is noisy, CPU time less so).
func out(name string, t0 clock, kv ...any) {
	var b strings.Builder
	fmt.Fprintf(&b, "ml/%s seconds=%.4f", name, time.Since(t0.t).Seconds())
	fmt.Fprintf(os.Stderr, "ml/%s cpu_seconds=%.3f\n", name, cpuSeconds()-t0.cpu)
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, " %s=%.6g", kv[i], kv[i+1])
	}
	fmt.Println(b.String())
}

var mlWorkloads = []struct {
	name string
	run  func(ctx context.Context, e *mlEnv) error
}{
	{"kmeans", func(ctx context.Context, e *mlEnv) error {
		X, err := e.load("blobs_X")
		if err != nil {
			return err
		}
		t := start()
		m, err := ml.KMeans{NClusters: 8, MaxIter: 50, Seed: 0}.Fit(ctx, X, nil, e.opts...)
		if err != nil {
			return err
		}
		out("kmeans", t, "inertia_per_row", m.Inertia/float64(X.Shape()[0]))
		fmt.Fprintf(os.Stderr, "kmeans: %d iterations, converged %v\n", m.NIter, m.Converged)
		return nil
	}},
	{"logreg", func(ctx context.Context, e *mlEnv) error {
		X, y, err := e.xy("class_X", "class_y")
		if err != nil {
			return err
		}
		xa, ya, xb, yb := split(X, y)
		t := start()
		m, err := ml.LogisticRegression{C: 1, MaxIter: 100}.Fit(ctx, xa, ya, e.opts...)
		if err != nil {
			return err
		}
		acc, err := m.Score(ctx, xb, yb, e.opts...)
		if err != nil {
			return err
		}
		ll, err := ml.LogLoss(ctx, yb, m.PredictProba(xb), m.Classes, e.opts...)
		if err != nil {
			return err
		}
		out("logreg", t, "acc", acc, "logloss", ll)
		fmt.Fprintf(os.Stderr, "logreg: %d iterations, converged %v\n", m.NIter, m.Converged)
		return nil
	}},
	{"linreg", func(ctx context.Context, e *mlEnv) error {
		X, y, err := e.xy("reg_X", "reg_y")
		if err != nil {
			return err
		}
		xa, ya, xb, yb := split(X, y)
		t := start()
		m, err := ml.LinearRegression{}.Fit(ctx, xa, ya, e.opts...)
		if err != nil {
			return err
		}
		r2, err := m.Score(ctx, xb, yb, e.opts...)
		if err != nil {
			return err
		}
		out("linreg", t, "r2", r2)
		return nil
	}},
	{"scaler", func(ctx context.Context, e *mlEnv) error {
		X, err := e.load("class_X")
		if err != nil {
			return err
		}
		t := start()
		m, err := ml.StandardScaler{}.Fit(ctx, X, nil, e.opts...)
		if err != nil {
			return err
		}
		Z := m.Transform(X)
		ds, err := array.ComputeAll(ctx, []*array.Array{Z.Mean(0), Z.Std(0)}, e.opts...)
		if err != nil {
			return err
		}
		var am, sd float64
		for j, v := range ds[0].Data {
			am = math.Max(am, math.Abs(v))
			sd += ds[1].Data[j] / float64(len(ds[1].Data))
		}
		out("scaler", t, "abs_mean", am, "std", sd)
		return nil
	}},
	{"pca", func(ctx context.Context, e *mlEnv) error {
		X, err := e.load("class_X")
		if err != nil {
			return err
		}
		t := start()
		m, err := ml.PCA{NComponents: 5}.Fit(ctx, X, nil, e.opts...)
		if err != nil {
			return err
		}
		var s float64
		for _, v := range m.ExplainedVarianceRatio {
			s += v
		}
		out("pca", t, "evr", s)
		return nil
	}},
	{"gridsearch_logreg", func(ctx context.Context, e *mlEnv) error {
		X, y, err := e.xy("mid_X", "mid_y")
		if err != nil {
			return err
		}
		var cs []any
		for i := range 8 {
			cs = append(cs, math.Pow(10, -3+5*float64(i)/7))
		}
		t := start()
		g, err := ml.GridSearchCV{
			Estimator: ml.MakePipeline(ml.StandardScaler{}, ml.LogisticRegression{MaxIter: 200}),
			ParamGrid: map[string][]any{"logisticregression__C": cs},
			CV:        ml.KFold{NSplits: 5},
		}.Fit(ctx, X, y, e.opts...)
		if err != nil {
			return err
		}
		out("gridsearch_logreg", t, "best", g.BestScore)
		fmt.Fprintf(os.Stderr, "gridsearch_logreg: %d tasks, best %v\n", g.Tasks, g.BestParams)
		return nil
	}},
	{"forest", func(ctx context.Context, e *mlEnv) error {
		X, y, err := e.xy("mid_X", "mid_y")
		if err != nil {
			return err
		}
		xa, ya, xb, yb := split(X, y)
		t := start()
		m, err := ml.RandomForestClassifier{NEstimators: 100, MaxDepth: 12, Seed: 0}.Fit(ctx, xa, ya, e.opts...)
		if err != nil {
			return err
		}
		acc, err := m.Score(ctx, xb, yb, e.opts...)
		if err != nil {
			return err
		}
		out("forest", t, "acc", acc)
		return nil
	}},
	{"sgd_incremental", func(ctx context.Context, e *mlEnv) error {
		X, y, err := e.xy("class_X", "class_y")
		if err != nil {
			return err
		}
		xa, ya, xb, yb := split(X, y)
		t := start()
		m, err := ml.Incremental{Estimator: ml.SGDClassifier{Loss: "log_loss", Seed: 0}, Classes: []float64{0, 1}}.Fit(ctx, xa, ya, e.opts...)
		if err != nil {
			return err
		}
		acc, err := m.(*ml.SGDModel).Score(ctx, xb, yb, e.opts...)
		if err != nil {
			return err
		}
		out("sgd_incremental", t, "acc", acc)
		return nil
	}},
}

func mlSuite(args []string) error {
	fs := flag.NewFlagSet("ml", flag.ExitOnError)
	dir := fs.String("data", "/work/data/ml", "directory of the .npy inputs (ml_sklearn.py DIR gen)")
	names := fs.String("names", "", "comma list of workloads (default all)")
	chunk := fs.Int("chunk", 100_000, "rows per block")
	workers := fs.Int("workers", 0, "workers (default GOMAXPROCS)")
	prof := fs.String("cpuprofile", "", "write a CPU profile")
	fs.IntVar(&big.rows, "big-rows", 100_000_000, "rows of big_kmeans and big_sgd (run only when named)")
	fs.IntVar(&big.chunk, "big-chunk", 500_000, "rows per block of big_kmeans and big_sgd")
	fs.StringVar(&big.memLimit, "mem-limit", "8GiB", "memory limit of big_kmeans and big_sgd")
	if err := fs.Parse(args); err != nil {
		return err
	}
	e := &mlEnv{dir: *dir, chunk: *chunk}
	if *workers > 0 {
		e.opts = append(e.opts, sched.WithWorkers(*workers))
	}
	stop, err := cpuProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()
	want := map[string]bool{}
	for _, n := range strings.Split(*names, ",") {
		if n != "" {
			want[n] = true
		}
	}
	ctx := context.Background()
	for _, w := range append(mlWorkloads, mlBigWorkloads...) {
		if (len(want) > 0 || strings.HasPrefix(w.name, "big_")) && !want[w.name] {
			continue
		}
		if err := w.run(ctx, e); err != nil {
			return fmt.Errorf("ml/%s: %w", w.name, err)
		}
	}
	return nil
}
