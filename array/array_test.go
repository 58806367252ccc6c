package array

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

var ctx = context.Background()

func randDense(rng *rand.Rand, shape ...int) *Dense {
	d := NewDense(Float64, shape...)
	for i := range d.Data {
		d.Data[i] = rng.NormFloat64()
	}
	return d
}

// irregular returns random chunks tiling each axis.
func irregular(rng *rand.Rand, shape []int) Explicit {
	e := make(Explicit, len(shape))
	for i, n := range shape {
		for s := 0; s < n; {
			c := 1 + rng.Intn(max(1, n/2))
			c = min(c, n-s)
			e[i] = append(e[i], c)
			s += c
		}
		if n == 0 {
			e[i] = []int{0}
		}
	}
	return e
}

func mustCompute(t *testing.T, a *Array) *Dense {
	t.Helper()
	d, err := a.Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
	if err != nil {
		t.Fatalf("compute %v: %v", a, err)
	}
	return d
}

func close(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-9*(1+math.Abs(a)+math.Abs(b))
}

func assertClose(t *testing.T, what string, got *Dense, shape []int, want []float64) {
	t.Helper()
	if !chunksEqual(got.Shape, shape) {
		t.Fatalf("%s: shape %v, want %v", what, got.Shape, shape)
	}
	g := got.Float64s()
	if len(g) != len(want) {
		t.Fatalf("%s: %d elements, want %d", what, len(g), len(want))
	}
	for i := range g {
		if !close(g[i], want[i]) {
			t.Fatalf("%s: element %d = %v, want %v", what, i, g[i], want[i])
		}
	}
}

func TestStringAndTasks(t *testing.T) {
	x := Uniform(0, 0, 1, []int{10000, 20}, Regular{1000, 20})
	want := "array<shape=(10000, 20), dtype=float64, chunks=(1000, 20), tasks=10>"
	if x.String() != want {
		t.Fatalf("String = %q, want %q", x.String(), want)
	}
}

func TestRandomChunkingIndependent(t *testing.T) {
	for _, mk := range []func(Chunking) *Array{
		func(c Chunking) *Array { return Uniform(7, -1, 2, []int{37, 11}, c) },
		func(c Chunking) *Array { return Normal(7, 1, 3, []int{37, 11}, c) },
		func(c Chunking) *Array { return Integers(7, -5, 9, []int{37, 11}, c) },
	} {
		a := mustCompute(t, mk(Regular{5, 3}))
		b := mustCompute(t, mk(Explicit{{30, 7}, {11}}))
		c, err := mk(nil).Compute(ctx, sched.WithWorkers(1))
		if err != nil {
			t.Fatal(err)
		}
		assertClose(t, "chunked vs irregular", a, b.Shape, b.Float64s())
		assertClose(t, "chunked vs one block", a, c.Shape, c.Float64s())
	}
	u := mustCompute(t, Uniform(1, 2, 3, []int{1000}, Regular{100}))
	for _, v := range u.Data {
		if v < 2 || v >= 3 {
			t.Fatalf("uniform sample %v outside [2,3)", v)
		}
	}
	n := mustCompute(t, Normal(1, 0, 1, []int{20000}, Regular{3000}))
	m, s := 0.0, 0.0
	for _, v := range n.Data {
		m += v
		s += v * v
	}
	m /= 20000
	s = math.Sqrt(s/20000 - m*m)
	if math.Abs(m) > 0.05 || math.Abs(s-1) > 0.05 {
		t.Fatalf("normal mean %v std %v", m, s)
	}
}

func TestCreation(t *testing.T) {
	assertClose(t, "arange", mustCompute(t, Arange(1, 10, 2.5, 2)), []int{4}, []float64{1, 3.5, 6, 8.5})
	assertClose(t, "linspace", mustCompute(t, Linspace(0, 1, 5, 2)), []int{5}, []float64{0, .25, .5, .75, 1})
	assertClose(t, "eye", mustCompute(t, Eye(3, 4, 1, Regular{2, 3})), []int{3, 4}, []float64{0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1})
	assertClose(t, "full", mustCompute(t, Full([]int{2, 2}, 3, Int64, Regular{1, 1})), []int{2, 2}, []float64{3, 3, 3, 3})
	if Zeros([]int{-1}, nil).Err() == nil {
		t.Fatal("negative shape accepted")
	}
	if err := Zeros([]int{10}, Explicit{{3, 3}}).Err(); err == nil || !strings.Contains(err.Error(), "do not tile") {
		t.Fatalf("bad chunks: %v", err)
	}
}

func TestElementwiseBroadcast(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	a := randDense(rng, 13, 7)
	b := randDense(rng, 7)
	c := randDense(rng, 13, 1)
	A := FromDense(a, irregular(rng, a.Shape))
	B := FromDense(b, irregular(rng, b.Shape))
	C := FromDense(c, irregular(rng, c.Shape))
	// exp(a*2+1) - b / c, where a > 0, clipped.
	e := Exp(A.MulScalar(2).AddScalar(1)).Sub(B.Div(C))
	e = Where(A.Gt(Scalar(0)), e, Abs(A)).Clip(-3, 50)
	got := mustCompute(t, e)
	want := make([]float64, 13*7)
	for i := 0; i < 13; i++ {
		for j := 0; j < 7; j++ {
			x := a.Data[i*7+j]
			v := math.Exp(x*2+1) - b.Data[j]/c.Data[i]
			if !(x > 0) {
				v = math.Abs(x)
			}
			want[i*7+j] = math.Min(math.Max(v, -3), 50)
		}
	}
	assertClose(t, "fused expression", got, []int{13, 7}, want)
	// Fusion: one task per output block plus the leaves' blocks.
	g, _ := e.Graph()
	if got, max := g.Len(), 3*len(e.keys)+len(A.keys)+len(B.keys)+len(C.keys)+10; got > max {
		t.Fatalf("graph has %d tasks, fusion should keep it near %d", got, max)
	}
	if A.Add(FromDense(randDense(rng, 5), nil)).Err() == nil {
		t.Fatal("shapes (13,7) and (5,) broadcast")
	}
	// Comparisons, logical ops, AsType.
	m := mustCompute(t, A.Gt(Scalar(0)).And(A.Lt(Scalar(1))).Or(A.IsNaN()).Not())
	if m.DType != Bool {
		t.Fatalf("dtype %v", m.DType)
	}
	for i, v := range a.Data {
		if m.B[i] != !(v > 0 && v < 1) {
			t.Fatalf("logical %d", i)
		}
	}
	it := mustCompute(t, A.MulScalar(10).AsType(Int64))
	for i, v := range a.Data {
		if it.I64[i] != int64(v*10) {
			t.Fatalf("astype %d: %d vs %v", i, it.I64[i], v*10)
		}
	}
	f32 := mustCompute(t, A.AsType(Float32).AddScalar(1))
	if f32.DType != Float32 || f32.F32[3] != float32(a.Data[3])+1 {
		t.Fatalf("float32 %v", f32.DType)
	}
}

func naiveReduce(d *Dense, axes []int, f func([]float64) float64) ([]float64, []int) {
	red := make([]bool, len(d.Shape))
	for _, a := range axes {
		red[a] = true
	}
	var oshape []int
	for i, s := range d.Shape {
		if !red[i] {
			oshape = append(oshape, s)
		}
	}
	groups := make([][]float64, prod(oshape))
	_ = forEachBlock(d.Shape, func(fi int, idx []int) error {
		o := 0
		for i, v := range idx {
			if !red[i] {
				o = o*d.Shape[i] + v
			}
		}
		groups[o] = append(groups[o], d.Data[fi])
		return nil
	})
	out := make([]float64, len(groups))
	for i, g := range groups {
		out[i] = f(g)
	}
	return out, oshape
}

func TestReductions(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	d := randDense(rng, 9, 8, 7)
	for i := range d.Data {
		d.Data[i] += 1000 // an offset that breaks naive sum-of-squares variance
	}
	a := FromDense(d, irregular(rng, d.Shape))
	sum := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s
	}
	mean := func(x []float64) float64 { return sum(x) / float64(len(x)) }
	vr := func(x []float64) float64 {
		m := mean(x)
		s := 0.0
		for _, v := range x {
			s += (v - m) * (v - m)
		}
		return s / float64(len(x))
	}
	mn := func(x []float64) float64 {
		m := x[0]
		for _, v := range x {
			m = math.Min(m, v)
		}
		return m
	}
	mx := func(x []float64) float64 {
		m := x[0]
		for _, v := range x {
			m = math.Max(m, v)
		}
		return m
	}
	pr := func(x []float64) float64 {
		p := 1.0
		for _, v := range x {
			p *= v / 1000
		}
		return p
	}
	for _, axes := range [][]int{nil, {0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}} {
		all := axes
		if all == nil {
			all = []int{0, 1, 2}
		}
		for _, c := range []struct {
			name string
			arr  *Array
			f    func([]float64) float64
		}{
			{"sum", a.Reduce(RSum, ReduceOptions{Axes: axes, SplitEvery: 2}), sum},
			{"mean", a.Mean(axes...), mean},
			{"var", a.Var(axes...), vr},
			{"std", a.Std(axes...), func(x []float64) float64 { return math.Sqrt(vr(x)) }},
			{"min", a.Min(axes...), mn},
			{"max", a.Max(axes...), mx},
			{"prod", a.DivScalar(1000).Prod(axes...), pr},
		} {
			want, shape := naiveReduce(d, all, c.f)
			got := mustCompute(t, c.arr)
			if !chunksEqual(got.Shape, shape) {
				t.Fatalf("%s %v: shape %v want %v", c.name, axes, got.Shape, shape)
			}
			for i := range want {
				if math.Abs(got.Data[i]-want[i]) > 1e-7*(1+math.Abs(want[i])) {
					t.Fatalf("%s over %v: [%d] = %v, want %v", c.name, axes, i, got.Data[i], want[i])
				}
			}
		}
	}
	// ArgMin/ArgMax over one axis and over all.
	am := mustCompute(t, a.ArgMax(Axis(1)))
	for i := 0; i < 9; i++ {
		for k := 0; k < 7; k++ {
			best := 0
			for j := 0; j < 8; j++ {
				if d.Data[(i*8+j)*7+k] > d.Data[(i*8+best)*7+k] {
					best = j
				}
			}
			if am.I64[i*7+k] != int64(best) {
				t.Fatalf("argmax axis 1 at (%d,%d) = %d want %d", i, k, am.I64[i*7+k], best)
			}
		}
	}
	ai := mustCompute(t, a.ArgMin(nil))
	best := 0
	for i, v := range d.Data {
		if v < d.Data[best] {
			best = i
		}
	}
	if ai.I64[0] != int64(best) {
		t.Fatalf("argmin flat %d want %d", ai.I64[0], best)
	}
	an := mustCompute(t, a.Gt(Scalar(1002)).Any(0))
	for j := 0; j < 56; j++ {
		w := false
		for i := 0; i < 9; i++ {
			w = w || d.Data[i*56+j] > 1002
		}
		if an.B[j] != w {
			t.Fatalf("any %d", j)
		}
	}
	if a.Sum(3).Err() == nil || a.Sum(0, 0).Err() == nil {
		t.Fatal("bad axes accepted")
	}
}

func TestCumSum(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	d := randDense(rng, 11, 6)
	a := FromDense(d, irregular(rng, d.Shape))
	for ax := 0; ax < 2; ax++ {
		got := mustCompute(t, a.CumSum(ax))
		want := append([]float64{}, d.Data...)
		for i := 0; i < 11; i++ {
			for j := 0; j < 6; j++ {
				if ax == 0 && i > 0 {
					want[i*6+j] += want[(i-1)*6+j]
				}
				if ax == 1 && j > 0 {
					want[i*6+j] += want[i*6+j-1]
				}
			}
		}
		assertClose(t, "cumsum", got, d.Shape, want)
	}
}

func TestShapeOps(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	d := randDense(rng, 6, 5, 4)
	a := FromDense(d, irregular(rng, d.Shape))
	// Rechunk round trip.
	assertClose(t, "rechunk", mustCompute(t, a.Rechunk(Regular{4, 2, 3})), d.Shape, d.Data)
	// Transpose.
	tr := mustCompute(t, a.Transpose(2, 0, 1))
	want := make([]float64, len(d.Data))
	for i := 0; i < 6; i++ {
		for j := 0; j < 5; j++ {
			for k := 0; k < 4; k++ {
				want[(k*6+i)*5+j] = d.Data[(i*5+j)*4+k]
			}
		}
	}
	assertClose(t, "transpose", tr, []int{4, 6, 5}, want)
	// Reshape: C order is kept.
	if a.Reshape(3, -1).Err() == nil {
		t.Fatal("reshape of irregular chunks accepted")
	}
	assertClose(t, "reshape", mustCompute(t, a.Rechunk(Regular{2, 5, 4}).Reshape(3, -1)), []int{3, 40}, d.Data)
	assertClose(t, "reshape flat", mustCompute(t, a.Rechunk(Regular{2}).Reshape(120)), []int{120}, d.Data)
	if a.Rechunk(Regular{1}).Reshape(4, 30).Err() == nil {
		t.Fatal("reshape of misaligned chunks accepted")
	}
	assertClose(t, "reshape realigned", mustCompute(t, a.Rechunk(Regular{3, 5, 4}).Reshape(4, 30)), []int{4, 30}, d.Data)
	if a.Reshape(7, 7).Err() == nil {
		t.Fatal("reshape to another size accepted")
	}
	// Concatenate and Stack.
	e := randDense(rng, 6, 3, 4)
	E := FromDense(e, irregular(rng, e.Shape))
	cat := mustCompute(t, Concatenate(1, a, E))
	want = nil
	for i := 0; i < 6; i++ {
		want = append(want, d.Data[i*20:(i+1)*20]...)
		want = append(want, e.Data[i*12:(i+1)*12]...)
	}
	assertClose(t, "concatenate", cat, []int{6, 8, 4}, want)
	st := mustCompute(t, Stack(0, a, a.MulScalar(2)))
	want = append([]float64{}, d.Data...)
	for _, v := range d.Data {
		want = append(want, 2*v)
	}
	assertClose(t, "stack", st, []int{2, 6, 5, 4}, want)
	if Concatenate(0, a, E).Err() == nil {
		t.Fatal("concatenate of mismatched shapes accepted")
	}
}

func TestSliceIndex(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	d := randDense(rng, 17, 9)
	a := FromDense(d, irregular(rng, d.Shape))
	ref := func(rs, cs []int) ([]float64, []int) {
		var out []float64
		for _, i := range rs {
			for _, j := range cs {
				out = append(out, d.Data[i*9+j])
			}
		}
		return out, []int{len(rs), len(cs)}
	}
	rangeOf := func(lo, hi, step int) []int {
		var r []int
		if step > 0 {
			for i := lo; i < hi; i += step {
				r = append(r, i)
			}
		} else {
			for i := lo; i > hi; i += step {
				r = append(r, i)
			}
		}
		return r
	}
	for _, c := range []struct {
		expr   string
		rs, cs []int
	}{
		{"10:1000, :-2", rangeOf(10, 17, 1), rangeOf(0, 7, 1)},
		{"::-1, 1::3", rangeOf(16, -1, -1), rangeOf(1, 9, 3)},
		{"-5:2:-2", rangeOf(12, 2, -2), rangeOf(0, 9, 1)},
		{"3:3", nil, rangeOf(0, 9, 1)},
	} {
		want, shape := ref(c.rs, c.cs)
		got := mustCompute(t, a.Index(c.expr))
		if len(want) == 0 {
			if got.Len() != 0 || got.Shape[1] != 9 {
				t.Fatalf("%s: shape %v", c.expr, got.Shape)
			}
			continue
		}
		assertClose(t, c.expr, got, shape, want)
	}
	want, _ := ref(rangeOf(10, 17, 1), rangeOf(0, 7, 1))
	assertClose(t, "Slice", mustCompute(t, a.Slice(From(10), To(-2))), []int{7, 7}, want)
	row := mustCompute(t, a.Index("4, 2:5"))
	assertClose(t, "int index", row, []int{3}, d.Data[4*9+2:4*9+5])
	if a.Index("20").Err() == nil || a.Index("1,2,3").Err() == nil || a.Index("::0").Err() == nil {
		t.Fatal("bad index accepted")
	}
	tk := mustCompute(t, a.Take(0, []int{3, -1, 0, 3}))
	want = nil
	for _, i := range []int{3, 16, 0, 3} {
		want = append(want, d.Data[i*9:(i+1)*9]...)
	}
	assertClose(t, "take", tk, []int{4, 9}, want)
	mask := make([]bool, 9)
	mask[2], mask[7] = true, true
	cm := mustCompute(t, a.Compress(1, mask))
	want = nil
	for i := 0; i < 17; i++ {
		want = append(want, d.Data[i*9+2], d.Data[i*9+7])
	}
	assertClose(t, "compress", cm, []int{17, 2}, want)
}

func init() {
	RegisterMapFunc("test.rowsum-bcast", func(bs []*Dense) (*Dense, error) {
		out := NewDense(Float64, bs[0].Shape...)
		for i := range out.Data {
			out.Data[i] = bs[0].Data[i] + 2*bs[1].Data[i]
		}
		return out, nil
	})
	RegisterFunc("test.iota", func(off, shape []int) (*Dense, error) {
		d := NewDense(Float64, shape...)
		for i := range d.Data {
			d.Data[i] = float64(off[0]*100 + i)
		}
		return d, nil
	})
}

func TestMapBlocksFromFuncLoopback(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	da, db := randDense(rng, 10, 4), randDense(rng, 10, 4)
	A := FromDense(da, Regular{3, 2})
	B := FromDense(db, Regular{4, 4})
	got := mustCompute(t, MapBlocks("test.rowsum-bcast", Float64, nil, A, B))
	want := make([]float64, 40)
	for i := range want {
		want[i] = da.Data[i] + 2*db.Data[i]
	}
	assertClose(t, "mapblocks", got, []int{10, 4}, want)
	if MapBlocks("nope", Float64, nil, A).Err() == nil {
		t.Fatal("unregistered map function accepted")
	}
	f := mustCompute(t, FromFunc("test.iota", []int{5}, Float64, Regular{2}))
	assertClose(t, "fromfunc", f, []int{5}, []float64{0, 1, 200, 201, 400})
}

func TestPersistAndFailure(t *testing.T) {
	x := Uniform(3, 0, 1, []int{100, 10}, Regular{30, 5})
	p, err := x.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, b := mustCompute(t, x.Sum()), mustCompute(t, p.Sum())
	if a.Data[0] != b.Data[0] {
		t.Fatalf("persisted sum %v vs %v", b.Data[0], a.Data[0])
	}
	// A failing block function surfaces as a task error naming it.
	RegisterFunc("test.fail", func(off, shape []int) (*Dense, error) { return nil, errTest })
	_, err = FromFunc("test.fail", []int{4}, Float64, nil).Sum().Compute(ctx)
	if err == nil || !strings.Contains(err.Error(), "test.fail") {
		t.Fatalf("failing block: %v", err)
	}
}

var errTest = &testError{}

type testError struct{}

func (*testError) Error() string { return "boom" }
