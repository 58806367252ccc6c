package main

import (
	"context"
	"math"
	"sync"

	"github.com/godask/godask/array"
)

// The int64 elementwise workload of issue 13: a fused chain of exact int64
// kernels (wrapping multiply, add, maximum, NumPy-sign mod) over 2·10⁷
// int64 in chunks of 2·10⁶, NumPy's
// np.maximum(x*3 + 1, 0) % 1000 == 7 counted. Inputs are built on the
// first run.

func init() { arrayExtra = append(arrayExtra, int64Workloads) }

func int64Workloads(ctx context.Context) []arrayWorkload {
	var once sync.Once
	var xi *array.Array
	var err error
	input := func() error {
		once.Do(func() {
			xi, err = array.Integers(4, -(1 << 40), 1<<40, []int{20_000_000}, array.Regular{2_000_000}).Persist(ctx)
		})
		return err
	}
	return []arrayWorkload{
		{"elementwise_int64", func() error {
			if err := input(); err != nil {
				return err
			}
			y := xi.Mul(array.ScalarInt(3)).Add(array.ScalarInt(1)).Maximum(array.ScalarInt(0)).Mod(array.ScalarInt(1000))
			_, err := y.Eq(array.ScalarInt(7)).Sum().Compute(ctx)
			return err
		}, 8 * 20e6},
		{"elementwise_int64_extremes", func() error {
			// MaxInt64 survives a round trip through the kernels.
			d, err := array.Full([]int{4}, 0, array.Int64, nil).Add(array.ScalarInt(math.MaxInt64)).Compute(ctx)
			if err == nil && d.I64[3] != math.MaxInt64 {
				panic("int64 not exact")
			}
			return err
		}, 0},
	}
}
