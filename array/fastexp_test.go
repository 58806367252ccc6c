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
