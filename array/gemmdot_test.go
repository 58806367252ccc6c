package array

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/internal/gemm"
)

// naiveMatMul is the triple loop over row-major a (m×k) and b (k×n).
func naiveMatMul(a, b []float64, m, k, n int) []float64 {
	c := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += a[i*k+p] * b[p*n+j]
			}
			c[i*n+j] = s
		}
	}
	return c
}

func transposed(x []float64, r, c int) []float64 {
	t := make([]float64, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			t[j*r+i] = x[i*c+j]
		}
	}
	return t
}

// TestMatMulKernels checks Dot/MatMul of float64 and float32 arrays, plain
// and lazily transposed, with uneven chunks, against the naive loop, with
// the CPU's kernel and with the generic one forced.
func TestMatMulKernels(t *testing.T) {
	for _, generic := range []bool{false, true} {
		gemm.ForceGeneric(generic)
		rng := rand.New(rand.NewSource(19))
		for _, sz := range [][3]int{{1, 37, 1}, {37, 1, 53}, {1, 1, 1}, {45, 31, 29}, {130, 75, 66}, {7, 200, 9}} {
			m, k, n := sz[0], sz[1], sz[2]
			a := randDense(rng, m, k)
			b := randDense(rng, k, n)
			a.Data[rng.Intn(m*k)] = math.Inf(1)
			want := naiveMatMul(a.Data, b.Data, m, k, n)
			atd := &Dense{DType: Float64, Shape: []int{k, m}, Strides: []int{m, 1}, Data: transposed(a.Data, m, k)}
			btd := &Dense{DType: Float64, Shape: []int{n, k}, Strides: []int{k, 1}, Data: transposed(b.Data, k, n)}
			for _, dt := range []DType{Float64, Float32} {
				// The contracted axis is cut into uneven chunks, so each
				// product is a sum tree of block products in its own dtype.
				kc := []int{10, 12, 13}
				aT, bT := FromDense(atd, Regular{kc[0], 13}), FromDense(btd, Regular{17, kc[1]})
				A, B := FromDense(a, Regular{16, kc[2]}), FromDense(b, Regular{kc[2], 23})
				for name, prod := range map[string]*Array{
					"AB": MatMul(A.AsType(dt), B.AsType(dt)), "AtB": MatMul(aT.AsType(dt).T(), B.AsType(dt)),
					"ABt": Dot(A.AsType(dt), bT.AsType(dt).T()), "AtBt": Dot(aT.AsType(dt).T(), bT.AsType(dt).T()),
				} {
					got := mustCompute(t, prod)
					if got.DType != dt || got.Shape[0] != m || got.Shape[1] != n {
						t.Fatalf("generic=%v %s %v %v: got %v %v", generic, name, sz, dt, got.DType, got.Shape)
					}
					tol := 1e-10
					if dt == Float32 {
						tol = 1e-4
					}
					g := got.Float64s()
					for i, w := range want {
						if math.IsNaN(w) != math.IsNaN(g[i]) || math.IsInf(w, 0) != math.IsInf(g[i], 0) ||
							(!math.IsInf(w, 0) && !math.IsNaN(w) && math.Abs(g[i]-w) > tol*(1+math.Abs(w))*float64(k)) {
							t.Fatalf("generic=%v %s %v %v: [%d] = %v, want %v", generic, name, sz, dt, i, g[i], w)
						}
					}
				}
			}
		}
	}
	gemm.ForceGeneric(false)
}

func TestMatMulBadInput(t *testing.T) {
	a := FromDense(randDense(rand.New(rand.NewSource(1)), 4, 5), Regular{2, 2})
	if err := MatMul(a, a).Err(); err == nil || !strings.Contains(err.Error(), "contracted axis lengths 5 and 4") {
		t.Fatalf("MatMul 4×5 by 4×5: err = %v", err)
	}
	if err := MatMul(a.Reshape(2, 2, 5), a).Err(); err == nil || !strings.Contains(err.Error(), "MatMul") {
		t.Fatalf("MatMul of a 3-d array: err = %v", err)
	}
}
