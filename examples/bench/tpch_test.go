package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/godask/godask/frame"
)

// TestTPCHAnswersMatchDuckDB runs the 22 queries over the tiny data set in
// testdata/tpch (cut from SF 1 by peers/tpch_tiny.mjs) from Parquet and
// persisted, and compares each answer with DuckDB's on the same files
// (testdata/tpch/answers, written by peers' tpch_duckdb.mjs with SF 0.004):
// rows, order and values.
func TestTPCHAnswersMatchDuckDB(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join("testdata", "tpch")
	for _, persist := range []bool{false, true} {
		db, err := openTPCH(ctx, dir, persist)
		if err != nil {
			t.Fatal(err)
		}
		if db.sf != 0.004 {
			t.Fatalf("scale factor %v from supplier, want 0.004 (the answers' q11 fraction)", db.sf)
		}
		for _, name := range tpchNames() {
			tab, err := runTPCH(ctx, db, tpchQueries[name])
			if err != nil {
				t.Errorf("%s (persisted %v): %v", name, persist, err)
				continue
			}
			if err := compareAnswer(tab, filepath.Join(dir, "answers", name+".csv")); err != nil {
				t.Errorf("%s (persisted %v): %v", name, persist, err)
			}
		}
	}
	if len(tpchNames()) != 22 {
		t.Fatalf("%d queries, want 22", len(tpchNames()))
	}
}

// TestCompareAnswerCatchesDifferences: the comparison fails on a changed
// value, a missing row and a reordering.
func TestCompareAnswerCatchesDifferences(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join("testdata", "tpch")
	db, err := openTPCH(ctx, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	answer := filepath.Join(dir, "answers", "q1.csv")
	tab, err := runTPCH(ctx, db, tpchQueries["q1"])
	if err != nil {
		t.Fatal(err)
	}
	if err := compareAnswer(tab, answer); err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]tpchQuery{
		"value":   func(db *tpchDB) *frame.Frame { return q1(db).WithColumn("sum_qty", col("sum_qty").Add(lit(0.01))) },
		"row":     func(db *tpchDB) *frame.Frame { return q1(db).Filter(col("l_returnflag").Ne(lit("A"))) },
		"order":   func(db *tpchDB) *frame.Frame { return q1(db).SortBy(desc("l_returnflag"), asc("l_linestatus")) },
		"columns": func(db *tpchDB) *frame.Frame { return q1(db).Drop("count_order") },
	} {
		tab, err := runTPCH(ctx, db, q)
		if err != nil {
			t.Fatal(err)
		}
		if compareAnswer(tab, answer) == nil {
			t.Errorf("a changed %s still matches", name)
		}
	}
}
