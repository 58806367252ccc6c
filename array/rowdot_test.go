package array

import (
	"context"
	"math"
	"math/rand"
	"testing"
)

// naiveRowdot is the reference: one accumulator per row, in column order.
func naiveRowdot(a, b []float64, nb, k int) []float64 {
	c := make([]float64, nb)
	for t := 0; t < nb; t++ {
		s := 0.0
		for q := 0; q < k; q++ {
			s += a[t*k+q] * b[t*k+q]
		}
		c[t] = s
	}
	return c
}

func rowdotSame(x, y float64) bool {
	if math.IsNaN(x) || math.IsNaN(y) {
		return math.IsNaN(x) && math.IsNaN(y)
	}
	if math.IsInf(x, 0) || math.IsInf(y, 0) {
		return x == y
	}
	return math.Abs(x-y) <= 1e-12*(1+math.Abs(y))
}

func TestRowdotAgainstNaive(t *testing.T) {
	saved := haveRowdot
	defer func() { haveRowdot = saved }()
	rng := rand.New(rand.NewSource(7))
	for _, fast := range []bool{false, true} {
		if fast && !saved {
			continue
		}
		haveRowdot = fast
		for trial := 0; trial < 300; trial++ {
			k := 1 + rng.Intn(67)
			nb := []int{0, 1, 2, 3, 5, 17}[trial%6] + rng.Intn(4)
			if trial%6 == 0 {
				nb = 0
			}
			a := make([]float64, nb*k+rng.Intn(3)) // slack: rowdot must use only nb*k
			b := make([]float64, len(a))
			for i := range a {
				a[i], b[i] = rng.NormFloat64(), rng.NormFloat64()
			}
			if nb > 0 && trial%5 == 1 {
				switch rng.Intn(3) {
				case 0:
					a[rng.Intn(nb*k)] = math.NaN()
				case 1:
					b[rng.Intn(nb*k)] = math.Inf(1)
				default:
					i := rng.Intn(nb * k)
					a[i], b[i] = math.Inf(-1), 0 // -Inf*0 = NaN
				}
			}
			c := make([]float64, nb+1)
			c[nb] = 42 // sentinel past the end
			rowdot(c[:nb], a, b, k)
			want := naiveRowdot(a, b, nb, k)
			for i := range want {
				if !rowdotSame(c[i], want[i]) {
					t.Fatalf("fast=%v k=%d nb=%d row %d: got %v want %v", fast, k, nb, i, c[i], want[i])
				}
			}
			if c[nb] != 42 {
				t.Fatalf("fast=%v k=%d nb=%d: wrote past the end", fast, k, nb)
			}
		}
	}
}

func TestRowdotZeroLength(t *testing.T) {
	c := []float64{1, 2, 3}
	rowdot(c, nil, nil, 0)
	for i, v := range c {
		if v != 0 {
			t.Fatalf("k=0 row %d = %v, want 0", i, v)
		}
	}
}

func TestEinsumRowdotMatchesLoop(t *testing.T) {
	saved := haveRowdot
	defer func() { haveRowdot = saved }()
	rng := rand.New(rand.NewSource(11))
	n, k := 37, 23
	x, y := make([]float64, n*k), make([]float64, n*k)
	for i := range x {
		x[i], y[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	x[5] = math.NaN()
	want := naiveRowdot(x, y, n, k)
	for _, fast := range []bool{false, saved} {
		haveRowdot = fast
		X := FromSlice(x, []int{n, k}, Regular{10, 23})
		Y := FromSlice(y, []int{n, k}, Regular{10, 23})
		d, err := Einsum("ij,ij->i", X, Y).Compute(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if !rowdotSame(d.Data[i], want[i]) {
				t.Fatalf("fast=%v row %d: got %v want %v", fast, i, d.Data[i], want[i])
			}
		}
	}
}
