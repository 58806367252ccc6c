package parquet

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	pq "github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
)

// randomRecord makes n rows of every type the fast decoder handles:
// nullable columns with about nullFrac nulls, one required column, values
// from a small set (dictionary-friendly) or all distinct (dictionary
// overflow), with int extremes, NaN and unicode.
func randomRecord(rng *rand.Rand, n int, nullFrac float64, distinct bool) arrow.Record {
	mem := memory.DefaultAllocator
	card := 7
	if distinct {
		card = 1 << 30
	}
	pick := func() int { return rng.Intn(card) }
	null := func() bool { return rng.Float64() < nullFrac }
	i32 := array.NewInt32Builder(mem)
	d32 := array.NewDate32Builder(mem)
	i64 := array.NewInt64Builder(mem)
	f32 := array.NewFloat32Builder(mem)
	f64 := array.NewFloat64Builder(mem)
	str := array.NewStringBuilder(mem)
	bin := array.NewBinaryBuilder(mem, arrow.BinaryTypes.Binary)
	req := array.NewInt64Builder(mem)
	words := []string{"", "a", "ünïcødé", "日本語", "x\x00y", strings.Repeat("long", 40)}
	for i := 0; i < n; i++ {
		if null() {
			i32.AppendNull()
		} else {
			i32.Append([]int32{math.MinInt32, math.MaxInt32, 0, -1}[pick()%4] + int32(pick()%3))
		}
		if null() {
			d32.AppendNull()
		} else {
			d32.Append(arrow.Date32(8000 + pick()%3000))
		}
		if null() {
			i64.AppendNull()
		} else {
			i64.Append([]int64{math.MinInt64, math.MaxInt64, 0, 1 << 40}[pick()%4] ^ int64(pick()%5))
		}
		if null() {
			f32.AppendNull()
		} else {
			f32.Append(float32(pick()) / 3)
		}
		if null() {
			f64.AppendNull()
		} else if pick()%11 == 0 {
			f64.Append(math.NaN())
		} else {
			f64.Append(float64(pick()) * 1.5)
		}
		if null() {
			str.AppendNull()
		} else {
			str.Append(words[pick()%len(words)] + fmt.Sprint(pick()%50))
		}
		if null() {
			bin.AppendNull()
		} else {
			bin.Append([]byte{byte(pick()), byte(pick() >> 8)})
		}
		req.Append(int64(pick()))
	}
	s := arrow.NewSchema([]arrow.Field{
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "d32", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "str", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "req", Type: arrow.PrimitiveTypes.Int64, Nullable: false},
	}, nil)
	cols := []arrow.Array{i32.NewArray(), d32.NewArray(), i64.NewArray(), f32.NewArray(), f64.NewArray(), str.NewArray(), bin.NewArray(), req.NewArray()}
	return array.NewRecord(s, cols, int64(n))
}

// writeWith writes recs with props, each record its own row group (an
// empty record an empty row group).
func writeWith(t testing.TB, path string, recs []arrow.Record, props *pq.WriterProperties) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(recs[0].Schema(), f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		w.NewRowGroup()
		for i, c := range r.Columns() {
			if err := w.WriteColumnData(c); err != nil {
				t.Fatalf("column %d: %v", i, err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestFastDecoderMatchesPqarrow: on random files (nulls, every handled
// type, several pages per chunk, dictionaries that overflow to PLAIN,
// PLAIN only, data pages v1 and v2, empty row groups, each codec) our
// decoder gives exactly pqarrow's arrays, and it is the one that read them.
func TestFastDecoderMatchesPqarrow(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	dir := t.TempDir()
	type variant struct {
		name  string
		props []pq.WriterProperty
	}
	variants := []variant{
		{"snappy-dict", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Snappy)}},
		{"none-small-pages", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Uncompressed), pq.WithDataPageSize(512)}},
		{"zstd-dict-overflow", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Zstd), pq.WithDictionaryPageSizeLimit(256), pq.WithDataPageSize(1024)}},
		{"snappy-plain", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Snappy), pq.WithDictionaryDefault(false), pq.WithDataPageSize(2048)}},
		{"snappy-v2", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Snappy), pq.WithDataPageVersion(pq.DataPageV2), pq.WithDataPageSize(1024)}},
		{"none-v2-plain", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Uncompressed), pq.WithDataPageVersion(pq.DataPageV2), pq.WithDictionaryDefault(false)}},
		{"gzip-dict", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Gzip), pq.WithDataPageSize(1024)}},
		{"gzip-v2-plain", []pq.WriterProperty{pq.WithCompression(compress.Codecs.Gzip), pq.WithDataPageVersion(pq.DataPageV2), pq.WithDictionaryDefault(false)}},
	}
	before := fastReads.Load()
	for vi, v := range variants {
		recs := []arrow.Record{
			randomRecord(rng, 3000, 0.2, vi%2 == 0),
			randomRecord(rng, 0, 0, false),
			randomRecord(rng, 2500, 0, true),
			randomRecord(rng, 1700, 1, false), // all null
			randomRecord(rng, 1, 0.5, false),
		}
		p := filepath.Join(dir, v.name+".parquet")
		writeWith(t, p, recs, pq.NewWriterProperties(v.props...))
		m, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.RowGroups) != len(recs) {
			t.Fatalf("%s: %d row groups, want %d", v.name, len(m.RowGroups), len(recs))
		}
		var cols []string
		for _, f := range m.Schema.Fields() {
			cols = append(cols, f.Name)
		}
		for rg := range recs {
			for _, wide := range []bool{false, true} {
				o := ReadOptions{Widen: wide}
				want, err := readColumns(context.Background(), p, rg, cols, o, false)
				if err != nil {
					t.Fatalf("%s rg %d pqarrow: %v", v.name, rg, err)
				}
				got, err := readColumns(context.Background(), p, rg, cols, o, true)
				if err != nil {
					t.Fatalf("%s rg %d fast: %v", v.name, rg, err)
				}
				if !got.Schema().Equal(want.Schema()) {
					t.Fatalf("%s rg %d: schema\n%s\nwant\n%s", v.name, rg, got.Schema(), want.Schema())
				}
				for c := range cols {
					if !sameArray(got.Column(c), want.Column(c)) {
						t.Fatalf("%s rg %d widen=%v column %s differs: %s", v.name, rg, wide, cols[c], firstDiff(got.Column(c), want.Column(c)))
					}
					if got.Column(c).NullN() != want.Column(c).NullN() {
						t.Fatalf("%s rg %d column %s: %d nulls, want %d", v.name, rg, cols[c], got.Column(c).NullN(), want.Column(c).NullN())
					}
				}
				if wide && got.Schema().Field(0).Type.ID() != arrow.INT64 {
					t.Fatalf("widened int32 is %s", got.Schema().Field(0).Type)
				}
				// Against the written values too (pqarrow could share a bug).
				if !wide && rg != 1 && !array.RecordApproxEqual(got, recs[rg], array.WithNaNsEqual(true)) {
					t.Fatalf("%s rg %d: read differs from written", v.name, rg)
				}
				want.Release()
				got.Release()
			}
		}
	}
	// 8 variants x 4 non-empty row groups x 8 columns x 2
	if n := fastReads.Load() - before; n < 8*4*8*2 {
		t.Fatalf("fast decoder read %d chunks, want at least %d", n, 8*4*8*2)
	}
}

// TestFastDecoderFallsBack: encodings it does not handle are read by
// pqarrow, to the same values (here the DELTA columns of a gzip file; its
// PLAIN columns are the fast decoder's).
func TestFastDecoderFallsBack(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	dir := t.TempDir()
	recs := []arrow.Record{randomRecord(rng, 2000, 0.1, true)}
	p := filepath.Join(dir, "gzip-delta.parquet")
	writeWith(t, p, recs, pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Gzip), pq.WithDictionaryDefault(false),
		pq.WithEncodingFor("i64", pq.Encodings.DeltaBinaryPacked), pq.WithEncodingFor("str", pq.Encodings.DeltaByteArray)))
	before := fastReads.Load()
	got, err := ReadColumns(context.Background(), p, 0, []string{"i32", "i64", "str", "req"})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	if n := fastReads.Load() - before; n != 2 {
		t.Errorf("fast decoder read %d chunks, want 2 (i32 and req; not the DELTA ones)", n)
	}
	for i, c := range []int{0, 2, 5, 7} {
		if !sameArray(got.Column(i), recs[0].Column(c)) {
			t.Errorf("column %s differs", recs[0].ColumnName(c))
		}
	}
}

// BenchmarkReadLineitem compares the decoders on the TPC-H lineitem file
// (GODASK_TPCH=dir of tpch-sf1; skipped without it): every column of the
// first 8 row groups.
func BenchmarkReadLineitem(b *testing.B) {
	dir := os.Getenv("GODASK_TPCH")
	if dir == "" {
		b.Skip("GODASK_TPCH not set")
	}
	p := filepath.Join(dir, "lineitem.parquet")
	m, err := Open(p)
	if err != nil {
		b.Fatal(err)
	}
	var cols []string
	for _, f := range m.Schema.Fields() {
		if f.Name != "l_comment" || os.Getenv("GODASK_TPCH_COMMENT") != "" {
			cols = append(cols, f.Name)
		}
	}
	for _, fast := range []bool{false, true} {
		b.Run(fmt.Sprintf("fast=%v", fast), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for rg := 0; rg < 8; rg++ {
					r, err := readColumns(context.Background(), p, rg, cols, ReadOptions{Widen: true}, fast)
					if err != nil {
						b.Fatal(err)
					}
					r.Release()
				}
			}
		})
	}
}

// sameArray: equal values and nulls, NaN equal to NaN (bit for bit
// otherwise: no tolerance).
func sameArray(a, b arrow.Array) bool {
	return array.ApproxEqual(a, b, array.WithNaNsEqual(true), array.WithAbsTolerance(0))
}

func firstDiff(a, b arrow.Array) string {
	if a.Len() != b.Len() {
		return fmt.Sprintf("length %d, want %d", a.Len(), b.Len())
	}
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) != b.IsNull(i) || !sameArray(array.NewSlice(a, int64(i), int64(i+1)), array.NewSlice(b, int64(i), int64(i+1))) {
			return fmt.Sprintf("at %d: %s, want %s", i, a.ValueStr(i), b.ValueStr(i))
		}
	}
	return "types or null counts"
}

// TestDecodeChunkCorrupt: decodeChunk (called directly, without the
// recover of readFast) on column chunks with random bytes overwritten,
// truncated or extended either decodes want values or errors; never a
// panic. Every type, v1 and v2 pages, dictionary and PLAIN, each codec.
func TestDecodeChunkCorrupt(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	dir := t.TempDir()
	iters := 3000
	if testing.Short() {
		iters = 500
	}
	for vi, props := range [][]pq.WriterProperty{
		{pq.WithCompression(compress.Codecs.Snappy), pq.WithDataPageSize(256)},
		{pq.WithCompression(compress.Codecs.Uncompressed), pq.WithDataPageVersion(pq.DataPageV2), pq.WithDataPageSize(256)},
		{pq.WithCompression(compress.Codecs.Zstd), pq.WithDictionaryDefault(false), pq.WithDataPageSize(256)},
	} {
		p := filepath.Join(dir, fmt.Sprintf("v%d.parquet", vi))
		writeWith(t, p, []arrow.Record{randomRecord(rng, 200, 0.3, vi == 1)}, pq.NewWriterProperties(props...))
		f, err := footerOf(p)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for fi := 0; fi < f.sch.NumFields(); fi++ {
			kind, dt := f.fastKindOf(fi, fi%2 == 0)
			if kind == fastNone {
				t.Fatalf("column %d not handled", fi)
			}
			cc, _ := f.md.RowGroup(0).ColumnChunk(fi)
			start := chunkStart(cc)
			ci := f.chunks[start]
			chunk := raw[start : start+ci.size]
			maxDef := int(f.md.Schema.Column(fi).MaxDefinitionLevel())
			s := &scratch{}
			a, err := decodeChunk(chunk, ci, kind, dt, maxDef, 200, s, nil)
			if err != nil {
				t.Fatalf("v%d column %d intact: %v", vi, fi, err)
			}
			a.Release()
			for it := 0; it < iters/f.sch.NumFields(); it++ {
				b := append([]byte{}, chunk...)
				switch rng.Intn(4) {
				case 0: // a few random bytes
					for k := rng.Intn(4) + 1; k > 0; k-- {
						b[rng.Intn(len(b))] = byte(rng.Intn(256))
					}
				case 1: // a run of 0xff or zeros
					o := rng.Intn(len(b))
					v := byte(0xff * rng.Intn(2))
					for k := o; k < min(len(b), o+rng.Intn(16)+1); k++ {
						b[k] = v
					}
				case 2: // truncated
					b = b[:rng.Intn(len(b))]
				case 3: // one bit
					b[rng.Intn(len(b))] ^= 1 << rng.Intn(8)
				}
				a, err := decodeChunk(b, ci, kind, dt, maxDef, 200, s, nil)
				if err == nil {
					if a.Len() != 200 {
						t.Fatalf("%d values without error", a.Len())
					}
					for i := 0; i < a.Len(); i++ {
						_ = a.ValueStr(i) // every value and offset in its buffers
					}
					a.Release()
				}
			}
		}
	}
}

// TestSelectiveReadMatchesWhole: a read of some rows (ReadOptions.Rows) is
// those rows of the whole read, for the own decoder (pages skipped,
// dictionary indices looked up in place, pages with nulls or PLAIN picked
// from) and for pqarrow's, on the files of TestFastDecoderMatchesPqarrow's
// variants: no rows, all rows, the first and last, sparse, dense and runs.
func TestSelectiveReadMatchesWhole(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	dir := t.TempDir()
	variants := [][]pq.WriterProperty{
		{pq.WithCompression(compress.Codecs.Snappy)},
		{pq.WithCompression(compress.Codecs.Uncompressed), pq.WithDataPageSize(512)},
		{pq.WithCompression(compress.Codecs.Zstd), pq.WithDictionaryPageSizeLimit(256), pq.WithDataPageSize(1024)},
		{pq.WithCompression(compress.Codecs.Snappy), pq.WithDictionaryDefault(false), pq.WithDataPageSize(2048)},
		{pq.WithCompression(compress.Codecs.Snappy), pq.WithDataPageVersion(pq.DataPageV2), pq.WithDataPageSize(1024)},
	}
	before := fastReads.Load()
	for vi, props := range variants {
		recs := []arrow.Record{
			randomRecord(rng, 3000, 0.2, vi%2 == 0),
			randomRecord(rng, 2500, 0, true),
			randomRecord(rng, 900, 1, false),
			randomRecord(rng, 1, 0.5, false),
		}
		p := filepath.Join(dir, fmt.Sprintf("v%d.parquet", vi))
		writeWith(t, p, recs, pq.NewWriterProperties(props...))
		m, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		var cols []string
		for _, f := range m.Schema.Fields() {
			cols = append(cols, f.Name)
		}
		for rg, rec := range recs {
			n := int(rec.NumRows())
			sels := [][]int32{{}, nil, {0}, {int32(n - 1)}}
			all := make([]int32, n)
			for i := range all {
				all[i] = int32(i)
			}
			sels[1] = all
			for _, density := range []float64{0.01, 0.3, 0.9} {
				s := []int32{} // not nil: nil is every row
				for i := 0; i < n; i++ {
					if rng.Float64() < density {
						s = append(s, int32(i))
					}
				}
				sels = append(sels, s)
			}
			if n > 600 {
				sels = append(sels, all[100:600], append(append([]int32{}, all[3:40]...), all[n-30:]...))
			}
			for _, wide := range []bool{false, true} {
				whole, err := readColumns(context.Background(), p, rg, cols, ReadOptions{Widen: wide}, true)
				if err != nil {
					t.Fatal(err)
				}
				for si, sel := range sels {
					for _, fast := range []bool{true, false} {
						got, err := readColumns(context.Background(), p, rg, cols, ReadOptions{Widen: wide, Rows: sel}, fast)
						if err != nil {
							t.Fatalf("v%d rg %d sel %d fast=%v: %v", vi, rg, si, fast, err)
						}
						if got.NumRows() != int64(len(sel)) {
							t.Fatalf("v%d rg %d sel %d: %d rows, want %d", vi, rg, si, got.NumRows(), len(sel))
						}
						if !got.Schema().Equal(whole.Schema()) {
							t.Fatalf("schema %s, want %s", got.Schema(), whole.Schema())
						}
						for c := range cols {
							g, w := got.Column(c), whole.Column(c)
							nulls := 0
							for j, r := range sel {
								if g.ValueStr(j) != w.ValueStr(int(r)) || g.IsNull(j) != w.IsNull(int(r)) {
									t.Fatalf("v%d rg %d sel %d fast=%v column %s row %d (of the group %d): %s, want %s", vi, rg, si, fast, cols[c], j, r, g.ValueStr(j), w.ValueStr(int(r)))
								}
								if w.IsNull(int(r)) {
									nulls++
								}
							}
							if g.NullN() != nulls {
								t.Fatalf("v%d rg %d sel %d column %s: NullN %d, want %d", vi, rg, si, cols[c], g.NullN(), nulls)
							}
						}
						got.Release()
					}
				}
				whole.Release()
			}
		}
	}
	if fastReads.Load() == before {
		t.Fatal("no selective read went through the own decoder")
	}
	if _, err := readColumns(context.Background(), filepath.Join(dir, "v0.parquet"), 0, []string{"i32"}, ReadOptions{Rows: []int32{5, 5}}, true); err == nil {
		t.Fatal("repeated rows: no error")
	}
	if _, err := readColumns(context.Background(), filepath.Join(dir, "v0.parquet"), 0, []string{"i32"}, ReadOptions{Rows: []int32{3000}}, true); err == nil {
		t.Fatal("row past the group: no error")
	}
}

// TestFastDecoderLogicalTypes: timestamps (with and without a time zone,
// each unit Parquet stores), times, and unsigned integers are the fast
// decoder's, to pqarrow's arrays and the written values, with the Arrow
// schema stored in the file or not.
func TestFastDecoderLogicalTypes(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	mem := memory.DefaultAllocator
	types := []arrow.DataType{
		&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "America/New_York"},
		&arrow.TimestampType{Unit: arrow.Millisecond},
		&arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"},
		arrow.FixedWidthTypes.Time64us,
		arrow.FixedWidthTypes.Time32ms,
		arrow.PrimitiveTypes.Uint64,
		arrow.PrimitiveTypes.Uint32,
	}
	const n = 3000
	var fields []arrow.Field
	var cols []arrow.Array
	var names []string
	for i, dt := range types {
		b := array.NewBuilder(mem, dt)
		for r := 0; r < n; r++ {
			if rng.Intn(7) == 0 {
				b.AppendNull()
				continue
			}
			v := int64(rng.Intn(50)) // few values: dictionary pages
			switch x := b.(type) {
			case *array.TimestampBuilder:
				x.Append(arrow.Timestamp(1_600_000_000_000 + v*3_600_000))
			case *array.Time64Builder:
				x.Append(arrow.Time64(v * 1_000_000))
			case *array.Time32Builder:
				x.Append(arrow.Time32(v * 1000))
			case *array.Uint64Builder:
				x.Append(math.MaxUint64 - uint64(v))
			case *array.Uint32Builder:
				x.Append(math.MaxUint32 - uint32(v))
			}
		}
		names = append(names, fmt.Sprintf("c%d", i))
		fields = append(fields, arrow.Field{Name: names[i], Type: dt, Nullable: true})
		cols = append(cols, b.NewArray())
		b.Release()
	}
	rec := array.NewRecord(arrow.NewSchema(fields, nil), cols, n)
	defer rec.Release()
	dir := t.TempDir()
	for _, store := range []bool{true, false} {
		p := filepath.Join(dir, fmt.Sprintf("logical-%v.parquet", store))
		fh, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		ap := pqarrow.NewArrowWriterProperties()
		if store {
			ap = pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())
		}
		w, err := pqarrow.NewFileWriter(rec.Schema(), fh, pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Snappy), pq.WithDataPageSize(2048)), ap)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		before := fastReads.Load()
		got, err := readColumns(context.Background(), p, 0, names, ReadOptions{}, true)
		if err != nil {
			t.Fatal(err)
		}
		if d := fastReads.Load() - before; d != int64(len(types)) {
			t.Errorf("store=%v: fast decoder read %d of %d chunks", store, d, len(types))
		}
		want, err := readColumns(context.Background(), p, 0, names, ReadOptions{}, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := range names {
			if !arrow.TypeEqual(got.Column(i).DataType(), want.Column(i).DataType()) || !sameArray(got.Column(i), want.Column(i)) {
				t.Errorf("store=%v %s: fast %s differs from pqarrow %s", store, types[i], got.Column(i).DataType(), want.Column(i).DataType())
			}
			// pqarrow reads a timestamp written without a zone as UTC: the
			// values, under the written type.
			gd := got.Column(i).Data()
			asWritten := array.MakeFromData(array.NewData(types[i], gd.Len(), gd.Buffers(), nil, gd.NullN(), gd.Offset()))
			same := sameArray(asWritten, rec.Column(i))
			asWritten.Release()
			if !same {
				t.Errorf("store=%v %s: read (%s) differs from written", store, types[i], got.Column(i).DataType())
			}
		}
		got.Release()
		want.Release()
	}
}

// BenchmarkReadDecoders compares the decoders on a generated file (1<<21
// rows in 4 row groups: int64, float64, timestamp[us], a string of 50
// values) per codec: every column of every row group.
func BenchmarkReadDecoders(b *testing.B) {
	rng := rand.New(rand.NewSource(9))
	mem := memory.DefaultAllocator
	const rows, groups = 1 << 21, 4
	ts := &arrow.TimestampType{Unit: arrow.Microsecond}
	sch := arrow.NewSchema([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int64}, {Name: "f", Type: arrow.PrimitiveTypes.Float64}, {Name: "t", Type: ts}, {Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	var recs []arrow.Record
	for g := 0; g < groups; g++ {
		rb := array.NewRecordBuilder(mem, sch)
		for r := 0; r < rows/groups; r++ {
			rb.Field(0).(*array.Int64Builder).Append(int64(rng.Intn(1000)))
			rb.Field(1).(*array.Float64Builder).Append(rng.Float64())
			rb.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(1_450_000_000_000_000 + int64(g*rows/groups+r)*1_000_000))
			rb.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("value-%02d", rng.Intn(50)))
		}
		recs = append(recs, rb.NewRecord())
		rb.Release()
	}
	dir := b.TempDir()
	cols := []string{"i", "f", "t", "s"}
	for _, c := range []compress.Compression{compress.Codecs.Gzip, compress.Codecs.Snappy} {
		p := filepath.Join(dir, c.String()+".parquet")
		writeWith(b, p, recs, pq.NewWriterProperties(pq.WithCompression(c)))
		for _, fast := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/fast=%v", c, fast), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					for rg := 0; rg < groups; rg++ {
						r, err := readColumns(context.Background(), p, rg, cols, ReadOptions{Widen: true}, fast)
						if err != nil {
							b.Fatal(err)
						}
						r.Release()
					}
				}
			})
		}
	}
}

// TestFastDecoderNullsAreZero: the own decoder's value buffers are not
// zeroed when allocated (internal/nozero), so it writes 0 under each null
// itself; after the heap held non-zero garbage, every null of every
// fixed-width column reads as 0, as a zeroed buffer would have it.
func TestFastDecoderNullsAreZero(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	dir := t.TempDir()
	p := filepath.Join(dir, "nulls.parquet")
	rec := randomRecord(rng, 200_000, 0.3, false)
	defer rec.Release()
	writeWith(t, p, []arrow.Record{rec}, pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Snappy), pq.WithDataPageSize(4096)))
	for round := 0; round < 3; round++ {
		for k := 0; k < 16; k++ { // garbage for the allocator to hand out again
			g := make([]uint64, 1<<18)
			for i := range g {
				g[i] = 0xdeadbeefdeadbeef
			}
		}
		runtime.GC()
		before := fastReads.Load()
		got, err := readColumns(context.Background(), p, 0, []string{"i32", "d32", "i64", "f32", "f64"}, ReadOptions{Widen: round%2 == 1}, true)
		if err != nil {
			t.Fatal(err)
		}
		if fastReads.Load()-before != 5 {
			t.Fatal("not read by the fast decoder")
		}
		for c := 0; c < int(got.NumCols()); c++ {
			a := got.Column(c)
			if a.NullN() == 0 {
				t.Fatalf("column %d: no nulls to check", c)
			}
			raw := a.Data().Buffers()[1].Bytes()
			w := len(raw) / a.Len()
			for i := 0; i < a.Len(); i++ {
				if a.IsNull(i) {
					for _, x := range raw[i*w : (i+1)*w] {
						if x != 0 {
							t.Fatalf("round %d column %s: null %d holds %x", round, got.ColumnName(c), i, raw[i*w:(i+1)*w])
						}
					}
				}
			}
		}
		got.Release()
	}
}
