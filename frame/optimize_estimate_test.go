package frame

import (
	"context"
	"math/rand"
	"path/filepath"
	"testing"
)

// TestEstimateAgainstCounts: the row estimates of filters (from Parquet
// statistics and from persisted records) and of a key/foreign-key join with
// a filtered dimension are within a factor of 1.5 of the true counts on
// uniform data, which is what the broadcast choice needs.
func TestEstimateAgainstCounts(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(11))
	const nFact, nDim = 20000, 500
	fk, d, v := make([]int64, nFact), make([]int64, nFact), make([]float64, nFact)
	for i := range fk {
		fk[i], d[i], v[i] = int64(rng.Intn(nDim)), int64(rng.Intn(1000)), rng.Float64()*100
	}
	dk, dg := make([]int64, nDim), make([]int64, nDim)
	for i := range dk {
		dk[i], dg[i] = int64(i), int64(rng.Intn(10))
	}
	fact := FromColumns(4, Column{"fk", fk}, Column{"d", d}, Column{"v", v})
	dim := FromColumns(1, Column{"dk", dk}, Column{"g", dg})
	dir := filepath.Join(t.TempDir(), "fact")
	if err := fact.WriteParquet(ctx, dir, ""); err != nil {
		t.Fatal(err)
	}
	pfact := ReadParquet(dir)
	mfact, err := fact.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	preds := []Expr{
		Col("d").Ge(Lit(100)).And(Col("d").Lt(Lit(250))),  // an interval: 15%
		Col("d").Lt(Lit(500)),                             // one bound: 50%
		Col("v").Gt(Lit(90.0)).And(Col("d").Ge(Lit(500))), // independent: 5%
		Col("d").Eq(Lit(7)),                               // 1/1000
		Col("d").Ge(Lit(100)).And(Col("d").Lt(Lit(250))).Or(Col("v").Lt(Lit(10.0))),
		Col("d").Gt(Lit(5000)), // nothing
	}
	for _, src := range []struct {
		name string
		f    *Frame
	}{{"parquet", pfact}, {"persisted", mfact}} {
		for i, p := range preds {
			q := src.f.Filter(p)
			est, ok := estRows(q.optimized(t))
			if !ok {
				t.Fatalf("%s pred %d: no estimate", src.name, i)
			}
			n, err := q.Len(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				if est > 1 {
					t.Errorf("%s pred %d: estimate %.0f, true 0", src.name, i, est)
				}
				continue
			}
			if r := est / float64(n); r < 1/1.5 || r > 1.5 {
				t.Errorf("%s pred %d: estimate %.0f, true %d", src.name, i, est, n)
			}
		}
	}
	// Fact ⋈ dimension filtered to 1/10: about a tenth of the fact rows.
	j := mfact.Merge(dim.Filter(Col("g").Eq(Lit(3))), MergeOptions{LeftOn: []string{"fk"}, RightOn: []string{"dk"}})
	est, ok := estRows(j.optimized(t))
	n, err := j.Len(ctx)
	if err != nil || !ok {
		t.Fatal(err, ok)
	}
	if r := est / float64(n); r < 1/2.0 || r > 2.0 {
		t.Errorf("join with a filtered dimension: estimate %.0f, true %d", est, n)
	}
}

// optimized is the plan f computes (after pushdown and pruning).
func (f *Frame) optimized(t *testing.T) *node {
	t.Helper()
	if _, err := f.Graph(); err != nil {
		t.Fatal(err)
	}
	return f.plan
}

// TestEstimateThroughScalarOf: a frame filtered against a scalar subquery
// (TPC-H q22's c_acctbal > avg, q15's revenue = max) keeps a row estimate:
// ScalarOf's one row passes its check, so the join that plans on the
// estimate can broadcast instead of shuffling for want of one.
func TestEstimateThroughScalarOf(t *testing.T) {
	v := make([]float64, 1000)
	for i := range v {
		v[i] = float64(i)
	}
	f := FromColumns(4, Column{"v", v})
	avg := f.Agg(Col("v").Mean().Alias("m"))
	g := f.Filter(Col("v").Gt(ScalarOf(avg, "m")))
	if g.Err() != nil {
		t.Fatal(g.Err())
	}
	r, ok := estRows(optimize(g.n))
	if !ok || r <= 0 || r > 1000 {
		t.Fatalf("estimate %v (known %v), want 0 < rows <= 1000", r, ok)
	}
	tab, err := g.Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tab.NumRows() != 500 {
		t.Fatalf("%d rows above the mean, want 500", tab.NumRows())
	}
}
