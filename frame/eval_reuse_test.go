package frame

import (
	"math"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// TestArithReusesOnlyItsOwnTemporaries: element-wise results may be
// written over a temporary input (reuseF/reuseI), but never over a column,
// nor over a subexpression that the memo shares with another expression of
// the same projection. Each output is checked against a naive loop.
func TestArithReusesOnlyItsOwnTemporaries(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	const n = 1000
	fb := array.NewFloat64Builder(memory.DefaultAllocator)
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	fs, is := make([]float64, n), make([]int64, n)
	for i := 0; i < n; i++ {
		fs[i], is[i] = rng.NormFloat64(), rng.Int63n(1000)-500
		fb.Append(fs[i])
		ib.Append(is[i])
	}
	fa, ia := fb.NewFloat64Array(), ib.NewInt64Array()
	r := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "a", Type: Float64}, {Name: "k", Type: Int64}}, nil),
		[]arrow.Array{fa, ia}, n)
	a, k := Col("a"), Col("k")
	shared := a.Mul(Lit(2.0)).Add(Lit(1.0))
	sharedI := k.Mul(Lit(3)).Sub(Lit(7))
	exprs := []Expr{
		shared,                               // (a*2)+1
		shared.Mul(Lit(3.0)),                 // ((a*2)+1)*3: must not overwrite the first
		Lit(1.0).Sub(a).Mul(a.Add(Lit(5.0))), // (1-a)*(a+5): two temporaries
		a.Mul(a),                             // a column with itself
		sharedI,                              // k*3-7
		sharedI.Mul(k),                       // (k*3-7)*k
		k.Add(Lit(1)).Mul(k.Sub(Lit(1))),     // (k+1)*(k-1)
	}
	want := [][]float64{make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)}
	for i := 0; i < n; i++ {
		x, y := fs[i], is[i]
		want[0][i] = x*2 + 1
		want[1][i] = (x*2 + 1) * 3
		want[2][i] = (1 - x) * (x + 5)
		want[3][i] = x * x
		want[4][i] = float64(y*3 - 7)
		want[5][i] = float64((y*3 - 7) * y)
		want[6][i] = float64((y + 1) * (y - 1))
	}
	nodes := make([]*enode, len(exprs))
	names := make([]string, len(exprs))
	for j, e := range exprs {
		nodes[j], names[j] = e.n, string(rune('p'+j))
	}
	for _, together := range []bool{true, false} {
		var out []arrow.Array
		if together {
			rec, err := project(r, nodes, names)
			if err != nil {
				t.Fatal(err)
			}
			out = rec.Columns()
		} else {
			for j := range nodes {
				rec, err := project(r, nodes[j:j+1], names[j:j+1])
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, rec.Column(0))
			}
		}
		for j, col := range out {
			c := colOf(col)
			for i := 0; i < n; i++ {
				got := c.float(i)
				if math.Abs(got-want[j][i]) > 1e-9*math.Max(1, math.Abs(want[j][i])) {
					t.Fatalf("together %v: expression %d row %d = %v, want %v", together, j, i, got, want[j][i])
				}
			}
		}
		for i := 0; i < n; i++ {
			if fa.Value(i) != fs[i] || ia.Value(i) != is[i] {
				t.Fatalf("input column changed at row %d", i)
			}
		}
	}
}
