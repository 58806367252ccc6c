package array

import (
	"math"
	"math/big"
	"math/rand"
	"testing"
)

// exactExp is e**x rounded to float64, from a 120-bit Taylor series after
// halving x until it is small (the reference the ulp errors are taken from).
func exactExp(x float64) *big.Float {
	const prec = 120
	h := 0
	for math.Abs(x)/math.Exp2(float64(h)) > 1.0/64 {
		h++
	}
	r := new(big.Float).SetPrec(prec).SetMantExp(new(big.Float).SetPrec(prec).SetFloat64(x), -h)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for k := 1; k < 30; k++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(k)))
		sum.Add(sum, term)
	}
	for ; h > 0; h-- {
		sum.Mul(sum, sum)
	}
	return sum
}

func ulpErr(got float64, exact *big.Float) float64 {
	e, _ := exact.Float64()
	ulp := math.Nextafter(e, math.Inf(1)) - e
	d := new(big.Float).Sub(new(big.Float).SetFloat64(got), exact)
	df, _ := d.Float64()
	return math.Abs(df) / ulp
}

func TestFastExpAccuracy(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	worst := 0.0
	check := func(x float64) {
		e := ulpErr(fastExp(x), exactExp(x))
		if e > worst {
			worst = e
		}
		if e > 0.52 {
			t.Fatalf("fastExp(%v) = %v: %.3f ulp from the exact value", x, fastExp(x), e)
		}
	}
	for i := 0; i < 20000; i++ {
		switch i % 4 {
		case 0:
			check(rng.Float64()*1400 - 700)
		case 1:
			check(rng.NormFloat64() * 3)
		case 2:
			check((rng.Float64() - 0.5) * math.Exp2(float64(rng.Intn(60)-55)))
		default:
			// Near the table's breakpoints k ln2/128.
			k := float64(rng.Intn(4000) - 2000)
			check(k*math.Ln2/128 + (rng.Float64()-0.5)*1e-12)
		}
	}
	t.Logf("worst error %.3f ulp", worst)
}

func TestFastExpAgainstMath(t *testing.T) {
	// Millions of inputs against math.Exp: bit for bit at the edges, and
	// within half an ulp of the exact value wherever the two differ by more
	// than an ulp (math.Exp itself is up to about 1.5 ulp off).
	rng := rand.New(rand.NewSource(12))
	n := 2_000_000
	if testing.Short() {
		n = 200_000
	}
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = rng.Float64()*1500 - 750
		if i%3 == 0 {
			xs[i] = rng.NormFloat64() * 10
		}
	}
	edges := []float64{0, math.Copysign(0, -1), 1, -1, 700, -700, math.Nextafter(700, 800), math.Nextafter(-700, -800),
		709.782712893384, 709.7827128933841, 710, -708.3964185322641, -708.4, -745.1332191019411, -745.2, -1000, 1000,
		math.Inf(1), math.Inf(-1), math.NaN(), math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64,
		1e-300, -1e-300, 0x1p-54, -0x1p-54}
	xs = append(xs, edges...)
	dst := make([]float64, len(xs))
	expSlice(dst, xs)
	for i, x := range xs {
		want := math.Exp(x)
		got := dst[i]
		if x > expLimit && x <= expOverflow {
			// Go's amd64 math.Exp gives +Inf from 709.44: against the exact value.
			if e := ulpErr(got, exactExp(x)); e > 0.52 {
				t.Fatalf("exp(%v) = %v: %.3f ulp from the exact value", x, got, e)
			}
			continue
		}
		if math.IsNaN(want) || math.IsInf(want, 0) || want == 0 || math.Abs(x) > expLimit {
			if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
				t.Fatalf("exp(%v) = %v, math.Exp gives %v", x, got, want)
			}
			continue
		}
		ulp := math.Nextafter(want, math.Inf(1)) - want
		if math.Abs(got-want) > ulp {
			if e := ulpErr(got, exactExp(x)); e > 0.52 {
				t.Fatalf("exp(%v) = %v, math.Exp gives %v: %.3f ulp from the exact value", x, got, want, e)
			}
		}
	}
}

func BenchmarkExp(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	x := make([]float64, 2048)
	for i := range x {
		x[i] = rng.Float64()*2 + 1
	}
	dst := make([]float64, len(x))
	b.Run("fast", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			expSlice(dst, x)
		}
	})
	b.Run("math", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for j, v := range x {
				dst[j] = math.Exp(v)
			}
		}
	})
}

// The vector loop (AVX2 on amd64) agrees with the scalar fastExp for every
// length and with edge values at every position of a group of four.
func TestExpAffineMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	edges := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 800, -800, 1e-310, 0}
	for n := 0; n < 40; n++ {
		src := make([]float64, n)
		for i := range src {
			src[i] = rng.NormFloat64() * 50
		}
		if n > 0 {
			src[rng.Intn(n)] = edges[n%len(edges)]
		}
		for _, ma := range [][2]float64{{1, 0}, {2, 1}, {-0.5, 3}} {
			dst := make([]float64, n+1)
			dst[n] = 42
			expAffine(dst[:n], src, ma[0], ma[1])
			if dst[n] != 42 {
				t.Fatal("expAffine wrote past dst")
			}
			for i, v := range src {
				want := fastExp(v*ma[0] + ma[1])
				got := dst[i]
				if math.IsNaN(want) && math.IsNaN(got) {
					continue
				}
				ulp := math.Nextafter(want, math.Inf(1)) - want
				if got != want && !(math.Abs(got-want) <= ulp) {
					t.Fatalf("n=%d exp(%v*%v+%v) = %v, scalar %v", n, v, ma[0], ma[1], got, want)
				}
			}
		}
	}
	t.Logf("vector loop in use: %v", haveExpAVX2)
}

// Exp of affine expressions (fused into one pass) and of shared
// intermediates (not fused) against math.Exp of the separately rounded
// operations.
func TestExpAffineFusion(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	d := randDense(rng, 57, 3)
	d.Data[4] = math.NaN()
	d.Data[9] = 400 // exp(2*400+1) overflows
	a := FromDense(d, Regular{10, 2})
	y := a.MulScalar(2)
	for _, c := range []struct {
		name string
		arr  *Array
		f    func(v float64) float64
	}{
		{"exp(2x+1)", Exp(a.MulScalar(2).AddScalar(1)), func(v float64) float64 { return math.Exp(v*2 + 1) }},
		{"exp(x-3)", Exp(a.SubScalar(3)), func(v float64) float64 { return math.Exp(v - 3) }},
		{"exp(0.5*x)", Exp(Scalar(0.5).Mul(a)), func(v float64) float64 { return math.Exp(0.5 * v) }},
		{"exp(3-x)", Exp(Scalar(3).Sub(a)), func(v float64) float64 { return math.Exp(3 - v) }},
		{"exp(2x+1)+2x", Exp(y.AddScalar(1)).Add(y), func(v float64) float64 { return math.Exp(v*2+1) + v*2 }},
		{"exp(exp(x/8))", Exp(Exp(a.DivScalar(8))), func(v float64) float64 { return math.Exp(math.Exp(v / 8)) }},
	} {
		got := mustCompute(t, c.arr)
		for i, v := range d.Data {
			want := c.f(v)
			g := got.Data[i]
			if math.IsNaN(want) || math.IsInf(want, 0) {
				if math.Float64bits(g) != math.Float64bits(want) && !(math.IsNaN(g) && math.IsNaN(want)) {
					t.Fatalf("%s at %v: %v, want %v", c.name, v, g, want)
				}
				continue
			}
			// Errors of an ulp in exp's argument and result, scaled by the
			// terms' sizes (exp(2x+1)+2x cancels).
			mag := math.Abs(want) + math.Abs(math.Exp(2*v+1)) + 2*math.Abs(v)
			if math.Abs(g-want) > 4e-16*mag*(1+math.Abs(v)) {
				t.Fatalf("%s at %v: %v, want %v", c.name, v, g, want)
			}
		}
	}
}

func TestExpAffineFusedProgram(t *testing.T) {
	a := Ones([]int{10}, nil)
	for _, c := range []struct {
		arr        *Array
		dead       int
		mul, add   float64
		wantAffine bool
	}{
		{Exp(a.MulScalar(2).AddScalar(1)), 2, 2, 1, true},
		{Exp(a.SubScalar(3)), 1, 1, -3, true},
		{Exp(a.MulScalar(2).AddScalar(1)).Add(a.MulScalar(2)), 2, 2, 1, true},
	} {
		e, err := parseEw(c.arr.tasks[0].Op.(*blockOp).p)
		if err != nil {
			t.Fatal(err)
		}
		dead, found := 0, false
		for _, in := range e.prog {
			if in.dead {
				dead++
			}
			if in.affine {
				found = true
				if in.fmul != c.mul || in.fadd != c.add {
					t.Fatalf("%v: exp of x*%v+%v, want x*%v+%v", c.arr, in.fmul, in.fadd, c.mul, c.add)
				}
			}
		}
		if dead != c.dead || found != c.wantAffine {
			t.Fatalf("%v: %d instructions absorbed (want %d), affine exp %v", c.arr, dead, c.dead, found)
		}
	}
}
