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
// same way.
func (f *Frame) Tail(ctx context.Context, n int, opts ...sched.Option) (*Table, error) {
	return f.ends(ctx, n, true, opts)
}

// Len computes the number of rows.
func (f *Frame) Len(ctx context.Context, opts ...sched.Option) (int, error) {
	t, err := f.Agg(Lit(1).Size().Alias("n")).Compute(ctx, opts...)
	if err != nil {
		return 0, err
	}
	return int(t.Value(0, "n").(int64)), nil
}
