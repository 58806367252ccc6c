package frame

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	pqio "github.com/godask/godask/io/parquet"

	"github.com/godask/godask/graph"
)

// Late materialisation of a filtered Parquet read.
//
// A filter pushed into ReadParquet used to read every column of a row
// group whole and drop the rows after: TPC-H q14 keeps 1.3% of lineitem
// and decoded all of l_extendedprice, l_discount and l_partkey for it.
// Now the columns the predicate reads are read first (their own tasks, as
// before, so frames computed together share them), and one pqLateOp per
// row group evaluates the predicate on them and reads the other columns
// at the surviving rows only (io/parquet's ReadOptions.Rows: pages without
// such rows not even decompressed, dictionary indices looked up only for
// them). A predicate that the row group's statistics say keeps more than
// lateMaxKept of its rows is read as before; one that keeps more than
// that when run, has the other columns read whole and the rows left in
// place: a dense selection saves little, and the filter after may then be
// deferred into a partial aggregation (filter_defer.go). Either way the pipe's filter
// step runs after, as before (on the rows kept it keeps every row), so
// the answers are the same.

// lateMaxKept is the largest fraction of rows kept for which the other
// columns are read at the kept rows only.
const lateMaxKept = 0.25

// lateReads turns late materialisation on; tests turn it off for the
// reference.
var lateReads = true

// latePart lowers partition i as described above, or returns ok false
// when it does not apply: no predicate, an empty partition, every column
// read by the predicate, or a column the predicate does not read that is
// a hive key or categorical.
func (s *pqSource) latePart(i int, out, cols []string, pred *enode) (tasks []*graph.Task, deps []graph.Key, steps []step, ok bool, err error) {
	p := s.parts[i]
	if !lateReads || pred == nil || p.rg < 0 {
		return nil, nil, nil, false, nil
	}
	// Conditions run on a string column's dictionary (parquet_match.go)
	// make the first stage a mask read at little cost, so the plan goes
	// late whatever the statistics say and the run decides (lateMaxKept).
	matches, pred2 := s.matchTerms(p, out, pred)
	set := map[string]bool{}
	pred.cols(set)
	var predCols, late []string
	for _, c := range cols {
		if set[c] {
			predCols = append(predCols, c)
			continue
		}
		if t, err := hiveTask(p, c); t != nil || err != nil || s.cats[c] != nil {
			return nil, nil, nil, false, nil
		}
		late = append(late, c)
	}
	if len(late) == 0 || len(predCols) == 0 {
		return nil, nil, nil, false, nil
	}
	// The row group's statistics (optimize_estimate.go) say whether the
	// predicate is likely to keep few enough rows; else the columns are
	// read as before, each its own task, in parallel. Only the conditions
	// the statistics measure count (the planner's fixed guesses for the
	// others, such as 1/10 for a string equality, would send TPC-H q21's
	// o_orderstatus == "F", which keeps half the orders, this way).
	one := &pqSource{parts: []pqPart{p}}
	ranges := func(c string) colRange { return pqRange(one, c) }
	if matches == nil && selectivity(measured(pred, ranges), ranges) > lateMaxKept {
		return nil, nil, nil, false, nil
	}
	if matches != nil {
		pred = pred2
		mc := make([]string, len(cols))
		for j, c := range cols {
			if matches[c] != nil {
				c = matchName(c)
			}
			mc[j] = c
		}
		cols = mc
		steps = []step{{kind: "filter", src: pushedFilter, exprs: []*enode{pred}}}
	}
	first, stages := lateStages(s, p, pred)
	set = map[string]bool{}
	first.cols(set)
	var stageCol = map[string]bool{}
	for _, st := range stages {
		stageCol[st.col] = true
	}
	predCols = predCols[:0]
	for _, c := range cols {
		if set[c] && !stageCol[c] {
			predCols = append(predCols, c)
		}
	}
	var predDeps []graph.Key
	for _, c := range predCols {
		var t *graph.Task
		var err error
		if x, ok := strings.CutPrefix(c, matchName("")); ok && matches[x] != nil {
			t, err = graph.NewTask(&pqMatchOp{path: p.path, rg: p.rg, col: x, cond: matches[x]})
		} else if t, err = hiveTask(p, c); t == nil && err == nil {
			t, err = graph.NewTask(&pqColOp{path: p.path, rg: p.rg, col: c, cats: s.cats[c]})
		}
		if err != nil {
			return nil, nil, nil, false, err
		}
		tasks = append(tasks, t)
		predDeps = append(predDeps, t.Key)
	}
	t, err := graph.NewTask(&pqLateOp{path: p.path, rg: p.rg, pred: first, predCols: predCols, stages: stages, late: late, cols: cols}, predDeps...)
	if err != nil {
		return nil, nil, nil, false, err
	}
	return append(tasks, t), []graph.Key{t.Key}, steps, true, nil
}

// measured is pred without the conditions that the column ranges do not
// measure (each then counts as keeping every row): what is left is ANDs
// and ORs of comparisons of a column of known range with a literal, and
// equalities of an integer column of known range with one; nil when
// nothing is.
func measured(pred *enode, ranges func(string) colRange) *enode {
	switch pred.op {
	case "and", "or":
		if len(pred.args) != 2 {
			return nil
		}
		a, b := measured(pred.args[0], ranges), measured(pred.args[1], ranges)
		switch {
		case pred.op == "or" && (a == nil || b == nil):
			return nil
		case a == nil:
			return b
		case b == nil:
			return a
		}
		return &enode{op: pred.op, args: []*enode{a, b}}
	case "==", "<", "<=", ">", ">=":
		if len(pred.args) != 2 {
			return nil
		}
		c, l := pred.args[0], pred.args[1]
		if c.op == "lit" {
			c, l = l, c
		}
		if c.op != "col" || l.op != "lit" || l.lit.null {
			return nil
		}
		if r := ranges(c.name); r.ok && (pred.op != "==" || r.integer) {
			return pred
		}
	}
	return nil
}

// lateStage is a column read after the first stage, at the rows kept so
// far, and the conjuncts on it alone (pred), which narrow those rows.
type lateStage struct {
	col  string
	pred *enode
}

// lateStages splits pred into the conjuncts evaluated on the columns read
// whole (first) and stages: a conjunct that is a typed comparison or IsIn
// of one column (eval_mask.go: it cannot fail, so evaluating it on fewer
// rows gives the same answers on them) is evaluated on its column read at
// the rows the conjuncts before kept (TPC-H q6: l_shipdate whole, then
// l_discount at the 15% of rows in the year, l_quantity at the 4% with the
// discount, l_extendedprice at the 2% left). Anything else, and the
// conjuncts on a hive or categorical column, go into first; when nothing
// does, first is the conjuncts on the first staged column.
func lateStages(s *pqSource, p pqPart, pred *enode) (first *enode, stages []lateStage) {
	empty := emptyRecord(s.sch)
	var firsts []*enode
	var order []string
	byCol := map[string][]*enode{}
	for _, c := range conjuncts(pred, nil) {
		col, ok := "", false
		if l, isCmp := asCmpLeaf(c); isCmp && typedColumn(empty, l) != nil {
			col, ok = l.col, true
		} else if l, isIn := asInLeaf(c); isIn && inColumn(empty, l.col) != nil {
			col, ok = l.col, true
		}
		if ok {
			if t, err := hiveTask(p, col); t != nil || err != nil || s.cats[col] != nil {
				ok = false
			}
		}
		if !ok {
			firsts = append(firsts, c)
			continue
		}
		if byCol[col] == nil {
			order = append(order, col)
		}
		byCol[col] = append(byCol[col], c)
	}
	inFirst := map[string]bool{}
	andAll(firsts).cols(inFirst)
	if len(inFirst) == 0 {
		inFirst[order[0]] = true
	}
	for _, col := range order {
		if inFirst[col] {
			firsts = append(firsts, byCol[col]...)
		} else {
			stages = append(stages, lateStage{col: col, pred: andAll(byCol[col])})
		}
	}
	return andAll(firsts), stages
}

// pqLateOp evaluates pred on the predicate columns of one row group (its
// inputs, in the order of predCols), narrows the rows kept by each stage,
// and reads the late columns at the rows left (or all of them whole, see
// lateMaxKept); the output has cols in order.
type pqLateOp struct {
	path     string
	rg       int
	pred     *enode
	predCols []string
	stages   []lateStage
	late     []string
	cols     []string
}

func (o *pqLateOp) Name() string  { return "frame.pqlate" }
func (o *pqLateOp) Label() string { return "read-parquet-late" }
func (o *pqLateOp) Params() ([]byte, error) {
	s := step{kind: "late", src: o.path, n: int64(o.rg), exprs: []*enode{o.pred}, names: o.predCols, keys: o.late}
	b := s.append(nil)
	b = appendStrings(b, o.cols)
	st := step{kind: "stages"}
	for _, x := range o.stages {
		st.names = append(st.names, x.col)
		st.exprs = append(st.exprs, x.pred)
	}
	return st.append(b), nil
}

func init() {
	graph.Register("frame.pqlate", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		s := readStep(r)
		cols := readStrings(r)
		st := readStep(r)
		if len(s.exprs) != 1 || len(st.names) != len(st.exprs) {
			return nil, fmt.Errorf("bad pqlate params")
		}
		o := &pqLateOp{path: s.src, rg: int(s.n), pred: s.exprs[0], predCols: s.names, late: s.keys, cols: cols}
		for i, c := range st.names {
			o.stages = append(o.stages, lateStage{col: c, pred: st.exprs[i]})
		}
		return o, r.Err()
	})
}

func (o *pqLateOp) Run(ctx context.Context, in []any) (any, error) {
	if len(in) != len(o.predCols) {
		return nil, fmt.Errorf("pqlate: %d inputs for %d predicate columns", len(in), len(o.predCols))
	}
	type column struct {
		f arrow.Field
		a arrow.Array
	}
	have := map[string]column{}
	var rows int64 = -1
	var fields []arrow.Field
	var arrs []arrow.Array
	for _, v := range in {
		rec := v.(*Part).R
		if rows >= 0 && rec.NumRows() != rows {
			return nil, fmt.Errorf("pqlate: column chunks of %d and %d rows", rows, rec.NumRows())
		}
		rows = rec.NumRows()
		fields = append(fields, rec.Schema().Fields()...)
		arrs = append(arrs, rec.Columns()...)
	}
	var pr arrow.Record = array.NewRecord(arrow.NewSchema(fields, nil), arrs, rows)
	m, err := mask(o.pred, pr)
	if err != nil {
		return nil, fmt.Errorf("filter: %w", err)
	}
	sel := make([]int32, 0, 64)
	for i, k := range m {
		if k {
			sel = append(sel, int32(i))
		}
	}
	read := func(cols []string, rows []int32) (arrow.Record, error) {
		return readRowGroupRows(ctx, o.path, o.rg, cols, rows)
	}
	rest := append([]string(nil), o.late...)
	if float64(len(sel)) > lateMaxKept*float64(len(m)) {
		// Dense: everything whole, the rows left in place.
		for _, st := range o.stages {
			rest = append(rest, st.col)
		}
		sel = nil
	} else {
		pr = filterRecord(pr, m)
		for _, st := range o.stages {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			sr, err := read([]string{st.col}, sel)
			if err != nil {
				return nil, err
			}
			pr = zipRecords(pr, sr)
			sm, err := mask(st.pred, pr)
			if err != nil {
				return nil, fmt.Errorf("filter: %w", err)
			}
			k := 0
			for j, keep := range sm {
				if keep {
					sel[k] = sel[j]
					k++
				}
			}
			if k < len(sel) {
				sel = sel[:k]
				pr = filterRecord(pr, sm)
			}
		}
	}
	lr, err := read(rest, sel)
	if err != nil {
		return nil, err
	}
	if lr.NumRows() != pr.NumRows() {
		return nil, fmt.Errorf("pqlate: %s row group %d: %d rows read for %d", o.path, o.rg, lr.NumRows(), pr.NumRows())
	}
	for _, r := range []arrow.Record{pr, lr} {
		for j, f := range r.Schema().Fields() {
			have[f.Name] = column{f, r.Column(j)}
		}
	}
	outFields := make([]arrow.Field, 0, len(o.cols))
	outArrs := make([]arrow.Array, 0, len(o.cols))
	for _, c := range o.cols {
		col, ok := have[c]
		if !ok {
			return nil, fmt.Errorf("pqlate: %s row group %d: no column %q", o.path, o.rg, c)
		}
		outFields = append(outFields, col.f)
		outArrs = append(outArrs, col.a)
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(outFields, nil), outArrs, pr.NumRows())}, nil
}

// readRowGroupRows reads columns cols of row group rg of path at rows (nil:
// every row), widened and normalized as the frame holds them.
func readRowGroupRows(ctx context.Context, path string, rg int, cols []string, rows []int32) (arrow.Record, error) {
	r, err := pqio.ReadColumnsWith(ctx, path, rg, cols, pqio.ReadOptions{Widen: true, Rows: rows})
	if err != nil {
		return nil, err
	}
	if r, err = normalize(r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// zipRecords is a's columns then b's, of the same rows.
func zipRecords(a, b arrow.Record) arrow.Record {
	fields := append(append([]arrow.Field(nil), a.Schema().Fields()...), b.Schema().Fields()...)
	cols := append(append([]arrow.Array(nil), a.Columns()...), b.Columns()...)
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, a.NumRows())
}
