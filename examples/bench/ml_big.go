package main

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/godask/godask/ml"
	"github.com/godask/godask/ml/datasets"
	"github.com/godask/godask/sched"
)

// The ml suite's out-of-core workloads (issue #15: "KMeans and Incremental
// SGD on 10⁸×20 float64 rows, 16 GB, under an 8 GiB memory limit"). They
// run only when named (-names big_kmeans,big_sgd): the rows are generated
// lazily by ml/datasets, block by block, in every pass, and never held
// together; -big-rows sets the size (default 10⁸) and -mem-limit the limit
// (default 8GiB, shared between the scheduler and the Go runtime as the
// other suites do). Each prints its line and, on stderr, the peak RSS of
// the process so far (getrusage).

type bigConfig struct {
	rows, chunk int
	memLimit    string
}

var big bigConfig

func peakRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) * 1024 // Linux reports KiB
}

func bigOpts(e *mlEnv) ([]sched.Option, error) {
	lim, err := memoryLimit(big.memLimit)
	if err != nil {
		return nil, err
	}
	return append(append([]sched.Option(nil), e.opts...), lim...), nil
}

func reportBig(name string, t time.Time) {
	fmt.Fprintf(os.Stderr, "ml/%s: %d rows × 20 float64 (%.1f GB generated lazily), mem limit %s: %.1fs, peak RSS %.2f GiB\n",
		name, big.rows, float64(big.rows)*20*8/1e9, big.memLimit, time.Since(t).Seconds(), peakRSS()/(1<<30))
}

var mlBigWorkloads = []struct {
	name string
	run  func(ctx context.Context, e *mlEnv) error
}{
	{"big_kmeans", func(ctx context.Context, e *mlEnv) error {
		opts, err := bigOpts(e)
		if err != nil {
			return err
		}
		X, _, _ := datasets.MakeBlobs(big.rows, big.chunk, datasets.Blobs{Features: 20, Centers: 8, Seed: 1})
		t := start()
		m, err := ml.KMeans{NClusters: 8, MaxIter: 20, Seed: 0}.Fit(ctx, X, nil, opts...)
		if err != nil {
			return err
		}
		out("big_kmeans", t, "inertia_per_row", m.Inertia/float64(big.rows), "iters", float64(m.NIter), "peak_rss_gib", peakRSS()/(1<<30))
		reportBig("big_kmeans", t.t)
		return nil
	}},
	{"big_sgd", func(ctx context.Context, e *mlEnv) error {
		opts, err := bigOpts(e)
		if err != nil {
			return err
		}
		// the holdout is the 10⁶ rows generated after the fitted ones
		const hold = 1_000_000
		Xa, ya := datasets.MakeClassification(big.rows+hold, big.chunk, datasets.Classification{Features: 20, Informative: 10, Seed: 2})
		X, y := Xa.Index(fmt.Sprintf(":%d, :", big.rows)), ya.Index(fmt.Sprintf(":%d", big.rows))
		Xh, yh := Xa.Index(fmt.Sprintf("%d:, :", big.rows)), ya.Index(fmt.Sprintf("%d:", big.rows))
		t := start()
		m, err := ml.Incremental{Estimator: ml.SGDClassifier{Loss: "log_loss", Seed: 0}, Classes: []float64{0, 1}}.Fit(ctx, X, y, opts...)
		if err != nil {
			return err
		}
		acc, err := m.(*ml.SGDModel).Score(ctx, Xh, yh, opts...)
		if err != nil {
			return err
		}
		out("big_sgd", t, "acc", acc, "peak_rss_gib", peakRSS()/(1<<30))
		reportBig("big_sgd", t.t)
		return nil
	}},
}
