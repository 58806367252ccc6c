package frame

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// runParts computes step s on partition i of f alone.
func (f *Frame) runPart(ctx context.Context, i int, s step, opts []sched.Option) (arrow.Record, error) {
	g, err := f.Graph()
	if err != nil {
		return nil, err
	}
	t, err := graph.NewTask(&pipeOp{steps: []step{s}, label: s.kind}, f.keys[i])
	if err != nil {
		return nil, err
	}
	g2 := graph.New(g.Tasks()...)
	g2.Add(t)
	out, err := sched.Run(ctx, g2, []graph.Key{t.Key}, opts...)
	if err != nil {
		return nil, err
	}
	return out[0].(*Part).R, nil
}

// Head computes the first n rows. Like Dask's head it runs eagerly, and it
// computes only as many partitions, from the first, as it needs.
func (f *Frame) Head(ctx context.Context, n int, opts ...sched.Option) (*Table, error) {
	return f.ends(ctx, n, false, opts)
}

// Tail computes the last n rows, reading partitions from the last.
func (f *Frame) Tail(ctx context.Context, n int, opts ...sched.Option) (*Table, error) {
	return f.ends(ctx, n, true, opts)
}

func (f *Frame) ends(ctx context.Context, n int, tail bool, opts []sched.Option) (*Table, error) {
	if f.err != nil {
		return nil, f.err
	}
	if n < 0 {
		return nil, fmt.Errorf("frame: Head/Tail of %d rows", n)
	}
	np := f.NPartitions()
	var recs []arrow.Record
	got := 0
	for j := 0; j < np && got < n; j++ {
		i := j
		kind := "head"
		if tail {
			i, kind = np-1-j, "tail"
		}
		r, err := f.runPart(ctx, i, step{kind: kind, n: int64(n - got)}, opts)
		if err != nil {
			return nil, err
		}
		got += int(r.NumRows())
		if tail {
			recs = append([]arrow.Record{r}, recs...)
		} else {
			recs = append(recs, r)
		}
	}
	r, err := concatRecords(f.n.schema, recs)
	if err != nil {
		return nil, err
	}
	return &Table{rec: r}, nil
}

// Len computes the number of rows.
func (f *Frame) Len(ctx context.Context, opts ...sched.Option) (int, error) {
	t, err := f.Agg(Lit(1).Size().Alias("n")).Compute(ctx, opts...)
	if err != nil {
		return 0, err
	}
	return int(t.Value(0, "n").(int64)), nil
}
