package frame_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/godask/godask/frame"
)

// The largest two v3 of every id6 (db-benchmark groupby q8): each partition
// keeps at most two rows per group before the partial results are merged.
func ExampleGroupBy_NLargest() {
	x := frame.FromColumns(3,
		frame.Column{Name: "id6", Values: []int64{1, 2, 1, 1, 2, 3, 1, 2}},
		frame.Column{Name: "v3", Values: []float64{5.5, 1.0, 9.25, 7.0, 3.5, 2.0, 0.5, 8.0}})
	top2, err := x.GroupBy("id6").NLargest(2, "v3").SortValues(false, "id6").Compute(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(top2)
	// Output:
	//    id6    v3
	// 0    1  9.25
	// 1    1  7.00
	// 2    2  8.00
	// 3    2  3.50
	// 4    3  2.00
	//
	// [5 rows x 2 columns]
}

// Selecting rows by a condition and columns by name, like pandas'
// df.loc[df.tip == 0, ["fare"]].
func ExampleFrame_Loc() {
	df := frame.FromColumns(2,
		frame.Column{Name: "fare", Values: []float64{10.5, 7.25, 20, 3.5}},
		frame.Column{Name: "tip", Values: []float64{0, 1.5, 0, 0.5}})
	t, err := df.Loc(frame.Col("tip").Eq(frame.Lit(0.0)), "fare").Compute(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t)
	// Output:
	//    fare
	// 0  10.5
	// 1  20.0
	//
	// [2 rows x 1 columns]
}

// Reading JSON lines: the schema is inferred from a sample; a missing key is
// a null.
func ExampleReadJSON() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(`{"name": "ann", "amt": 10.5, "when": "2016-01-02T10:00:00Z"}
{"name": "bob", "amt": 3}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "b.jsonl"), []byte(`{"name": "cy", "amt": null, "when": "2016-03-04T00:00:00Z"}
`), 0o644)
	df := frame.ReadJSON(filepath.Join(dir, "*.jsonl"))
	fmt.Println(df.Schema())
	t, err := df.WithColumn("month", frame.Col("when").Month()).Compute(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t)
	// Output:
	// schema:
	//   fields: 3
	//     - name: type=utf8, nullable
	//     - amt: type=float64, nullable
	//     - when: type=timestamp[us], nullable
	//    name   amt                 when  month
	// 0   ann  10.5  2016-01-02 10:00:00      1
	// 1   bob   3.0                 <NA>   <NA>
	// 2    cy   NaN  2016-03-04 00:00:00      3
	//
	// [3 rows x 4 columns]
}

// Arrow IPC files round-trip: WriteIPC writes one file per partition,
// ReadIPC reads them back (a partition per record batch).
func ExampleReadIPC() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	df := frame.FromColumns(2,
		frame.Column{Name: "k", Values: []string{"a", "b", "a", "c"}},
		frame.Column{Name: "v", Values: []int64{1, 2, 3, 4}})
	if err := df.WriteIPC(ctx, dir); err != nil {
		fmt.Println(err)
		return
	}
	back := frame.ReadIPC(filepath.Join(dir, "*.arrow"))
	t, err := back.GroupBy("k").Sum("v").SortValues(false, "k").Compute(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(back.NPartitions())
	fmt.Println(t)
	// Output:
	// 2
	//    k  v
	// 0  a  4
	// 1  b  2
	// 2  c  4
	//
	// [3 rows x 2 columns]
}
