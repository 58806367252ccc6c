package frame

import (
	"fmt"
	"runtime"

	"github.com/godask/godask/sched"
)

// Row estimates and the size-based broadcast choice for joins.
//
// Merge broadcasts a side of at most MergeOptions.Broadcast partitions
// (default 1). When the option is left at its default (and Partitions is
// not set, asking for a shuffle) and the sizes of
// both sides are known before anything runs (Parquet row groups from their
// footers, persisted or in-memory partitions from their records), the
// choice between broadcasting a side and shuffling both is made by
// estimated cost:
//
//   - a shuffle hashes and copies every row of both sides once to split
//     them and once more to gather the pieces: about 2·(L + R) rows moved;
//   - a broadcast whose hash table is built once (join_build.go) gathers
//     the small side once and probes it with each partition of the other:
//     about S + O rows, cheaper whenever it is possible — but the whole
//     small side and its table must fit one task's share of the memory
//     (the limit over the workers, or the default limit when the run's is
//     not known yet; sizeJoins checks again against the run's own), so its
//     estimated bytes times joinWorkFactor must be at most that share;
//   - a broadcast built again by every task (a right or outer join
//     broadcasting its left side, a join with a residual Where condition)
//     costs S per partition of the other side: S·P(O) <= S + O.
//
// The small side is the one with fewer estimated rows. So a filtered
// dimension or a filtered orders table (TPC-H q3's 0.7M orders at scale 10)
// is sent whole to every partition of lineitem instead of shuffling 60M
// lineitem rows, and a fact table is never broadcast to a smaller one.

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
	case "map":
		if n.fn == "frame.scalar" {
			// ScalarOf's check (scalar.go) passes its one row through.
			return estimate(n.in)
		}
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
	if !n.join.autoBroadcast || n.join.parts > 0 {
		return 0 // the user's Broadcast, or Partitions for a shuffle
	}
	l, okl := estRows(n.in)
	r, okr := estRows(n.right)
	if !okl || !okr {
		return 0
	}
	h := n.join.how
	rightOK := h == Inner || h == Left || h == Semi || h == Anti
	leftOK := h == Inner || h == Right || semiBuildsLeft(n)
	cheap := func(small *node, rows, other float64, otherParts, side int) bool {
		b, ok := estBytes(small)
		if !ok || b*joinWorkFactor > float64(broadcastBudget()) {
			return false
		}
		if buildsOnce(n, side) {
			return true
		}
		return rows*float64(otherParts) <= rows+other
	}
	switch {
	case rightOK && r <= l && cheap(n.right, r, l, lp, 1):
		return 1
	case leftOK && l < r && cheap(n.in, l, r, rp, -1):
		return -1
	}
	return 0
}

// broadcastBudget is the working memory a broadcast side may take when the
// run's is not known yet: a worker's share of the default memory limit.
func broadcastBudget() int64 {
	return sched.DefaultMemoryLimit() / int64(max(1, runtime.GOMAXPROCS(0)))
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
	case side != 0 && buildsOnce(n, side):
		build = "build right once, shared by every partition"
		if side < 0 {
			build = "build left once, shared by every partition"
		}
		if side < 0 && semiBuildsLeft(n) {
			build = "build left once, each right partition marks the rows it matches"
		}
	case n.join.how == Inner && side == -1:
		build = "build the smaller side per task"
	case n.join.how == Inner && side == 0:
		build = "build right per piece (left where it has under half the rows)"
	}
	return fmt.Sprintf(", rows left %s right %s, %s", est(n.in), est(n.right), build)
}
