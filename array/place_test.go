package array

import (
	"context"
	"reflect"
	"testing"

	"github.com/godask/godask/sched"
)

// TestPlacedCompute checks that Compute, writing the final blocks of a
// row-chunked result in place, gives exactly what the plain assembly gives
// (every kernel, dtype, uneven and empty chunks, a result shared by two
// arrays of one ComputeAll, a persisted input, and an executor that ships
// tasks through bytes), and that the kernels that support it did write in
// place.
func init() {
	// A 3×3 box sum over a halo'd block (the block itself is the halo'd
	// shape): the result of an overlap case.
	RegisterMapFunc("test.place.box", func(b []*Dense) (*Dense, error) {
		in := b[0]
		r, c := in.Shape[0], in.Shape[1]
		out := NewDense(Float64, r, c)
		for i := 1; i < r-1; i++ {
			for j := 1; j < c-1; j++ {
				s := 0.0
				for di := -1; di <= 1; di++ {
					for dj := -1; dj <= 1; dj++ {
						s += in.Data[(i+di)*c+j+dj]
					}
				}
				out.Data[i*c+j] = s
			}
		}
		return out, nil
	})
}

func TestPlacedCompute(t *testing.T) {
	ctx := context.Background()
	old := placeMin
	placeMin = 0
	defer func() { placeMin = old }()
	rows := Explicit{{3, 0, 7, 5}, {6}}
	x := Uniform(1, -1, 1, []int{15, 6}, rows)
	y := Uniform(2, -1, 1, []int{15, 6}, rows)
	w := Uniform(3, -1, 1, []int{6, 4}, Regular{6, 4})
	px, err := x.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	xc := x.Rechunk(Explicit{{3, 0, 7, 5}, {2, 4}}) // blocks are not contiguous runs of the result
	cases := []struct {
		name   string
		a      *Array
		placed bool // a kernel that writes in place
	}{
		{"column-chunked", xc.MulScalar(2).Add(y.Rechunk(Explicit{{3, 0, 7, 5}, {2, 4}})), false},
		{"overlap-2d", MapOverlap("test.place.box", Float64, OverlapOptions{Depth: []int{1, 1}, Boundary: BoundaryConstant, Value: 1}, xc), true},
		{"overlap-rows", MapOverlap("test.place.box", Float64, OverlapOptions{Depth: []int{1, 1}, Boundary: BoundaryReflect}, x), true},
		{"same-blocks-twice", Concatenate(0, xc, xc.MulScalar(3), xc), false},
		{"elemwise", x.MulScalar(2).Add(y), true},
		{"elemwise-f32", x.AsType(Float32).MulScalar(3), true},
		{"elemwise-int64", x.MulScalar(100).AsType(Int64).Add(y.MulScalar(10).AsType(Int64)), true},
		{"matmul", MatMul(x, w), true},
		{"matmul-f32", MatMul(x.AsType(Float32), w.AsType(Float32)), pureGoBLAS}, // the openblas build multiplies float32 in float64, then converts
		{"einsum-rowdot", Einsum("ij,ij->i", x, y), true},
		{"einsum-ij,jk", Einsum("ij,jk->ik", x, w), true},
		{"einsum-permuted", Einsum("ij,jk->ki", x, w).T(), false},
		{"persisted", px, false},
		{"cumsum", x.CumSum(0), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.a.Err() != nil {
				t.Fatal(c.a.Err())
			}
			plain, err := sched.Compute(ctx, []sched.Collection{c.a})
			if err != nil {
				t.Fatal(err)
			}
			before := placedBlocks.Load()
			got, err := c.a.Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			before2 := earlyCopies.Load()
			got, err = c.a.Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if c.name == "same-blocks-twice" {
				// xc's 8 blocks fill two regions each: only xc×3's may be
				// copied in early.
				if d := earlyCopies.Load() - before2; d != 8 {
					t.Errorf("%d blocks copied early, want the 8 that fill one region", d)
				}
			}
			n := placedBlocks.Load() - before
			if !reflect.DeepEqual(got, plain[0].(*Dense)) {
				t.Fatalf("placed result differs from the plain assembly:\n%v\n%v", got, plain[0])
			}
			if c.placed && n == 0 {
				t.Errorf("no block was written in place")
			}
			if !c.placed && n != 0 {
				t.Errorf("%d blocks were written in place by a kernel that does not support it", n)
			}
			lb, err := c.a.Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(lb, got) {
				t.Fatalf("through the loopback executor: %v, want %v", lb, got)
			}
		})
	}
	// Two arrays of one run with the same final keys: each result is its
	// own storage.
	a := x.MulScalar(2)
	rs, err := ComputeAll(ctx, []*Array{a, a})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rs[0], rs[1]) {
		t.Fatal("the two results of one array differ")
	}
	rs[0].Data[0] = 12345
	if rs[1].Data[0] == 12345 {
		t.Fatal("two results of ComputeAll share storage")
	}
	// The persisted input is not changed by computing on it.
	want, err := x.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := px.MulScalar(0).Compute(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := px.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("persisted blocks changed")
	}
}
