package frame

import "fmt"

// crossKey is the constant key column a cross join joins on.
const crossKey = "\x00cross"

// CrossJoin is the cartesian product of f and right (pandas'
// merge(how="cross"), SQL's CROSS JOIN): every row of f with every row of
// right, f's columns then right's (names present on both sides get the
// suffixes "_x" and "_y"). right is gathered into one partition and sent to
// every partition of f, so it should be the small side: partition i of the
// result holds (rows of partition i of f) × (rows of right).
func (f *Frame) CrossJoin(right *Frame) *Frame {
	if f.err != nil {
		return f
	}
	if right == nil {
		return errFrame(fmt.Errorf("frame: CrossJoin: right frame is nil"))
	}
	if right.err != nil {
		return right
	}
	r := right
	if r.NPartitions() != 1 {
		r = r.Repartition(1)
	}
	out := f.WithColumn(crossKey, Lit(0)).Merge(r.WithColumn(crossKey, Lit(0)), MergeOptions{How: Inner, On: []string{crossKey}, Broadcast: 1})
	if out.err != nil {
		return errFrame(fmt.Errorf("frame: CrossJoin: %w", out.err))
	}
	return out.Drop(crossKey)
}
