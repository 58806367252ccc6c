package frame

import "fmt"

// Row estimates and the size-based broadcast choice for joins.
//
// Merge broadcasts a side of at most MergeOptions.Broadcast partitions
// (default 1). When the option is left at its default and the row counts
// of both sides are known before anything runs (Parquet row groups from
// their footers, persisted or in-memory partitions from their records), a
// side is also broadcast when building it once per partition of the other
// side costs no more rows than shuffling both sides would move: est(small)
// × partitions(other) <= est(small) + est(other), and est(small) is at most
// maxBroadcastRows. That is how TPC-H's dimension tables (nation, region,
// supplier, a filtered part or customer) are sent whole to every partition
// of lineitem or orders instead of shuffling lineitem.

// maxBroadcastRows caps the estimated rows of a side sent whole to every
// partition of the other.
const maxBroadcastRows = 2_000_000

// filterSelectivity is the fraction of rows a filter is assumed to keep.
const filterSelectivity = 0.25

// estRows estimates the rows plan n produces; ok is false when there is no
// basis (a CSV or JSON source, a map).
func estRows(n *node) (rows float64, ok bool) {
	rows, _, ok = estimate(n)
	return rows, ok
}

// estimate is estRows with base: the rows of n's inputs before any filter
// (for a join's key/foreign-key rule, see optimize_estimate.go).
func estimate(n *node) (rows, base float64, ok bool) {
	switch n.op {
	case "source":
		t := 0.0
		switch s := n.src.(type) {
		case *pqSource:
			for _, p := range s.parts {
				t += float64(p.meta.Rows)
			}
		case *memSource:
			for _, r := range s.recs {
				t += float64(r.NumRows())
			}
		default:
			if sh, isShared := n.src.(*sharedSource); isShared {
				if pq, isPq := sh.inner.(*pqSource); isPq {
					for _, p := range pq.parts {
						t += float64(p.meta.Rows)
					}
					break
				}
			}
			return 0, 0, false
		}
		return t * selectivity(n.pred, rangesOf(n)), t, true
	case "filter":
		r, b, ok := estimate(n.in)
		return r * selectivity(n.pred, rangesOf(n.in)), b, ok
	case "project", "sort", "repartition", "setindex", "parts":
		return estimate(n.in)
	case "limit", "topn":
		r, b, ok := estimate(n.in)
		return min(r, float64(n.n)), b, ok
	case "agg":
		if len(n.keys) == 0 {
			return 1, 1, true
		}
		r, _, ok := estimate(n.in)
		// The groups are a new key domain: the base is the estimate.
		return r / 4, r / 4, ok
	case "dedup", "gtopn":
		r, _, ok := estimate(n.in)
		return r / 2, r / 2, ok
	case "concat":
		t := 0.0
		for _, in := range n.ins {
			r, _, ok := estimate(in)
			if !ok {
				return 0, 0, false
			}
			t += r
		}
		return t, t, true
	case "join":
		l, lb, okl := estimate(n.in)
		r, rb, okr := estimate(n.right)
		if !okl || !okr {
			return 0, 0, false
		}
		// The distinct keys: the unfiltered rows of the smaller base side.
		v := max(1, min(lb, rb))
		inner := l * r / v
		base := max(lb, rb)
		switch n.join.how {
		case Semi:
			return l * min(1, r/v), lb, true
		case Anti:
			return max(l*(1-min(1, r/v)), l/20), lb, true
		case Outer:
			return max(inner, l+r), base, true
		case Right:
			return max(inner, r), base, true
		case Left:
			return max(inner, l), base, true
		}
		return inner, base, true
	}
	return 0, 0, false
}

// sizeBroadcast is bcastSide's size rule: +1 to broadcast the right side,
// -1 the left, 0 for neither. lp and rp are the sides' partition counts.
func sizeBroadcast(n *node, lp, rp int) int {
	if !n.join.autoBroadcast {
		return 0
	}
	l, okl := estRows(n.in)
	r, okr := estRows(n.right)
	if !okl || !okr {
		return 0
	}
	h := n.join.how
	rightOK := h == Inner || h == Left || h == Semi || h == Anti
	leftOK := h == Inner || h == Right
	cheap := func(small, other float64, otherParts int) bool {
		return small <= maxBroadcastRows && small*float64(otherParts) <= small+other
	}
	switch {
	case rightOK && r <= l && cheap(r, l, lp):
		return 1
	case leftOK && l < r && cheap(l, r, rp):
		return -1
	}
	return 0
}

// joinExplainExtra is what Explain adds to a join's line: the estimated
// rows of each side and which side the hash table is built on.
func joinExplainExtra(n *node, side int) string {
	est := func(m *node) string {
		if r, ok := estRows(m); ok {
			return fmt.Sprintf("~%.0f", r)
		}
		return "?"
	}
	build := "build right"
	switch {
	case n.join.how == Inner && side == -1:
		build = "build the smaller side per task"
	case n.join.how == Inner && side == 0:
		build = "build right per piece (left where it has under half the rows)"
	}
	return fmt.Sprintf(", rows left %s right %s, %s", est(n.in), est(n.right), build)
}
