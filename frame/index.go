package frame

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// index is a frame's sorted index column and its known divisions: divs has
// one entry per partition plus one, and partition j holds the index values
// v with divs[j] <= v <= divs[j+1] (both ends inclusive: rows equal to a
// boundary may sit on either side of it). A null divs[j] (j < n) means
// partitions j on hold only null index values; divs[n] is the largest value.
type index struct {
	col  string
	divs arrow.Array
	// open: the first partition may also hold values below divs[0] and the
	// last values above divs[n] (divisions given by the user).
	open bool
}

// SetIndex sorts the frame by col (ascending, nulls last) and records col as
// its index with known divisions, like Dask's set_index: it computes the
// divisions now, reading only the column col of every partition and keeping
// a fixed-size sample of it, and returns the lazy sorted frame. The result
// has as many partitions as f; LocRange then reads only the partitions
// whose divisions overlap the range. Unlike pandas, col stays a column.
//
// Filter, WithColumn and Select that keep col (by its name) keep the index;
// operations that move rows between partitions drop it.
func (f *Frame) SetIndex(ctx context.Context, col string, opts ...sched.Option) (*Frame, error) {
	if f.err != nil {
		return nil, f.err
	}
	sp, err := checkSortKeys(f.n.schema, []SortKey{Asc(col)})
	if err != nil {
		return nil, fmt.Errorf("frame: SetIndex: %w", err)
	}
	kf := f.SelectCols(col)
	size := sampleSize(kf.NPartitions())
	samples, err := kf.perPartition(ctx, func(i int) graph.Op {
		return &sampleOp{by: sp.by, desc: sp.desc, part: i, size: size}
	}, opts)
	if err != nil {
		return nil, fmt.Errorf("frame: SetIndex(%s): %w", col, err)
	}
	if len(samples) == 0 {
		return nil, fmt.Errorf("frame: SetIndex(%s): the frame has no partitions", col)
	}
	sorted, err := sortSamples(samples, sp.by, sp.desc)
	if err != nil {
		return nil, fmt.Errorf("frame: SetIndex(%s): %w", col, err)
	}
	sp.bounds = pickBounds(sorted, len(samples))
	if int(sp.bounds.NumRows()) != len(samples)-1 {
		sp.bounds = emptySample(f.n.schema, sp.by)
	}
	out := f.derive(sortNode(sp, f.n.schema))
	out.n.idx = &index{col: col, divs: divisions(sorted, sp.bounds)}
	return out, nil
}

// SetIndexDivisions sorts the frame by col into the partitions the given
// divisions bound, like Dask's set_index(col, divisions=...): partition j
// gets the values v with divisions[j] <= v < divisions[j+1] (the last also
// those above, the first those below; nulls go to the last). Nothing is
// computed now: the divisions replace the sampling. They must be
// non-decreasing values of col's type (numbers for numeric columns,
// strings, bools, time.Time or date strings for timestamps).
func (f *Frame) SetIndexDivisions(col string, divisions ...any) *Frame {
	if f.err != nil {
		return f
	}
	sp, err := checkSortKeys(f.n.schema, []SortKey{Asc(col)})
	if err != nil {
		return errFrame(fmt.Errorf("frame: SetIndexDivisions: %w", err))
	}
	if len(divisions) < 2 {
		return errFrame(fmt.Errorf("frame: SetIndexDivisions(%s): need at least two divisions, got %d", col, len(divisions)))
	}
	t := f.n.schema.Field(f.n.schema.FieldIndices(col)[0]).Type
	k := kindOf(t)
	lits := make([]litVal, len(divisions))
	for i, d := range divisions {
		if d == nil {
			return errFrame(fmt.Errorf("frame: SetIndexDivisions(%s): division %d is nil", col, i))
		}
		if lits[i], err = indexLit(d, k); err != nil {
			return errFrame(fmt.Errorf("frame: SetIndexDivisions(%s): division %d: %w", col, i, err))
		}
		if k == kInt && lits[i].k == kFloat {
			return errFrame(fmt.Errorf("frame: SetIndexDivisions(%s): division %d: %v is not an integer", col, i, d))
		}
	}
	divs := litArray(lits, k)
	c := colOf(divs)
	for i := 1; i < c.n; i++ {
		if cmpVal(&c, i-1, &c, i) > 0 {
			return errFrame(fmt.Errorf("frame: SetIndexDivisions(%s): divisions decrease at %d (%v after %v)", col, i, divisions[i], divisions[i-1]))
		}
	}
	// Boundary rows (d1..dn-1, before every row: partition -1, row -1), so
	// that a row equal to a division goes to the partition it starts.
	inner := array.NewSlice(divs, 1, int64(c.n-1))
	m := c.n - 2
	neg := make([]int64, m)
	for i := range neg {
		neg[i] = -1
	}
	fields := []arrow.Field{{Name: col, Type: t, Nullable: true}, {Name: colPart, Type: Int64}, {Name: colRow, Type: Int64}, {Name: colWeight, Type: Float64}}
	sp.bounds = array.NewRecord(arrow.NewSchema(fields, nil), []arrow.Array{inner, int64Array(neg, nil), int64Array(neg, nil), float64Array(make([]float64, m), nil)}, int64(m))
	out := f.derive(sortNode(sp, f.n.schema))
	out.n.idx = &index{col: col, divs: divs, open: true}
	return out
}

// litArray makes an array of kind k from literals converted by indexLit.
func litArray(lits []litVal, k kind) arrow.Array {
	n := len(lits)
	switch k {
	case kFloat:
		v := make([]float64, n)
		for i, l := range lits {
			v[i] = l.float()
		}
		return float64Array(v, nil)
	case kStr:
		sb := newStrBuilder(n)
		for _, l := range lits {
			sb.add([]byte(l.s))
		}
		return sb.array()
	case kBool:
		v := make([]bool, n)
		for i, l := range lits {
			v[i] = l.b
		}
		return boolArray(v, nil)
	}
	v := make([]int64, n)
	for i, l := range lits {
		v[i] = l.i
	}
	return intsArray(k, v, nil)
}

// divisions builds the division array: the smallest sampled value (the
// samples hold each partition's exact extremes), the boundaries' values,
// the largest value.
func divisions(sorted, bounds arrow.Record) arrow.Array {
	s := sorted.Column(0)
	c := colOf(s)
	n := s.Len()
	lo, hi := -1, -1
	for i := 0; i < n; i++ {
		if !isNA(&c, i) {
			if lo < 0 {
				lo = i
			}
			hi = i
		}
	}
	var idx []int32
	if lo >= 0 {
		idx = []int32{int32(lo)}
	}
	lead := takeCol(s, idx)
	if lo < 0 {
		lead = nullArray(s.DataType(), 1)
	}
	var tail arrow.Array
	if hi >= 0 {
		tail = takeCol(s, []int32{int32(hi)})
	} else {
		tail = nullArray(s.DataType(), 1)
	}
	b := bounds.Column(0)
	if bc := colOf(b); bc.k == kFloat {
		b = nanToNull(bc)
	}
	r, _ := concatRecords(arrow.NewSchema([]arrow.Field{{Name: "d", Type: s.DataType(), Nullable: true}}, nil), []arrow.Record{
		oneCol(lead), oneCol(b), oneCol(tail),
	})
	return r.Column(0)
}

func oneCol(a arrow.Array) arrow.Record {
	return array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "d", Type: a.DataType(), Nullable: true}}, nil), []arrow.Array{a}, int64(a.Len()))
}

func nanToNull(c col) arrow.Array {
	vals := make([]float64, c.n)
	valid := make([]bool, c.n)
	for i := range vals {
		if !isNA(&c, i) {
			vals[i], valid[i] = c.f64[i], true
		}
	}
	return float64Array(vals, valid)
}

func nullArray(t arrow.DataType, n int) arrow.Array {
	valid := make([]bool, n)
	switch kindOf(t) {
	case kFloat:
		return float64Array(make([]float64, n), valid)
	case kStr:
		return strArray(make([]int32, n+1), nil, valid)
	case kBool:
		return boolArray(make([]bool, n), valid)
	case kTime, kDate, kDur:
		return intsArray(kindOf(t), make([]int64, n), valid)
	}
	return int64Array(make([]int64, n), valid)
}

// Index returns the name of the frame's index column ("" when it has none).
func (f *Frame) Index() string {
	if f.err != nil || f.n.idx == nil {
		return ""
	}
	return f.n.idx.col
}

// Divisions returns the index values that bound the partitions, one per
// partition plus one, as Go values (int64, float64, string, bool,
// time.Time): partition j holds index values from Divisions()[j] to
// Divisions()[j+1], both inclusive. A nil entry j marks partitions that
// hold only null index values. Divisions returns nil when they are not
// known (no SetIndex, or an operation that moved rows between partitions).
func (f *Frame) Divisions() []any {
	if f.err != nil || f.n.idx == nil {
		return nil
	}
	t := &Table{rec: oneCol(f.n.idx.divs)}
	out := make([]any, f.n.idx.divs.Len())
	for i := range out {
		out[i] = t.Value(i, "d")
	}
	return out
}

// keptIndex is the index of node n built on parent: kept by filters and by
// projections that pass the index column through under its name.
func keptIndex(parent, n *node) *index {
	ix := parent.idx
	if ix == nil {
		return nil
	}
	switch n.op {
	case "filter":
		return ix
	case "project":
		for i, e := range n.exprs {
			for e.op == "alias" && len(e.args) == 1 {
				e = e.args[0]
			}
			if n.names[i] == ix.col && e.op == "col" && e.name == ix.col {
				return ix
			}
		}
	}
	return nil
}

// LocRange selects the rows whose index value lies between lo and hi, both
// inclusive (pandas' df.loc[lo:hi] on a sorted index); a nil bound is
// open (df.loc[:hi], df.loc[lo:]). Only the partitions whose divisions
// overlap the range are read: the others' tasks are not in the graph. Rows
// with a null index are never selected. The frame must have an index
// (SetIndex, SetSortedIndex or SetIndexDivisions). Bounds are compared like Filter's literals: an int or float
// with a numeric index, a string with a string index, a time.Time or a
// date string with a timestamp index.
func (f *Frame) LocRange(lo, hi any) *Frame {
	if f.err != nil {
		return f
	}
	ix := f.n.idx
	if ix == nil {
		return errFrame(fmt.Errorf("frame: LocRange: the frame has no index; use SetIndex first"))
	}
	k := kindOf(ix.divs.DataType())
	var lb, hb *litVal
	for _, b := range []struct {
		v   any
		dst **litVal
	}{{lo, &lb}, {hi, &hb}} {
		if b.v == nil {
			continue
		}
		l, err := indexLit(b.v, k)
		if err != nil {
			return errFrame(fmt.Errorf("frame: LocRange: index %q: %w", ix.col, err))
		}
		*b.dst = &l
	}
	c := colOf(ix.divs)
	np := c.n - 1
	var keep []int
	for j := 0; j < np; j++ {
		if c.null(j) {
			break // only null index values from here on
		}
		upper := j + 1
		if c.null(upper) {
			upper = np
		}
		if hb != nil && cmpLit(&c, j, *hb) > 0 && !(ix.open && j == 0) {
			continue
		}
		if lb != nil && !c.null(upper) && cmpLit(&c, upper, *lb) < 0 && !(ix.open && j == np-1) {
			continue
		}
		keep = append(keep, j)
	}
	// Divisions of the kept partitions: their lower bounds, then the upper
	// bound of the last.
	var di []int32
	for _, j := range keep {
		di = append(di, int32(j))
	}
	if len(keep) > 0 {
		di = append(di, int32(keep[len(keep)-1]+1))
	}
	sub := &node{op: "parts", parts: keep, schema: f.n.schema}
	sub.in = f.n
	sub.idx = &index{col: ix.col, divs: takeCol(ix.divs, di)}
	if ix.open && len(keep) > 0 && (keep[0] == 0 || keep[len(keep)-1] == np-1) {
		sub.idx.open = true
	}
	sub.exprs = []*enode{{op: "lit", lit: litVal{null: true}}, {op: "lit", lit: litVal{null: true}}}
	if lb != nil {
		sub.exprs[0].lit = *lb
	}
	if hb != nil {
		sub.exprs[1].lit = *hb
	}
	return newFrame(sub)
}

// inRangeRecord keeps the rows of r whose column col lies in [lo, hi] (a
// null literal: open), never NA ones.
func inRangeRecord(r arrow.Record, col string, lo, hi litVal) (arrow.Record, error) {
	idx, err := fieldIndices(r.Schema(), []string{col})
	if err != nil {
		return nil, err
	}
	c := colOf(r.Column(idx[0]))
	keep := make([]bool, c.n)
	for i := range keep {
		keep[i] = !isNA(&c, i) && (lo.null || cmpLit(&c, i, lo) >= 0) && (hi.null || cmpLit(&c, i, hi) <= 0)
	}
	return filterRecord(r, keep), nil
}

// indexLit converts a bound to a literal of the index's kind.
func indexLit(v any, k kind) (litVal, error) {
	l := toLit(v)
	switch {
	case l.k == k:
		return l, nil
	case k == kFloat && l.k == kInt:
		return litVal{k: kFloat, f: float64(l.i)}, nil
	case k == kInt && l.k == kFloat:
		return l, nil // compared as floats
	case k == kTime && l.k == kStr:
		t, err := parseTime(l.s)
		if err != nil {
			return l, err
		}
		return litVal{k: kTime, i: t}, nil
	}
	return l, fmt.Errorf("bound %v (%T) does not compare with a %s index", v, v, k.dtype())
}

// cmpLit compares the non-null c[i] with the literal l.
func cmpLit(c *col, i int, l litVal) int {
	switch c.k {
	case kStr:
		return strings.Compare(string(c.str(i)), l.s)
	case kBool:
		return cmpInt(int64(btoi(c.boolAt(i))), int64(btoi(l.b)))
	case kFloat:
		x := c.f64[i]
		if x < l.f {
			return -1
		}
		if x > l.f {
			return 1
		}
		return 0
	}
	if l.k == kFloat {
		x := float64(c.i64[i])
		if x < l.f {
			return -1
		}
		if x > l.f || math.IsNaN(l.f) {
			return 1
		}
		return 0
	}
	return cmpInt(c.i64[i], l.i)
}

// lowerParts keeps the partitions n.parts of its input and the rows in
// the index range.
func lowerParts(n *node, ps []pend) ([]pend, error) {
	out := make([]pend, len(n.parts))
	for i, j := range n.parts {
		if j >= len(ps) {
			return nil, fmt.Errorf("frame: partition %d of %d", j, len(ps))
		}
		out[i] = ps[j]
	}
	return appendStep(out, step{kind: "locrange", names: []string{n.idx.col}, exprs: n.exprs}), nil
}

func explainSort(b *strings.Builder, ind string, n *node) {
	switch n.op {
	case "parts":
		fmt.Fprintf(b, "%sloc-range [%s, %s] partitions %v", ind, n.exprs[0], n.exprs[1], n.parts)
	case "setindex":
		fmt.Fprintf(b, "%sset-sorted-index", ind)
	default:
		sp := n.sort
		if sp == nil {
			sp = &sortSpec{by: n.names, desc: make([]bool, len(n.names))}
		}
		how := "sampled divisions"
		if sp.bounds != nil {
			how = "computed divisions"
			if n.idx != nil && n.idx.open {
				how = "given divisions"
			}
		}
		fmt.Fprintf(b, "%ssort by %s (range-partitioned, %s, npartitions=%d)", ind, sp, how, sortParts(n))
	}
	if n.idx != nil {
		fmt.Fprintf(b, " index=%s divisions=%s", n.idx.col, formatDivisions(n.idx.divs))
	}
	b.WriteString("\n")
}

func formatDivisions(a arrow.Array) string {
	t := &Table{rec: oneCol(a)}
	var parts []string
	for i := 0; i < a.Len(); i++ {
		switch v := t.Value(i, "d").(type) {
		case nil:
			parts = append(parts, "null")
		case string:
			parts = append(parts, fmt.Sprintf("%q", v))
		case time.Time:
			parts = append(parts, v.Format(time.RFC3339Nano))
		case float64:
			parts = append(parts, formatFloat(v))
		default:
			parts = append(parts, fmt.Sprint(v))
		}
	}
	if len(parts) > 12 {
		parts = append(append(parts[:6:6], "..."), parts[len(parts)-6:]...)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// SetSortedIndex records col as the index of a frame already sorted by it
// (ascending, nulls last), like Dask's set_index(col, sorted=True): no
// shuffle. It computes now, reading only col, each partition's first and
// last values, checks the order, and returns f with the index and exact
// divisions. LocRange on the result then reads only the partitions it
// needs: for Parquet files written sorted, only the row groups in range.
// It fails, naming the partition, when a partition is out of order or
// starts below the end of the one before it.
func (f *Frame) SetSortedIndex(ctx context.Context, col string, opts ...sched.Option) (*Frame, error) {
	if f.err != nil {
		return nil, f.err
	}
	if _, err := checkSortKeys(f.n.schema, []SortKey{Asc(col)}); err != nil {
		return nil, fmt.Errorf("frame: SetSortedIndex: %w", err)
	}
	recs, err := f.SelectCols(col).perPartition(ctx, func(int) graph.Op { return &sortedStatsOp{col: col} }, opts)
	if err != nil {
		return nil, fmt.Errorf("frame: SetSortedIndex(%s): %w", col, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("frame: SetSortedIndex(%s): the frame has no partitions", col)
	}
	// Rows 2j and 2j+1: partition j's first and last non-NA values (null
	// when it has none), with its flags.
	all, err := concatRecords(recs[0].Schema(), recs)
	if err != nil {
		return nil, err
	}
	c := colOf(all.Column(0))
	has, sorted, na := colOf(all.Column(1)), colOf(all.Column(2)), colOf(all.Column(3))
	np := len(recs)
	di := make([]int32, np+1)
	prevHi, naSeen, lastVals := -1, -1, -1
	for j := 0; j < np; j++ {
		di[j] = -1
		if !sorted.boolAt(2 * j) {
			return nil, fmt.Errorf("frame: SetSortedIndex(%s): partition %d is not sorted", col, j)
		}
		if has.boolAt(2 * j) {
			if naSeen >= 0 {
				return nil, fmt.Errorf("frame: SetSortedIndex(%s): partition %d has values after the nulls of partition %d", col, j, naSeen)
			}
			if prevHi >= 0 && cmpVal(&c, prevHi, &c, 2*j) > 0 {
				return nil, fmt.Errorf("frame: SetSortedIndex(%s): partition %d starts below the end of the partition before it", col, j)
			}
			di[j], prevHi, lastVals = int32(2*j), 2*j+1, j
		}
		if na.boolAt(2*j) && naSeen < 0 {
			naSeen = j
		}
	}
	// A partition without values up to the last with values takes the end
	// of the one before it (or the start of the first); after the last, a
	// null division: they hold only nulls, if anything.
	first := int32(-1)
	for j := 0; j <= lastVals && first < 0; j++ {
		first = di[j]
	}
	end := first
	for j := 0; j <= lastVals; j++ {
		if di[j] >= 0 {
			end = di[j] + 1
		} else if j == 0 {
			di[j] = first
		} else {
			di[j] = end
		}
	}
	di[np] = int32(prevHi)
	n := &node{op: "setindex", names: []string{col}, schema: f.n.schema}
	n.in = f.n
	n.idx = &index{col: col, divs: takeCol(all.Column(0), di)}
	return newFrame(n), nil
}

// sortedStatsOp measures one partition of an index column for
// SetSortedIndex: two rows, its first and last non-NA values (nulls when it
// has none), and flags: has values, sorted (NA last), has NA values.
type sortedStatsOp struct{ col string }

func (o *sortedStatsOp) Name() string            { return "frame.sortedstats" }
func (o *sortedStatsOp) Label() string           { return "index-stats" }
func (o *sortedStatsOp) Params() ([]byte, error) { return []byte(o.col), nil }

func (o *sortedStatsOp) Run(_ context.Context, in []any) (any, error) {
	r := in[0].(*Part).R
	cs, err := sortKeyCols(r, []string{o.col})
	if err != nil {
		return nil, err
	}
	c := &cs[0]
	sorted, hasNA := true, false
	first, last := -1, -1
	asc := []bool{false}
	for i := 0; i < c.n; i++ {
		if i > 0 && cmpRows(cs, i-1, cs, i, asc) > 0 {
			sorted = false
		}
		if isNA(c, i) {
			hasNA = true
			continue
		}
		if first < 0 {
			first = i
		}
		last = i
	}
	v := takeCol(r.Column(r.Schema().FieldIndices(o.col)[0]), []int32{int32(first), int32(last)})
	if c.k == kFloat {
		v = nanToNull(colOf(v))
	}
	two := func(b bool) arrow.Array { return boolArray([]bool{b, b}, nil) }
	fields := []arrow.Field{{Name: o.col, Type: v.DataType(), Nullable: true}, {Name: "has", Type: Bool}, {Name: "sorted", Type: Bool}, {Name: "na", Type: Bool}}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), []arrow.Array{v, two(first >= 0), two(sorted), two(hasNA)}, 2)}, nil
}

// lowerSetIndex: SetSortedIndex moves no rows.
func lowerSetIndex(ps []pend) ([]pend, error) { return ps, nil }

func init() {
	graph.Register("frame.sortedstats", func(p []byte) (graph.Op, error) { return &sortedStatsOp{col: string(p)}, nil })
}
