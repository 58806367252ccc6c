package frame

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/frame/internal/maskkern"
	"github.com/godask/godask/internal/datetime"
	"github.com/godask/godask/internal/nozero"
)

func appendVarint(b []byte, v int64) []byte   { return binary.AppendVarint(b, v) }
func appendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

// schemaCols lists the column names of a schema, for error messages.
func schemaCols(s *arrow.Schema) string {
	var names []string
	for _, f := range s.Fields() {
		names = append(names, f.Name)
	}
	return "[" + strings.Join(names, ", ") + "]"
}

func castKind(name string) kind {
	switch name {
	case "int64":
		return kInt
	case "float64":
		return kFloat
	case "utf8", "string":
		return kStr
	case "bool":
		return kBool
	}
	if strings.HasPrefix(name, "timestamp") {
		return kTime
	}
	return castKindExt(name)
}

// typeOf checks n against schema and returns its result kind. Errors name
// the expression and, for unknown columns, list the columns there are.
func typeOf(n *enode, s *arrow.Schema) (kind, error) {
	if n == nil {
		return 0, fmt.Errorf("invalid (zero) expression")
	}
	var ks []kind
	for _, a := range n.args {
		k, err := typeOf(a, s)
		if err != nil {
			return 0, err
		}
		ks = append(ks, k)
	}
	bad := func(what string) (kind, error) {
		return 0, fmt.Errorf("%s: %s", n, what)
	}
	if k, ok, err := typeOfExt(n, ks); ok {
		if err != nil {
			return bad(err.Error())
		}
		return k, nil
	}
	switch n.op {
	case "col":
		idx := s.FieldIndices(n.name)
		if len(idx) == 0 {
			return 0, fmt.Errorf("unknown column %q; the columns are %s", n.name, schemaCols(s))
		}
		k := kindOf(s.Field(idx[0]).Type)
		if k == kInvalid {
			return bad("unsupported column type " + s.Field(idx[0]).Type.String())
		}
		return k, nil
	case "lit":
		if n.lit.k == kInvalid && !n.lit.null {
			return bad("unsupported literal type " + n.lit.s)
		}
		if n.lit.null {
			return kFloat, nil
		}
		return n.lit.k, nil
	case "+", "-", "*", "/":
		if !ks[0].numeric() || !ks[1].numeric() {
			return bad(fmt.Sprintf("arithmetic on %s and %s", ks[0].dtype(), ks[1].dtype()))
		}
		if n.op != "/" && ks[0] == kInt && ks[1] == kInt {
			return kInt, nil
		}
		return kFloat, nil
	case "neg":
		if !ks[0].numeric() {
			return bad("negation of " + ks[0].dtype().String())
		}
		if ks[0] == kFloat {
			return kFloat, nil
		}
		return kInt, nil
	case "==", "!=", "<", "<=", ">", ">=":
		if ks[0] != ks[1] && !(ks[0].numeric() && ks[1].numeric()) && !(isNullLit(n.args[1]) || isNullLit(n.args[0])) {
			if !(ks[0] == kTime && n.args[1].op == "lit" && n.args[1].lit.k == kStr) {
				return bad(fmt.Sprintf("comparison of %s with %s", ks[0].dtype(), ks[1].dtype()))
			}
		}
		return kBool, nil
	case "and", "or":
		if ks[0] != kBool || ks[1] != kBool {
			return bad("logical operator on non-boolean")
		}
		return kBool, nil
	case "not":
		if ks[0] != kBool {
			return bad("not of non-boolean")
		}
		return kBool, nil
	case "isin":
		for _, l := range n.lits {
			if !l.null && l.k != ks[0] && !(l.k.numeric() && ks[0].numeric()) {
				return bad(fmt.Sprintf("isin value %s does not match %s", l, ks[0].dtype()))
			}
		}
		return kBool, nil
	case "isnull", "notnull":
		return kBool, nil
	case "fillnull":
		if ks[0] != ks[1] && !(ks[0].numeric() && ks[1].numeric()) {
			return bad(fmt.Sprintf("fill %s with %s", ks[0].dtype(), ks[1].dtype()))
		}
		if ks[0] == kInt && ks[1] == kFloat {
			return kFloat, nil
		}
		return ks[0], nil
	case "cast":
		k := castKind(n.name)
		if k == kInvalid {
			return bad("cannot cast to " + n.name)
		}
		return k, nil
	case "contains", "startswith", "endswith":
		if ks[0] != kStr {
			return bad("string function on " + ks[0].dtype().String())
		}
		return kBool, nil
	case "lower", "upper":
		if ks[0] != kStr {
			return bad("string function on " + ks[0].dtype().String())
		}
		return kStr, nil
	case "len":
		if ks[0] != kStr {
			return bad("string length of " + ks[0].dtype().String())
		}
		return kInt, nil
	case "year", "month", "day", "hour", "weekday":
		if ks[0] != kTime {
			return bad("datetime part of " + ks[0].dtype().String())
		}
		return kInt, nil
	case "alias":
		return ks[0], nil
	case "when":
		out := ks[len(ks)-1]
		for i := 0; i+1 < len(ks); i += 2 {
			if ks[i] != kBool {
				return bad("condition is not boolean")
			}
			v := ks[i+1]
			if v != out {
				if v.numeric() && out.numeric() {
					out = kFloat
				} else if !isNullLit(n.args[i+1]) {
					return bad(fmt.Sprintf("branches of types %s and %s", v.dtype(), out.dtype()))
				}
			}
		}
		return out, nil
	case "sum":
		if !ks[0].numeric() {
			return bad("sum of " + ks[0].dtype().String() + " column")
		}
		if ks[0] == kFloat {
			return kFloat, nil
		}
		return kInt, nil
	case "mean", "std", "var", "median":
		if !ks[0].numeric() {
			return bad(n.op + " of " + ks[0].dtype().String() + " column")
		}
		return kFloat, nil
	case "min", "max":
		if !ks[0].numeric() && ks[0] != kTime {
			return bad(n.op + " of " + ks[0].dtype().String() + " column")
		}
		if ks[0] == kBool {
			return kInt, nil
		}
		return ks[0], nil
	case "count", "size", "nunique":
		return kInt, nil
	case "first", "last":
		return ks[0], nil
	}
	return bad("unknown operation " + n.op)
}

func isNullLit(n *enode) bool { return n.op == "lit" && n.lit.null }

// val is an evaluated expression: a column of flat slices, or a scalar.
type val struct {
	k      kind
	scalar bool
	lit    litVal
	n      int
	i      []int64
	f      []float64
	b      []bool
	offs   []int32
	data   []byte
	valid  []bool // nil: no nulls
	src    arrow.Array
	// tmp: i or f was made by the evaluator for this value alone (an
	// arithmetic result not shared through a memo), so its one consumer
	// may write its own result there instead of allocating (reuseF).
	tmp bool
}

// reuseF is a float64 buffer of rows for the result of an element-wise
// operation on x and y: the buffer of one of them that is a temporary of
// the same length (which it consumes), else a new one. The kernels read
// index i before they write it, so the result may overwrite its input.
func reuseF(x, y *val, rows int) []float64 {
	for _, v := range [2]*val{x, y} {
		if v.tmp && !v.scalar && v.k == kFloat && len(v.f) == rows {
			v.tmp = false
			return v.f
		}
	}
	return nozero.Slice[float64](rows) // arith writes every element
}

// reuseI is reuseF for int64 results.
func reuseI(x, y *val, rows int) []int64 {
	for _, v := range [2]*val{x, y} {
		if v.tmp && !v.scalar && v.k == kInt && len(v.i) == rows {
			v.tmp = false
			return v.i
		}
	}
	return nozero.Slice[int64](rows) // arith writes every element
}

func valOfArray(a arrow.Array) *val {
	c := colOf(a)
	v := &val{k: c.k, n: c.n, src: a}
	switch c.k {
	case kInt, kTime, kDate, kDur:
		v.i = c.i64
	case kFloat:
		v.f = c.f64
	case kBool:
		v.b = make([]bool, c.n)
		for i := range v.b {
			v.b[i] = c.boolAt(i)
		}
	case kStr:
		v.offs, v.data = c.offs, c.data
	}
	if c.valid != nil {
		v.valid = make([]bool, c.n)
		for i := range v.valid {
			v.valid[i] = !c.null(i)
		}
	}
	return v
}

func (v *val) isNull(i int) bool {
	if v.scalar {
		return v.lit.null
	}
	return v.valid != nil && !v.valid[i]
}

func (v *val) strAt(i int) []byte {
	if v.scalar {
		return []byte(v.lit.s)
	}
	return v.data[v.offs[i]:v.offs[i+1]]
}

func (v *val) floatAt(i int) float64 {
	if v.scalar {
		return v.lit.float()
	}
	switch v.k {
	case kFloat:
		return v.f[i]
	case kBool:
		if v.b[i] {
			return 1
		}
		return 0
	}
	return float64(v.i[i])
}

func (v *val) intAt(i int) int64 {
	if v.scalar {
		return v.lit.i
	}
	if v.k == kBool {
		if v.b[i] {
			return 1
		}
		return 0
	}
	return v.i[i]
}

// floats returns the values as a []float64 (no copy for float columns).
func (v *val) floats(n int) []float64 {
	if !v.scalar && v.k == kFloat {
		return v.f
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = v.floatAt(i)
	}
	return out
}

// toArray materializes v as an Arrow array of n rows.
func (v *val) toArray(n int) arrow.Array {
	if v.src != nil {
		return v.src
	}
	if v.scalar {
		v = broadcast(v, n)
	}
	switch v.k {
	case kInt, kTime, kDate, kDur:
		return intsArray(v.k, v.i, v.valid)
	case kFloat:
		return float64Array(v.f, v.valid)
	case kBool:
		return boolArray(v.b, v.valid)
	case kStr:
		return strArray(v.offs, v.data, v.valid)
	}
	panic("frame: toArray of invalid value")
}

func broadcast(v *val, n int) *val {
	l := v.lit
	out := &val{k: l.k, n: n}
	if l.null {
		out.k = kFloat
		out.f = make([]float64, n)
		out.valid = make([]bool, n)
		return out
	}
	switch l.k {
	case kInt, kTime, kDate, kDur:
		out.i = make([]int64, n)
		for i := range out.i {
			out.i[i] = l.i
		}
	case kFloat:
		out.f = make([]float64, n)
		for i := range out.f {
			out.f[i] = l.f
		}
	case kBool:
		out.b = make([]bool, n)
		for i := range out.b {
			out.b[i] = l.b
		}
	case kStr:
		out.offs = make([]int32, n+1)
		out.data = bytes.Repeat([]byte(l.s), n)
		for i := range out.offs {
			out.offs[i] = int32(i * len(l.s))
		}
	}
	return out
}

// andValid combines validity: a row is valid when it is in both.
func andValid(n int, vs ...*val) []bool {
	var out []bool
	for _, v := range vs {
		if v.scalar {
			if v.lit.null {
				return make([]bool, n)
			}
			continue
		}
		if v.valid == nil {
			continue
		}
		if out == nil {
			out = append([]bool(nil), v.valid...)
			continue
		}
		for i, ok := range v.valid {
			out[i] = out[i] && ok
		}
	}
	return out
}

// evalExpr evaluates n over the record r.
func evalExpr(n *enode, r arrow.Record) (*val, error) { return evalMemo(n, r, nil) }

// memo holds the values of the subexpressions evaluated so far over one
// record, so that a subexpression repeated within or across the expressions
// of a projection (Col("v1").Cast(Float64) in five aggregations) is computed
// once. Values are never mutated after evaluation, so sharing is safe.
type memo map[string]*val

// evalMemo is evalExpr with common subexpressions shared through m (nil: no
// sharing).
func evalMemo(n *enode, r arrow.Record, m memo) (*val, error) {
	if m == nil || n.op == "col" || n.op == "lit" || n.op == "alias" {
		return evalNode(n, r, m)
	}
	key := string(appendExpr(nil, n))
	if v, ok := m[key]; ok {
		return v, nil
	}
	v, err := evalNode(n, r, m)
	if err == nil {
		v.tmp = false // shared: another expression may read it
		m[key] = v
	}
	return v, err
}

func evalNode(n *enode, r arrow.Record, m memo) (*val, error) {
	rows := int(r.NumRows())
	switch n.op {
	case "col":
		idx := r.Schema().FieldIndices(n.name)
		if len(idx) == 0 {
			return nil, fmt.Errorf("unknown column %q; the columns are %s", n.name, schemaCols(r.Schema()))
		}
		return valOfArray(r.Column(idx[0])), nil
	case "lit":
		return &val{scalar: true, lit: n.lit, k: n.lit.k, n: rows}, nil
	case "alias":
		return evalMemo(n.args[0], r, m)
	}
	if v, ok := compareDate32(n, r); ok {
		return v, nil
	}
	var args []*val
	for _, a := range n.args {
		v, err := evalMemo(a, r, m)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	out, err := apply(n, args, rows)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n, err)
	}
	return out, nil
}

func apply(n *enode, a []*val, rows int) (*val, error) {
	if v, ok, err := applyExt(n, a, rows); ok {
		return v, err
	}
	switch n.op {
	case "+", "-", "*", "/":
		return arith(n.op, a[0], a[1], rows), nil
	case "neg":
		return arith("-", &val{scalar: true, lit: litVal{k: kInt}, k: kInt}, a[0], rows), nil
	case "==", "!=", "<", "<=", ">", ">=":
		return compare(n.op, a[0], a[1], rows)
	case "and", "or":
		out := &val{k: kBool, n: rows, b: make([]bool, rows)}
		x, y := a[0], a[1]
		switch {
		case !x.scalar && !y.scalar && n.op == "and":
			// Word-wise, without a branch per row (maskkern).
			copy(out.b, x.b[:rows])
			maskkern.And(out.b, y.b[:rows])
		case !x.scalar && !y.scalar:
			copy(out.b, x.b[:rows])
			maskkern.Or(out.b, y.b[:rows])
		default:
			for i := range out.b {
				xb := x.boolAt(i)
				yb := y.boolAt(i)
				if n.op == "and" {
					out.b[i] = xb && yb
				} else {
					out.b[i] = xb || yb
				}
			}
		}
		// Kleene logic is approximated: a null operand gives null unless
		// the other side decides (false AND null = false, true OR null = true).
		if x.valid != nil || y.valid != nil || x.scalar && x.lit.null || y.scalar && y.lit.null {
			out.valid = make([]bool, rows)
			for i := range out.valid {
				xn, yn := x.isNull(i), y.isNull(i)
				switch {
				case !xn && !yn:
					out.valid[i] = true
				case n.op == "and":
					out.valid[i] = (!xn && !x.boolAt(i)) || (!yn && !y.boolAt(i))
					out.b[i] = false
				default:
					out.valid[i] = (!xn && x.boolAt(i)) || (!yn && y.boolAt(i))
					out.b[i] = out.valid[i]
				}
			}
		}
		return out, nil
	case "not":
		out := &val{k: kBool, n: rows, b: make([]bool, rows), valid: andValid(rows, a[0])}
		for i := range out.b {
			out.b[i] = !a[0].boolAt(i)
		}
		return out, nil
	case "isnull", "notnull":
		out := &val{k: kBool, n: rows, b: make([]bool, rows)}
		for i := range out.b {
			out.b[i] = a[0].isNull(i) == (n.op == "isnull")
		}
		return out, nil
	case "isin":
		return isIn(a[0], n.lits, rows), nil
	case "fillnull":
		return fillNull(a[0], a[1], rows), nil
	case "cast":
		return castVal(a[0], castKind(n.name), rows)
	case "contains", "startswith", "endswith":
		return strPred(n.op, a[0], []byte(n.name), rows), nil
	case "lower", "upper":
		return strMap(n.op, a[0], rows), nil
	case "len":
		out := &val{k: kInt, n: rows, i: make([]int64, rows), valid: andValid(rows, a[0])}
		for i := range out.i {
			if !a[0].isNull(i) {
				// Characters (code points), as pandas' str.len and DuckDB's
				// length, not bytes.
				out.i[i] = int64(utf8.RuneCount(a[0].strAt(i)))
			}
		}
		return out, nil
	case "year", "month", "day", "hour", "weekday":
		return datePart(n.op, a[0], rows), nil
	case "when":
		return when(a, rows), nil
	}
	if aggOps[n.op] {
		return nil, fmt.Errorf("aggregation %s outside GroupBy.Agg or Frame.Agg", n.op)
	}
	return nil, fmt.Errorf("unknown operation %q", n.op)
}

func (v *val) boolAt(i int) bool {
	if v.scalar {
		return v.lit.b
	}
	return v.b[i]
}

func arith(op string, x, y *val, rows int) *val {
	valid := andValid(rows, x, y)
	if op != "/" && (x.k == kInt || x.k == kBool || x.scalar && x.lit.k == kInt) && (y.k == kInt || y.k == kBool || y.scalar && y.lit.k == kInt) &&
		!(x.scalar && x.lit.null) && !(y.scalar && y.lit.null) {
		out := reuseI(x, y, rows)
		switch {
		case y.scalar && !x.scalar && x.k == kInt:
			c, xs := y.lit.i, x.i
			switch op {
			case "+":
				for i := range out {
					out[i] = xs[i] + c
				}
			case "-":
				for i := range out {
					out[i] = xs[i] - c
				}
			case "*":
				for i := range out {
					out[i] = xs[i] * c
				}
			}
		default:
			for i := range out {
				p, q := x.intAt(i), y.intAt(i)
				switch op {
				case "+":
					out[i] = p + q
				case "-":
					out[i] = p - q
				case "*":
					out[i] = p * q
				}
			}
		}
		return &val{k: kInt, n: rows, i: out, valid: valid, tmp: true}
	}
	out := reuseF(x, y, rows)
	if !x.scalar && x.k == kFloat && y.scalar {
		c, xs := y.lit.float(), x.f
		switch op {
		case "+":
			for i := range out {
				out[i] = xs[i] + c
			}
		case "-":
			for i := range out {
				out[i] = xs[i] - c
			}
		case "*":
			for i := range out {
				out[i] = xs[i] * c
			}
		case "/":
			for i := range out {
				out[i] = xs[i] / c
			}
		}
		return &val{k: kFloat, n: rows, f: out, valid: valid, tmp: true}
	}
	if x.scalar && !y.scalar && y.k == kFloat {
		arithScalarLeft(op, x.lit.float(), y.f, out) // 1 - l_discount
		return &val{k: kFloat, n: rows, f: out, valid: valid, tmp: true}
	}
	xs, ys := x.floats(rows), y.floats(rows)
	switch op {
	case "+":
		for i := range out {
			out[i] = xs[i] + ys[i]
		}
	case "-":
		for i := range out {
			out[i] = xs[i] - ys[i]
		}
	case "*":
		for i := range out {
			out[i] = xs[i] * ys[i]
		}
	case "/":
		for i := range out {
			out[i] = xs[i] / ys[i]
		}
	}
	return &val{k: kFloat, n: rows, f: out, valid: valid, tmp: true}
}

func cmpResult(op string, c int) bool {
	if c == unordered {
		return op == "!="
	}
	switch op {
	case "==":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// unordered is cmpOrd's answer when a NaN is involved: every comparison
// is false except !=, as IEEE 754 and pandas (see SEMANTICS.md).
const unordered = 2

// cmpOrd orders a and b as -1, 0 or 1, or unordered when either is NaN.
func cmpOrd[T int64 | float64](a, b T) int {
	switch {
	case a != a || b != b:
		return unordered
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpScalar sets b[i] to xs[i] op c, in direct loops (Go's comparisons
// are IEEE 754's, so NaN gives false but for != as cmpResult says).
func cmpScalar[T int64 | float64](b []bool, xs []T, c T, op string) {
	switch op {
	case "==":
		for i := range b {
			b[i] = xs[i] == c
		}
	case ">":
		for i := range b {
			b[i] = xs[i] > c
		}
	case "<":
		for i := range b {
			b[i] = xs[i] < c
		}
	case ">=":
		for i := range b {
			b[i] = xs[i] >= c
		}
	case "<=":
		for i := range b {
			b[i] = xs[i] <= c
		}
	case "!=":
		for i := range b {
			b[i] = xs[i] != c
		}
	default:
		for i := range b {
			b[i] = cmpResult(op, cmpOrd(xs[i], c))
		}
	}
}

func parseTimeLit(v *val) *val {
	if v.scalar && v.lit.k == kStr {
		if t, err := parseTime(v.lit.s); err == nil {
			return &val{scalar: true, k: kTime, lit: litVal{k: kTime, i: t}}
		}
	}
	return v
}

func compare(op string, x, y *val, rows int) (*val, error) {
	if x.k == kTime {
		y = parseTimeLit(y)
	}
	if y.k == kTime {
		x = parseTimeLit(x)
	}
	out := &val{k: kBool, n: rows, b: make([]bool, rows), valid: andValid(rows, x, y)}
	b := out.b
	switch {
	case x.k == kStr || y.k == kStr:
		if x.k != y.k {
			return nil, fmt.Errorf("comparison of %s with %s", x.k.dtype(), y.k.dtype())
		}
		if y.scalar && !x.scalar && (op == "==" || op == "!=") {
			lit := []byte(y.lit.s)
			eq := op == "=="
			for i := range b {
				b[i] = bytes.Equal(x.data[x.offs[i]:x.offs[i+1]], lit) == eq
			}
			break
		}
		for i := range b {
			b[i] = cmpResult(op, bytes.Compare(x.strAt(i), y.strAt(i)))
		}
	case x.k.intLike() && y.k.intLike():
		if y.scalar && !x.scalar {
			cmpScalar(b, x.i, y.lit.i, op)
			break
		}
		for i := range b {
			b[i] = cmpResult(op, cmpOrd(x.intAt(i), y.intAt(i)))
		}
	case x.k == kBool && y.k == kBool:
		for i := range b {
			p, q := x.boolAt(i), y.boolAt(i)
			c := 0
			if p != q {
				if p {
					c = 1
				} else {
					c = -1
				}
			}
			b[i] = cmpResult(op, c)
		}
	default:
		if y.scalar && !x.scalar && x.k == kFloat {
			cmpScalar(b, x.f, y.lit.float(), op)
			break
		}
		for i := range b {
			b[i] = cmpResult(op, cmpOrd(x.floatAt(i), y.floatAt(i)))
		}
	}
	return out, nil
}

func isIn(x *val, lits []litVal, rows int) *val {
	out := &val{k: kBool, n: rows, b: make([]bool, rows), valid: andValid(rows, x)}
	switch x.k {
	case kStr:
		set := map[string]bool{}
		for _, l := range lits {
			if !l.null {
				set[l.s] = true
			}
		}
		for i := range out.b {
			out.b[i] = set[string(x.strAt(i))]
		}
	case kInt, kTime, kDate, kDur:
		set := map[int64]bool{}
		for _, l := range lits {
			if !l.null {
				if l.k == kFloat {
					if l.f == math.Trunc(l.f) {
						set[int64(l.f)] = true
					}
					continue
				}
				set[l.i] = true
			}
		}
		for i := range out.b {
			out.b[i] = set[x.intAt(i)]
		}
	default:
		set := map[float64]bool{}
		for _, l := range lits {
			if !l.null {
				set[l.float()] = true
			}
		}
		for i := range out.b {
			out.b[i] = set[x.floatAt(i)]
		}
	}
	return out
}

func fillNull(x, y *val, rows int) *val {
	if x.valid == nil && !(x.scalar && x.lit.null) {
		if x.k == kInt && y.k == kFloat {
			return &val{k: kFloat, n: rows, f: x.floats(rows)}
		}
		return x
	}
	k := x.k
	if x.scalar && x.lit.null {
		k = y.k
	}
	if k == kInt && y.k == kFloat {
		k = kFloat
	}
	out := &val{k: k, n: rows, valid: andValidOr(rows, x, y)}
	switch k {
	case kInt, kTime, kDate, kDur:
		out.i = make([]int64, rows)
		for i := range out.i {
			if x.isNull(i) {
				out.i[i] = y.intAt(i)
			} else {
				out.i[i] = x.intAt(i)
			}
		}
	case kFloat:
		out.f = make([]float64, rows)
		for i := range out.f {
			if x.isNull(i) {
				out.f[i] = y.floatAt(i)
			} else {
				out.f[i] = x.floatAt(i)
			}
		}
	case kBool:
		out.b = make([]bool, rows)
		for i := range out.b {
			if x.isNull(i) {
				out.b[i] = y.boolAt(i)
			} else {
				out.b[i] = x.boolAt(i)
			}
		}
	case kStr:
		sb := newStrBuilder(rows)
		for i := 0; i < rows; i++ {
			if x.isNull(i) {
				sb.add(y.strAt(i))
			} else {
				sb.add(x.strAt(i))
			}
		}
		out.offs, out.data = sb.offs, sb.data
	}
	return out
}

// andValidOr: valid where x is valid or y is.
func andValidOr(rows int, x, y *val) []bool {
	if y.valid == nil && !(y.scalar && y.lit.null) {
		return nil
	}
	out := make([]bool, rows)
	for i := range out {
		out[i] = !x.isNull(i) || !y.isNull(i)
	}
	return out
}

// parseTime parses a date or datetime with the one parser of
// internal/datetime that the CSV and JSON readers also use.
func parseTime(s string) (int64, error) { return datetime.ParseString(s, nil) }

func castVal(x *val, k kind, rows int) (*val, error) {
	if x.k == k && !x.scalar {
		return x, nil
	}
	if k == kFloat && !x.scalar && (x.k == kInt || x.k == kTime) {
		out := &val{k: kFloat, n: rows, f: make([]float64, rows), valid: x.valid}
		for i, v := range x.i[:rows] {
			out.f[i] = float64(v)
		}
		return out, nil
	}
	if x.scalar {
		x = broadcast(x, rows)
	}
	out := &val{k: k, n: rows}
	valid := make([]bool, rows)
	anyNull := false
	setNull := func(i int) { anyNull = true; valid[i] = false }
	for i := range valid {
		valid[i] = !x.isNull(i)
		if !valid[i] {
			anyNull = true
		}
	}
	switch k {
	case kFloat:
		out.f = make([]float64, rows)
		for i := range out.f {
			if !valid[i] {
				continue
			}
			if x.k == kStr {
				f, err := strconv.ParseFloat(string(bytes.TrimSpace(x.strAt(i))), 64)
				if err != nil {
					setNull(i)
				}
				out.f[i] = f
			} else {
				out.f[i] = x.floatAt(i)
			}
		}
	case kInt, kTime, kDate, kDur:
		out.i = make([]int64, rows)
		for i := range out.i {
			if !valid[i] {
				continue
			}
			switch x.k {
			case kStr:
				var v int64
				var err error
				if k == kTime {
					v, err = parseTime(string(x.strAt(i)))
				} else {
					v, err = strconv.ParseInt(string(bytes.TrimSpace(x.strAt(i))), 10, 64)
				}
				if err != nil {
					setNull(i)
				}
				out.i[i] = v
			case kFloat:
				// Truncated toward zero; NaN, ±Inf and values outside
				// int64's range are null, as DuckDB's try_cast.
				f := x.f[i]
				if !(f >= -0x1p63 && f < 0x1p63) {
					setNull(i)
					continue
				}
				out.i[i] = int64(f)
			default:
				out.i[i] = x.intAt(i)
			}
		}
	case kBool:
		out.b = make([]bool, rows)
		for i := range out.b {
			if !valid[i] {
				continue
			}
			if x.k == kStr {
				v, err := strconv.ParseBool(string(x.strAt(i)))
				if err != nil {
					setNull(i)
				}
				out.b[i] = v
			} else {
				out.b[i] = x.floatAt(i) != 0
			}
		}
	case kStr:
		sb := newStrBuilder(rows)
		var buf []byte
		for i := 0; i < rows; i++ {
			buf = buf[:0]
			if valid[i] {
				switch x.k {
				case kInt:
					buf = strconv.AppendInt(buf, x.i[i], 10)
				case kFloat:
					buf = appendFloatRepr(buf, x.f[i])
				case kBool:
					buf = strconv.AppendBool(buf, x.b[i])
				case kTime:
					buf = appendTimestamp(buf, x.i[i])
				case kStr:
					buf = append(buf, x.strAt(i)...)
				}
			}
			sb.add(buf)
		}
		out.offs, out.data = sb.offs, sb.data
	}
	if anyNull {
		out.valid = valid
	}
	return out, nil
}

// appendFloatRepr formats f as Python's repr and DuckDB's VARCHAR cast do:
// the shortest digits that read back as f, positional for 1e-4 <= |f| <
// 1e16 with at least one decimal ("1.0"), else an exponent ("1e+20",
// "1e-05"); "nan", "inf", "-inf".
func appendFloatRepr(buf []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(buf, "nan"...)
	case math.IsInf(f, 1):
		return append(buf, "inf"...)
	case math.IsInf(f, -1):
		return append(buf, "-inf"...)
	}
	if a := math.Abs(f); a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.AppendFloat(buf, f, 'e', -1, 64)
	}
	n := len(buf)
	buf = strconv.AppendFloat(buf, f, 'f', -1, 64)
	if bytes.IndexByte(buf[n:], '.') < 0 {
		buf = append(buf, ".0"...)
	}
	return buf
}

// appendTimestamp formats microseconds since the epoch (UTC) as pandas and
// DuckDB do: "2006-01-02 15:04:05", with ".000123" when the microseconds are
// not zero.
func appendTimestamp(buf []byte, us int64) []byte {
	t := time.UnixMicro(us).UTC()
	if t.Nanosecond() == 0 {
		return t.AppendFormat(buf, "2006-01-02 15:04:05")
	}
	return t.AppendFormat(buf, "2006-01-02 15:04:05.000000")
}

func strPred(op string, x *val, arg []byte, rows int) *val {
	out := &val{k: kBool, n: rows, b: make([]bool, rows), valid: andValid(rows, x)}
	for i := range out.b {
		s := x.strAt(i)
		switch op {
		case "contains":
			out.b[i] = bytes.Contains(s, arg)
		case "startswith":
			out.b[i] = bytes.HasPrefix(s, arg)
		default:
			out.b[i] = bytes.HasSuffix(s, arg)
		}
	}
	return out
}

func strMap(op string, x *val, rows int) *val {
	sb := newStrBuilder(rows)
	var buf []byte
	for i := 0; i < rows; i++ {
		s := x.strAt(i)
		ascii := true
		for _, c := range s {
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
		buf = buf[:0]
		if ascii {
			for _, c := range s {
				if op == "lower" && 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				} else if op == "upper" && 'a' <= c && c <= 'z' {
					c -= 'a' - 'A'
				}
				buf = append(buf, c)
			}
		} else if op == "lower" {
			buf = append(buf, bytes.ToLower(s)...)
		} else {
			buf = append(buf, bytes.ToUpper(s)...)
		}
		sb.add(buf)
	}
	return &val{k: kStr, n: rows, offs: sb.offs, data: sb.data, valid: andValid(rows, x)}
}

func datePart(op string, x *val, rows int) *val {
	out := &val{k: kInt, n: rows, i: make([]int64, rows), valid: andValid(rows, x)}
	for i := range out.i {
		us := x.intAt(i)
		switch op {
		case "hour":
			out.i[i] = (floorDiv(us, 3600e6)%24 + 24) % 24 // floor: 1969-12-31 23:59 is hour 23
			continue
		case "weekday":
			days := floorDiv(us, 86400e6)
			out.i[i] = ((days+3)%7 + 7) % 7 // 1970-01-01 was a Thursday (3)
			continue
		}
		t := time.UnixMicro(us).UTC()
		switch op {
		case "year":
			out.i[i] = int64(t.Year())
		case "month":
			out.i[i] = int64(t.Month())
		case "day":
			out.i[i] = int64(t.Day())
		}
	}
	return out
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func when(a []*val, rows int) *val {
	def := a[len(a)-1]
	k := def.k
	if def.scalar && def.lit.null {
		k = kInvalid
	}
	for i := 1; i < len(a)-1; i += 2 {
		v := a[i]
		if v.scalar && v.lit.null {
			continue
		}
		switch {
		case k == kInvalid:
			k = v.k
		case k != v.k && v.k.numeric() && k.numeric():
			k = kFloat
		}
	}
	if k == kInvalid {
		k = kFloat
	}
	pick := make([]int, rows) // index into a of the chosen value
	for r := range pick {
		pick[r] = len(a) - 1
		for i := 0; i+1 < len(a); i += 2 {
			c := a[i]
			if !c.isNull(r) && c.boolAt(r) {
				pick[r] = i + 1
				break
			}
		}
	}
	out := &val{k: k, n: rows}
	valid := make([]bool, rows)
	anyNull := false
	for r := range valid {
		valid[r] = !a[pick[r]].isNull(r)
		anyNull = anyNull || !valid[r]
	}
	switch k {
	case kInt, kTime, kDate, kDur:
		out.i = make([]int64, rows)
		for r := range out.i {
			out.i[r] = a[pick[r]].intAt(r)
		}
	case kFloat:
		out.f = make([]float64, rows)
		for r := range out.f {
			out.f[r] = a[pick[r]].floatAt(r)
		}
	case kBool:
		out.b = make([]bool, rows)
		for r := range out.b {
			out.b[r] = a[pick[r]].boolAt(r)
		}
	case kStr:
		sb := newStrBuilder(rows)
		for r := 0; r < rows; r++ {
			if valid[r] {
				sb.add(a[pick[r]].strAt(r))
			} else {
				sb.add(nil)
			}
		}
		out.offs, out.data = sb.offs, sb.data
	}
	if anyNull {
		out.valid = valid
	}
	return out
}

// mask evaluates a predicate to a row mask (null counts as false).
func mask(n *enode, r arrow.Record) ([]bool, error) {
	if m, ok, err := fastMask(n, r); ok || err != nil {
		return m, err
	}
	v, err := evalExpr(n, r)
	if err != nil {
		return nil, err
	}
	return maskOf(v, n, int(r.NumRows()))
}

// maskOf is the mask of the value v of the predicate n over rows rows.
func maskOf(v *val, n *enode, rows int) ([]bool, error) {
	if v.k != kBool {
		return nil, fmt.Errorf("filter %s is not boolean", n)
	}
	if v.scalar {
		v = broadcast(v, rows)
	}
	if v.src != nil {
		v = valOfArray(v.src)
	}
	m := v.b
	if v.valid != nil {
		m = append([]bool(nil), m...)
		for i, ok := range v.valid {
			m[i] = m[i] && ok
		}
	}
	return m, nil
}
