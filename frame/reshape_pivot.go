package frame

import (
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
)

// PivotTable's plan: one grouped aggregation on Index plus Columns (the
// long table, small: one row per index and column value), sorted by
// Index, then a pivotExt task that spreads it wide. This is how DuckDB's
// PIVOT runs; the cost is one groupby however many output columns there
// are.

const pivotValue = "__pivot_value"

// pivotLong is the long aggregate of a pivot table: Index..., Columns,
// pivotValue, with null (and NaN) keys left out as pandas' groupby
// dropna, but from the small result, not as a filter of the input (which
// would keep the groupby off its fast paths).
func (f *Frame) pivotLong(o PivotOptions) *Frame {
	keys := append(append([]string(nil), o.Index...), o.Columns)
	long := f.GroupBy(keys...).Agg(aggFuncs[o.AggFunc](Col(o.Values)).Alias(pivotValue))
	for _, k := range keys {
		keep := Col(k).NotNull()
		if ck, err := f.fieldKind("PivotTable", k); err == nil && ck == kFloat {
			keep = Col(k).Eq(Col(k)) // false for NaN, null for null
		}
		long = long.Filter(keep)
	}
	return long.SortValues(false, o.Index...)
}

// pivotWide spreads the long aggregate: one row per distinct Index, one
// column per value of vals (named by categoryName), null where the long
// table has no row.
func (long *Frame) pivotWide(o PivotOptions, vals []any) (*Frame, error) {
	if long.err != nil {
		return nil, long.err
	}
	e := &pivotExt{index: o.Index, on: o.Columns}
	seen := map[string]bool{}
	var fields []arrow.Field
	for _, c := range o.Index {
		f, _ := long.n.schema.FieldsByName(c)
		fields = append(fields, f[0])
		seen[c] = true
	}
	vf, _ := long.n.schema.FieldsByName(pivotValue)
	for _, v := range vals {
		name := categoryName(v)
		if seen[name] {
			return nil, fmt.Errorf("frame: PivotTable: column value %v of %q gives the column name %q twice (or the name of an index column)", v, o.Columns, name)
		}
		seen[name] = true
		e.names = append(e.names, name)
		fields = append(fields, arrow.Field{Name: name, Type: vf[0].Type, Nullable: true})
	}
	return long.deriveExt(e, arrow.NewSchema(fields, nil)), nil
}

type pivotExt struct {
	index []string
	on    string
	names []string // the output value columns, as categoryName spells the values of on
}

func (e *pivotExt) describe() string {
	return fmt.Sprintf("pivot [%s] by %s into %d columns", strings.Join(e.index, ", "), e.on, len(e.names))
}

func (e *pivotExt) parts(*node) int { return 1 }

func (e *pivotExt) need(map[string]bool) map[string]bool { return nil }

func (e *pivotExt) lower(b *builder, _ *node, ps, _ []pend) ([]pend, error) {
	keys, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	k, err := b.add(&winOp{kind: "pivot", cols: e.index, on: e.on, names: e.names, piece: -1}, keys...)
	if err != nil {
		return nil, err
	}
	return []pend{{deps: []graph.Key{k}}}, nil
}

// runPivot spreads its inputs (the long aggregate's partitions, in Index
// order) wide.
func runPivot(o *winOp, in []any) (any, error) {
	var recs []arrow.Record
	for _, v := range in {
		if r := partRecord(v); r != nil {
			recs = append(recs, r)
		}
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("frame: pivot: no input")
	}
	r, err := concatRecords(recs[0].Schema(), recs)
	if err != nil {
		return nil, fmt.Errorf("frame: pivot: %w", err)
	}
	t := NewTable(r)
	idx := make([]col, len(o.cols))
	for j, c := range o.cols {
		a := t.Column(c)
		if a == nil {
			return nil, fmt.Errorf("frame: pivot: no index column %q in %s", c, r.Schema())
		}
		idx[j] = colOf(a)
	}
	slot := make(map[string]int, len(o.names))
	for j, n := range o.names {
		slot[n] = j
	}
	n := int(r.NumRows())
	var firsts []int32
	take := make([][]int32, len(o.names))
	for i := 0; i < n; i++ {
		if i == 0 || !rowsEqual(idx, i-1, i) {
			firsts = append(firsts, int32(i))
			for j := range take {
				take[j] = append(take[j], -1)
			}
		}
		v := t.Value(i, o.on)
		if v == nil {
			continue
		}
		if j, ok := slot[categoryName(v)]; ok {
			take[j][len(firsts)-1] = int32(i)
		}
	}
	fields := make([]arrow.Field, 0, len(o.cols)+len(o.names))
	arrs := make([]arrow.Array, 0, cap(fields))
	for _, c := range o.cols {
		f, _ := r.Schema().FieldsByName(c)
		fields = append(fields, f[0])
		arrs = append(arrs, takeCol(t.Column(c), firsts))
	}
	va := t.Column(pivotValue)
	for j, name := range o.names {
		fields = append(fields, arrow.Field{Name: name, Type: va.DataType(), Nullable: true})
		arrs = append(arrs, takeCol(va, take[j]))
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(len(firsts)))}, nil
}

func init() { winKinds["pivot"] = runPivot }
