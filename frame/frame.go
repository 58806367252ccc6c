// Package frame is godask's partitioned dataframe, the Go counterpart of
// dask.dataframe: a lazy Frame whose partitions are Arrow record batches.
// User operations build a logical plan (one node per operation); Graph runs
// the optimizer (projection and predicate pushdown into the readers, fusion
// of per-partition chains into one task per partition) and lowers the plan
// to a graph.Graph that sched runs. Compute returns a *Table.
//
//	df := frame.ReadParquet("data/indiv-*.parquet")
//	top := df.GroupBy("employer").Agg(frame.Col("transaction_amt").Sum()).NLargest(10, "transaction_amt")
//	t, err := top.Compute(ctx)
//
// Keys are deterministic, so several frames computed together with
// sched.Compute share the tasks they have in common (a Parquet column read by
// both is read once).
//
// Sorting (SortValues, SortBy) is a range shuffle with one split task per
// input partition and one sort task per output partition; SetIndex (or
// SetSortedIndex, for data already sorted) adds known divisions, so
// LocRange reads only the partitions it needs.
// Repartition, RepartitionBytes and Concat change the partitioning without a
// shuffle.
//
// What frame answers at the edges (NaN, nulls, integer overflow, casts, CSV
// and Parquet corner cases), each rule beside pandas' and DuckDB's, is
// written down in SEMANTICS.md in this directory: in short, NaN compares as
// IEEE 754 and is skipped by min, max, median and top-n and sorted last;
// null keys form a group (GroupBy.DropNA drops them) and join nothing;
// integer arithmetic and sums wrap, means and casts do not.
package frame

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// source produces the partitions of a leaf of the plan.
type source interface {
	// describe names the source in Explain.
	describe() string
	schema() *arrow.Schema
	nparts() int
	// part lowers partition i reading only cols (nil: all) with pred
	// (may be nil) applied: the tasks it needs, the dependency keys of the
	// pipe, and the pipe's first steps.
	part(i int, cols []string, pred *enode) ([]*graph.Task, []graph.Key, []step, error)
	// prune returns the source without the partitions that pred excludes
	// (Parquet row groups by statistics), or itself.
	prune(pred *enode) source
}

// node is one operation of the logical plan.
type node struct {
	op     string // source, project, filter, map, agg, topn, sort, concat
	in     *node
	src    source
	cols   []string  // source: projection (nil = all)
	pred   *enode    // source: pushed filter; filter: predicate
	exprs  []*enode  // project
	names  []string  // project: output names; sort/topn: by
	fn     string    // map
	keys   []string  // agg
	aggs   []Expr    // agg
	split  int       // agg: output partitions (0 = auto)
	n      int64     // topn
	desc   bool      // topn, sort
	right  *node     // join: the right input (in is the left)
	join   *joinSpec // join
	sort   *sortSpec // sort: keys, directions, computed boundaries
	parts  []int     // parts: the partitions of in kept (LocRange)
	rep    []repOut  // repartition: how outputs are made of inputs
	ins    []*node   // concat: the inputs (in is nil)
	idx    *index    // the index column and divisions, when known
	ext    extNode   // ext: windows, scans, resample, asof, statistics (window_node.go)
	schema *arrow.Schema
}

// Frame is a lazy, partitioned dataframe. Frames are immutable: every
// operation returns a new Frame. A mistake (an unknown column, a type error)
// makes a Frame whose Err reports it; operations on it keep the error, and
// Compute returns it.
type Frame struct {
	n   *node
	err error

	once  sync.Once
	g     *graph.Graph
	keys  []graph.Key
	plan  *node
	gerr  error
	nPart int
	// readBlock, when set (PlanMemory), is the range size the run's memory
	// limit allows default-sized text sources (read_plan.go).
	readBlock atomic.Int64
	// taskMem, when set (PlanMemory), is a task's share of the run's memory
	// limit: shuffle joins are sized for it (memplan_join.go).
	taskMem atomic.Int64
}

func errFrame(err error) *Frame { return &Frame{err: err} }

func newFrame(n *node) *Frame { return &Frame{n: n} }

// Err returns the frame's sticky error, or nil.
func (f *Frame) Err() error { return f.err }

// Schema returns the frame's Arrow schema (nil if Err is set).
func (f *Frame) Schema() *arrow.Schema {
	if f.err != nil {
		return nil
	}
	return f.n.schema
}

// Columns returns the column names.
func (f *Frame) Columns() []string {
	if f.err != nil {
		return nil
	}
	var out []string
	for _, fl := range f.n.schema.Fields() {
		out = append(out, fl.Name)
	}
	return out
}

// Dtypes returns each column's name and type, in column order, like
// pandas' dtypes (Of looks one up by name).
func (f *Frame) Dtypes() DtypeList {
	if f.err != nil {
		return nil
	}
	return DtypeList(append([]arrow.Field(nil), f.n.schema.Fields()...))
}

// NPartitions returns the number of partitions (after optimization, e.g.
// Parquet row groups pruned by a pushed-down filter).
func (f *Frame) NPartitions() int {
	if f.err != nil {
		return 0
	}
	f.lower()
	return f.nPart
}

// String shows the frame's structure, like Dask's repr: partitions, columns
// and dtypes, and the number of tasks.
func (f *Frame) String() string {
	if f.err != nil {
		return "frame.Frame<error: " + f.err.Error() + ">"
	}
	f.lower()
	var b strings.Builder
	fmt.Fprintf(&b, "frame.Frame npartitions=%d tasks=%d\n", f.nPart, f.g.Len())
	if ix := f.n.idx; ix != nil {
		fmt.Fprintf(&b, "  index=%s divisions=%s\n", ix.col, formatDivisions(ix.divs))
	}
	for _, fl := range f.n.schema.Fields() {
		fmt.Fprintf(&b, "  %-20s %s\n", fl.Name, fl.Type)
	}
	return strings.TrimRight(b.String(), "\n")
}

func (f *Frame) derive(n *node) *Frame {
	if f.err != nil {
		return f
	}
	n.in = f.n
	n.idx = keptIndex(f.n, n)
	return newFrame(n)
}

// Select keeps the given expressions (columns by Col, or computed ones named
// by Alias), in order.
func (f *Frame) Select(exprs ...Expr) *Frame {
	if f.err != nil {
		return f
	}
	if hasScalars(exprs) {
		// The hidden scalar columns are not among exprs: Select drops them.
		g, es, _ := bindScalars(f, exprs)
		if g.err != nil {
			return g
		}
		return g.Select(es...)
	}
	n := &node{op: "project"}
	var fields []arrow.Field
	for _, e := range exprs {
		bound, err := bindZones(e.n, f.n.schema) // tz_type.go
		if err != nil {
			return errFrame(fmt.Errorf("frame: Select: %w", err))
		}
		e = Expr{bound}
		k, err := typeOf(e.n, f.n.schema)
		if err != nil {
			return errFrame(fmt.Errorf("frame: Select: %w", err))
		}
		if e.n.hasAgg() {
			return errFrame(fmt.Errorf("frame: Select: %s is an aggregation; use Agg", e))
		}
		n.exprs = append(n.exprs, e.n)
		n.names = append(n.names, e.n.outName())
		fields = append(fields, arrow.Field{Name: e.n.outName(), Type: exprType(e.n, f.n.schema, k), Nullable: true})
	}
	if err := checkUnique("frame: Select", n.names); err != nil {
		return errFrame(err)
	}
	n.schema = arrow.NewSchema(fields, nil)
	return f.derive(n)
}

// SelectCols keeps the named columns.
func (f *Frame) SelectCols(names ...string) *Frame {
	es := make([]Expr, len(names))
	for i, n := range names {
		es[i] = Col(n)
	}
	return f.Select(es...)
}

// Col returns the one-column frame of name (pandas' df["name"]).
func (f *Frame) Col(name string) *Frame { return f.SelectCols(name) }

// WithColumn adds (or replaces) the column name computed by e.
func (f *Frame) WithColumn(name string, e Expr) *Frame {
	if f.err != nil {
		return f
	}
	var es []Expr
	replaced := false
	for _, fl := range f.n.schema.Fields() {
		if fl.Name == name {
			es = append(es, e.Alias(name))
			replaced = true
		} else {
			es = append(es, Col(fl.Name))
		}
	}
	if !replaced {
		es = append(es, e.Alias(name))
	}
	return f.Select(es...)
}

// Rename renames columns, old name to new name.
func (f *Frame) Rename(m map[string]string) *Frame {
	if f.err != nil {
		return f
	}
	for old := range m {
		if len(f.n.schema.FieldIndices(old)) == 0 {
			return errFrame(fmt.Errorf("frame: Rename: unknown column %q; the columns are %s", old, schemaCols(f.n.schema)))
		}
	}
	var es []Expr
	for _, fl := range f.n.schema.Fields() {
		if nn, ok := m[fl.Name]; ok {
			es = append(es, Col(fl.Name).Alias(nn))
		} else {
			es = append(es, Col(fl.Name))
		}
	}
	return f.Select(es...)
}

// Drop removes columns.
func (f *Frame) Drop(names ...string) *Frame {
	if f.err != nil {
		return f
	}
	drop := map[string]bool{}
	for _, n := range names {
		if len(f.n.schema.FieldIndices(n)) == 0 {
			return errFrame(fmt.Errorf("frame: Drop: unknown column %q; the columns are %s", n, schemaCols(f.n.schema)))
		}
		drop[n] = true
	}
	var keep []string
	for _, fl := range f.n.schema.Fields() {
		if !drop[fl.Name] {
			keep = append(keep, fl.Name)
		}
	}
	return f.SelectCols(keep...)
}

// Filter keeps the rows where pred is true (null counts as false).
func (f *Frame) Filter(pred Expr) *Frame {
	if f.err != nil {
		return f
	}
	if pred.n.hasScalar() {
		g, es, hidden := bindScalars(f, []Expr{pred})
		if g.err != nil {
			return g
		}
		return g.Filter(es[0]).Drop(hidden...)
	}
	bound, err := bindZones(pred.n, f.n.schema) // tz_type.go
	if err != nil {
		return errFrame(fmt.Errorf("frame: Filter: %w", err))
	}
	pred = Expr{bound}
	k, err := typeOf(pred.n, f.n.schema)
	if err != nil {
		return errFrame(fmt.Errorf("frame: Filter: %w", err))
	}
	if k != kBool {
		return errFrame(fmt.Errorf("frame: Filter: %s is %s, not a boolean", pred, k.dtype()))
	}
	return f.derive(&node{op: "filter", pred: pred.n, schema: f.n.schema})
}

// MapPartitions applies the registered function fn (see RegisterMap) to every
// partition. schema is what fn returns; nil means the input schema.
func (f *Frame) MapPartitions(fn string, schema *arrow.Schema) *Frame {
	if f.err != nil {
		return f
	}
	if _, ok := maps.Load(fn); !ok {
		return errFrame(fmt.Errorf("frame: MapPartitions: function %q is not registered (frame.RegisterMap)", fn))
	}
	if schema == nil {
		schema = f.n.schema
	}
	return f.derive(&node{op: "map", fn: fn, schema: schema})
}

// NLargest returns the n rows with the largest values of col, sorted
// descending, as one partition (none for n <= 0, as pandas). Rows where col is null or NaN are never
// kept (as GroupBy.NLargest and pandas' nlargest), so fewer than n rows come
// back when fewer hold a value; ties go to the earlier row.
func (f *Frame) NLargest(n int, col string) *Frame { return f.top(n, col, true) }

// NSmallest returns the n rows with the smallest values of col, ascending.
func (f *Frame) NSmallest(n int, col string) *Frame { return f.top(n, col, false) }

func (f *Frame) top(n int, c string, desc bool) *Frame {
	if f.err != nil {
		return f
	}
	if _, err := typeOf(Col(c).n, f.n.schema); err != nil {
		return errFrame(fmt.Errorf("frame: NLargest/NSmallest: %w", err))
	}
	if n < 0 {
		n = 0 // pandas: no rows for n <= 0
	}
	return f.derive(&node{op: "topn", names: []string{c}, n: int64(n), desc: desc, schema: f.n.schema})
}

// GroupBy groups the rows by the key columns; Agg says what to compute.
func (f *Frame) GroupBy(keys ...string) *GroupBy { return &GroupBy{f: f, keys: keys} }

// GroupBy is a grouping waiting for its aggregations.
type GroupBy struct {
	f     *Frame
	keys  []string
	split int
}

// DropNA leaves out the rows whose group key (any of the keys) is null or
// NaN, as pandas' groupby does by default (dropna=True). Without it a null
// key is a group of its own, as in SQL and Dask (see SEMANTICS.md).
func (g *GroupBy) DropNA() *GroupBy {
	f := g.f
	if f.err == nil {
		if _, err := fieldIndices(f.n.schema, g.keys); err == nil {
			for _, k := range g.keys {
				keep := Col(k).NotNull()
				if kindOf(f.n.schema.Field(f.n.schema.FieldIndices(k)[0]).Type) == kFloat {
					keep = Col(k).Eq(Col(k)) // false for NaN, null for null
				}
				f = f.Filter(keep)
			}
		}
	}
	return &GroupBy{f: f, keys: g.keys, split: g.split}
}

// SplitOut sets how many output partitions the result has (Dask's
// split_out). By default it is chosen from the number of input partitions:
// one (a tree reduction) for few partitions, several otherwise.
func (g *GroupBy) SplitOut(n int) *GroupBy {
	return &GroupBy{f: g.f, keys: g.keys, split: n}
}

// Agg computes the aggregations per group: one row per group, the key
// columns then one column per expression (named by Alias, else by the column
// aggregated). Expressions may combine aggregations:
// Col("v1").Max().Sub(Col("v2").Min()).Alias("range").
func (g *GroupBy) Agg(aggs ...Expr) *Frame {
	f := g.f
	if f.err != nil {
		return f
	}
	if _, err := fieldIndices(f.n.schema, g.keys); err != nil {
		return errFrame(fmt.Errorf("frame: GroupBy: %w", err))
	}
	for _, k := range g.keys {
		if t := f.n.schema.Field(f.n.schema.FieldIndices(k)[0]).Type; kindOf(t) == kInvalid {
			return errFrame(fmt.Errorf("frame: GroupBy: %w", keyTypeError(k, t)))
		}
	}
	n := &node{op: "agg", keys: g.keys, aggs: aggs, split: g.split}
	n.in = f.n
	ap, err := planAgg(f.n.schema, g.keys, aggs)
	if err != nil {
		return errFrame(fmt.Errorf("frame: GroupBy(%s).Agg: %w", strings.Join(g.keys, ", "), err))
	}
	n.schema = ap.out
	return newFrame(n)
}

// Sum aggregates every named column (all numeric ones when none) per group;
// a group of only nulls sums to 0, as in pandas (see Expr.Sum, MinCount).
func (g *GroupBy) Sum(cols ...string) *Frame { return g.each("sum", cols) }

// Mean per group (null for a group of only nulls).
func (g *GroupBy) Mean(cols ...string) *Frame { return g.each("mean", cols) }

// Count of non-null values per group.
func (g *GroupBy) Count(cols ...string) *Frame { return g.each("count", cols) }

// Min per group.
func (g *GroupBy) Min(cols ...string) *Frame { return g.each("min", cols) }

// Max per group.
func (g *GroupBy) Max(cols ...string) *Frame { return g.each("max", cols) }

// Size is the number of rows per group, in a column "size".
func (g *GroupBy) Size() *Frame { return g.Agg(Lit(1).Size().Alias("size")) }

func (g *GroupBy) each(fn string, cols []string) *Frame {
	if g.f.err != nil {
		return g.f
	}
	if len(cols) == 0 {
		keys := map[string]bool{}
		for _, k := range g.keys {
			keys[k] = true
		}
		for _, fl := range g.f.n.schema.Fields() {
			if !keys[fl.Name] && (kindOf(fl.Type).numeric() || (fn == "count")) {
				cols = append(cols, fl.Name)
			}
		}
	}
	var es []Expr
	for _, c := range cols {
		es = append(es, Col(c).un(fn))
	}
	return g.Agg(es...)
}

// Agg computes aggregations over the whole frame: a one-row frame.
func (f *Frame) Agg(aggs ...Expr) *Frame { return f.GroupBy().Agg(aggs...) }

// Sum of each named column (all numeric columns when none): a one-row frame.
func (f *Frame) Sum(cols ...string) *Frame { return f.GroupBy().Sum(cols...) }

// Mean of each named column: a one-row frame.
func (f *Frame) Mean(cols ...string) *Frame { return f.GroupBy().Mean(cols...) }

// Min of each named column: a one-row frame.
func (f *Frame) Min(cols ...string) *Frame { return f.GroupBy().Min(cols...) }

// Max of each named column: a one-row frame.
func (f *Frame) Max(cols ...string) *Frame { return f.GroupBy().Max(cols...) }

// Count of the non-null values of each named column: a one-row frame.
func (f *Frame) Count(cols ...string) *Frame { return f.GroupBy().Count(cols...) }

// Std (ddof=1) of each named column: a one-row frame.
func (f *Frame) Std(cols ...string) *Frame { return f.GroupBy().each("std", cols) }

// Var (ddof=1) of each named column: a one-row frame.
func (f *Frame) Var(cols ...string) *Frame { return f.GroupBy().each("var", cols) }

// ValueCounts returns the distinct values of col with their counts in a
// column "count", most frequent first, as one partition. A null is counted
// as a value of its own (as SQL and GroupBy without DropNA);
// ValueCountsOptions{DropNA: true} leaves nulls and NaN out, as pandas'
// value_counts() does by default.
func (f *Frame) ValueCounts(col string, opts ...ValueCountsOptions) *Frame {
	g := f.GroupBy(col)
	if len(opts) > 0 && opts[0].DropNA {
		g = g.DropNA()
	}
	return g.Agg(Lit(1).Size().Alias("count")).SortValues(true, "count")
}

// Describe summarizes the columns as pandas' describe(): for the numeric
// columns count, mean, std, min, 25%, 50%, 75% and max (linear
// interpolation, nulls and NaN left out), one row per statistic in a
// column "stat" and a Float64 column per column; for a frame without
// numeric columns the string columns' count, unique, top (the most
// frequent, the first seen among ties) and freq, as strings. The values
// are gathered into one task (see stats_describe.go).
func (f *Frame) Describe() *Frame { return f.describeFrame() }

// Persist computes the frame and returns it backed by its computed
// partitions, with the same keys.
func (f *Frame) Persist(ctx context.Context, opts ...sched.Option) (*Frame, error) {
	if f.err != nil {
		return nil, f.err
	}
	cs, err := sched.Persist(ctx, []sched.Collection{f}, opts...)
	if err != nil {
		return nil, err
	}
	out := cs[0].(*Frame)
	// Dictionary-encode the low-cardinality string columns of every
	// partition once, so later groupbys by them work on integer codes.
	if m, ok := out.n.src.(*memSource); ok && m.encs != nil {
		defer sched.HoldRuntimeLimit(opts...)()
		var wg sync.WaitGroup
		next := atomic.Int64{}
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= len(m.recs) || ctx.Err() != nil {
						return
					}
					m.encs[i].warm(m.recs[i])
				}
			}()
		}
		wg.Wait()
	}
	return out, nil
}

// Compute runs the frame and returns its rows as a Table.
func (f *Frame) Compute(ctx context.Context, opts ...sched.Option) (*Table, error) {
	if f.err != nil {
		return nil, f.err
	}
	if t, ok, err := f.computeLimit(ctx, opts); ok {
		return t, err
	}
	out, err := sched.Compute(ctx, []sched.Collection{f}, opts...)
	if err != nil {
		return nil, err
	}
	return out[0].(*Table), nil
}

// Graph implements sched.Collection: the optimized, lowered plan.
func (f *Frame) Graph() (*graph.Graph, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.lower()
	return f.g, f.gerr
}

// Keys implements sched.Collection: one key per partition.
func (f *Frame) Keys() []graph.Key {
	if f.err != nil {
		return nil
	}
	f.lower()
	return f.keys
}

// Finalize implements sched.Finalizer: partitions into a Table.
func (f *Frame) Finalize(vals []any) (any, error) {
	recs := make([]arrow.Record, len(vals))
	for i, v := range vals {
		p, ok := v.(*Part)
		if !ok {
			return nil, fmt.Errorf("frame: partition %d is a %T, not a *frame.Part", i, v)
		}
		if p == nil || p.R == nil {
			return nil, fmt.Errorf("frame: partition %d has no record", i)
		}
		recs[i] = p.R
	}
	schema := f.n.schema
	for i, r := range recs {
		recs[i] = zonedRecord(r, f.n.schema) // tz_type.go
	}
	if len(recs) > 0 {
		schema = recs[0].Schema()
	}
	return chunkedTable(schema, recs) // table.go
}

// Persisted implements sched.Persister.
func (f *Frame) Persisted(vals []any) sched.Collection {
	f.lower()
	if len(vals) > 0 {
		if _, ok := vals[0].(*Part); !ok {
			return f.persistedElsewhere(vals)
		}
	}
	recs := make([]arrow.Record, len(vals))
	for i, v := range vals {
		recs[i] = v.(*Part).R
	}
	encs := make([]*encCache, len(recs))
	for i := range encs {
		encs[i] = &encCache{}
	}
	src := &memSource{keys: append([]graph.Key(nil), f.keys...), recs: recs, encs: encs, sch: f.n.schema, hashed: partitioningOf(f.plan)}
	return newFrame(&node{op: "source", src: src, schema: f.n.schema, idx: f.n.idx})
}

// Explain prints the optimized plan, one operation per line, leaves last.
func (f *Frame) Explain() string {
	if f.err != nil {
		return "error: " + f.err.Error()
	}
	f.lower()
	var b strings.Builder
	explain(&b, f.plan, 0)
	return strings.TrimRight(b.String(), "\n")
}

func explain(b *strings.Builder, n *node, depth int) {
	ind := strings.Repeat("  ", depth)
	switch n.op {
	case "source":
		fmt.Fprintf(b, "%s%s partitions=%d", ind, n.src.describe(), n.src.nparts())
		if n.cols != nil {
			fmt.Fprintf(b, " columns=[%s]", strings.Join(n.cols, ", "))
		}
		if n.pred != nil {
			fmt.Fprintf(b, " filter=%s", n.pred)
		}
		b.WriteString("\n")
		return
	case "project":
		s := step{kind: "project", exprs: n.exprs, names: n.names}
		fmt.Fprintf(b, "%s%s\n", ind, s.String())
	case "filter":
		fmt.Fprintf(b, "%sfilter %s\n", ind, n.pred)
	case "map":
		fmt.Fprintf(b, "%smap %s\n", ind, n.fn)
	case "agg":
		var as []string
		for _, a := range n.aggs {
			as = append(as, a.String())
		}
		p := n.split
		if p <= 0 {
			p = autoSplit(partsOf(n.in))
		}
		if len(n.keys) == 0 {
			p = 1
		}
		how := "tree-reduce"
		if p > 1 {
			how = fmt.Sprintf("hash-partitioned split_out=%d", p)
		}
		fmt.Fprintf(b, "%sgroupby [%s] agg [%s] (partial per partition, %s)\n", ind, strings.Join(n.keys, ", "), strings.Join(as, ", "), how)
	case "topn":
		w := "nlargest"
		if !n.desc {
			w = "nsmallest"
		}
		fmt.Fprintf(b, "%s%s %d by %s\n", ind, w, n.n, n.names[0])
	case "sort", "parts", "setindex":
		explainSort(b, ind, n)
	case "repartition":
		explainRepartition(b, ind, n)
	case "concat":
		explainConcat(b, ind, n, depth)
		return
	case "gtopn":
		explainGroupTop(b, ind, n)
	case "dedup":
		explainDedup(b, ind, n)
	case "limit":
		explainLimit(b, ind, n)
	case "ext":
		explainExt(b, n, depth)
		return
	case "join":
		explainJoin(b, ind, n)
		explain(b, n.in, depth+1)
		explain(b, n.right, depth+1)
		return
	default:
		fmt.Fprintf(b, "%s%s\n", ind, n.op)
	}
	if n.in != nil {
		explain(b, n.in, depth+1)
	}
}

func partsOf(n *node) int {
	switch n.op {
	case "source":
		return n.src.nparts()
	case "agg":
		if len(n.keys) == 0 {
			return 1
		}
		if n.split > 0 {
			return n.split
		}
		return autoSplit(partsOf(n.in))
	case "gtopn":
		return groupTopParts(n)
	case "join":
		return joinParts(n)
	case "dedup":
		return dedupParts(n)
	case "ext":
		return n.ext.parts(n)
	case "topn", "limit":
		return 1
	case "sort":
		return sortParts(n)
	case "parts":
		return len(n.parts)
	case "repartition":
		return len(n.rep)
	case "concat":
		t := 0
		for _, in := range n.ins {
			t += partsOf(in)
		}
		return t
	}
	return partsOf(n.in)
}

func (f *Frame) lower() {
	f.once.Do(func() {
		n := f.n
		if b := f.readBlock.Load(); b > 0 {
			n = resizeReads(n, b)
		}
		f.plan = treeSmallAggs(optimize(n), f.taskMem.Load()) // memplan_agg.go
		if m := f.taskMem.Load(); m > 0 {
			f.plan = sizeJoins(f.plan, m)
			if b := f.readBlock.Load(); b > 0 && b < maxBlockSize {
				f.plan = sizeAggs(f.plan, m)
				f.plan = sizeSorts(f.plan, m)
			}
		}
		b := &builder{g: &graph.Graph{}}
		ps, err := b.lower(f.plan)
		if err == nil {
			for _, p := range ps {
				var k graph.Key
				if k, err = b.mat(p); err != nil {
					break
				}
				f.keys = append(f.keys, k)
			}
		}
		if err == nil {
			// Only what the partitions need (LocRange drops partitions).
			b.g, err = graph.Cull(b.g, f.keys)
		}
		f.g, f.gerr, f.nPart = b.g, err, len(f.keys)
	})
}

// memSource is data already in memory: records from the user or persisted
// partitions, each a const task.
type memSource struct {
	keys   []graph.Key
	recs   []arrow.Record
	encs   []*encCache // persisted partitions: their string dictionary codes
	sch    *arrow.Schema
	hashed *partitioning // persisted partitions: the hash partitioning they came with
}

var memIDs atomic.Int64

func (m *memSource) describe() string      { return "from-memory" }
func (m *memSource) schema() *arrow.Schema { return m.sch }
func (m *memSource) nparts() int           { return len(m.recs) }
func (m *memSource) prune(*enode) source   { return m }
func (m *memSource) part(i int, cols []string, pred *enode) ([]*graph.Task, []graph.Key, []step, error) {
	p := &Part{R: m.recs[i]}
	if m.encs != nil {
		p.enc = m.encs[i]
	}
	t := graph.ConstTask(m.keys[i], p)
	return []*graph.Task{t}, []graph.Key{m.keys[i]}, memColumns(m.sch, cols, pred), nil
}

// FromRecords makes a frame with one partition per record. The records must
// share a schema of supported types (int64, float64, string, bool,
// timestamp[us]); other numeric types are widened.
func FromRecords(recs ...arrow.Record) *Frame {
	if len(recs) == 0 {
		return errFrame(fmt.Errorf("frame: FromRecords: no records"))
	}
	var norm []arrow.Record
	for i, r := range recs {
		nr, err := normalize(r)
		if err != nil {
			return errFrame(fmt.Errorf("frame: FromRecords: record %d: %w", i, err))
		}
		if i > 0 && !nr.Schema().Equal(norm[0].Schema()) {
			return errFrame(fmt.Errorf("frame: FromRecords: record %d has schema %s, record 0 has %s", i, nr.Schema(), norm[0].Schema()))
		}
		norm = append(norm, nr)
	}
	id := memIDs.Add(1)
	keys := make([]graph.Key, len(norm))
	for i := range keys {
		keys[i] = graph.NewKey("from-records", "frame.mem", appendUvarint(appendUvarint(nil, uint64(id)), uint64(i)), nil)
	}
	s := &memSource{keys: keys, recs: norm, sch: schemaWithZones(norm[0].Schema(), recs[0].Schema())}
	return newFrame(&node{op: "source", src: s, schema: s.sch})
}

// autoSplit picks the number of output partitions of a groupby: one per two
// input partitions (at least two; one for fewer than four inputs). It grows
// with the input, not with the cores: with many groups (nearly one per row)
// an output partition holds about two input partitions' worth of partial
// states, so its task's memory stays bounded whatever the input size, which
// is what lets a groupby over data larger than memory run under a limit.
// With few groups the extra outputs are tiny.
func autoSplit(nparts int) int {
	if nparts < 4 {
		return 1
	}
	return max(2, nparts/2)
}
