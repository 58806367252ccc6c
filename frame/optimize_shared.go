package frame

// Shared subplans.
//
// A frame used twice in one query (TPC-H q17's lineitem ⋈ part feeds both
// the per-part average and the rows compared with it; q15's revenue view,
// q21's lineitem) is one plan node reached by two paths. Projection
// pushdown visits it once per path with that path's columns, so the two
// copies read and join different column sets: their tasks get different
// keys and the work below the node is done twice. So optimize first finds
// the nodes reached by more than one path and pushes into each of them the
// union of the columns all its parents need. The copies are then the same
// plan, lower to the same task keys, and the graph, which keeps one task
// per key, runs them once; each parent ignores the columns it does not use.
//
// The union is found by passes: each pass records, for every shared node,
// the columns it was asked for, and the next pass asks for their union.
// Columns only grow, so the passes stop when nothing new is asked for; a
// union below a shared node can widen another shared node further down,
// which the next pass takes in. A rewrite that makes the paths differ (a
// filter pushed into one of them) leaves copies that are not the same plan:
// each is still correct, and only the sharing is lost.

// pusher carries the shared nodes' column unions through optimize's push.
type pusher struct {
	shared map[*node]bool
	// use is the union each shared node is pushed with (nil map: all
	// columns); asked records, in this pass, what its parents asked for.
	use   map[*node]map[string]bool
	asked map[*node]*askedCols
}

type askedCols struct {
	all  bool
	cols map[string]bool
}

// maxSharePasses bounds the passes; a plan that would need more keeps the
// last pass's copies (correct, possibly not shared).
const maxSharePasses = 8

// optimize rewrites the plan: projection pushdown (readers decode only the
// columns used) and predicate pushdown (filters move into the reader, which
// prunes Parquet row groups by statistics and filters while reading), with
// the nodes reached by several paths given the union of their columns.
func optimize(n *node) *node {
	p := &pusher{shared: sharedNodes(n)}
	if len(p.shared) == 0 {
		return p.push(n, nil)
	}
	p.use = map[*node]map[string]bool{}
	var out *node
	for pass := 0; pass < maxSharePasses; pass++ {
		p.asked = map[*node]*askedCols{}
		out = p.push(n, nil)
		changed := false
		for sn, a := range p.asked {
			var u map[string]bool
			if !a.all {
				u = a.cols
			}
			prev, ok := p.use[sn]
			if !ok || !sameNeed(prev, u) {
				changed = true
			}
			p.use[sn] = u
		}
		if !changed {
			break
		}
	}
	return out
}

// sharedNeed records need as asked of node n and returns the need to push
// into it: for a node reached by several paths, the union its parents asked
// for in the last pass (with need itself), else need.
func (p *pusher) sharedNeed(n *node, need map[string]bool) map[string]bool {
	if !p.shared[n] {
		return need
	}
	a := p.asked[n]
	if a == nil {
		a = &askedCols{cols: map[string]bool{}}
		p.asked[n] = a
	}
	if need == nil {
		a.all = true
	} else {
		for c := range need {
			a.cols[c] = true
		}
	}
	u, ok := p.use[n]
	if !ok {
		return need
	}
	if u == nil || need == nil {
		return nil
	}
	out := make(map[string]bool, len(u)+len(need))
	for c := range u {
		out[c] = true
	}
	for c := range need {
		out[c] = true
	}
	return out
}

// sameNeed reports whether two needs are the same set (nil: all columns).
func sameNeed(a, b map[string]bool) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	if len(a) != len(b) {
		return false
	}
	for c := range a {
		if !b[c] {
			return false
		}
	}
	return true
}

// sharedNodes returns the nodes of plan n reached by more than one path,
// except sources: a filter above a source is merged into the source's copy
// after the push (TPC-H q21 reads lineitem three times, two of them
// filtered), so a union of columns there would only widen reads that are
// not shared, and a Parquet source's column chunks are tasks of their own,
// shared by key whatever the column set of each read.
func sharedNodes(n *node) map[*node]bool {
	seen := map[*node]bool{}
	var shared map[*node]bool
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil {
			return
		}
		if seen[n] {
			if n.op == "source" {
				return // see sharedNodes' doc
			}
			if shared == nil {
				shared = map[*node]bool{}
			}
			shared[n] = true
			return
		}
		seen[n] = true
		walk(n.in)
		walk(n.right)
		for _, c := range n.ins {
			walk(c)
		}
	}
	walk(n)
	return shared
}
