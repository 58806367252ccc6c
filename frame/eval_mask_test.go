package frame

import (
	"math"
	"math/rand"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// maskRecord is a record of n random rows: int64 i (extremes), float64 f
// (NaN, ±Inf), date32 d, timestamp t, duration u, string s, bool b, each
// with nulls unless noNulls.
func maskRecord(r *rand.Rand, n int, noNulls bool) arrow.Record {
	is, fs, ds, ts, us := make([]int64, n), make([]float64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	offs, data, bs := []int32{0}, []byte{}, make([]bool, n)
	valid := func() []bool {
		if noNulls {
			return nil
		}
		v := make([]bool, n)
		for i := range v {
			v[i] = r.Intn(6) > 0
		}
		return v
	}
	for i := 0; i < n; i++ {
		is[i] = r.Int63n(11) - 5
		fs[i] = float64(r.Intn(11)-5) / 2
		ds[i] = int64(r.Intn(11) - 5)
		ts[i] = r.Int63n(11) - 5
		us[i] = r.Int63n(11) - 5
		switch r.Intn(12) {
		case 0:
			is[i], fs[i], ds[i] = math.MaxInt64, math.NaN(), math.MaxInt32
		case 1:
			is[i], fs[i], ds[i] = math.MinInt64, math.Inf(-1), math.MinInt32
		case 2:
			fs[i] = math.Inf(1)
		}
		data = append(data, "abc"[:r.Intn(4)]...)
		offs = append(offs, int32(len(data)))
		bs[i] = r.Intn(2) == 0
	}
	cols := []arrow.Array{
		int64Array(is, valid()), float64Array(fs, valid()), intsArray(kDate, ds, valid()),
		intsArray(kTime, ts, valid()), intsArray(kDur, us, valid()), strArray(offs, data, valid()), boolArray(bs, valid()),
	}
	var fields []arrow.Field
	for i, name := range []string{"i", "f", "d", "t", "u", "s", "b"} {
		fields = append(fields, arrow.Field{Name: name, Type: cols[i].DataType(), Nullable: true})
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n))
}

var maskLits = []litVal{
	{k: kInt, i: 0}, {k: kInt, i: 2}, {k: kInt, i: -3}, {k: kInt, i: math.MaxInt64}, {k: kInt, i: math.MinInt64},
	{k: kInt, i: math.MaxInt32 + 1}, {k: kInt, i: math.MinInt32},
	{k: kFloat, f: 0.5}, {k: kFloat, f: -2}, {k: kFloat, f: math.NaN()}, {k: kFloat, f: math.Inf(1)}, {k: kFloat, f: 9.3e18},
	{k: kDate, i: 1}, {k: kDate, i: -2}, {k: kTime, i: 3}, {k: kDur, i: -1}, {null: true},
}

// randPred is a random AND/OR tree over typed leaves (a numeric column
// against a literal, either side) and leaves the general path evaluates.
func randPred(r *rand.Rand, depth int) *enode {
	if depth > 0 && r.Intn(3) > 0 {
		op := "and"
		if r.Intn(3) == 0 {
			op = "or"
		}
		return &enode{op: op, args: []*enode{randPred(r, depth-1), randPred(r, depth-1)}}
	}
	ops := []string{"==", "!=", "<", "<=", ">", ">="}
	switch r.Intn(11) {
	case 8:
		n := &enode{op: "isin", args: []*enode{{op: "col", name: "s"}}}
		for j := r.Intn(4); j > 0; j-- {
			n.lits = append(n.lits, []litVal{{k: kStr, s: "ab"}, {k: kStr, s: ""}, {k: kStr, s: "abc"}, {k: kStr, s: "zz"}, {null: true}}[r.Intn(5)])
		}
		return n
	case 9:
		n := &enode{op: "isin", args: []*enode{{op: "col", name: []string{"i", "d", "t", "u", "f"}[r.Intn(5)]}}}
		for j := r.Intn(4); j > 0; j-- {
			n.lits = append(n.lits, []litVal{{k: kInt, i: 0}, {k: kInt, i: -3}, {k: kInt, i: math.MaxInt64}, {k: kInt, i: math.MinInt32}, {k: kFloat, f: 2}, {k: kFloat, f: 0.5}, {null: true}, {k: kInt, i: 1 << 40}}[r.Intn(8)])
		}
		return n
	case 10:
		s := &enode{op: "col", name: "s"}
		l := &enode{op: "lit", lit: litVal{k: kStr, s: []string{"", "a", "ab", "abc"}[r.Intn(4)]}}
		if r.Intn(2) == 0 {
			s, l = l, s
		}
		return &enode{op: "==", args: []*enode{s, l}}
	}
	switch r.Intn(8) {
	case 0:
		return &enode{op: "not", args: []*enode{randPred(r, 0)}}
	case 1:
		return &enode{op: "isnull", args: []*enode{{op: "col", name: "fi"[r.Intn(2):][:1]}}}
	case 2:
		return &enode{op: "==", args: []*enode{{op: "col", name: "s"}, {op: "lit", lit: litVal{k: kStr, s: "ab"}}}}
	case 3:
		return &enode{op: "col", name: "b"}
	}
	c := &enode{op: "col", name: []string{"i", "f", "d", "t", "u"}[r.Intn(5)]}
	l := &enode{op: "lit", lit: maskLits[r.Intn(len(maskLits))]}
	if l.lit.k == kDur && c.name != "u" || c.name == "u" && l.lit.k != kDur && l.lit.k != kInt {
		l.lit = litVal{k: kInt, i: 1}
	}
	args := []*enode{c, l}
	if r.Intn(4) == 0 {
		args[0], args[1] = l, c
	}
	return &enode{op: ops[r.Intn(len(ops))], args: args}
}

// rangePred is lo op col and col op hi (a range kernel's shape).
func rangePred(r *rand.Rand) *enode {
	c := []string{"i", "f", "d", "t"}[r.Intn(4)]
	l := func() *enode { return &enode{op: "lit", lit: maskLits[r.Intn(13)]} }
	lo := &enode{op: []string{">", ">="}[r.Intn(2)], args: []*enode{{op: "col", name: c}, l()}}
	hi := &enode{op: []string{"<", "<="}[r.Intn(2)], args: []*enode{{op: "col", name: c}, l()}}
	if r.Intn(2) == 0 {
		lo, hi = hi, lo
	}
	p := &enode{op: "and", args: []*enode{lo, hi}}
	if r.Intn(2) == 0 {
		p = &enode{op: "and", args: []*enode{p, randPred(r, 1)}}
	}
	return p
}

func TestFastMaskMatchesGeneral(t *testing.T) {
	defer func() { fastMasks = true }()
	r := rand.New(rand.NewSource(11))
	fast := 0
	for iter := 0; iter < 3000; iter++ {
		n := []int{0, 1, 7, 9, 64, 130, 257}[r.Intn(7)]
		rec := maskRecord(r, n, r.Intn(4) == 0)
		if n > 3 && r.Intn(3) == 0 {
			// A slice: offsets into the values and validity bitmaps.
			rec = rec.NewSlice(int64(r.Intn(3)), int64(n-r.Intn(3)))
		}
		p := randPred(r, 3)
		if r.Intn(3) == 0 {
			p = rangePred(r)
		}
		fastMasks = false
		want, werr := mask(p, rec)
		fastMasks = true
		got, gerr := mask(p, rec)
		if (werr != nil) != (gerr != nil) || werr != nil && werr.Error() != gerr.Error() {
			t.Fatalf("%s: error %v, general path %v", p, gerr, werr)
		}
		if _, ok, _ := fastMask(p, rec); ok {
			fast++
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s over %d rows:\n got %v\nwant %v", p, rec.NumRows(), got, want)
		}
	}
	if fast < 1000 {
		t.Fatalf("only %d of 3000 predicates took the typed path", fast)
	}
}
