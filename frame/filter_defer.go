package frame

import (
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// A filter deferred into the partial aggregation after it.
//
// A filter that keeps most rows of a partition (TPC-H q1 keeps 98% of
// lineitem) and feeds a grouped aggregation, through projections only, used
// to copy every column it kept, evaluate the projections on the copies, and
// group the copies: the copies cost a memmove and fresh pages per column,
// and a persisted key column, once copied, no longer hits the codes cache
// of the persisted input (encCache), so its strings were hashed again.
// When the mask keeps at least deferMinKept of the rows, the projections
// run on the unfiltered rows instead (only row-wise operations that cannot
// fail on a row the filter would drop) and the partial aggregation takes
// the mask: the rows it drops go to a trailing group that is cut off.

// deferMinKept is the fraction of rows a mask must keep for the filter to
// be deferred: below it, evaluating the projections on the dropped rows
// costs more than the copies.
const deferMinKept = 0.75

// deferFilters turns the deferral on; tests turn it off for the reference,
// and onDefer, when set, is called each time a filter is deferred.
var (
	deferFilters = true
	onDefer      func()
)

// deferOps are the operations a deferred projection may use: row-wise,
// and without an error that depends on a row's value.
var deferOps = map[string]bool{
	"col": true, "lit": true, "alias": true, "+": true, "-": true, "*": true, "/": true, "neg": true,
	"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true,
	"and": true, "or": true, "not": true, "isnull": true, "notnull": true,
}

func deferSafe(n *enode) bool { return onlyOps(n, deferOps) }

// onlyOps reports whether every node of expression n is one of ops.
func onlyOps(n *enode, ops map[string]bool) bool {
	if n == nil || !ops[n.op] {
		return false
	}
	for _, a := range n.args {
		if !onlyOps(a, ops) {
			return false
		}
	}
	return true
}

// deferTarget is the index of the partial step that the filter at steps[i]
// may be deferred into, or -1: the steps between are projections of
// deferSafe expressions or column selections, and the partial step groups
// by keys (a global aggregation of a mask is the dense path's already).
func deferTarget(steps []step, i int) int {
	if steps[i].kind != "filter" {
		return -1
	}
	for j := i + 1; j < len(steps); j++ {
		switch steps[j].kind {
		case "cols":
		case "project":
			for _, e := range steps[j].exprs {
				if !deferSafe(e) {
					return -1
				}
			}
		case "partial":
			if len(steps[j].keys) == 0 {
				return -1
			}
			return j
		default:
			return -1
		}
	}
	return -1
}

// maskedPartial is partialAgg of the rows of r where keep is true.
func maskedPartial(r arrow.Record, keep []bool, keys []string, aggs []aggSpec, enc *encCache) (arrow.Record, error) {
	keyIdx, err := fieldIndices(r.Schema(), keys)
	if err != nil {
		return nil, err
	}
	eager := func() (arrow.Record, error) { return partialAgg(filterRecord(r, keep), keys, aggs, enc) }
	if len(keyIdx) == 1 && colOf(r.Column(keyIdx[0])).k.intLike() {
		// A small integer range takes the dense path, which has no mask.
		return eager()
	}
	gids, first, abandoned := groupRowsMaybe(r, keyIdx, enc, identityOK(aggs))
	if abandoned {
		return eager()
	}
	// Renumber the groups of kept rows in the order they are first seen
	// among kept rows; dropped rows go to group ng.
	renum := make([]int32, len(first))
	for g := range renum {
		renum[g] = -1
	}
	var kfirst []int32
	for i, k := range keep {
		if k && renum[gids[i]] < 0 {
			renum[gids[i]] = int32(len(kfirst))
			kfirst = append(kfirst, int32(i))
		}
	}
	ng := len(kfirst)
	own := make([]int32, len(gids)) // gids may be the codes cache's own
	for i, g := range gids {
		if keep[i] {
			own[i] = renum[g]
		} else {
			own[i] = int32(ng)
		}
	}
	fields := make([]arrow.Field, 0, len(keys)+2*len(aggs))
	var cols []arrow.Array
	for _, ki := range keyIdx {
		fields = append(fields, r.Schema().Field(ki))
		cols = append(cols, takeCol(r.Column(ki), kfirst))
	}
	head := make([]int32, ng)
	for g := range head {
		head[g] = int32(g)
	}
	var memo kernelMemo
	for _, a := range aggs {
		var c col
		if a.fn != "size" {
			idx := r.Schema().FieldIndices(a.in)
			if len(idx) == 0 {
				return nil, fmt.Errorf("aggregate %s: unknown column %q; the columns are %s", a.fn, a.in, schemaCols(r.Schema()))
			}
			c = colOf(r.Column(idx[0]))
		}
		fields = append(fields, a.stateFields()...)
		for _, s := range partialKernel(a, &c, own, ng+1, &memo) {
			cols = append(cols, takeCol(s, head))
		}
	}
	rec := array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(ng))
	hkeys := make([]int, len(keys))
	for j := range hkeys {
		hkeys[j] = j
	}
	return withHashCol(rec, rowHashes(rec, hkeys)), nil
}

// countTrue is the number of true in m.
func countTrue(m []bool) int {
	k := 0
	for _, b := range m {
		if b {
			k++
		}
	}
	return k
}
