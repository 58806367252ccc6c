package frame

import (
	"context"
	"fmt"
	"math"

	"github.com/godask/godask/sched"
)

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

// crossRowBytes is the bytes a row of side s takes in the output: its
// columns' buffers over its rows (the whole sources, a fair estimate when a
// side takes a piece of them), at least 8 a column.
func crossRowBytes(s *joinSide) int64 {
	var bytes, rows int64
	for _, src := range s.srcs {
		for _, a := range src {
			for _, b := range a.Data().Buffers() {
				if b != nil {
					bytes += int64(b.Len())
				}
			}
		}
		if len(src) > 0 {
			rows += int64(src[0].Len())
		}
	}
	per := int64(8 * len(s.first.Schema().Fields()))
	if rows > 0 {
		per = max(per, bytes/rows)
	}
	return per
}

// checkCrossSize refuses, before any output is built, a cross join whose
// output (l.n × r.n rows, with the row pairs it gathers from) would not fit
// this task's share of the run's memory limit: a clear error naming the
// sizes rather than a run killed by the operating system.
func checkCrossSize(ctx context.Context, l, r *joinSide, spec *joinSpec) error {
	if len(spec.lk) != 1 || spec.lk[0] != crossKey {
		return nil
	}
	budget, ok := sched.TaskMemory(ctx)
	if !ok {
		return nil
	}
	nl, nr := int64(l.n), int64(r.n)
	if nl == 0 || nr == 0 {
		return nil
	}
	per := crossRowBytes(l) + crossRowBytes(r) + 8 // + the two int32 row indices
	if nr > math.MaxInt64/nl || nl*nr > math.MaxInt64/per || nl*nr*per > budget {
		return fmt.Errorf("CrossJoin: %d × %d rows (%d bytes a row) would need about %d MiB, more than this task's share of the memory limit (%d MiB); filter or aggregate a side first, or raise the limit",
			nl, nr, per, mulSat(nl, nr, per)>>20, budget>>20)
	}
	return nil
}

// mulSat is a·b·c, saturating at MaxInt64.
func mulSat(a, b, c int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	if ab := a * b; ab == 0 || c <= math.MaxInt64/ab {
		return ab * c
	}
	return math.MaxInt64
}
