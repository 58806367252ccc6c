package array

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

// naiveMask selects d's elements (full mask) or rows (1-d mask) in C order.
func naiveMask(d *Dense, m []bool, rows bool) ([]float64, []int) {
	x := d.Float64s()
	row := 1
	shape := []int{0}
	if rows {
		row = prod(d.Shape[1:])
		shape = append([]int{0}, d.Shape[1:]...)
	}
	var out []float64
	for i, b := range m {
		if b {
			out = append(out, x[i*row:(i+1)*row]...)
			shape[0]++
		}
	}
	return out, shape
}

func randBools(rng *rand.Rand, n int, p float64) *Dense {
	d := NewDense(Bool, n)
	for i := range d.B {
		d.B[i] = rng.Float64() < p
	}
	return d
}

func TestMaskFullAndRows(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	shapes := [][]int{{37}, {13, 11}, {7, 6, 5}, {0, 4}}
	for _, shape := range shapes {
		for _, dt := range []DType{Float64, Float32, Int64, Bool} {
			d := randOf(rng, dt, shape...)
			x := FromDense(d, irregular(rng, shape))
			// Full mask, lazily computed and chunked differently from x.
			mb := randBools(rng, d.Len(), 0.4)
			m := FromDense(mb.reshaped(shape), irregular(rng, shape))
			got := mustCompute(t, x.Mask(m))
			want, ws := naiveMask(d, mb.B, false)
			assertClose(t, "mask full "+dt.String(), got, ws, want)
			if got.DType != dt {
				t.Fatalf("mask of %s gives %s", dt, got.DType)
			}
			// Row mask.
			rb := randBools(rng, shape[0], 0.5)
			r := FromDense(rb, irregular(rng, shape[:1]))
			got = mustCompute(t, x.Mask(r))
			want, ws = naiveMask(d, rb.B, true)
			assertClose(t, "mask rows "+dt.String(), got, ws, want)
		}
	}
	// A mask computed from the array itself: x[x > 0.5].
	d := randDense(rng, 40, 6)
	x := FromDense(d, Regular{7, 4})
	sel := x.Mask(x.Gt(Scalar(0.5)))
	var want []float64
	for _, v := range d.Data {
		if v > 0.5 {
			want = append(want, v)
		}
	}
	assertClose(t, "x[x>0.5]", mustCompute(t, sel), []int{len(want)}, want)
	if got := sel.String(); !strings.HasPrefix(got, "array<shape=(nan,), dtype=float64, chunks=(nan,), tasks=") {
		t.Fatalf("String = %s", got)
	}
	if s := x.Mask(x.Sum(1).Gt(Scalar(0))); s.Shape()[0] != Unknown || s.Shape()[1] != 6 || s.Size() != Unknown {
		t.Fatalf("row mask shape %v size %d", s.Shape(), s.Size())
	}
	if got := x.Mask(x.Sum(1).Gt(Scalar(0))).String(); !strings.HasPrefix(got, "array<shape=(nan, 6), dtype=float64, chunks=(nan, 4)") {
		t.Fatalf("String = %s", got)
	}
}

func TestMaskUnknownOps(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	d := randDense(rng, 30, 4)
	d.Data[5] = math.NaN()
	x := FromDense(d, Regular{7, 3})
	md := randBools(rng, 30, 0.6)
	m := FromDense(md, Regular{11})
	y := x.Mask(m) // rows: shape (nan, 4)
	yv, ys := naiveMask(d, md.B, true)
	yd := &Dense{DType: Float64, Shape: ys, Strides: cStrides(ys), Data: yv}
	f := x.Mask(x.Gt(Scalar(0))) // full: shape (nan,)
	var fv []float64
	for _, v := range d.Data {
		if v > 0 {
			fv = append(fv, v)
		}
	}
	fd := &Dense{DType: Float64, Shape: []int{len(fv)}, Strides: []int{1}, Data: fv}
	sum := func(x []float64) float64 {
		s := 0.0
		for _, v := range x {
			s += v
		}
		return s
	}
	mean := func(x []float64) float64 { return sum(x) / float64(len(x)) }
	variance := func(x []float64) float64 {
		mu, s := mean(x), 0.0
		for _, v := range x {
			s += (v - mu) * (v - mu)
		}
		return s / float64(len(x))
	}
	minf := func(x []float64) float64 {
		m := math.Inf(1)
		for _, v := range x {
			m = math.Min(m, v)
		}
		return m
	}
	maxf := func(x []float64) float64 {
		m := math.Inf(-1)
		for _, v := range x {
			m = math.Max(m, v)
		}
		return m
	}
	anyf := func(x []float64) float64 {
		for _, v := range x {
			if v != 0 {
				return 1
			}
		}
		return 0
	}
	allf := func(x []float64) float64 {
		for _, v := range x {
			if v == 0 {
				return 0
			}
		}
		return 1
	}
	countf := func(x []float64) float64 {
		n := 0.0
		for _, v := range x {
			if v == v {
				n++
			}
		}
		return n
	}
	nonzero := func(x []float64) float64 {
		n := 0.0
		for _, v := range x {
			if v != 0 {
				n++
			}
		}
		return n
	}
	type red struct {
		name string
		f    func(a *Array, axes ...int) *Array
		ref  func([]float64) float64
	}
	reds := []red{
		{"sum", (*Array).Sum, sum}, {"mean", (*Array).Mean, mean}, {"var", (*Array).Var, variance},
		{"std", (*Array).Std, func(x []float64) float64 { return math.Sqrt(variance(x)) }},
		{"min", (*Array).Min, minf}, {"max", (*Array).Max, maxf}, {"any", (*Array).Any, anyf}, {"all", (*Array).All, allf},
		{"count", (*Array).Count, countf}, {"count_nonzero", (*Array).CountNonzero, nonzero},
	}
	for _, r := range reds {
		for _, c := range []struct {
			what string
			a    *Array
			d    *Dense
			axes []int
		}{{"full", f, fd, nil}, {"rows", y, yd, nil}, {"rows axis 0", y, yd, []int{0}}, {"rows axis 1", y, yd, []int{1}}} {
			axes := c.axes
			if axes == nil {
				axes = []int{0, 1}[:len(c.d.Shape)]
			}
			want, ws := naiveReduce(c.d, axes, r.ref)
			got := mustCompute(t, r.f(c.a, c.axes...))
			assertClose(t, r.name+" "+c.what, got, ws, want)
		}
	}
	// Elementwise: with scalars, with the same selection, with a row
	// vector broadcast along the known axis and along the unknown one.
	ew := y.MulScalar(2).Add(y).Sub(FromSlice([]float64{1, 2, 3, 4}, []int{4}, nil)).Add(FromSlice([]float64{5, 6, 7, 8}, []int{1, 4}, Regular{1, 2}))
	want := make([]float64, len(yv))
	for i, v := range yv {
		want[i] = 3*v - float64(i%4+1) + float64(i%4+5)
	}
	assertClose(t, "elementwise", mustCompute(t, ew), ys, want)
	assertClose(t, "where", mustCompute(t, Where(f.Gt(Scalar(1)), f, Scalar(0)).Sum()), nil,
		[]float64{sum(func() []float64 {
			var o []float64
			for _, v := range fv {
				if v > 1 {
					o = append(o, v)
				}
			}
			return o
		}())})
	// Masking a masked array again, with a mask of the same structure.
	ff := f.Mask(f.Lt(Scalar(1)))
	var fw []float64
	for _, v := range fv {
		if v < 1 {
			fw = append(fw, v)
		}
	}
	assertClose(t, "mask of mask", mustCompute(t, ff), []int{len(fw)}, fw)
	// ComputeChunkSizes gives back a known shape on which positions work.
	k, err := y.ComputeChunkSizes(ctx, sched.WithExecutor(sched.NewLoopback()))
	if err != nil {
		t.Fatal(err)
	}
	if !chunksEqual(k.Shape(), ys) || k.hasUnknown() {
		t.Fatalf("ComputeChunkSizes: shape %v, want %v", k.Shape(), ys)
	}
	assertClose(t, "after ComputeChunkSizes", mustCompute(t, k.Slice(From(1), S(1, 3)).Rechunk(Regular{5, 1})), []int{ys[0] - 1, 2}, func() []float64 {
		var o []float64
		for i := 1; i < ys[0]; i++ {
			o = append(o, yv[i*4+1], yv[i*4+2])
		}
		return o
	}())
	// Persist learns the chunk sizes too.
	p, err := f.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !chunksEqual(p.Shape(), []int{len(fv)}) {
		t.Fatalf("persisted shape %v", p.Shape())
	}
	if kk, _ := k.ComputeChunkSizes(ctx); kk != k {
		t.Fatal("ComputeChunkSizes of a known array is not the array")
	}
}

func TestMaskErrors(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	d := randDense(rng, 12, 5)
	x := FromDense(d, Regular{5, 2})
	m := x.Gt(Scalar(0))
	bad := []struct {
		what string
		a    *Array
		want []string
	}{
		{"float mask", x.Mask(x), []string{"Mask", "dtype float64"}},
		{"shape mismatch", x.Mask(Full([]int{12, 4}, 1, Bool, nil)), []string{"Mask", "(12, 5)", "(12, 4)"}},
		{"1-d mismatch", x.Mask(Full([]int{5}, 1, Bool, nil)), []string{"Mask", "(5,)"}},
		{"0-d", Scalar(1).Mask(Scalar(1).Gt(Scalar(0))), []string{"Mask", "0-d"}},
	}
	y := x.Mask(m)
	r := x.Mask(x.Sum(1).Gt(Scalar(0)))
	for _, c := range []struct {
		op string
		a  *Array
	}{
		{"Slice", y.Index("1:3")}, {"Take", r.Take(0, []int{1})}, {"Reshape", r.Reshape(-1)},
		{"Rechunk", y.Rechunk(Regular{3})}, {"Dot", Dot(r, x.T())}, {"Dot", Dot(r.T(), r)},
		{"Concatenate", Concatenate(0, r, x)}, {"Stack", Stack(0, y, y)}, {"argmax", y.ArgMax(nil)},
		{"CumSum", r.CumSum(1)}, {"MapBlocks", MapBlocks("test.rowsum-bcast", Float64, nil, y)},
		{"Compress", r.Compress(0, []bool{true})},
	} {
		bad = append(bad, struct {
			what string
			a    *Array
			want []string
		}{c.op, c.a, []string{c.op, "chunk sizes are unknown", "ComputeChunkSizes"}})
	}
	bad = append(bad, struct {
		what string
		a    *Array
		want []string
	}{"ew mismatch", y.Add(FromDense(d, Regular{3, 5}).Mask(m)), []string{"add", "do not line up"}})
	bad = append(bad, struct {
		what string
		a    *Array
		want []string
	}{"ew broadcast", r.Add(Ones([]int{4, 5}, nil)), []string{"add", "do not broadcast", "(nan, 5)"}})
	for _, c := range bad {
		err := c.a.Err()
		if err == nil {
			t.Fatalf("%s: no error", c.what)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("%s: error %q does not mention %q", c.what, err, w)
			}
		}
		if _, err := c.a.Compute(ctx); err == nil {
			t.Fatalf("%s: Compute succeeded", c.what)
		}
	}
	if err := y.ToZarr(ctx, t.TempDir()); err == nil || !strings.Contains(err.Error(), "ToZarr") {
		t.Fatalf("ToZarr of unknown chunks: %v", err)
	}
	// Errors that only computing reveals.
	empty := x.Mask(x.Gt(Scalar(100)))
	for _, a := range []*Array{empty.Min(), empty.Max()} {
		if _, err := a.Compute(ctx); err == nil || !strings.Contains(err.Error(), "empty selection") {
			t.Fatalf("min/max of an empty selection: %v", err)
		}
	}
	if s := mustCompute(t, empty.Sum()); s.At() != 0 {
		t.Fatalf("sum of an empty selection: %v", s.At())
	}
	// Same chunk structure, different counts: an error, never a broadcast.
	a1 := x.Mask(x.Gt(Scalar(0)))
	a2 := x.Mask(x.Gt(Scalar(-0.5)))
	if _, err := a1.Add(a2).Compute(ctx); err == nil || !strings.Contains(err.Error(), "unknown length") {
		t.Fatalf("mismatched selections: %v", err)
	}
	// Unknown-length masks that do not line up with the array.
	if err := y.Mask(FromDense(randBools(rng, 60, 0.5), Regular{7}).Mask(FromDense(randBools(rng, 60, 0.5), Regular{7}))).Err(); err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Fatalf("unaligned unknown mask: %v", err)
	}
}
