package frame

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/godask/godask/graph"
)

// Expr is a lazy column expression, in the style of Polars: Col("fare").
// Gt(Lit(10)). One type serves Filter (a boolean expression), WithColumn and
// Select (any expression) and GroupBy.Agg (expressions holding aggregations
// such as Col("v").Sum()). Go has no operator overloading, so operators are
// methods. The zero Expr is invalid; mistakes (an unknown column, summing
// strings) surface as the frame's error when the expression is used.
type Expr struct{ n *enode }

type enode struct {
	op   string
	name string // column name, alias, cast type or string argument
	lit  litVal
	lits []litVal
	args []*enode
	sub  *Frame // ScalarOf's one-row frame
}

type litVal struct {
	k    kind
	null bool
	i    int64
	f    float64
	s    string
	b    bool
}

func (l litVal) String() string {
	if l.null {
		return "null"
	}
	switch l.k {
	case kInt:
		return strconv.FormatInt(l.i, 10)
	case kFloat:
		return strconv.FormatFloat(l.f, 'g', -1, 64)
	case kStr:
		return strconv.Quote(l.s)
	case kBool:
		return strconv.FormatBool(l.b)
	case kTime:
		return time.UnixMicro(l.i).UTC().Format("2006-01-02 15:04:05")
	case kDate:
		return "date " + string(appendDate(nil, l.i))
	case kDur:
		return "interval " + strconv.Quote(string(appendDuration(nil, l.i)))
	}
	return "?"
}

func (l litVal) float() float64 {
	switch l.k {
	case kFloat:
		return l.f
	case kBool:
		if l.b {
			return 1
		}
		return 0
	}
	return float64(l.i)
}

// Col refers to the column with the given name.
func Col(name string) Expr { return Expr{&enode{op: "col", name: name}} }

// Lit is a constant: an int, int64, float64, string, bool, time.Time,
// time.Duration (a Duration, microsecond precision) or nil (a null). Date
// gives a date constant. Any other type makes an invalid expression, reported when used.
func Lit(v any) Expr { return Expr{&enode{op: "lit", lit: toLit(v)}} }

func toLit(v any) litVal {
	switch x := v.(type) {
	case nil:
		return litVal{null: true}
	case int:
		return litVal{k: kInt, i: int64(x)}
	case int32:
		return litVal{k: kInt, i: int64(x)}
	case int64:
		return litVal{k: kInt, i: x}
	case float64:
		return litVal{k: kFloat, f: x}
	case float32:
		return litVal{k: kFloat, f: float64(x)}
	case string:
		return litVal{k: kStr, s: x}
	case bool:
		return litVal{k: kBool, b: x}
	case time.Time:
		return litVal{k: kTime, i: x.UnixMicro()}
	case time.Duration:
		return litVal{k: kDur, i: x.Microseconds()}
	}
	return litVal{k: kInvalid, s: fmt.Sprintf("%T", v)}
}

func (e Expr) un(op string) Expr          { return Expr{&enode{op: op, args: []*enode{e.n}}} }
func (e Expr) bin(op string, o Expr) Expr { return Expr{&enode{op: op, args: []*enode{e.n, o.n}}} }
func (e Expr) str(op, arg string) Expr    { return Expr{&enode{op: op, name: arg, args: []*enode{e.n}}} }

// Add returns e + o. Int with int stays int; anything with a float is float.
func (e Expr) Add(o Expr) Expr { return e.bin("+", o) }

// Sub returns e - o.
func (e Expr) Sub(o Expr) Expr { return e.bin("-", o) }

// Mul returns e * o.
func (e Expr) Mul(o Expr) Expr { return e.bin("*", o) }

// Div returns e / o as a float (true division, as in pandas).
func (e Expr) Div(o Expr) Expr { return e.bin("/", o) }

// Neg returns -e.
func (e Expr) Neg() Expr { return e.un("neg") }

// Eq returns e == o (null where either is null; a filter drops such rows).
func (e Expr) Eq(o Expr) Expr { return e.bin("==", o) }

// Ne returns e != o.
func (e Expr) Ne(o Expr) Expr { return e.bin("!=", o) }

// Lt returns e < o.
func (e Expr) Lt(o Expr) Expr { return e.bin("<", o) }

// Le returns e <= o.
func (e Expr) Le(o Expr) Expr { return e.bin("<=", o) }

// Gt returns e > o.
func (e Expr) Gt(o Expr) Expr { return e.bin(">", o) }

// Ge returns e >= o.
func (e Expr) Ge(o Expr) Expr { return e.bin(">=", o) }

// And returns e AND o for booleans.
func (e Expr) And(o Expr) Expr { return e.bin("and", o) }

// Or returns e OR o for booleans.
func (e Expr) Or(o Expr) Expr { return e.bin("or", o) }

// Not returns NOT e.
func (e Expr) Not() Expr { return e.un("not") }

// IsIn is true where e equals one of vals (constants as for Lit).
func (e Expr) IsIn(vals ...any) Expr {
	n := &enode{op: "isin", args: []*enode{e.n}}
	for _, v := range vals {
		n.lits = append(n.lits, toLit(v))
	}
	return Expr{n}
}

// IsNull is true where e is null.
func (e Expr) IsNull() Expr { return e.un("isnull") }

// NotNull is true where e is not null.
func (e Expr) NotNull() Expr { return e.un("notnull") }

// FillNull replaces nulls of e by v.
func (e Expr) FillNull(v Expr) Expr { return e.bin("fillnull", v) }

// Cast converts e to one of the frame dtypes (Int64, Float64, String, Bool,
// Timestamp); strings that do not parse become null.
func (e Expr) Cast(t interface{ String() string }) Expr { return e.str("cast", t.String()) }

// Contains is true where the string e contains sub.
func (e Expr) Contains(sub string) Expr { return e.str("contains", sub) }

// StartsWith is true where the string e starts with prefix.
func (e Expr) StartsWith(prefix string) Expr { return e.str("startswith", prefix) }

// EndsWith is true where the string e ends with suffix.
func (e Expr) EndsWith(suffix string) Expr { return e.str("endswith", suffix) }

// Lower lower-cases the string e (ASCII and Unicode).
func (e Expr) Lower() Expr { return e.un("lower") }

// Upper upper-cases the string e.
func (e Expr) Upper() Expr { return e.un("upper") }

// Len is the length of the string e in characters (Unicode code points),
// as pandas' str.len and DuckDB's length.
func (e Expr) Len() Expr { return e.un("len") }

// Year is the year of the timestamp e (UTC).
func (e Expr) Year() Expr { return e.un("year") }

// Month is the month (1-12) of the timestamp e.
func (e Expr) Month() Expr { return e.un("month") }

// Day is the day of the month of the timestamp e.
func (e Expr) Day() Expr { return e.un("day") }

// Hour is the hour of the timestamp e.
func (e Expr) Hour() Expr { return e.un("hour") }

// Weekday is the day of the week of the timestamp e, Monday=0 as in pandas.
func (e Expr) Weekday() Expr { return e.un("weekday") }

// Alias names the expression's result column.
func (e Expr) Alias(name string) Expr { return e.str("alias", name) }

// Aggregations, for GroupBy.Agg and Frame.Agg. They skip nulls, as pandas
// does. Over no values (an empty frame, a group of only nulls) Sum, Count,
// Size and NUnique give 0, as pandas (SQL's SUM gives NULL); the others
// give null. MinCount(n) makes any of them null below n values (pandas'
// min_count).

// Sum of the non-null values: 0 for none, as pandas' sum; SQL's NULL with
// Sum().MinCount(1).
func (e Expr) Sum() Expr { return e.un("sum") }

// Mean of the non-null values (null for none).
func (e Expr) Mean() Expr { return e.un("mean") }

// Count of the non-null values (0 for none); count(*) is Count().
func (e Expr) Count() Expr { return e.un("count") }

// Size is the number of rows, nulls included (0 for none).
func (e Expr) Size() Expr { return e.un("size") }

// Min of the non-null values (null for none).
func (e Expr) Min() Expr { return e.un("min") }

// Max of the non-null values (null for none).
func (e Expr) Max() Expr { return e.un("max") }

// Std is the sample standard deviation (ddof=1; null for none).
func (e Expr) Std() Expr { return e.un("std") }

// Var is the sample variance (ddof=1; null for none).
func (e Expr) Var() Expr { return e.un("var") }

// First is the first non-null value in partition order (null for none).
func (e Expr) First() Expr { return e.un("first") }

// Last is the last non-null value in partition order (null for none).
func (e Expr) Last() Expr { return e.un("last") }

// NUnique is the number of distinct non-null values (0 for none).
func (e Expr) NUnique() Expr { return e.un("nunique") }

// Median of the non-null values (null for none).
func (e Expr) Median() Expr { return e.un("median") }

// When starts a conditional: When(c1).Then(v1).When(c2).Then(v2).Otherwise(v).
func When(cond Expr) *WhenExpr { return &WhenExpr{args: []*enode{cond.n}} }

// WhenExpr is a conditional under construction.
type WhenExpr struct{ args []*enode }

// Then gives the value for the last condition.
func (w *WhenExpr) Then(v Expr) *WhenExpr {
	return &WhenExpr{args: append(append([]*enode(nil), w.args...), v.n)}
}

// When adds another condition.
func (w *WhenExpr) When(cond Expr) *WhenExpr {
	return &WhenExpr{args: append(append([]*enode(nil), w.args...), cond.n)}
}

// Otherwise gives the value where no condition holds and ends the conditional.
func (w *WhenExpr) Otherwise(v Expr) Expr {
	return Expr{&enode{op: "when", args: append(append([]*enode(nil), w.args...), v.n)}}
}

var aggOps = map[string]bool{"sum": true, "mean": true, "count": true, "size": true, "min": true, "max": true,
	"std": true, "var": true, "first": true, "last": true, "nunique": true, "median": true}

// String prints the expression, e.g. (col("a") + 1).
func (e Expr) String() string {
	if e.n == nil {
		return "<nil expr>"
	}
	return e.n.String()
}

var binOps = map[string]bool{"+": true, "-": true, "*": true, "/": true, "==": true, "!=": true, "<": true,
	"<=": true, ">": true, ">=": true, "and": true, "or": true}

func (n *enode) String() string {
	if n == nil {
		return "<nil>"
	}
	switch {
	case n.op == "col":
		return n.name
	case n.op == "lit":
		return n.lit.String()
	case binOps[n.op]:
		return "(" + n.args[0].String() + " " + n.op + " " + n.args[1].String() + ")"
	case n.op == "isin":
		var s []string
		for _, l := range n.lits {
			s = append(s, l.String())
		}
		return n.args[0].String() + ".isin([" + strings.Join(s, ", ") + "])"
	case n.op == "alias":
		return n.args[0].String() + " AS " + n.name
	case n.op == "when":
		var b strings.Builder
		for i := 0; i+1 < len(n.args); i += 2 {
			fmt.Fprintf(&b, "WHEN %s THEN %s ", n.args[i], n.args[i+1])
		}
		fmt.Fprintf(&b, "ELSE %s", n.args[len(n.args)-1])
		return b.String()
	}
	var s []string
	for _, a := range n.args {
		s = append(s, a.String())
	}
	if n.name != "" {
		s = append(s, strconv.Quote(n.name))
	}
	return n.op + "(" + strings.Join(s, ", ") + ")"
}

// outName is the column name an expression produces: its alias, else the
// name of the column it is built on.
func (n *enode) outName() string {
	switch n.op {
	case "alias", "col":
		return n.name
	case "lit":
		return "literal"
	}
	if len(n.args) > 0 {
		return n.args[0].outName()
	}
	return n.op
}

func (n *enode) hasAgg() bool {
	if aggOps[n.op] {
		return true
	}
	for _, a := range n.args {
		if a.hasAgg() {
			return true
		}
	}
	return false
}

// cols adds the column names n reads to set.
func (n *enode) cols(set map[string]bool) {
	if n == nil {
		return
	}
	if n.op == "col" {
		set[n.name] = true
	}
	for _, a := range n.args {
		a.cols(set)
	}
}

func appendLit(b []byte, l litVal) []byte {
	if l.null {
		return append(b, 0xff)
	}
	b = append(b, byte(l.k))
	switch l.k {
	case kInt, kTime, kDate, kDur:
		b = appendVarint(b, l.i)
	case kFloat:
		b = appendVarint(b, int64(math.Float64bits(l.f)))
	case kStr, kInvalid:
		b = graph.AppendBytes(b, []byte(l.s))
	case kBool:
		if l.b {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	return b
}

func readLit(r *graph.Reader) litVal {
	k := r.Byte()
	if k == 0xff {
		return litVal{null: true}
	}
	l := litVal{k: kind(k)}
	switch l.k {
	case kInt, kTime, kDate, kDur:
		l.i = r.Varint()
	case kFloat:
		l.f = math.Float64frombits(uint64(r.Varint()))
	case kStr, kInvalid:
		l.s = string(r.Bytes())
	case kBool:
		l.b = r.Byte() == 1
	}
	return l
}

// appendExpr encodes n (deterministically, for task keys and the wire).
func appendExpr(b []byte, n *enode) []byte {
	b = graph.AppendBytes(b, []byte(n.op))
	b = graph.AppendBytes(b, []byte(n.name))
	if n.op == "lit" {
		b = appendLit(b, n.lit)
	}
	b = appendUvarint(b, uint64(len(n.lits)))
	for _, l := range n.lits {
		b = appendLit(b, l)
	}
	b = appendUvarint(b, uint64(len(n.args)))
	for _, a := range n.args {
		b = appendExpr(b, a)
	}
	return b
}

func readExpr(r *graph.Reader, depth int) *enode {
	if depth > 1000 {
		r.Bytes()
		return &enode{}
	}
	n := &enode{op: string(r.Bytes()), name: string(r.Bytes())}
	if n.op == "lit" {
		n.lit = readLit(r)
	}
	nl := r.Uvarint()
	for i := uint64(0); i < nl && r.Err() == nil; i++ {
		n.lits = append(n.lits, readLit(r))
	}
	na := r.Uvarint()
	for i := uint64(0); i < na && r.Err() == nil; i++ {
		n.args = append(n.args, readExpr(r, depth+1))
	}
	return n
}
