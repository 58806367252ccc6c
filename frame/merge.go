package frame

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
)

// How is the kind of a join.
type How string

// The join kinds of Merge.
const (
	Inner How = "inner" // rows whose keys appear on both sides
	Left  How = "left"  // every left row; right columns null where no match
	Right How = "right" // every right row; left columns null where no match
	Outer How = "outer" // every row of both sides
	Semi  How = "semi"  // left rows (left columns only) that have a match
	Anti  How = "anti"  // left rows (left columns only) that have no match
)

// MergeOptions says how Merge joins two frames.
type MergeOptions struct {
	How How // default Inner
	// On names key columns present on both sides under the same names; the
	// result has each once. LeftOn/RightOn name them per side instead (same
	// count, pairwise matching types); the result keeps both.
	On              []string
	LeftOn, RightOn []string
	// Suffixes are appended to the names of non-key columns present on both
	// sides; default "_x" and "_y", as in pandas.
	Suffixes [2]string
	// Broadcast is the largest partition count of a side that is sent whole
	// to every partition of the other side instead of shuffling both; default
	// 1, negative to always shuffle.
	Broadcast int
	// Partitions is the number of output partitions of a shuffle join;
	// default the larger side's partition count.
	Partitions int
	// Where is an extra condition on each pair of rows whose keys match
	// (SQL's ON a.k = b.k AND <condition>), evaluated during the probe: a
	// pair counts as a match only where it is true. It names columns as
	// an inner join of the two sides would (suffixes on shared names);
	// for semi and anti joins it decides which left rows have a match.
	Where Expr
}

type joinSpec struct {
	how        How
	where      *enode   // MergeOptions.Where, nil for none
	lk, rk     []string // key columns per side
	shared     bool     // keys given by On: one copy in the output
	lsuf, rsuf string
	broadcast  int
	parts      int
	// slices (planning only, sizeJoins): a join broadcasting its right side
	// joins each left partition in this many row ranges, one task each,
	// when a whole partition's join would not fit a task's memory.
	slices int
	// autoBroadcast: Broadcast was left at its default, so a side may
	// also be broadcast by its estimated size (optimize_joinsize.go).
	autoBroadcast bool
	lin, rin      []string // the input columns of each side, in order
	lcols         []string // output column names of the left side's columns
	rcols         []string // output names of the right side's columns ("" = dropped key)
}

// Merge joins f (left) with right on key columns, like pandas' merge and
// Dask's dd.merge. Keys must have the same type on both sides (cast one side
// with WithColumn and Cast otherwise) and may be of any type; a null key
// matches nothing, as in SQL (pandas matches nulls with each other).
//
// When one side has at most o.Broadcast partitions (default 1) and the join
// keeps every row of the other side's partitions independent (inner, left,
// semi and anti with a small right; inner and right with a small left), the
// small side is sent to every partition of the other: no shuffle. Otherwise
// both sides are hash-partitioned on the keys into the same number of pieces
// (one split task per input partition, one join task per output partition:
// O(n) tasks) and piece i of the left is joined with piece i of the right.
// Rows within an output partition come in left order; unmatched right rows of
// right and outer joins follow.
func (f *Frame) Merge(right *Frame, o MergeOptions) *Frame {
	if f.err != nil {
		return f
	}
	if right == nil {
		return errFrame(fmt.Errorf("frame: Merge: right frame is nil"))
	}
	if right.err != nil {
		return right
	}
	s, err := planJoin(f.n.schema, right.n.schema, o)
	if err == nil {
		err = planWhere(s, f.n.schema, right.n.schema, o)
	}
	if err != nil {
		return errFrame(fmt.Errorf("frame: Merge: %w", err))
	}
	return f.derive(&node{op: "join", in: f.n, right: right.n, join: s, schema: s.output(f.n.schema, right.n.schema)})
}

// Join is Merge on key columns of the same names on both sides.
func (f *Frame) Join(right *Frame, how How, on ...string) *Frame {
	return f.Merge(right, MergeOptions{How: how, On: on})
}

func planJoin(ls, rs *arrow.Schema, o MergeOptions) (*joinSpec, error) {
	s := &joinSpec{how: o.How, lsuf: o.Suffixes[0], rsuf: o.Suffixes[1], broadcast: o.Broadcast, parts: o.Partitions}
	if s.how == "" {
		s.how = Inner
	}
	switch s.how {
	case Inner, Left, Right, Outer, Semi, Anti:
	default:
		return nil, fmt.Errorf("unknown join kind %q (want inner, left, right, outer, semi or anti)", s.how)
	}
	if s.lsuf == "" && s.rsuf == "" {
		s.lsuf, s.rsuf = "_x", "_y"
	}
	if s.broadcast == 0 {
		s.broadcast, s.autoBroadcast = 1, true
	}
	switch {
	case len(o.On) > 0 && (len(o.LeftOn) > 0 || len(o.RightOn) > 0):
		return nil, fmt.Errorf("give either On or LeftOn/RightOn, not both")
	case len(o.On) > 0:
		s.lk, s.rk, s.shared = o.On, o.On, true
	case len(o.LeftOn) == 0 || len(o.LeftOn) != len(o.RightOn):
		return nil, fmt.Errorf("no join keys: give On, or LeftOn and RightOn of the same length (got %d and %d)", len(o.LeftOn), len(o.RightOn))
	default:
		s.lk, s.rk = o.LeftOn, o.RightOn
	}
	li, err := fieldIndices(ls, s.lk)
	if err != nil {
		return nil, fmt.Errorf("left side: %w", err)
	}
	ri, err := fieldIndices(rs, s.rk)
	if err != nil {
		return nil, fmt.Errorf("right side: %w", err)
	}
	for i := range li {
		lt, rt := ls.Field(li[i]).Type, rs.Field(ri[i]).Type
		if kindOf(lt) == kInvalid {
			return nil, keyTypeError(s.lk[i], lt)
		}
		if !arrow.TypeEqual(lt, rt) && !(kindOf(lt) == kStr && kindOf(rt) == kStr) && !bothZoned(lt, rt) { // categorical joins string
			return nil, fmt.Errorf("key %q is %s on the left but key %q is %s on the right; cast one side (WithColumn with Cast) to join them", s.lk[i], lt, s.rk[i], rt)
		}
	}
	rkey := map[int]bool{}
	if s.shared {
		for _, i := range ri {
			rkey[i] = true
		}
	}
	lnames, rnames := map[string]bool{}, map[string]bool{}
	for _, fl := range ls.Fields() {
		lnames[fl.Name] = true
	}
	for i, fl := range rs.Fields() {
		if !rkey[i] {
			rnames[fl.Name] = true
		}
	}
	lkey := map[string]bool{}
	if s.shared {
		for _, k := range s.lk {
			lkey[k] = true
		}
	}
	for _, fl := range ls.Fields() {
		name := fl.Name
		if rnames[name] && !lkey[name] && s.how != Semi && s.how != Anti {
			name += s.lsuf
		}
		s.lcols = append(s.lcols, name)
	}
	for i, fl := range rs.Fields() {
		switch {
		case rkey[i]:
			s.rcols = append(s.rcols, "")
		case lnames[fl.Name]:
			s.rcols = append(s.rcols, fl.Name+s.rsuf)
		default:
			s.rcols = append(s.rcols, fl.Name)
		}
	}
	seen := map[string]bool{}
	for _, n := range append(append([]string(nil), s.lcols...), s.rcols...) {
		if n != "" && seen[n] {
			return nil, fmt.Errorf("column %q appears twice in the result; choose other Suffixes", n)
		}
		seen[n] = true
	}
	return s, nil
}

// output records the input columns of both sides and returns the join's
// output schema: the left columns, then the right ones but dropped keys
// (none for semi and anti joins), under their planned names.
func (s *joinSpec) output(ls, rs *arrow.Schema) *arrow.Schema {
	s.lin, s.rin = fieldNames(ls), fieldNames(rs)
	var fields []arrow.Field
	for i, fl := range ls.Fields() {
		fields = append(fields, arrow.Field{Name: s.lcols[i], Type: fl.Type, Nullable: true})
	}
	if s.how != Semi && s.how != Anti {
		for i, fl := range rs.Fields() {
			if s.rcols[i] != "" {
				fields = append(fields, arrow.Field{Name: s.rcols[i], Type: fl.Type, Nullable: true})
			}
		}
	}
	return arrow.NewSchema(fields, nil)
}

// joinNeed says which columns each side must supply for the columns needed
// of the join's output (nil: all).
func joinNeed(n *node, need map[string]bool) (l, r map[string]bool) {
	if need == nil {
		return nil, nil
	}
	s := n.join
	l, r = map[string]bool{}, map[string]bool{}
	for _, k := range s.lk {
		l[k] = true
	}
	for _, k := range s.rk {
		r[k] = true
	}
	for i, fl := range n.in.schema.Fields() {
		if need[s.lcols[i]] {
			l[fl.Name] = true
		}
	}
	for i, fl := range n.right.schema.Fields() {
		if s.rcols[i] != "" && need[s.rcols[i]] {
			r[fl.Name] = true
		}
	}
	whereNeed(n, l, r)
	return l, r
}

// pushJoin pushes projections into both sides of a join. The join's column
// naming is kept by re-planning against the pruned inputs.
func (p *pusher) pushJoin(n *node, need map[string]bool) *node {
	ln, rn := joinNeed(n, need)
	m := *n
	m.in, m.right = p.push(n.in, ln), p.push(n.right, rn)
	s := *n.join
	s.lcols, s.rcols = nil, nil
	for _, fl := range m.in.schema.Fields() {
		s.lcols = append(s.lcols, outName(n, fl.Name, true))
	}
	for _, fl := range m.right.schema.Fields() {
		s.rcols = append(s.rcols, outName(n, fl.Name, false))
	}
	m.join = &s
	m.schema = s.output(m.in.schema, m.right.schema)
	return &m
}

// outName is the output name of input column name of the left or right side
// of join node n, as planned before pruning.
func outName(n *node, name string, left bool) string {
	side, names := n.in.schema, n.join.lcols
	if !left {
		side, names = n.right.schema, n.join.rcols
	}
	return names[side.FieldIndices(name)[0]]
}

func joinParts(n *node) int {
	if p, ok := coPartitioned(n); ok {
		return p
	}
	l, r := partsOf(n.in), partsOf(n.right)
	if side := bcastSide(n, l, r); side != 0 {
		if side > 0 {
			return l * max(1, n.join.slices)
		}
		if semiBuildsLeft(n) {
			return l
		}
		return r
	}
	if n.join.parts > 0 {
		return n.join.parts
	}
	return max(l, r)
}

// bcastSide is +1 to broadcast the right side, -1 the left, 0 to shuffle.
func bcastSide(n *node, l, r int) int {
	b := n.join.broadcast
	if b < 0 {
		return 0
	}
	if _, ok := coPartitioned(n); ok {
		return 0
	}
	h := n.join.how
	if r <= b && (h == Inner || h == Left || h == Semi || h == Anti) {
		return 1
	}
	if l <= b && (h == Inner || h == Right) {
		return -1
	}
	return sizeBroadcast(n, l, r)
}

func (b *builder) lowerJoin(n *node) ([]pend, error) {
	lps, err := b.lower(n.in)
	if err != nil {
		return nil, err
	}
	rps, err := b.lower(n.right)
	if err != nil {
		return nil, err
	}
	// The side is decided on the counts matAll and emptySide will give.
	side := bcastSide(n, max(len(lps), 1), max(len(rps), 1))
	var lfilters []*enode // per left partition, a filter the join task applies
	if lazyProbeFilters && b.tags == nil && side == 1 && !scanFiltered(n) && n.join.slices <= 1 {
		lps = append([]pend(nil), lps...)
		lfilters = make([]*enode, len(lps))
		for i := range lps {
			lps[i], lfilters[i] = stripProbeFilter(lps[i])
		}
	}
	lkeys, err := b.matAll(lps)
	if err != nil {
		return nil, err
	}
	rkeys, err := b.matAll(rps)
	if err != nil {
		return nil, err
	}
	if lkeys, err = b.emptySide(n.in, lkeys); err != nil {
		return nil, err
	}
	if rkeys, err = b.emptySide(n.right, rkeys); err != nil {
		return nil, err
	}
	op := joinOp{spec: n.join, nl: 1, piece: -1}
	var out []pend
	switch side {
	case 1:
		op.nl = 1
		if buildsOnce(n, side) {
			tk, err := b.add(&joinBuildOp{names: n.join.rin, keys: n.join.rk}, rkeys...)
			if err != nil {
				return nil, err
			}
			rkeys = []graph.Key{tk}
			if scanFiltered(n) { // join_scanfilter.go
				if lkeys, err = b.lowerScanFiltered(n.in, n.join.lk[0], tk, lkeys); err != nil {
					return nil, err
				}
			}
		}
		for i, lk := range lkeys {
			if n.join.slices > 1 {
				ks, err := b.sliceJoin(op, lk, rkeys, n.join.slices)
				if err != nil {
					return nil, err
				}
				for _, k := range ks {
					out = append(out, pend{deps: []graph.Key{k}})
				}
				continue
			}
			o := op
			if i < len(lfilters) {
				o.lfilter = lfilters[i]
			}
			k, err := b.add(&o, append([]graph.Key{lk}, rkeys...)...)
			if err != nil {
				return nil, err
			}
			out = append(out, pend{deps: []graph.Key{k}})
		}
		return out, nil
	case -1:
		if semiBuildsLeft(n) {
			return b.lowerSemiBuildLeft(n, lkeys, rkeys)
		}
		if buildsOnce(n, side) {
			tk, err := b.add(&joinBuildOp{names: n.join.lin, keys: n.join.lk}, lkeys...)
			if err != nil {
				return nil, err
			}
			lkeys = []graph.Key{tk}
		}
		op.nl = len(lkeys)
		for _, rk := range rkeys {
			o := op
			k, err := b.add(&o, append(append([]graph.Key(nil), lkeys...), rk)...)
			if err != nil {
				return nil, err
			}
			out = append(out, pend{deps: []graph.Key{k}})
		}
		return out, nil
	}
	if p, ok := coPartitioned(n); ok && len(lkeys) == p && len(rkeys) == p {
		// Both sides are already hash-partitioned on the keys: partition i
		// joins partition i.
		for i := 0; i < p; i++ {
			o := op
			k, err := b.add(&o, lkeys[i], rkeys[i])
			if err != nil {
				return nil, err
			}
			out = append(out, pend{deps: []graph.Key{k}})
		}
		return out, nil
	}
	p := joinParts(n)
	ls, err := b.splitAll(lkeys, n.join.lk, p)
	if err != nil {
		return nil, err
	}
	rs, err := b.splitAll(rkeys, n.join.rk, p)
	if err != nil {
		return nil, err
	}
	for i := 0; i < p; i++ {
		o := op
		o.nl, o.piece = len(ls), i
		k, err := b.add(&o, append(append([]graph.Key(nil), ls...), rs...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, pend{deps: []graph.Key{k}})
	}
	return out, nil
}

// joinOp joins its inputs: the first nl are left partitions (or, with piece
// >= 0, hash pieces of which it takes number piece), the rest right ones.
type joinOp struct {
	spec  *joinSpec
	nl    int
	piece int
	// lfilter, when not nil, filters the left inputs first
	// (join_lazyfilter.go).
	lfilter *enode
}

func (j *joinOp) Name() string  { return "frame.join" }
func (j *joinOp) Label() string { return "join-" + string(j.spec.how) }

func (j *joinOp) Params() ([]byte, error) {
	s := j.spec
	b := appendStrings(nil, []string{string(s.how), s.lsuf, s.rsuf})
	b = appendStrings(b, s.lk)
	b = appendStrings(b, s.rk)
	b = appendStrings(b, s.lin)
	b = appendStrings(b, s.rin)
	b = appendStrings(b, s.lcols)
	b = appendStrings(b, s.rcols)
	shared := uint64(0)
	if s.shared {
		shared = 1
	}
	b = appendUvarint(b, shared)
	b = appendUvarint(b, uint64(j.nl))
	b = appendVarint(b, int64(j.piece))
	return appendWhere(appendWhere(b, s.where), j.lfilter), nil
}

func decodeJoinOp(p []byte) (graph.Op, error) {
	r := graph.NewReader(p)
	hs := readStrings(r)
	s := &joinSpec{lk: readStrings(r), rk: readStrings(r), lin: readStrings(r), rin: readStrings(r), lcols: readStrings(r), rcols: readStrings(r)}
	s.shared = r.Uvarint() == 1
	j := &joinOp{spec: s, nl: int(r.Uvarint()), piece: int(r.Varint())}
	s.where = readWhere(r)
	j.lfilter = readWhere(r)
	if err := r.Err(); err != nil {
		return nil, err
	}
	if len(hs) != 3 {
		return nil, fmt.Errorf("frame.join: bad parameters")
	}
	s.how, s.lsuf, s.rsuf = How(hs[0]), hs[1], hs[2]
	return j, nil
}

func init() { graph.Register("frame.join", decodeJoinOp) }

// InputParts implements graph.PartReader: a shuffle join reads piece j.piece
// of every split.
func (j *joinOp) InputParts(n int) []int { return graph.AllParts(n, j.piece) }

func (j *joinOp) Run(ctx context.Context, in []any) (any, error) {
	if out, ok, err := j.runBuilt(ctx, in); ok {
		return out, err
	}
	lin, err := j.leftInputs(in)
	if err != nil {
		return nil, fmt.Errorf("frame: join: left side: %w", err)
	}
	l, err := newJoinSide(lin, j.piece, j.spec.lin)
	if err != nil {
		return nil, fmt.Errorf("frame: join: left side: %w", err)
	}
	r, err := newJoinSide(in[j.nl:], j.piece, j.spec.rin)
	if err != nil {
		return nil, fmt.Errorf("frame: join: right side: %w", err)
	}
	if err := checkCrossSize(ctx, l, r, j.spec); err != nil {
		return nil, fmt.Errorf("frame: %w", err)
	}
	warnJoin(ctx, l, r)
	out, err := hashJoin(ctx, l, r, j.spec)
	if err != nil {
		return nil, fmt.Errorf("frame: join: %w", err)
	}
	return &Part{R: out}, nil
}

func fieldNames(s *arrow.Schema) []string {
	out := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		out[i] = f.Name
	}
	return out
}

// keyEq compares the key columns of row i of a and row j of b.
func keyEq(a, b []col, i, j int) bool {
	for k := range a {
		x, y := &a[k], &b[k]
		switch x.k {
		case kStr:
			if !bytes.Equal(x.str(i), y.str(j)) {
				return false
			}
		case kFloat:
			if x.f64[i] != y.f64[j] {
				return false
			}
		case kBool:
			if x.boolAt(i) != y.boolAt(j) {
				return false
			}
		default:
			if x.i64[i] != y.i64[j] {
				return false
			}
		}
	}
	return true
}

func anyNull(cs []col, i int) bool {
	for k := range cs {
		if cs[k].null(i) {
			return true
		}
	}
	return false
}

// hashJoin joins l and r on the spec's keys: it builds a chained hash table
// over the right rows and probes it with the left rows in order, then takes
// the output columns straight from the sides' sources.
func hashJoin(ctx context.Context, l, r *joinSide, s *joinSpec) (arrow.Record, error) {
	if s.where != nil {
		return hashJoinWhere(ctx, l, r, s)
	}
	k, err := prepJoinKeys(l, r, s)
	if err != nil {
		return nil, err
	}
	li, ri, lka, rka, lc, rc, lh, rh, lnull, rnull := k.li, k.ri, k.lka, k.rka, k.lc, k.rc, k.lh, k.rh, k.lnull, k.rnull
	nl, nr := l.n, r.n
	if s.how == Inner && 2*nl < nr {
		// Build on the smaller left side and probe with the right rows.
		lidx, ridx := innerPairsBuildLeft(ctx, lc, rc, lh, rh, lnull, rnull)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return joinOutput(l, r, s, li, ri, lka, rka, lidx, ridx), nil
	}
	if (s.how == Semi || s.how == Anti) && 2*nl < nr {
		lidx := semiRowsBuildLeft(ctx, lc, rc, lh, rh, lnull, rnull, s.how == Anti)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return joinOutput(l, r, s, li, ri, lka, rka, lidx, nil), nil
	}
	head, next, mask := chainTable(rh, rc, rnull)
	lidx, ridx := probeTable(ctx, lc, rc, lh, rh, head, next, mask, lnull, s.how, nr)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return joinOutput(l, r, s, li, ri, lka, rka, lidx, ridx), nil
}

// joinKeys are the key columns of both sides of a join task, gathered,
// with their row hashes.
type joinKeys struct {
	li, ri       []int // key column indices per side
	lka, rka     []arrow.Array
	lc, rc       []col
	lh, rh       []uint64
	lnull, rnull bool // a side's keys have nulls
}

func prepJoinKeys(l, r *joinSide, s *joinSpec) (*joinKeys, error) {
	li, err := fieldIndices(l.first.Schema(), s.lk)
	if err != nil {
		return nil, fmt.Errorf("left side: %w", err)
	}
	ri, err := fieldIndices(r.first.Schema(), s.rk)
	if err != nil {
		return nil, fmt.Errorf("right side: %w", err)
	}
	lka, lc, lh, lnull := sideKeys(l, li)
	rka, rc, rh, rnull := sideKeys(r, ri)
	return &joinKeys{li, ri, lka, rka, lc, rc, lh, rh, lnull, rnull}, nil
}

// joinOutput takes the output columns of a join: rows lidx of the left
// side, ridx of the right (-1: nulls); key columns from their gathered
// arrays lka, rka.
func joinOutput(l, r *joinSide, s *joinSpec, li, ri []int, lka, rka []arrow.Array, lidx, ridx []int32) arrow.Record {
	lkey := map[int]int{}
	for k, q := range li {
		lkey[q] = k
	}
	rkey := map[int]int{}
	for k, q := range ri {
		rkey[q] = k
	}
	var cols []arrow.Array
	var fields []arrow.Field
	lseg, lrow := l.resolve(lidx)
	for q := range l.srcs[0] {
		var a arrow.Array
		k, isKey := lkey[q]
		switch {
		case isKey && s.shared && (s.how == Right || s.how == Outer):
			// One key column for both sides: the right's key where the
			// left has none.
			a = coalesceTake(lka[k], rka[k], lidx, ridx)
		case isKey:
			a = takeCol(lka[k], lidx)
		default:
			a = l.take(q, lseg, lrow)
		}
		cols = append(cols, a)
		fields = append(fields, arrow.Field{Name: s.lcols[q], Type: a.DataType(), Nullable: true})
	}
	if s.how != Semi && s.how != Anti {
		rseg, rrow := r.resolve(ridx)
		for q := range r.srcs[0] {
			if s.rcols[q] == "" {
				continue
			}
			var a arrow.Array
			if k, isKey := rkey[q]; isKey {
				a = takeCol(rka[k], ridx)
			} else {
				a = r.take(q, rseg, rrow)
			}
			cols = append(cols, a)
			fields = append(fields, arrow.Field{Name: s.rcols[q], Type: a.DataType(), Nullable: true})
		}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(len(lidx)))
}

// chainTable is a chained hash table over rows with hashes h: head[h&mask]
// is the first row of a bucket, next[row] the following one, in row order.
// Rows with a null key are left out.
func chainTable(h []uint64, c []col, hasNull bool) (head, next []int32, mask uint64) {
	n := len(h)
	size := 1
	for size < 2*n {
		size <<= 1
	}
	mask = uint64(size - 1)
	head = make([]int32, size)
	for i := range head {
		head[i] = -1
	}
	next = make([]int32, n)
	for i := n - 1; i >= 0; i-- {
		if hasNull && anyNull(c, i) {
			next[i] = -1
			continue
		}
		b := h[i] & mask
		next[i], head[b] = head[b], int32(i)
	}
	return head, next, mask
}

// innerPairsBuildLeft is the inner join's matching with the hash table on
// the left rows: it probes with the right rows, then orders the pairs by
// left row (a stable counting sort), as the right-built join yields them.
func innerPairsBuildLeft(ctx context.Context, lc, rc []col, lh, rh []uint64, lnull, rnull bool) (lidx, ridx []int32) {
	head, next, mask := chainTable(lh, lc, lnull)
	return pairsOnLeftTable(ctx, lc, rc, lh, rh, head, next, mask, rnull)
}

// normalizeFloatKeys makes -0 equal to 0 for comparisons (the row hashes
// already treat them alike) by copying the column's values when needed.
func normalizeFloatKeys(c *col) {
	for i, v := range c.f64 {
		if v == 0 && math.Signbit(v) {
			f := append([]float64(nil), c.f64...)
			for j := i; j < len(f); j++ {
				if f[j] == 0 {
					f[j] = 0
				}
			}
			c.f64 = f
			return
		}
	}
}

// coalesceTake gathers a shared key column: a[li] where li >= 0, else b[ri].
func coalesceTake(a, b arrow.Array, li, ri []int32) arrow.Array {
	x := takeCol(a, li)
	y := takeCol(b, ri)
	idx := make([]int32, len(li))
	both := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "k", Type: x.DataType(), Nullable: true}}, nil),
		[]arrow.Array{x}, int64(len(li)))
	bothY := array.NewRecord(both.Schema(), []arrow.Array{y}, int64(len(li)))
	cat, err := concatRecords(both.Schema(), []arrow.Record{both, bothY})
	if err != nil {
		return x
	}
	for i := range idx {
		idx[i] = int32(i)
		if li[i] < 0 {
			idx[i] = int32(len(li) + i)
		}
	}
	return takeCol(cat.Column(0), idx)
}

func explainJoin(b *strings.Builder, ind string, n *node) {
	how := "hash-shuffle"
	if _, ok := coPartitioned(n); ok {
		how = "co-partitioned, no shuffle"
	}
	side := bcastSide(n, partsOf(n.in), partsOf(n.right))
	switch side {
	case 1:
		how = "broadcast right"
	case -1:
		how = "broadcast left"
	}
	extra := joinExplainExtra(n, side)
	switch {
	case side == 1 && buildsOnce(n, side) && scanFiltered(n):
		extra += ", keys filtered at the left scan"
	case side == -1 && scanFilteredRight(n):
		extra += ", keys filtered at the right scan"
	}
	fmt.Fprintf(b, "%sjoin %s on left %v = right %v (%s, partitions=%d%s)\n", ind, n.join.how, n.join.lk, n.join.rk, how, joinParts(n), extra)
}
