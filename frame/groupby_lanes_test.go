package frame

import (
	"math"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// TestPartialKernelsSharedAndLaned checks sum, mean, count and size states
// of one partial, computed with a kernelMemo (passes shared between
// aggregations of one column) and with the laned sums of few groups,
// against a naive loop: nulls, NaN, empty input, runs of one group and
// random groups, row counts that are not a multiple of the lanes.
func TestPartialKernelsSharedAndLaned(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for _, ng := range []int{1, 3, 16, 17, 200} {
		for _, n := range []int{0, 5, 37, 1001, 5003} {
			for _, runs := range []bool{false, true} {
				for _, nulls := range []bool{false, true} {
					b := array.NewFloat64Builder(memory.DefaultAllocator)
					gids := make([]int32, n)
					for i := range gids {
						if runs {
							gids[i] = int32(i * ng / max(n, 1))
						} else {
							gids[i] = int32(rng.Intn(ng))
						}
						switch {
						case nulls && rng.Intn(5) == 0:
							b.AppendNull()
						case rng.Intn(500) == 0:
							b.Append(math.NaN())
						default:
							b.Append(rng.NormFloat64() * 1e3)
						}
					}
					a := b.NewFloat64Array()
					c := colOf(a)
					wantSum := make([]float64, ng)
					wantCnt := make([]int64, ng)
					wantSize := make([]int64, ng)
					for i, g := range gids {
						wantSize[g]++
						if a.IsValid(i) {
							wantSum[g] += a.Value(i)
							wantCnt[g]++
						}
					}
					var m kernelMemo
					for round := 0; round < 2; round++ { // the second round reads the memo
						mean := partialKernel(aggSpec{fn: "mean", in: "x"}, &c, gids, ng, &m)
						sum := partialKernel(aggSpec{fn: "sum", in: "x"}, &c, gids, ng, &m)
						cnt := partialKernel(aggSpec{fn: "count", in: "x"}, &c, gids, ng, &m)
						size := partialKernel(aggSpec{fn: "size"}, &c, gids, ng, &m)
						for g := 0; g < ng; g++ {
							for _, got := range []float64{mean[0].(*array.Float64).Value(g), sum[0].(*array.Float64).Value(g)} {
								w := wantSum[g]
								if (w != w) != (got != got) || math.Abs(got-w) > 1e-9*math.Max(1, math.Abs(w)) {
									t.Fatalf("ng %d n %d runs %v nulls %v round %d: group %d sum %v, want %v", ng, n, runs, nulls, round, g, got, w)
								}
							}
							if got := mean[1].(*array.Int64).Value(g); got != wantCnt[g] {
								t.Fatalf("ng %d n %d: mean's count of group %d %d, want %d", ng, n, g, got, wantCnt[g])
							}
							if got := cnt[0].(*array.Int64).Value(g); got != wantCnt[g] {
								t.Fatalf("ng %d n %d: count of group %d %d, want %d", ng, n, g, got, wantCnt[g])
							}
							if got := size[0].(*array.Int64).Value(g); got != wantSize[g] {
								t.Fatalf("ng %d n %d: size of group %d %d, want %d", ng, n, g, got, wantSize[g])
							}
						}
						// States are not shared buffers: changing one leaves the other.
						if ng > 0 && n > 0 {
							sum[0].(*array.Float64).Float64Values()[0] = 12345
							if mean[0].(*array.Float64).Value(0) == 12345 {
								t.Fatal("sum and mean states share a buffer")
							}
						}
					}
				}
			}
		}
	}
}
