package array

import (
	"math"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

// computeModes computes a with the local executor, Loopback (every value
// through its codec) and a tiny memory limit (spilling), checks that the
// three agree and returns the first.
func computeModes(t *testing.T, a *Array) *Dense {
	t.Helper()
	d, err := a.Compute(ctx)
	if err != nil {
		t.Fatalf("compute %v: %v", a, err)
	}
	for _, opts := range [][]sched.Option{
		{sched.WithExecutor(sched.NewLoopback())},
		{sched.WithMemoryLimit(1 << 10), sched.WithSpillDir(t.TempDir())},
	} {
		e, err := a.Compute(ctx, opts...)
		if err != nil {
			t.Fatalf("compute %v: %v", a, err)
		}
		if !sameDense(d, e) {
			t.Fatalf("%v: executors disagree:\n%v\n%v", a, d, e)
		}
	}
	return d
}

func sameDense(a, b *Dense) bool {
	if a.DType != b.DType || !chunksEqual(a.Shape, b.Shape) {
		return false
	}
	for i := 0; i < a.Len(); i++ {
		x, y := a.elem(i), b.elem(i)
		if a.DType == Int64 {
			if a.I64[i] != b.I64[i] {
				return false
			}
		} else if x != y && !(x != x && y != y) {
			return false
		}
	}
	return true
}

// withEmpty returns random chunks of each axis with some empty chunks.
func withEmpty(rng *rand.Rand, shape []int) Explicit {
	e := irregular(rng, shape)
	for i := range e {
		if rng.Intn(2) == 0 {
			at := rng.Intn(len(e[i]) + 1)
			e[i] = append(e[i][:at], append([]int{0}, e[i][at:]...)...)
		}
	}
	return e
}

func randInt64s(rng *rand.Rand, n int) []int64 {
	x := make([]int64, n)
	ext := []int64{math.MaxInt64, math.MinInt64, 1 << 60, 1<<60 + 1, -1, 0, 1<<53 + 1}
	for i := range x {
		switch rng.Intn(4) {
		case 0:
			x[i] = ext[rng.Intn(len(ext))]
		case 1:
			x[i] = int64(rng.Intn(21) - 10)
		default:
			x[i] = int64(rng.Uint64())
		}
	}
	return x
}

func int64Dense(x []int64, shape ...int) *Dense {
	d := NewDense(Int64, shape...)
	copy(d.I64, x)
	return d
}

func TestInt64ReductionsExact(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 20; trial++ {
		n := rng.Intn(40)
		x := randInt64s(rng, n)
		a := FromDense(int64Dense(x, n), withEmpty(rng, []int{n}))
		// References: big.Int sum reduced mod 2^64 (NumPy wraps), wrapping
		// product, min, max, first argmin/argmax.
		s := new(big.Int)
		var p int64 = 1
		mn, mx := int64(math.MaxInt64), int64(math.MinInt64)
		ami, ama := 0, 0
		for i, v := range x {
			s.Add(s, big.NewInt(v))
			p *= v
			if v < mn {
				mn, ami = v, i
			}
			if v > mx {
				mx, ama = v, i
			}
		}
		wantSum := int64(new(big.Int).And(s, new(big.Int).SetUint64(math.MaxUint64)).Uint64())
		check := func(name string, got *Array, want int64) {
			t.Helper()
			d := computeModes(t, got)
			if d.DType != Int64 || d.I64[0] != want {
				t.Fatalf("trial %d %s of %v: got %v (%v), want %d", trial, name, x, d, d.DType, want)
			}
		}
		check("sum", a.Sum(), wantSum)
		check("nansum", a.NanSum(), wantSum)
		check("prod", a.Prod(), p)
		if n > 0 {
			check("min", a.Min(), mn)
			check("max", a.Max(), mx)
			check("argmin", a.ArgMin(nil), int64(ami))
			check("argmax", a.ArgMax(nil), int64(ama))
			check("nanargmax", a.NanArgMax(Axis(0)), int64(ama))
		}
		// CumSum and CumProd wrap in int64.
		cs := computeModes(t, a.CumSum(0))
		cp := computeModes(t, a.CumProd(0))
		var acc, accp int64 = 0, 1
		for i, v := range x {
			acc += v
			accp *= v
			if cs.I64[i] != acc || cp.I64[i] != accp {
				t.Fatalf("trial %d cumsum/cumprod at %d: %d %d, want %d %d", trial, i, cs.I64[i], cp.I64[i], acc, accp)
			}
		}
	}
}

func TestInt64ExactIssueCases(t *testing.T) {
	a := FromDense(int64Dense([]int64{1 << 60, 1<<60 + 1}, 2), Regular{1})
	if d := computeModes(t, a.ArgMax(nil)); d.I64[0] != 1 {
		t.Fatalf("argmax [2^60, 2^60+1] = %v", d)
	}
	if d := computeModes(t, a.ArgMin(nil)); d.I64[0] != 0 {
		t.Fatalf("argmin [2^60, 2^60+1] = %v", d)
	}
	if d := computeModes(t, a.Max()); d.I64[0] != 1<<60+1 {
		t.Fatalf("max = %v", d)
	}
	if d := computeModes(t, a.CumSum(0)); d.I64[1] != 1<<61+1 {
		t.Fatalf("cumsum = %v", d)
	}
	b := FromDense(int64Dense([]int64{math.MaxInt64, 3, math.MaxInt64}, 3), Regular{2})
	if d := computeModes(t, b.Max()); d.I64[0] != math.MaxInt64 {
		t.Fatalf("max of 2^63-1 = %v", d)
	}
	// A 2-d int64 array reduced along each axis, against naive loops.
	rng := rand.New(rand.NewSource(2))
	x := randInt64s(rng, 7*9)
	m := FromDense(int64Dense(x, 7, 9), withEmpty(rng, []int{7, 9}))
	for ax := 0; ax < 2; ax++ {
		mx := computeModes(t, m.Max(ax))
		am := computeModes(t, m.ArgMin(Axis(ax)))
		sm := computeModes(t, m.Sum(ax))
		for o := 0; o < mx.Len(); o++ {
			var want, sum int64 = math.MinInt64, 0
			best, bi := int64(math.MaxInt64), 0
			for k := 0; k < 7+2*ax; k++ {
				var v int64
				if ax == 0 {
					v = x[k*9+o]
				} else {
					v = x[o*9+k]
				}
				want = max(want, v)
				sum += v
				if v < best {
					best, bi = v, k
				}
			}
			if mx.I64[o] != want || am.I64[o] != int64(bi) || sm.I64[o] != sum {
				t.Fatalf("axis %d at %d: max %d argmin %d sum %d, want %d %d %d", ax, o, mx.I64[o], am.I64[o], sm.I64[o], want, bi, sum)
			}
		}
	}
}

func TestFlatArgTiesAcrossBlocks(t *testing.T) {
	x := make([]float64, 48)
	x[6], x[8] = 9, 9
	a := FromSlice(x, []int{6, 8}, Regular{2, 4})
	if d := computeModes(t, a.ArgMax(nil)); d.I64[0] != 6 {
		t.Fatalf("argmax with ties at 6 and 8 = %v, want 6", d)
	}
	x[6], x[8] = math.NaN(), math.NaN()
	a = FromSlice(x, []int{6, 8}, Regular{2, 4})
	if d := computeModes(t, a.ArgMin(nil)); d.I64[0] != 6 {
		t.Fatalf("argmin with NaN at 6 and 8 = %v, want 6", d)
	}
	if d := computeModes(t, a.NanArgMax(nil)); d.I64[0] != 0 {
		t.Fatalf("nanargmax = %v, want 0", d)
	}
	// Random ties over random grids against the first C-order occurrence.
	rng := rand.New(rand.NewSource(3))
	for trial := 0; trial < 30; trial++ {
		shape := []int{1 + rng.Intn(6), 1 + rng.Intn(7)}
		n := prod(shape)
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(rng.Intn(3))
			if rng.Intn(10) == 0 {
				v[i] = math.NaN()
			}
		}
		b := FromSlice(v, shape, withEmpty(rng, shape))
		for _, r := range []Reduction{RArgMin, RArgMax, RNanArgMin, RNanArgMax} {
			want := -1
			for i, e := range v {
				if want < 0 && !(r.nan() && e != e) || want >= 0 && betterF(r, e, v[want]) {
					want = i
				}
			}
			d, err := b.Reduce(r, ReduceOptions{}).Compute(ctx)
			if want < 0 {
				if err == nil || !strings.Contains(err.Error(), "All-NaN") {
					t.Fatalf("%s of all-NaN: %v, %v", r, d, err)
				}
				continue
			}
			if err != nil || d.I64[0] != int64(want) {
				t.Fatalf("trial %d %s of %v: %v %v, want %d", trial, r, v, d, err, want)
			}
		}
	}
}

func TestArgZeroDimAndEmpty(t *testing.T) {
	s := FromSlice([]float64{4}, []int{}, Regular{})
	for _, r := range []*Array{s.ArgMin(nil), s.ArgMax(nil)} {
		if d := computeModes(t, r); d.I64[0] != 0 || len(d.Shape) != 0 {
			t.Fatalf("arg of a 0-d array: %v", d)
		}
	}
	z := Zeros([]int{0, 5}, Regular{})
	for _, r := range []*Array{z.Min(1), z.Max(1), z.ArgMin(Axis(1)), z.ArgMax(Axis(1)), z.NanMin(1)} {
		d := computeModes(t, r)
		if !chunksEqual(d.Shape, []int{0}) {
			t.Fatalf("%v: shape %v, want (0,)", r, d.Shape)
		}
	}
	for _, r := range []*Array{z.Min(0), z.Max(), z.ArgMin(Axis(0)), z.ArgMax(nil)} {
		if err := r.Err(); err == nil || !strings.Contains(err.Error(), "zero-size") {
			t.Fatalf("reduction over an empty axis: %v", err)
		}
	}
}

func TestVarLargeMeanSmallSpread(t *testing.T) {
	x := make([]float64, 50)
	for i := range x {
		x[i] = 1e8 + 1e-3*math.Sin(float64(i))
	}
	// Reference in 256-bit floating point.
	prec := uint(256)
	sum := new(big.Float).SetPrec(prec)
	for _, v := range x {
		sum.Add(sum, big.NewFloat(v))
	}
	mean := new(big.Float).SetPrec(prec).Quo(sum, big.NewFloat(50))
	m2 := new(big.Float).SetPrec(prec)
	for _, v := range x {
		d := new(big.Float).SetPrec(prec).Sub(big.NewFloat(v), mean)
		m2.Add(m2, d.Mul(d, d))
	}
	want, _ := m2.Quo(m2, big.NewFloat(50)).Float64()
	for _, a := range []*Array{FromSlice(x, []int{50}, Regular{7}), FromSlice(x, []int{50}, Regular{7}).AddScalar(0)} {
		d := computeModes(t, a.Var())
		if rel := math.Abs(d.Data[0]-want) / want; rel > 1e-8 {
			t.Fatalf("var: %g, want %g (relative error %g)", d.Data[0], want, rel)
		}
	}
	// Along an axis too.
	m := FromSlice(append(append([]float64{}, x...), x...), []int{2, 50}, Regular{1, 7})
	d := computeModes(t, m.Reduce(RVar, ReduceOptions{Axes: []int{1}}))
	for _, v := range d.Data {
		if rel := math.Abs(v-want) / want; rel > 1e-8 {
			t.Fatalf("var along axis: %g, want %g", v, want)
		}
	}
}

func TestVarDDOF(t *testing.T) {
	a := FromSlice([]float64{1, 2, 3}, []int{3}, Regular{2})
	for _, ddof := range []int{3, 4} {
		d := computeModes(t, a.Reduce(RVar, ReduceOptions{DDOF: ddof}))
		if !math.IsInf(d.Data[0], 1) {
			t.Fatalf("var ddof %d = %v, want +Inf", ddof, d)
		}
	}
	c := FromSlice([]float64{2, 2, 2}, []int{3}, Regular{2})
	if d := computeModes(t, c.Reduce(RStd, ReduceOptions{DDOF: 3})); !math.IsNaN(d.Data[0]) {
		t.Fatalf("std of constants ddof n = %v, want NaN", d)
	}
	if d := computeModes(t, a.Reduce(RVar, ReduceOptions{DDOF: 1})); d.Data[0] != 1 {
		t.Fatalf("var ddof 1 = %v", d)
	}
}

// nanRef is the naive reference of a Nan reduction over all of x.
func nanRef(r Reduction, x []float64) float64 {
	var keep []float64
	for _, v := range x {
		if v == v {
			keep = append(keep, v)
		}
	}
	switch r {
	case RNanSum:
		return naiveAll(RSum, keep)
	case RNanProd:
		return naiveAll(RProd, keep)
	case RNanMin, RNanMax:
		if len(keep) == 0 {
			return math.NaN()
		}
		return naiveAll(r.base(), keep)
	case RNanMean, RNanVar, RNanStd:
		if len(keep) == 0 {
			return math.NaN()
		}
		return naiveAll(r.base(), keep)
	}
	panic(r)
}

func TestNanReductions(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	rs := []Reduction{RNanSum, RNanProd, RNanMin, RNanMax, RNanMean, RNanVar, RNanStd}
	for trial := 0; trial < 25; trial++ {
		shape := []int{rng.Intn(5), 1 + rng.Intn(6)}
		n := prod(shape)
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64()
			switch rng.Intn(6) {
			case 0:
				x[i] = math.NaN()
			case 1:
				x[i] = float64(rng.Intn(3))
			}
		}
		if trial%5 == 0 {
			x[0], x[n-1] = math.Inf(1), math.Inf(-1)
		}
		a := FromSlice(x, shape, withEmpty(rng, shape))
		fused := a.AddScalar(0)
		for _, r := range rs {
			if shape[0] == 0 && (r == RNanMin || r == RNanMax) {
				continue
			}
			for _, src := range []*Array{a, fused} {
				d := computeModes(t, src.Reduce(r, ReduceOptions{}))
				if want := nanRef(r, x); !closeRel(d.elem(0), want, 1e-12) {
					t.Fatalf("trial %d %s of %v: %v, want %v", trial, r, x, d.elem(0), want)
				}
			}
			// Along axis 1: per row.
			if shape[0] == 0 {
				continue
			}
			d := computeModes(t, a.Reduce(r, ReduceOptions{Axes: []int{1}}))
			for i := 0; i < shape[0]; i++ {
				if want := nanRef(r, x[i*shape[1]:(i+1)*shape[1]]); !closeRel(d.elem(i), want, 1e-12) {
					t.Fatalf("trial %d %s axis 1 row %d of %v: %v, want %v", trial, r, i, x, d.elem(i), want)
				}
			}
		}
		// NanCumSum and NanCumProd along axis 1.
		cs := computeModes(t, a.NanCumSum(1))
		cp := computeModes(t, a.NanCumProd(1))
		for i := 0; i < shape[0]; i++ {
			s, p := 0.0, 1.0
			for j := 0; j < shape[1]; j++ {
				if v := x[i*shape[1]+j]; v == v {
					s += v
					p *= v
				}
				if !closeRel(cs.Data[i*shape[1]+j], s, 1e-12) || !closeRel(cp.Data[i*shape[1]+j], p, 1e-12) {
					t.Fatalf("nancumsum/prod at %d,%d: %v %v want %v %v", i, j, cs.Data[i*shape[1]+j], cp.Data[i*shape[1]+j], s, p)
				}
			}
		}
	}
}
