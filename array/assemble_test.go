package array

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestAssembleParallel checks that the parallel block copy of assemble
// (forced on by lowering its threshold) gives the same result as the
// serial one and as the source, on uneven chunks in 1-3 dimensions and
// for every dtype, and that a large fresh Dense (advised for huge pages)
// reads back what was written.
func TestAssembleParallel(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(19, 1))
	cases := []struct {
		shape  []int
		chunks Explicit
	}{
		{[]int{11}, Explicit{{3, 5, 3}}},
		{[]int{7, 9}, Explicit{{2, 4, 1}, {5, 4}}},
		{[]int{10, 3}, Explicit{{1, 6, 3}, {3}}},
		{[]int{4, 5, 6}, Explicit{{1, 3}, {2, 2, 1}, {4, 2}}},
		{[]int{0, 4}, Explicit{{0}, {2, 2}}},
	}
	old := parallelCopyMin
	defer func() { parallelCopyMin = old }()
	for _, dt := range []DType{Float64, Float32, Int64, Bool} {
		for _, c := range cases {
			src := NewDense(dt, c.shape...)
			for i := 0; i < src.Len(); i++ {
				switch dt {
				case Float32:
					src.F32[i] = rng.Float32()
				case Int64:
					src.I64[i] = rng.Int64() - rng.Int64()
				case Bool:
					src.B[i] = rng.IntN(2) == 1
				default:
					src.Data[i] = rng.NormFloat64()
				}
			}
			var got [2]*Dense
			for j, min := range []int{1 << 62, 0} {
				parallelCopyMin = min
				d, err := FromDense(src, c.chunks).Compute(ctx)
				if err != nil {
					t.Fatalf("%v %v: %v", dt, c.shape, err)
				}
				got[j] = d
			}
			if !reflect.DeepEqual(got[0], got[1]) {
				t.Errorf("%v %v %v: parallel assemble differs from serial", dt, c.shape, c.chunks)
			}
			if !reflect.DeepEqual(got[1].Shape, src.Shape) || !reflect.DeepEqual(got[1].F32, src.F32) ||
				!reflect.DeepEqual(got[1].Data, src.Data) || !reflect.DeepEqual(got[1].I64, src.I64) || !reflect.DeepEqual(got[1].B, src.B) {
				t.Errorf("%v %v %v: assembled result differs from the source", dt, c.shape, c.chunks)
			}
		}
	}
	big := NewDense(Float64, 3<<20/8*3) // 9 MiB: past hugePageMin
	for i := range big.Data {
		if big.Data[i] != 0 {
			t.Fatalf("fresh Dense not zero at %d", i)
		}
		big.Data[i] = float64(i)
	}
	for i := range big.Data {
		if big.Data[i] != float64(i) {
			t.Fatalf("big Dense reads %v at %d", big.Data[i], i)
		}
	}
}
