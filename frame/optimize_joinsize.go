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
	switch n.op {
	case "source":
		switch s := n.src.(type) {
		case *pqSource:
			t := 0.0
			for _, p := range s.parts {
				t += float64(p.meta.Rows)
			}
			if n.pred != nil {
				t *= filterSelectivity
			}
			return t, true
		case *memSource:
			t := 0.0
			for _, r := range s.recs {
				t += float64(r.NumRows())
			}
			if n.pred != nil {
				t *= filterSelectivity
			}
			return t, true
		}
		return 0, false
	case "filter":
		r, ok := estRows(n.in)
		return r * filterSelectivity, ok
	case "project", "sort", "repartition", "setindex", "parts":
		return estRows(n.in)
	case "limit", "topn":
		r, ok := estRows(n.in)
		return min(r, float64(n.n)), ok
	case "agg":
		if len(n.keys) == 0 {
			return 1, true
		}
		r, ok := estRows(n.in)
		return r / 4, ok
	case "dedup", "gtopn":
		r, ok := estRows(n.in)
		return r / 2, ok
	case "concat":
		t := 0.0
		for _, in := range n.ins {
			r, ok := estRows(in)
			if !ok {
				return 0, false
			}
			t += r
		}
		return t, true
	case "join":
		l, okl := estRows(n.in)
		r, okr := estRows(n.right)
		if !okl || !okr {
			return 0, false
		}
		switch n.join.how {
		case Semi, Anti:
			return l / 2, true
		case Outer:
			return l + r, true
		case Right:
			return max(l, r), true
		}
		// A key/foreign-key join: the larger side's rows.
		return max(l, r), true
	}
	return 0, false
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
