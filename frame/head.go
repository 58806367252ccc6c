package frame

import (
	"context"

	"github.com/godask/godask/sched"
)

// Head computes the first n rows. Like Dask's head it runs eagerly. A
// frame whose partitions are computed from their sources alone (reads,
// filters, projections) is computed from the first partition in growing
// waves until it has n rows; any other (sorted, joined, grouped) is
// computed once as f.Limit(n), a top-n after a sort.
func (f *Frame) Head(ctx context.Context, n int, opts ...sched.Option) (*Table, error) {
	return f.ends(ctx, n, false, opts)
}

// Tail computes the last n rows, reading partitions from the last in the
// same way. When the
// partitions' lengths are known without computing them (frames in memory or
// persisted, Parquet row groups, and projections of those), the table
// prints with the rows' positions in the frame as its index, as pandas'
// tail does; otherwise (a CSV, a filter) its index counts from 0, since
// finding the positions would take a pass over every partition before:
// use Len and Table.Slice for that.
func (f *Frame) Tail(ctx context.Context, n int, opts ...sched.Option) (*Table, error) {
	t, err := f.ends(ctx, n, true, opts)
	if err != nil {
		return nil, err
	}
	if lens, ok := partLens(f.plan); ok {
		total := 0
		for _, l := range lens {
			total += int(l)
		}
		t.start = total - t.NumRows()
	}
	return t, nil
}

// Len computes the number of rows.
func (f *Frame) Len(ctx context.Context, opts ...sched.Option) (int, error) {
	t, err := f.Agg(Lit(1).Size().Alias("n")).Compute(ctx, opts...)
	if err != nil {
		return 0, err
	}
	n, err := TableScalar[int64](t)
	return int(n), err
}

// partLens returns the number of rows of each partition of a plan when it
// is known without computing: sources in memory and Parquet row groups read
// whole, through projections.
func partLens(n *node) ([]int64, bool) {
	switch n.op {
	case "project":
		return partLens(n.in)
	case "source":
		if n.pred != nil {
			return nil, false
		}
		switch s := n.src.(type) {
		case *memSource:
			out := make([]int64, len(s.recs))
			for i, r := range s.recs {
				out[i] = r.NumRows()
			}
			return out, true
		case *pqSource:
			out := make([]int64, len(s.parts))
			for i, p := range s.parts {
				out[i] = p.meta.Rows
			}
			return out, true
		}
	}
	return nil, false
}
