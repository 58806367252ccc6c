package array

import (
	"math"
	"math/big"
)

// A table-driven exp for the elementwise kernels, after ARM's
// optimized-routines exp: x = k ln2/128 + r with |r| <= ln2/256, and
// exp(x) = 2^(k/128) exp(r) = 2^(k>>7) T[k&127] (1 + tail + p(r)), where
// T holds 2^(j/128) rounded to float64 and tail the relative rounding error
// of each entry, so the result is within about 0.51 ulp of the exact
// value. It has no data-dependent branch for |x| <= 700, which keeps a loop
// over a tile throughput-bound; from 700 to the overflow threshold it
// scales (expHigh: Go's amd64 math.Exp overflows early, from 709.44), and
// below -700 (results near or below the smallest normal), for NaN and ±Inf
// it calls math.Exp, so those edge cases are exactly math.Exp's.

const (
	expN        = 128
	expInvLn2N  = 0x1.71547652b82fep0 * expN
	expNegLn2hi = -0x1.62e42fefa0000p-8 // -ln2/128, high part: k*hi is exact
	expNegLn2lo = -0x1.cf79abc9e3b3ap-47
	expShift    = 0x1.8p52 // adding and subtracting it rounds to an integer
	expLimit    = 700
	// Taylor coefficients: for |r| <= ln2/256 the truncation error of the
	// degree-5 polynomial is below 2^-60, far under half an ulp.
	expC2 = 1.0 / 2
	expC3 = 1.0 / 6
	expC4 = 1.0 / 24
	expC5 = 1.0 / 120
)

var (
	expTail  [expN]float64 // T_exact/T - 1
	expSbits [expN]uint64  // bits of T[j] minus j<<45, so adding k<<45 scales by 2^(k>>7)
)

func init() {
	// 2^(j/128) to 200 bits by Newton's method on y^128 = 2^j, from
	// math.Exp2's estimate (two steps are plenty: each doubles the digits).
	const prec = 200
	for j := 0; j < expN; j++ {
		y := new(big.Float).SetPrec(prec).SetFloat64(math.Exp2(float64(j) / expN))
		target := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), j)
		for it := 0; it < 3; it++ {
			p := new(big.Float).SetPrec(prec).Set(y)
			for s := 0; s < 7; s++ {
				p.Mul(p, p)
			}
			// y -= (y^128 - 2^j) y / (128 y^128)
			num := new(big.Float).SetPrec(prec).Sub(p, target)
			num.Mul(num, y)
			den := new(big.Float).SetPrec(prec).Mul(p, big.NewFloat(expN))
			y.Sub(y, num.Quo(num, den))
		}
		t, _ := y.Float64()
		tb := new(big.Float).SetPrec(prec).SetFloat64(t)
		tail := new(big.Float).SetPrec(prec).Sub(y, tb)
		tail.Quo(tail, tb)
		expTail[j], _ = tail.Float64()
		expSbits[j] = math.Float64bits(t) - uint64(j)<<45
	}
}

// expOverflow is the largest x whose e**x is finite.
const expOverflow = 0x1.62e42fefa39efp9 // 709.782712893384

// fastExp returns e**x within about 0.51 ulp (math.Exp's results below
// -700 and for NaN). Above 700 it scales by 2^-64 inside and 2^64 after,
// because Go's amd64 math.Exp returns +Inf from 709.44 on.
func fastExp(x float64) float64 {
	if !(math.Abs(x) <= expLimit) {
		if x > expLimit && x <= expOverflow {
			return expHigh(x)
		}
		if x > expOverflow {
			return math.Inf(1)
		}
		return math.Exp(x)
	}
	z := expInvLn2N * x
	kd := z + expShift
	ki := math.Float64bits(kd)
	kd -= expShift
	r := x + kd*expNegLn2hi + kd*expNegLn2lo
	j := ki & (expN - 1)
	tail := expTail[j]
	sbits := expSbits[j] + ki<<45
	r2 := r * r
	tmp := tail + r + r2*(expC2+r*expC3) + r2*r2*(expC4+r*expC5)
	scale := math.Float64frombits(sbits)
	return scale + scale*tmp
}

// expSlice writes e**a[i] to dst[i] (four at a time with AVX2 on amd64).
func expSlice(dst, a []float64) { expAffine(dst, a, 1, 0) }

// expHigh is fastExp for 700 < x <= expOverflow: the same reduction with
// the scale built 64 binades low (2^(k>>7) overflows the exponent there)
// and multiplied back exactly.
func expHigh(x float64) float64 {
	z := expInvLn2N * x
	kd := z + expShift
	ki := math.Float64bits(kd)
	kd -= expShift
	r := x + kd*expNegLn2hi + kd*expNegLn2lo
	j := ki & (expN - 1)
	tail := expTail[j]
	sbits := expSbits[j] + (ki-64*expN)<<45
	r2 := r * r
	tmp := tail + r + r2*(expC2+r*expC3) + r2*r2*(expC4+r*expC5)
	scale := math.Float64frombits(sbits)
	return (scale + scale*tmp) * 0x1p64
}

// logF is math.Log, correct for subnormal x too: Go's amd64 math.Log is
// off by up to 35 there (log(5e-324) gives -709.09, not -744.44). A
// subnormal is split as f 2^e with f in [sqrt(1/2), sqrt(2)) and log(f) +
// e ln2 summed with ln2 in two parts.
func logF(x float64) float64 {
	if x > 0 && x < 0x1p-1022 {
		f, e := math.Frexp(x)
		if f < math.Sqrt2/2 {
			f, e = 2*f, e-1
		}
		const ln2Hi, ln2Lo = 6.93147180369123816490e-01, 1.90821492927058770002e-10
		fe := float64(e)
		return fe*ln2Hi + (fe*ln2Lo + math.Log(f))
	}
	return math.Log(x)
}

// log10F is math.Log10 with logF's subnormals.
func log10F(x float64) float64 {
	if x > 0 && x < 0x1p-1022 {
		return logF(x) * (1 / math.Ln10)
	}
	return math.Log10(x)
}
