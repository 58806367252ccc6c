package array

import (
	"fmt"
	"math"
	"slices"

	"github.com/godask/godask/graph"
)

// The int64 side of the elementwise interpreter: registers holding int64
// lanes and the exact kernels an instruction computing in int64 runs. Add,
// Sub, Mul, Neg and Abs wrap around on overflow (two's complement), as
// NumPy's int64 ufuncs do; FloorDivide and Mod by zero give 0, as NumPy's
// do (with a warning there).

// satInt converts a float64 to int64 as NumPy does on x86: truncation
// toward zero, and NaN or a value out of range gives math.MinInt64.
func satInt(v float64) int64 {
	if v != v || v >= 0x1p63 || v < -0x1p63 {
		return math.MinInt64
	}
	return int64(v)
}

// storeI64 stores int64 src at elements [off, off+len(src)), converting.
func (d *Dense) storeI64(src []int64, off int) {
	switch d.DType {
	case Int64:
		copy(d.I64[off:], src)
	case Float32:
		o := d.F32[off : off+len(src)]
		for i, v := range src {
			o[i] = float32(v)
		}
	case Bool:
		o := d.B[off : off+len(src)]
		for i, v := range src {
			o[i] = v != 0
		}
	default:
		o := d.Data[off : off+len(src)]
		for i, v := range src {
			o[i] = float64(v)
		}
	}
}

// gatherRaw writes the elements of src (strides st, 0 on broadcast axes, in
// the output's axes) for output flat positions [s, s+len(dst)).
func gatherRaw[T any](dst, src []T, st, shape []int, s int) {
	if len(shape) == 0 {
		dst[0] = src[0]
		return
	}
	forRuns(len(dst), st, shape, s, func(o, off, run, s int) {
		switch s {
		case 0:
			v := src[off]
			for j := 0; j < run; j++ {
				dst[o+j] = v
			}
		case 1:
			copy(dst[o:o+run], src[off:off+run])
		default:
			for j := 0; j < run; j++ {
				dst[o+j] = src[off+j*s]
			}
		}
	})
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// applyInt runs one int64 instruction over a tile: the result goes to dI
// when it is int64, to dF (as 0/1) when it is bool. cond, when set, is the
// float condition of a where (else a[0] is its int64 condition).
func applyInt(ins *instr, dI []int64, dF []float64, a, b, c []int64, cond []float64) error {
	switch ins.op {
	case opFill:
		for i := range dI {
			dI[i] = ins.ci[0]
		}
	case opCast:
		copy(dI, a)
	case opNeg:
		for i, v := range a {
			dI[i] = -v
		}
	case opAbs:
		for i, v := range a {
			if v < 0 {
				v = -v
			}
			dI[i] = v
		}
	case opSign:
		for i, v := range a {
			dI[i] = b2i(v > 0) - b2i(v < 0)
		}
	case opAdd:
		for i := range dI {
			dI[i] = a[i] + b[i]
		}
	case opSub:
		for i := range dI {
			dI[i] = a[i] - b[i]
		}
	case opMul:
		for i := range dI {
			dI[i] = a[i] * b[i]
		}
	case opMax:
		for i := range dI {
			dI[i] = max(a[i], b[i])
		}
	case opMin:
		for i := range dI {
			dI[i] = min(a[i], b[i])
		}
	case opMod:
		for i := range dI {
			dI[i] = modI(a[i], b[i])
		}
	case opFloorDiv:
		for i := range dI {
			dI[i] = floorDivI(a[i], b[i])
		}
	case opPow:
		for i := range dI {
			if b[i] < 0 {
				return fmt.Errorf("power: integers to negative integer powers are not allowed (%d ** %d)", a[i], b[i])
			}
			dI[i] = powI(a[i], b[i])
		}
	case opRound:
		for i := range dI {
			dI[i] = roundI(a[i], b[i])
		}
	case opWhere:
		for i := range dI {
			t := false
			if cond != nil {
				t = cond[i] != 0
			} else {
				t = a[i] != 0
			}
			if t {
				dI[i] = b[i]
			} else {
				dI[i] = c[i]
			}
		}
	case opLt:
		for i := range dF {
			dF[i] = b2f(a[i] < b[i])
		}
	case opLe:
		for i := range dF {
			dF[i] = b2f(a[i] <= b[i])
		}
	case opGt:
		for i := range dF {
			dF[i] = b2f(a[i] > b[i])
		}
	case opGe:
		for i := range dF {
			dF[i] = b2f(a[i] >= b[i])
		}
	case opEq:
		for i := range dF {
			dF[i] = b2f(a[i] == b[i])
		}
	case opNe:
		for i := range dF {
			dF[i] = b2f(a[i] != b[i])
		}
	case opIsIn:
		for i, v := range a {
			_, ok := slices.BinarySearch(ins.setI, v)
			dF[i] = b2f(ok)
		}
	default:
		return fmt.Errorf("elemwise: %s has no int64 kernel", opName(ins.op))
	}
	return nil
}

func opName(op uint8) string {
	if n, ok := opNames[op]; ok {
		return n
	}
	return fmt.Sprintf("op %d", op)
}

// floorDivI is NumPy's int64 floor_divide: rounds toward minus infinity,
// 0 for a zero divisor, MinInt64 // -1 wraps to MinInt64.
func floorDivI(x, y int64) int64 {
	if y == 0 {
		return 0
	}
	if y == -1 {
		return -x
	}
	q := x / y
	if x%y != 0 && (x < 0) != (y < 0) {
		q--
	}
	return q
}

// modI is NumPy's int64 remainder: the sign of the divisor, 0 for a zero
// divisor.
func modI(x, y int64) int64 {
	if y == 0 {
		return 0
	}
	r := x % y
	if r != 0 && (r < 0) != (y < 0) {
		r += y
	}
	return r
}

// powI is x**y (y >= 0) in wrapping int64 arithmetic.
func powI(x, y int64) int64 {
	r := int64(1)
	for y > 0 {
		if y&1 == 1 {
			r *= x
		}
		x *= x
		y >>= 1
	}
	return r
}

// roundI rounds x to a multiple of 10**-decimals (half to even) exactly;
// non-negative decimals leave an integer unchanged.
func roundI(x, decimals int64) int64 {
	if decimals >= 0 {
		return x
	}
	if decimals < -18 {
		return 0
	}
	p := int64(1)
	for i := int64(0); i < -decimals; i++ {
		p *= 10
	}
	q, r := x/p, x%p // truncated: r has x's sign
	if r < 0 {
		q, r = q-1, r+p
	}
	// x = q*p + r with 0 <= r < p.
	if 2*r > p || 2*r == p && q&1 != 0 {
		q++
	}
	return q * p
}

// modF is NumPy's float remainder (Python's %: the sign of the divisor).
func modF(x, y float64) float64 {
	if y == 0 {
		return math.Mod(x, y)
	}
	_, m := divmodF(x, y)
	return m
}

// floorDivF is NumPy's float floor_divide.
func floorDivF(x, y float64) float64 {
	if y == 0 {
		return x / y
	}
	d, _ := divmodF(x, y)
	return d
}

// divmodF is npy_divmod: the floor quotient and the remainder with the
// divisor's sign, consistent with each other.
func divmodF(a, b float64) (float64, float64) {
	mod := math.Mod(a, b)
	div := (a - mod) / b
	if mod != 0 {
		if (b < 0) != (mod < 0) {
			mod += b
			div -= 1
		}
	} else {
		mod = math.Copysign(0, b)
	}
	var fd float64
	if div != 0 {
		fd = math.Floor(div)
		if div-fd > 0.5 {
			fd += 1
		}
	} else {
		fd = math.Copysign(0, a/b)
	}
	return fd, mod
}

// roundTile is NumPy's around on floats: rint(x * 10**d) / 10**d (x / 10**-d
// then times for negative d), each step rounded to dt.
func roundTile(dst, a []float64, decimals int, dt DType) {
	r := func(v float64) float64 {
		if dt == Float32 {
			return float64(float32(v))
		}
		return v
	}
	f := r(math.Pow(10, math.Abs(float64(decimals))))
	for i, v := range a {
		if decimals >= 0 {
			dst[i] = r(r(math.RoundToEven(r(v*f))) / f)
		} else {
			dst[i] = r(math.RoundToEven(r(v/f)) * f)
		}
	}
}

func signF(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return v // 0, -0 (NumPy gives 0) and NaN
}

var unaryFuncs = map[uint8]func(float64) float64{
	opTan:      math.Tan,
	opArcsin:   math.Asin,
	opArccos:   math.Acos,
	opArctan:   math.Atan,
	opSinh:     math.Sinh,
	opCosh:     math.Cosh,
	opArcsinh:  math.Asinh,
	opArccosh:  math.Acosh,
	opArctanh:  math.Atanh,
	opLog1p:    math.Log1p,
	opLog10:    log10F,
	opLog2:     math.Log2,
	opExpm1:    math.Expm1,
	opIsInf:    func(v float64) float64 { return b2f(math.IsInf(v, 0)) },
	opIsFinite: func(v float64) float64 { return b2f(!math.IsInf(v, 0) && v == v) },
	opSign: func(v float64) float64 {
		if v == 0 {
			return 0
		}
		return signF(v)
	},
}

// isInF marks the lanes of a found in the sorted set (NaN is never found,
// as in NumPy's isin).
func isInF(dst, a, set []float64) {
	for i, v := range a {
		_, ok := slices.BinarySearch(set, v)
		dst[i] = b2f(ok && v == v)
	}
}

// appendSet encodes the sorted value set of an isin.
func appendSet(b []byte, d *Dense) []byte {
	if d.DType == Int64 {
		b = appendUvarint(b, uint64(len(d.I64)))
		for _, v := range d.I64 {
			b = appendVarint(b, v)
		}
		return b
	}
	b = appendUvarint(b, uint64(len(d.Data)))
	for _, v := range d.Data {
		b = appendF64(b, v)
	}
	return b
}

func readSet(r *graph.Reader, cdt DType) ([]float64, []int64) {
	n := r.Uvarint()
	if n > 1<<28 {
		return nil, nil
	}
	if cdt == Int64 {
		s := make([]int64, 0, min(n, 1<<16))
		for i := uint64(0); i < n && r.Err() == nil; i++ {
			s = append(s, r.Varint())
		}
		return nil, s
	}
	s := make([]float64, 0, min(n, 1<<16))
	for i := uint64(0); i < n && r.Err() == nil; i++ {
		s = append(s, readF64(r))
	}
	return s, nil
}
