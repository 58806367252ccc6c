package frame_test

import (
	"context"
	"fmt"

	"github.com/godask/godask/frame"
)

func ExampleExpr_Like() {
	f := frame.FromColumns(1, frame.Column{Name: "p_type", Values: []string{"STANDARD POLISHED BRASS", "SMALL PLATED TIN", "PROMO BRUSHED BRASS"}})
	t, _ := f.Filter(frame.Col("p_type").Like("%BRASS")).
		Select(frame.Col("p_type").Substr(1, 5).Alias("head"), frame.Col("p_type").SplitPart(" ", 2).Lower().Alias("finish")).
		Compute(context.Background())
	fmt.Println(t)
	// Output:
	//     head    finish
	// 0  STAND  polished
	// 1  PROMO   brushed
	//
	// [2 rows x 2 columns]
}

func ExampleDate() {
	f := frame.FromColumns(1, frame.Column{Name: "shipped", Values: []string{"1998-08-01", "1998-09-15", "1998-12-01"}})
	f = f.WithColumn("shipped", frame.Col("shipped").Cast(frame.Date32))
	t, _ := f.Filter(frame.Col("shipped").Le(frame.Date(1998, 12, 1).AddDays(-90))).
		Select(frame.Col("shipped"), frame.Col("shipped").AddMonths(1).Alias("due"), frame.Date(1998, 12, 1).Sub(frame.Col("shipped")).Alias("days_left")).
		Compute(context.Background())
	fmt.Println(t)
	// Output:
	//       shipped         due  days_left
	// 0  1998-08-01  1998-09-01        122
	//
	// [1 rows x 3 columns]
}
