package frame

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/hash"
)

// Join keys filtered at the scan.
//
// An inner or semi join of a large Parquet read with a small table built
// once (TPC-H q5: 6 million lineitem rows against the 23,000 orders of one
// year in one region; q3, q7, q17 alike) used to decode every column of
// every probe row, then drop all but a few percent of them at the probe.
// When the built side is estimated at most scanFilterRatio of the probe
// side, each row group of the read is lowered instead as one pqKeyFilterOp
// that takes the built table as an input: it reads the join key (and the
// pushed predicate's columns) whole, keeps the rows whose key is in the
// table (the table's bitmap, join_intindex.go, or its hash chains) and the
// predicate holds, and reads the other columns only at those rows
// (io/parquet ReadOptions.Rows: pages without such rows not even
// decompressed). The probe then joins those rows as before. A row whose
// key is not in the table has no partner in an inner or semi join, so the
// answer is the same; left and anti joins keep such rows and are not
// planned this way. The right side of a semi or anti join built on its
// left side is read the same way through the left table: a right row whose
// key is not there marks nothing. When more than lateMaxKept of a row
// group's rows pass, the other columns are read whole and filtered in
// memory.

// scanFilterRatio is the largest estimated size of the built side,
// relative to the probe side, for which the probe's scan is filtered.
const scanFilterRatio = 1.0 / 8

// scanKeyFilters turns the filtering on; tests turn it off for the
// reference. scanDenseKept is the fraction of a row group's rows above
// which the other columns are read whole (a variable for tests).
var (
	scanKeyFilters = true
	scanDenseKept  = lateMaxKept
)

// scanFiltered reports whether join n (broadcast right, built once) reads
// its left side as described above: a Parquet source, or a projection of
// bare columns of one (SelectCols), on one integer key.
func scanFiltered(n *node) bool {
	if h := n.join.how; h != Inner && h != Semi {
		return false
	}
	return scanFilterable(n, n.in, n.join.lk, n.right)
}

// scanFilteredRight is scanFiltered for the right side of a semi or anti
// join built on its left side (join_semibuild.go): a right row whose key is
// not in the left table marks no left row, with or without a Where
// condition, so the right scan may drop it.
func scanFilteredRight(n *node) bool {
	return semiBuildsLeft(n) && scanFilterable(n, n.right, n.join.rk, n.in)
}

// scanFilterable reports whether the side probe of join n, on keys, may be
// read filtered by a table of the side built.
func scanFilterable(n, probe *node, keys []string, built *node) bool {
	if !scanKeyFilters || len(keys) != 1 || n.join.slices > 1 {
		return false
	}
	srcNode, key, ok := scanSource(probe, keys[0])
	if !ok {
		return false
	}
	src, ok := srcNode.src.(*pqSource)
	if !ok {
		return false
	}
	kt := srcNode.schema.FieldIndices(key)
	if len(kt) == 0 || !kindOf(srcNode.schema.Field(kt[0]).Type).intLike() {
		return false
	}
	for _, c := range scanReadCols(srcNode) {
		if src.cats[c] != nil {
			return false
		}
		for _, p := range src.parts {
			if t, err := hiveTask(p, c); t != nil || err != nil {
				return false
			}
		}
	}
	l, lok := estRows(probe)
	r, rok := estRows(built)
	return lok && rok && l > 0 && r <= scanFilterRatio*l
}

// scanSource returns the source under a join's side in (in itself, or
// under projections of bare or renamed columns) and the join key's name
// there.
func scanSource(in *node, key string) (*node, string, bool) {
	for in.op == "project" {
		found := false
		for i, e := range in.exprs {
			for e.op == "alias" && len(e.args) == 1 {
				e = e.args[0]
			}
			if e.op != "col" {
				return nil, "", false
			}
			if in.names[i] == key && !found {
				key, found = e.name, true
			}
		}
		if !found {
			return nil, "", false
		}
		in = in.in
	}
	if in.op != "source" {
		return nil, "", false
	}
	return in, key, true
}

// projectSteps is the projections between side in and its source, the
// innermost first.
func projectSteps(in *node) []step {
	var steps []step
	for ; in.op == "project"; in = in.in {
		steps = append([]step{{kind: "project", exprs: in.exprs, names: in.names}}, steps...)
	}
	return steps
}

// scanReadCols is the columns a filtered scan of source n reads: its own
// and its predicate's.
func scanReadCols(n *node) []string {
	cols := sourceCols(n)
	if n.pred != nil {
		have := map[string]bool{}
		for _, c := range cols {
			have[c] = true
		}
		set := map[string]bool{}
		n.pred.cols(set)
		for _, f := range n.src.schema().Fields() {
			if set[f.Name] && !have[f.Name] {
				cols = append(cols, f.Name)
			}
		}
	}
	return cols
}

// sourceCols is the columns source n outputs (all of its schema's when it
// has no projection).
func sourceCols(n *node) []string {
	if n.cols != nil {
		return append([]string(nil), n.cols...)
	}
	var cols []string
	for _, f := range n.schema.Fields() {
		cols = append(cols, f.Name)
	}
	return cols
}

// lowerScanFiltered returns the keys of the partitions of a join's side
// probe (on key) read through table tk; pkeys are the partitions as
// lowered before (an empty row group keeps its own).
func (b *builder) lowerScanFiltered(probe *node, key string, tk graph.Key, pkeys []graph.Key) ([]graph.Key, error) {
	srcNode, key, _ := scanSource(probe, key)
	src := srcNode.src.(*pqSource)
	if len(pkeys) != len(src.parts) {
		return pkeys, nil
	}
	out := make([]graph.Key, len(pkeys))
	for i, p := range src.parts {
		if p.rg < 0 {
			out[i] = pkeys[i]
			continue
		}
		k, err := b.add(&pqKeyFilterOp{path: p.path, rg: p.rg, key: key, cols: sourceCols(srcNode), pred: srcNode.pred}, tk)
		if err != nil {
			return nil, err
		}
		if steps := projectSteps(probe); len(steps) > 0 {
			if k, err = b.mat(pend{deps: []graph.Key{k}, steps: steps}); err != nil {
				return nil, err
			}
		}
		out[i] = k
	}
	return out, nil
}

// pqKeyFilterOp reads columns cols of one row group at the rows whose key
// column is in its input (a joinTable on one integer key) and where pred
// (nil: none) holds.
type pqKeyFilterOp struct {
	path string
	rg   int
	key  string
	cols []string
	pred *enode
}

func (o *pqKeyFilterOp) Name() string  { return "frame.pqkeyfilter" }
func (o *pqKeyFilterOp) Label() string { return "read-parquet-joined" }
func (o *pqKeyFilterOp) Params() ([]byte, error) {
	s := step{kind: "keyfilter", src: o.path, n: int64(o.rg), names: o.cols, keys: []string{o.key}}
	if o.pred != nil {
		s.exprs = []*enode{o.pred}
	}
	return s.append(nil), nil
}

func init() {
	graph.Register("frame.pqkeyfilter", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		s := readStep(r)
		if err := r.Err(); err != nil {
			return nil, err
		}
		if s.kind != "keyfilter" || len(s.keys) != 1 || len(s.names) == 0 || len(s.exprs) > 1 {
			return nil, fmt.Errorf("bad pqkeyfilter params")
		}
		o := &pqKeyFilterOp{path: s.src, rg: int(s.n), key: s.keys[0], cols: s.names}
		if len(s.exprs) == 1 {
			o.pred = s.exprs[0]
		}
		return o, nil
	})
}

func (o *pqKeyFilterOp) Run(ctx context.Context, in []any) (any, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("pqkeyfilter: %d inputs, want the join table", len(in))
	}
	t, ok := in[0].(*joinTable)
	if !ok || len(t.c) != 1 || !t.c[0].k.intLike() {
		return nil, fmt.Errorf("pqkeyfilter: input is a %T, not a join table on one integer key", in[0])
	}
	read := func(cols []string, rows []int32) (arrow.Record, error) {
		return readRowGroupRows(ctx, o.path, o.rg, cols, rows) // parquet_late.go
	}
	// The key and the predicate's columns, whole.
	first := []string{o.key}
	if o.pred != nil {
		set := map[string]bool{}
		o.pred.cols(set)
		delete(set, o.key)
		for c := range set {
			first = append(first, c)
		}
	}
	fr, err := read(first, nil)
	if err != nil {
		return nil, err
	}
	kc := colOf(fr.Column(0))
	var keep []bool // the predicate's mask (nil: no predicate)
	if o.pred != nil {
		if keep, err = mask(o.pred, fr); err != nil {
			return nil, fmt.Errorf("filter: %w", err)
		}
	}
	// m marks the rows kept, sel lists them.
	m := make([]bool, kc.n)
	sel := make([]int32, 0, 64)
	for i, v := range kc.i64[:kc.n] {
		if (keep == nil || keep[i]) && !kc.null(i) && t.hasKey(v) {
			m[i] = true
			sel = append(sel, int32(i))
		}
	}
	var rest []string
	have := map[string]bool{}
	for _, c := range first {
		have[c] = true
	}
	for _, c := range o.cols {
		if !have[c] {
			rest = append(rest, c)
		}
	}
	kept := filterRecord(fr, m)
	var lr arrow.Record
	if len(rest) > 0 {
		if float64(len(sel)) > scanDenseKept*float64(kc.n) {
			whole, err := read(rest, nil)
			if err != nil {
				return nil, err
			}
			lr = filterRecord(whole, m)
		} else if lr, err = read(rest, sel); err != nil {
			return nil, err
		}
		if lr.NumRows() != kept.NumRows() {
			return nil, fmt.Errorf("pqkeyfilter: %s row group %d: %d rows read for %d", o.path, o.rg, lr.NumRows(), kept.NumRows())
		}
	}
	if lr != nil {
		kept = zipRecords(kept, lr) // parquet_late.go
	}
	r, err := selectColumns(kept, o.cols)
	if err != nil {
		return nil, fmt.Errorf("pqkeyfilter: %s row group %d: %w", o.path, o.rg, err)
	}
	return &Part{R: r}, nil
}

// hasKey reports whether some row of t (a table on one integer key) has
// key v.
func (t *joinTable) hasKey(v int64) bool {
	if x := t.ix; x != nil {
		u := uint64(v - x.lo)
		return u < x.span && x.has[u>>6]&(1<<(u&63)) != 0
	}
	rv := t.c[0].i64
	for i := t.head[hash.Uint64(uint64(v))&t.mask]; i >= 0; i = t.next[i] {
		if rv[i] == v && !t.c[0].null(int(i)) {
			return true
		}
	}
	return false
}
