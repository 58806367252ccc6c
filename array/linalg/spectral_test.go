package linalg

import (
	"context"
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
	"gonum.org/v1/gonum/mat"
)

type spectralFixtures struct {
	Norm []struct {
		Shape    []int     `json:"shape"`
		X        []float64 `json:"x"`
		Ord      string    `json:"ord"`
		Axes     []int     `json:"axes"`
		OutShape []int     `json:"out_shape"`
		Out      []float64 `json:"out"`
	} `json:"norm"`
	Det []struct {
		N   int       `json:"n"`
		A   []float64 `json:"a"`
		Det float64   `json:"det"`
	} `json:"det"`
	Eigvalsh []struct {
		N int       `json:"n"`
		A []float64 `json:"a"`
		W []float64 `json:"w"`
	} `json:"eigvalsh"`
	Pinv []struct {
		M, N int
		A    []float64 `json:"a"`
		Pinv []float64 `json:"pinv"`
	} `json:"pinv"`
	Lstsq []struct {
		M, N int
		A    []float64 `json:"a"`
		BB   []float64 `json:"B"`
		Bv   []float64 `json:"b"`
		X    []float64 `json:"x"`
		XX   []float64 `json:"X"`
		Rank int64     `json:"rank"`
		S    []float64 `json:"s"`
	} `json:"lstsq"`
}

func loadSpectral(t *testing.T) *spectralFixtures {
	b, err := os.ReadFile("testdata/numpy_spectral.json")
	if err != nil {
		t.Fatal(err)
	}
	var f spectralFixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

var sopts = [][]sched.Option{nil, {sched.WithExecutor(sched.NewLoopback())}, {sched.WithMemoryLimit(1 << 10)}}

func computeS(t *testing.T, a *array.Array, k int) *array.Dense {
	t.Helper()
	d, err := a.Compute(context.Background(), sopts[k%len(sopts)]...)
	if err != nil {
		t.Fatalf("%v: %v", a, err)
	}
	return d
}

func nearNP(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			t.Fatalf("%s: element %d = %v, NumPy %v", what, i, got[i], want[i])
		}
	}
}

func dense(t *testing.T, x []float64, shape ...int) *array.Dense {
	d, err := array.NewDenseFloat64(append([]float64{}, x...), shape...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestNormAgainstNumPy(t *testing.T) {
	f := loadSpectral(t)
	for _, c := range f.Norm {
		for k, ch := range []array.Chunking{nil, array.Regular{2, 3, 2}[:len(c.Shape)], array.Regular{3, 1, 3}[:len(c.Shape)]} {
			x := array.FromDense(dense(t, c.X, c.Shape...), ch)
			if k == 2 {
				x = x.AsType(array.Float32)
			}
			y := Norm(x, c.Ord, append([]int{}, c.Axes...)...)
			got := computeS(t, y, k)
			tol := 1e-9
			if k == 2 {
				tol = 1e-5
				if got.DType != array.Float32 {
					t.Fatalf("Norm of float32: %s", got.DType)
				}
			}
			if len(got.Shape) != len(c.OutShape) {
				t.Fatalf("Norm %v ord %q axes %v: shape %v, NumPy %v", c.Shape, c.Ord, c.Axes, got.Shape, c.OutShape)
			}
			nearNP(t, "Norm "+c.Ord, got.Float64s(), c.Out, tol)
		}
	}
	for _, bad := range []struct {
		ord  string
		axes []int
	}{{"fro", []int{0}}, {"x", nil}, {"", []int{0, 0}}, {"", []int{5}}, {"nuc", []int{0, 1, 2}}} {
		y := Norm(array.Ones([]int{3, 4}, nil), bad.ord, bad.axes...)
		if y.Err() == nil || !strings.Contains(y.Err().Error(), "Norm") {
			t.Errorf("Norm ord %q axes %v: error %v", bad.ord, bad.axes, y.Err())
		}
	}
}

func TestDetEighAgainstNumPy(t *testing.T) {
	f := loadSpectral(t)
	for k, c := range f.Det {
		got := computeS(t, Det(array.FromDense(dense(t, c.A, c.N, c.N), array.Regular{2, 2})), k)
		nearNP(t, "Det", got.Data, []float64{c.Det}, 1e-9)
	}
	for k, c := range f.Eigvalsh {
		a := array.FromDense(dense(t, c.A, c.N, c.N), array.Regular{2, 2})
		w, v := Eigh(a)
		wd, vd := computeS(t, w, k), computeS(t, v, k)
		nearNP(t, "Eigh values", wd.Data, c.W, 1e-9)
		// a v = v diag(w), vᵀ v = I.
		A, V := mat.NewDense(c.N, c.N, c.A), mat.NewDense(c.N, c.N, vd.Data)
		var av, vtv mat.Dense
		av.Mul(A, V)
		vtv.Mul(V.T(), V)
		for i := 0; i < c.N; i++ {
			for j := 0; j < c.N; j++ {
				if math.Abs(av.At(i, j)-V.At(i, j)*wd.Data[j]) > 1e-9 || math.Abs(vtv.At(i, j)-b2f(i == j)) > 1e-9 {
					t.Fatalf("Eigh of %d×%d: not an orthonormal eigenbasis", c.N, c.N)
				}
			}
		}
	}
	if e := Det(array.Ones([]int{2, 3}, nil)); e.Err() == nil || !strings.Contains(e.Err().Error(), "Det") {
		t.Errorf("Det of 2×3: %v", e.Err())
	}
	if w, _ := Eigh(array.Ones([]int{2, 3}, nil)); w.Err() == nil {
		t.Error("Eigh of 2×3: no error")
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func TestPinvLstsqMinNormAgainstNumPy(t *testing.T) {
	f := loadSpectral(t)
	rng := rand.New(rand.NewSource(8))
	for k, c := range f.Pinv {
		ch := array.Regular{1 + rng.Intn(c.M), c.N}
		if c.M < c.N {
			ch = array.Regular{c.M, 1 + rng.Intn(c.N)}
		}
		// TSQR wants row blocks at least as tall as the columns.
		if c.M >= c.N {
			ch[0] = max(ch[0], c.N)
		} else {
			ch[1] = max(ch[1], c.M)
		}
		a := array.FromDense(dense(t, c.A, c.M, c.N), ch)
		got := computeS(t, Pinv(a, -1), k)
		nearNP(t, "Pinv", got.Data, c.Pinv, 1e-8)
	}
	for k, c := range f.Lstsq {
		ch := array.Regular{c.N, c.N}
		if c.M < c.N {
			ch = array.Regular{c.M, c.M}
		}
		a := array.FromDense(dense(t, c.A, c.M, c.N), ch)
		x, rank, s := LstsqMinNorm(a, array.FromDense(dense(t, c.Bv, c.M), array.Regular{ch[0]}), -1)
		nearNP(t, "LstsqMinNorm x", computeS(t, x, k).Data, c.X, 1e-8)
		if r := computeS(t, rank, k); r.I64[0] != c.Rank {
			t.Fatalf("LstsqMinNorm %d×%d: rank %d, NumPy %d", c.M, c.N, r.I64[0], c.Rank)
		}
		nearNP(t, "LstsqMinNorm s", computeS(t, s, k).Data, c.S, 1e-9)
		X, _, _ := LstsqMinNorm(a, array.FromDense(dense(t, c.BB, c.M, 2), array.Regular{ch[0], 1}), -1)
		nearNP(t, "LstsqMinNorm X", computeS(t, X, k).Data, c.XX, 1e-8)
	}
	if x, _, _ := LstsqMinNorm(array.Ones([]int{3, 2}, nil), array.Ones([]int{4}, nil), -1); x.Err() == nil || !strings.Contains(x.Err().Error(), "LstsqMinNorm") {
		t.Errorf("LstsqMinNorm of mismatched shapes: %v", x.Err())
	}
	if p := Pinv(array.Ones([]int{3}, nil), -1); p.Err() == nil {
		t.Error("Pinv of 1-d: no error")
	}
}
