package linalg

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/array"
	"gonum.org/v1/gonum/mat"
)

// spdInts returns an n×n symmetric positive-definite int64 matrix.
func spdInts(rng *rand.Rand, n int) *array.Dense {
	a := make([]int64, n*n)
	for i := range a {
		a[i] = int64(rng.Intn(7) - 3)
	}
	d := array.NewDense(array.Int64, n, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			var s int64
			for k := 0; k < n; k++ {
				s += a[i*n+k] * a[j*n+k]
			}
			if i == j {
				s += int64(n)
			}
			d.I64[i*n+j] = s
		}
	}
	return d
}

// TestLinalgDTypes runs Cholesky, SolveTriangular, Solve and Inv on int64,
// bool and float32 input: int64 gives float64, float32 float32, as NumPy.
func TestLinalgDTypes(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	n := 6
	ai := spdInts(rng, n)
	want := mat.NewSymDense(n, ai.Float64s())
	var ch mat.Cholesky
	if !ch.Factorize(want) {
		t.Fatal("reference not SPD")
	}
	var l mat.TriDense
	ch.LTo(&l)
	for _, dt := range []array.DType{array.Int64, array.Float32, array.Float64} {
		a := array.FromDense(ai, array.Regular{4, 4}).AsType(dt)
		c := Cholesky(a)
		wantDT := array.Float64
		if dt == array.Float32 {
			wantDT = array.Float32
		}
		if c.DType() != wantDT {
			t.Fatalf("Cholesky of %s: dtype %s", dt, c.DType())
		}
		tol := 1e-9
		if dt == array.Float32 {
			tol = 1e-4
		}
		near(t, "Cholesky "+dt.String(), toF64(compute(t, c)), &l, tol)
		// L x = b with int64 L (rounded) and b.
		li := array.NewDense(array.Int64, n, n)
		bi := array.NewDense(array.Int64, n)
		for i := 0; i < n; i++ {
			for j := 0; j <= i; j++ {
				li.I64[i*n+j] = int64(rng.Intn(9) - 4)
			}
			li.I64[i*n+i] = int64(1 + rng.Intn(5))
			bi.I64[i] = int64(rng.Intn(21) - 10)
		}
		x := SolveTriangular(array.FromDense(li, nil).AsType(dt), array.FromDense(bi, nil).AsType(dt), true)
		if x.DType() != wantDT {
			t.Fatalf("SolveTriangular of %s: dtype %s", dt, x.DType())
		}
		xd := toF64(compute(t, x))
		for i := 0; i < n; i++ {
			s := 0.0
			for j := 0; j <= i; j++ {
				s += float64(li.I64[i*n+j]) * xd.Data[j]
			}
			if math.Abs(s-float64(bi.I64[i])) > tol*100 {
				t.Fatalf("SolveTriangular %s: row %d gives %v, want %d", dt, i, s, bi.I64[i])
			}
		}
		if d := Solve(a, array.FromDense(bi, nil).AsType(dt)).DType(); d != wantDT {
			t.Fatalf("Solve of %s: %s", dt, d)
		}
		inv := compute(t, Inv(a))
		if inv.DType != wantDT {
			t.Fatalf("Inv of %s: %s", dt, inv.DType)
		}
	}
}

func toF64(d *array.Dense) *array.Dense {
	out, _ := array.NewDenseFloat64(d.Float64s(), d.Shape...)
	return out
}

// TestTSQRShortBlocks checks QR, SVD, Lstsq and SVDCompressed accept row
// blocks shorter than the column count (an uneven last block, tiny blocks)
// against gonum on the whole matrix.
func TestTSQRShortBlocks(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	n, p := 43, 6
	m := randMat(rng, n, p)
	for _, rows := range [][]int{{20, 20, 3}, {2, 2, 2, 30, 1, 1, 5}, {43}, {5, 38}} {
		a := array.FromMatrix(m, array.Explicit{rows, {p}})
		q, r := QR(a)
		qd, rd := compute(t, q), compute(t, r)
		var prod mat.Dense
		prod.Mul(toMatT(t, qd), toMatT(t, rd))
		near(t, "QR", array.FromMat(&prod), m, 1e-9)
		_, s, _ := SVD(a)
		var sv mat.SVD
		sv.Factorize(m, mat.SVDNone)
		ws := sv.Values(nil)
		sd := compute(t, s)
		for i := range ws {
			if math.Abs(sd.Data[i]-ws[i]) > 1e-9*ws[0] {
				t.Fatalf("rows %v: s[%d] = %v, want %v", rows, i, sd.Data[i], ws[i])
			}
		}
		y := make([]float64, n)
		for i := range y {
			y[i] = rng.NormFloat64()
		}
		x := compute(t, Lstsq(a, array.FromSlice(y, []int{n}, array.Regular{7})))
		var wx mat.Dense
		if err := wx.Solve(m, mat.NewDense(n, 1, y)); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < p; i++ {
			if math.Abs(x.Data[i]-wx.At(i, 0)) > 1e-8 {
				t.Fatalf("rows %v: Lstsq x[%d] = %v, want %v", rows, i, x.Data[i], wx.At(i, 0))
			}
		}
	}
	// SVDCompressed with row chunks shorter than k+10.
	big := randMat(rng, 60, 20)
	_, s, _ := SVDCompressed(array.FromMatrix(big, array.Regular{7, 20}), 3, 2, 1)
	var sv mat.SVD
	sv.Factorize(big, mat.SVDNone)
	sd := compute(t, s)
	for i := 0; i < 3; i++ {
		if w := sv.Values(nil)[i]; math.Abs(sd.Data[i]-w) > 0.05*w {
			t.Fatalf("SVDCompressed s[%d] = %v, want about %v", i, sd.Data[i], w)
		}
	}
	// float32 in, float32 out.
	q32, _ := QR(array.FromMatrix(m, array.Explicit{{40, 3}, {p}}).AsType(array.Float32))
	if q32.DType() != array.Float32 {
		t.Fatalf("QR of float32: %s", q32.DType())
	}
	compute(t, q32)
}

func toMatT(t *testing.T, d *array.Dense) *mat.Dense {
	t.Helper()
	m, err := toF64(d).ToMat()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestLinalgErrorPrefix checks errors name the package once.
func TestLinalgErrorPrefix(t *testing.T) {
	nonSquare := array.Zeros([]int{3, 4}, nil)
	for name, a := range map[string]*array.Array{
		"Cholesky": Cholesky(nonSquare), "Inv": Inv(nonSquare), "Solve": Solve(nonSquare, array.Zeros([]int{3}, nil)),
		"SolveTriangular": SolveTriangular(nonSquare, array.Zeros([]int{3}, nil), true),
		"Lstsq":           Lstsq(array.Zeros([]int{3, 4}, nil), array.Zeros([]int{3}, nil)),
		"Lstsq-err":       Lstsq(array.Zeros([]int{3, 4}, nil).Reshape(5), array.Zeros([]int{3}, nil)),
	} {
		err := a.Err()
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if strings.Contains(err.Error(), "linalg: linalg:") || strings.Contains(err.Error(), "linalg: array:") {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
