package gemm

import (
	"fmt"
	"math"
	"math/rand"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
)

// ref is the naive triple loop in float64: C = alpha·op(A)·op(B) + beta·C,
// C not read when beta == 0.
func ref(ta, tb bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				var av, bv float64
				if ta {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if tb {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}

func tr(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// modes runs f with the CPU's kernel and with the generic one forced.
func modes(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, generic := range []bool{false, true} {
		name := "best"
		if generic {
			name = "generic"
		}
		t.Run(name, func(t *testing.T) {
			ForceGeneric(generic)
			defer ForceGeneric(false)
			f(t)
		})
	}
}

type gcase struct {
	ta, tb      bool
	m, n, k     int
	pad         [3]int // extra stride of A, B, C
	alpha, beta float64
}

func (g gcase) String() string {
	return fmt.Sprintf("ta=%v tb=%v m=%d n=%d k=%d pad=%v alpha=%g beta=%g", g.ta, g.tb, g.m, g.n, g.k, g.pad, g.alpha, g.beta)
}

func randCases(rng *rand.Rand, count int) []gcase {
	dims := []int{0, 1, 2, 3, 5, 6, 7, 8, 9, 13, 16, 17, 23, 31, 48, 73, 97, 145, 150, 260, 300}
	var cs []gcase
	for i := 0; i < count; i++ {
		g := gcase{ta: rng.Intn(2) == 1, tb: rng.Intn(2) == 1,
			m: dims[rng.Intn(len(dims))], n: dims[rng.Intn(len(dims))], k: dims[rng.Intn(len(dims))],
			alpha: []float64{1, -0.5, 2, 0}[rng.Intn(4)], beta: []float64{0, 1, 0.25, -1}[rng.Intn(4)]}
		if g.m*g.n*g.k > 3e6 {
			g.k = 7
		}
		if rng.Intn(2) == 0 {
			g.pad = [3]int{rng.Intn(5), rng.Intn(5), rng.Intn(5)}
		}
		cs = append(cs, g)
	}
	// Fixed shapes: vectors, k=0, sizes off the tile by one, a block larger than MC, KC.
	cs = append(cs,
		gcase{m: 1, n: 300, k: 77, alpha: 1, beta: 0}, gcase{m: 300, n: 1, k: 77, alpha: 1, beta: 1},
		gcase{ta: true, tb: true, m: 1, n: 1, k: 1000, alpha: 1, beta: 0},
		gcase{m: 40, n: 40, k: 0, alpha: 1, beta: 0.5}, gcase{m: 7, n: 9, k: 0, alpha: 1, beta: 0},
		gcase{m: 149, n: 4097, k: 5, alpha: 1, beta: 0},
		gcase{ta: true, m: 73, n: 17, k: 600, alpha: 1.5, beta: 1, pad: [3]int{3, 1, 2}},
		gcase{tb: true, m: 145, n: 33, k: 513, alpha: 1, beta: 0, pad: [3]int{1, 2, 3}},
	)
	return cs
}

func shapes(g gcase) (ar, ac, br, bc int) {
	ar, ac = g.m, g.k
	if g.ta {
		ar, ac = g.k, g.m
	}
	br, bc = g.k, g.n
	if g.tb {
		br, bc = g.n, g.k
	}
	return
}

func fill(rng *rand.Rand, rows, cols, ld int) []float64 {
	x := make([]float64, max(rows*ld, 0))
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func TestDgemmAgainstNaive(t *testing.T) {
	modes(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(1))
		for _, g := range randCases(rng, 120) {
			ar, ac, br, bc := shapes(g)
			lda, ldb, ldc := max(ac, 1)+g.pad[0], max(bc, 1)+g.pad[1], max(g.n, 1)+g.pad[2]
			a, b, c := fill(rng, ar, ac, lda), fill(rng, br, bc, ldb), fill(rng, g.m, g.n, ldc)
			if g.beta == 0 {
				for i := range c {
					c[i] = math.NaN() // must not be read
				}
			}
			want := append([]float64(nil), c...)
			ref(g.ta, g.tb, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, want, ldc)
			Dgemm(tr(g.ta), tr(g.tb), g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
			for i := range c {
				if math.IsNaN(want[i]) != math.IsNaN(c[i]) || math.Abs(c[i]-want[i]) > 1e-12*float64(g.k+1)*10 {
					t.Fatalf("%v: c[%d] = %v, want %v", g, i, c[i], want[i])
				}
			}
		}
	})
}

func TestSgemmAgainstNaive(t *testing.T) {
	modes(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(2))
		for _, g := range randCases(rng, 120) {
			ar, ac, br, bc := shapes(g)
			lda, ldb, ldc := max(ac, 1)+g.pad[0], max(bc, 1)+g.pad[1], max(g.n, 1)+g.pad[2]
			a, b, c := fill(rng, ar, ac, lda), fill(rng, br, bc, ldb), fill(rng, g.m, g.n, ldc)
			a32, b32, c32 := to32(a), to32(b), to32(c)
			if g.beta == 0 {
				for i := range c32 {
					c32[i] = float32(math.NaN())
				}
			}
			// The reference sees the same float32-rounded inputs.
			a, b, c = to64(a32), to64(b32), to64(c32)
			ref(g.ta, g.tb, g.m, g.n, g.k, g.alpha, a, lda, b, ldb, g.beta, c, ldc)
			Sgemm(tr(g.ta), tr(g.tb), g.m, g.n, g.k, float32(g.alpha), a32, lda, b32, ldb, float32(g.beta), c32, ldc)
			for i := range c32 {
				got := float64(c32[i])
				if math.IsNaN(c[i]) != math.IsNaN(got) || math.Abs(got-c[i]) > 2e-6*float64(g.k+1)*4 {
					t.Fatalf("%v: c[%d] = %v, want %v", g, i, got, c[i])
				}
			}
		}
	})
}

func to32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// TestNonFinite checks that NaN and ±Inf in A or B reach exactly the
// entries of C they touch, in full tiles and edge tiles.
func TestNonFinite(t *testing.T) {
	modes(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(3))
		for _, sz := range [][3]int{{13, 19, 37}, {12, 16, 300}, {100, 90, 70}} {
			m, n, k := sz[0], sz[1], sz[2]
			a, b := fill(rng, m, k, k), fill(rng, k, n, n)
			a[3*k+5] = math.Inf(1) // row 3 of A
			b[7*n+2] = math.NaN()  // column 2 of B
			b[1*n+n-1] = math.Inf(-1)
			want := make([]float64, m*n)
			ref(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
			c := make([]float64, m*n)
			Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n)
			c32 := make([]float32, m*n)
			Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, to32(a), k, to32(b), n, 0, c32, n)
			for i := range want {
				for _, got := range []float64{c[i], float64(c32[i])} {
					if math.IsNaN(want[i]) != math.IsNaN(got) || (math.IsInf(want[i], 0) && want[i] != got) {
						t.Fatalf("%v: c[%d] = %v, want %v", sz, i, got, want[i])
					}
				}
			}
			if !math.IsNaN(c[0*n+2]) || !math.IsInf(c[3*n+0], 0) || math.IsNaN(c[0]) {
				t.Fatalf("%v: non-finite values not where expected: %v %v %v", sz, c[2], c[3*n], c[0])
			}
		}
	})
}

func TestBadSizesPanic(t *testing.T) {
	for _, f := range []func(){
		func() {
			Dgemm(blas.NoTrans, blas.NoTrans, 2, 2, 2, 1, make([]float64, 3), 2, make([]float64, 4), 2, 0, make([]float64, 4), 2)
		},
		func() {
			Dgemm(blas.NoTrans, blas.NoTrans, 2, 2, 2, 1, make([]float64, 4), 1, make([]float64, 4), 2, 0, make([]float64, 4), 2)
		},
		func() { Sgemm(blas.NoTrans, blas.Trans, -1, 2, 2, 1, nil, 2, nil, 2, 0, nil, 2) },
		func() {
			Sgemm(blas.Transpose(0), blas.NoTrans, 1, 1, 1, 1, []float32{1}, 1, []float32{1}, 1, 0, []float32{1}, 1)
		},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Error("no panic on bad sizes")
				} else if s, ok := r.(string); !ok || s[:5] != "gemm:" {
					t.Errorf("panic %v, want a gemm: message", r)
				}
			}()
			f()
		}()
	}
}

func TestKernelName(t *testing.T) {
	ForceGeneric(true)
	if Kernel() != "generic Go 4x4" {
		t.Errorf("forced generic: Kernel() = %q", Kernel())
	}
	ForceGeneric(false)
	if _, _, ok := asmPlans(); ok && Kernel() == "generic Go 4x4" {
		t.Errorf("CPU has the assembly kernel but Kernel() = %q", Kernel())
	}
}

func benchGemm(b *testing.B, n int, f32 bool) {
	rng := rand.New(rand.NewSource(1))
	x, y, c := fill(rng, n, n, n), fill(rng, n, n, n), make([]float64, n*n)
	x32, y32, c32 := to32(x), to32(y), to32(c)
	b.ResetTimer()
	t0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if f32 {
			Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, x32, n, y32, n, 0, c32, n)
		} else {
			Dgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, x, n, y, n, 0, c, n)
		}
	}
	report(b, t0, 2*float64(n)*float64(n)*float64(n))
}

func BenchmarkDgemm1000(b *testing.B) { benchGemm(b, 1000, false) }
func BenchmarkSgemm1000(b *testing.B) { benchGemm(b, 1000, true) }
func BenchmarkDgemm256(b *testing.B)  { benchGemm(b, 256, false) }
func BenchmarkDgemmGeneric1000(b *testing.B) {
	ForceGeneric(true)
	defer ForceGeneric(false)
	benchGemm(b, 1000, false)
}

func benchShape(b *testing.B, ta bool, m, n, k int) {
	rng := rand.New(rand.NewSource(1))
	ar, ac := m, k
	if ta {
		ar, ac = k, m
	}
	x, y, c := fill(rng, ar, ac, ac), fill(rng, k, n, n), make([]float64, m*n)
	b.ResetTimer()
	t0 := cpuTime()
	for i := 0; i < b.N; i++ {
		Dgemm(tr(ta), blas.NoTrans, m, n, k, 1, x, ac, y, n, 1, c, n)
	}
	report(b, t0, 2*float64(m)*float64(n)*float64(k))
}

// The block products of the matmul_tall and gram workloads.
func BenchmarkDgemmTall(b *testing.B) { benchShape(b, false, 100_000, 64, 64) }
func BenchmarkDgemmGram(b *testing.B) { benchShape(b, true, 20, 20, 200_000) }

// cpuTime is the process's user+system CPU time: on a shared machine it
// measures the kernel's speed per core where wall time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// report gives GFLOP/s of wall time and GFLOP per CPU second (the speed of
// one core while the benchmark ran).
func report(b *testing.B, t0 time.Duration, flops float64) {
	f := flops * float64(b.N)
	b.ReportMetric(f/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu := cpuTime() - t0; cpu > 0 {
		b.ReportMetric(f/cpu.Seconds()/1e9, "GFLOP/cpu-s")
	}
}
