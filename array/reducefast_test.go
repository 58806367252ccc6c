package array

import (
	"math"
	"math/rand"
	"testing"

	"github.com/godask/godask/graph"
)

// naiveAll folds every element of x in order, the reference for whole-array
// reductions.
func naiveAll(r Reduction, x []float64) float64 {
	switch r {
	case RSum, RMean:
		s := 0.0
		for _, v := range x {
			s += v
		}
		if r == RMean {
			return s / float64(len(x))
		}
		return s
	case RVar, RStd:
		m := naiveAll(RMean, x)
		s := 0.0
		for _, v := range x {
			s += (v - m) * (v - m)
		}
		if r == RStd {
			return math.Sqrt(s / float64(len(x)))
		}
		return s / float64(len(x))
	case RProd:
		p := 1.0
		for _, v := range x {
			p *= v
		}
		return p
	case RMin, RMax:
		m := math.Inf(1)
		if r == RMax {
			m = math.Inf(-1)
		}
		for _, v := range x {
			if v != v {
				return v
			}
			if (r == RMin && v < m) || (r == RMax && v > m) {
				m = v
			}
		}
		return m
	}
	panic(r)
}

func closeRel(a, b, tol float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= tol*(1+math.Abs(a)+math.Abs(b))
}

var wholeReductions = []Reduction{RSum, RMean, RVar, RStd, RProd, RMin, RMax}

// Whole-array reductions of elementwise expressions and of slices run fused
// (no intermediate block): they must agree with naive loops, for odd sizes,
// irregular chunks, NaN and Inf, and empty arrays.
func TestFusedWholeReductions(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	for _, n := range []int{0, 1, 7, 13, 2048, 2049, 5003} {
		for _, special := range []float64{0, math.NaN(), math.Inf(1), math.Inf(-1)} {
			d := NewDense(Float64, n)
			for i := range d.Data {
				d.Data[i] = rng.Float64()*2 - 0.5
			}
			if special != 0 && n > 0 {
				d.Data[rng.Intn(n)] = special
			}
			a := FromDense(d, irregular(rng, d.Shape))
			ew := Exp(a.MulScalar(0.5).AddScalar(0.25)).Sub(a)
			ref := make([]float64, n)
			for i, v := range d.Data {
				ref[i] = math.Exp(v*0.5+0.25) - v
			}
			// A strided slice, backwards.
			sl := a.Slice(Step(-2, 0, -3))
			var sref []float64
			for i := n - 2; i > 0; i -= 3 {
				sref = append(sref, d.Data[i])
			}
			for _, r := range wholeReductions {
				if (r == RMin || r == RMax) && n == 0 || r == RProd && special != 0 {
					continue // no identity; a product of Inf and an underflow depends on the order
				}
				for _, c := range []struct {
					what string
					arr  *Array
					ref  []float64
				}{{"ew", ew, ref}, {"slice", sl, sref}, {"plain", a, d.Data}} {
					if (r == RMin || r == RMax) && len(c.ref) == 0 {
						continue
					}
					got := mustCompute(t, c.arr.Reduce(r, ReduceOptions{SplitEvery: 3})).Float64s()[0]
					want := naiveAll(r, c.ref)
					if !closeRel(got, want, 1e-10) && !(r == RProd && closeRel(got, want, 1e-6)) {
						t.Fatalf("%s of %s, n=%d special=%v: got %v want %v", r, c.what, n, special, got, want)
					}
				}
			}
		}
	}
	// 2-d slices with steps on both axes, and a bool expression.
	d := randDense(rng, 37, 29)
	a := FromDense(d, irregular(rng, d.Shape))
	s := a.Index("3:-4:2, ::-3")
	var ref []float64
	for i := 3; i < 33; i += 2 {
		for j := 28; j >= 0; j -= 3 {
			ref = append(ref, d.Data[i*29+j])
		}
	}
	for _, r := range wholeReductions {
		got := mustCompute(t, s.Reduce(r, ReduceOptions{})).Float64s()[0]
		if want := naiveAll(r, ref); !closeRel(got, want, 1e-10) {
			t.Fatalf("%s of a 2-d slice: got %v want %v", r, got, want)
		}
	}
	for _, c := range []struct {
		arr  *Array
		kind string
	}{{s.Sum(), "array.reduce-view"}, {Exp(a).Std(), "array.reduce-ew"}} {
		g, _ := c.arr.Graph()
		found := false
		for _, tk := range g.Tasks() {
			found = found || tk.Op.Name() == c.kind
		}
		if !found {
			t.Fatalf("%v: no %s task: the reduction is not fused", c.arr, c.kind)
		}
	}
	cnt := mustCompute(t, a.Gt(Scalar(0.5)).Sum())
	want := int64(0)
	for _, v := range d.Data {
		if v > 0.5 {
			want++
		}
	}
	if cnt.DType != Int64 || cnt.I64[0] != want {
		t.Fatalf("count of x > 0.5: %v, want %d", cnt, want)
	}
	if got := mustCompute(t, a.Gt(Scalar(0.5)).Any()); !got.B[0] {
		t.Fatal("any(x > 0.5) is false")
	}
	if got := mustCompute(t, a.Gt(Scalar(-100)).All()); !got.B[0] {
		t.Fatal("all(x > -100) is false")
	}
}

// The mean and the standard deviation of one array share their per-block
// partials: computed together they read each block once.
func TestMeanStdShareBlocks(t *testing.T) {
	a := Uniform(1, 0, 1, []int{1000}, Regular{100})
	x := a.Mean()
	y := a.Std()
	gx, _ := x.Graph()
	gy, _ := y.Graph()
	g := &graph.Graph{}
	g.Merge(gx)
	g.Merge(gy)
	c, err := graph.Cull(g, append(x.Keys(), y.Keys()...))
	if err != nil {
		t.Fatal(err)
	}
	// 10 generators, 10 partials, the combine tree, and two finals.
	cx, _ := graph.Cull(gx, x.Keys())
	if c.Len() != cx.Len()+1 {
		t.Fatalf("mean and std together have %d tasks, the mean alone %d: partials not shared", c.Len(), cx.Len())
	}
	ds, err := ComputeAll(ctx, []*Array{x, y})
	if err != nil {
		t.Fatal(err)
	}
	v := mustCompute(t, a).Data
	if !closeRel(ds[0].Data[0], naiveAll(RMean, v), 1e-12) || !closeRel(ds[1].Data[0], naiveAll(RStd, v), 1e-12) {
		t.Fatalf("mean, std = %v, %v; want %v, %v", ds[0].Data[0], ds[1].Data[0], naiveAll(RMean, v), naiveAll(RStd, v))
	}
}

// x + x.T reads the blocks of x through swapped strides (no transpose
// tasks) and matches naive loops, with irregular chunks, a square
// non-symmetric chunking, a reduction over it, and chained operations.
func TestTransposedLeaves(t *testing.T) {
	rng := rand.New(rand.NewSource(22))
	d := randDense(rng, 23, 23)
	ch := irregular(rng, d.Shape)
	ch[1] = ch[0] // x.T must have the chunks of x for the sum
	a := FromDense(d, ch)
	sum := a.Add(a.T())
	e := Exp(a.T().MulScalar(0.5)).Sub(a).Mul(a.T())
	g, _ := sum.Graph()
	for _, tk := range g.Tasks() {
		if tk.Op.Name() == "array.transpose" {
			t.Fatalf("x + x.T still transposes blocks")
		}
	}
	gs := mustCompute(t, sum)
	ge := mustCompute(t, e)
	tot := 0.0
	for i := 0; i < 23; i++ {
		for j := 0; j < 23; j++ {
			x, xt := d.Data[i*23+j], d.Data[j*23+i]
			if gs.Data[i*23+j] != x+xt {
				t.Fatalf("(x + x.T)[%d][%d] = %v, want %v", i, j, gs.Data[i*23+j], x+xt)
			}
			want := (math.Exp(xt*0.5) - x) * xt
			if !closeRel(ge.Data[i*23+j], want, 1e-14) {
				t.Fatalf("e[%d][%d] = %v, want %v", i, j, ge.Data[i*23+j], want)
			}
			tot += x + xt
		}
	}
	if got := mustCompute(t, sum.Sum()).Data[0]; !closeRel(got, tot, 1e-12) {
		t.Fatalf("sum(x + x.T) = %v, want %v", got, tot)
	}
	// A non-square chunking: x.T gets rechunked and must still be right.
	b := FromDense(d, Explicit{{10, 13}, {5, 18}})
	gb := mustCompute(t, b.Add(b.T()))
	for i := 0; i < 23; i++ {
		for j := 0; j < 23; j++ {
			if gb.Data[i*23+j] != d.Data[i*23+j]+d.Data[j*23+i] {
				t.Fatalf("rechunked (x + x.T)[%d][%d] = %v", i, j, gb.Data[i*23+j])
			}
		}
	}
}
