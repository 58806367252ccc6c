package frame

import (
	"context"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// perPartition runs now, for the operations that must look at the data
// before they can build their plan (SetIndex, RepartitionBytes): op(i) on
// partition i of f, returning each task's record in partition order.
func (f *Frame) perPartition(ctx context.Context, op func(i int) graph.Op, opts []sched.Option) ([]arrow.Record, error) {
	g, err := f.Graph()
	if err != nil {
		return nil, err
	}
	g = graph.New(g.Tasks()...)
	var keys []graph.Key
	for i, k := range f.Keys() {
		t, err := graph.NewTask(op(i), k)
		if err != nil {
			return nil, err
		}
		g.Add(t)
		keys = append(keys, t.Key)
	}
	vals, err := sched.Run(ctx, g, keys, opts...)
	if err != nil {
		return nil, err
	}
	recs := make([]arrow.Record, len(vals))
	for i, v := range vals {
		recs[i] = v.(*Part).R
	}
	return recs, nil
}
