package array

import (
	"math"
	"math/rand"
	"runtime"
	"testing"
)

// naiveProduct is the (m×k)·(k×n) product of row-major x and y in float64.
func naiveProduct(x, y []float64, m, k, n int) []float64 {
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			for q := 0; q < k; q++ {
				out[i*n+j] += x[i*k+q] * y[q*n+j]
			}
		}
	}
	return out
}

// TestFloat32ProductSumTree runs the float32 products the issue found
// panicking once they become a sum tree, at several GOMAXPROCS.
func TestFloat32ProductSumTree(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	x, y := randDense(rng, 13, 17), randDense(rng, 17, 11)
	u, v := randDense(rng, 23), randDense(rng, 23)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 8, 64} {
		runtime.GOMAXPROCS(procs)
		a := FromDense(x, Regular{5, 4}).AsType(Float32)
		b := FromDense(y, Regular{4, 4}).AsType(Float32)
		p := MatMul(a, b)
		if p.DType() != Float32 {
			t.Fatalf("float32 product: dtype %s", p.DType())
		}
		got := mustCompute(t, p)
		want := naiveProduct(a32(x), a32(y), 13, 17, 11)
		for i, w := range want {
			if math.Abs(float64(got.F32[i])-w) > 1e-4*(1+math.Abs(w)) {
				t.Fatalf("GOMAXPROCS %d: [%d] = %v, want %v", procs, i, got.F32[i], w)
			}
		}
		d := mustCompute(t, Dot(FromDense(u, Regular{4}).AsType(Float32), FromDense(v, Regular{4}).AsType(Float32)))
		w := naiveProduct(a32(u), a32(v), 1, 23, 1)[0]
		if d.DType != Float32 || len(d.Shape) != 0 || math.Abs(float64(d.F32[0])-w) > 1e-4*(1+math.Abs(w)) {
			t.Fatalf("GOMAXPROCS %d: dot %v (%s), want %v", procs, d, d.DType, w)
		}
	}
}

func a32(d *Dense) []float64 {
	out := make([]float64, d.Len())
	for i, v := range d.Data {
		out[i] = float64(float32(v))
	}
	return out
}

// TestIntBoolProducts checks int64 products are exact int64 (wrapping, as
// NumPy's) and bool ones logical, against naive loops, tree and no tree.
func TestIntBoolProducts(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	m, k, n := 9, 14, 7
	xi := make([]int64, m*k)
	yi := make([]int64, k*n)
	for i := range xi {
		xi[i] = extremeInts(rng, 1)[0]
	}
	for i := range yi {
		yi[i] = int64(rng.Intn(7) - 3)
	}
	xd := NewDense(Int64, m, k)
	copy(xd.I64, xi)
	yd := NewDense(Int64, k, n)
	copy(yd.I64, yi)
	want := make([]int64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			for q := 0; q < k; q++ {
				want[i*n+j] += xi[i*k+q] * yi[q*n+j]
			}
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 16} {
		runtime.GOMAXPROCS(procs)
		for _, ch := range []Chunking{Regular{4, 5}, Regular{9, 14}, Regular{2, 3}} {
			p := MatMul(FromDense(xd, ch), FromDense(yd, Regular{5, 3}))
			if p.DType() != Int64 {
				t.Fatalf("int product: dtype %s", p.DType())
			}
			got := mustCompute(t, p)
			for i := range want {
				if got.I64[i] != want[i] {
					t.Fatalf("int product [%d] = %d, want %d", i, got.I64[i], want[i])
				}
			}
			// x.T @ x through the transposed operand.
			tt := mustCompute(t, MatMul(FromDense(xd, ch).T(), FromDense(xd, ch)))
			for i := 0; i < k; i++ {
				for j := 0; j < k; j++ {
					var s int64
					for q := 0; q < m; q++ {
						s += xi[q*k+i] * xi[q*k+j]
					}
					if tt.I64[i*k+j] != s {
						t.Fatalf("int x.T@x [%d,%d] = %d, want %d", i, j, tt.I64[i*k+j], s)
					}
				}
			}
			bx := FromDense(xd, ch).Gt(ScalarInt(0))
			by := FromDense(yd, Regular{5, 3}).Gt(ScalarInt(1))
			bp := MatMul(bx, by)
			if bp.DType() != Bool {
				t.Fatalf("bool product: dtype %s", bp.DType())
			}
			gb := mustCompute(t, bp)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					w := false
					for q := 0; q < k; q++ {
						w = w || xi[i*k+q] > 0 && yi[q*n+j] > 1
					}
					if gb.B[i*n+j] != w {
						t.Fatalf("bool product [%d,%d] = %v, want %v", i, j, gb.B[i*n+j], w)
					}
				}
			}
		}
	}
	// Mixed int64 @ float32 is float64, as NumPy.
	if d := MatMul(FromDense(xd, nil), FromDense(yd, nil).AsType(Float32)).DType(); d != Float64 {
		t.Fatalf("int64 @ float32: %s", d)
	}
}
