// Package maskkern holds the typed kernels behind frame's filter masks:
// a flat column of int32, int64 or float64 values compared with a
// literal, a range of two such comparisons, a validity bitmap, and the
// AND / OR of two masks. A mask is a []bool of one entry per row. The
// kernels have no branch per row (a filter keeping 2% of rows at random
// mispredicts a short-circuit && on every other row) and no per-cell
// interface; frame owns the expressions, nulls and Arrow buffers, this
// package only the loops.
//
// Each kernel either sets the mask (and == false: m[i] = x[i] op c) or
// narrows it (and == true: m[i] = m[i] && x[i] op c). Comparisons follow
// Go's, which are IEEE 754's: a NaN on either side makes every op false
// but Ne.
package maskkern

import (
	"encoding/binary"
	"unsafe"
)

// Op is a comparison.
type Op uint8

// The comparisons, x op c.
const (
	Eq Op = iota
	Ne
	Lt
	Le
	Gt
	Ge
)

// ParseOp is the Op of "==", "!=", "<", "<=", ">" or ">="; ok is false for
// anything else.
func ParseOp(s string) (op Op, ok bool) {
	switch s {
	case "==":
		return Eq, true
	case "!=":
		return Ne, true
	case "<":
		return Lt, true
	case "<=":
		return Le, true
	case ">":
		return Gt, true
	case ">=":
		return Ge, true
	}
	return 0, false
}

// Flip is the op that holds for c op' x when x op c holds (Lt for Gt).
func (op Op) Flip() Op {
	switch op {
	case Lt:
		return Gt
	case Le:
		return Ge
	case Gt:
		return Lt
	case Ge:
		return Le
	}
	return op
}

// u8 views a mask as its bytes (a Go bool is one byte, 0 or 1).
func u8(m []bool) []uint8 { return unsafe.Slice((*uint8)(unsafe.Pointer(unsafe.SliceData(m))), len(m)) }

// b2u is b as 0 or 1, without a branch.
func b2u(b bool) uint8 { return *(*uint8)(unsafe.Pointer(&b)) }

// Fill sets every entry of m to v (and == false) or ANDs v into it.
func Fill(m []bool, v, and bool) {
	if and && v {
		return
	}
	for i := range m {
		m[i] = v
	}
}

// Number is the value types of the comparison kernels.
type Number interface{ int32 | int64 | float64 }

// Cmp sets or narrows m (see the package doc) by xs[i] op c; len(xs) must
// be at least len(m).
func Cmp[T Number](m []bool, xs []T, op Op, c T, and bool) {
	xs = xs[:len(m)]
	b := u8(m)
	if and {
		switch op {
		case Eq:
			for i, x := range xs {
				b[i] &= b2u(x == c)
			}
		case Ne:
			for i, x := range xs {
				b[i] &= b2u(x != c)
			}
		case Lt:
			for i, x := range xs {
				b[i] &= b2u(x < c)
			}
		case Le:
			for i, x := range xs {
				b[i] &= b2u(x <= c)
			}
		case Gt:
			for i, x := range xs {
				b[i] &= b2u(x > c)
			}
		case Ge:
			for i, x := range xs {
				b[i] &= b2u(x >= c)
			}
		}
		return
	}
	switch op {
	case Eq:
		for i, x := range xs {
			m[i] = x == c
		}
	case Ne:
		for i, x := range xs {
			m[i] = x != c
		}
	case Lt:
		for i, x := range xs {
			m[i] = x < c
		}
	case Le:
		for i, x := range xs {
			m[i] = x <= c
		}
	case Gt:
		for i, x := range xs {
			m[i] = x > c
		}
	case Ge:
		for i, x := range xs {
			m[i] = x >= c
		}
	}
}

// CmpInt32 is Cmp of 32-bit values (Arrow date32 days) with a 64-bit
// literal: a literal outside int32 is above (or below) every value.
func CmpInt32(m []bool, xs []int32, op Op, c int64, and bool) {
	const lo, hi = -1 << 31, 1<<31 - 1
	if c >= lo && c <= hi {
		Cmp(m, xs, op, int32(c), and)
		return
	}
	below := c > hi // every x < c
	var all bool
	switch op {
	case Eq:
		all = false
	case Ne:
		all = true
	case Lt, Le:
		all = below
	default:
		all = !below
	}
	Fill(m, all, and)
}

// CmpIntFloat is xs[i] op c with the integers converted to float64 (an
// int64 column compared with a float literal).
func CmpIntFloat(m []bool, xs []int64, op Op, c float64, and bool) {
	xs = xs[:len(m)]
	b := u8(m)
	for i, x := range xs {
		f := float64(x)
		var r bool
		switch op {
		case Eq:
			r = f == c
		case Ne:
			r = f != c
		case Lt:
			r = f < c
		case Le:
			r = f <= c
		case Gt:
			r = f > c
		default:
			r = f >= c
		}
		if and {
			b[i] &= b2u(r)
		} else {
			b[i] = b2u(r)
		}
	}
}

// Range sets or narrows m by lo loOp xs[i] && xs[i] hiOp hi in one pass,
// where loOp is Lt or Le (lo < x, lo <= x) and hiOp is Lt or Le (x < hi,
// x <= hi); other ops make Range fall back to two Cmp passes.
func Range[T Number](m []bool, xs []T, lo T, loOp Op, hi T, hiOp Op, and bool) {
	if (loOp != Lt && loOp != Le) || (hiOp != Lt && hiOp != Le) {
		Cmp(m, xs, loOp.Flip(), lo, and)
		Cmp(m, xs, hiOp, hi, true)
		return
	}
	xs = xs[:len(m)]
	b := u8(m)
	switch {
	case loOp == Le && hiOp == Lt:
		if and {
			for i, x := range xs {
				b[i] &= b2u(x >= lo) & b2u(x < hi)
			}
		} else {
			for i, x := range xs {
				b[i] = b2u(x >= lo) & b2u(x < hi)
			}
		}
	case loOp == Le && hiOp == Le:
		if and {
			for i, x := range xs {
				b[i] &= b2u(x >= lo) & b2u(x <= hi)
			}
		} else {
			for i, x := range xs {
				b[i] = b2u(x >= lo) & b2u(x <= hi)
			}
		}
	case loOp == Lt && hiOp == Lt:
		if and {
			for i, x := range xs {
				b[i] &= b2u(x > lo) & b2u(x < hi)
			}
		} else {
			for i, x := range xs {
				b[i] = b2u(x > lo) & b2u(x < hi)
			}
		}
	default:
		if and {
			for i, x := range xs {
				b[i] &= b2u(x > lo) & b2u(x <= hi)
			}
		} else {
			for i, x := range xs {
				b[i] = b2u(x > lo) & b2u(x <= hi)
			}
		}
	}
}

// Valid narrows m to the rows whose bit is set in the validity bitmap
// bits (LSB first, row i at bit off+i).
func Valid(m []bool, bits []byte, off int) {
	b := u8(m)
	for i := range b {
		j := off + i
		b[i] &= bits[j>>3] >> (j & 7) & 1
	}
}

// And sets m[i] = m[i] && a[i], eight rows a word; len(a) must be at
// least len(m).
func And(m, a []bool) {
	b, x := u8(m), u8(a[:len(m)])
	n := len(b) &^ 7
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], binary.LittleEndian.Uint64(b[i:])&binary.LittleEndian.Uint64(x[i:]))
	}
	for i := n; i < len(b); i++ {
		b[i] &= x[i]
	}
}

// Or sets m[i] = m[i] || a[i], eight rows a word; len(a) must be at least
// len(m).
func Or(m, a []bool) {
	b, x := u8(m), u8(a[:len(m)])
	n := len(b) &^ 7
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], binary.LittleEndian.Uint64(b[i:])|binary.LittleEndian.Uint64(x[i:]))
	}
	for i := n; i < len(b); i++ {
		b[i] |= x[i]
	}
}

// InStr sets or narrows m by whether string i (data[offs[i]:offs[i+1]])
// is one of lits, comparing lengths first (no hashing: for the few
// literals of an IsIn or ==); when narrowing, rows already false are not
// compared. len(offs) must be at least len(m)+1.
func InStr(m []bool, offs []int32, data []byte, lits []string, and bool) {
	b := u8(m)
	offs = offs[:len(m)+1]
	if len(lits) == 1 && len(lits[0]) == 1 {
		// One byte (a flag or status column): no call per row.
		c := lits[0][0]
		for i := range b {
			if and && b[i] == 0 {
				continue
			}
			o := offs[i]
			b[i] = b2u(offs[i+1]-o == 1 && data[o] == c)
		}
		return
	}
	// Literals of at most 8 bytes compare as one masked word where 8
	// bytes of data are left (no call per row).
	short := true
	words := make([]uint64, len(lits))
	for j, l := range lits {
		if len(l) > 8 {
			short = false
			break
		}
		var w [8]byte
		copy(w[:], l)
		words[j] = binary.LittleEndian.Uint64(w[:])
	}
	for i := range b {
		if and && b[i] == 0 {
			continue
		}
		o, e := offs[i], offs[i+1]
		var r uint8
		if n := int(e - o); short && n <= 8 && int(o)+8 <= len(data) {
			w := binary.LittleEndian.Uint64(data[o:]) & (1<<(8*n) - 1) // n == 8: all ones
			for j, l := range lits {
				r |= b2u(len(l) == n && words[j] == w)
			}
			b[i] = r
			continue
		}
		s := data[o:e]
		for _, l := range lits {
			if len(s) == len(l) && string(s) == l {
				r = 1
				break
			}
		}
		b[i] = r
	}
}

// InInt sets or narrows m by whether xs[i] is one of lits.
func InInt[T int32 | int64](m []bool, xs []T, lits []T, and bool) {
	xs = xs[:len(m)]
	b := u8(m)
	for i, x := range xs {
		var r uint8
		for _, l := range lits {
			r |= b2u(x == l)
		}
		if and {
			b[i] &= r
		} else {
			b[i] = r
		}
	}
}
