package frame

import (
	"math"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/frame/internal/maskkern"
)

// Typed filter masks.
//
// A filter's predicate is most often an AND of comparisons of columns with
// literals (TPC-H q6: a date range, a float range, a float bound). The
// general path evaluates each comparison to a val (a []bool and a validity
// []bool), then each AND to another, with a short-circuit && per row that
// mispredicts when the rows kept are scattered. A mask only asks which rows
// are true, and under Kleene logic an AND is true exactly when both sides
// are, an OR when either is; so fastMask computes the mask of an AND/OR
// tree in one []bool: each leaf that compares an int64, float64, date32,
// timestamp or duration column with a non-null literal that compare takes
// as a plain number (either side, or both bounds of a range on one column;
// a date against a timestamp converts, so it does not) narrows it in place with
// the branch-free kernels of maskkern, null rows dropped through the
// validity bitmap; any other leaf is evaluated by the general path and
// ANDed (or ORed) in. The answers are the general path's (mask), which
// the tests check on random inputs.

// fastMasks turns the typed masks on; tests turn it off for the reference.
var fastMasks = true

// cmpLeaf is a comparison of a column with a literal, x op c.
type cmpLeaf struct {
	col string
	op  maskkern.Op
	lit litVal
}

// asCmpLeaf is n as a cmpLeaf (lit op col flipped), or ok false.
func asCmpLeaf(n *enode) (l cmpLeaf, ok bool) {
	op, ok := maskkern.ParseOp(n.op)
	if !ok || len(n.args) != 2 {
		return l, false
	}
	a, b := n.args[0], n.args[1]
	if a.op == "lit" && b.op == "col" {
		a, b, op = b, a, op.Flip()
	}
	if a.op != "col" || b.op != "lit" || b.lit.null {
		return l, false
	}
	switch b.lit.k {
	case kInt, kFloat, kDate, kTime, kDur:
	default:
		return l, false
	}
	return cmpLeaf{col: a.name, op: op, lit: b.lit}, true
}

// fastMask is mask(n, r) computed as described above; ok is false when n
// is not an AND/OR tree with at least one typed leaf (or a leaf is not
// boolean), and the caller takes the general path.
func fastMask(n *enode, r arrow.Record) (m []bool, ok bool, err error) {
	if !fastMasks || !hasTypedLeaf(n, r) {
		return nil, false, nil
	}
	m = make([]bool, r.NumRows())
	ok, err = maskInto(m, n, r, false)
	if !ok || err != nil {
		return nil, ok, err
	}
	return m, true, nil
}

func hasTypedLeaf(n *enode, r arrow.Record) bool {
	if (n.op == "and" || n.op == "or") && len(n.args) == 2 {
		return hasTypedLeaf(n.args[0], r) || hasTypedLeaf(n.args[1], r)
	}
	if l, ok := asInLeaf(n); ok && inColumn(r, l.col) != nil {
		return true
	}
	l, ok := asCmpLeaf(n)
	return ok && typedColumn(r, l) != nil
}

// maxInLits bounds the literals of an IsIn the typed path compares one by
// one (more go to the general path's hash set).
const maxInLits = 16

// inLeaf is a column tested against a few literals: IsIn, or a string
// column == a string.
type inLeaf struct {
	col  string
	lits []litVal
}

func asInLeaf(n *enode) (l inLeaf, ok bool) {
	if n.op == "isin" && len(n.args) == 1 && n.args[0].op == "col" && len(n.lits) <= maxInLits {
		return inLeaf{col: n.args[0].name, lits: n.lits}, true
	}
	if n.op != "==" || len(n.args) != 2 {
		return l, false
	}
	a, b := n.args[0], n.args[1]
	if a.op == "lit" && b.op == "col" {
		a, b = b, a
	}
	if a.op != "col" || b.op != "lit" || b.lit.null || b.lit.k != kStr {
		return l, false
	}
	return inLeaf{col: a.name, lits: []litVal{b.lit}}, true
}

// inColumn is the column c of r when the in kernels take it: strings
// (not categorical) and int-like columns.
func inColumn(r arrow.Record, c string) arrow.Array {
	idx := r.Schema().FieldIndices(c)
	if len(idx) != 1 {
		return nil
	}
	switch a := r.Column(idx[0]).(type) {
	case *array.String, *array.Int64, *array.Date32, *array.Timestamp, *array.Duration:
		return a
	}
	return nil
}

// inInto sets or narrows m by the leaf l over its column a, with the
// literals isIn takes: a string column each non-null literal's string,
// an int-like column each non-null literal's integer (a float literal
// only when integral).
func inInto(m []bool, a arrow.Array, l inLeaf, and bool) {
	switch x := a.(type) {
	case *array.String:
		var lits []string
		for _, v := range l.lits {
			if !v.null {
				lits = append(lits, v.s)
			}
		}
		c := colOf(x)
		maskkern.InStr(m, c.offs, c.data, lits, and)
	default:
		var lits []int64
		for _, v := range l.lits {
			switch {
			case v.null:
			case v.k == kFloat:
				if v.f == math.Trunc(v.f) {
					lits = append(lits, int64(v.f))
				}
			default:
				lits = append(lits, v.i)
			}
		}
		if d, ok := a.(*array.Date32); ok {
			var l32 []int32
			for _, v := range lits {
				if int64(int32(v)) == v {
					l32 = append(l32, int32(v))
				}
			}
			maskkern.InInt(m, date32Vals(d), l32, and)
		} else {
			xs, _ := int64s(a)
			maskkern.InInt(m, xs, lits, and)
		}
	}
	validInto(m, a)
}

// typedColumn is the column of l in r when a kernel takes it with l's
// literal, else nil.
func typedColumn(r arrow.Record, l cmpLeaf) arrow.Array {
	idx := r.Schema().FieldIndices(l.col)
	if len(idx) != 1 {
		return nil
	}
	a := r.Column(idx[0])
	// The pairs compare takes as plain numbers; others convert (a date
	// against a timestamp is its midnight) or are errors.
	k := l.lit.k
	var ok bool
	switch a.(type) {
	case *array.Int64, *array.Float64:
		ok = k == kInt || k == kFloat
	case *array.Date32:
		ok = k == kDate || k == kInt
	case *array.Timestamp:
		ok = k == kTime || k == kInt
	case *array.Duration:
		ok = k == kDur
	}
	if !ok {
		return nil
	}
	return a
}

// maskInto sets (and false) or narrows (and true) m by the predicate n.
func maskInto(m []bool, n *enode, r arrow.Record, and bool) (bool, error) {
	if n.op == "and" && len(n.args) == 2 {
		leaves := conjuncts(n, nil)
		done := make([]bool, len(leaves))
		first := true
		// Both bounds of a range on one column in one pass.
		for i, x := range leaves {
			lx, ok := asCmpLeaf(x)
			if !ok || typedColumn(r, lx) == nil {
				continue
			}
			for j := i + 1; j < len(leaves) && !done[i]; j++ {
				ly, ok := asCmpLeaf(leaves[j])
				if done[j] || !ok || ly.col != lx.col || ly.lit.k != lx.lit.k {
					continue
				}
				if rangeInto(m, r, lx, ly, and || !first) {
					done[i], done[j], first = true, true, false
				}
			}
		}
		// Then the other numeric comparisons, the string and IsIn tests
		// (which skip the rows already false), and the rest, each group in
		// order (only the rest can fail, and they keep their order).
		for pass := 0; pass < 3; pass++ {
			for i, x := range leaves {
				if done[i] || leafClass(x, r) != pass {
					continue
				}
				ok, err := maskInto(m, x, r, and || !first)
				if !ok || err != nil {
					return ok, err
				}
				done[i], first = true, false
			}
		}
		return true, nil
	}
	if n.op == "or" && len(n.args) == 2 {
		if !and {
			if ok, err := maskInto(m, n.args[0], r, false); !ok || err != nil {
				return ok, err
			}
			t := make([]bool, len(m))
			if ok, err := maskInto(t, n.args[1], r, false); !ok || err != nil {
				return ok, err
			}
			maskkern.Or(m, t)
			return true, nil
		}
		t := make([]bool, len(m))
		if ok, err := maskInto(t, n, r, false); !ok || err != nil {
			return ok, err
		}
		maskkern.And(m, t)
		return true, nil
	}
	if l, ok := asCmpLeaf(n); ok {
		if a := typedColumn(r, l); a != nil {
			cmpInto(m, a, l, and)
			return true, nil
		}
	}
	if l, ok := asInLeaf(n); ok {
		if a := inColumn(r, l.col); a != nil {
			inInto(m, a, l, and)
			return true, nil
		}
	}
	v, err := evalExpr(n, r)
	if err != nil {
		return true, err
	}
	if v.k != kBool {
		return false, nil
	}
	t, err := maskOf(v, n, int(r.NumRows()))
	if err != nil {
		return true, err
	}
	if and {
		maskkern.And(m, t)
	} else {
		copy(m, t)
	}
	return true, nil
}

// leafClass orders the leaves of an AND: 0 a typed comparison, 1 a typed
// IsIn or string equality, 2 anything else.
func leafClass(n *enode, r arrow.Record) int {
	if l, ok := asCmpLeaf(n); ok && typedColumn(r, l) != nil {
		return 0
	}
	if l, ok := asInLeaf(n); ok && inColumn(r, l.col) != nil {
		return 1
	}
	return 2
}

// int64s is the values of an int-like array as int64, and ok false for a
// date32 array (32-bit days).
func int64s(a arrow.Array) ([]int64, bool) {
	switch x := a.(type) {
	case *array.Int64:
		return x.Int64Values(), true
	case *array.Timestamp:
		vs := x.TimestampValues()
		return unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(vs))), len(vs)), true
	case *array.Duration:
		vs := x.DurationValues()
		return unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(vs))), len(vs)), true
	}
	return nil, false
}

// cmpInto sets or narrows m by the leaf l over its column a.
func cmpInto(m []bool, a arrow.Array, l cmpLeaf, and bool) {
	switch x := a.(type) {
	case *array.Float64:
		maskkern.Cmp(m, x.Float64Values(), l.op, l.lit.float(), and)
	case *array.Date32:
		maskkern.CmpInt32(m, date32Vals(x), l.op, l.lit.i, and)
	default:
		xs, _ := int64s(a)
		if l.lit.k == kFloat {
			maskkern.CmpIntFloat(m, xs, l.op, l.lit.f, and)
		} else {
			maskkern.Cmp(m, xs, l.op, l.lit.i, and)
		}
	}
	validInto(m, a)
}

// rangeInto narrows or sets m by the two leaves x and y on one column
// when they bound it from both sides; false when they do not (nothing
// written).
func rangeInto(m []bool, r arrow.Record, x, y cmpLeaf, and bool) bool {
	if x.op == maskkern.Lt || x.op == maskkern.Le {
		x, y = y, x
	}
	// Now x should be the lower bound (x.col > lo or >=) and y the upper.
	if (x.op != maskkern.Gt && x.op != maskkern.Ge) || (y.op != maskkern.Lt && y.op != maskkern.Le) {
		return false
	}
	a := typedColumn(r, x)
	loOp := x.op.Flip()
	switch c := a.(type) {
	case *array.Float64:
		maskkern.Range(m, c.Float64Values(), x.lit.float(), loOp, y.lit.float(), y.op, and)
	case *array.Date32:
		if int64(int32(x.lit.i)) != x.lit.i || int64(int32(y.lit.i)) != y.lit.i {
			return false
		}
		maskkern.Range(m, date32Vals(c), int32(x.lit.i), loOp, int32(y.lit.i), y.op, and)
	default:
		xs, ok := int64s(a)
		if !ok || x.lit.k == kFloat {
			return false
		}
		maskkern.Range(m, xs, x.lit.i, loOp, y.lit.i, y.op, and)
	}
	validInto(m, a)
	return true
}

// validInto drops from m the rows where a is null.
func validInto(m []bool, a arrow.Array) {
	if a.NullN() == 0 {
		return
	}
	d := a.Data()
	maskkern.Valid(m, d.Buffers()[0].Bytes(), d.Offset())
}
