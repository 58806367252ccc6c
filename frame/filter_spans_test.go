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

// TestFilterBySpansMatchesGather: filterRecord, which copies long runs of
// kept rows whole, gives the row-by-row gather's record for random masks
// (dense and sparse, all kept, none kept, runs at both ends) over float,
// int, date32, timestamp, string (empty strings, NaN, extremes) and
// boolean columns, with and without nulls, and sliced arrays.
func TestFilterBySpansMatchesGather(t *testing.T) {
	r := rand.New(rand.NewSource(17))
	mem := memory.DefaultAllocator
	build := func(n int, nulls bool) arrow.Record {
		fb := array.NewFloat64Builder(mem)
		ib := array.NewInt64Builder(mem)
		db := array.NewDate32Builder(mem)
		tb := array.NewTimestampBuilder(mem, Timestamp.(*arrow.TimestampType))
		sb := array.NewStringBuilder(mem)
		bb := array.NewBooleanBuilder(mem)
		for i := 0; i < n; i++ {
			if nulls && r.Intn(7) == 0 {
				fb.AppendNull()
				ib.AppendNull()
				db.AppendNull()
				tb.AppendNull()
				sb.AppendNull()
				bb.AppendNull()
				continue
			}
			fb.Append([]float64{r.NormFloat64(), math.NaN(), math.Inf(-1), -0.0, math.MaxFloat64}[r.Intn(5)])
			ib.Append([]int64{int64(r.Intn(100)), math.MinInt64, math.MaxInt64}[r.Intn(3)])
			db.Append(arrow.Date32(r.Intn(20000) - 10000))
			tb.Append(arrow.Timestamp(r.Int63()))
			sb.Append([]string{"", "a", "bb", "long string value"}[r.Intn(4)])
			bb.Append(r.Intn(2) == 0)
		}
		cols := []arrow.Array{fb.NewArray(), ib.NewArray(), db.NewArray(), tb.NewArray(), sb.NewArray(), bb.NewArray()}
		fields := make([]arrow.Field, len(cols))
		for i, c := range cols {
			fields[i] = arrow.Field{Name: fmt.Sprint("c", i), Type: c.DataType(), Nullable: true}
		}
		return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n))
	}
	for trial := 0; trial < 60; trial++ {
		n := []int{0, 1, 7, 300, 2000}[trial%5]
		rec := build(n+10, trial%2 == 1)
		if trial%3 == 0 {
			rec = rec.NewSlice(5, int64(n+5)) // arrays with an offset
		} else {
			rec = rec.NewSlice(0, int64(n))
		}
		mask := make([]bool, n)
		keep := []float64{0, 0.02, 0.5, 0.97, 0.999, 1}[trial%6]
		run := 1 + r.Intn(50)
		for i := 0; i < n; {
			v := r.Float64() < keep
			for j := 0; j < run && i < n; j++ {
				mask[i] = v
				i++
			}
		}
		var idx []int32
		for i, m := range mask {
			if m {
				idx = append(idx, int32(i))
			}
		}
		got := filterRecord(rec, mask)
		if got.NumRows() != int64(len(idx)) {
			t.Fatalf("trial %d: %d rows, want %d", trial, got.NumRows(), len(idx))
		}
		for c := 0; c < int(rec.NumCols()); c++ {
			want := takeCol(rec.Column(c), idx)
			g := got.Column(c)
			if !arrow.TypeEqual(g.DataType(), rec.Column(c).DataType()) {
				t.Fatalf("trial %d column %d: type %s, want %s", trial, c, g.DataType(), rec.Column(c).DataType())
			}
			if !array.ApproxEqual(g, want, array.WithNaNsEqual(true)) {
				t.Fatalf("trial %d column %d (%s, keep %.3f, run %d):\ngot  %v\nwant %v", trial, c, g.DataType(), keep, run, g, want)
			}
		}
	}
	if s := keptSpans([]bool{true, false, true, false, true, true}, 4); s != nil {
		t.Fatalf("short runs: spans %v, want none (gathered)", s)
	}
}
