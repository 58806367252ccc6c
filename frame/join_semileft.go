package frame

import "context"

// semiRowsBuildLeft is the semi (anti: the anti) join's matching with the
// hash table on the left rows, for a left side much smaller than the right
// (TPC-H q4: the orders of one quarter against the late lineitems): it
// probes with the right rows, marks the left rows that have a match and
// returns the matched (anti: unmatched) left rows in order, as the
// right-built join yields them. Rows with a null key never match. It
// returns nil when ctx is cancelled.
func semiRowsBuildLeft(ctx context.Context, lc, rc []col, lh, rh []uint64, lnull, rnull, anti bool) []int32 {
	head, next, mask := chainTable(lh, lc, lnull)
	var lv, rv []int64
	if len(lc) == 1 && lc[0].k.intLike() {
		lv, rv = lc[0].i64, rc[0].i64
	}
	matched := make([]bool, len(lh))
	left := len(lh) // left rows not yet matched
	for j := 0; j < len(rh) && left > 0; j++ {
		if j&0xffff == 0 && ctx.Err() != nil {
			return nil
		}
		if rnull && anyNull(rc, j) {
			continue
		}
		h := rh[j]
		for i := head[h&mask]; i >= 0; i = next[i] {
			if matched[i] {
				continue
			}
			if lv != nil {
				if lv[i] != rv[j] {
					continue
				}
			} else if lh[i] != h || !keyEq(lc, rc, int(i), j) {
				continue
			}
			matched[i] = true
			left--
		}
	}
	lidx := make([]int32, 0, len(lh)-left)
	for i, m := range matched {
		if m != anti {
			lidx = append(lidx, int32(i))
		}
	}
	return lidx
}
