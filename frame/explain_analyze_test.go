package frame

import (
	"context"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

// TestExplainAnalyze: the statistics count every row the source parts hold
// and the result equals Compute's.
func TestExplainAnalyze(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	n := 5000
	ks, vs := make([]string, n), make([]float64, n)
	for i := range ks {
		ks[i] = []string{"a", "b", "ü", ""}[rng.Intn(4)]
		vs[i] = rng.NormFloat64()
	}
	f := FromColumns(7, Column{Name: "k", Values: ks}, Column{Name: "v", Values: vs}).
		Filter(Col("v").Gt(Lit(0.0))).GroupBy("k").Agg(Col("v").Sum())
	text, tab, stats, err := f.ExplainAnalyze(context.Background(), sched.WithProgress(nil))
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.Compute(context.Background(), sched.WithProgress(nil))
	if err != nil {
		t.Fatal(err)
	}
	if tab.String() != want.String() {
		t.Fatalf("result\n%s\nwant\n%s", tab, want)
	}
	if !strings.HasPrefix(text, f.Explain()) || !strings.Contains(text, "analyzed:") {
		t.Fatalf("text:\n%s", text)
	}
	by := map[string]OpStats{}
	for _, s := range stats {
		if s.Tasks <= 0 || s.Time < 0 {
			t.Fatalf("stats %+v", s)
		}
		by[s.Op] = s
	}
	// One partial aggregation per partition, each returning one row per
	// group present in it; the final aggregation returns the result's rows.
	part, fin := by["partial-agg"], by["agg-final"]
	if part.Tasks != 7 || part.Rows < 4 || part.Rows > 7*4 || fin.Rows != int64(want.NumRows()) || fin.Bytes <= 0 {
		t.Fatalf("stats %+v", stats)
	}
	bad := FromColumns(1, Column{Name: "k", Values: ks}).Filter(Col("nope").Gt(Lit(1)))
	if _, _, _, err := bad.ExplainAnalyze(context.Background()); err == nil {
		t.Fatal("bad frame analyzed")
	}
}
