package frame

import "slices"

// partitioning says how a plan node's rows are spread over its partitions:
// row r is in partition (rowHashes(keys)[r] >> 32) % parts, the placement of
// splitIdx. Outputs of a hash shuffle (a groupby with several output
// partitions, a shuffle join, DropDuplicates) have one; a join of two inputs
// that have the same one on its keys needs no shuffle.
type partitioning struct {
	keys  []string
	parts int
}

// partitioningOf returns the hash partitioning of n's output, or nil when
// its rows are not placed by a known hash of some columns.
func partitioningOf(n *node) *partitioning {
	if n == nil {
		return nil
	}
	switch n.op {
	case "source":
		if m, ok := n.src.(*memSource); ok && m.hashed != nil && hasCols(n, m.hashed.keys) && m.hashed.parts == len(m.recs) {
			return m.hashed
		}
		if m, ok := n.src.(*refSource); ok && m.hashed != nil && hasCols(n, m.hashed.keys) && m.hashed.parts == len(m.vals) {
			return m.hashed
		}
	case "agg":
		if p := partsOf(n); len(n.keys) > 0 && p > 1 {
			return &partitioning{keys: n.keys, parts: p}
		}
	case "dedup":
		if p := partsOf(n); p > 1 {
			return &partitioning{keys: dedupKeys(n), parts: p}
		}
	case "filter":
		return partitioningOf(n.in)
	case "project":
		in := partitioningOf(n.in)
		if in == nil {
			return nil
		}
		// Keys passed through unchanged, possibly renamed.
		out := &partitioning{parts: in.parts}
		for _, k := range in.keys {
			found := ""
			for i, e := range n.exprs {
				for e.op == "alias" && len(e.args) == 1 {
					e = e.args[0]
				}
				if e.op == "col" && e.name == k {
					found = n.names[i]
					break
				}
			}
			if found == "" {
				return nil
			}
			out.keys = append(out.keys, found)
		}
		return out
	case "join":
		return joinPartitioning(n)
	}
	return nil
}

func hasCols(n *node, cols []string) bool {
	for _, c := range cols {
		if len(n.schema.FieldIndices(c)) == 0 {
			return false
		}
	}
	return true
}

// coPartitioned reports whether both inputs of join node n are hash
// partitioned on their join keys (in order) into the same number of
// partitions, so partition i of one side joins partition i of the other with
// no shuffle. It returns that number.
func coPartitioned(n *node) (int, bool) {
	l, r := partitioningOf(n.in), partitioningOf(n.right)
	if l == nil || r == nil || l.parts != r.parts || l.parts < 2 {
		return 0, false
	}
	if n.join.parts > 0 && n.join.parts != l.parts {
		return 0, false
	}
	if !slices.Equal(l.keys, n.join.lk) || !slices.Equal(r.keys, n.join.rk) {
		return 0, false
	}
	return l.parts, true
}

// joinPartitioning is the partitioning of a join's output: a shuffle join
// (or a co-partitioned one) is partitioned on its output key columns, a join
// that broadcasts the right side keeps the left's partitioning.
func joinPartitioning(n *node) *partitioning {
	s := n.join
	leftName := func(k string) string {
		idx := n.in.schema.FieldIndices(k)
		if len(idx) == 0 || idx[0] >= len(s.lcols) {
			return ""
		}
		return s.lcols[idx[0]]
	}
	mapLeft := func(p *partitioning) *partitioning {
		out := &partitioning{parts: p.parts}
		for _, k := range p.keys {
			name := leftName(k)
			if name == "" {
				return nil
			}
			out.keys = append(out.keys, name)
		}
		return out
	}
	if side := bcastSide(n, partsOf(n.in), partsOf(n.right)); side == 1 || side == -1 && semiBuildsLeft(n) {
		// The left rows stay in their partitions.
		if p := partitioningOf(n.in); p != nil {
			return mapLeft(p)
		}
		return nil
	}
	if bcastSide(n, partsOf(n.in), partsOf(n.right)) != 0 {
		return nil
	}
	// Right and outer joins fill the left keys with nulls for unmatched
	// right rows, unless the keys are shared (one coalesced column).
	if (s.how == Right || s.how == Outer) && !s.shared {
		return nil
	}
	p := joinParts(n)
	if p < 2 {
		return nil
	}
	return mapLeft(&partitioning{keys: s.lk, parts: p})
}
