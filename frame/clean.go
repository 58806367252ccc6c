package frame

import (
	"fmt"
	"math"
	"sort"

	"github.com/apache/arrow/go/v15/arrow"
)

// Cleaning: FillNA, FFill/BFill, DropNA, Replace, Clip, Astype. Each is a
// projection or a filter of expressions (fused into the partition's task),
// except FFill and BFill, which carry the last (first) value of each
// column from partition to partition.
//
// "Missing" means null, and for float64 columns also NaN, as pandas' isna.

// missingExpr is the expression "c is missing" (null, or NaN for floats).
func missingExpr(c string, k kind) Expr {
	if k == kFloat {
		return Col(c).IsNull().Or(Col(c).Ne(Col(c)).FillNull(Lit(false)))
	}
	return Col(c).IsNull()
}

// fillExpr is c with its missing values replaced by v.
func fillExpr(c string, k kind, v any) Expr {
	if k == kFloat {
		return When(Col(c).Ne(Col(c)).FillNull(Lit(false))).Then(Lit(v)).Otherwise(Col(c).FillNull(Lit(v))).Alias(c)
	}
	return Col(c).FillNull(Lit(v)).Alias(c)
}

// fits reports whether a fill or replacement value v can go into a column of
// kind k without changing its type: the same type, or an integer into a
// float column.
func fits(v any, k kind) bool {
	l := toLit(v)
	return l.k == k || (l.k == kInt && k == kFloat)
}

func (f *Frame) fieldKind(what, c string) (kind, error) {
	idx := f.n.schema.FieldIndices(c)
	if len(idx) == 0 {
		return 0, fmt.Errorf("frame: %s: unknown column %q; the columns are %s", what, c, schemaCols(f.n.schema))
	}
	return kindOf(f.n.schema.Field(idx[0]).Type), nil
}

// withExprs replaces the named columns by the given expressions, keeping the
// others and the column order.
func (f *Frame) withExprs(repl map[string]Expr) *Frame {
	var es []Expr
	for _, fl := range f.n.schema.Fields() {
		if e, ok := repl[fl.Name]; ok {
			es = append(es, e.Alias(fl.Name))
		} else {
			es = append(es, Col(fl.Name))
		}
	}
	return f.Select(es...)
}

// FillNA fills the missing values (nulls, and NaN in float columns) of
// every column whose type value fits, as pandas' fillna(value): an int64
// value fills int64 and float64 columns, a float64 value float64 columns, a
// string string columns, a bool bool columns, a time.Time timestamp
// columns; other columns are left as they are (pandas would turn them to
// object). A value of another Go type is an error.
func (f *Frame) FillNA(value any) *Frame {
	if f.err != nil {
		return f
	}
	if toLit(value).k == kInvalid {
		return errFrame(fmt.Errorf("frame: FillNA: unsupported value type %T (want int, int64, float64, string, bool or time.Time)", value))
	}
	repl := map[string]Expr{}
	for _, fl := range f.n.schema.Fields() {
		if k := kindOf(fl.Type); fits(value, k) {
			repl[fl.Name] = fillExpr(fl.Name, k, value)
		}
	}
	return f.withExprs(repl)
}

// FillNAMap fills the missing values of each named column with its own
// value (pandas' fillna({col: value})). An unknown column, or a value its
// column cannot hold (see FillNA), is an error.
func (f *Frame) FillNAMap(values map[string]any) *Frame {
	if f.err != nil {
		return f
	}
	repl := map[string]Expr{}
	for c, v := range values {
		k, err := f.fieldKind("FillNAMap", c)
		if err != nil {
			return errFrame(err)
		}
		if !fits(v, k) {
			return errFrame(fmt.Errorf("frame: FillNAMap: column %q is %s; cannot fill it with %v (%T)", c, k.dtype(), v, v))
		}
		repl[c] = fillExpr(c, k, v)
	}
	return f.withExprs(repl)
}

// DropNAOptions says which rows DropNA drops. The zero value drops the rows
// with any missing value in any column (pandas' dropna()).
type DropNAOptions struct {
	// All drops a row only when all the Subset columns are missing
	// (how="all"); otherwise any missing one drops it (how="any").
	All bool
	// Thresh, when positive, keeps the rows with at least Thresh
	// non-missing values among Subset, and overrides All.
	Thresh int
	// Subset are the columns looked at (all when empty).
	Subset []string
}

// DropNA drops the rows with missing values (nulls, and NaN in float
// columns), as pandas' dropna(how=, thresh=, subset=). Without options it
// drops the rows where any column is missing.
func (f *Frame) DropNA(opts ...DropNAOptions) *Frame {
	if f.err != nil {
		return f
	}
	var o DropNAOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	cols := o.Subset
	if len(cols) == 0 {
		cols = f.Columns()
	}
	var present []Expr
	for _, c := range cols {
		k, err := f.fieldKind("DropNA", c)
		if err != nil {
			return errFrame(err)
		}
		present = append(present, missingExpr(c, k).Not())
	}
	if len(present) == 0 {
		return f
	}
	var keep Expr
	switch {
	case o.Thresh > 0:
		cnt := Lit(0)
		for _, p := range present {
			cnt = cnt.Add(When(p).Then(Lit(1)).Otherwise(Lit(0)))
		}
		keep = cnt.Ge(Lit(o.Thresh))
	case o.All:
		keep = present[0]
		for _, p := range present[1:] {
			keep = keep.Or(p)
		}
	default:
		keep = present[0]
		for _, p := range present[1:] {
			keep = keep.And(p)
		}
	}
	return f.Filter(keep)
}

// replaceExpr is column c (of kind k) with each key of m replaced by its
// value; nil as a key matches null, math.NaN() matches NaN. A pair whose
// new value the column cannot hold is an error when strict, else skipped.
func replaceExpr(c string, k kind, m map[any]any, strict bool) (Expr, bool, error) {
	var w *WhenExpr
	// A fixed order (the keys' printed form), so the plan and its task
	// keys are the same from run to run.
	// (Pairs, not lookups: a NaN key cannot be looked up.)
	type pair struct{ old, nv any }
	pairs := make([]pair, 0, len(m))
	for old, nv := range m {
		pairs = append(pairs, pair{old, nv})
	}
	sort.Slice(pairs, func(i, j int) bool { return fmt.Sprint(pairs[i].old) < fmt.Sprint(pairs[j].old) })
	for _, p := range pairs {
		old, nv := p.old, p.nv
		var cond Expr
		switch {
		case old == nil:
			cond = Col(c).IsNull()
		case fits(old, k):
			if x, ok := old.(float64); ok && math.IsNaN(x) {
				cond = Col(c).Ne(Col(c)).FillNull(Lit(false))
			} else {
				cond = Col(c).Eq(Lit(old)).FillNull(Lit(false))
			}
		default:
			continue
		}
		if nv != nil && !fits(nv, k) && !(toLit(nv).k == kFloat && k == kInt) {
			if !strict {
				continue
			}
			return Expr{}, false, fmt.Errorf("column %q is %s: cannot replace %v with %v (%T)", c, k.dtype(), old, nv, nv)
		}
		if w == nil {
			w = When(cond).Then(Lit(nv))
		} else {
			w = w.When(cond).Then(Lit(nv))
		}
	}
	if w == nil {
		return Expr{}, false, nil
	}
	return w.Otherwise(Col(c)), true, nil
}

// Replace replaces values in every column where the old value's type
// matches the column's (pandas' replace({old: new})): nil as a key matches
// null and math.NaN() matches NaN; nil as a value makes a null. A pair is
// applied to the columns that can hold its new value (a float64 into an
// int64 column turns it to float64, as pandas); ReplaceIn, for one column,
// makes a mismatch an error instead.
func (f *Frame) Replace(m map[any]any) *Frame {
	if f.err != nil {
		return f
	}
	repl := map[string]Expr{}
	for _, fl := range f.n.schema.Fields() {
		e, ok, err := replaceExpr(fl.Name, kindOf(fl.Type), m, false)
		if err != nil {
			return errFrame(fmt.Errorf("frame: Replace: %w", err))
		}
		if ok {
			repl[fl.Name] = e
		}
	}
	return f.withExprs(repl)
}

// ReplaceIn replaces values in the named column only (pandas'
// replace({col: {old: new}})), by Replace's rules.
func (f *Frame) ReplaceIn(col string, m map[any]any) *Frame {
	if f.err != nil {
		return f
	}
	k, err := f.fieldKind("ReplaceIn", col)
	if err != nil {
		return errFrame(err)
	}
	e, ok, err := replaceExpr(col, k, m, true)
	if err != nil {
		return errFrame(fmt.Errorf("frame: ReplaceIn: %w", err))
	}
	if !ok {
		return f
	}
	return f.withExprs(map[string]Expr{col: e})
}

// Clip limits the values of the named numeric columns (all numeric columns
// when none) to [lower, upper], as pandas' clip; a nil bound is no bound.
// NaN and null stay as they are. Float bounds on an int64 column turn it to
// float64. A non-numeric column named, or lower > upper, is an error.
func (f *Frame) Clip(lower, upper any, cols ...string) *Frame {
	if f.err != nil {
		return f
	}
	for _, b := range []any{lower, upper} {
		if b != nil && !toLit(b).k.numeric() {
			return errFrame(fmt.Errorf("frame: Clip: bound %v (%T) is not a number", b, b))
		}
	}
	if lower != nil && upper != nil && toLit(lower).float() > toLit(upper).float() {
		return errFrame(fmt.Errorf("frame: Clip: lower bound %v is above upper bound %v", lower, upper))
	}
	if len(cols) == 0 {
		for _, fl := range f.n.schema.Fields() {
			if k := kindOf(fl.Type); k == kInt || k == kFloat {
				cols = append(cols, fl.Name)
			}
		}
	}
	repl := map[string]Expr{}
	for _, c := range cols {
		k, err := f.fieldKind("Clip", c)
		if err != nil {
			return errFrame(err)
		}
		if k != kInt && k != kFloat {
			return errFrame(fmt.Errorf("frame: Clip: column %q is %s, not numeric", c, k.dtype()))
		}
		var w *WhenExpr
		if lower != nil {
			w = When(Col(c).Lt(Lit(lower)).FillNull(Lit(false))).Then(Lit(lower))
		}
		if upper != nil {
			cond := Col(c).Gt(Lit(upper)).FillNull(Lit(false))
			if w == nil {
				w = When(cond).Then(Lit(upper))
			} else {
				w = w.When(cond).Then(Lit(upper))
			}
		}
		if w != nil {
			repl[c] = w.Otherwise(Col(c))
		}
	}
	return f.withExprs(repl)
}

// Astype casts several columns at once (pandas' astype({col: dtype})),
// each by Cast's rules; the other columns are kept.
func (f *Frame) Astype(types map[string]arrow.DataType) *Frame {
	if f.err != nil {
		return f
	}
	repl := map[string]Expr{}
	for c, t := range types {
		if _, err := f.fieldKind("Astype", c); err != nil {
			return errFrame(err)
		}
		if kindOf(t) == kInvalid {
			return errFrame(fmt.Errorf("frame: Astype: column %q: %s is not a frame dtype (Int64, Float64, String, Bool, Timestamp)", c, t))
		}
		repl[c] = Col(c).Cast(t)
	}
	return f.withExprs(repl)
}
