package frame

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/godask/godask/sched"
)

// Reshaping: Melt, GetDummies, PivotTable, several aggregations per column
// (GroupBy.AggFuncs), ValueCounts options. All are built from projections,
// concatenations and grouped aggregations, so they fuse, push projections
// into the readers and run on any executor.

// MeltOptions names Melt's output columns.
type MeltOptions struct {
	VarName   string // the column of the melted column names; default "variable"
	ValueName string // the column of their values; default "value"
}

// Melt unpivots the valueVars columns (all columns not in idVars when
// empty) into rows, as pandas' melt: the output has the idVars, then a
// column of column names and a column of values; its rows are every input
// row for the first value column, then for the second, and so on. The value
// columns must share a type (int64 and float64 mix as float64); otherwise
// it is an error naming them (cast them first).
func (f *Frame) Melt(idVars, valueVars []string, opts ...MeltOptions) *Frame {
	if f.err != nil {
		return f
	}
	o := MeltOptions{VarName: "variable", ValueName: "value"}
	if len(opts) > 0 {
		if opts[0].VarName != "" {
			o.VarName = opts[0].VarName
		}
		if opts[0].ValueName != "" {
			o.ValueName = opts[0].ValueName
		}
	}
	id := map[string]bool{}
	for _, c := range idVars {
		if _, err := f.fieldKind("Melt", c); err != nil {
			return errFrame(err)
		}
		id[c] = true
	}
	if len(valueVars) == 0 {
		for _, c := range f.Columns() {
			if !id[c] {
				valueVars = append(valueVars, c)
			}
		}
	}
	if len(valueVars) == 0 {
		return errFrame(fmt.Errorf("frame: Melt: no value columns"))
	}
	var out kind
	for i, c := range valueVars {
		k, err := f.fieldKind("Melt", c)
		if err != nil {
			return errFrame(err)
		}
		switch {
		case i == 0:
			out = k
		case k == out:
		case (k == kInt || k == kFloat) && (out == kInt || out == kFloat):
			out = kFloat
		default:
			return errFrame(fmt.Errorf("frame: Melt: value columns %q (%s) and %q (%s) differ in type; cast them to one first", valueVars[0], out.dtype(), c, k.dtype()))
		}
	}
	parts := make([]*Frame, len(valueVars))
	for i, c := range valueVars {
		var es []Expr
		for _, k := range idVars {
			es = append(es, Col(k))
		}
		v := Col(c)
		if k, _ := f.fieldKind("Melt", c); k != out {
			v = v.Cast(out.dtype())
		}
		es = append(es, Lit(c).Alias(o.VarName), v.Alias(o.ValueName))
		parts[i] = f.Select(es...)
		if parts[i].err != nil {
			return errFrame(fmt.Errorf("frame: Melt: %w", parts[i].err))
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return Concat(parts...)
}

// Categories computes the distinct non-null values of each named column,
// sorted (numbers ascending, strings by bytes, false before true, times in
// order): the categories GetDummiesOf and PivotTable take. One run computes
// all the columns.
func (f *Frame) Categories(ctx context.Context, cols []string, opts ...sched.Option) ([][]any, error) {
	if f.err != nil {
		return nil, f.err
	}
	fs := make([]*Frame, len(cols))
	for i, c := range cols {
		if _, err := f.fieldKind("Categories", c); err != nil {
			return nil, err
		}
		// A groupby, not Unique: its dense and dictionary-code paths are
		// far cheaper than a row deduplication.
		fs[i] = f.GroupBy(c).Agg(Col(c).Count().Alias("__n")).SelectCols(c)
	}
	ts, err := ComputeAll(ctx, fs, opts...)
	if err != nil {
		return nil, err
	}
	out := make([][]any, len(cols))
	for i, c := range cols {
		var vs []any
		for r := 0; r < ts[i].NumRows(); r++ {
			if v := ts[i].Value(r, c); v != nil {
				if x, ok := v.(float64); ok && x != x {
					continue // NaN is missing, not a category
				}
				vs = append(vs, v)
			}
		}
		sortValues(vs)
		out[i] = vs
	}
	return out, nil
}

func sortValues(vs []any) {
	sort.Slice(vs, func(i, j int) bool {
		switch a := vs[i].(type) {
		case int64:
			return a < vs[j].(int64)
		case float64:
			return a < vs[j].(float64)
		case string:
			return a < vs[j].(string)
		case bool:
			return !a && vs[j].(bool)
		case time.Time:
			return a.Before(vs[j].(time.Time))
		}
		return false
	})
}

// categoryName is how a category value is spelt in a column name.
func categoryName(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case time.Time:
		c := colOf(timeArray([]int64{x.UnixMicro()}, nil))
		return cell(&c, 0)
	}
	return fmt.Sprint(v)
}

// GetDummiesOf replaces column col by one bool column per category,
// col_category, true where col equals it (pandas' get_dummies with known
// categories, as Dask requires them). A null (or NaN) is false everywhere;
// a value not among the categories too. A category whose type does not
// match the column's is an error.
func (f *Frame) GetDummiesOf(col string, categories []any) *Frame {
	if f.err != nil {
		return f
	}
	k, err := f.fieldKind("GetDummies", col)
	if err != nil {
		return errFrame(err)
	}
	var es []Expr
	for _, fl := range f.n.schema.Fields() {
		if fl.Name != col {
			es = append(es, Col(fl.Name))
			continue
		}
		for _, c := range categories {
			if !fits(c, k) && !(k == kInt && toLit(c).k == kFloat) {
				return errFrame(fmt.Errorf("frame: GetDummies: category %v (%T) does not match column %q (%s)", c, c, col, k.dtype()))
			}
			es = append(es, Col(col).Eq(Lit(c)).FillNull(Lit(false)).Alias(col+"_"+categoryName(c)))
		}
	}
	return f.Select(es...)
}

// GetDummies is GetDummiesOf for each named column with the categories
// found by a first pass over the data (Categories), like pandas'
// get_dummies(columns=...). More than maxCategories (0: 1000) categories
// in a column is an error naming the column.
func (f *Frame) GetDummies(ctx context.Context, cols []string, maxCategories int, opts ...sched.Option) (*Frame, error) {
	if maxCategories <= 0 {
		maxCategories = 1000
	}
	cats, err := f.Categories(ctx, cols, opts...)
	if err != nil {
		return nil, fmt.Errorf("frame: GetDummies: %w", err)
	}
	out := f
	for i, c := range cols {
		if len(cats[i]) > maxCategories {
			return nil, fmt.Errorf("frame: GetDummies: column %q has %d categories, more than the limit of %d", c, len(cats[i]), maxCategories)
		}
		out = out.GetDummiesOf(c, cats[i])
	}
	return out, out.Err()
}

// PivotOptions describes a pivot table.
type PivotOptions struct {
	Index   []string // the row keys (one output row per distinct value)
	Columns string   // the column whose values become columns
	Values  string   // the column aggregated
	// AggFunc is "mean" (the default, as pandas), "sum", "count", "size",
	// "min", "max", "median", "std", "var", "first", "last" or "nunique".
	AggFunc string
	// ColumnValues are the output columns' values of Columns, in order;
	// nil finds them with a first pass (sorted, nulls and NaN left out).
	ColumnValues []any
	// MaxColumns bounds the number of output value columns (0: 1000); past
	// it PivotTable is an error naming the count.
	MaxColumns int
}

// PivotTable is pandas' pivot_table(index=, columns=, values=, aggfunc=):
// one row per distinct Index (rows whose index is null are left out, as
// pandas), sorted by it, then one column per value of Columns, named by the
// value ("cash", "3"), holding AggFunc of Values over the rows with that
// index and that column value; null where no row has them (pandas' NaN).
// It is one grouped aggregation on Index and Columns (partial aggregates
// merged by a tree or a shuffle like any GroupBy), whose small result one
// task spreads wide, so its cost does not grow with the output columns. ColumnValues nil costs a first pass now (ctx)
// to find them; given, nothing runs until Compute.
func (f *Frame) PivotTable(ctx context.Context, o PivotOptions, opts ...sched.Option) (*Frame, error) {
	if f.err != nil {
		return nil, f.err
	}
	if len(o.Index) == 0 || o.Columns == "" || o.Values == "" {
		return nil, fmt.Errorf("frame: PivotTable: Index, Columns and Values are needed")
	}
	if o.AggFunc == "" {
		o.AggFunc = "mean"
	}
	if o.MaxColumns <= 0 {
		o.MaxColumns = 1000
	}
	if _, ok := aggFuncs[o.AggFunc]; !ok {
		return nil, fmt.Errorf("frame: PivotTable: unknown AggFunc %q (want one of %s)", o.AggFunc, aggFuncNames())
	}
	ck, err := f.fieldKind("PivotTable", o.Columns)
	if err != nil {
		return nil, err
	}
	if _, err := f.fieldKind("PivotTable", o.Values); err != nil {
		return nil, err
	}
	vals := o.ColumnValues
	if vals == nil {
		cats, err := f.Categories(ctx, []string{o.Columns}, opts...)
		if err != nil {
			return nil, fmt.Errorf("frame: PivotTable: finding the values of %q: %w", o.Columns, err)
		}
		vals = cats[0]
	}
	if len(vals) > o.MaxColumns {
		return nil, fmt.Errorf("frame: PivotTable: column %q has %d distinct values, more than MaxColumns=%d output columns", o.Columns, len(vals), o.MaxColumns)
	}
	for _, v := range vals {
		if !fits(v, ck) && !(ck == kInt && toLit(v).k == kFloat) {
			return nil, fmt.Errorf("frame: PivotTable: column value %v (%T) does not match column %q (%s)", v, v, o.Columns, ck.dtype())
		}
	}
	if len(vals) == 0 {
		return nil, fmt.Errorf("frame: PivotTable: column %q has no values", o.Columns)
	}
	out, err := f.pivotLong(o).pivotWide(o, vals)
	if err != nil {
		return nil, fmt.Errorf("frame: PivotTable: %w", err)
	}
	return out, nil
}

// aggFuncs are the aggregations by pandas' names.
var aggFuncs = map[string]func(Expr) Expr{
	"sum": Expr.Sum, "mean": Expr.Mean, "count": Expr.Count, "size": Expr.Size,
	"min": Expr.Min, "max": Expr.Max, "median": Expr.Median, "std": Expr.Std,
	"var": Expr.Var, "first": Expr.First, "last": Expr.Last, "nunique": Expr.NUnique,
}

func aggFuncNames() string {
	var ns []string
	for n := range aggFuncs {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return strings.Join(ns, ", ")
}

// AggSpec is one column with the aggregations to compute of it, by pandas'
// names ("sum", "mean", "count", "size", "min", "max", "median", "std",
// "var", "first", "last", "nunique").
type AggSpec struct {
	Col   string
	Funcs []string
}

// AggFuncs computes several aggregations per column in one pass, as pandas'
// agg({"v": ["sum", "mean"], "w": "max"}): the keys, then one column per
// (column, function) in the order given, named column_function ("v_sum",
// "v_mean", "w_max"). An unknown function is an error listing the known
// ones.
func (g *GroupBy) AggFuncs(specs ...AggSpec) *Frame {
	var es []Expr
	for _, s := range specs {
		for _, fn := range s.Funcs {
			a, ok := aggFuncs[fn]
			if !ok {
				return errFrame(fmt.Errorf("frame: AggFuncs: unknown aggregation %q of %q (want one of %s)", fn, s.Col, aggFuncNames()))
			}
			es = append(es, a(Col(s.Col)).Alias(s.Col+"_"+fn))
		}
	}
	return g.Agg(es...)
}

// AggFuncs over the whole frame: a one-row frame (see GroupBy.AggFuncs).
func (f *Frame) AggFuncs(specs ...AggSpec) *Frame { return f.GroupBy().AggFuncs(specs...) }

// ValueCountsOptions changes ValueCounts.
type ValueCountsOptions struct {
	// DropNA leaves null (and NaN) values out, as pandas' value_counts
	// does by default (dropna=True). Without it null is counted as a value
	// of its own, as SQL's GROUP BY and Dask's groupby.
	DropNA bool
}
