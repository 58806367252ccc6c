package frame

import (
	"context"
	"fmt"
	"reflect"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
)

// Broadcast joins with the hash table built once.
//
// A broadcast join sends one side whole to every partition of the other.
// Before, every such task gathered the whole broadcast side again and built
// its own hash table on it, so broadcasting a side of R rows to P
// partitions cost R·P rows of building, and only tiny sides were worth
// broadcasting (the fixed-row rule of optimize_joinsize.go turned the
// orders ⋈ lineitem join of TPC-H at scale 10 into a shuffle of lineitem).
// Now one build task (joinBuildOp) gathers the broadcast side into one
// record and builds the chained hash table on its keys, and every probe
// task (joinOp) takes that value as its input: the side is built once and
// shared by all the tasks of a process, and each probe task costs its own
// partition's rows. The table is a graph value like any other: it reports
// its size (the record, the hashes and the chains) and ships or spills as
// its record, the table being built again where it is decoded.
//
// Used for joins without a residual condition (MergeOptions.Where) on at
// least one key: broadcast right for inner, left, semi and anti joins (the
// left rows probe the table, in order), broadcast left for inner joins (the
// right rows probe a table on the left, and the pairs are put back in left
// row order, as before).

// joinTable is a join side gathered into one record with its hash table.
type joinTable struct {
	side  *joinSide // one source, columns in spec order
	keys  []int     // the key columns' indices in side
	ka    []arrow.Array
	c     []col
	h     []uint64
	null  bool // a key has nulls
	head  []int32
	next  []int32
	mask  uint64
	ix    *intIndex // one integer key: direct lookup (join_intindex.go)
	bytes int64
	// bounds[i] is the first row of input partition i, bounds[len-1] the
	// row count (nil when not known): semiPickOp's partitions.
	bounds []int
}

// newJoinTable builds the table of record rec on its columns keys.
func newJoinTable(rec arrow.Record, keys []int) (*joinTable, error) {
	for _, k := range keys {
		if k < 0 || k >= int(rec.NumCols()) {
			return nil, fmt.Errorf("join table: key column %d of a record of %d columns", k, rec.NumCols())
		}
	}
	cols := make([]arrow.Array, rec.NumCols())
	for q := range cols {
		cols[q] = rec.Column(q)
	}
	t := &joinTable{side: &joinSide{srcs: [][]arrow.Array{cols}, n: int(rec.NumRows()), first: rec}, keys: keys}
	t.ka, t.c, t.h, t.null = sideKeys(t.side, keys)
	t.head, t.next, t.mask = chainTable(t.h, t.c, t.null)
	t.bytes = recordSize(rec) + 8*int64(len(t.h)) + 4*int64(len(t.next)+len(t.head))
	if len(keys) == 1 && t.c[0].k.intLike() {
		if t.ix = newIntIndex(t.c[0]); t.ix != nil {
			t.bytes += t.ix.bytes()
		}
	}
	return t, nil
}

// safeJoinTable is newJoinTable for a record from the wire or a spill
// file: a key column of a type the hashing cannot take is an error, not a
// panic.
func safeJoinTable(rec arrow.Record, keys []int) (t *joinTable, err error) {
	defer func() {
		if e := recover(); e != nil {
			t, err = nil, fmt.Errorf("join table keys %v: %v", keys, e)
		}
	}()
	return newJoinTable(rec, keys)
}

// Size implements graph.Sizer.
func (t *joinTable) Size() int64 { return t.bytes }

// sideKeys gathers the key columns keys of side s, as arrays and flat
// views (float keys with -0 made 0), with their row hashes and whether any
// key is null.
func sideKeys(s *joinSide, keys []int) (ka []arrow.Array, c []col, h []uint64, null bool) {
	ka, c, null = sideKeyCols(s, keys)
	kidx := make([]int, len(keys))
	kfields := make([]arrow.Field, len(keys))
	for k := range keys {
		kidx[k] = k
		kfields[k] = arrow.Field{Name: fmt.Sprint(k), Type: ka[k].DataType(), Nullable: true}
	}
	h = rowHashes(array.NewRecord(arrow.NewSchema(kfields, nil), ka, int64(s.n)), kidx)
	return ka, c, h, null
}

// sideKeyCols is sideKeys without the hashes.
func sideKeyCols(s *joinSide, keys []int) (ka []arrow.Array, c []col, null bool) {
	nk := len(keys)
	ka, c = make([]arrow.Array, nk), make([]col, nk)
	for k, q := range keys {
		ka[k] = s.column(q)
		c[k] = colOf(ka[k])
		if c[k].k == kFloat {
			normalizeFloatKeys(&c[k])
		}
		null = null || c[k].valid != nil
	}
	return ka, c, null
}

// joinBuildOp gathers its inputs (the partitions of one join side) into a
// joinTable on the columns names (spec order) keyed by keys.
type joinBuildOp struct {
	names []string
	keys  []string
}

func (o *joinBuildOp) Name() string  { return "frame.joinbuild" }
func (o *joinBuildOp) Label() string { return "join-build" }

func (o *joinBuildOp) Params() ([]byte, error) {
	return appendStrings(appendStrings(nil, o.names), o.keys), nil
}

func (o *joinBuildOp) Run(_ context.Context, in []any) (any, error) {
	s, err := newJoinSide(in, -1, o.names)
	if err != nil {
		return nil, fmt.Errorf("frame: join-build: %w", err)
	}
	keys, err := fieldIndices(s.first.Schema(), o.keys)
	if err != nil {
		return nil, fmt.Errorf("frame: join-build: %w", err)
	}
	bounds := make([]int, 1, len(in)+1)
	for _, v := range in {
		n, err := inputRows(v)
		if err != nil {
			return nil, fmt.Errorf("frame: join-build: %w", err)
		}
		bounds = append(bounds, bounds[len(bounds)-1]+n)
	}
	if bounds[len(bounds)-1] != s.n {
		return nil, fmt.Errorf("frame: join-build: partitions of %d rows in all gathered as %d", bounds[len(bounds)-1], s.n)
	}
	rec := s.first
	if s.row != nil {
		cols := make([]arrow.Array, len(s.srcs[0]))
		for q := range cols {
			cols[q] = s.column(q)
		}
		rec = array.NewRecord(s.first.Schema(), cols, int64(s.n))
	}
	t, err := newJoinTable(rec, keys)
	if err != nil {
		return nil, err
	}
	t.bounds = bounds
	return t, nil
}

func init() {
	graph.Register("frame.joinbuild", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		o := &joinBuildOp{names: readStrings(r), keys: readStrings(r)}
		if err := r.Err(); err != nil {
			return nil, err
		}
		return o, nil
	})
	graph.RegisterCodec("frame.JoinTable", reflect.TypeOf(&joinTable{}), graph.Codec{
		Encode: func(v any) ([]byte, error) {
			t := v.(*joinTable)
			b := appendUvarint(nil, uint64(len(t.keys)))
			for _, k := range t.keys {
				b = appendUvarint(b, uint64(k))
			}
			b = appendUvarint(b, uint64(len(t.bounds)))
			for _, x := range t.bounds {
				b = appendUvarint(b, uint64(x))
			}
			return encodeRecord(b, t.side.first)
		},
		Decode: func(b []byte) (any, error) {
			r := graph.NewReader(b)
			n := r.Uvarint()
			if r.Err() != nil || n > uint64(len(b)) {
				return nil, fmt.Errorf("frame: decode join table: bad key count")
			}
			keys := make([]int, n)
			for i := range keys {
				k := r.Uvarint()
				if k > 1<<20 {
					return nil, fmt.Errorf("frame: decode join table: key column %d", k)
				}
				keys[i] = int(k)
			}
			nb := r.Uvarint()
			if r.Err() != nil || nb > uint64(len(b)) {
				return nil, fmt.Errorf("frame: decode join table: bad partition count")
			}
			var bounds []int
			for i := uint64(0); i < nb; i++ {
				x := r.Uvarint()
				if x > 1<<40 || (len(bounds) > 0 && int(x) < bounds[len(bounds)-1]) {
					return nil, fmt.Errorf("frame: decode join table: bad partition bound %d", x)
				}
				bounds = append(bounds, int(x))
			}
			rec, err := decodeRecord(r.Bytes())
			if err == nil {
				err = r.Err()
			}
			if err != nil {
				return nil, fmt.Errorf("frame: decode join table: %w", err)
			}
			t, err := safeJoinTable(rec, keys)
			if err != nil {
				return nil, fmt.Errorf("frame: decode join table: %w", err)
			}
			if len(bounds) > 0 && bounds[len(bounds)-1] != t.side.n {
				return nil, fmt.Errorf("frame: decode join table: partitions of %d rows for a table of %d", bounds[len(bounds)-1], t.side.n)
			}
			t.bounds = bounds
			return t, nil
		},
	})
}

// buildsOnce reports whether join n's broadcast side is built once by a
// joinBuildOp (side +1: right, -1: left).
func buildsOnce(n *node, side int) bool {
	s := n.join
	if side < 0 && semiBuildsLeft(n) {
		return true // semiBuildsLeft: with or without Where
	}
	if s.where != nil || len(s.lk) == 0 {
		return false
	}
	if side < 0 {
		return s.how == Inner || semiBuildsLeft(n)
	}
	return side > 0
}

// runBuilt is joinOp.Run where one input is a joinTable: in[nl] for the
// right side, in[0] for the left.
func (j *joinOp) runBuilt(ctx context.Context, in []any) (any, bool, error) {
	s := j.spec
	if t, ok := in[len(in)-1].(*joinTable); ok && j.nl == len(in)-1 {
		lin, err := j.leftInputs(in)
		if err != nil {
			return nil, true, fmt.Errorf("frame: join: left side: %w", err)
		}
		l, err := newJoinSide(lin, j.piece, s.lin)
		if err != nil {
			return nil, true, fmt.Errorf("frame: join: left side: %w", err)
		}
		li, err := fieldIndices(l.first.Schema(), s.lk)
		if err != nil {
			return nil, true, fmt.Errorf("frame: join: left side: %w", err)
		}
		if err := checkBuiltTypes(t, l, li, s); err != nil {
			return nil, true, err
		}
		if err := checkCrossSize(ctx, l, t.side, s); err != nil {
			return nil, true, fmt.Errorf("frame: %w", err)
		}
		warnJoin(ctx, l, t.side)
		var lidx, ridx []int32
		var lka []arrow.Array
		if t.ix != nil && (s.how == Inner || s.how == Left || s.how == Semi || s.how == Anti) {
			var lc []col
			lka, lc, _ = sideKeyCols(l, li)
			lidx, ridx = t.ix.probe(ctx, lc[0], t.c[0].i64, t.head, t.next, t.mask, s.how)
		} else {
			var lc []col
			var lh []uint64
			var lnull bool
			lka, lc, lh, lnull = sideKeys(l, li)
			lidx, ridx = probeTable(ctx, lc, t.c, lh, t.h, t.head, t.next, t.mask, lnull, s.how, t.side.n)
		}
		if ctx.Err() != nil {
			return nil, true, ctx.Err()
		}
		return &Part{R: joinOutput(l, t.side, s, li, t.keys, lka, t.ka, lidx, ridx)}, true, nil
	}
	if t, ok := in[0].(*joinTable); ok && j.nl == 1 && s.how == Inner {
		r, err := newJoinSide(in[1:], j.piece, s.rin)
		if err != nil {
			return nil, true, fmt.Errorf("frame: join: right side: %w", err)
		}
		ri, err := fieldIndices(r.first.Schema(), s.rk)
		if err != nil {
			return nil, true, fmt.Errorf("frame: join: right side: %w", err)
		}
		if err := checkCrossSize(ctx, t.side, r, s); err != nil {
			return nil, true, fmt.Errorf("frame: %w", err)
		}
		warnJoin(ctx, t.side, r)
		rka, rc, rh, rnull := sideKeys(r, ri)
		lidx, ridx := pairsOnLeftTable(ctx, t.c, rc, t.h, rh, t.head, t.next, t.mask, rnull)
		if ctx.Err() != nil {
			return nil, true, ctx.Err()
		}
		return &Part{R: joinOutput(t.side, r, s, t.keys, ri, t.ka, rka, lidx, ridx)}, true, nil
	}
	return nil, false, nil
}

// checkBuiltTypes checks that the probe side's keys have the table's types.
func checkBuiltTypes(t *joinTable, l *joinSide, li []int, s *joinSpec) error {
	for k, q := range li {
		lt, rt := l.first.Column(q).DataType(), t.side.first.Column(t.keys[k]).DataType()
		if !arrow.TypeEqual(lt, rt) {
			return fmt.Errorf("frame: join: key %q is %s on the left and %s on the right", s.lk[k], lt, rt)
		}
	}
	return nil
}

// probeTable matches the left rows (key views lc, hashes lh) against the
// chained table head/next/mask on the right rows (key views rc, hashes rh) for a join
// of kind how (inner, left, semi, anti): the left row indices in order and,
// except for semi and anti joins, their right rows (-1: none). nr is the
// right side's row count.
func probeTable(ctx context.Context, lc, rc []col, lh, rh []uint64, head, next []int32, mask uint64, lnull bool, how How, nr int) (lidx, ridx []int32) {
	nl := len(lh)
	var lv, rv []int64
	if len(lc) == 1 && lc[0].k.intLike() {
		lv, rv = lc[0].i64, rc[0].i64
	}
	semi := how == Semi || how == Anti
	est := nl
	if semi {
		est = nl / 2
	}
	lidx = make([]int32, 0, est)
	if !semi {
		ridx = make([]int32, 0, est)
	}
	var matched []bool
	if how == Right || how == Outer {
		matched = make([]bool, nr)
	}
	for i := 0; i < nl; i++ {
		if i&0xffff == 0 && ctx.Err() != nil {
			return nil, nil
		}
		found := false
		if !lnull || !anyNull(lc, i) {
			h := lh[i]
			for jj := head[h&mask]; jj >= 0; jj = next[jj] {
				if lv != nil {
					if rv[jj] != lv[i] {
						continue
					}
				} else if rh[jj] != h || !keyEq(lc, rc, i, int(jj)) {
					continue
				}
				found = true
				if semi {
					break
				}
				lidx, ridx = append(lidx, int32(i)), append(ridx, jj)
				if matched != nil {
					matched[jj] = true
				}
			}
		}
		switch {
		case how == Semi && found, how == Anti && !found:
			lidx = append(lidx, int32(i))
		case !found && (how == Left || how == Outer):
			lidx, ridx = append(lidx, int32(i)), append(ridx, -1)
		}
	}
	for jj, m := range matched {
		if !m {
			lidx, ridx = append(lidx, -1), append(ridx, int32(jj))
		}
	}
	return lidx, ridx
}

// pairsOnLeftTable is the inner join's matching with the hash table
// head/next/mask on the left rows (key views lc, hashes lh): it probes with
// the right rows, then orders the pairs by left row (a stable counting
// sort), as a right-built join yields them.
func pairsOnLeftTable(ctx context.Context, lc, rc []col, lh, rh []uint64, head, next []int32, mask uint64, rnull bool) (lidx, ridx []int32) {
	var lv, rv []int64
	if len(lc) == 1 && lc[0].k.intLike() {
		lv, rv = lc[0].i64, rc[0].i64
	}
	var pl, pr []int32
	for j := range rh {
		if j&0xffff == 0 && ctx.Err() != nil {
			return nil, nil
		}
		if rnull && anyNull(rc, j) {
			continue
		}
		h := rh[j]
		for i := head[h&mask]; i >= 0; i = next[i] {
			if lv != nil {
				if lv[i] != rv[j] {
					continue
				}
			} else if lh[i] != h || !keyEq(lc, rc, int(i), j) {
				continue
			}
			pl, pr = append(pl, i), append(pr, int32(j))
		}
	}
	start := make([]int32, len(lh)+1)
	for _, i := range pl {
		start[i+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	lidx, ridx = make([]int32, len(pl)), make([]int32, len(pl))
	for k, i := range pl {
		p := start[i]
		start[i]++
		lidx[p], ridx[p] = i, pr[k]
	}
	return lidx, ridx
}
