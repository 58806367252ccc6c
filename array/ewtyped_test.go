package array

import (
	"encoding/json"
	"math"
	"math/big"
	"math/rand"
	"os"
	"strconv"
	"testing"

	"github.com/godask/godask/sched"
)

type numpyEw struct {
	DTypes [][4]string `json:"dtypes"`
	Round  []struct {
		DType    string   `json:"dtype"`
		Decimals int      `json:"decimals"`
		X        []string `json:"x"`
		Y        []string `json:"y"`
		XI       []int64  `json:"xi"`
		YI       []int64  `json:"yi"`
	} `json:"round"`
	Divmod struct {
		IA, IB, IMod, IFloorDiv []int64
		FA, FB, FMod, FFloorDiv []string
	} `json:"divmod"`
}

func loadNumpyEw(t *testing.T) *numpyEw {
	t.Helper()
	b, err := os.ReadFile("testdata/numpy_ew.json")
	if err != nil {
		t.Fatal(err)
	}
	var f numpyEw
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.DTypes) < 300 || len(f.Round) < 10 || len(f.Round[0].X) == 0 || len(f.Divmod.IA) == 0 {
		t.Fatalf("fixture incomplete: %d dtype rows, %d round cases", len(f.DTypes), len(f.Round))
	}
	return &f
}

func parseFloats(t *testing.T, s []string) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("fixture value %q: %v", v, err)
		}
		out[i] = f
	}
	return out
}

func dtypeOperand(kind string) *Array {
	switch kind {
	case "bool":
		return FromSlice([]float64{1, 0}, []int{2}, nil).AsType(Bool)
	case "int64":
		return FromSlice([]float64{3, -2}, []int{2}, nil).AsType(Int64)
	case "float32":
		return FromSlice([]float64{2.5, -1.5}, []int{2}, nil).AsType(Float32)
	case "float64":
		return FromSlice([]float64{2.5, -1.5}, []int{2}, nil)
	case "pyint":
		return ScalarInt(3)
	case "pyfloat":
		return Scalar(2.5)
	}
	panic(kind)
}

// ourDType maps a NumPy result dtype to godask's: float16 is float32 here
// and int8 int64 (documented departures in README).
func ourDType(np string) string {
	switch np {
	case "float16":
		return "float32"
	case "int8":
		return "int64"
	}
	return np
}

// TestPromotionTableNumPy checks every op's result dtype over every pair of
// operand kinds against NumPy 1.24 (testdata/numpy_ew.json).
func TestPromotionTableNumPy(t *testing.T) {
	f := loadNumpyEw(t)
	bin := map[string]func(a, b *Array) *Array{
		"add": (*Array).Add, "sub": (*Array).Sub, "mul": (*Array).Mul, "div": (*Array).Div,
		"floor_divide": (*Array).FloorDivide, "mod": (*Array).Mod, "pow": (*Array).Pow,
		"maximum": (*Array).Maximum, "minimum": (*Array).Minimum, "arctan2": Arctan2,
		"lt": (*Array).Lt, "eq": (*Array).Eq,
		"where": func(a, b *Array) *Array { return Where(dtypeOperand("bool"), a, b) },
	}
	un := map[string]func(a *Array) *Array{
		"neg": (*Array).Neg, "abs": Abs, "exp": Exp, "log": Log, "sqrt": Sqrt, "floor": Floor, "ceil": Ceil,
		"sign": Sign, "round": func(a *Array) *Array { return Round(a, 0) }, "isinf": (*Array).IsInf,
		"isnan": (*Array).IsNaN, "isfinite": (*Array).IsFinite, "tan": Tan, "arcsin": Arcsin,
		"log1p": Log1p, "expm1": Expm1,
	}
	n := 0
	for _, row := range f.DTypes {
		op, ka, kb, want := row[0], row[1], row[2], ourDType(row[3])
		var got *Array
		if kb == "" {
			got = un[op](dtypeOperand(ka))
		} else {
			got = bin[op](dtypeOperand(ka), dtypeOperand(kb))
		}
		if got == nil {
			t.Fatalf("no op %s", op)
		}
		g := got.DType().String()
		if got.Err() != nil {
			g = "error"
		} else if op == "pow" && kb == "int64" && want == "error" {
			// NumPy refuses the negative int exponent of the operand at run time.
			if _, err := got.Compute(ctx); err == nil {
				t.Errorf("pow(%s, int64 with a negative value): no error", ka)
			}
			continue
		}
		if g != want {
			t.Errorf("%s(%s, %s): dtype %s, NumPy %s (err %v)", op, ka, kb, g, row[3], got.Err())
			continue
		}
		if g != "error" {
			d := mustCompute(t, got)
			if d.DType.String() != g {
				t.Errorf("%s(%s, %s): computed dtype %s, graph says %s", op, ka, kb, d.DType, g)
			}
		}
		n++
	}
	if n < 300 {
		t.Fatalf("only %d rows checked", n)
	}
}

func sameFloat(a, b float64) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return a == b && math.Signbit(a) == math.Signbit(b)
}

// TestRoundModFloorDivideNumPy compares Round, Mod and FloorDivide with the
// values NumPy 1.24 gives (zero divisors, Inf, NaN, -0, MinInt64 // -1).
func TestRoundModFloorDivideNumPy(t *testing.T) {
	f := loadNumpyEw(t)
	for _, r := range f.Round {
		switch r.DType {
		case "int64":
			x := fromInts(r.XI, Regular{5})
			got := mustCompute(t, Round(x, r.Decimals))
			for i, v := range got.I64 {
				if v != r.YI[i] {
					t.Errorf("round(%d, %d) = %d, NumPy %d", r.XI[i], r.Decimals, v, r.YI[i])
				}
			}
		default:
			xs, want := parseFloats(t, r.X), parseFloats(t, r.Y)
			x := FromSlice(xs, []int{len(xs)}, Regular{4})
			if r.DType == "float32" {
				x = x.AsType(Float32)
			}
			got := mustCompute(t, Round(x, r.Decimals)).Float64s()
			for i := range got {
				if !sameFloat(got[i], want[i]) {
					t.Errorf("round(%s %v, %d) = %v, NumPy %v", r.DType, xs[i], r.Decimals, got[i], want[i])
				}
			}
		}
	}
	d := f.Divmod
	a, b := fromInts(d.IA, Regular{4}), fromInts(d.IB, Regular{3})
	gm, gd := mustCompute(t, a.Mod(b)), mustCompute(t, a.FloorDivide(b))
	for i := range d.IA {
		if gm.I64[i] != d.IMod[i] || gd.I64[i] != d.IFloorDiv[i] {
			t.Errorf("int %d mod/floordiv %d = %d, %d; NumPy %d, %d", d.IA[i], d.IB[i], gm.I64[i], gd.I64[i], d.IMod[i], d.IFloorDiv[i])
		}
	}
	fa, fb := parseFloats(t, d.FA), parseFloats(t, d.FB)
	wm, wd := parseFloats(t, d.FMod), parseFloats(t, d.FFloorDiv)
	x, y := FromSlice(fa, []int{len(fa)}, Regular{5}), FromSlice(fb, []int{len(fb)}, Regular{7})
	hm, hd := mustCompute(t, x.Mod(y)).Data, mustCompute(t, x.FloorDivide(y)).Data
	for i := range fa {
		if !sameFloat(hm[i], wm[i]) || !sameFloat(hd[i], wd[i]) {
			t.Errorf("float %v mod/floordiv %v = %v, %v; NumPy %v, %v", fa[i], fb[i], hm[i], hd[i], wm[i], wd[i])
		}
	}
}

func fromInts(v []int64, c Chunking) *Array {
	d := NewDense(Int64, len(v))
	copy(d.I64, v)
	return FromDense(d, c)
}

// extremeInts returns n random int64s mixing the extremes, values near
// 2^53 and 2^60 and small ones.
func extremeInts(rng *rand.Rand, n int) []int64 {
	special := []int64{math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1, 1 << 60, 1<<60 + 1,
		1<<53 + 1, -(1<<53 + 1), 0, 1, -1, 2, -2}
	out := make([]int64, n)
	for i := range out {
		switch rng.Intn(3) {
		case 0:
			out[i] = special[rng.Intn(len(special))]
		case 1:
			out[i] = int64(rng.Uint64())
		default:
			out[i] = int64(rng.Intn(21) - 10)
		}
	}
	return out
}

func wrap(z *big.Int) int64 {
	m := new(big.Int).Lsh(big.NewInt(1), 64)
	r := new(big.Int).Mod(z, m)
	return int64(r.Uint64())
}

// TestInt64Exact checks the int64 kernels against big.Int and naive loops
// on random values with the extremes, in uneven chunks, fused chains
// included, on three executors.
func TestInt64Exact(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	n := 301
	xv, yv := extremeInts(rng, n), extremeInts(rng, n)
	x, y := fromInts(xv, irregular(rng, []int{n})), fromInts(yv, irregular(rng, []int{n}))
	cond := make([]float64, n)
	for i := range cond {
		cond[i] = float64(rng.Intn(2))
	}
	c := FromSlice(cond, []int{n}, Regular{50}).AsType(Bool)
	big2 := func(f func(a, b *big.Int) *big.Int) func(a, b int64) int64 {
		return func(a, b int64) int64 { return wrap(f(big.NewInt(a), big.NewInt(b))) }
	}
	cases := []struct {
		name string
		arr  *Array
		want func(i int) int64
	}{
		{"add", x.Add(y), func(i int) int64 { return big2(new(big.Int).Add)(xv[i], yv[i]) }},
		{"sub", x.Sub(y), func(i int) int64 { return big2(new(big.Int).Sub)(xv[i], yv[i]) }},
		{"mul", x.Mul(y), func(i int) int64 { return big2(new(big.Int).Mul)(xv[i], yv[i]) }},
		{"neg", x.Neg(), func(i int) int64 { return wrap(new(big.Int).Neg(big.NewInt(xv[i]))) }},
		{"abs", Abs(x), func(i int) int64 { return wrap(new(big.Int).Abs(big.NewInt(xv[i]))) }},
		{"maximum", x.Maximum(y), func(i int) int64 { return max(xv[i], yv[i]) }},
		{"minimum", x.Minimum(y), func(i int) int64 { return min(xv[i], yv[i]) }},
		{"astype", x.AsType(Int64), func(i int) int64 { return xv[i] }},
		{"add0", x.Add(ScalarInt(0)), func(i int) int64 { return xv[i] }},
		{"where", Where(c, x, y), func(i int) int64 {
			if cond[i] != 0 {
				return xv[i]
			}
			return yv[i]
		}},
		{"where-scalars", Where(c, ScalarInt(math.MaxInt64), ScalarInt(math.MinInt64)), func(i int) int64 {
			if cond[i] != 0 {
				return math.MaxInt64
			}
			return math.MinInt64
		}},
		{"clip", x.Clip(-(1 << 60), 1<<60), func(i int) int64 { return min(max(xv[i], -(1<<60)), 1<<60) }},
		{"clip-int", x.ClipArray(ScalarInt(-(1 << 60)), ScalarInt(1<<60+1)), func(i int) int64 { return min(max(xv[i], -(1<<60)), 1<<60+1) }},
		{"clip-inf", x.Clip(math.Inf(-1), math.Inf(1)), func(i int) int64 { return xv[i] }},
		{"cliparray", x.ClipArray(y, nil), func(i int) int64 { return max(xv[i], yv[i]) }},
		{"sign", Sign(x), func(i int) int64 { return int64(big.NewInt(xv[i]).Sign()) }},
		{"fused", x.Mul(ScalarInt(3)).Add(y).Sub(ScalarInt(math.MaxInt64)).Maximum(y.Neg()), func(i int) int64 {
			v := wrap(new(big.Int).Sub(new(big.Int).Add(new(big.Int).Mul(big.NewInt(xv[i]), big.NewInt(3)), big.NewInt(yv[i])), big.NewInt(math.MaxInt64)))
			return max(v, -yv[i])
		}},
		{"floordiv", x.FloorDivide(y), func(i int) int64 {
			if yv[i] == 0 {
				return 0
			}
			q, m := new(big.Int).DivMod(big.NewInt(xv[i]), big.NewInt(yv[i]), new(big.Int))
			if m.Sign() != 0 && yv[i] < 0 {
				q.Add(q, big.NewInt(1)) // Go's DivMod is Euclidean
				q.Sub(q, big.NewInt(1))
			}
			f := new(big.Rat).SetFrac(big.NewInt(xv[i]), big.NewInt(yv[i]))
			fl := new(big.Int).Quo(f.Num(), f.Denom())
			if f.Sign() < 0 && !f.IsInt() {
				fl.Sub(fl, big.NewInt(1))
			}
			return wrap(fl)
		}},
		{"mod", x.Mod(y), func(i int) int64 {
			if yv[i] == 0 {
				return 0
			}
			f := new(big.Rat).SetFrac(big.NewInt(xv[i]), big.NewInt(yv[i]))
			fl := new(big.Int).Quo(f.Num(), f.Denom())
			if f.Sign() < 0 && !f.IsInt() {
				fl.Sub(fl, big.NewInt(1))
			}
			return wrap(new(big.Int).Sub(big.NewInt(xv[i]), new(big.Int).Mul(fl, big.NewInt(yv[i]))))
		}},
	}
	execs := []struct {
		name string
		opts []sched.Option
	}{
		{"local", nil},
		{"loopback", []sched.Option{sched.WithExecutor(sched.NewLoopback())}},
		{"tiny-memory", []sched.Option{sched.WithMemoryLimit(4096), sched.WithSpillDir(t.TempDir())}},
	}
	for _, ex := range execs {
		for _, cs := range cases {
			if cs.arr.DType() != Int64 {
				t.Fatalf("%s: dtype %s", cs.name, cs.arr.DType())
			}
			d, err := cs.arr.Compute(ctx, ex.opts...)
			if err != nil {
				t.Fatalf("%s on %s: %v", cs.name, ex.name, err)
			}
			for i := 0; i < n; i++ {
				if d.I64[i] != cs.want(i) {
					t.Fatalf("%s on %s [%d] (x=%d y=%d): %d, want %d", cs.name, ex.name, i, xv[i], yv[i], d.I64[i], cs.want(i))
				}
			}
		}
	}
	// Comparisons: exact, and each with its reverse.
	cmp := []struct {
		name string
		arr  *Array
		f    func(a, b int64) bool
	}{
		{"eq", x.Eq(y), func(a, b int64) bool { return a == b }},
		{"eq-self-shift", x.Eq(x.Add(ScalarInt(1))), func(a, b int64) bool { return false }},
		{"ne", x.Ne(y), func(a, b int64) bool { return a != b }},
		{"lt", x.Lt(y), func(a, b int64) bool { return a < b }},
		{"le", x.Le(y), func(a, b int64) bool { return a <= b }},
		{"gt", x.Gt(y), func(a, b int64) bool { return a > b }},
		{"ge", x.Ge(y), func(a, b int64) bool { return a >= b }},
		{"isin", x.IsIn(&Dense{DType: Int64, Shape: []int{3}, Strides: []int{1}, I64: []int64{1<<60 + 1, math.MinInt64, 2}}), func(a, _ int64) bool {
			return a == 1<<60+1 || a == math.MinInt64 || a == 2
		}},
	}
	for _, cs := range cmp {
		d := mustCompute(t, cs.arr)
		for i := 0; i < n; i++ {
			if d.B[i] != cs.f(xv[i], yv[i]) {
				t.Fatalf("%s [%d] (x=%d y=%d): %v", cs.name, i, xv[i], yv[i], d.B[i])
			}
		}
	}
	// The case: [2^60, 2^60+1] compared with its reverse.
	p := fromInts([]int64{1 << 60, 1<<60 + 1}, Regular{1})
	r := fromInts([]int64{1<<60 + 1, 1 << 60}, Regular{2})
	if e := mustCompute(t, p.Eq(r)); e.B[0] || e.B[1] {
		t.Fatalf("2^60 == 2^60+1: %v", e.B)
	}
	// Powers wrap; a negative exponent is a clear error.
	pw := mustCompute(t, fromInts([]int64{3, -3, 2, 0}, nil).Pow(fromInts([]int64{41, 3, 64, 0}, nil)))
	for i, w := range []int64{wrap(new(big.Int).Exp(big.NewInt(3), big.NewInt(41), nil)), -27, 0, 1} {
		if pw.I64[i] != w {
			t.Fatalf("pow [%d] = %d, want %d", i, pw.I64[i], w)
		}
	}
	if _, err := fromInts([]int64{2}, nil).Pow(ScalarInt(-1)).Compute(ctx); err == nil {
		t.Fatal("2 ** -1 in int64: no error")
	}
}

// TestBoolRefused checks the bool operations NumPy refuses.
func TestBoolRefused(t *testing.T) {
	b := dtypeOperand("bool")
	for name, a := range map[string]*Array{"sub": b.Sub(b), "neg": b.Neg(), "sign": Sign(b)} {
		if a.Err() == nil {
			t.Errorf("%s of bool: no error", name)
		}
	}
	if d := mustCompute(t, b.Add(b)); d.DType != Bool {
		t.Errorf("bool + bool: %s", d.DType)
	}
}

// TestNewUnaryFuncs compares the new float functions with package math on
// random inputs with NaN, Inf and -0, in uneven and empty chunks.
func TestNewUnaryFuncs(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	n := 157
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64() * 3
	}
	v[0], v[1], v[2], v[3], v[4] = math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0.5
	x := FromSlice(v, []int{n}, irregular(rng, []int{n}))
	isinf := func(f float64) float64 { return b2f(math.IsInf(f, 0)) }
	fin := func(f float64) float64 { return b2f(!math.IsInf(f, 0) && f == f) }
	cases := []struct {
		a *Array
		f func(float64) float64
	}{
		{Tan(x), math.Tan}, {Arcsin(x), math.Asin}, {Arccos(x), math.Acos}, {Arctan(x), math.Atan},
		{Sinh(x), math.Sinh}, {Cosh(x), math.Cosh}, {Arcsinh(x), math.Asinh}, {Arccosh(x), math.Acosh},
		{Arctanh(x), math.Atanh}, {Log1p(x), math.Log1p}, {Log10(x), math.Log10}, {Log2(x), math.Log2},
		{Expm1(x), math.Expm1}, {x.IsInf(), isinf}, {x.IsFinite(), fin},
		{Arctan2(x, x.MulScalar(0.5).AddScalar(1)), func(f float64) float64 { return math.Atan2(f, f*0.5+1) }},
		{Sign(x), func(f float64) float64 {
			if f == 0 {
				return 0
			}
			return signF(f)
		}},
	}
	for i, cs := range cases {
		got := mustCompute(t, cs.a).Float64s()
		for j := range v {
			if w := cs.f(v[j]); !sameFloat(got[j], w) && !(w == 0 && got[j] == 0) {
				t.Fatalf("case %d (%s) at %v: %v, want %v", i, cs.a, v[j], got[j], w)
			}
		}
	}
	e := FromSlice(nil, []int{0, 3}, nil)
	if d := mustCompute(t, Tan(e).Mod(Scalar(2))); d.Len() != 0 || len(d.Shape) != 2 {
		t.Fatalf("empty: %v", d.Shape)
	}
	if d := mustCompute(t, x.IsIn(&Dense{DType: Float64, Shape: []int{2}, Strides: []int{1}, Data: []float64{0.5, math.NaN()}})); !d.B[4] || d.B[0] {
		t.Fatalf("isin 0.5 / NaN: %v %v", d.B[4], d.B[0])
	}
	if a := x.IsIn(nil); a.Err() == nil {
		t.Fatal("IsIn(nil): no error")
	}
}

// TestIntegersRange checks Integers draws in [lo, hi) for bounds near 2^60
// and the full int64 range (both signs, many distinct values).
func TestIntegersRange(t *testing.T) {
	for _, r := range [][2]int64{{1 << 60, 1<<60 + 3}, {math.MinInt64, math.MaxInt64}, {-5, 5}, {math.MaxInt64 - 1, math.MaxInt64}} {
		d := mustCompute(t, Integers(7, r[0], r[1], []int{4000}, Regular{999}))
		seen := map[int64]bool{}
		neg, pos := 0, 0
		for _, v := range d.I64 {
			if v < r[0] || v >= r[1] {
				t.Fatalf("Integers(%d, %d): %d out of range", r[0], r[1], v)
			}
			seen[v] = true
			if v < 0 {
				neg++
			} else {
				pos++
			}
		}
		span := uint64(r[1]) - uint64(r[0])
		if want := min(span, 100); uint64(len(seen)) < want {
			t.Fatalf("Integers(%d, %d): only %d distinct values", r[0], r[1], len(seen))
		}
		if r[0] == math.MinInt64 && (neg < 1800 || pos < 1800) {
			t.Fatalf("full range: %d negative, %d non-negative", neg, pos)
		}
	}
}

// TestLogExpEdges checks Log and Log10 of subnormals and Exp in [700,
// 709.79] against NumPy 1.24's values (glibc), to 1 ulp, through the
// elementwise kernels (AVX2 lanes included) and in float32.
func TestLogExpEdges(t *testing.T) {
	ulps := func(a, b float64) float64 {
		if a == b {
			return 0
		}
		return math.Abs(a-b) / math.Abs(math.Nextafter(b, math.Inf(1))-b)
	}
	logs := [][3]float64{ // x, log, log10 (NumPy 1.24)
		{5e-324, -744.4400719213812, -323.3062153431158},
		{1e-320, -736.8272408909738, -320.0000048349481},
		{2.5e-310, -712.88508809628, 0},
		{2.2250738585072e-308, -708.3964185322641, 0},
		{1.5e-315, -724.9088391848876, 0},
		{7e-323, -741.801014591766, 0},
		{2.5, math.Log(2.5), math.Log10(2.5)},
	}
	var xs []float64
	for _, l := range logs {
		xs = append(xs, l[0])
	}
	x := FromSlice(xs, []int{len(xs)}, Regular{3})
	lg, l10 := mustCompute(t, Log(x)), mustCompute(t, Log10(x))
	for i, l := range logs {
		if u := ulps(lg.Data[i], l[1]); u > 1 {
			t.Errorf("log(%v) = %.17g, NumPy %.17g (%.1f ulp)", l[0], lg.Data[i], l[1], u)
		}
		if l[2] != 0 {
			if u := ulps(l10.Data[i], l[2]); u > 1 {
				t.Errorf("log10(%v) = %.17g, NumPy %.17g (%.1f ulp)", l[0], l10.Data[i], l[2], u)
			}
		}
	}
	exps := [][2]float64{
		{709.44, 1.2760780590224528e+308}, {709.5, 1.3549863193146328e+308}, {709.6, 1.4974914744969295e+308},
		{709.7, 1.6549840276802644e+308}, {709.78, 1.7928227943945155e+308},
		{709.782712893384, 1.7976931348622732e+308}, {709.7828, math.Inf(1)}, {-745, 5e-324}, {-720, 2.0322308024e-313},
		{700.5, math.Exp(700.5)}, {1, math.E},
	}
	xs = xs[:0]
	for _, e := range exps {
		xs = append(xs, e[0])
	}
	// Twelve copies so the AVX2 loop sees full groups of four.
	var rep []float64
	for k := 0; k < 12; k++ {
		rep = append(rep, xs...)
	}
	ex := mustCompute(t, Exp(FromSlice(rep, []int{len(rep)}, Regular{37})))
	for i, v := range ex.Data {
		e := exps[i%len(exps)]
		if e[0] == -720 {
			if math.Abs(v-e[1]) > 1e-23 { // NumPy's printed value is rounded
				t.Errorf("exp(-720) = %v", v)
			}
			continue
		}
		if u := ulps(v, e[1]); u > 1 && !(math.IsInf(v, 1) && math.IsInf(e[1], 1)) {
			t.Errorf("exp(%v) = %.17g, NumPy %.17g (%.1f ulp)", e[0], v, e[1], u)
		}
	}
	// The fused affine exp (exp(2x + 1)) reaches the same range.
	if d := mustCompute(t, Exp(FromSlice([]float64{354.39, 354.39, 354.39, 354.39}, []int{4}, nil).MulScalar(2).AddScalar(1))); math.IsInf(d.Data[0], 0) {
		t.Errorf("exp(2*354.39+1) = %v", d.Data[0])
	}
}
