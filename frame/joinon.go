package frame

import (
	"fmt"
	"strings"
)

// JoinOn is Merge with the keys written as pairs "left=right" (a name
// without "=" is a key of the same name on both sides, kept once):
//
//	lineitem.JoinOn(orders, frame.Inner, "l_orderkey=o_orderkey")
//	lineitem.JoinOn(partsupp, frame.Inner, "l_partkey=ps_partkey", "l_suppkey=ps_suppkey")
//
// Pairs of different names keep both key columns, as Merge with
// LeftOn/RightOn; all pairs must be of one kind.
func (f *Frame) JoinOn(right *Frame, how How, keys ...string) *Frame {
	if f.err != nil {
		return f
	}
	var on, lo, ro []string
	for _, k := range keys {
		l, r, ok := strings.Cut(k, "=")
		l, r = strings.TrimSpace(l), strings.TrimSpace(r)
		switch {
		case !ok && l != "":
			on = append(on, l)
		case ok && l != "" && r != "":
			lo, ro = append(lo, l), append(ro, r)
		default:
			return errFrame(fmt.Errorf("frame: JoinOn: bad key %q (want \"left=right\" or a name on both sides)", k))
		}
	}
	if len(on) > 0 && len(lo) > 0 {
		return errFrame(fmt.Errorf("frame: JoinOn: keys %v mix shared names and left=right pairs; write every key as left=right", keys))
	}
	return f.Merge(right, MergeOptions{How: how, On: on, LeftOn: lo, RightOn: ro})
}
