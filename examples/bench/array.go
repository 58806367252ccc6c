package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/godask/godask/array"
	"github.com/godask/godask/array/linalg"
)

func init() { suites["array"] = arrayBench }

// arrayBench runs the workloads of shared/peers/array_dask.py with the same
// sizes and chunks: one warm-up, then the timed run (median of -runs).
func arrayBench(args []string) error {
	fs := flag.NewFlagSet("array", flag.ExitOnError)
	only := fs.String("only", "", "comma-separated workloads (default all)")
	runs := fs.Int("runs", 1, "timed repetitions; the median is printed")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the timed runs (not the warm-ups or the input generation) to this file")
	bw := fs.Bool("bandwidth", true, "measure the read bandwidth first and report each memory-bound workload's share of it on stderr")
	fs.Parse(args)
	ctx := context.Background()
	bandwidth := 0.0
	if *bw {
		bandwidth = readBandwidth(runtime.GOMAXPROCS(0), 1<<30)
		fmt.Fprintf(os.Stderr, "array: read bandwidth %.1f GB/s (%d goroutines, 1 GiB buffer)\n", bandwidth/1e9, runtime.GOMAXPROCS(0))
	}
	fmt.Fprintln(os.Stderr, "array: BLAS", array.BLASName(), "; generating inputs")
	persist := func(a *array.Array) *array.Array {
		p, err := a.Persist(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "persist:", err)
			os.Exit(1)
		}
		return p
	}
	x := persist(array.Uniform(0, 0, 1, []int{50_000_000}, array.Regular{5_000_000}))
	A := persist(array.Uniform(1, 0, 1, []int{4000, 4000}, array.Regular{1000, 1000}))
	X := persist(array.Uniform(2, 0, 1, []int{2_000_000, 20}, array.Regular{200_000, 20}))
	y := persist(array.Uniform(3, 0, 1, []int{2_000_000}, array.Regular{200_000}))
	one := func(a *array.Array) func() error {
		return func() error { _, err := a.Compute(ctx); return err }
	}
	type workload struct {
		name  string
		run   func() error
		bytes float64 // bytes a workload must read at least (memory-bound ones)
	}
	W := []workload{
		{"sum", one(x.Sum()), 8 * 50e6},
		{"meanstd", func() error { _, err := array.ComputeAll(ctx, []*array.Array{x.Mean(), x.Std()}); return err }, 8 * 50e6},
		{"elementwise", one(array.Exp(x.MulScalar(2).AddScalar(1)).Sum()), 8 * 50e6},
		{"matmul", one(array.MatMul(A, A)), 0},
		{"transpose_add", one(A.Add(A.T()).Sum()), 2 * 8 * 4000 * 4000},
		{"ols_normal", one(linalg.Solve(array.MatMul(X.T(), X), array.MatMul(X.T(), y))), 0},
		{"lstsq_tsqr", one(linalg.Lstsq(X, y)), 0},
		{"svd_tsqr", func() error { _, s, _ := linalg.SVD(X); _, err := s.Compute(ctx); return err }, 0},
		{"slice_sum", one(A.Index("10:3000, :-2").Sum()), 8 * 2990 * 3998},
	}
	for _, extra := range arrayExtra {
		for _, w := range extra(ctx) {
			W = append(W, workload{w.name, w.run, w.bytes})
		}
	}
	stopProf := func() {}
	defer func() { stopProf() }()
	for _, w := range W {
		if *only != "" && !strings.Contains(","+*only+",", ","+w.name+",") {
			continue
		}
		if err := w.run(); err != nil { // warm-up
			return fmt.Errorf("%s: %w", w.name, err)
		}
		var ts, cs, fs []float64
		if *prof != "" {
			stopProf()
			stop, err := cpuProfile(*prof)
			if err != nil {
				return err
			}
			stopProf = stop
		}
		for r := 0; r < *runs; r++ {
			// Free the previous run's answer first, outside the timing, as
			// NumPy's reference counting frees it at once: otherwise a large
			// answer (einsum_rowdot's 16 MB) lands in fresh pages each run,
			// and on this VM their first-touch faults cost 40-50 ms of
			// system time, more than the kernel itself (measured: 340
			// faults and 46 ms stime per run without, 4-10 and 2 ms with).
			runtime.GC()
			f0, c0, t0 := minorFaults(), cpuTime(), time.Now()
			if err := w.run(); err != nil {
				return fmt.Errorf("%s: %w", w.name, err)
			}
			ts = append(ts, time.Since(t0).Seconds())
			cs = append(cs, (cpuTime() - c0).Seconds())
			fs = append(fs, float64(minorFaults()-f0))
		}
		med := median(ts)
		// cpu_seconds (all threads) and the minor page faults of a run are
		// the steadier figures on a busy machine.
		fmt.Printf("array/%s seconds=%.4f cpu_seconds=%.4f faults=%.0f\n", w.name, med, median(cs), median(fs))
		if w.bytes > 0 && bandwidth > 0 {
			fmt.Fprintf(os.Stderr, "array/%s: %.1f GB/s read, %.0f%% of bandwidth\n", w.name, w.bytes/med/1e9, 100*w.bytes/med/bandwidth)
		}
	}
	return nil
}

// readBandwidth measures the machine's read bandwidth in bytes per second:
// workers goroutines each sum their share of a buffer of size bytes with
// independent accumulators (best of 5 passes, after a first touch).
func readBandwidth(workers, size int) float64 {
	buf := make([]float64, size/8)
	for i := range buf {
		buf[i] = float64(i & 7)
	}
	var sink float64
	best := 0.0
	for pass := 0; pass < 5; pass++ {
		var wg sync.WaitGroup
		sums := make([]float64, workers)
		t0 := time.Now()
		per := (len(buf) + workers - 1) / workers
		for w := 0; w < workers; w++ {
			lo, hi := w*per, min((w+1)*per, len(buf))
			wg.Add(1)
			go func(w int, x []float64) {
				defer wg.Done()
				var s0, s1, s2, s3, s4, s5, s6, s7 float64
				for i := 0; i+8 <= len(x); i += 8 {
					v := x[i : i+8 : i+8]
					s0 += v[0]
					s1 += v[1]
					s2 += v[2]
					s3 += v[3]
					s4 += v[4]
					s5 += v[5]
					s6 += v[6]
					s7 += v[7]
				}
				sums[w] = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7
			}(w, buf[lo:hi])
		}
		wg.Wait()
		if bw := float64(8*len(buf)) / time.Since(t0).Seconds(); bw > best {
			best = bw
		}
		for _, s := range sums {
			sink += s
		}
	}
	if sink == -1 {
		fmt.Fprintln(os.Stderr, sink)
	}
	return best
}
