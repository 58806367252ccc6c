package parquet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/decimal128"
	"github.com/apache/arrow/go/v15/arrow/memory"
	pq "github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/file"
)

// writeTwoCols writes a file of columns "a" (compressible int64s) and "b"
// (float64s) in row groups of rg rows, and returns its path.
func writeTwoCols(t testing.TB, dir, compression string, n, rg int) string {
	t.Helper()
	ab := array.NewInt64Builder(memory.DefaultAllocator)
	bb := array.NewFloat64Builder(memory.DefaultAllocator)
	for i := 0; i < n; i++ {
		ab.Append(int64(i % 7))
		bb.Append(float64(i) / 3)
	}
	s := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "b", Type: arrow.PrimitiveTypes.Float64}}, nil)
	rec := array.NewRecord(s, []arrow.Array{ab.NewArray(), bb.NewArray()}, int64(n))
	p := filepath.Join(dir, "t-"+compression+".parquet")
	if err := Write(p, []arrow.Record{rec}, WriteOptions{Compression: compression, RowGroupRows: int64(rg)}); err != nil {
		t.Fatal(err)
	}
	return p
}

// chunkRange returns the byte range of the column chunk (rowGroup, col).
func chunkRange(t testing.TB, path string, rowGroup, col int) (int64, int64) {
	t.Helper()
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cc, err := r.MetaData().RowGroup(rowGroup).ColumnChunk(col)
	if err != nil {
		t.Fatal(err)
	}
	start := cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < start {
		start = cc.DictionaryPageOffset()
	}
	return start, start + cc.TotalCompressedSize()
}

// TestCorruptSnappyPage: a snappy page overwritten in its middle used to
// kill the process (a panic on one of pqarrow's goroutines); it is an error
// naming the file, the row group and the column.
func TestCorruptSnappyPage(t *testing.T) {
	dir := t.TempDir()
	p := writeTwoCols(t, dir, "snappy", 20000, 10000)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := chunkRange(t, p, 1, 1)
	for i := lo + (hi-lo)/3; i < lo+(hi-lo)*2/3; i++ {
		b[i] = 0xff
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	// The untouched chunks still read.
	rec, err := ReadColumns(context.Background(), p, 0, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	rec, err = ReadColumns(context.Background(), p, 1, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	rec.Release()
	_, err = ReadColumns(context.Background(), p, 1, []string{"a", "b"})
	if err == nil {
		t.Fatal("corrupt page read without error")
	}
	for _, w := range []string{p, "row group 1", `column "b"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %s", err, w)
		}
	}
	if !errors.Is(err, ErrCorrupt) && !strings.Contains(err.Error(), "snappy") {
		t.Errorf("error %q is neither ErrCorrupt nor a snappy error", err)
	}
}

// TestBadRowGroup: a row group past the end is an error, not a panic.
func TestBadRowGroup(t *testing.T) {
	p := writeTwoCols(t, t.TempDir(), "none", 10, 10)
	for _, rg := range []int{-1, 1, 5} {
		if _, err := ReadColumns(context.Background(), p, rg, []string{"a"}); err == nil || !strings.Contains(err.Error(), "row groups, not") {
			t.Errorf("row group %d: %v", rg, err)
		}
	}
}

// FuzzReadCorrupted: a valid file (of each codec) with bytes overwritten at
// a fuzzed offset either reads or errors; never a panic or a hang.
func FuzzReadCorrupted(f *testing.F) {
	dir := f.TempDir()
	var files [][]byte
	for _, c := range []string{"snappy", "none", "gzip", "zstd"} {
		b, err := os.ReadFile(writeTwoCols(f, dir, c, 300, 100))
		if err != nil {
			f.Fatal(err)
		}
		files = append(files, b)
	}
	// Files of every type the own decoder reads (decode.go): nulls,
	// strings, v2 pages, PLAIN and dictionary.
	rng := rand.New(rand.NewSource(1))
	for i, props := range [][]pq.WriterProperty{
		{pq.WithCompression(compress.Codecs.Snappy), pq.WithDataPageSize(512)},
		{pq.WithCompression(compress.Codecs.Uncompressed), pq.WithDataPageVersion(pq.DataPageV2), pq.WithDictionaryDefault(false)},
	} {
		p := filepath.Join(dir, fmt.Sprintf("rich%d.parquet", i))
		writeWith(f, p, []arrow.Record{randomRecord(rng, 150, 0.2, false), randomRecord(rng, 100, 0, true)}, pq.NewWriterProperties(props...))
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		files = append(files, b)
	}
	f.Add(uint8(0), uint32(200), []byte{0xff, 0xff, 0xff, 0xff})
	f.Add(uint8(4), uint32(900), []byte{0xff, 0xff})
	f.Add(uint8(5), uint32(2000), []byte{0})
	f.Add(uint8(1), uint32(300), make([]byte, 64))
	f.Add(uint8(2), uint32(100), []byte{0})
	f.Add(uint8(3), uint32(1<<31), []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, which uint8, off uint32, patch []byte) {
		readPatched(t, files[int(which)%len(files)], off, patch)
	})
}

// TestCorruptDictIndexPqarrow: a dictionary index near 2^31 in a column the
// own decoder leaves to pqarrow (int16: INT32 with a logical width) used to
// make pqarrow's dictionary decoder allocate and zero gigabytes before it
// checked the index; it is an error naming the index, at once, for data
// pages v1 and v2, required and nullable. The uncorrupted files read back.
func TestCorruptDictIndexPqarrow(t *testing.T) {
	dir := t.TempDir()
	for _, v2 := range []bool{false, true} {
		for _, nullable := range []bool{false, true} {
			name := fmt.Sprintf("v2=%v,nullable=%v", v2, nullable)
			b := array.NewInt16Builder(memory.DefaultAllocator)
			for i := 0; i < 500; i++ {
				if nullable && i%9 == 0 {
					b.AppendNull()
				} else {
					b.Append(int16(i%5 - 2))
				}
			}
			col := b.NewArray()
			rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.PrimitiveTypes.Int16, Nullable: nullable}}, nil), []arrow.Array{col}, 500)
			version := pq.DataPageV1
			if v2 {
				version = pq.DataPageV2
			}
			p := filepath.Join(dir, name+".parquet")
			writeWith(t, p, []arrow.Record{rec}, pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Uncompressed), pq.WithDataPageVersion(version)))
			got, err := ReadColumns(context.Background(), p, 0, []string{"s"})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !sameArray(got.Column(0), col) {
				t.Fatalf("%s: read differs from written", name)
			}
			got.Release()
			rec.Release()

			// The first data page's values: bit width 31, then an RLE run
			// of one index 2^31-1.
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			start, end := chunkRange(t, p, 0, 0)
			chunk := raw[start:end]
			at := -1
			err = walkPages(chunk, chunkInfo{size: end - start, uncompressed: 1 << 20, values: 500}, func(page int, h *pageHeader, body []byte) error {
				if h.typ == 2 || at >= 0 {
					return nil
				}
				at = cap(chunk) - cap(body) // body's offset in chunk
				if v2 {
					at += int(h.levels)
				} else if nullable {
					at += 4 + int(binary.LittleEndian.Uint32(body))
				}
				return nil
			})
			if err != nil || at < 0 {
				t.Fatalf("%s: no data page (%v)", name, err)
			}
			if chunk[at] != 3 { // 5 values: 3 bits
				t.Fatalf("%s: bit width %d where 3 was expected: the test misplaces the values", name, chunk[at])
			}
			copy(chunk[at:], []byte{31, 0x02, 0xff, 0xff, 0xff, 0x7f})
			q := filepath.Join(dir, name+"-corrupt.parquet")
			if err := os.WriteFile(q, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = ReadColumns(context.Background(), q, 0, []string{"s"})
			// (Past the run, the page's other bytes read as 31-bit indices
			// may name a larger one first.)
			if err == nil || !strings.Contains(err.Error(), "dictionary index ") || !strings.Contains(err.Error(), " of a dictionary of 5 values") {
				t.Fatalf("%s: %v, want the index named", name, err)
			}
		}
	}
}

// fallbackRecord makes n rows of columns the own decoder leaves to pqarrow:
// int16 and decimals (dictionary-encoded, nullable), booleans, lists of
// int64, and an int64 column meant for DELTA_BINARY_PACKED.
func fallbackRecord(rng *rand.Rand, n int) arrow.Record {
	mem := memory.DefaultAllocator
	dec := &arrow.Decimal128Type{Precision: 12, Scale: 2}
	s := arrow.NewSchema([]arrow.Field{
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "dec", Type: dec, Nullable: true},
		{Name: "flag", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "lst", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
		{Name: "dlt", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	b := array.NewRecordBuilder(mem, s)
	defer b.Release()
	i16 := b.Field(0).(*array.Int16Builder)
	db := b.Field(1).(*array.Decimal128Builder)
	fb := b.Field(2).(*array.BooleanBuilder)
	lb := b.Field(3).(*array.ListBuilder)
	lv := lb.ValueBuilder().(*array.Int64Builder)
	dl := b.Field(4).(*array.Int64Builder)
	for i := 0; i < n; i++ {
		if rng.Intn(6) == 0 {
			i16.AppendNull()
			db.AppendNull()
			fb.AppendNull()
			lb.AppendNull()
		} else {
			i16.Append(int16(rng.Intn(9) - 4))
			db.Append(decimal128.FromI64(int64(rng.Intn(20)) * 125))
			fb.Append(rng.Intn(2) == 0)
			lb.Append(true)
			for k := rng.Intn(4); k > 0; k-- {
				lv.Append(int64(rng.Intn(7)))
			}
		}
		dl.Append(int64(i)*3 + int64(rng.Intn(3)))
	}
	return b.NewRecord()
}

// FuzzReadCorruptedFallback is FuzzReadCorrupted for the columns pqarrow
// reads (fallbackRecord): a corrupt byte anywhere either reads, to the
// footer's row count, or errors; never a panic, a hang or gigabytes.
func FuzzReadCorruptedFallback(f *testing.F) {
	dir := f.TempDir()
	rng := rand.New(rand.NewSource(2))
	var files [][]byte
	for i, props := range [][]pq.WriterProperty{
		{pq.WithCompression(compress.Codecs.Snappy), pq.WithDataPageSize(256), pq.WithEncodingFor("dlt", pq.Encodings.DeltaBinaryPacked), pq.WithDictionaryFor("dlt", false)},
		{pq.WithCompression(compress.Codecs.Uncompressed), pq.WithDataPageVersion(pq.DataPageV2)},
		{pq.WithCompression(compress.Codecs.Gzip), pq.WithEncodingFor("dlt", pq.Encodings.DeltaBinaryPacked), pq.WithDictionaryFor("dlt", false)},
	} {
		p := filepath.Join(dir, fmt.Sprintf("fallback%d.parquet", i))
		writeWith(f, p, []arrow.Record{fallbackRecord(rng, 200), fallbackRecord(rng, 150)}, pq.NewWriterProperties(props...))
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		files = append(files, b)
	}
	f.Add(uint8(0), uint32(40), []byte{0xff, 0xff, 0xff, 0xff})
	f.Add(uint8(1), uint32(300), []byte{31, 2, 0xff, 0xff, 0xff, 0x7f})
	f.Add(uint8(2), uint32(900), []byte{0})
	f.Add(uint8(1), uint32(1<<31), []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, which uint8, off uint32, patch []byte) {
		readPatched(t, files[int(which)%len(files)], off, patch)
	})
}

// readPatched writes file with patch copied over it at off (modulo its
// length) and reads every column of every row group: an error is fine, a
// read must have the footer's row count.
func readPatched(t *testing.T, file []byte, off uint32, patch []byte) {
	b := append([]byte{}, file...)
	o := int(off % uint32(len(b)))
	copy(b[o:], patch)
	p := filepath.Join(t.TempDir(), "x.parquet")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Open(p)
	if err != nil {
		return
	}
	var cols []string
	for _, fl := range m.Schema.Fields() {
		cols = append(cols, fl.Name)
	}
	for rg := range m.RowGroups {
		rec, err := ReadColumns(context.Background(), p, rg, cols)
		if err == nil {
			if rec.NumRows() != m.RowGroups[rg].Rows {
				t.Fatalf("row group %d: %d rows, footer says %d", rg, rec.NumRows(), m.RowGroups[rg].Rows)
			}
			rec.Release()
		}
	}
}
