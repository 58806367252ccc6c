package linalg

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
	"gonum.org/v1/gonum/mat"
)

var ctx = context.Background()

func compute(t *testing.T, a *array.Array) *array.Dense {
	t.Helper()
	d, err := a.Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
	if err != nil {
		t.Fatalf("compute: %v", err)
	}
	return d
}

func randMat(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	return m
}

func near(t *testing.T, what string, got *array.Dense, want mat.Matrix, tol float64) {
	t.Helper()
	g, err := got.ToMat()
	if err != nil {
		t.Fatal(err)
	}
	r, c := want.Dims()
	gr, gc := g.Dims()
	if r != gr || c != gc {
		t.Fatalf("%s: dims %dx%d want %dx%d", what, gr, gc, r, c)
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if math.Abs(g.At(i, j)-want.At(i, j)) > tol {
				t.Fatalf("%s: (%d,%d) = %v, want %v", what, i, j, g.At(i, j), want.At(i, j))
			}
		}
	}
}

func TestTSQRAndLstsq(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x := randMat(rng, 103, 6)
	X := array.FromMatrix(x, array.Explicit{{20, 30, 7, 46}, {2, 4}})
	q, r := TSQR(X)
	qd, rd := compute(t, q), compute(t, r)
	var qr mat.Dense
	qm, _ := qd.ToMat()
	rm, _ := rd.ToMat()
	qr.Mul(qm, rm)
	near(t, "QR = X", array.FromMat(&qr), x, 1e-10)
	var qtq mat.Dense
	qtq.Mul(qm.T(), qm)
	eye := mat.NewDiagDense(6, []float64{1, 1, 1, 1, 1, 1})
	near(t, "QᵀQ = I", array.FromMat(&qtq), eye, 1e-10)
	for i := 0; i < 6; i++ {
		for j := 0; j < i; j++ {
			if rm.At(i, j) != 0 {
				t.Fatalf("R not upper triangular at (%d,%d)", i, j)
			}
		}
	}
	// Lstsq against gonum's dense solve.
	y := randMat(rng, 103, 1)
	var want mat.Dense
	if err := want.Solve(x, y); err != nil {
		t.Fatal(err)
	}
	Y := array.FromSlice(y.RawMatrix().Data, []int{103}, array.Regular{50})
	w := compute(t, Lstsq(X, Y))
	near(t, "lstsq", w, &want, 1e-9)
	// Normal equations with Inv and Solve agree.
	XtX := array.MatMul(X.T(), X)
	Xty := array.MatMul(X.T(), Y)
	near(t, "inv normal equations", compute(t, array.MatMul(Inv(XtX), Xty)), &want, 1e-9)
	near(t, "solve normal equations", compute(t, Solve(XtX, Xty)), &want, 1e-9)
}

func TestSVD(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	x := randMat(rng, 90, 5)
	X := array.FromMatrix(x, array.Regular{25, 5})
	u, s, vt := SVD(X)
	ds, err := array.ComputeAll(ctx, []*array.Array{u, s, vt})
	if err != nil {
		t.Fatal(err)
	}
	var f mat.SVD
	f.Factorize(x, mat.SVDThin)
	vals := f.Values(nil)
	for i, v := range vals {
		if math.Abs(ds[1].Data[i]-v) > 1e-10 {
			t.Fatalf("singular value %d = %v want %v", i, ds[1].Data[i], v)
		}
	}
	um, _ := ds[0].ToMat()
	vm, _ := ds[2].ToMat()
	var rec mat.Dense
	rec.Mul(um, mat.NewDiagDense(5, ds[1].Data))
	rec.Mul(&rec, vm)
	near(t, "U S Vt = X", array.FromMat(&rec), x, 1e-10)
	// Randomized SVD of a low-rank matrix finds its spectrum.
	lr := mat.NewDense(200, 30, nil)
	lr.Mul(randMat(rng, 200, 4), randMat(rng, 4, 30))
	L := array.FromMatrix(lr, array.Regular{50, 30})
	_, sc, _ := SVDCompressed(L, 4, 2, 7)
	got := compute(t, sc)
	f.Factorize(lr, mat.SVDThin)
	vals = f.Values(nil)
	for i := 0; i < 4; i++ {
		if math.Abs(got.Data[i]-vals[i]) > 1e-8*vals[0] {
			t.Fatalf("compressed singular value %d = %v want %v", i, got.Data[i], vals[i])
		}
	}
}

func TestSquareSolvers(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	b := randMat(rng, 7, 7)
	var spd mat.Dense
	spd.Mul(b.T(), b)
	for i := 0; i < 7; i++ {
		spd.Set(i, i, spd.At(i, i)+1)
	}
	A := array.FromMatrix(&spd, array.Regular{3, 4})
	l := compute(t, Cholesky(A))
	lm, _ := l.ToMat()
	var llt mat.Dense
	llt.Mul(lm, lm.T())
	near(t, "L Lᵀ", array.FromMat(&llt), &spd, 1e-9)
	p, lo, up := LU(A)
	ds, err := array.ComputeAll(ctx, []*array.Array{p, lo, up})
	if err != nil {
		t.Fatal(err)
	}
	pm, _ := ds[0].ToMat()
	lom, _ := ds[1].ToMat()
	upm, _ := ds[2].ToMat()
	var plu mat.Dense
	plu.Mul(pm, lom)
	plu.Mul(&plu, upm)
	near(t, "P L U", array.FromMat(&plu), &spd, 1e-9)
	rhs := randMat(rng, 7, 2)
	x := compute(t, SolveTriangular(array.FromMatrix(lm, nil), array.FromMatrix(rhs, nil), true))
	xm, _ := x.ToMat()
	var chk mat.Dense
	chk.Mul(lm, xm)
	near(t, "triangular solve", array.FromMat(&chk), rhs, 1e-9)
}

func TestBadInputs(t *testing.T) {
	sing := array.FromSlice([]float64{1, 2, 2, 4}, []int{2, 2}, nil)
	for name, a := range map[string]*array.Array{
		"inv singular":   Inv(sing),
		"solve singular": Solve(sing, array.Ones([]int{2}, nil)),
		"nan":            Inv(array.FromSlice([]float64{1, math.NaN(), 0, 1}, []int{2, 2}, nil)),
		"not spd":        Cholesky(array.FromSlice([]float64{1, 2, 2, 1}, []int{2, 2}, nil)),
		"rank deficient": Lstsq(array.FromSlice([]float64{1, 1, 2, 2, 3, 3}, []int{3, 2}, nil), array.Ones([]int{3}, nil)),
	} {
		_, err := a.Compute(ctx)
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if !strings.Contains(err.Error(), "linalg") {
			t.Fatalf("%s: error %v does not name linalg", name, err)
		}
	}
	for name, a := range map[string]*array.Array{
		"non-square inv": Inv(array.Ones([]int{2, 3}, nil)),
		"wide qr":        func() *array.Array { q, _ := QR(array.Ones([]int{2, 3}, nil)); return q }(),
		"lstsq shapes":   Lstsq(array.Ones([]int{4, 2}, nil), array.Ones([]int{3}, nil)),
	} {
		if err := a.Err(); err == nil || !strings.Contains(err.Error(), "shape") {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
