package linalg

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/array"
	"gonum.org/v1/gonum/mat"
)

// rAbsorb against gonum's QR: the R factors agree up to the signs of their
// rows, for row counts around the chunk size and for stacking.
func TestRAbsorb(t *testing.T) {
	rng := rand.New(rand.NewSource(41))
	for _, c := range []struct{ rows, q int }{{1, 3}, {5, 5}, {127, 4}, {128, 7}, {129, 7}, {300, 21}, {1000, 2}} {
		x := randMat(rng, c.rows, c.q)
		r := make([]float64, c.q*c.q)
		w := make([]float64, c.q*absorbRows)
		// In two parts, to absorb into a non-zero R as well.
		h := c.rows / 2
		raw := x.RawMatrix()
		rAbsorb(r, c.q, raw.Data, h, c.q, w)
		rAbsorb(r, c.q, raw.Data[h*c.q:], c.rows-h, c.q, w)
		// RᵀR = XᵀX characterizes R up to row signs.
		var xtx mat.Dense
		xtx.Mul(x.T(), x)
		rm := mat.NewDense(c.q, c.q, r)
		var rtr mat.Dense
		rtr.Mul(rm.T(), rm)
		for i := 0; i < c.q; i++ {
			for j := 0; j < c.q; j++ {
				if j < i && r[i*c.q+j] != 0 {
					t.Fatalf("%+v: R not upper triangular at (%d,%d)", c, i, j)
				}
				if math.Abs(rtr.At(i, j)-xtx.At(i, j)) > 1e-9*(1+math.Abs(xtx.At(i, j))) {
					t.Fatalf("%+v: RᵀR (%d,%d) = %v, XᵀX = %v", c, i, j, rtr.At(i, j), xtx.At(i, j))
				}
			}
		}
	}
}

// Lstsq against gonum's dense least squares: short row blocks (fewer rows
// than columns), several right-hand sides, and an ill-conditioned matrix
// (where the normal equations would lose half the digits).
func TestLstsqShapes(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	x := randMat(rng, 61, 5)
	// Nearly collinear columns: condition number about 1e7.
	for i := 0; i < 61; i++ {
		x.Set(i, 4, x.At(i, 3)+1e-7*x.At(i, 4))
	}
	y := randMat(rng, 61, 3)
	var want mat.Dense
	if err := want.Solve(x, y); err != nil {
		t.Fatal(err)
	}
	X := array.FromMatrix(x, array.Explicit{{3, 20, 2, 36}, {2, 3}})
	Y := array.FromMatrix(y, array.Explicit{{30, 31}, {3}})
	got := compute(t, Lstsq(X, Y))
	gm, _ := got.ToMat()
	for i := 0; i < 5; i++ {
		for j := 0; j < 3; j++ {
			if d := math.Abs(gm.At(i, j) - want.At(i, j)); d > 1e-6*(1+math.Abs(want.At(i, j))) {
				t.Fatalf("x[%d][%d] = %v, want %v", i, j, gm.At(i, j), want.At(i, j))
			}
		}
	}
	// A 1-d b gives a 1-d x.
	y1 := array.FromSlice(mat.Col(nil, 0, y), []int{61}, array.Regular{17})
	x1 := compute(t, Lstsq(X, y1))
	if len(x1.Shape) != 1 || x1.Shape[0] != 5 || math.Abs(x1.Data[2]-want.At(2, 0)) > 1e-6*(1+math.Abs(want.At(2, 0))) {
		t.Fatalf("1-d lstsq: %v, want column 0 of %v", x1, mat.Formatted(&want))
	}
	// NaN input and an underdetermined system are errors naming Lstsq.
	bad := x.At(7, 1)
	x.Set(7, 1, math.NaN())
	_, err := Lstsq(array.FromMatrix(x, array.Regular{20, 5}), y1).Compute(ctx)
	x.Set(7, 1, bad)
	if err == nil || !strings.Contains(err.Error(), "Lstsq") || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("NaN input: %v", err)
	}
	if err := Lstsq(array.Ones([]int{2, 3}, nil), array.Ones([]int{2}, nil)).Err(); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Fatalf("wide lstsq: %v", err)
	}
}

func TestAllFinite(t *testing.T) {
	for n := 0; n < 11; n++ {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(i) - 3.5
		}
		if !allFinite(x) {
			t.Fatalf("finite %v reported non-finite", x)
		}
		for i := 0; i < n; i++ {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				y := append([]float64{}, x...)
				y[i] = bad
				if allFinite(y) {
					t.Fatalf("%v reported finite", y)
				}
			}
		}
	}
}

// TSQR with row blocks of several chunks (dense first chunk, structured
// ones after): Q R = X, Qᵀ Q = I, R upper triangular with a non-negative
// diagonal — also for a rank-deficient X, whose Q must stay orthonormal —
// and the SVD through it reconstructs X.
func TestTSQRLongBlocks(t *testing.T) {
	rng := rand.New(rand.NewSource(43))
	for _, deficient := range []bool{false, true} {
		x := randMat(rng, 701, 7)
		if deficient {
			for i := 0; i < 701; i++ {
				x.Set(i, 5, 2*x.At(i, 1))
			}
		}
		X := array.FromMatrix(x, array.Explicit{{300, 129, 7, 265}, {3, 4}})
		q, r := TSQR(X)
		ds, err := array.ComputeAll(ctx, []*array.Array{q, r})
		if err != nil {
			t.Fatal(err)
		}
		qm, _ := ds[0].ToMat()
		rm, _ := ds[1].ToMat()
		var qr, qtq mat.Dense
		qr.Mul(qm, rm)
		near(t, "QR = X", array.FromMat(&qr), x, 1e-10)
		qtq.Mul(qm.T(), qm)
		eye := mat.NewDiagDense(7, []float64{1, 1, 1, 1, 1, 1, 1})
		near(t, "QᵀQ = I", array.FromMat(&qtq), eye, 1e-10)
		for i := 0; i < 7; i++ {
			if rm.At(i, i) < 0 {
				t.Fatalf("R[%d][%d] = %v < 0", i, i, rm.At(i, i))
			}
			for j := 0; j < i; j++ {
				if rm.At(i, j) != 0 {
					t.Fatalf("R not upper triangular at (%d,%d)", i, j)
				}
			}
		}
		u, s, vt := SVD(X)
		us, err := array.ComputeAll(ctx, []*array.Array{u, s, vt})
		if err != nil {
			t.Fatal(err)
		}
		um, _ := us[0].ToMat()
		vm, _ := us[2].ToMat()
		var rec mat.Dense
		rec.Mul(um, mat.NewDiagDense(7, us[1].Data))
		rec.Mul(&rec, vm)
		near(t, "U S Vt = X", array.FromMat(&rec), x, 1e-10)
		var f mat.SVD
		f.Factorize(x, mat.SVDThin)
		for i, v := range f.Values(nil) {
			if math.Abs(us[1].Data[i]-v) > 1e-10*(1+v) {
				t.Fatalf("singular value %d = %v, want %v", i, us[1].Data[i], v)
			}
		}
	}
}
