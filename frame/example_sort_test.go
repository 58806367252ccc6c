package frame_test

import (
	"context"
	"fmt"

	"github.com/godask/godask/frame"
)

// Sorting by several keys, each in its own direction: a range shuffle over
// the partitions, nulls last, ties in input order.
func ExampleFrame_SortBy() {
	df := frame.FromColumns(3,
		frame.Column{Name: "city", Values: []string{"Oslo", "Lima", "Oslo", "Lima", "Pune", "Oslo"}},
		frame.Column{Name: "temp", Values: []float64{3.5, 19, -1, 22, 31, 3.5}},
		frame.Column{Name: "day", Values: []int64{1, 1, 2, 2, 1, 3}})
	t, err := df.SortBy(frame.Asc("city"), frame.Desc("temp")).Compute(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t)
	// Output:
	//    city  temp  day
	// 0  Lima  22.0    2
	// 1  Lima  19.0    1
	// 2  Oslo   3.5    1
	// 3  Oslo   3.5    3
	// 4  Oslo  -1.0    2
	// 5  Pune  31.0    1
	//
	// [6 rows x 3 columns]
}

// SetIndex sorts by a column and records the divisions of the partitions;
// LocRange then reads only the partitions whose divisions overlap the range.
func ExampleFrame_SetIndex() {
	ctx := context.Background()
	ids := make([]int64, 1000)
	for i := range ids {
		ids[i] = int64((i * 7) % 1000)
	}
	df := frame.FromColumns(4, frame.Column{Name: "id", Values: ids})
	x, err := df.SetIndex(ctx, "id")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x.Divisions())
	sel := x.LocRange(100, 104)
	t, err := sel.Compute(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sel.NPartitions(), "of", x.NPartitions(), "partitions read;", t.NumRows(), "rows")
	// Output:
	// [0 249 499 749 999]
	// 1 of 4 partitions read; 5 rows
}

// Concat stacks frames; Repartition changes the number of partitions
// without moving rows out of order.
func ExampleConcat() {
	a := frame.FromColumns(2, frame.Column{Name: "v", Values: []int64{1, 2, 3}})
	b := frame.FromColumns(1, frame.Column{Name: "v", Values: []int64{4, 5}})
	c := frame.Concat(a, b)
	fmt.Println(c.NPartitions(), c.Repartition(1).NPartitions(), c.Repartition(5).NPartitions())
	t, err := c.Repartition(5).Compute(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	v, _ := t.Float64s("v")
	fmt.Println(v)
	// Output:
	// 3 1 5
	// [1 2 3 4 5]
}
