package frame

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// valueRecord makes a record of one integer key (values in lo..lo+span-1,
// nulls in about one row of eight when keyNulls) and value columns vi (int)
// and vf (float), with nulls when valNulls.
func valueRecord(rng *rand.Rand, n int, lo, span int64, keyNulls, valNulls bool, keyType arrow.DataType) arrow.Record {
	mem := memory.DefaultAllocator
	var key arrow.Array
	if keyType.ID() == arrow.TIMESTAMP {
		b := array.NewTimestampBuilder(mem, keyType.(*arrow.TimestampType))
		for i := 0; i < n; i++ {
			if keyNulls && rng.Intn(8) == 0 {
				b.AppendNull()
			} else {
				b.Append(arrow.Timestamp(lo + rng.Int63n(span)))
			}
		}
		key = b.NewArray()
	} else {
		b := array.NewInt64Builder(mem)
		for i := 0; i < n; i++ {
			if keyNulls && rng.Intn(8) == 0 {
				b.AppendNull()
			} else {
				b.Append(lo + rng.Int63n(span))
			}
		}
		key = b.NewArray()
	}
	bi := array.NewInt64Builder(mem)
	bf := array.NewFloat64Builder(mem)
	for i := 0; i < n; i++ {
		if valNulls && rng.Intn(6) == 0 {
			bi.AppendNull()
		} else {
			bi.Append(rng.Int63n(2000) - 1000)
		}
		if valNulls && rng.Intn(5) == 0 {
			bf.AppendNull()
		} else {
			bf.Append(float64(rng.Intn(1<<20)) / 64)
		}
	}
	fields := []arrow.Field{{Name: "k", Type: key.DataType(), Nullable: true},
		{Name: "vi", Type: Int64, Nullable: true}, {Name: "vf", Type: Float64, Nullable: true}}
	return array.NewRecord(arrow.NewSchema(fields, nil), []arrow.Array{key, bi.NewArray(), bf.NewArray()}, int64(n))
}

// rowsByKey prints each row of a state record under its key (column 0).
func rowsByKey(r arrow.Record) map[string]string {
	out := map[string]string{}
	for i := 0; i < int(r.NumRows()); i++ {
		k := "<nil>"
		if !r.Column(0).IsNull(i) {
			k = r.Column(0).ValueStr(i)
		}
		row := ""
		for _, c := range r.Columns()[1:] {
			row += c.ValueStr(i) + "|"
		}
		out[k] = row
	}
	return out
}

// naiveStates computes the partial states of sum/mean/count/size of vi and vf
// by key with maps, as the general path defines them.
func naiveStates(r arrow.Record, aggs []aggSpec) map[string]string {
	type acc struct {
		rows      int64
		si        map[string]int64
		sf        map[string]float64
		cnt       map[string]int64
		firstSeen int
	}
	m := map[string]*acc{}
	for i := 0; i < int(r.NumRows()); i++ {
		k := "<nil>"
		if !r.Column(0).IsNull(i) {
			k = r.Column(0).ValueStr(i)
		}
		a := m[k]
		if a == nil {
			a = &acc{si: map[string]int64{}, sf: map[string]float64{}, cnt: map[string]int64{}}
			m[k] = a
		}
		a.rows++
		for j, name := range []string{"vi", "vf"} {
			c := r.Column(j + 1)
			if c.IsNull(i) {
				continue
			}
			a.cnt[name]++
			if j == 0 {
				a.si[name] += c.(*array.Int64).Value(i)
			} else {
				a.sf[name] += c.(*array.Float64).Value(i)
			}
		}
	}
	out := map[string]string{}
	for k, a := range m {
		row := ""
		for _, s := range aggs {
			switch s.fn {
			case "size":
				row += fmt.Sprint(a.rows) + "|"
			case "count":
				row += fmt.Sprint(a.cnt[s.in]) + "|"
			case "sum":
				if s.k == kFloat {
					row += fmt.Sprint(a.sf[s.in]) + "|"
				} else {
					row += fmt.Sprint(a.si[s.in]) + "|"
				}
			case "mean":
				sum := a.sf[s.in]
				if s.k == kInt {
					sum = float64(a.si[s.in])
				}
				row += fmt.Sprint(sum) + "|" + fmt.Sprint(a.cnt[s.in]) + "|"
			}
		}
		out[k] = row
	}
	return out
}

func TestDensePartialAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	aggs := []aggSpec{
		{fn: "sum", in: "vi", out: "a", k: kInt}, {fn: "mean", in: "vi", out: "b", k: kInt},
		{fn: "count", in: "vi", out: "c", k: kInt}, {fn: "size", out: "d", k: kInt},
		{fn: "sum", in: "vf", out: "e", k: kFloat}, {fn: "mean", in: "vf", out: "f", k: kFloat},
		{fn: "count", in: "vf", out: "g", k: kFloat},
	}
	dense := 0
	for trial := 0; trial < 120; trial++ {
		n := rng.Intn(6000)
		if trial%10 == 0 {
			n = denseBlock*2 + rng.Intn(3) - 1 // block boundaries
		}
		span := []int64{1, 2, 100, 5000, 1 << 22, 1 << 40}[trial%6]
		lo := rng.Int63n(1<<20) - 1<<19
		if trial%7 == 0 {
			lo = math.MinInt64 + 5
		}
		typ := Int64
		if trial%4 == 3 {
			typ = Timestamp
		}
		r := valueRecord(rng, n, lo, span, trial%3 == 1, trial%2 == 1, typ)
		spec := aggs[rng.Intn(3):]
		switch trial % 8 {
		case 4:
			spec = []aggSpec{aggs[0], aggs[4]} // sums only: no row counts
		case 0:
			spec = nil // the keys alone
		}
		var enc *encCache
		if trial%5 == 2 {
			enc = &encCache{}
			enc.warm(r)
		}
		var maxBytes uint64 = denseMaxBytes
		if trial%4 == 0 || trial%6 == 2 {
			maxBytes = 0 // a column at a time (or declined, with nulls)
		}
		got, ok, err := denseAgg(r, []int{0}, spec, enc, maxBytes)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			// The general path must then agree with the reference too.
			if got, err = hashPartial(r, []int{0}, []string{"k"}, spec, nil); err != nil {
				t.Fatal(err)
			}
		} else {
			dense++
		}
		want := naiveStates(r, spec)
		if n == 0 {
			want = map[string]string{}
		}
		g := rowsByKey(got)
		if len(g) != len(want) || int(got.NumRows()) != len(want) {
			t.Fatalf("trial %d (n %d span %d dense %v): %d groups, want %d", trial, n, span, ok, got.NumRows(), len(want))
		}
		for k, w := range want {
			if g[k] != w {
				t.Fatalf("trial %d (n %d span %d dense %v) key %s: states %q, want %q", trial, n, span, ok, k, g[k], w)
			}
		}
		if ok && !got.Schema().Field(0).Equal(r.Schema().Field(0)) {
			t.Fatalf("trial %d: key field %v, want %v", trial, got.Schema().Field(0), r.Schema().Field(0))
		}
	}
	if dense < 40 {
		t.Fatalf("only %d of 120 trials took the dense path", dense)
	}
}

func TestDensePartialDeclines(t *testing.T) {
	rng := rand.New(rand.NewSource(22))
	r := valueRecord(rng, 1000, 0, 1<<40, false, false, Int64)
	if _, ok, _ := densePartial(r, []int{0}, []aggSpec{{fn: "sum", in: "vi", k: kInt}}, nil); ok {
		t.Fatal("dense path taken for a key range of 2^40")
	}
	r = valueRecord(rng, 1000, 0, 10, false, false, Int64)
	for _, a := range []aggSpec{{fn: "min", in: "vi", k: kInt}, {fn: "std", in: "vf", k: kFloat}, {fn: "median", in: "vf", k: kFloat}} {
		if _, ok, _ := densePartial(r, []int{0}, []aggSpec{a}, nil); ok {
			t.Fatalf("dense path taken for %s", a.fn)
		}
	}
	if _, ok, _ := densePartial(r, []int{0, 1}, []aggSpec{{fn: "sum", in: "vf", k: kFloat}}, nil); ok {
		t.Fatal("dense path taken for two keys")
	}
}

// benchRecord is a db-benchmark-like partition: key id in 1..groups, v1 in
// 1..5, v2 in 1..15, v3 in [0,100).
func benchRecord(n, groups int) arrow.Record {
	rng := rand.New(rand.NewSource(1))
	id := make([]int64, n)
	v1 := make([]int64, n)
	v2 := make([]int64, n)
	v3 := make([]float64, n)
	for i := range id {
		id[i] = int64(rng.Intn(groups) + 1)
		v1[i] = int64(rng.Intn(5) + 1)
		v2[i] = int64(rng.Intn(15) + 1)
		v3[i] = rng.Float64() * 100
	}
	fields := []arrow.Field{{Name: "id", Type: Int64}, {Name: "v1", Type: Int64}, {Name: "v2", Type: Int64}, {Name: "v3", Type: Float64}}
	return array.NewRecord(arrow.NewSchema(fields, nil),
		[]arrow.Array{int64Array(id, nil), int64Array(v1, nil), int64Array(v2, nil), float64Array(v3, nil)}, int64(n))
}

func BenchmarkPartialIntKey(b *testing.B) {
	for _, groups := range []int{100, 10000, 100000} {
		r := benchRecord(1<<20, groups)
		fn := "mean"
		if groups > 100 {
			fn = "sum"
		}
		aggs := []aggSpec{{fn: fn, in: "v1", out: "a", k: kInt}, {fn: fn, in: "v2", out: "b", k: kInt}, {fn: fn, in: "v3", out: "c", k: kFloat}}
		b.Run(fmt.Sprintf("dense/groups=%d", groups), func(b *testing.B) {
			b.SetBytes(32 << 20)
			for i := 0; i < b.N; i++ {
				if _, ok, _ := densePartial(r, []int{0}, aggs, nil); !ok {
					b.Fatal("not dense")
				}
			}
		})
		b.Run(fmt.Sprintf("dense-persisted/groups=%d", groups), func(b *testing.B) {
			enc := &encCache{}
			enc.warm(r)
			b.SetBytes(32 << 20)
			for i := 0; i < b.N; i++ {
				if _, ok, _ := densePartial(r, []int{0}, aggs, enc); !ok {
					b.Fatal("not dense")
				}
			}
		})
		b.Run(fmt.Sprintf("hash/groups=%d", groups), func(b *testing.B) {
			b.SetBytes(32 << 20)
			for i := 0; i < b.N; i++ {
				hashPartial(r, []int{0}, []string{"id"}, aggs, nil)
			}
		})
	}
}

func BenchmarkMinMaxInt(b *testing.B) {
	r := benchRecord(1<<20, 1000)
	c := colOf(r.Column(0))
	b.SetBytes(8 << 20)
	for i := 0; i < b.N; i++ {
		minMaxInt(&c)
	}
}

func TestMinMaxKernelAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(71))
	for trial := 0; trial < 60; trial++ {
		n := rng.Intn(500)
		ng := 1 + rng.Intn(40)
		b := array.NewInt64Builder(memory.DefaultAllocator)
		gids := make([]int32, n)
		for i := range gids {
			gids[i] = int32(rng.Intn(ng)) // some groups may get no rows
			switch {
			case trial%3 == 1 && rng.Intn(5) == 0:
				b.AppendNull()
			case rng.Intn(30) == 0:
				b.Append([]int64{math.MaxInt64, math.MinInt64}[rng.Intn(2)])
			default:
				b.Append(rng.Int63n(1000) - 500)
			}
		}
		a := b.NewArray()
		c := colOf(a)
		for _, fn := range []string{"min", "max"} {
			got := pickKernel(fn, &c, gids, ng)
			for g := 0; g < ng; g++ {
				var want any
				for i, h := range gids {
					if int(h) != g || a.IsNull(i) {
						continue
					}
					v := a.(*array.Int64).Value(i)
					if want == nil || (fn == "min" && v < want.(int64)) || (fn == "max" && v > want.(int64)) {
						want = v
					}
				}
				var gv any
				if !got.IsNull(g) {
					gv = got.(*array.Int64).Value(g)
				}
				if gv != want {
					t.Fatalf("trial %d %s group %d: got %v, want %v", trial, fn, g, gv, want)
				}
			}
		}
	}
}
