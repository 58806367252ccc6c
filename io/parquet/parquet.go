// Package parquet reads and writes Parquet files for frame, with Apache
// Arrow's pqarrow (not xitongsys/parquet-go, which boxes every value, cannot
// take Arrow v15 records, and was 5-8x slower in a measurement here). It sits
// under frame in the flow: frame.ReadParquet lists files and row groups with
// Files and Open at plan time, and its tasks call ReadColumn, one column of
// one row group each, so a column that two queries need is read once.
package parquet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	pq "github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/file"
	"github.com/apache/arrow/go/v15/parquet/metadata"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
)

// Files expands a path pattern: a glob, a directory (its *.parquet/*.parq
// files, recursively) or a file. It fails when nothing matches.
func Files(pattern string) ([]string, error) {
	var out []string
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("parquet: bad pattern %q: %w", pattern, err)
	}
	for _, m := range matches {
		st, err := os.Stat(m)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, m)
			continue
		}
		filepath.WalkDir(m, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".parquet") || strings.HasSuffix(p, ".parq") || strings.HasSuffix(p, ".pq")) {
				out = append(out, p)
			}
			return nil
		})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("parquet: no files match %q", pattern)
	}
	sort.Strings(out)
	return out, nil
}

// Stat is the min/max statistics of one column chunk; Has is false when the
// file has none. Min/Max are int64, float64 or string.
type Stat struct {
	Has      bool
	Min, Max any
}

// RowGroup describes one row group of a file.
type RowGroup struct {
	Rows  int64
	Stats map[string]Stat
}

// Meta is what the footer of a file says: its Arrow schema and row groups.
type Meta struct {
	Path      string
	Schema    *arrow.Schema
	RowGroups []RowGroup
	// KeyValue is the file's key-value metadata (frame keeps the
	// categories of categorical columns there).
	KeyValue map[string]string
}

// Open reads the footer of path. A truncated or corrupt file is an error
// naming it.
func Open(path string) (m *Meta, err error) {
	// Arrow's metadata accessors index the footer's Thrift structures
	// without checking them (a corrupt footer can name a column the schema
	// lacks: nil dereference in NewColumnChunkMetaData); that is an error
	// naming the file, never a panic reaching the caller.
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("parquet: %s: corrupt footer: %v", path, p)
		}
	}()
	f, err := footerOf(path)
	if err != nil {
		return nil, err
	}
	s := f.sch
	m = &Meta{Path: path, Schema: s}
	md := f.md
	for _, kv := range md.KeyValueMetadata() {
		if kv.Value != nil {
			if m.KeyValue == nil {
				m.KeyValue = map[string]string{}
			}
			m.KeyValue[kv.Key] = *kv.Value
		}
	}
	for i := 0; i < len(md.RowGroups); i++ {
		rg := md.RowGroup(i)
		g := RowGroup{Rows: rg.NumRows(), Stats: map[string]Stat{}}
		for j := 0; j < rg.NumColumns(); j++ {
			cc, err := rg.ColumnChunk(j)
			if err != nil {
				return nil, fmt.Errorf("parquet: %s row group %d column %d: %w", path, i, j, err)
			}
			if err := readable(cc); err != nil {
				return nil, fmt.Errorf("parquet: %s row group %d column %q: %w", path, i, cc.PathInSchema().String(), err)
			}
			if j >= s.NumFields() {
				continue
			}
			if ok, _ := cc.StatsSet(); !ok {
				continue
			}
			st, err := cc.Statistics()
			if err != nil || st == nil || !st.HasMinMax() {
				continue
			}
			var mn, mx any
			switch x := st.(type) {
			case *metadata.Int64Statistics:
				mn, mx = x.Min(), x.Max()
			case *metadata.Int32Statistics:
				mn, mx = int64(x.Min()), int64(x.Max())
			case *metadata.Float64Statistics:
				mn, mx = x.Min(), x.Max()
			case *metadata.ByteArrayStatistics:
				if s.Field(j).Type.ID() == arrow.STRING {
					mn, mx = string(x.Min()), string(x.Max())
				}
			}
			if mn != nil && st.NullCount() == 0 {
				g.Stats[s.Field(j).Name] = Stat{Has: true, Min: mn, Max: mx}
			}
		}
		m.RowGroups = append(m.RowGroups, g)
	}
	return m, nil
}

// readable reports why Arrow's Parquet reader (v15) cannot decode a column
// chunk: an encoding it has no decoder for (BYTE_STREAM_SPLIT, written by
// DuckDB's PARQUET_VERSION v2 and pyarrow's use_byte_stream_split, would
// otherwise read as zero rows) or a codec it lacks (LZ4_RAW). Plain,
// dictionary (PLAIN_DICTIONARY, RLE_DICTIONARY), RLE, bit-packed levels and
// the DELTA_* encodings are read.
func readable(cc *metadata.ColumnChunkMetaData) error {
	for _, e := range cc.Encodings() {
		switch e {
		case pq.Encodings.Plain, pq.Encodings.PlainDict, pq.Encodings.RLE, pq.Encodings.RLEDict,
			pq.Encodings.BitPacked, pq.Encodings.DeltaBinaryPacked, pq.Encodings.DeltaByteArray,
			pq.Encodings.DeltaLengthByteArray:
		default:
			return fmt.Errorf("encoding %s is not supported by the Parquet reader (rewrite the file with PLAIN, dictionary or DELTA encodings, e.g. DuckDB's PARQUET_VERSION v1)", e)
		}
	}
	if _, err := compress.GetCodec(cc.Compression()); err != nil {
		return fmt.Errorf("compression %s is not supported by the Parquet reader (use snappy, gzip, zstd, brotli, lz4 or none)", cc.Compression())
	}
	return nil
}

// ReadColumns reads the named columns of one row group as a record, with
// the Arrow types of the file's schema.
func ReadColumns(ctx context.Context, path string, rowGroup int, cols []string) (arrow.Record, error) {
	return readColumns(ctx, path, rowGroup, cols, ReadOptions{}, true)
}

// ReadOptions configures ReadColumnsWith.
type ReadOptions struct {
	// Widen reads 32-bit integer columns (Arrow int32) as int64 and float
	// columns as float64, as they are decoded (frame holds no narrower
	// numbers, and widening afterwards is another pass over the column).
	Widen bool
	// Rows, when not nil, is the rows of the row group to read, ascending
	// and without repeats: the record has len(Rows) rows, those (see
	// selective.go for what this saves).
	Rows []int32
}

// ReadColumnsWith reads the named columns of one row group as a record,
// with the options o.
func ReadColumnsWith(ctx context.Context, path string, rowGroup int, cols []string, o ReadOptions) (arrow.Record, error) {
	return readColumns(ctx, path, rowGroup, cols, o, true)
}

// readColumns reads cols of one row group: with our decoder (decode.go)
// where fast is set and it handles the column, else with pqarrow.
func readColumns(ctx context.Context, path string, rowGroup int, cols []string, o ReadOptions, fast bool) (rec arrow.Record, err error) {
	f, err := footerOf(path)
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(cols))
	for i, c := range cols {
		j, ok := f.index[c]
		if !ok {
			return nil, fmt.Errorf("parquet: %s has no column %q", path, c)
		}
		idx[i] = j
	}
	if rowGroup < 0 || rowGroup >= len(f.md.RowGroups) {
		return nil, fmt.Errorf("parquet: %s has %d row groups, not %d", path, len(f.md.RowGroups), rowGroup+1)
	}
	// A decoder that gives up early must not pass for a short row group.
	want := f.md.RowGroup(rowGroup).NumRows()
	sel := o.Rows
	for i, r := range sel {
		if r < 0 || int64(r) >= want || i > 0 && r <= sel[i-1] {
			return nil, fmt.Errorf("parquet: read %s row group %d: rows must ascend within its %d rows (row %d of the selection is %d)", path, rowGroup, want, i, r)
		}
	}
	var (
		fh *os.File            // for our decoder
		fr *pqarrow.FileReader // for pqarrow, opened when first needed
	)
	defer func() {
		if fh != nil {
			fh.Close()
		}
	}()
	arrs := make([]arrow.Array, 0, len(idx))
	fields := make([]arrow.Field, 0, len(idx))
	release := func() {
		for _, a := range arrs {
			a.Release()
		}
	}
	for i, fi := range idx {
		if err := ctx.Err(); err != nil {
			release()
			return nil, err
		}
		var a arrow.Array
		err := errFallback
		if kind, dt := f.fastKindOf(fi, o.Widen); fast && kind != fastNone {
			if fh == nil {
				if fh, err = os.Open(path); err != nil {
					release()
					return nil, fmt.Errorf("parquet: open %s: %w", path, err)
				}
			}
			a, err = f.readFast(fh, rowGroup, fi, kind, dt, want, sel)
		}
		if errors.Is(err, errFallback) {
			if fr == nil {
				var r *file.Reader
				var pa *pageAlloc
				if fr, r, pa, err = f.open(path); err != nil {
					release()
					return nil, err
				}
				defer r.Close()
				pa.limit.Store(f.rgBytes[rowGroup] + 1<<20)
			}
			a, err = readColumnChunk(ctx, fr, rowGroup, fi, f.sch.Field(fi).Type, want)
			if err == nil && o.Widen {
				a = widen(a)
			}
			if err == nil && sel != nil {
				a, err = takeRows(a, sel)
			}
		}
		if err != nil {
			release()
			return nil, fmt.Errorf("parquet: read %s row group %d column %q: %w", path, rowGroup, cols[i], err)
		}
		arrs = append(arrs, a)
		fl := f.sch.Field(fi)
		fl.Type = a.DataType()
		fields = append(fields, fl)
	}
	n := want
	if sel != nil {
		n = int64(len(sel))
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, n), nil
}

// takeRows is the rows (ascending) of a, which it releases: its runs of
// consecutive rows sliced and concatenated (the pqarrow path of a
// selective read, for the column types the own decoder does not take).
func takeRows(a arrow.Array, rows []int32) (arrow.Array, error) {
	defer a.Release()
	var parts []arrow.Array
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j] == rows[j-1]+1 {
			j++
		}
		parts = append(parts, array.NewSlice(a, int64(rows[i]), int64(rows[j-1])+1))
		i = j
	}
	if len(parts) == 0 {
		return array.NewSlice(a, 0, 0), nil
	}
	return array.Concatenate(parts, memory.DefaultAllocator)
}

// readFast reads column chunk (rowGroup, fi) with decodeChunk; errFallback
// when it does not handle the chunk.
func (f *footer) readFast(fh *os.File, rowGroup, fi int, kind fastKind, dt arrow.DataType, want int64, sel []int32) (a arrow.Array, err error) {
	defer func() {
		if p := recover(); p != nil {
			a, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, p)
		}
	}()
	ci, s, err := f.readChunk(fh, rowGroup, fi)
	if err != nil {
		return nil, err
	}
	defer scratchPool.Put(s)
	a, err = decodeChunk(s.chunk, ci, kind, dt, int(f.md.Schema.Column(fi).MaxDefinitionLevel()), want, s, sel)
	if err != nil {
		return nil, err
	}
	fastReads.Add(1)
	return a, nil
}

// readChunk reads the bytes of column chunk (rowGroup, fi) into a scratch
// from the pool, which the caller puts back; errFallback for an empty or
// ambiguous chunk.
func (f *footer) readChunk(fh *os.File, rowGroup, fi int) (chunkInfo, *scratch, error) {
	cc, err := f.md.RowGroup(rowGroup).ColumnChunk(fi)
	if err != nil {
		return chunkInfo{}, nil, err
	}
	start := chunkStart(cc)
	ci, ok := f.chunks[start]
	if !ok || ci.rowGroup != rowGroup || ci.column != fi {
		return chunkInfo{}, nil, errFallback
	}
	s := scratchPool.Get().(*scratch)
	s.chunk = grow(s.chunk, int(ci.size))
	if _, err := fh.ReadAt(s.chunk, start); err != nil {
		scratchPool.Put(s)
		return chunkInfo{}, nil, fmt.Errorf("read %d bytes at %d: %w", ci.size, start, err)
	}
	return ci, s, nil
}

// fastReads counts the chunks decodeChunk read, for tests.
var fastReads atomic.Int64

// widen returns a (released) as int64 if it is int32, as float64 if it is
// float32, else a itself.
func widen(a arrow.Array) arrow.Array {
	var out arrow.Array
	switch x := a.(type) {
	case *array.Int32:
		b := array.NewInt64Builder(memory.DefaultAllocator)
		b.Reserve(x.Len())
		for i := 0; i < x.Len(); i++ {
			if x.IsNull(i) {
				b.AppendNull()
			} else {
				b.UnsafeAppend(int64(x.Value(i)))
			}
		}
		out = b.NewArray()
	case *array.Float32:
		b := array.NewFloat64Builder(memory.DefaultAllocator)
		b.Reserve(x.Len())
		for i := 0; i < x.Len(); i++ {
			if x.IsNull(i) {
				b.AppendNull()
			} else {
				b.UnsafeAppend(float64(x.Value(i)))
			}
		}
		out = b.NewArray()
	default:
		return a
	}
	a.Release()
	return out
}

// ErrCorrupt marks a column chunk whose pages could not be decoded: a
// decompressor or decoder of Arrow's reader failed (some of them panic on
// corrupt input instead of returning an error).
var ErrCorrupt = errors.New("corrupt page data")

// readColumnChunk reads one column chunk on the calling goroutine (not
// through pqarrow's ReadRowGroups, which decodes on goroutines of its own
// where a panic of a decompressor, such as snappy's "corrupt input", would
// kill the process) and turns a panic into an error wrapping ErrCorrupt.
// A decoder that gives up early must not pass for a short row group: the
// array must hold want values.
func readColumnChunk(ctx context.Context, fr *pqarrow.FileReader, rowGroup, field int, dt arrow.DataType, want int64) (a arrow.Array, err error) {
	defer func() {
		if p := recover(); p != nil {
			a, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, p)
		}
	}()
	ch, err := fr.RowGroup(rowGroup).Column(field).Read(ctx)
	if err != nil {
		return nil, err
	}
	defer ch.Release()
	switch c := ch.Chunks(); len(c) {
	case 0:
		a = array.MakeArrayOfNull(memory.DefaultAllocator, dt, 0)
	case 1:
		c[0].Retain()
		a = c[0]
	default:
		if a, err = array.Concatenate(c, memory.DefaultAllocator); err != nil {
			return nil, err
		}
	}
	if n := int64(a.Len()); n != want { // panics (and so errors) on a nil array
		a.Release()
		return nil, fmt.Errorf("%d values for a row group of %d rows", n, want)
	}
	return a, nil
}

// WriteOptions configures Write.
type WriteOptions struct {
	// Compression: "snappy" (default), "zstd", "gzip", "none".
	Compression string
	// RowGroupRows caps the rows per row group (default 1<<20).
	RowGroupRows int64
}

// Write writes records (of one schema) to path as one Parquet file.
func Write(path string, recs []arrow.Record, o WriteOptions) error {
	if len(recs) == 0 {
		return fmt.Errorf("parquet: write %s: no records", path)
	}
	codec := compress.Codecs.Snappy
	switch o.Compression {
	case "", "snappy":
	case "zstd":
		codec = compress.Codecs.Zstd
	case "gzip":
		codec = compress.Codecs.Gzip
	case "none":
		codec = compress.Codecs.Uncompressed
	default:
		return fmt.Errorf("parquet: unknown compression %q (snappy, zstd, gzip, none)", o.Compression)
	}
	rows := o.RowGroupRows
	if rows <= 0 {
		rows = 1 << 20
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	props := pq.NewWriterProperties(pq.WithCompression(codec), pq.WithMaxRowGroupLength(rows), pq.WithStats(true))
	aprops := pqarrow.DefaultWriterProps()
	for _, fl := range recs[0].Schema().Fields() {
		if ts, ok := fl.Type.(*arrow.TimestampType); ok && ts.TimeZone != "" {
			// Parquet keeps only isAdjustedToUTC; the zone goes in the
			// Arrow schema stored in the file's metadata, as pyarrow does.
			aprops = pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())
			break
		}
	}
	w, err := pqarrow.NewFileWriter(recs[0].Schema(), f, props, aprops)
	if err != nil {
		f.Close()
		return fmt.Errorf("parquet: write %s: %w", path, err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			w.Close()
			return fmt.Errorf("parquet: write %s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("parquet: write %s: %w", path, err)
	}
	return nil
}
