package frame

import (
	"context"
	"math"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// chunkedParts makes len(sizes) records of one schema (int64, float64,
// string, bool and timestamp columns with nulls, NaN, int64 extremes and
// unicode) and the same rows joined into one record, the reference.
func chunkedParts(t *testing.T, sizes []int) ([]arrow.Record, arrow.Record) {
	t.Helper()
	rng := rand.New(rand.NewSource(7))
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "t", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	}, nil)
	words := []string{"Zoë", "東京", "", "a", "naïve café"}
	var recs []arrow.Record
	row := 0
	for _, n := range sizes {
		bl := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for k := 0; k < n; k++ {
			row++
			ib := bl.Field(0).(*array.Int64Builder)
			switch {
			case row%97 == 0:
				ib.AppendNull()
			case row%101 == 0:
				ib.Append(math.MinInt64)
			case row%103 == 0:
				ib.Append(math.MaxInt64)
			default:
				ib.Append(rng.Int63n(1000) - 500)
			}
			fb := bl.Field(1).(*array.Float64Builder)
			switch {
			case row%89 == 0:
				fb.AppendNull()
			case row%83 == 0:
				fb.Append(math.NaN())
			default:
				fb.Append(rng.NormFloat64())
			}
			sb := bl.Field(2).(*array.StringBuilder)
			if row%79 == 0 {
				sb.AppendNull()
			} else {
				sb.Append(words[rng.Intn(len(words))])
			}
			bb := bl.Field(3).(*array.BooleanBuilder)
			if row%73 == 0 {
				bb.AppendNull()
			} else {
				bb.Append(rng.Intn(2) == 1)
			}
			tb := bl.Field(4).(*array.TimestampBuilder)
			if row%71 == 0 {
				tb.AppendNull()
			} else {
				tb.Append(arrow.Timestamp(1_700_000_000_000_000 + int64(row)*1_000_000))
			}
		}
		recs = append(recs, bl.NewRecord())
		bl.Release()
	}
	cols := make([]arrow.Array, schema.NumFields())
	total := int64(0)
	for _, r := range recs {
		total += r.NumRows()
	}
	for j := range cols {
		var parts []arrow.Array
		for _, r := range recs {
			parts = append(parts, r.Column(j))
		}
		a, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		cols[j] = a
	}
	return recs, array.NewRecord(schema, cols, total)
}

// sameTable checks every accessor of got against want, a table of one
// record holding the same rows.
func sameTable(t *testing.T, got, want *Table) {
	t.Helper()
	if got.NumRows() != want.NumRows() {
		t.Fatalf("NumRows: %d, want %d", got.NumRows(), want.NumRows())
	}
	if !reflect.DeepEqual(got.Columns(), want.Columns()) || !got.Schema().Equal(want.Schema()) {
		t.Fatalf("schema %s, want %s", got.Schema(), want.Schema())
	}
	f1, err1 := got.Float64s("f")
	f2, err2 := want.Float64s("f")
	if err1 != nil || err2 != nil || len(f1) != len(f2) {
		t.Fatalf("Float64s: %v %v, %d vs %d values", err1, err2, len(f1), len(f2))
	}
	for i := range f1 {
		if f1[i] != f2[i] && !(math.IsNaN(f1[i]) && math.IsNaN(f2[i])) {
			t.Fatalf("Float64s[%d] = %v, want %v", i, f1[i], f2[i])
		}
	}
	fi1, _ := got.Float64s("i")
	fi2, _ := want.Float64s("i")
	if len(fi1) != len(fi2) {
		t.Fatalf("Float64s(i): %d values, want %d", len(fi1), len(fi2))
	}
	for i := range fi1 {
		if fi1[i] != fi2[i] && !(math.IsNaN(fi1[i]) && math.IsNaN(fi2[i])) {
			t.Fatalf("Float64s(i)[%d] = %v, want %v", i, fi1[i], fi2[i])
		}
	}
	check := func(what string, a, b any, ea, eb error) {
		t.Helper()
		if ea != nil || eb != nil {
			t.Fatalf("%s: %v / %v", what, ea, eb)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s differs from the one-record table's", what)
		}
	}
	i1, e1 := got.Int64s("i")
	i2, e2 := want.Int64s("i")
	check("Int64s", i1, i2, e1, e2)
	s1, e1 := got.Strings("s")
	s2, e2 := want.Strings("s")
	check("Strings", s1, s2, e1, e2)
	b1, e1 := got.Bools("b")
	b2, e2 := want.Bools("b")
	check("Bools", b1, b2, e1, e2)
	t1, e1 := got.Times("t")
	t2, e2 := want.Times("t")
	check("Times", t1, t2, e1, e2)
	for _, c := range got.Columns() {
		v1, e1 := got.Valid(c)
		v2, e2 := want.Valid(c)
		check("Valid("+c+")", v1, v2, e1, e2)
	}
	fs1, e1 := got.Format("s")
	fs2, e2 := want.Format("s")
	check("Format", fs1, fs2, e1, e2)
	if g, w := got.String(), want.String(); g != w {
		t.Fatalf("String:\n%s\nwant\n%s", g, w)
	}
	for j, c := range got.Record().Columns() {
		if !array.ApproxEqual(c, want.Record().Column(j), array.WithNaNsEqual(true), array.WithAbsTolerance(0)) {
			t.Fatalf("Record's column %q differs from the reference", got.Columns()[j])
		}
	}
}

func TestChunkedTable(t *testing.T) {
	sizes := []int{400_000, 0, 1, 350_000, 299_999}
	recs, ref := chunkedParts(t, sizes)
	tab, err := FromRecords(recs...).Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := len(tab.Records()); got != 4 { // the empty partition is dropped
		t.Fatalf("a result of %d rows in %d partitions came back in %d records, want 4 chunks", ref.NumRows(), len(sizes), got)
	}
	want := NewTable(ref)
	n := want.NumRows()
	// Value and Get at and around every chunk boundary, and the ends.
	for _, row := range []int{0, 1, 399_999, 400_000, 400_001, 750_000, 750_001, n - 1} {
		for _, c := range want.Columns() {
			g, err := tab.Get(row, c)
			if err != nil {
				t.Fatal(err)
			}
			w := want.Value(row, c)
			if gf, ok := g.(float64); ok && math.IsNaN(gf) {
				if wf, ok := w.(float64); !ok || !math.IsNaN(wf) {
					t.Fatalf("Value(%d, %q) = NaN, want %v", row, c, w)
				}
				continue
			}
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("Value(%d, %q) = %v, want %v", row, c, g, w)
			}
		}
	}
	if _, err := tab.Get(n, "i"); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("Get past the end: %v", err)
	}
	if _, err := tab.Get(0, "nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("Get of an unknown column: %v", err)
	}
	if tab.Value(n, "i") != nil || tab.Value(-1, "i") != nil {
		t.Fatal("Value out of range is not nil")
	}
	// Slices within one chunk, across two and three, empty, and clamped.
	for _, sl := range [][2]int{{10, 30}, {399_990, 400_010}, {399_000, 760_000}, {5, 5}, {-3, 12}, {n - 7, n + 9}, {0, n}} {
		g, w := tab.Slice(sl[0], sl[1]), want.Slice(sl[0], sl[1])
		sameTable(t, g, w)
		if g.NumRows() > 0 {
			if g.Tail(3).String() != w.Tail(3).String() || g.Head(3).String() != w.Head(3).String() {
				t.Fatalf("Slice%v: Head or Tail prints differently", sl)
			}
		}
	}
	if !strings.Contains(tab.Tail(2).String(), "1049998") {
		t.Fatalf("Tail keeps the rows' positions as the index:\n%s", tab.Tail(2))
	}
	// Typed accessors of the wrong type, over chunks.
	if _, err := tab.Int64s("s"); err == nil || !strings.Contains(err.Error(), `column "s" is utf8`) {
		t.Fatalf("Int64s of a string column: %v", err)
	}
	if _, err := tab.Float64s("s"); err == nil {
		t.Fatal("Float64s of a string column: no error")
	}
	// Back into a frame: one partition per chunk, the same rows.
	back, err := tab.Frame().Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sameTable(t, back, want)
	// Every accessor, then Record, which joins the chunks once.
	sameTable(t, tab, want)
	if tab.Record() != tab.Record() {
		t.Fatal("Record joined the chunks twice")
	}
	// Structs read across chunks.
	type row struct {
		I *int64    `frame:"i"`
		S string    `frame:"s"`
		T time.Time `frame:"t"`
	}
	rs, err := ToStructs[row](tab.Slice(399_998, 400_003))
	if err != nil {
		t.Fatal(err)
	}
	ws, err := ToStructs[row](want.Slice(399_998, 400_003))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rs, ws) {
		t.Fatalf("ToStructs across a chunk boundary: %v, want %v", rs, ws)
	}
}

// A small result, or one of a column type that chunks cannot hold, comes
// back as one record.
func TestChunkedTableJoinsSmallResults(t *testing.T) {
	recs, ref := chunkedParts(t, []int{1000, 2000, 3000})
	tab, err := FromRecords(recs...).Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Records()) != 1 {
		t.Fatalf("6000 rows came back in %d records, want 1", len(tab.Records()))
	}
	sameTable(t, tab, NewTable(ref))
	big, _ := chunkedParts(t, []int{600_000, 600_000})
	if !chunksConcatenate(big) {
		t.Fatal("flat columns do not chunk")
	}
	lb := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
	lb.Append(true)
	l := lb.NewArray()
	lr := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "l", Type: l.DataType()}}, nil), []arrow.Array{l}, 1)
	if chunksConcatenate([]arrow.Record{lr, lr}) {
		t.Fatal("a list column chunks")
	}
	if chunksConcatenate([]arrow.Record{big[0], lr}) {
		t.Fatal("records of two schemas chunk")
	}
}
