package frame

import (
	"context"
	"fmt"
	"testing"
)

type custRow struct {
	K int64  `frame:"k"`
	S string `frame:"s"`
	X int64  `frame:"x"`
}

type ordRow struct {
	K int64   `frame:"k"`
	V float64 `frame:"v"`
}

// Issue #11 defect: pruning columns below a filter (sort, repartition,
// dedup, per-group top-n) that feeds a join left the filter's schema stale,
// and the join asked for a column no longer read ("join: left side:
// unknown column s").
func TestStaleSchemaBelowJoin(t *testing.T) {
	var cs []custRow
	var os []ordRow
	for i := 0; i < 60; i++ {
		cs = append(cs, custRow{K: int64(i), S: []string{"ab", "cd", "ab", "é"}[i%4], X: int64(i * 7)})
		os = append(os, ordRow{K: int64(i % 20), V: float64(i)})
	}
	cust, ord := FromStructs(3, cs), FromStructs(2, os)
	// The naive answer: for every order, its customer's t where t is true.
	want := map[string]int{}
	for _, o := range os {
		for _, c := range cs {
			if c.K == o.K && c.S == "ab" {
				want[fmt.Sprintf("%d/true", c.K)]++
			}
		}
	}
	base := cust.WithColumn("t", Col("s").Eq(Lit("ab")))
	cases := map[string]*Frame{
		"filter":      base.Filter(Col("t")),
		"sort":        base.SortBy(Asc("x")).Filter(Col("t")),
		"repartition": base.Filter(Col("t")).Repartition(2),
		"dedup":       base.Filter(Col("t")).DropDuplicates(),
		"gtopn":       base.Filter(Col("t")).GroupBy("k").NLargest(5, "x"),
		"concat":      Concat(base.Filter(Col("t")), base.Filter(Col("t")).Filter(Col("k").Lt(Lit(0)))),
	}
	for name, left := range cases {
		t.Run(name, func(t *testing.T) {
			j := left.Merge(ord, MergeOptions{On: []string{"k"}}).SelectCols("k", "t")
			tab, err := j.Compute(context.Background())
			if err != nil {
				t.Fatalf("%v\n%s", err, j.Explain())
			}
			got := map[string]int{}
			for i := 0; i < tab.NumRows(); i++ {
				got[fmt.Sprintf("%v/%v", tab.Value(i, "k"), tab.Value(i, "t"))]++
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
}
