package frame

import (
	"context"
	"math"

	"github.com/godask/godask/internal/hash"
)

// Direct lookup for joins on one integer key.
//
// Most joins are on one integer key (TPC-H's are all on INTEGER keys), and
// most broadcast sides are small against the range of their keys or dense
// in it. For such a side the join table also keeps intIndex: a bitmap over
// the keys' range [lo, lo+span), one bit per value present, and, when the
// range is at most a few times the row count, a head slot per value (the
// first row with that key; next chains the rest, as in the hash table). A
// probe row then costs a subtraction, a compare and a bit test: no row
// hashes are computed or allocated for the probing side, and a row whose
// key is absent (most of them, in a semi join against a filtered dimension
// table) is turned away by the bitmap, which stays in the cache, where the
// hash table's half-full head sends it down an unpredictable branch. Rows
// with a key are then found by the dense head, or by the hash chain with
// the hash computed for that row only.

// intIndex is the direct index of a join table on one integer key.
type intIndex struct {
	lo   int64
	span uint64   // values lo .. lo+span-1
	has  []uint64 // bit v-lo set: some row has key v
	// head[v-lo] is the first row with key v (-1: none) and next[i] the
	// row after row i with its key; nil when the range is too wide for a
	// head slot per value (the table's hash chains serve then).
	head, next []int32
}

// Limits of the direct index: the bitmap is kept while it is at most
// intIndexBits bits or 64 bits per row (a few bytes per row against the
// table's 16); the dense head while the range is at most intHeadSpan times
// the rows (or intHeadMin values), where its 4 bytes a value cost no more
// than the hash head it stands in for. A wider dense head would cost
// memory for no gain: TPC-H's o_orderkey spans 4 times the orders, and a
// head over that range added 65 MB to q9's peak for the same time.
const (
	intIndexBits = 1 << 22
	intHeadSpan  = 2
	intHeadMin   = 1 << 12
)

// newIntIndex builds the direct index of the rows of key column c (an
// integer kind); nil when the range is too wide.
func newIntIndex(c col) *intIndex {
	lo, hi, any := int64(math.MaxInt64), int64(math.MinInt64), false
	for i, v := range c.i64[:c.n] {
		if c.null(i) {
			continue
		}
		lo, hi, any = min(lo, v), max(hi, v), true
	}
	if !any {
		return nil
	}
	span := uint64(hi-lo) + 1 // wraps to 0 for the full int64 range
	if span == 0 || span > max(intIndexBits, 64*uint64(c.n)) {
		return nil
	}
	x := &intIndex{lo: lo, span: span, has: make([]uint64, (span+63)/64)}
	if span <= max(intHeadMin, intHeadSpan*uint64(c.n)) {
		x.head, x.next = make([]int32, span), make([]int32, c.n)
		for i := range x.head {
			x.head[i] = -1
		}
		for i := range x.next {
			x.next[i] = -1
		}
	}
	for i := c.n - 1; i >= 0; i-- {
		if c.null(i) {
			continue
		}
		u := uint64(c.i64[i] - lo)
		x.has[u>>6] |= 1 << (u & 63)
		if x.head != nil {
			x.next[i], x.head[u] = x.head[u], int32(i)
		}
	}
	return x
}

// bytes is the index's size.
func (x *intIndex) bytes() int64 {
	return 8*int64(len(x.has)) + 4*int64(len(x.head)+len(x.next))
}

// probe is probeTable for a left key column lc of an integer kind against
// a table with this index (keys rv; its hash chains head/next/mask serve
// when x.head is nil): the same rows in the same order, for inner, left,
// semi and anti joins.
func (x *intIndex) probe(ctx context.Context, lc col, rv []int64, head, next []int32, mask uint64, how How) (lidx, ridx []int32) {
	semi := how == Semi || how == Anti
	nl := lc.n
	est := nl
	if semi {
		est = nl / 4
	}
	lidx = make([]int32, 0, est)
	if !semi {
		ridx = make([]int32, 0, est)
	}
	lv := lc.i64[:nl]
	has, lo, span := x.has, x.lo, x.span
	for i, v := range lv {
		if i&0xffff == 0 && ctx.Err() != nil {
			return nil, nil
		}
		u := uint64(v - lo)
		found := u < span && has[u>>6]&(1<<(u&63)) != 0 && !lc.null(i)
		switch {
		case semi:
			if found == (how == Semi) {
				lidx = append(lidx, int32(i))
			}
			continue
		case !found:
			if how == Left {
				lidx, ridx = append(lidx, int32(i)), append(ridx, -1)
			}
			continue
		}
		jj, nx := int32(0), next
		if x.head != nil {
			jj, nx = x.head[u], x.next
		} else {
			jj = head[hash.Uint64(uint64(v))&mask]
		}
		// The bit is set, so some row has key v: the chain holds it.
		for ; jj >= 0; jj = nx[jj] {
			if rv[jj] == v {
				lidx, ridx = append(lidx, int32(i)), append(ridx, jj)
			}
		}
	}
	return lidx, ridx
}
