package frame

import (
	"math"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// randDate32 is n random days (extremes of int32 included) with about one
// in nullEvery null (0: none), sliced at off to exercise array offsets.
func randDate32(rng *rand.Rand, n, nullEvery, off int) *array.Date32 {
	b := array.NewDate32Builder(memory.DefaultAllocator)
	defer b.Release()
	for i := 0; i < n+off; i++ {
		switch {
		case nullEvery > 0 && rng.Intn(nullEvery) == 0:
			b.AppendNull()
		case rng.Intn(50) == 0:
			b.Append(arrow.Date32([]int32{math.MinInt32, math.MaxInt32, 0}[rng.Intn(3)]))
		default:
			b.Append(arrow.Date32(rng.Intn(40) - 20))
		}
	}
	a := b.NewDate32Array()
	return array.NewSlice(a, int64(off), int64(n+off)).(*array.Date32)
}

// TestCompareDate32MatchesWidened checks the 32-bit comparison path against
// the general one (dates widened to int64) for every operator, literal
// kinds and extremes (beyond int32 too), null literals, nulls and offsets.
func TestCompareDate32MatchesWidened(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for trial := 0; trial < 40; trial++ {
		n := rng.Intn(300)
		x := randDate32(rng, n, []int{0, 3, 10}[trial%3], rng.Intn(5))
		y := randDate32(rng, n, []int{0, 4}[trial%2], rng.Intn(5))
		rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "x", Type: Date32, Nullable: true}, {Name: "y", Type: Date32, Nullable: true}}, nil),
			[]arrow.Array{x, y}, int64(n))
		lits := []litVal{
			{k: kDate, i: int64(rng.Intn(40) - 20)},
			{k: kInt, i: int64(rng.Intn(40) - 20)},
			{k: kDate, i: math.MaxInt32},
			{k: kDate, i: math.MinInt32},
			{k: kInt, i: math.MaxInt64},
			{k: kInt, i: math.MinInt64},
			{k: kDate, null: true},
		}
		for _, op := range []string{"==", "!=", "<", "<=", ">", ">="} {
			var rhs []*enode
			for _, l := range lits {
				rhs = append(rhs, &enode{op: "lit", lit: l})
			}
			rhs = append(rhs, &enode{op: "col", name: "y"})
			for _, r := range rhs {
				n := &enode{op: op, args: []*enode{{op: "col", name: "x"}, r}}
				got, ok := compareDate32(n, rec)
				if !ok {
					t.Fatalf("%s: fast path not taken", appendExpr(nil, n))
				}
				xv := valOfArray(x)
				var yv *val
				if r.op == "lit" {
					yv = &val{scalar: true, lit: r.lit, k: r.lit.k, n: int(rec.NumRows())}
				} else {
					yv = valOfArray(y)
				}
				want, err := compare(op, xv, yv, int(rec.NumRows()))
				if err != nil {
					t.Fatal(err)
				}
				ga, wa := got.toArray(int(rec.NumRows())), want.toArray(int(rec.NumRows()))
				if !array.Equal(ga, wa) {
					t.Fatalf("trial %d %s: got %v want %v (x %v, y %v)", trial, appendExpr(nil, n), ga, wa, x, y)
				}
			}
		}
		rec.Release()
	}
}

// TestCompareDate32NotTaken: shapes the fast path must leave to the general
// one (a literal first, a string literal, a float column).
func TestCompareDate32NotTaken(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x := randDate32(rng, 10, 0, 0)
	f := float64Array(make([]float64, 10), nil)
	rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "x", Type: Date32}, {Name: "f", Type: Float64}}, nil), []arrow.Array{x, f}, 10)
	for _, n := range []*enode{
		{op: "<", args: []*enode{{op: "lit", lit: litVal{k: kDate, i: 3}}, {op: "col", name: "x"}}},
		{op: "<", args: []*enode{{op: "col", name: "x"}, {op: "lit", lit: litVal{k: kStr, s: "1994-01-01"}}}},
		{op: "<", args: []*enode{{op: "col", name: "x"}, {op: "col", name: "f"}}},
		{op: "<", args: []*enode{{op: "col", name: "f"}, {op: "col", name: "x"}}},
		{op: "+", args: []*enode{{op: "col", name: "x"}, {op: "lit", lit: litVal{k: kInt, i: 1}}}},
	} {
		if _, ok := compareDate32(n, rec); ok {
			t.Errorf("%s: fast path taken", appendExpr(nil, n))
		}
	}
}

// TestTakeDate32 checks the 32-bit gather against a naive one, with null
// (negative) indices, nulls in the source and offsets.
func TestTakeDate32(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for trial := 0; trial < 30; trial++ {
		n := 1 + rng.Intn(200)
		a := randDate32(rng, n, []int{0, 5}[trial%2], rng.Intn(4))
		idx := make([]int32, rng.Intn(300))
		for j := range idx {
			idx[j] = int32(rng.Intn(n))
			if trial%3 == 0 && rng.Intn(7) == 0 {
				idx[j] = -1
			}
		}
		got := takeCol(a, idx).(*array.Date32)
		if got.Len() != len(idx) {
			t.Fatalf("len %d want %d", got.Len(), len(idx))
		}
		for j, i := range idx {
			wantNull := i < 0 || a.IsNull(int(i))
			if got.IsNull(j) != wantNull {
				t.Fatalf("trial %d row %d: null %v want %v", trial, j, got.IsNull(j), wantNull)
			}
			if !wantNull && got.Value(j) != a.Value(int(i)) {
				t.Fatalf("trial %d row %d: %v want %v", trial, j, got.Value(j), a.Value(int(i)))
			}
		}
	}
}
