package frame

import (
	"context"
	"math"
	"testing"

	"github.com/godask/godask/sched"
)

// TestScanKeyFilterMatches: inner and semi joins of a Parquet read with a
// small table, their left scan filtered by the table's keys
// (join_scanfilter.go), give the rows, order, columns and schema of the
// same joins read whole, for a table with a direct index (a sparse set of
// keys, a dense range), one whose keys are too far apart for an index
// (int64 extremes: the hash chains answer), keys absent from the file, a
// pushed predicate beside the join (a sparse selection and one that keeps
// most of a row group: read whole then filtered), and on the loopback
// executor (the op rebuilt from its parameters); a left join is not
// planned this way.
func TestScanKeyFilterMatches(t *testing.T) {
	defer func() { scanKeyFilters, scanDenseKept = true, lateMaxKept }()
	dir := lateFile(t, 5000)
	var sparse, dense []int64
	for v := int64(-50); v < 5000; v += 61 {
		sparse = append(sparse, v)
	}
	for v := int64(300); v < 600; v++ {
		dense = append(dense, v)
	}
	wide := []int64{math.MinInt64, 0, 3, math.MaxInt64, 7}
	cases := []struct {
		name   string
		build  func() *Frame
		filter bool    // expect pqkeyfilter tasks
		dense  float64 // scanDenseKept for the case
	}{
		{"sparse inner", func() *Frame {
			return ReadParquet(dir).JoinOn(FromColumns(2, Column{"rk", sparse}, Column{"w", sparse}), Inner, "k=rk")
		}, true, 0},
		{"dense semi", func() *Frame {
			return ReadParquet(dir).SelectCols("k", "s", "f").JoinOn(FromColumns(1, Column{"rk", dense}), Semi, "k=rk")
		}, true, 0},
		{"wide keys, no index", func() *Frame {
			return ReadParquet(dir).SelectCols("i", "d", "s").JoinOn(FromColumns(1, Column{"ri", wide}), Inner, "i=ri")
		}, true, 0},
		{"predicate, sparse", func() *Frame {
			return ReadParquet(dir).Filter(Col("f").Gt(Lit(0.0))).SelectCols("k", "d").
				JoinOn(FromColumns(1, Column{"rk", sparse}), Semi, "k=rk")
		}, true, 0},
		{"predicate, other columns read whole", func() *Frame {
			return ReadParquet(dir).Filter(Col("k").Lt(Lit(int64(1400))).And(Col("s").NotNull())).SelectCols("k", "f", "i").
				JoinOn(FromColumns(1, Column{"rk", dense[:40]}), Inner, "k=rk")
		}, true, -1},
		// A small left side: semi and anti joins build on it, and the right
		// scan is filtered by its keys.
		{"right scan, semi", func() *Frame {
			return FromColumns(1, Column{"lk", sparse}, Column{"lv", sparse}).JoinOn(ReadParquet(dir).SelectCols("k", "f"), Semi, "lk=k")
		}, true, 0},
		{"right scan, anti with Where, renamed", func() *Frame {
			right := ReadParquet(dir).Filter(Col("f").NotNull()).SelectCols("k", "f").Rename(map[string]string{"k": "rk2", "f": "rf"})
			return FromColumns(1, Column{"lk", sparse}, Column{"lv", sparse}).Merge(right,
				MergeOptions{How: Anti, LeftOn: []string{"lk"}, RightOn: []string{"rk2"}, Where: Col("rf").Gt(Lit(0.0))})
		}, true, 0},
		{"left join", func() *Frame {
			return ReadParquet(dir).SelectCols("k", "f").JoinOn(FromColumns(1, Column{"rk", sparse}), Left, "k=rk")
		}, false, 0},
	}
	for _, c := range cases {
		scanDenseKept = lateMaxKept
		if c.dense != 0 {
			scanDenseKept = c.dense
		}
		scanKeyFilters = false
		want, err := c.build().Compute(context.Background())
		if err != nil {
			t.Fatalf("%s: reference: %v", c.name, err)
		}
		scanKeyFilters = true
		if got := opsIn(t, c.build())["frame.pqkeyfilter"] > 0; got != c.filter {
			t.Fatalf("%s: pqkeyfilter tasks %v, want %v", c.name, got, c.filter)
		}
		if want.NumRows() == 0 {
			t.Fatalf("%s: the reference has no rows: the case tests nothing", c.name)
		}
		for _, opts := range [][]sched.Option{nil, {sched.WithExecutor(sched.NewLoopback())}} {
			got, err := c.build().Compute(context.Background(), opts...)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			sameParquetTable(t, c.name, got, want)
		}
	}
	// The op's parameters rebuild it; a wrong input is an error.
	op := decodedOp(t, cases[3].build(), "frame.pqkeyfilter")
	if _, err := op.Run(context.Background(), []any{"not a table"}); err == nil {
		t.Fatal("a wrong input gave no error")
	}
}
