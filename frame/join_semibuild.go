package frame

import (
	"context"
	"fmt"
	"reflect"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/hash"
)

// Semi and anti joins with the hash table on a small left side.
//
// A semi (anti) join keeps the left rows that have (have not) a matching
// right row. When the left side is much smaller than the right (TPC-H q21:
// 0.75M late lineitems of Saudi suppliers at scale 10 against all 60M
// lineitems, with the residual l2_suppkey <> l1_suppkey), broadcasting the
// right is impossible and a shuffle moves the whole right side twice, so
// the left side is built instead:
//
//   - one build task (joinBuildOp) gathers the left partitions into a
//     joinTable, recording where each partition's rows start;
//   - one mark task per right partition (semiMarkOp) probes the table with
//     that partition's rows and returns a bitmap of the left rows it
//     matched (with MergeOptions.Where, of the left rows a pair passing the
//     condition matched: the pairs are formed a bounded batch at a time and
//     a left row already marked is not paired again);
//   - merge tasks (semiMergeOp) OR the bitmaps, at most semiMergeFanIn at a
//     time, so that each right partition's bitmap is freed soon;
//   - one pick task per left partition (semiPickOp) keeps that partition's
//     rows whose bit is set (anti: clear), in order.
//
// The right side is read once, partition by partition, and never held
// whole; the output has the left's partitions and row order, as the other
// join plans give.

// semiMergeFanIn is how many bitmaps one merge task ORs.
const semiMergeFanIn = 16

// semiPairBatch is how many key-equal pairs a mark task with a Where
// condition forms before evaluating the condition on them.
const semiPairBatch = 1 << 16

// semiBuildsLeft reports whether join n, broadcasting its left side, is
// planned as above: a semi or anti join on at least one key.
func semiBuildsLeft(n *node) bool {
	s := n.join
	return (s.how == Semi || s.how == Anti) && len(s.lk) > 0
}

// joinMarks is one bit per row of a join table: the rows some right row
// matched.
type joinMarks struct {
	n    int
	bits []uint64
}

func newJoinMarks(n int) *joinMarks { return &joinMarks{n: n, bits: make([]uint64, (n+63)/64)} }

func (m *joinMarks) set(i int32)       { m.bits[i>>6] |= 1 << (uint(i) & 63) }
func (m *joinMarks) has(i int) bool    { return m.bits[i>>6]&(1<<(uint(i)&63)) != 0 }
func (m *joinMarks) hasI(i int32) bool { return m.has(int(i)) }

// Size implements graph.Sizer.
func (m *joinMarks) Size() int64 { return 8*int64(len(m.bits)) + 16 }

// inputRows is the row count of one input of a join side, as newJoinSide
// reads it with piece -1.
func inputRows(v any) (int, error) {
	switch x := v.(type) {
	case *Part:
		return int(x.R.NumRows()), nil
	case *shard:
		if x.src != nil {
			return len(x.idx), nil
		}
		return int(x.r.NumRows()), nil
	case *Pieces:
		n := 0
		if x.src != nil {
			for _, idx := range x.idx {
				n += len(idx)
			}
			return n, nil
		}
		for _, r := range x.Rs {
			if r != nil {
				n += int(r.NumRows())
			}
		}
		return n, nil
	}
	return 0, fmt.Errorf("input is a %T, not a partition", v)
}

// semiMarkOp marks the rows of a left join table (input 0) that the rows
// of one right partition (input 1) match.
type semiMarkOp struct{ spec *joinSpec }

func (o *semiMarkOp) Name() string  { return "frame.semimark" }
func (o *semiMarkOp) Label() string { return "join-" + string(o.spec.how) + "-mark" }

func (o *semiMarkOp) Params() ([]byte, error) { return (&joinOp{spec: o.spec, nl: 1}).Params() }

func (o *semiMarkOp) Run(ctx context.Context, in []any) (any, error) {
	s := o.spec
	if len(in) != 2 {
		return nil, fmt.Errorf("frame: join-%s-mark: %d inputs, want 2", s.how, len(in))
	}
	t, ok := in[0].(*joinTable)
	if !ok {
		return nil, fmt.Errorf("frame: join-%s-mark: input 0 is a %T, not a join table", s.how, in[0])
	}
	r, err := newJoinSide(in[1:], -1, s.rin)
	if err != nil {
		return nil, fmt.Errorf("frame: join: right side: %w", err)
	}
	ri, err := fieldIndices(r.first.Schema(), s.rk)
	if err != nil {
		return nil, fmt.Errorf("frame: join: right side: %w", err)
	}
	if len(ri) != len(t.keys) {
		return nil, fmt.Errorf("frame: join: %d right keys against a table of %d", len(ri), len(t.keys))
	}
	for k, q := range ri {
		lt, rt := t.side.first.Column(t.keys[k]).DataType(), r.first.Column(q).DataType()
		if !arrow.TypeEqual(lt, rt) {
			return nil, fmt.Errorf("frame: join: key %q is %s on the left and %s on the right", s.lk[k], lt, rt)
		}
	}
	warnJoin(ctx, t.side, r)
	var rka []arrow.Array
	var rc []col
	var rh []uint64
	var rnull bool
	if t.ix != nil {
		rka, rc, rnull = sideKeyCols(r, ri) // markLeft looks the keys up in t.ix
	} else {
		rka, rc, rh, rnull = sideKeys(r, ri)
	}
	m := newJoinMarks(t.side.n)
	if err := markLeft(ctx, t, r, ri, rka, rc, rh, rnull, s, m); err != nil {
		return nil, err
	}
	return m, nil
}

// markLeft sets in m the rows of table t that a right row (key views rc,
// hashes rh) matches, with the spec's Where condition holding on the pair
// when it has one.
func markLeft(ctx context.Context, t *joinTable, r *joinSide, ri []int, rka []arrow.Array, rc []col, rh []uint64, rnull bool, s *joinSpec, m *joinMarks) error {
	lc := t.c
	var lv, rv []int64
	if len(lc) == 1 && lc[0].k.intLike() {
		lv, rv = lc[0].i64, rc[0].i64
	}
	var ps *joinSpec
	if s.where != nil {
		ls, rs := sideSchema(t.side, s.lin), sideSchema(r, s.rin)
		var err error
		if ps, err = planJoin(ls, rs, pairOptions(s)); err != nil {
			return fmt.Errorf("frame: join: Where: %w", err)
		}
		ps.output(ls, rs)
	}
	var pl, pr []int32
	flush := func() error {
		if len(pl) == 0 {
			return nil
		}
		pairs := joinOutput(t.side, r, ps, t.keys, ri, t.ka, rka, pl, pr)
		ok, err := mask(s.where, pairs)
		if err != nil {
			return fmt.Errorf("frame: join: Where %s: %w", Expr{s.where}, err)
		}
		for p, keep := range ok {
			if keep {
				m.set(pl[p])
			}
		}
		pl, pr = pl[:0], pr[:0]
		return nil
	}
	// found marks left row i as matched by right row j, or keeps the pair
	// for the Where condition; rowDone checks the pairs kept once enough
	// have gathered.
	found := func(i int32, j int) {
		if ps == nil {
			m.set(i)
			return
		}
		pl, pr = append(pl, i), append(pr, int32(j))
	}
	rowDone := func() error {
		if len(pl) >= semiPairBatch {
			return flush()
		}
		return nil
	}
	if t.ix != nil {
		// One integer key: the direct index (join_intindex.go).
		x := t.ix
		for j, v := range rv {
			if j&0xffff == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			u := uint64(v - x.lo)
			if u >= x.span || x.has[u>>6]&(1<<(u&63)) == 0 || rnull && rc[0].null(j) {
				continue
			}
			i, nx := int32(0), t.next
			if x.head != nil {
				i, nx = x.head[u], x.next
			} else {
				i = t.head[hash.Uint64(uint64(v))&t.mask]
			}
			for ; i >= 0; i = nx[i] {
				if lv[i] == v && !m.hasI(i) {
					found(i, j)
				}
			}
			if err := rowDone(); err != nil {
				return err
			}
		}
		return flush()
	}
	for j := range rh {
		if j&0xffff == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if rnull && anyNull(rc, j) {
			continue
		}
		h := rh[j]
		for i := t.head[h&t.mask]; i >= 0; i = t.next[i] {
			if m.hasI(i) {
				continue
			}
			if lv != nil {
				if lv[i] != rv[j] {
					continue
				}
			} else if t.h[i] != h || !keyEq(lc, rc, int(i), j) {
				continue
			}
			found(i, j)
		}
		if err := rowDone(); err != nil {
			return err
		}
	}
	return flush()
}

// semiMergeOp ORs its joinMarks inputs.
type semiMergeOp struct{}

func (semiMergeOp) Name() string            { return "frame.semimerge" }
func (semiMergeOp) Label() string           { return "join-marks-merge" }
func (semiMergeOp) Params() ([]byte, error) { return nil, nil }

func (semiMergeOp) Run(_ context.Context, in []any) (any, error) {
	var out *joinMarks
	for k, v := range in {
		m, ok := v.(*joinMarks)
		if !ok {
			return nil, fmt.Errorf("frame: join-marks-merge: input %d is a %T, not join marks", k, v)
		}
		if out == nil {
			out = &joinMarks{n: m.n, bits: append([]uint64(nil), m.bits...)}
			continue
		}
		if m.n != out.n {
			return nil, fmt.Errorf("frame: join-marks-merge: input %d marks %d rows, input 0 %d", k, m.n, out.n)
		}
		for w, b := range m.bits {
			out.bits[w] |= b
		}
	}
	if out == nil {
		return nil, fmt.Errorf("frame: join-marks-merge: no inputs")
	}
	return out, nil
}

// semiPickOp keeps the rows of left partition part of a join table (input
// 0) that are marked (anti: unmarked) in input 1.
type semiPickOp struct {
	spec *joinSpec
	part int
}

func (o *semiPickOp) Name() string  { return "frame.semipick" }
func (o *semiPickOp) Label() string { return "join-" + string(o.spec.how) }

func (o *semiPickOp) Params() ([]byte, error) {
	b, err := (&joinOp{spec: o.spec, nl: 1}).Params()
	if err != nil {
		return nil, err
	}
	return append(appendUvarint(nil, uint64(o.part)), b...), nil
}

func (o *semiPickOp) Run(_ context.Context, in []any) (any, error) {
	s := o.spec
	if len(in) != 2 {
		return nil, fmt.Errorf("frame: join-%s: %d inputs, want 2", s.how, len(in))
	}
	t, ok := in[0].(*joinTable)
	if !ok {
		return nil, fmt.Errorf("frame: join-%s: input 0 is a %T, not a join table", s.how, in[0])
	}
	m, ok := in[1].(*joinMarks)
	if !ok {
		return nil, fmt.Errorf("frame: join-%s: input 1 is a %T, not join marks", s.how, in[1])
	}
	if m.n != t.side.n {
		return nil, fmt.Errorf("frame: join-%s: marks of %d rows for a table of %d", s.how, m.n, t.side.n)
	}
	if o.part < 0 || o.part+1 >= len(t.bounds) {
		return nil, fmt.Errorf("frame: join-%s: partition %d of a table of %d", s.how, o.part, max(0, len(t.bounds)-1))
	}
	lo, hi := t.bounds[o.part], t.bounds[o.part+1]
	if lo < 0 || hi < lo || hi > t.side.n {
		return nil, fmt.Errorf("frame: join-%s: partition %d has rows %d to %d of a table of %d", s.how, o.part, lo, hi, t.side.n)
	}
	anti := s.how == Anti
	lidx := make([]int32, 0, hi-lo)
	for i := lo; i < hi; i++ {
		if m.has(i) != anti {
			lidx = append(lidx, int32(i))
		}
	}
	return &Part{R: joinOutput(t.side, nil, s, t.keys, nil, t.ka, nil, lidx, nil)}, nil
}

// lowerSemiBuildLeft adds the tasks of join n (a semi or anti join) with
// the left side built: see the file comment.
func (b *builder) lowerSemiBuildLeft(n *node, lkeys, rkeys []graph.Key) ([]pend, error) {
	tk, err := b.add(&joinBuildOp{names: n.join.lin, keys: n.join.lk}, lkeys...)
	if err != nil {
		return nil, err
	}
	if scanFilteredRight(n) { // join_scanfilter.go
		if rkeys, err = b.lowerScanFiltered(n.right, n.join.rk[0], tk, rkeys); err != nil {
			return nil, err
		}
	}
	marks := make([]graph.Key, 0, len(rkeys))
	for _, rk := range rkeys {
		k, err := b.add(&semiMarkOp{spec: n.join}, tk, rk)
		if err != nil {
			return nil, err
		}
		marks = append(marks, k)
	}
	for len(marks) > 1 || len(marks) == 0 {
		var next []graph.Key
		for i := 0; i < len(marks); i += semiMergeFanIn {
			k, err := b.add(semiMergeOp{}, marks[i:min(len(marks), i+semiMergeFanIn)]...)
			if err != nil {
				return nil, err
			}
			next = append(next, k)
		}
		if len(next) == 0 {
			return nil, fmt.Errorf("frame: join %s: no right partitions", n.join.how)
		}
		marks = next
	}
	out := make([]pend, 0, len(lkeys))
	for i := range lkeys {
		k, err := b.add(&semiPickOp{spec: n.join, part: i}, tk, marks[0])
		if err != nil {
			return nil, err
		}
		out = append(out, pend{deps: []graph.Key{k}})
	}
	return out, nil
}

func init() {
	graph.Register("frame.semimark", func(p []byte) (graph.Op, error) {
		j, err := decodeJoinOp(p)
		if err != nil {
			return nil, err
		}
		return &semiMarkOp{spec: j.(*joinOp).spec}, nil
	})
	graph.Register("frame.semimerge", func([]byte) (graph.Op, error) { return semiMergeOp{}, nil })
	graph.Register("frame.semipick", func(p []byte) (graph.Op, error) {
		// The partition, then the join's parameters.
		r := graph.NewReader(p)
		part := r.Uvarint()
		if err := r.Err(); err != nil {
			return nil, err
		}
		if part > 1<<30 {
			return nil, fmt.Errorf("frame.semipick: partition %d", part)
		}
		j, err := decodeJoinOp(r.Rest())
		if err != nil {
			return nil, err
		}
		return &semiPickOp{spec: j.(*joinOp).spec, part: int(part)}, nil
	})
	graph.RegisterCodec("frame.JoinMarks", reflect.TypeOf(&joinMarks{}), graph.Codec{
		Encode: func(v any) ([]byte, error) {
			m := v.(*joinMarks)
			b := appendUvarint(nil, uint64(m.n))
			for _, w := range m.bits {
				b = appendUvarint(b, w)
			}
			return b, nil
		},
		Decode: func(b []byte) (any, error) {
			r := graph.NewReader(b)
			n := r.Uvarint()
			if r.Err() != nil || n > 1<<40 || (n+63)/64 > uint64(len(b)) {
				return nil, fmt.Errorf("frame: decode join marks: bad row count")
			}
			m := newJoinMarks(int(n))
			for w := range m.bits {
				m.bits[w] = r.Uvarint()
			}
			if err := r.Err(); err != nil {
				return nil, fmt.Errorf("frame: decode join marks: %w", err)
			}
			return m, nil
		},
	})
}
