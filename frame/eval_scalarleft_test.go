package frame

import (
	"context"
	"math"
	"math/rand"
	"testing"
)

// TestScalarLeftArithMatchesColumns: a literal on the left of a float
// column (arithScalarLeft) gives, row for row, what the same literal as a
// column gives, with nulls, NaN, infinities and signed zeros.
func TestScalarLeftArithMatchesColumns(t *testing.T) {
	type row struct {
		X *float64 `frame:"x"`
	}
	rng := rand.New(rand.NewSource(9))
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 1e308, -5e-324}
	rows := make([]row, 500)
	for i := range rows {
		if rng.Intn(10) == 0 {
			continue // null
		}
		v := rng.NormFloat64() * 100
		if rng.Intn(8) == 0 {
			v = special[rng.Intn(len(special))]
		}
		rows[i].X = &v
	}
	ctx := context.Background()
	for _, c := range []float64{1, -2.5, 0, math.Inf(1)} {
		for _, op := range []struct {
			name string
			lit  func(Expr) Expr
		}{
			{"+", func(e Expr) Expr { return e.Add(Col("x")) }},
			{"-", func(e Expr) Expr { return e.Sub(Col("x")) }},
			{"*", func(e Expr) Expr { return e.Mul(Col("x")) }},
			{"/", func(e Expr) Expr { return e.Div(Col("x")) }},
		} {
			f := FromStructs(3, rows).WithColumn("c", Lit(c))
			tab, err := f.WithColumn("got", op.lit(Lit(c))).WithColumn("want", op.lit(Col("c"))).Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := tab.Float64s("got")
			want, _ := tab.Float64s("want")
			gv, _ := tab.Valid("got")
			wv, _ := tab.Valid("want")
			for i := range want {
				if gv[i] != wv[i] {
					t.Fatalf("%v %s x, row %d: valid %v, want %v", c, op.name, i, gv[i], wv[i])
				}
				if wv[i] && math.Float64bits(got[i]) != math.Float64bits(want[i]) && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
					t.Fatalf("%v %s x, row %d: %v, want %v", c, op.name, i, got[i], want[i])
				}
			}
		}
	}
}
