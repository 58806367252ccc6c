package frame_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
)

type contribution struct {
	Employer   string  `frame:"employer"`
	Occupation string  `frame:"occupation"`
	Amount     float64 `frame:"transaction_amt"`
}

// The seed's main job: totals by employer and means by occupation, computed
// together in one run.
func ExampleFromStructs() {
	rows := []contribution{
		{"Acme", "engineer", 100}, {"Acme", "manager", 250}, {"Globex", "engineer", 40},
		{"Initech", "analyst", 75}, {"Globex", "manager", 500}, {"Acme", "engineer", 60},
	}
	indiv := frame.FromStructs(2, rows)
	amt := frame.Col("transaction_amt")
	total := indiv.GroupBy("employer").Agg(amt.Sum()).NLargest(2, "transaction_amt")
	avg := indiv.GroupBy("occupation").Agg(amt.Mean()).NLargest(2, "transaction_amt")
	res, err := sched.Compute(context.Background(), []sched.Collection{total, avg})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res[0])
	fmt.Println(res[1])
	// Output:
	//     employer  transaction_amt
	// 0    Globex            540.0
	// 1      Acme            410.0
	//
	// [2 rows x 2 columns]
	//    occupation  transaction_amt
	// 0     manager            375.0
	// 1     analyst             75.0
	//
	// [2 rows x 2 columns]
}

// Reading CSV files: globs, schema inference, and a filtered mean.
func ExampleReadCSV() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "trips-1.csv"), []byte("fare,tip\n10.5,0\n7.25,1.5\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "trips-2.csv"), []byte("fare,tip\n20,0\n3.5,0.5\n"), 0o644)
	df := frame.ReadCSV(filepath.Join(dir, "trips-*.csv"))
	fmt.Println(df.Columns(), df.NPartitions())
	// Sum of fares where tip == 0.
	noTip := df.Filter(frame.Col("tip").Eq(frame.Lit(0.0))).Agg(frame.Col("fare").Sum())
	tab, err := noTip.Compute(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tab.Value(0, "fare"))
	// Output:
	// [fare tip] 2
	// 30.5
}

// Joining two frames on a key, as pandas' merge.
func ExampleFrame_Merge() {
	trips := frame.FromColumns(2,
		frame.Column{Name: "zone", Values: []int64{1, 2, 2, 3, 9}},
		frame.Column{Name: "fare", Values: []float64{10, 12.5, 7, 30, 4}})
	zones := frame.FromColumns(1,
		frame.Column{Name: "zone", Values: []int64{1, 2, 3}},
		frame.Column{Name: "borough", Values: []string{"Bronx", "Brooklyn", "Queens"}})
	byBorough := trips.Join(zones, frame.Inner, "zone").GroupBy("borough").Agg(frame.Col("fare").Sum()).SortValues(false, "borough")
	tab, err := byBorough.Compute(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tab)
	// Output:
	//    borough  fare
	// 0     Bronx  10.0
	// 1  Brooklyn  19.5
	// 2    Queens  30.0
	//
	// [3 rows x 2 columns]
}

// Dropping duplicate rows by a subset of columns, keeping each first
// occurrence.
func ExampleFrame_DropDuplicates() {
	events := frame.FromColumns(3,
		frame.Column{Name: "user", Values: []string{"ann", "bob", "ann", "cid", "bob", "ann"}},
		frame.Column{Name: "t", Values: []int64{1, 2, 3, 4, 5, 6}})
	first := events.DropDuplicates("user").SortValues(false, "t")
	tab, err := first.Compute(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tab)
	// Output:
	//    user  t
	// 0   ann  1
	// 1   bob  2
	// 2   cid  4
	//
	// [3 rows x 2 columns]
}
