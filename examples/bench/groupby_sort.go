package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
)

// groupbyRuns are groupby-suite questions whose answer is too large to
// collect as a Table: each reduces its result itself and returns its
// seconds, rows and chk.
var groupbyRuns = []struct {
	name string
	run  func(ctx context.Context, x *frame.Frame, opts []sched.Option) (float64, int64, float64, error)
}{
	{"sort", sortQuestion},
}

var sortCheckSchema = arrow.NewSchema([]arrow.Field{
	{Name: "rows", Type: frame.Int64}, {Name: "min", Type: frame.Float64},
	{Name: "max", Type: frame.Float64}, {Name: "sum", Type: frame.Float64}, {Name: "sorted", Type: frame.Bool},
}, nil)

func init() {
	// sortcheck reduces a sorted partition to (rows, min, max, sum of v3,
	// sorted): the answer of "sort" without collecting 1e8 rows.
	frame.RegisterMap("bench.sortcheck", func(_ context.Context, r arrow.Record) (arrow.Record, error) {
		idx := r.Schema().FieldIndices("v3")
		if len(idx) == 0 {
			return nil, fmt.Errorf("sortcheck: no column v3")
		}
		v := r.Column(idx[0]).(*array.Float64)
		mn, mx, sum := math.Inf(1), math.Inf(-1), 0.0
		sorted := true
		prev := math.Inf(-1)
		for i := 0; i < v.Len(); i++ {
			if v.IsNull(i) {
				continue
			}
			x := v.Value(i)
			if x < prev {
				sorted = false
			}
			prev = x
			mn, mx, sum = math.Min(mn, x), math.Max(mx, x), sum+x
		}
		b := array.NewRecordBuilder(memory.DefaultAllocator, sortCheckSchema)
		defer b.Release()
		b.Field(0).(*array.Int64Builder).Append(r.NumRows())
		b.Field(1).(*array.Float64Builder).Append(mn)
		b.Field(2).(*array.Float64Builder).Append(mx)
		b.Field(3).(*array.Float64Builder).Append(sum)
		b.Field(4).(*array.BooleanBuilder).Append(sorted)
		return b.NewRecord(), nil
	})
}

// sortQuestion sorts the whole table by v3 and checks every partition is
// sorted and the partitions are in order.
func sortQuestion(ctx context.Context, x *frame.Frame, opts []sched.Option) (float64, int64, float64, error) {
	t := time.Now()
	res, err := x.SortValues(false, "v3").MapPartitions("bench.sortcheck", sortCheckSchema).Compute(ctx, opts...)
	if err != nil {
		return 0, 0, 0, err
	}
	dt := time.Since(t).Seconds()
	var rows, least, most int64
	var sum float64
	last := math.Inf(-1)
	for j := 0; j < res.NumRows(); j++ {
		n := res.Value(j, "rows").(int64)
		rows += n
		if j == 0 || n < least {
			least = n
		}
		most = max(most, n)
		sum += res.Value(j, "sum").(float64)
		if !res.Value(j, "sorted").(bool) {
			return 0, 0, 0, fmt.Errorf("sort: partition %d is not sorted", j)
		}
		if n == 0 {
			continue
		}
		if mn := res.Value(j, "min").(float64); mn < last {
			return 0, 0, 0, fmt.Errorf("sort: partition %d starts at %v, below the previous maximum %v", j, mn, last)
		}
		if mx := res.Value(j, "max").(float64); !math.IsInf(mx, -1) {
			last = mx
		}
	}
	fmt.Fprintf(os.Stderr, "sort: %d partitions of %d to %d rows\n", res.NumRows(), least, most)
	return dt, rows, sum, nil
}
