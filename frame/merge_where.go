package frame

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
)

// pairOptions are the options that name a join's columns as an inner join
// of the same keys and suffixes: the names MergeOptions.Where sees.
func pairOptions(s *joinSpec) MergeOptions {
	o := MergeOptions{How: Inner, Suffixes: [2]string{s.lsuf, s.rsuf}}
	if s.shared {
		o.On = s.lk
	} else {
		o.LeftOn, o.RightOn = s.lk, s.rk
	}
	return o
}

// planWhere checks MergeOptions.Where against the columns of the pairs: a
// boolean over columns of either side.
func planWhere(s *joinSpec, ls, rs *arrow.Schema, o MergeOptions) error {
	if o.Where.n == nil {
		return nil
	}
	if o.Where.n.hasScalar() || o.Where.n.hasAgg() {
		return fmt.Errorf("Where %s: a join condition cannot hold an aggregation or ScalarOf", o.Where)
	}
	ps, err := planJoin(ls, rs, pairOptions(s))
	if err != nil {
		return fmt.Errorf("Where: %w", err)
	}
	sch := ps.output(ls, rs)
	used := map[string]bool{}
	o.Where.n.cols(used)
	for c := range used {
		if sch.FieldIndices(c) == nil {
			return fmt.Errorf("Where %s: column %q is on neither side (the pairs have %s)", o.Where, c, strings.Join(fieldNames(sch), ", "))
		}
	}
	k, err := typeOf(o.Where.n, sch)
	if err != nil {
		return fmt.Errorf("Where: %w", err)
	}
	if k != kBool {
		return fmt.Errorf("Where %s is %s, not a boolean", o.Where, k.dtype())
	}
	s.where = o.Where.n
	return nil
}

// whereNeed adds to the needed columns of each side of join node n those
// its Where condition reads, and the other side's column of the same name,
// so that the suffixes the condition names stay as planned.
func whereNeed(n *node, l, r map[string]bool) {
	s := n.join
	if s.where == nil {
		return
	}
	used := map[string]bool{}
	s.where.cols(used)
	lnames, rnames := map[string]bool{}, map[string]bool{}
	for _, fl := range n.in.schema.Fields() {
		lnames[fl.Name] = true
	}
	for _, fl := range n.right.schema.Fields() {
		rnames[fl.Name] = true
	}
	for c := range used {
		for _, base := range []string{c, strings.TrimSuffix(c, s.lsuf), strings.TrimSuffix(c, s.rsuf)} {
			if lnames[base] {
				l[base] = true
			}
			if rnames[base] {
				r[base] = true
			}
		}
	}
}

func appendWhere(b []byte, w *enode) []byte {
	if w == nil {
		return appendUvarint(b, 0)
	}
	return appendExpr(appendUvarint(b, 1), w)
}

func readWhere(r *graph.Reader) *enode {
	if r.Uvarint() == 0 {
		return nil
	}
	return readExpr(r, 0)
}

// hashJoinWhere is hashJoin with a residual condition: every pair of rows
// with equal keys is formed (the right side built into a chained hash table,
// probed by the left rows in order), the condition is evaluated on the
// pairs, and the join kind decides what the passing pairs give.
func hashJoinWhere(ctx context.Context, l, r *joinSide, s *joinSpec) (arrow.Record, error) {
	k, err := prepJoinKeys(l, r, s)
	if err != nil {
		return nil, err
	}
	head, next, hmask := chainTable(k.rh, k.rc, k.rnull)
	var lv, rv []int64
	if len(k.lc) == 1 && (k.lc[0].k == kInt || k.lc[0].k == kTime) {
		lv, rv = k.lc[0].i64, k.rc[0].i64
	}
	var pl, pr []int32
	for i := 0; i < l.n; i++ {
		if i&0xffff == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if k.lnull && anyNull(k.lc, i) {
			continue
		}
		h := k.lh[i]
		for j := head[h&hmask]; j >= 0; j = next[j] {
			if lv != nil {
				if rv[j] != lv[i] {
					continue
				}
			} else if k.rh[j] != h || !keyEq(k.lc, k.rc, i, int(j)) {
				continue
			}
			pl, pr = append(pl, int32(i)), append(pr, j)
		}
	}
	// The pairs, named as the condition names them.
	ls, rs := sideSchema(l, s.lin), sideSchema(r, s.rin)
	ps, err := planJoin(ls, rs, pairOptions(s))
	if err != nil {
		return nil, fmt.Errorf("Where: %w", err)
	}
	ps.output(ls, rs)
	pairs := joinOutput(l, r, ps, k.li, k.ri, k.lka, k.rka, pl, pr)
	ok, err := mask(s.where, pairs)
	if err != nil {
		return nil, fmt.Errorf("Where %s: %w", Expr{s.where}, err)
	}
	var lidx, ridx []int32
	switch s.how {
	case Inner:
		for p, keep := range ok {
			if keep {
				lidx, ridx = append(lidx, pl[p]), append(ridx, pr[p])
			}
		}
	case Semi, Anti, Left, Right, Outer:
		// Pairs come in left row order: walk the left rows alongside.
		var matched []bool
		if s.how == Right || s.how == Outer {
			matched = make([]bool, r.n)
		}
		p := 0
		for i := 0; i < l.n; i++ {
			found := false
			for ; p < len(pl) && int(pl[p]) == i; p++ {
				if !ok[p] {
					continue
				}
				if s.how != Semi && s.how != Anti {
					lidx, ridx = append(lidx, pl[p]), append(ridx, pr[p])
					if matched != nil {
						matched[pr[p]] = true
					}
				}
				found = true
			}
			switch {
			case s.how == Semi && found, s.how == Anti && !found:
				lidx = append(lidx, int32(i))
			case !found && (s.how == Left || s.how == Outer):
				lidx, ridx = append(lidx, int32(i)), append(ridx, -1)
			}
		}
		for j, m := range matched {
			if !m {
				lidx, ridx = append(lidx, -1), append(ridx, int32(j))
			}
		}
	}
	return joinOutput(l, r, s, k.li, k.ri, k.lka, k.rka, lidx, ridx), nil
}

// sideSchema is the schema of a join side's columns names.
func sideSchema(s *joinSide, names []string) *arrow.Schema {
	fields := make([]arrow.Field, len(names))
	for q, name := range names {
		fields[q] = arrow.Field{Name: name, Type: s.first.Column(q).DataType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}
