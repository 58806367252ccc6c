package frame

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
)

// groupWin is a window per group, in frame order: shift, the cumulative
// scans (cumsum, cumprod, cummax, cummin, cumcount: the 0-based row number
// in the group), rank, or transform (the group's aggregates on every row).
type groupWin struct {
	fn     string
	what   string
	keys   []string
	cols   []string
	k      int64  // shift periods
	method string // rank
	desc   bool   // rank
	names  []string
}

func (w *groupWin) describe() string {
	how := map[string]string{
		"shift":     "overlap: the last rows of every group from the previous partitions",
		"rank":      "a (group, value) count table over all partitions, then each partition ranks its rows",
		"transform": "the groupby result sent to every partition",
	}[w.fn]
	if how == "" {
		how = "carry scan per group: partition totals, a chain of carries, fix-up"
	}
	return fmt.Sprintf("%s [%s] (%s)", w.what, strings.Join(w.cols, ", "), how)
}

func (w *groupWin) parts(n *node) int { return partsOf(n.in) }

func (w *groupWin) need(out map[string]bool) map[string]bool {
	if w.fn == "transform" {
		return nil
	}
	return needWith(out, append(append([]string(nil), w.keys...), w.cols...)...)
}

func (w *groupWin) op(kind string, part int) *winOp {
	ints := []int64{w.k, int64(part), int64(len(w.keys)), int64(btoi(w.desc))}
	return &winOp{kind: kind, fn: w.fn, cols: append(append([]string(nil), w.keys...), w.cols...), names: w.names, on: w.method, ints: ints, piece: -1}
}

func groupWinOf(o *winOp) (*groupWin, int) {
	nk := int(o.ints[2])
	return &groupWin{fn: o.fn, keys: o.cols[:nk], cols: o.cols[nk:], k: o.ints[0], method: o.on, desc: o.ints[3] == 1, names: o.names}, int(o.ints[1])
}

// groupWindow builds the node, checking keys and columns.
func (g *GroupBy) groupWindow(w groupWin, numeric bool) *Frame {
	f := g.f
	if f.err != nil {
		return f
	}
	w.keys = g.keys
	w.what = fmt.Sprintf("GroupBy(%s).%s", strings.Join(g.keys, ", "), w.what)
	fail := func(format string, a ...any) *Frame {
		return errFrame(fmt.Errorf("frame: %s: %s", w.what, fmt.Sprintf(format, a...)))
	}
	s := f.n.schema
	if len(g.keys) == 0 {
		return fail("no group keys")
	}
	if _, err := fieldIndices(s, g.keys); err != nil {
		return fail("%v", err)
	}
	isKey := map[string]bool{}
	for _, k := range g.keys {
		isKey[k] = true
	}
	if len(w.cols) == 0 && w.fn != "cumcount" {
		for _, fl := range s.Fields() {
			if !isKey[fl.Name] && (!numeric || kindOf(fl.Type).numeric() || (w.fn != "cumsum" && w.fn != "cumprod" && kindOf(fl.Type) == kTime)) {
				w.cols = append(w.cols, fl.Name)
			}
		}
	}
	fields := append([]arrow.Field(nil), s.Fields()...)
	spec := winSpec{fn: w.fn}
	for _, c := range w.cols {
		ix := s.FieldIndices(c)
		if len(ix) == 0 {
			return fail("no column %q (columns: %s)", c, schemaCols(s))
		}
		t := s.Field(ix[0]).Type
		k := kindOf(t)
		ok := k != kInvalid
		switch w.fn {
		case "cumsum", "cumprod":
			ok = k.numeric()
		case "cummax", "cummin", "rank":
			ok = k == kInt || k == kFloat || k == kTime || (w.fn == "rank" && (k == kStr || k == kBool))
		}
		if !ok {
			return fail("column %q of type %s is not numeric", c, t)
		}
		nt := spec.outType(t)
		if w.fn == "rank" {
			nt = Float64
		}
		fields[ix[0]] = arrow.Field{Name: c, Type: nt, Nullable: true}
	}
	if w.fn == "cumcount" {
		name := "cumcount"
		if len(s.FieldIndices(name)) > 0 {
			return fail("the result column %q exists already", name)
		}
		fields = append(fields, arrow.Field{Name: name, Type: Int64})
	}
	n := &node{op: "ext", in: f.n, schema: arrow.NewSchema(fields, nil)}
	ws := w
	n.ext = &ws
	n.idx = f.n.idx
	return newFrame(n)
}

// Shift moves cols (all non-key columns when none) down by periods rows
// within each group (up when negative), as pandas' groupby(keys).shift:
// the first periods rows of every group become null; rows keep their
// places. A partition reads, from the partitions before it, only the last
// periods rows of every group (a chain of small tasks, one per boundary).
func (g *GroupBy) Shift(periods int, cols ...string) *Frame {
	return g.groupWindow(groupWin{fn: "shift", what: fmt.Sprintf("Shift(%d)", periods), cols: cols, k: int64(periods)}, false)
}

// CumSum is the running sum of cols (all numeric non-key columns when none)
// within each group, in frame order (pandas' groupby(keys).cumsum; nulls
// and NaN skipped and kept in place): per-partition group totals, a chain
// of per-group carries, and one pass per partition adding them.
func (g *GroupBy) CumSum(cols ...string) *Frame {
	return g.groupWindow(groupWin{fn: "cumsum", what: "CumSum", cols: cols}, true)
}

// CumProd is the running product within each group; otherwise as CumSum.
func (g *GroupBy) CumProd(cols ...string) *Frame {
	return g.groupWindow(groupWin{fn: "cumprod", what: "CumProd", cols: cols}, true)
}

// CumMax is the running maximum within each group; otherwise as CumSum.
func (g *GroupBy) CumMax(cols ...string) *Frame {
	return g.groupWindow(groupWin{fn: "cummax", what: "CumMax", cols: cols}, true)
}

// CumMin is the running minimum within each group; otherwise as CumSum.
func (g *GroupBy) CumMin(cols ...string) *Frame {
	return g.groupWindow(groupWin{fn: "cummin", what: "CumMin", cols: cols}, true)
}

// CumCount adds a column "cumcount": each row's 0-based number within its
// group, in frame order (pandas' groupby(keys).cumcount()).
func (g *GroupBy) CumCount() *Frame {
	return g.groupWindow(groupWin{fn: "cumcount", what: "CumCount"}, false)
}

// RankOptions are pandas' rank options.
type RankOptions struct {
	// Method for ties: "average" (default), "min", "max", "first" (in frame
	// order) or "dense".
	Method string
	// Descending ranks the largest value 1.
	Descending bool
}

// Rank replaces cols by their ranks within each group (pandas'
// groupby(keys).rank: 1-based, Float64, null and NaN values get null). It
// counts every (group, value) over all partitions in one table (a partial
// count per partition, merged), then each partition ranks its rows from
// it; "first" also carries the counts of the partitions before (a chain).
// The table holds one entry per distinct (group, value).
func (g *GroupBy) Rank(o RankOptions, cols ...string) *Frame {
	m := o.Method
	if m == "" {
		m = "average"
	}
	switch m {
	case "average", "min", "max", "first", "dense":
	default:
		return errFrame(fmt.Errorf("frame: GroupBy(%s).Rank: method %q: want average, min, max, first or dense", strings.Join(g.keys, ", "), o.Method))
	}
	return g.groupWindow(groupWin{fn: "rank", what: fmt.Sprintf("Rank(%s)", m), cols: cols, method: m, desc: o.Descending}, true)
}

func (w *groupWin) lower(b *builder, n *node, ps, rs []pend) ([]pend, error) {
	if w.fn == "transform" {
		return w.lowerTransform(b, ps, rs)
	}
	parts, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	out := make([]pend, len(parts))
	// carry[i]: what partition i needs from the others: per-group tails
	// (shift), carries (scans) or, for rank, the count table.
	carry := make([]graph.Key, len(parts))
	switch w.fn {
	case "shift":
		if w.k < 0 {
			for i := len(parts) - 2; i >= 0; i-- {
				deps := []graph.Key{parts[i+1]}
				if carry[i+1] != "" {
					deps = append(deps, carry[i+1])
				}
				if carry[i], err = b.add(w.op("ghead", i), deps...); err != nil {
					return nil, err
				}
			}
		} else if w.k > 0 {
			for i := 1; i < len(parts); i++ {
				var deps []graph.Key
				if carry[i-1] != "" {
					deps = append(deps, carry[i-1])
				}
				if carry[i], err = b.add(w.op("gtail", i), append(deps, parts[i-1])...); err != nil {
					return nil, err
				}
			}
		}
	case "rank":
		hists := make([]graph.Key, len(parts))
		for i, p := range parts {
			if hists[i], err = b.add(w.op("ghist", i), p); err != nil {
				return nil, err
			}
		}
		table, err := b.add(w.op("gtable", 0), hists...)
		if err != nil {
			return nil, err
		}
		var seen graph.Key // "first": the counts of the partitions before
		for i, p := range parts {
			deps := []graph.Key{p, table}
			if w.method == "first" && i > 0 {
				d := []graph.Key{hists[i-1]}
				if seen != "" {
					d = append(d, seen)
				}
				if seen, err = b.add(w.op("ghistsum", i), d...); err != nil {
					return nil, err
				}
				deps = append(deps, seen)
			}
			k, err := b.add(w.op("grank", i), deps...)
			if err != nil {
				return nil, err
			}
			out[i] = pend{deps: []graph.Key{k}}
		}
		return out, nil
	default: // scans
		for i := 1; i < len(parts); i++ {
			tot, err := b.add(w.op("gtot", i-1), parts[i-1])
			if err != nil {
				return nil, err
			}
			deps := []graph.Key{tot}
			if carry[i-1] != "" {
				deps = append(deps, carry[i-1])
			}
			if carry[i], err = b.add(w.op("gcarry", i), deps...); err != nil {
				return nil, err
			}
		}
	}
	for i, p := range parts {
		deps := []graph.Key{p}
		if carry[i] != "" {
			deps = append(deps, carry[i])
		}
		k, err := b.add(w.op("gwin", i), deps...)
		if err != nil {
			return nil, err
		}
		out[i] = pend{deps: []graph.Key{k}}
	}
	return out, nil
}

// groupOf gives the rows of several records (projected to the same key
// columns first) one set of group ids: gids[r][i] for row i of record r.
func groupOf(keys []string, recs ...arrow.Record) ([][]int32, int, error) {
	kr, err := projectConcat(keys, recs)
	if err != nil {
		return nil, 0, err
	}
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	gids, first := groupRows(kr, idx)
	out := make([][]int32, len(recs))
	off := 0
	for r, rec := range recs {
		n := int(rec.NumRows())
		out[r] = gids[off : off+n]
		off += n
	}
	return out, len(first), nil
}

// groupOfPart is groupOf of one partition's rows: the partition's key
// columns, each row's group and each group's first row; enc, when the
// partition has one, supplies the dictionary codes of a string key.
func groupOfPart(keys []string, r arrow.Record, enc *encCache) (arrow.Record, []int32, []int32, error) {
	kr, err := projectConcat(keys, []arrow.Record{r})
	if err != nil {
		return nil, nil, nil, err
	}
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	gids, first, _ := groupRowsMaybe(kr, idx, enc, false)
	return kr, gids, first, nil
}

// partEnc returns the encoding cache of a persisted partition's value, else
// nil.
func partEnc(v any) *encCache {
	if p, ok := v.(*Part); ok {
		return p.enc
	}
	return nil
}

// runGroupTail keeps, of (previous tail, previous partition), the last k
// rows of every group (the first -k for ghead, of (next partition, next
// head)).
func runGroupTail(o *winOp, in []any) (any, error) {
	w, _ := groupWinOf(o)
	recs := make([]arrow.Record, len(in))
	for i, v := range in {
		recs[i] = partRecord(v)
	}
	r, err := projectConcat(o.cols, recs)
	if err != nil {
		return nil, err
	}
	gs, ng, err := groupOf(w.keys, r)
	if err != nil {
		return nil, err
	}
	gids := gs[0]
	k := w.k
	if k < 0 {
		k = -k
	}
	seen := make([]int64, ng)
	keep := make([]bool, len(gids))
	if o.kind == "gtail" {
		for i := len(gids) - 1; i >= 0; i-- {
			if g := gids[i]; seen[g] < k {
				seen[g]++
				keep[i] = true
			}
		}
	} else {
		for i, g := range gids {
			if seen[g] < k {
				seen[g]++
				keep[i] = true
			}
		}
	}
	return &Part{R: filterRecord(r, keep)}, nil
}

// runGroupTot is one row per group of a partition: the keys and the scan's
// totals (as scantot, per group).
func runGroupTot(o *winOp, in []any) (any, error) {
	w, _ := groupWinOf(o)
	r := partRecord(in[0])
	_, gids, first, err := groupOfPart(w.keys, r, partEnc(in[0]))
	if err != nil {
		return nil, err
	}
	return &Part{R: w.carryTable(r, gids, len(first), nil, nil)}, nil
}

// carryTable reduces the rows of r (group ids gids) to one row per group:
// keys (the first row of each group) and per column a carry; start, when
// given, is the carry each group begins with (startOK false: none).
func (w *groupWin) carryTable(r arrow.Record, gids []int32, ng int, start [][]carry, startOK []bool) arrow.Record {
	first := make([]int32, ng)
	for g := range first {
		first[g] = -1
	}
	for i, g := range gids {
		if first[g] < 0 {
			first[g] = int32(i)
		}
	}
	fn := w.fn
	if fn == "cumcount" {
		fn = "cumcount"
	}
	rows := make([][]carry, ng)
	cols := w.scanCols()
	for g := range rows {
		rows[g] = make([]carry, len(cols))
		for j := range cols {
			if start != nil && startOK[g] {
				rows[g][j] = start[g][j]
			} else {
				rows[g][j] = carryStart(fn, false)
			}
		}
	}
	for j, name := range cols {
		c := w.scanCol(r, name)
		for i, g := range gids {
			rows[g][j].step(fn, &c, i)
		}
	}
	keyIdx, _ := fieldIndices(r.Schema(), w.keys)
	fields := []arrow.Field{}
	arrs := []arrow.Array{}
	for _, ki := range keyIdx {
		fields = append(fields, r.Schema().Field(ki))
		arrs = append(arrs, takeCol(r.Column(ki), first))
	}
	cr := carryRecord(cols, rows)
	fields = append(fields, cr.Schema().Fields()...)
	arrs = append(arrs, cr.Columns()...)
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(ng))
}

// scanCols are the columns a group scan carries (cumcount: one, the row
// count).
func (w *groupWin) scanCols() []string {
	if w.fn == "cumcount" {
		return []string{"\x00rows"}
	}
	return w.cols
}

func (w *groupWin) scanCol(r arrow.Record, name string) col {
	if name == "\x00rows" {
		return col{k: kInt, n: int(r.NumRows()), i64: make([]int64, r.NumRows())}
	}
	return colOf(r.Column(r.Schema().FieldIndices(name)[0]))
}

// carriesOf reads a carry table: per row of the table its carries.
func (w *groupWin) carriesOf(t arrow.Record) [][]carry {
	nk := len(w.keys)
	cols := t.Columns()[nk:]
	sub := array.NewRecord(arrow.NewSchema(t.Schema().Fields()[nk:], nil), cols, t.NumRows())
	out := make([][]carry, t.NumRows())
	for i := range out {
		out[i] = carriesAt(sub, i)
	}
	return out
}

// runGroupCarry merges the carry before the previous partition with that
// partition's totals: the carry entering the next partition.
func runGroupCarry(o *winOp, in []any) (any, error) {
	w, _ := groupWinOf(o)
	tot := partRecord(in[0])
	if len(in) == 1 {
		return &Part{R: tot}, nil
	}
	prev := partRecord(in[1])
	gs, ng, err := groupOf(w.keys, prev, tot)
	if err != nil {
		return nil, err
	}
	pc, tc := w.carriesOf(prev), w.carriesOf(tot)
	fn := w.fn
	merged := make([][]carry, ng)
	has := make([]bool, ng)
	firstRow := make([]int32, ng)
	all, err := projectConcat(w.keys, []arrow.Record{prev, tot})
	if err != nil {
		return nil, err
	}
	for g := range firstRow {
		firstRow[g] = -1
	}
	for r, gids := range gs {
		src := pc
		if r == 1 {
			src = tc
		}
		for i, g := range gids {
			if !has[g] {
				merged[g], has[g] = append([]carry(nil), src[i]...), true
				firstRow[g] = int32(i + r*int(prev.NumRows()))
				continue
			}
			for j := range merged[g] {
				merged[g][j] = merged[g][j].merge(fn, src[i][j])
			}
		}
	}
	var fields []arrow.Field
	var arrs []arrow.Array
	for j := range w.keys {
		fields = append(fields, all.Schema().Field(j))
		arrs = append(arrs, takeCol(all.Column(j), firstRow))
	}
	cr := carryRecord(w.scanCols(), merged)
	fields = append(fields, cr.Schema().Fields()...)
	arrs = append(arrs, cr.Columns()...)
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(ng))}, nil
}

// runGroupWin computes a partition's per-group shift or scan with what it
// carries in (in[1]).
func runGroupWin(o *winOp, in []any) (any, error) {
	w, _ := groupWinOf(o)
	r := partRecord(in[0])
	var extra arrow.Record
	if len(in) > 1 {
		extra = partRecord(in[1])
	}
	if w.fn == "shift" {
		return w.shiftPart(r, extra)
	}
	n := int(r.NumRows())
	var gids []int32
	var ng int
	var start [][]carry
	var startOK []bool
	// The partition's own groups (a persisted partition's string codes come
	// from its cache), then the carried-in rows matched to them through
	// one row per group: a grouping of a few rows, not of the partition
	// again.
	kr, gids, first, err := groupOfPart(w.keys, r, partEnc(in[0]))
	if err != nil {
		return nil, err
	}
	ng = len(first)
	if extra != nil {
		gs, m, err := groupOf(w.keys, extra, takeRecord(kr, first))
		if err != nil {
			return nil, err
		}
		own := make([]int32, m) // joint group → the partition's group, -1: none
		for j := range own {
			own[j] = -1
		}
		for g, j := range gs[1] {
			own[j] = int32(g)
		}
		start, startOK = make([][]carry, ng), make([]bool, ng)
		ec := w.carriesOf(extra)
		for i, j := range gs[0] {
			if g := own[j]; g >= 0 {
				start[g], startOK[g] = ec[i], true
			}
		}
	}
	cols := append([]arrow.Array(nil), r.Columns()...)
	fields := append([]arrow.Field(nil), r.Schema().Fields()...)
	scan := w.scanCols()
	for j, name := range scan {
		c := w.scanCol(r, name)
		cur := make([]carry, ng)
		for g := range cur {
			if startOK != nil && startOK[g] {
				cur[g] = start[g][j]
			} else {
				cur[g] = carryStart(w.fn, false)
			}
		}
		valid := make([]bool, n)
		var res arrow.Array
		switch {
		case w.fn == "cumcount":
			out := make([]int64, n)
			for i, g := range gids {
				out[i] = cur[g].i
				cur[g].i++
			}
			res = int64Array(out, nil)
		case c.k == kFloat:
			out := make([]float64, n)
			for i, g := range gids {
				cr := &cur[g]
				valid[i] = cr.step(w.fn, &c, i)
				out[i] = cr.f
				if !valid[i] && !c.null(i) {
					out[i], valid[i] = c.f64[i], true
				}
			}
			res = float64Array(out, allTrueNil(valid))
		default:
			out := make([]int64, n)
			for i, g := range gids {
				cr := &cur[g]
				valid[i] = cr.step(w.fn, &c, i)
				out[i] = cr.i
			}
			if c.k == kTime {
				res = timeArray(out, allTrueNil(valid))
			} else {
				res = int64Array(out, allTrueNil(valid))
			}
		}
		if w.fn == "cumcount" {
			cols = append(cols, res)
			fields = append(fields, arrow.Field{Name: "cumcount", Type: Int64})
			continue
		}
		ci := r.Schema().FieldIndices(name)[0]
		cols[ci] = res
		fields[ci] = arrow.Field{Name: name, Type: res.DataType(), Nullable: true}
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n))}, nil
}

// shiftPart shifts within groups over (tail, part) or (part, head).
func (w *groupWin) shiftPart(r, extra arrow.Record) (any, error) {
	n := int(r.NumRows())
	pr, err := projectConcat(w.cols, []arrow.Record{r})
	if err != nil {
		return nil, err
	}
	recs := []arrow.Record{r}
	var all arrow.Record = pr
	off := 0
	if extra != nil && extra.NumRows() > 0 {
		er, err := projectConcat(w.cols, []arrow.Record{extra})
		if err != nil {
			return nil, err
		}
		if w.k > 0 {
			recs = []arrow.Record{extra, r}
			off = int(extra.NumRows())
			all, err = concatRecords(er.Schema(), []arrow.Record{er, pr})
		} else {
			recs = []arrow.Record{r, extra}
			all, err = concatRecords(pr.Schema(), []arrow.Record{pr, er})
		}
		if err != nil {
			return nil, err
		}
	}
	gs, ng, err := groupOf(w.keys, recs...)
	if err != nil {
		return nil, err
	}
	var gids []int32
	for _, g := range gs {
		gids = append(gids, g...)
	}
	// rowsOf[g]: the rows of group g in order; pos: a row's place in it.
	rowsOf := make([][]int32, ng)
	pos := make([]int, len(gids))
	for i, g := range gids {
		pos[i] = len(rowsOf[g])
		rowsOf[g] = append(rowsOf[g], int32(i))
	}
	src := make([]int32, n)
	for i := range src {
		row := off + i
		g := gids[row]
		p := int64(pos[row]) - w.k
		src[i] = -1
		if p >= 0 && p < int64(len(rowsOf[g])) {
			src[i] = rowsOf[g][p]
		}
	}
	cols := append([]arrow.Array(nil), r.Columns()...)
	for j, name := range w.cols {
		cols[r.Schema().FieldIndices(name)[0]] = takeCol(all.Column(j), src)
	}
	return &Part{R: array.NewRecord(r.Schema(), cols, int64(n))}, nil
}

// rankKey is a (group, value) of the rank tables: the value as an
// order-preserving uint64 (numbers) or the string itself.
type rankKey struct {
	g int32
	u uint64
	s string
}

func orderWord(c *col, i int) (uint64, bool) {
	switch c.k {
	case kFloat:
		v := c.f64[i]
		if v != v {
			return 0, false
		}
		if v == 0 {
			v = 0 // -0 ranks with 0
		}
		b := math.Float64bits(v)
		if b>>63 == 1 {
			return ^b, true
		}
		return b | 1<<63, true
	case kBool:
		return uint64(btoi(c.boolAt(i))), true
	case kStr:
		return 0, true
	}
	return uint64(c.i64[i]) ^ 1<<63, true
}

// runGroupHist counts every (keys, value) of a partition: a record of the
// keys, "\x00v" (the value's order word or string) and "\x00n" per
// column, as rows (col index, keys..., value, count).
func runGroupHist(o *winOp, in []any) (any, error) {
	w, _ := groupWinOf(o)
	r := partRecord(in[0])
	return &Part{R: w.hist(r)}, nil
}

func (w *groupWin) hist(r arrow.Record) arrow.Record {
	gs, _, _ := groupOf(w.keys, r)
	gids := gs[0]
	var cj []int64
	var rowOf []int32
	var us []uint64
	var ss []string
	var cnt []int64
	for j, name := range w.cols {
		c := colOf(r.Column(r.Schema().FieldIndices(name)[0]))
		slot := map[rankKey]int{}
		for i, g := range gids {
			if c.null(i) {
				continue
			}
			u, ok := orderWord(&c, i)
			if !ok {
				continue
			}
			k := rankKey{g: g, u: u}
			if c.k == kStr {
				k.s = string(c.str(i))
			}
			if s, ok := slot[k]; ok {
				cnt[s]++
				continue
			}
			slot[k] = len(cnt)
			cj, rowOf, us, ss, cnt = append(cj, int64(j)), append(rowOf, int32(i)), append(us, k.u), append(ss, k.s), append(cnt, 1)
		}
	}
	keyIdx, _ := fieldIndices(r.Schema(), w.keys)
	fields := []arrow.Field{{Name: "\x00c", Type: Int64}}
	arrs := []arrow.Array{int64Array(cj, nil)}
	for _, ki := range keyIdx {
		fields = append(fields, r.Schema().Field(ki))
		arrs = append(arrs, takeCol(r.Column(ki), rowOf))
	}
	sb := newStrBuilder(len(ss))
	for _, s := range ss {
		sb.add([]byte(s))
	}
	uv := make([]int64, len(us))
	for i, u := range us {
		uv[i] = int64(u)
	}
	fields = append(fields, arrow.Field{Name: "\x00u", Type: Int64}, arrow.Field{Name: "\x00s", Type: String}, arrow.Field{Name: "\x00n", Type: Int64})
	arrs = append(arrs, int64Array(uv, nil), sb.array(), int64Array(cnt, nil))
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(len(cj)))
}

// mergeHists sums the counts of equal (col, keys, value) rows.
func (w *groupWin) mergeHists(recs []arrow.Record) (arrow.Record, error) {
	r, err := concatRecords(recs[0].Schema(), recs)
	if err != nil {
		return nil, err
	}
	nk := len(w.keys)
	idx := make([]int, nk+3)
	for i := range idx {
		idx[i] = i
	}
	gids, first := groupRows(r, idx)
	cnt := make([]int64, len(first))
	nc := colOf(r.Column(nk + 3))
	for i, g := range gids {
		cnt[g] += nc.i64[i]
	}
	out := takeRecord(r, first)
	cols := append([]arrow.Array(nil), out.Columns()...)
	cols[nk+3] = int64Array(cnt, nil)
	return array.NewRecord(out.Schema(), cols, out.NumRows()), nil
}

func runGroupHistSum(o *winOp, in []any) (any, error) {
	w, _ := groupWinOf(o)
	r, err := w.mergeHists(inputRecords(in, -1))
	if err != nil {
		return nil, err
	}
	return &Part{R: r}, nil
}

// runGroupTable merges the partitions' counts and adds, per (col, keys,
// value), the number of values of its group below it ("\x00lt") and the
// number of distinct values below it ("\x00dl"), in the rank order.
func runGroupTable(o *winOp, in []any) (any, error) {
	w, _ := groupWinOf(o)
	r, err := w.mergeHists(inputRecords(in, -1))
	if err != nil {
		return nil, err
	}
	nk := len(w.keys)
	idx := make([]int, nk+1)
	for i := range idx {
		idx[i] = i
	}
	gids, first := groupRows(r, idx) // groups of (col, keys)
	uc, sc, nc := colOf(r.Column(nk+1)), colOf(r.Column(nk+2)), colOf(r.Column(nk+3))
	order := make([]int, len(gids))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if gids[i] != gids[j] {
			return gids[i] < gids[j]
		}
		if ui, uj := uint64(uc.i64[i]), uint64(uc.i64[j]); ui != uj {
			return (ui < uj) != w.desc
		}
		return (strings.Compare(string(sc.str(i)), string(sc.str(j))) < 0) != w.desc
	})
	lt, dl := make([]int64, len(gids)), make([]int64, len(gids))
	var run, distinct int64
	for k, i := range order {
		if k == 0 || gids[order[k-1]] != gids[i] {
			run, distinct = 0, 0
		}
		lt[i], dl[i] = run, distinct
		run += nc.i64[i]
		distinct++
	}
	_ = first
	fields := append(append([]arrow.Field(nil), r.Schema().Fields()...), arrow.Field{Name: "\x00lt", Type: Int64}, arrow.Field{Name: "\x00dl", Type: Int64})
	arrs := append(append([]arrow.Array(nil), r.Columns()...), int64Array(lt, nil), int64Array(dl, nil))
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), arrs, r.NumRows())}, nil
}

// runGroupRank ranks a partition's values from the table (in[1]) and, for
// "first", the counts of the partitions before (in[2]).
func runGroupRank(o *winOp, in []any) (any, error) {
	w, _ := groupWinOf(o)
	r := partRecord(in[0])
	table := partRecord(in[1])
	var before arrow.Record
	if len(in) > 2 {
		before = partRecord(in[2])
	}
	nk := len(w.keys)
	n := int(r.NumRows())
	tk, err := projectConcat(w.keys, []arrow.Record{table})
	if err != nil {
		return nil, err
	}
	recs := []arrow.Record{tk, r}
	if before != nil {
		bk, err := projectConcat(w.keys, []arrow.Record{before})
		if err != nil {
			return nil, err
		}
		recs = append(recs, bk)
	}
	gs, _, err := groupOf(w.keys, recs...)
	if err != nil {
		return nil, err
	}
	type entry struct{ lt, dl, n int64 }
	lookup := map[rankKey]entry{}
	tc, tu, ts, tn := colOf(table.Column(0)), colOf(table.Column(nk+1)), colOf(table.Column(nk+2)), colOf(table.Column(nk+3))
	tlt, tdl := colOf(table.Column(nk+4)), colOf(table.Column(nk+5))
	seen := map[rankKey]int64{}
	if before != nil {
		bc, bu, bs, bn := colOf(before.Column(0)), colOf(before.Column(nk+1)), colOf(before.Column(nk+2)), colOf(before.Column(nk+3))
		for i, g := range gs[2] {
			seen[rankKey{g: g*int32(len(w.cols)) + int32(bc.i64[i]), u: uint64(bu.i64[i]), s: string(bs.str(i))}] += bn.i64[i]
		}
	}
	nc := int32(len(w.cols))
	for i, g := range gs[0] {
		lookup[rankKey{g: g*nc + int32(tc.i64[i]), u: uint64(tu.i64[i]), s: string(ts.str(i))}] = entry{lt: tlt.i64[i], dl: tdl.i64[i], n: tn.i64[i]}
	}
	cols := append([]arrow.Array(nil), r.Columns()...)
	fields := append([]arrow.Field(nil), r.Schema().Fields()...)
	for j, name := range w.cols {
		ci := r.Schema().FieldIndices(name)[0]
		c := colOf(r.Column(ci))
		out, ok := make([]float64, n), make([]bool, n)
		for i, g := range gs[1] {
			if c.null(i) {
				continue
			}
			u, present := orderWord(&c, i)
			if !present {
				continue
			}
			k := rankKey{g: g*nc + int32(j), u: u}
			if c.k == kStr {
				k.s = string(c.str(i))
			}
			e := lookup[k]
			switch w.method {
			case "average":
				out[i] = float64(e.lt) + float64(e.n+1)/2
			case "min":
				out[i] = float64(e.lt + 1)
			case "max":
				out[i] = float64(e.lt + e.n)
			case "dense":
				out[i] = float64(e.dl + 1)
			case "first":
				out[i] = float64(e.lt + seen[k] + 1)
				seen[k]++
			}
			ok[i] = true
		}
		cols[ci] = float64Array(out, allTrueNil(ok))
		fields[ci] = arrow.Field{Name: name, Type: Float64, Nullable: true}
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n))}, nil
}

// Transform computes the aggregations per group and puts each group's
// results on all of its rows, in place (pandas' groupby(keys).transform):
// the frame keeps its rows, order and partitions; an aggregate replaces
// the column of its name, or is added when there is none. The groupby
// result (one row per group) is sent whole to every partition.
func (g *GroupBy) Transform(aggs ...Expr) *Frame {
	f := g.f
	if f.err != nil {
		return f
	}
	what := fmt.Sprintf("GroupBy(%s).Transform", strings.Join(g.keys, ", "))
	agg := g.Agg(aggs...)
	if agg.err != nil {
		return errFrame(fmt.Errorf("frame: %s: %w", what, agg.err))
	}
	s := f.n.schema
	fields := append([]arrow.Field(nil), s.Fields()...)
	var names []string
	for _, fl := range agg.n.schema.Fields()[len(g.keys):] {
		names = append(names, fl.Name)
		fl.Nullable = true
		if ix := s.FieldIndices(fl.Name); len(ix) > 0 {
			fields[ix[0]] = fl
		} else {
			fields = append(fields, fl)
		}
	}
	n := &node{op: "ext", in: f.n, right: agg.n, schema: arrow.NewSchema(fields, nil)}
	n.ext = &groupWin{fn: "transform", what: what, keys: g.keys, names: names}
	n.idx = f.n.idx
	return newFrame(n)
}

func (w *groupWin) lowerTransform(b *builder, ps, rs []pend) ([]pend, error) {
	return b.eachWithGathered(ps, rs, func(i int) graph.Op { return w.op("gtransform", i) })
}

func runGroupTransform(o *winOp, in []any) (any, error) {
	w, _ := groupWinOf(o)
	r, agg := partRecord(in[0]), partRecord(in[1])
	gs, ng, err := groupOf(w.keys, agg, r)
	if err != nil {
		return nil, err
	}
	rowOf := make([]int32, ng)
	for g := range rowOf {
		rowOf[g] = -1
	}
	for i, g := range gs[0] {
		rowOf[g] = int32(i)
	}
	idx := make([]int32, r.NumRows())
	for i, g := range gs[1] {
		idx[i] = rowOf[g]
	}
	cols := append([]arrow.Array(nil), r.Columns()...)
	fields := append([]arrow.Field(nil), r.Schema().Fields()...)
	for _, name := range w.names {
		a := takeCol(agg.Column(agg.Schema().FieldIndices(name)[0]), idx)
		fl := arrow.Field{Name: name, Type: a.DataType(), Nullable: true}
		if ix := r.Schema().FieldIndices(name); len(ix) > 0 {
			cols[ix[0]], fields[ix[0]] = a, fl
		} else {
			cols, fields = append(cols, a), append(fields, fl)
		}
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), cols, r.NumRows())}, nil
}

func init() {
	winKinds["gtail"] = runGroupTail
	winKinds["ghead"] = runGroupTail
	winKinds["gtot"] = runGroupTot
	winKinds["gcarry"] = runGroupCarry
	winKinds["gwin"] = runGroupWin
	winKinds["ghist"] = runGroupHist
	winKinds["ghistsum"] = runGroupHistSum
	winKinds["gtable"] = runGroupTable
	winKinds["grank"] = runGroupRank
	winKinds["gtransform"] = runGroupTransform
}
