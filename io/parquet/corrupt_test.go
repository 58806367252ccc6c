package parquet

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
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
		b := append([]byte{}, files[int(which)%len(files)]...)
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
	})
}
