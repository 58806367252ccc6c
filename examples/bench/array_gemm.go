package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/godask/godask/array"
)

// The matrix-product workloads of issue 19, the same in
// peers/array_dask.py: matmul_f32 (4000² float32 in 1000² chunks),
// matmul_tall (10⁶×64 · 64×64, 100000-row chunks) and gram (XᵀX of the
// 2·10⁶×20 X of ols_normal). Each run prints its GFLOP/s on stderr.

func init() { arrayExtra = append(arrayExtra, gemmWorkloads) }

func gemmWorkloads(ctx context.Context) []arrayWorkload {
	var A32, T, W, X *array.Array
	inputs := func() error {
		if A32 != nil {
			return nil
		}
		var err error
		persist := func(a *array.Array) *array.Array {
			if err != nil {
				return nil
			}
			var p *array.Array
			p, err = a.Persist(ctx)
			return p
		}
		A32 = persist(array.Uniform(1, 0, 1, []int{4000, 4000}, array.Regular{1000, 1000}).AsType(array.Float32))
		T = persist(array.Uniform(4, 0, 1, []int{1_000_000, 64}, array.Regular{100_000, 64}))
		W = persist(array.Uniform(5, 0, 1, []int{64, 64}, array.Regular{64, 64}))
		X = persist(array.Uniform(2, 0, 1, []int{2_000_000, 20}, array.Regular{200_000, 20}))
		if err != nil {
			A32 = nil
		}
		return err
	}
	run := func(name string, flops float64, expr func() *array.Array) func() error {
		return func() error {
			if err := inputs(); err != nil {
				return fmt.Errorf("%s inputs: %w", name, err)
			}
			t0 := time.Now()
			if _, err := expr().Compute(ctx); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "array/%s: %.1f GFLOP/s\n", name, flops/time.Since(t0).Seconds()/1e9)
			return nil
		}
	}
	return []arrayWorkload{
		{name: "matmul_f32", run: run("matmul_f32", 2*4000*4000*4000, func() *array.Array { return array.MatMul(A32, A32) })},
		{name: "matmul_tall", run: run("matmul_tall", 2*1e6*64*64, func() *array.Array { return array.MatMul(T, W) })},
		{name: "gram", run: run("gram", 2*2e6*20*20, func() *array.Array { return array.MatMul(X.T(), X) })},
	}
}
