package frame

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

// TestDictionaryConditionsMatch: filters whose string conditions run on
// the Parquet dictionary (parquet_match.go) give the rows, columns and
// schema of the same filter evaluated on the strings, for equality, IsIn,
// Like, StartsWith, Len, a null test (a null row's answer is the
// condition's on a null), an OR over the one column, conditions that keep
// no row or every row, with other conditions beside them (the read then
// goes late), feeding a groupby, and on the loopback executor (the op
// rebuilt from its parameters); conditions that cannot run on the
// dictionary (two columns in one condition, a column the output needs)
// make no pqmatch task.
func TestDictionaryConditionsMatch(t *testing.T) {
	defer func() { dictMatches = true }()
	dir := lateFile(t, 5000)
	k, f, s := Col("k"), Col("f"), Col("s")
	cases := []struct {
		name  string
		pred  Expr
		cols  []string
		match bool // expect pqmatch tasks
	}{
		{"eq", s.Eq(Lit("ab")), []string{"k"}, true},
		{"isin and range", s.IsIn("ab", "x").And(k.Lt(Lit(int64(3000)))), []string{"k", "f"}, true},
		{"is null", s.IsNull(), []string{"k", "d"}, true},
		{"not null and ne", s.NotNull().And(s.Ne(Lit("x"))), []string{"i"}, true},
		{"like and unicode prefix", s.Like("%b").Or(s.StartsWith("ü")), []string{"d"}, true},
		{"or with null", s.Eq(Lit("ab")).Or(s.IsNull()), []string{"k"}, true},
		{"len and float", s.Len().Gt(Lit(int64(1))).And(f.Gt(Lit(0.0))), []string{"k", "f"}, true},
		{"none kept", s.Eq(Lit("nope")), []string{"k"}, true},
		{"all kept", s.Ne(Lit("nope")).Or(s.IsNull()), []string{"f"}, true},
		{"two columns", s.Eq(Lit("ab")).Or(k.Lt(Lit(int64(100)))), []string{"k"}, false},
		{"output needs the column", s.Eq(Lit("ab")), []string{"k", "s"}, false},
	}
	for _, c := range cases {
		build := func() *Frame { return ReadParquet(dir).Filter(c.pred).SelectCols(c.cols...) }
		dictMatches = false
		want, err := build().Compute(context.Background())
		if err != nil {
			t.Fatalf("%s: reference: %v", c.name, err)
		}
		dictMatches = true
		fr := build()
		if got := opsIn(t, fr)["frame.pqmatch"] > 0; got != c.match {
			t.Fatalf("%s: pqmatch tasks %v, want %v", c.name, got, c.match)
		}
		for _, opts := range [][]sched.Option{nil, {sched.WithExecutor(sched.NewLoopback())}} {
			got, err := build().Compute(context.Background(), opts...)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			sameParquetTable(t, c.name, got, want)
		}
	}
	// Feeding a groupby (a filter deferred into a partial aggregation
	// reads the mask column like any other).
	agg := func() *Frame {
		return ReadParquet(dir).Filter(s.IsIn("ab", "").And(f.Ge(Lit(-1.0)))).GroupBy("i").
			Agg(f.Sum().Alias("fs"), Count().Alias("n")).SortBy(Asc("i"))
	}
	dictMatches = false
	want, err := agg().Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dictMatches = true
	got, err := agg().Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sameParquetTable(t, "groupby", got, want)

	// The op's parameters rebuild it, and a bad condition is an error
	// naming the file, the column and the condition.
	op := decodedOp(t, ReadParquet(dir).Filter(s.Eq(Lit("ab"))).SelectCols("k"), "frame.pqmatch")
	bad := *op.(*pqMatchOp)
	bad.cond = Col("s").Add(Lit(1)).n
	if _, err := bad.Run(context.Background(), nil); err == nil || !strings.Contains(err.Error(), `column "s"`) {
		t.Fatalf("bad condition: %v", err)
	}
}

// sameParquetTable fails unless got and want have the same rows, columns, schema
// and values.
func sameParquetTable(t *testing.T, name string, got, want *Table) {
	t.Helper()
	if got.NumRows() != want.NumRows() || !reflect.DeepEqual(got.Columns(), want.Columns()) {
		t.Fatalf("%s: %d rows of %v, want %d of %v", name, got.NumRows(), got.Columns(), want.NumRows(), want.Columns())
	}
	for _, col := range want.Columns() {
		g, err1 := got.Format(col)
		w, err2 := want.Format(col)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(g, w) {
			t.Fatalf("%s: column %s differs (%v %v)", name, col, err1, err2)
		}
	}
	if !got.Schema().Equal(want.Schema()) {
		t.Fatalf("%s: schema %s, want %s", name, got.Schema(), want.Schema())
	}
}
