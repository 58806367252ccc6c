package frame_test

import (
	"context"
	"fmt"

	"github.com/godask/godask/frame"
)

func ExampleScalar() {
	ctx := context.Background()
	df := frame.FromColumns(2, frame.Column{Name: "fare", Values: []float64{7.5, 12, 30.25}})
	total, err := frame.Scalar[float64](ctx, df.Sum("fare"))
	fmt.Println(total, err)
	// Output: 49.75 <nil>
}

func ExampleToStructs() {
	ctx := context.Background()
	df := frame.FromColumns(2,
		frame.Column{Name: "k", Values: []string{"a", "b", "a"}},
		frame.Column{Name: "v", Values: []int64{1, 2, 3}})
	t, _ := df.GroupBy("k").Agg(frame.Col("v").Sum(), frame.Col("v").Mean()).SortValues(false, "k").Compute(ctx)
	type row struct {
		K    string  `frame:"k"`
		Sum  int64   `frame:"v_sum"`
		Mean float64 `frame:"v_mean"`
	}
	rows, err := frame.ToStructs[row](t)
	fmt.Println(rows, err)
	// Output: [{a 4 2} {b 2 2}] <nil>
}

func ExampleFrame_PivotTable() {
	ctx := context.Background()
	df := frame.FromColumns(2,
		frame.Column{Name: "hour", Values: []int64{0, 0, 1, 1, 1}},
		frame.Column{Name: "pay", Values: []string{"cash", "card", "card", "card", "cash"}},
		frame.Column{Name: "tip", Values: []float64{0, 2, 3, 1, 0.5}})
	p, _ := df.PivotTable(ctx, frame.PivotOptions{Index: []string{"hour"}, Columns: "pay", Values: "tip", AggFunc: "sum"})
	t, _ := p.Compute(ctx)
	fmt.Println(t)
	// Output:
	//    hour  card  cash
	// 0     0   2.0   0.0
	// 1     1   4.0   0.5
	//
	// [2 rows x 3 columns]
}

func eur(usd float64) float64 { return usd * 0.5 }

func init() { frame.RegisterColumnFunc("example.eur", eur) }

func ExampleMapColumn() {
	ctx := context.Background()
	df := frame.FromColumns(2, frame.Column{Name: "usd", Values: []float64{2, 4, 10}})
	t, _ := frame.MapColumn(df, "usd", "eur", eur).Compute(ctx)
	fmt.Println(t)
	// Output:
	//     usd  eur
	// 0   2.0  1.0
	// 1   4.0  2.0
	// 2  10.0  5.0
	//
	// [3 rows x 2 columns]
}
