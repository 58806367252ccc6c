package frame

import (
	"fmt"
)

// A filter on the probe side of a broadcast join runs inside the join
// task instead of before it: the join evaluates the predicate on the
// unfiltered partition, probes only the kept rows (a joinSide with a
// selection, as a hash piece is read) and takes the output columns of the
// matched rows straight from the unfiltered record. The rows the filter
// keeps are never copied, only those the join outputs (q3 keeps half of
// lineitem by date, then joins a tenth of those).

// ExplainAnalyze keeps the filter a step of its own, so that its rows are
// counted for its plan node.
//
// lazyProbeFilters turns the rewrite off (for comparisons).
var lazyProbeFilters = true

// stripProbeFilter returns p without its trailing filter step (and a
// selection of columns after it, a cols step or a project of plain columns,
// which the join's own column list makes unnecessary) and the filter's
// predicate, or p and nil when p does not end in a filter.
func stripProbeFilter(p pend) (pend, *enode) {
	st := p.steps
	k := len(st)
	if k > 0 && (st[k-1].kind == "cols" || st[k-1].kind == "project" && selectsOnly(&st[k-1])) {
		k--
	}
	if k == 0 || st[k-1].kind != "filter" || len(st[k-1].exprs) != 1 {
		return p, nil
	}
	q := pend{deps: p.deps, label: p.label, steps: append([]step(nil), st[:k-1]...)}
	return q, st[k-1].exprs[0]
}

// leftInputs applies the join's probe-side filter, if any, to its left
// inputs: a partition becomes the selection of its kept rows.
func (j *joinOp) leftInputs(in []any) ([]any, error) {
	if j.lfilter == nil {
		return in[:j.nl], nil
	}
	out := make([]any, j.nl)
	for i, v := range in[:j.nl] {
		p, ok := v.(*Part)
		if !ok {
			return nil, fmt.Errorf("probe-side filter: input is a %T, not a partition", v)
		}
		keep, err := mask(j.lfilter, p.R)
		if err != nil {
			return nil, fmt.Errorf("filter %s: %w", j.lfilter, err)
		}
		idx := make([]int32, 0, countTrue(keep))
		for r, k := range keep {
			if k {
				idx = append(idx, int32(r))
			}
		}
		if len(idx) == len(keep) {
			out[i] = p
			continue
		}
		out[i] = &shard{src: p.R, idx: idx}
	}
	return out, nil
}

// selectsOnly reports whether project step s only selects columns under
// their own names.
func selectsOnly(s *step) bool {
	for i, e := range s.exprs {
		if e.op != "col" || i >= len(s.names) || s.names[i] != e.name {
			return false
		}
	}
	return true
}
