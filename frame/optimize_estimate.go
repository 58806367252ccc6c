package frame

import (
	"math"
	"sync"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// Row estimates for the join planner (the broadcast choice and the build
// side, shown by Explain).
//
// A filter's selectivity comes from its predicate: the range conditions on
// one column are merged into an interval and measured against the column's
// minimum and maximum (Parquet row-group statistics, or the persisted
// records' values), assuming values spread evenly; an equality with an
// integer column keeps 1/(max−min+1) of its rows; other conditions take
// fixed fractions (any other equality 1/10, IsIn one such share per value, a comparison of two columns 1/3, Like 1/10), and
// independent conditions multiply.
//
// A join's estimate is the key/foreign-key rule: |L ⋈ R| = |L|·|R| / V,
// where V, the number of distinct keys, is taken as the unfiltered rows of
// the smaller base side (the dimension table whose primary key the other
// side refers to). So a filter on a dimension (orders of one year, the
// customers of one region) shrinks the estimate of everything joined to it,
// which is what lets a filtered dimension be broadcast instead of
// shuffling the fact table (a semi-join reduction the planner can see).

// Fallback fractions of the selectivity model.
const (
	selEq      = 0.1 // col == lit without an integer range (strings, mostly)
	selRange   = 1.0 / 3
	selColCol  = 1.0 / 3 // col < col
	selColEq   = 0.1     // col == col
	selLike    = 0.1
	selUnknown = filterSelectivity
)

// colRange is a column's [lo, hi] over a source, as float64s (dates as
// days, timestamps as microseconds); ok false when unknown.
type colRange struct {
	lo, hi  float64
	integer bool // the column holds integers (int64, date, timestamp)
	ok      bool
}

// rangesOf are the known column ranges of a source node (nil: none).
func rangesOf(n *node) func(string) colRange {
	if n == nil || n.op != "source" {
		return nil
	}
	src := n.src
	if s, ok := src.(*sharedSource); ok {
		src = s.inner
	}
	switch s := src.(type) {
	case *pqSource:
		return func(c string) colRange { return pqRange(s, c) }
	case *memSource:
		return func(c string) colRange { return memRange(s, c) }
	}
	return nil
}

// pqRange merges the row groups' min/max statistics of column c.
func pqRange(s *pqSource, c string) colRange {
	out := colRange{lo: math.Inf(1), hi: math.Inf(-1)}
	for _, p := range s.parts {
		st, ok := p.meta.Stats[c]
		if !ok || !st.Has {
			return colRange{}
		}
		lo, ok1 := statFloat(st.Min)
		hi, ok2 := statFloat(st.Max)
		if !ok1 || !ok2 {
			return colRange{}
		}
		_, out.integer = st.Min.(int64)
		out.lo, out.hi = min(out.lo, lo), max(out.hi, hi)
	}
	out.ok = len(s.parts) > 0
	return out
}

func statFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	}
	return 0, false
}

// memRanges caches the column ranges of persisted sources, computed on
// first use by one pass over the column (a few milliseconds for millions
// of rows); entries live as long as the process, a few words a column.
var memRanges sync.Map // memRangeKey -> colRange

type memRangeKey struct {
	s   *memSource
	col string
}

func memRange(s *memSource, c string) colRange {
	k := memRangeKey{s, c}
	if v, ok := memRanges.Load(k); ok {
		return v.(colRange)
	}
	out := colRange{lo: math.Inf(1), hi: math.Inf(-1), ok: len(s.recs) > 0}
	for _, r := range s.recs {
		idx := r.Schema().FieldIndices(c)
		if len(idx) == 0 {
			out.ok = false
			break
		}
		lo, hi, integer, ok := arrayRange(r.Column(idx[0]))
		if !ok {
			out.ok = false
			break
		}
		if r.NumRows() > 0 {
			out.lo, out.hi, out.integer = min(out.lo, lo), max(out.hi, hi), integer
		}
	}
	if out.ok && out.lo > out.hi {
		out.ok = false
	}
	memRanges.Store(k, out)
	return out
}

// arrayRange is the min and max of a numeric or date array's valid values.
func arrayRange(a arrow.Array) (lo, hi float64, integer, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	switch x := a.(type) {
	case *array.Date32:
		for i, v := range date32Vals(x) {
			if x.IsValid(i) {
				lo, hi = min(lo, float64(v)), max(hi, float64(v))
			}
		}
		return lo, hi, true, true
	case *array.Int64:
		for i, v := range x.Int64Values() {
			if x.IsValid(i) {
				lo, hi = min(lo, float64(v)), max(hi, float64(v))
			}
		}
		return lo, hi, true, true
	case *array.Float64:
		for i, v := range x.Float64Values() {
			if x.IsValid(i) && !math.IsNaN(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		return lo, hi, false, true
	}
	return 0, 0, false, false
}

// selectivity estimates the fraction of rows pred keeps; ranges gives the
// columns' known ranges (nil: none known).
func selectivity(pred *enode, ranges func(string) colRange) float64 {
	if pred == nil {
		return 1
	}
	switch pred.op {
	case "and":
		return andSelectivity(pred, ranges)
	case "or":
		a, b := selectivity(pred.args[0], ranges), selectivity(pred.args[1], ranges)
		return a + b - a*b
	case "not":
		return 1 - selectivity(pred.args[0], ranges)
	case "isin":
		if len(pred.args) == 1 {
			return min(1, float64(len(pred.lits))*eqSelectivity(pred.args[0], ranges))
		}
	case "like", "ilike", "matches":
		return selLike
	case "==", "!=", "<", "<=", ">", ">=":
		a, b := pred.args[0], pred.args[1]
		if a.op == "col" && b.op == "col" {
			if pred.op == "==" {
				return selColEq
			}
			if pred.op == "!=" {
				return 1 - selColEq
			}
			return selColCol
		}
		if a.op == "lit" && b.op == "col" {
			a, b = b, a
		}
		if a.op == "col" && b.op == "lit" {
			switch pred.op {
			case "==":
				return eqSelectivity(a, ranges)
			case "!=":
				return 1 - eqSelectivity(a, ranges)
			}
			// A lone range condition: an interval open on one side.
			return andSelectivity(pred, ranges)
		}
	}
	return selUnknown
}

// eqSelectivity is the fraction an equality with column c keeps.
func eqSelectivity(c *enode, ranges func(string) colRange) float64 {
	if c.op != "col" {
		return selEq
	}
	if ranges != nil {
		if r := ranges(c.name); r.ok && r.integer && r.hi >= r.lo {
			return 1 / (r.hi - r.lo + 1)
		}
	}
	return selEq
}

// andSelectivity multiplies the conjuncts of pred, the range conditions on
// one column first merged into one interval.
func andSelectivity(pred *enode, ranges func(string) colRange) float64 {
	var conj []*enode
	var flat func(*enode)
	flat = func(e *enode) {
		if e.op == "and" {
			flat(e.args[0])
			flat(e.args[1])
			return
		}
		conj = append(conj, e)
	}
	flat(pred)
	type bounds struct {
		lo, hi float64
		n      int
		ok     bool // every bound numeric
	}
	byCol := map[string]*bounds{}
	var order []string
	sel := 1.0
	for _, e := range conj {
		col, lit, op, ok := rangeCond(e)
		if !ok {
			sel *= selectivity(e, ranges)
			continue
		}
		b := byCol[col]
		if b == nil {
			b = &bounds{lo: math.Inf(-1), hi: math.Inf(1), ok: true}
			byCol[col] = b
			order = append(order, col)
		}
		b.n++
		v, num := litFloat(lit)
		if !num {
			b.ok = false
			continue
		}
		if op == ">" || op == ">=" {
			b.lo = max(b.lo, v)
		} else {
			b.hi = min(b.hi, v)
		}
	}
	for _, c := range order {
		b := byCol[c]
		var r colRange
		if ranges != nil {
			r = ranges(c)
		}
		if !b.ok || !r.ok {
			// Unknown range: 1/3 for one bound, 1/4 for an interval.
			if b.n == 1 {
				sel *= selRange
			} else {
				sel *= 0.25
			}
			continue
		}
		lo, hi := max(b.lo, r.lo), min(b.hi, r.hi)
		width := r.hi - r.lo
		if r.integer {
			width++
		}
		switch {
		case hi < lo:
			sel *= 0
		case width <= 0:
			// One value in the column and it is inside the bounds.
		default:
			span := hi - lo
			if r.integer {
				span++
			}
			sel *= min(1, span/width)
		}
	}
	return sel
}

// rangeCond splits a col-op-lit (or lit-op-col) range comparison.
func rangeCond(e *enode) (col string, lit litVal, op string, ok bool) {
	switch e.op {
	case "<", "<=", ">", ">=":
	default:
		return "", litVal{}, "", false
	}
	a, b, op := e.args[0], e.args[1], e.op
	if a.op == "lit" && b.op == "col" {
		a, b, op = b, a, flipOp[op]
	}
	if a.op != "col" || b.op != "lit" || b.lit.null {
		return "", litVal{}, "", false
	}
	return a.name, b.lit, op, true
}

func litFloat(l litVal) (float64, bool) {
	switch l.k {
	case kInt, kDate, kTime, kDur:
		return float64(l.i), true
	case kFloat:
		return l.f, !math.IsNaN(l.f)
	}
	return 0, false
}
