package frame

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
	pqio "github.com/godask/godask/io/parquet"
)

// Filters on Parquet string columns, run on the dictionary.
//
// A filter pushed into a Parquet read used to have its columns read like
// any other: TPC-H q19's l_shipmode IN ('AIR', 'AIR REG') and
// l_shipinstruct = 'DELIVER IN PERSON' built the strings of 6 million rows
// twice, compared every one, and then carried both columns, which nothing
// after the filter reads, through the join. Now:
//
//   - a column that only the predicate reads is dropped right after the
//     filter (dropPredOnly: the source's columns are those its parents
//     need, and the reader adds the predicate's);
//   - the conditions of the predicate (its top-level AND terms) that read
//     one string column and nothing else, when that column is read for the
//     predicate only, are run by a pqMatchOp on the column chunk's
//     dictionary, once per distinct value (io/parquet's ReadMatches), which
//     gives the row mask as a boolean column in the column's place; the
//     filter step reads that column instead of the conditions.
//
// The answers are the same: a condition on one column has, for each row,
// the value it has on that row's string, and a null row gets the
// condition's value on a null (the filter keeps a row only where its
// predicate is true, so an AND term that is null or false drops the row
// either way). With such conditions a read goes late (parquet_late.go)
// whatever the statistics say: the masks are the first stage, cheap to
// read, and the run decides from the rows they keep whether the other
// columns are read at those rows only.

// dropPredOnly narrows source c (a Parquet read with a pushed predicate) to
// the columns its parents need; the reader still reads the predicate's
// columns (pqSource.part adds them) and the source's lowering drops them
// after the filter.
func dropPredOnly(c *node, need map[string]bool) {
	if _, ok := c.src.(*pqSource); !ok || need == nil || c.cols == nil {
		return
	}
	var cols []string
	var fields []arrow.Field
	for i, name := range c.cols {
		if need[name] {
			cols = append(cols, name)
			fields = append(fields, c.schema.Field(i))
		}
	}
	if len(cols) == 0 {
		cols, fields = c.cols[:1], c.schema.Fields()[:1]
	}
	if len(cols) == len(c.cols) {
		return
	}
	c.cols, c.schema = cols, arrow.NewSchema(fields, nil)
}

// predOutside reports whether source n's predicate reads a column that n
// does not output.
func predOutside(n *node) bool {
	set := map[string]bool{}
	n.pred.cols(set)
	for _, c := range n.cols {
		delete(set, c)
	}
	return len(set) > 0
}

// pushedFilter marks a filter step that a source's part made itself (with
// its predicate rewritten): the lowering adds none after it.
const pushedFilter = "pushed"

// filtered reports whether a source's steps end with its own filter.
func filtered(steps []step) bool {
	return len(steps) > 0 && steps[len(steps)-1].kind == "filter" && steps[len(steps)-1].src == pushedFilter
}

// dictMatches turns the conditions on dictionaries on; tests turn it off
// for the reference.
var dictMatches = true

// matchOps are the operations a condition run on a dictionary may use:
// functions of the one value, with no input but the column and literals.
var matchOps = map[string]bool{
	"col": true, "lit": true, "alias": true,
	"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true,
	"and": true, "or": true, "not": true, "isin": true, "isnull": true, "notnull": true, "fillnull": true,
	"contains": true, "startswith": true, "endswith": true, "like": true, "ilike": true, "matches": true,
	"lower": true, "upper": true, "len": true, "bytelen": true, "strip": true, "lstrip": true, "rstrip": true,
}

func matchSafe(n *enode) bool { return onlyOps(n, matchOps) }

// matchName is the boolean column a pqMatchOp of column c makes.
func matchName(c string) string { return "__match." + c }

// matchTerms splits pred into the conditions run on a dictionary, by
// column (each column's conditions ANDed), and the predicate the filter
// then evaluates, with those conditions replaced by the columns' masks. It
// returns nil when no condition qualifies: one reading a single string
// column (not categorical, not a hive key) of p that out does not hold.
func (s *pqSource) matchTerms(p pqPart, out []string, pred *enode) (map[string]*enode, *enode) {
	if !dictMatches || pred == nil || p.rg < 0 {
		return nil, nil
	}
	have := map[string]bool{}
	for _, c := range out {
		have[c] = true
	}
	terms := conjuncts(pred, nil)
	byCol := map[string][]*enode{}
	var order []string
	rest := make([]*enode, 0, len(terms))
	for _, t := range terms {
		set := map[string]bool{}
		t.cols(set)
		var c string
		for k := range set {
			c = k
		}
		if len(set) != 1 || have[c] || !matchSafe(t) || !s.matchable(p, c) {
			rest = append(rest, t)
			continue
		}
		if byCol[c] == nil {
			order = append(order, c)
		}
		byCol[c] = append(byCol[c], t)
	}
	if len(order) == 0 {
		return nil, nil
	}
	m := make(map[string]*enode, len(order))
	for _, c := range order {
		m[c] = andAll(byCol[c])
		rest = append(rest, &enode{op: "col", name: matchName(c)})
	}
	return m, andAll(rest)
}

// matchable reports whether column c of part p can be matched on its
// dictionary: a plain string column of the file.
func (s *pqSource) matchable(p pqPart, c string) bool {
	idx := s.sch.FieldIndices(c)
	if len(idx) == 0 || s.sch.Field(idx[0]).Type.ID() != arrow.STRING || s.cats[c] != nil {
		return false
	}
	t, err := hiveTask(p, c)
	return t == nil && err == nil
}

// pqMatchOp reads one string column of one row group as the mask of a
// condition on it (a boolean column named matchName(col), without nulls),
// the condition run once per dictionary value.
type pqMatchOp struct {
	path string
	rg   int
	col  string
	cond *enode
}

func (o *pqMatchOp) Name() string  { return "frame.pqmatch" }
func (o *pqMatchOp) Label() string { return "read-parquet-match-" + o.col }
func (o *pqMatchOp) Params() ([]byte, error) {
	s := step{kind: "match", src: o.path, n: int64(o.rg), exprs: []*enode{o.cond}, names: []string{o.col}}
	return s.append(nil), nil
}

func (o *pqMatchOp) Run(ctx context.Context, _ []any) (any, error) {
	m, err := pqio.ReadMatches(ctx, o.path, o.rg, o.col, func(values arrow.Array) ([]bool, error) {
		sch := arrow.NewSchema([]arrow.Field{{Name: o.col, Type: values.DataType(), Nullable: true}}, nil)
		r, err := normalize(array.NewRecord(sch, []arrow.Array{values}, int64(values.Len())))
		if err != nil {
			return nil, err
		}
		return mask(o.cond, r)
	})
	if err != nil {
		return nil, fmt.Errorf("%s column %q, condition %s: %w", o.path, o.col, o.cond, err)
	}
	sch := arrow.NewSchema([]arrow.Field{{Name: matchName(o.col), Type: arrow.FixedWidthTypes.Boolean}}, nil)
	return &Part{R: array.NewRecord(sch, []arrow.Array{boolArray(m, nil)}, int64(len(m)))}, nil
}

func init() {
	graph.Register("frame.pqmatch", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		s := readStep(r)
		if err := r.Err(); err != nil {
			return nil, err
		}
		if s.kind != "match" || len(s.exprs) != 1 || len(s.names) != 1 || s.exprs[0] == nil {
			return nil, fmt.Errorf("bad pqmatch params")
		}
		return &pqMatchOp{path: s.src, rg: int(s.n), col: s.names[0], cond: s.exprs[0]}, nil
	})
}
