package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
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
	fs.Parse(args)
	ctx := context.Background()
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
		name string
		run  func() error
	}
	W := []workload{
		{"sum", one(x.Sum())},
		{"meanstd", func() error { _, err := array.ComputeAll(ctx, []*array.Array{x.Mean(), x.Std()}); return err }},
		{"elementwise", one(array.Exp(x.MulScalar(2).AddScalar(1)).Sum())},
		{"matmul", one(array.MatMul(A, A))},
		{"transpose_add", one(A.Add(A.T()).Sum())},
		{"ols_normal", one(linalg.Solve(array.MatMul(X.T(), X), array.MatMul(X.T(), y)))},
		{"lstsq_tsqr", one(linalg.Lstsq(X, y))},
		{"svd_tsqr", func() error { _, s, _ := linalg.SVD(X); _, err := s.Compute(ctx); return err }},
		{"slice_sum", one(A.Index("10:3000, :-2").Sum())},
	}
	for _, w := range W {
		if *only != "" && !strings.Contains(","+*only+",", ","+w.name+",") {
			continue
		}
		if err := w.run(); err != nil { // warm-up
			return fmt.Errorf("%s: %w", w.name, err)
		}
		var ts []float64
		for r := 0; r < *runs; r++ {
			t0 := time.Now()
			if err := w.run(); err != nil {
				return fmt.Errorf("%s: %w", w.name, err)
			}
			ts = append(ts, time.Since(t0).Seconds())
		}
		fmt.Printf("array/%s seconds=%.4f\n", w.name, median(ts))
	}
	return nil
}
