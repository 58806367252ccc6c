package parquet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	pq "github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/godask/godask/internal/nozero"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// Our own decoder for the column chunks TPC-H-like files are made of.
//
// pqarrow decodes a chunk through several layers (a page reader that
// allocates and zeroes a buffer per page, a record reader that decodes
// dictionary indices into a spaced buffer, a builder that copies them again,
// then frame widens int32 to int64 in another pass): ~53% of the CPU of
// TPC-H end to end from Parquet. decodeChunk reads the chunk's bytes once,
// checks its page headers (checkPages, with the CRCs), decompresses each
// page into a reused buffer and decodes the values straight into the
// array's buffers. It covers flat (non-nested) columns of INT32, INT64,
// FLOAT, DOUBLE and BYTE_ARRAY (with the logical types whose Arrow values
// are the physical ones: dates, times, timestamps, unsigned) with PLAIN and dictionary (PLAIN_DICTIONARY,
// RLE_DICTIONARY) data pages, v1 and v2, RLE definition levels, codecs
// UNCOMPRESSED, SNAPPY, ZSTD and GZIP (klauspost/compress). Anything else
// (DELTA_* encodings, nested columns, logical types Arrow maps to
// another type) returns errFallback and pqarrow reads the chunk. A corrupt
// page is an error wrapping ErrCorrupt naming it; no length read from the
// file allocates more than the footer's bounds allow (the chunk's bytes and
// its row group's uncompressed bytes, checked against the file's size).

// errFallback: the chunk uses something decodeChunk does not handle.
var errFallback = errors.New("not handled by the fast decoder")

// fastKind is how decodeChunk builds a column's array.
type fastKind int

const (
	fastNone fastKind = iota
	fastInt32
	fastInt64
	fastFloat32
	fastFloat64
	fastBytes
)

// fastKindOf returns how the leaf column fi of f is decoded, and the Arrow
// type of the result (widen: INT32 as int64, FLOAT as float64), or
// fastNone.
func (f *footer) fastKindOf(fi int, widen bool) (fastKind, arrow.DataType) {
	if f.md.Schema.NumColumns() != f.sch.NumFields() || fi >= f.md.Schema.NumColumns() {
		return fastNone, nil
	}
	c := f.md.Schema.Column(fi)
	if c.MaxRepetitionLevel() != 0 || c.MaxDefinitionLevel() > 1 || c.Path() != f.sch.Field(fi).Name {
		return fastNone, nil
	}
	dt := f.sch.Field(fi).Type
	switch pt := c.PhysicalType(); {
	// The logical types pqarrow reads as the physical values, bit for bit
	// (transferZeroCopy, or transferInt between types of one width):
	// decoded as the physical type, the array takes the Arrow type.
	case pt == pq.Types.Int32 && (dt.ID() == arrow.INT32 || dt.ID() == arrow.DATE32 || dt.ID() == arrow.TIME32 || dt.ID() == arrow.UINT32):
		if widen && dt.ID() == arrow.INT32 {
			return fastInt32, arrow.PrimitiveTypes.Int64
		}
		return fastInt32, dt
	case pt == pq.Types.Int64 && (dt.ID() == arrow.INT64 || dt.ID() == arrow.TIME64 || dt.ID() == arrow.UINT64):
		return fastInt64, dt
	case pt == pq.Types.Int64 && dt.ID() == arrow.TIMESTAMP && dt.(*arrow.TimestampType).Unit != arrow.Second:
		return fastInt64, dt
	case pt == pq.Types.Float && dt.ID() == arrow.FLOAT32:
		if widen {
			return fastFloat32, arrow.PrimitiveTypes.Float64
		}
		return fastFloat32, dt
	case pt == pq.Types.Double && dt.ID() == arrow.FLOAT64:
		return fastFloat64, dt
	case pt == pq.Types.ByteArray && (dt.ID() == arrow.STRING || dt.ID() == arrow.BINARY):
		return fastBytes, dt
	}
	return fastNone, nil
}

// scratch holds a decode's reused buffers.
type scratch struct {
	chunk, page []byte
	dict        []byte // a dictionary page, decompressed
	levels      []uint8
	idx         []uint32
	offs        []int32 // match.go: a PLAIN page's value offsets
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

var zstdDec = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(zstdMax))
})

// zstdMax bounds what one zstd page may decode to here (a frame need not
// declare its size, and a few bytes of RLE blocks decode to megabytes).
const zstdMax = 1 << 27

// grow returns b resized to n bytes (contents undefined).
func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// colDecoder decodes the pages of one column chunk into one array.
type colDecoder struct {
	kind   fastKind
	dt     arrow.DataType
	maxDef int
	rows   int // values wanted
	pos    int // values decoded
	s      *scratch

	// fixed-width output (one of them), and the dictionary
	i32  []int32
	i64  []int64
	f32  []float32
	f64  []float64
	dI32 []int32
	dI64 []int64
	dF32 []float32
	dF64 []float64
	// byte arrays: offsets, data, dictionary as offsets into dData
	offs  []int32
	data  []byte
	dOffs []int32
	dData []byte
	dict  bool // a dictionary page was read
	dictN int

	valid []byte // validity bitmap, nil while every value is set
	nulls int
	cdc   compress.Compression

	// sel, when not nil, is the rows wanted (ascending) and the array has
	// len(sel) values (selective.go); si is the next of them to place.
	sel []int32
	si  int
	n   int // values in the array: rows, or len(sel)

	// match, when set, makes a byte-array chunk decode into mOut, one
	// bool per row, instead of an array (match.go): mDict is match of the
	// dictionary's values, then of a null.
	match    func(values arrow.Array) ([]bool, error)
	mDict    []bool
	mOut     []bool
	mNull    bool // match of a null, once asked (nullAnswer)
	mNullSet bool
}

// decodeChunk decodes the column chunk b (its bytes, from its first page)
// of ci into an array of dt with want values.
func decodeChunk(b []byte, ci chunkInfo, kind fastKind, dt arrow.DataType, maxDef int, want int64, s *scratch, sel []int32) (arrow.Array, error) {
	switch ci.codec {
	case compress.Codecs.Uncompressed, compress.Codecs.Snappy, compress.Codecs.Zstd, compress.Codecs.Gzip:
	default:
		return nil, errFallback
	}
	if want < 0 || want > ci.values || want > math.MaxInt32 {
		return nil, fmt.Errorf("%w: %d rows in a chunk of %d values", ErrCorrupt, want, ci.values)
	}
	d := &colDecoder{kind: kind, dt: dt, maxDef: maxDef, rows: int(want), s: s, cdc: ci.codec, sel: sel, n: int(want)}
	if sel != nil {
		d.n = len(sel)
	}
	d.alloc(ci, len(b))
	if err := d.decode(b, ci); err != nil {
		return nil, err
	}
	return d.array(), nil
}

// decode walks the pages of chunk b into d.
func (d *colDecoder) decode(b []byte, ci chunkInfo) error {
	sel := d.sel
	err := walkPages(b, ci, func(page int, h *pageHeader, body []byte) error {
		var err error
		if sel != nil && h.typ != 2 {
			err = d.selPage(h, body)
		} else {
			err = d.page(h, body)
		}
		if err != nil {
			if errors.Is(err, errFallback) {
				return err
			}
			return fmt.Errorf("page %d: %w", page, err)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, errFallback) {
			return errFallback
		}
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if d.pos != d.rows {
		return fmt.Errorf("%w: %d values for a row group of %d rows", ErrCorrupt, d.pos, d.rows)
	}
	return nil
}

// alloc makes the output buffers for d.n values (chunk: the chunk's info
// and size, to size a byte array's data).
func (d *colDecoder) alloc(ci chunkInfo, chunk int) {
	kind, dt, n := d.kind, d.dt, d.n
	// Every value of a whole-chunk read is written: by the page that
	// holds it, or as 0 where it is null (markNulls). A selective read
	// places only some, so its buffers are zeroed.
	i64, i32, f64, f32 := nozero.Slice[int64], nozero.Slice[int32], nozero.Slice[float64], nozero.Slice[float32]
	if d.sel != nil {
		i64, i32, f64, f32 = zeroed[int64], zeroed[int32], zeroed[float64], zeroed[float32]
	}
	switch {
	case kind == fastInt32 && dt.ID() == arrow.INT64:
		d.i64 = i64(n)
	case kind == fastInt32:
		d.i32 = i32(n)
	case kind == fastInt64:
		d.i64 = i64(n)
	case kind == fastFloat32 && dt.ID() == arrow.FLOAT64:
		d.f64 = f64(n)
	case kind == fastFloat32:
		d.f32 = f32(n)
	case kind == fastFloat64:
		d.f64 = f64(n)
	case kind == fastBytes:
		d.offs = make([]int32, n+1)
		if d.sel == nil {
			d.data = make([]byte, 0, min(ci.uncompressed, int64(chunk)*4, math.MaxInt32))
		}
	}
}

// zeroed is make, as a function of n.
func zeroed[T nozero.Number](n int) []T { return make([]T, n) }

func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(z)))
}

// array wraps the decoded buffers as an Arrow array.
func (d *colDecoder) array() arrow.Array {
	var vb *memory.Buffer
	if d.valid != nil {
		vb = memory.NewBufferBytes(d.valid)
	}
	var bufs []*memory.Buffer
	switch {
	case d.i32 != nil:
		bufs = []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(d.i32))}
	case d.i64 != nil:
		bufs = []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(d.i64))}
	case d.f32 != nil:
		bufs = []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(d.f32))}
	case d.f64 != nil:
		bufs = []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(d.f64))}
	case d.offs != nil:
		bufs = []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(d.offs)), memory.NewBufferBytes(d.data)}
	default: // no rows
		bufs = []*memory.Buffer{nil, nil}
		if d.kind == fastBytes {
			bufs = append(bufs, nil)
		}
	}
	data := array.NewData(d.dt, d.n, bufs, nil, d.nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// page decodes one page (body: its bytes after the header, compressed).
func (d *colDecoder) page(h *pageHeader, body []byte) error {
	switch h.typ {
	case 2: // dictionary
		if d.dict {
			return errors.New("a second dictionary page")
		}
		if h.encoding != int64(pq.Encodings.Plain) && h.encoding != int64(pq.Encodings.PlainDict) {
			return errFallback
		}
		// Its own buffer, which the data pages do not overwrite: a
		// fixed-width dictionary is read in place (dictionary).
		raw, err := d.decompressTo(&d.s.dict, body, h.uncompressed)
		if err != nil {
			return err
		}
		return d.dictionary(raw, int(h.values))
	case 0, 3: // data page v1, v2
	default:
		return nil // index pages: nothing to decode
	}
	nv, values, lv, set, err := d.pageValues(h, body)
	if err != nil {
		return err
	}
	if err := d.values(h, values, set, lv); err != nil {
		return err
	}
	if lv != nil && d.match == nil {
		d.markNulls(lv)
	}
	d.pos += nv
	return nil
}

// pageValues decompresses the data page (v1 or v2) and decodes its
// definition levels: nv values, set of them not null, lv their levels
// (nil: none null), values the encoded values.
func (d *colDecoder) pageValues(h *pageHeader, body []byte) (nv int, values []byte, lv []uint8, set int, err error) {
	nv = int(h.values)
	if nv > d.rows-d.pos {
		return 0, nil, nil, 0, fmt.Errorf("%d values, %d left of the row group's %d", nv, d.rows-d.pos, d.rows)
	}
	if h.typ == 3 && h.repLen != 0 {
		return 0, nil, nil, 0, errFallback
	}
	levels, values, err := d.pageSections(h, body, 0, d.maxDef)
	if err != nil {
		return 0, nil, nil, 0, err
	}
	set = nv
	if d.maxDef > 0 && !allSet(levels, nv) {
		d.s.levels = grow(d.s.levels, nv)
		lv = d.s.levels
		if err := decodeHybrid(levels, 1, lv); err != nil {
			return 0, nil, nil, 0, fmt.Errorf("definition levels: %w", err)
		}
		set = 0
		for _, l := range lv {
			set += int(l)
		}
		if set == nv {
			lv = nil
		}
	}
	return nv, values, lv, set, nil
}

// pageSections returns the definition levels (nil for maxDef 0) and the
// values of data page h (body: its bytes after the header), decompressed;
// maxRep and maxDef are the column's level bounds. errFallback for levels
// not RLE-encoded (BIT_PACKED, deprecated).
func (d *colDecoder) pageSections(h *pageHeader, body []byte, maxRep, maxDef int) (def, values []byte, err error) {
	if h.typ == 3 {
		if maxDef > 0 {
			def = body[h.repLen:h.levels]
		}
		values = body[h.levels:]
		if h.v2Compressed {
			if values, err = d.decompress(values, h.uncompressed-h.levels); err != nil {
				return nil, nil, err
			}
		}
		return def, values, nil
	}
	raw, err := d.decompress(body, h.uncompressed)
	if err != nil {
		return nil, nil, err
	}
	for _, lv := range [2]struct {
		name string
		max  int
		enc  int64
	}{{"repetition", maxRep, h.repEncoding}, {"definition", maxDef, h.defEncoding}} {
		if lv.max == 0 {
			continue
		}
		if lv.enc != int64(pq.Encodings.RLE) {
			return nil, nil, errFallback
		}
		if len(raw) < 4 {
			return nil, nil, fmt.Errorf("%s levels: short page", lv.name)
		}
		n := binary.LittleEndian.Uint32(raw)
		if uint64(n) > uint64(len(raw)-4) {
			return nil, nil, fmt.Errorf("%s levels of %d bytes in a page of %d", lv.name, n, len(raw))
		}
		if lv.name == "definition" {
			def = raw[4 : 4+n]
		}
		raw = raw[4+n:]
	}
	return def, raw, nil
}

// values decodes the set values of a data page into its place.
func (d *colDecoder) values(h *pageHeader, values []byte, set int, lv []uint8) error {
	switch pq.Encoding(h.encoding) {
	case pq.Encodings.Plain:
		if d.match != nil {
			return d.plainMatch(values, set, lv) // match.go
		}
		if err := d.plain(values, set, lv); err != nil {
			return err
		}
	case pq.Encodings.RLEDict, pq.Encodings.PlainDict:
		if !d.dict {
			return errors.New("dictionary-encoded page without a dictionary page")
		}
		if err := d.indexed(values, set, lv); err != nil {
			return err
		}
	default:
		return errFallback
	}
	return nil
}

// markNulls records the unset values of the page starting at d.pos, and
// writes 0 as their values (the buffers are not zeroed, see alloc).
func (d *colDecoder) markNulls(lv []uint8) {
	if d.valid == nil {
		d.valid = make([]byte, (d.rows+7)/8)
		for i := 0; i < d.pos/8; i++ {
			d.valid[i] = 0xff
		}
		for i := d.pos &^ 7; i < d.pos; i++ {
			d.valid[i/8] |= 1 << (i % 8)
		}
	}
	for i, l := range lv {
		if l != 0 {
			j := d.pos + i
			d.valid[j/8] |= 1 << (j % 8)
		} else {
			d.nulls++
			d.zeroAt(d.pos + i)
		}
	}
}

// zeroAt writes 0 as value j of a fixed-width output.
func (d *colDecoder) zeroAt(j int) {
	switch {
	case d.i64 != nil:
		d.i64[j] = 0
	case d.i32 != nil:
		d.i32[j] = 0
	case d.f64 != nil:
		d.f64[j] = 0
	case d.f32 != nil:
		d.f32[j] = 0
	}
}

// setAll marks the nv values of a page without nulls as set (when a bitmap
// exists already).
func (d *colDecoder) setAll(nv int) {
	if d.valid == nil {
		return
	}
	for j := d.pos; j < d.pos+nv; j++ {
		d.valid[j/8] |= 1 << (j % 8)
	}
}

// decompress returns the page's uncompressed bytes (n of them).
func (d *colDecoder) decompress(b []byte, n int64) ([]byte, error) {
	return d.decompressTo(&d.s.page, b, n)
}

// decompressTo is decompress into *buf (grown as needed) instead of the
// page buffer.
func (d *colDecoder) decompressTo(buf *[]byte, b []byte, n int64) ([]byte, error) {
	switch d.codec() {
	case compress.Codecs.Uncompressed:
		if int64(len(b)) != n {
			return nil, fmt.Errorf("uncompressed page of %d bytes, the header says %d", len(b), n)
		}
		return b, nil
	case compress.Codecs.Snappy:
		m, err := s2.DecodedLen(b)
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		if int64(m) != n {
			return nil, fmt.Errorf("snappy stream of %d bytes in a page of %d", m, n)
		}
		if m > 24*len(b)+64 { // snappy expands at most ~21x
			return nil, fmt.Errorf("snappy stream of %d bytes declares %d", len(b), m)
		}
		*buf = grow(*buf, m)
		out, err := s2.Decode(*buf, b)
		if err != nil {
			return nil, fmt.Errorf("snappy: %w", err)
		}
		return out, nil
	case compress.Codecs.Zstd:
		zd, err := zstdDec()
		if err != nil {
			return nil, err
		}
		if n > math.MaxInt32 {
			return nil, fmt.Errorf("zstd page of %d bytes", n)
		}
		*buf = grow(*buf, int(n))[:0]
		out, err := zd.DecodeAll(b, *buf)
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) {
			return nil, errFallback // a page past zstdMax: pqarrow reads it
		}
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		if int64(len(out)) != n {
			return nil, fmt.Errorf("zstd stream of %d bytes in a page of %d", len(out), n)
		}
		if cap(out) > cap(*buf) {
			*buf = out
		}
		return out, nil
	case compress.Codecs.Gzip:
		// As Arrow's codec: the page is the first n bytes the stream
		// decodes to. n was checked against the footer's bounds with the
		// page headers (checkPages).
		if n > math.MaxInt32 {
			return nil, fmt.Errorf("gzip page of %d bytes", n)
		}
		zr, _ := gzipReaders.Get().(*gzip.Reader)
		var err error
		if zr == nil {
			zr, err = gzip.NewReader(bytes.NewReader(b))
		} else {
			err = zr.Reset(bytes.NewReader(b))
		}
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer gzipReaders.Put(zr)
		*buf = grow(*buf, int(n))
		if m, err := io.ReadFull(zr, *buf); err != nil {
			return nil, fmt.Errorf("gzip stream of %d bytes decodes to %d, the page header says %d: %w", len(b), m, n, err)
		}
		return *buf, nil
	}
	return nil, errFallback
}

// gzipReaders holds gzip readers for reuse (Reset), each with its
// decompressor's window and tables.
var gzipReaders sync.Pool

// codec is set by decodeChunk through the page walk's chunkInfo.
func (d *colDecoder) codec() compress.Compression { return d.cdc }

// dictionary reads a PLAIN dictionary page of n values.
func (d *colDecoder) dictionary(b []byte, n int) error {
	var err error
	// The values are viewed where they were decompressed (the scratch's
	// dictionary buffer or the chunk's bytes, both left alone until the
	// chunk is decoded, and every value is copied out of them): TPC-H's
	// l_extendedprice has a dictionary of 114,385 doubles a row group,
	// which a copy cost an allocation, its clearing and a memmove.
	switch d.kind {
	case fastInt32:
		d.dI32, err = viewFixed[int32](b, n, 4)
	case fastInt64:
		d.dI64, err = viewFixed[int64](b, n, 8)
	case fastFloat32:
		d.dF32, err = viewFixed[float32](b, n, 4)
	case fastFloat64:
		d.dF64, err = viewFixed[float64](b, n, 8)
	case fastBytes:
		if n > len(b)/4 {
			return fmt.Errorf("dictionary of %d byte arrays in %d bytes", n, len(b))
		}
		d.dOffs = make([]int32, n+1)
		d.dData = make([]byte, 0, len(b)-4*n)
		pos := 0
		for i := 0; i < n; i++ {
			if pos+4 > len(b) {
				return fmt.Errorf("dictionary value %d: short page", i)
			}
			l := int(binary.LittleEndian.Uint32(b[pos:]))
			pos += 4
			if l < 0 || l > len(b)-pos {
				return fmt.Errorf("dictionary value %d: %d bytes, %d left", i, l, len(b)-pos)
			}
			d.dData = append(d.dData, b[pos:pos+l]...)
			d.dOffs[i+1] = int32(len(d.dData))
			pos += l
		}
		d.dData = append(d.dData, make([]byte, 8)...) // slack for indexed's word copies
		if d.match != nil {
			if d.mDict, err = d.matchDictionary(n); err != nil {
				return err
			}
		}
	}
	if err != nil {
		return fmt.Errorf("dictionary: %w", err)
	}
	d.dict, d.dictN = true, n
	return nil
}

// plainFixed copies n little-endian values of width w out of b.
func plainFixed[T int32 | int64 | float32 | float64](b []byte, n, w int) ([]T, error) {
	if n < 0 || n > len(b)/w {
		return nil, fmt.Errorf("%d values of %d bytes in %d bytes", n, w, len(b))
	}
	out := make([]T, n)
	copy(bytesOf(out), b[:n*w])
	return out, nil
}

// scatter places the set dense values at the positions of lv (nil: all)
// of out, converting them.
func scatter[S, T int32 | int64 | float32 | float64](out []T, dense []S, lv []uint8) {
	if lv == nil {
		for i, v := range dense {
			out[i] = T(v)
		}
		return
	}
	k := 0
	for i, l := range lv {
		if l != 0 {
			out[i] = T(dense[k])
			k++
		}
	}
}

// littleEndianHost: the PLAIN values can be viewed in place.
var littleEndianHost = func() bool { x := uint16(1); return *(*byte)(unsafe.Pointer(&x)) == 1 }()

func viewFixed[T int32 | int64 | float32 | float64](b []byte, n, w int) ([]T, error) {
	if n > len(b)/w {
		return nil, fmt.Errorf("%d values of %d bytes in %d bytes", n, w, len(b))
	}
	if n == 0 {
		return nil, nil
	}
	if !littleEndianHost || uintptr(unsafe.Pointer(&b[0]))%uintptr(w) != 0 {
		return plainFixed[T](b, n, w)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n), nil
}

// plain decodes set PLAIN values into the page's place.
func (d *colDecoder) plain(b []byte, set int, lv []uint8) error {
	nv := set
	if lv != nil {
		nv = len(lv)
	}
	p := d.pos
	var err error
	switch d.kind {
	case fastInt32:
		var v []int32
		if v, err = viewFixed[int32](b, set, 4); err == nil {
			if d.i64 != nil {
				scatter(d.i64[p:p+nv], v, lv)
			} else {
				scatter(d.i32[p:p+nv], v, lv)
			}
		}
	case fastInt64:
		var v []int64
		if v, err = viewFixed[int64](b, set, 8); err == nil {
			scatter(d.i64[p:p+nv], v, lv)
		}
	case fastFloat32:
		var v []float32
		if v, err = viewFixed[float32](b, set, 4); err == nil {
			if d.f64 != nil {
				scatter(d.f64[p:p+nv], v, lv)
			} else {
				scatter(d.f32[p:p+nv], v, lv)
			}
		}
	case fastFloat64:
		var v []float64
		if v, err = viewFixed[float64](b, set, 8); err == nil {
			scatter(d.f64[p:p+nv], v, lv)
		}
	case fastBytes:
		pos := 0
		for i := 0; i < nv; i++ {
			if lv == nil || lv[i] != 0 {
				if pos+4 > len(b) {
					return fmt.Errorf("value %d: short page", i)
				}
				l := int(binary.LittleEndian.Uint32(b[pos:]))
				pos += 4
				if l < 0 || l > len(b)-pos {
					return fmt.Errorf("value %d: %d bytes, %d left", i, l, len(b)-pos)
				}
				if len(d.data)+l > math.MaxInt32 {
					return errFallback
				}
				d.data = append(d.data, b[pos:pos+l]...)
				pos += l
			}
			d.offs[p+i+1] = int32(len(d.data))
		}
	}
	if err != nil {
		return err
	}
	if lv == nil {
		d.setAll(nv)
	}
	return nil
}

// indexed decodes set dictionary indices (a bit width byte, then the
// RLE/bit-packed hybrid) and places their values.
func (d *colDecoder) indexed(b []byte, set int, lv []uint8) error {
	if d.match != nil {
		return d.indexedMatch(b, set, lv)
	}
	nv := set
	if lv != nil {
		nv = len(lv)
	}
	if set > 0 && len(b) == 0 {
		return errors.New("dictionary indices: empty page")
	}
	if lv == nil && d.kind != fastBytes && set > 0 {
		// No nulls: indices decoded and looked up in one pass.
		bw := int(b[0])
		if bw > 32 {
			return fmt.Errorf("dictionary indices of bit width %d", bw)
		}
		p := d.pos
		var err error
		switch d.kind {
		case fastInt32:
			if d.i64 != nil {
				err = gatherHybrid(b[1:], bw, d.dI32, d.i64[p:p+nv])
			} else {
				err = gatherHybrid(b[1:], bw, d.dI32, d.i32[p:p+nv])
			}
		case fastInt64:
			err = gatherHybrid(b[1:], bw, d.dI64, d.i64[p:p+nv])
		case fastFloat32:
			if d.f64 != nil {
				err = gatherHybrid(b[1:], bw, d.dF32, d.f64[p:p+nv])
			} else {
				err = gatherHybrid(b[1:], bw, d.dF32, d.f32[p:p+nv])
			}
		case fastFloat64:
			err = gatherHybrid(b[1:], bw, d.dF64, d.f64[p:p+nv])
		}
		if err != nil {
			return fmt.Errorf("dictionary indices: %w", err)
		}
		d.setAll(nv)
		return nil
	}
	var idx []uint32
	if set > 0 {
		var err error
		if idx, err = d.dictIndices(b, set); err != nil {
			return err
		}
	}
	p := d.pos
	switch d.kind {
	case fastInt32:
		if d.i64 != nil {
			gather(d.i64[p:p+nv], d.dI32, idx, lv)
		} else {
			gather(d.i32[p:p+nv], d.dI32, idx, lv)
		}
	case fastInt64:
		gather(d.i64[p:p+nv], d.dI64, idx, lv)
	case fastFloat32:
		if d.f64 != nil {
			gather(d.f64[p:p+nv], d.dF32, idx, lv)
		} else {
			gather(d.f32[p:p+nv], d.dF32, idx, lv)
		}
	case fastFloat64:
		gather(d.f64[p:p+nv], d.dF64, idx, lv)
	case fastBytes:
		// The page's bytes exactly, then a copy per value: a word for
		// values of up to 8 bytes (dData and the buffer have 8 bytes of
		// slack), memmove for longer ones.
		total := 0
		for _, j := range idx {
			total += int(d.dOffs[j+1] - d.dOffs[j])
		}
		o := len(d.data)
		if o+total > math.MaxInt32 {
			return errFallback
		}
		d.data = slices.Grow(d.data, total+8)
		buf := d.data[:o+total+8]
		k := 0
		for i := 0; i < nv; i++ {
			if lv == nil || lv[i] != 0 {
				j := idx[k]
				k++
				s, e := d.dOffs[j], d.dOffs[j+1]
				if e-s <= 8 {
					binary.LittleEndian.PutUint64(buf[o:], binary.LittleEndian.Uint64(d.dData[s:]))
				} else {
					copy(buf[o:], d.dData[s:e])
				}
				o += int(e - s)
			}
			d.offs[p+i+1] = int32(o)
		}
		d.data = buf[:o]
	}
	if lv == nil {
		d.setAll(nv)
	}
	return nil
}

// dictIndices decodes the set (> 0) dictionary indices of a data page's
// values b (a bit width, then RLE/bit-packed runs) into the scratch, each
// checked against the dictionary's size.
func (d *colDecoder) dictIndices(b []byte, set int) ([]uint32, error) {
	if len(b) == 0 {
		return nil, errors.New("dictionary indices: empty page")
	}
	bw := int(b[0])
	if bw > 32 {
		return nil, fmt.Errorf("dictionary indices of bit width %d", bw)
	}
	d.s.idx = grow(d.s.idx, set)
	idx := d.s.idx
	if err := decodeHybrid(b[1:], bw, idx); err != nil {
		return nil, fmt.Errorf("dictionary indices: %w", err)
	}
	n := uint32(d.dictN)
	for _, i := range idx {
		if i >= n {
			return nil, fmt.Errorf("dictionary index %d of a dictionary of %d", i, n)
		}
	}
	return idx, nil
}

// gather places dict[idx[k]] at the set positions of lv (nil: all) of out.
func gather[S, T int32 | int64 | float32 | float64](out []T, dict []S, idx []uint32, lv []uint8) {
	if lv == nil {
		out = out[:len(idx)]
		for i, j := range idx {
			out[i] = T(dict[j])
		}
		return
	}
	k := 0
	for i, l := range lv {
		if l != 0 {
			out[i] = T(dict[idx[k]])
			k++
		}
	}
}

// decodeHybrid decodes len(out) values of bit width bw from Parquet's
// RLE/bit-packed hybrid encoding in b (see hybridRuns).
func decodeHybrid[T uint8 | uint32](b []byte, bw int, out []T) error {
	if bw == 0 {
		clear(out)
		return nil
	}
	return hybridRuns(b, bw, len(out), func(k, m int, v uint64) error {
		tv := T(v)
		seg := out[k : k+m]
		for i := range seg {
			seg[i] = tv
		}
		return nil
	}, func(k, m int, data []byte) error {
		seg := out[k : k+m]
		mask := uint64(1)<<bw - 1
		bit := 0
		for i := range seg {
			seg[i] = T(unpack(data, bit) & mask)
			bit += bw
		}
		return nil
	})
}

// unpack returns the bits of data from bit on (at least 32 of them where
// data has them): an 8-byte load where 8 bytes are left, else byte by byte.
func unpack(data []byte, bit int) uint64 {
	at := bit >> 3
	if at+8 <= len(data) {
		return binary.LittleEndian.Uint64(data[at:]) >> (bit & 7)
	}
	var w uint64
	for j := 0; at+j < len(data) && j < 8; j++ {
		w |= uint64(data[at+j]) << (8 * j)
	}
	return w >> (bit & 7)
}

// hybridRuns walks the runs of Parquet's RLE/bit-packed hybrid encoding in
// b (bit width bw, 1 to 32) until n values: rle(k, m, v) for m values v
// from value k on, packed(k, m, data) for m values bit-packed in data. Runs
// may claim more values than are wanted (the last bit-packed group is
// padded); data ending before n values is an error, as is an RLE value
// wider than bw.
func hybridRuns(b []byte, bw, n int, rle func(k, m int, v uint64) error, packed func(k, m int, data []byte) error) error {
	vbytes := (bw + 7) / 8
	mask := uint64(1)<<bw - 1
	pos, k := 0, 0
	for k < n {
		h, l := binary.Uvarint(b[pos:])
		if l <= 0 {
			return fmt.Errorf("run header at byte %d: truncated after %d of %d values", pos, k, n)
		}
		pos += l
		if h&1 == 0 { // RLE run
			cnt := h >> 1
			if pos+vbytes > len(b) {
				return fmt.Errorf("run value at byte %d: truncated", pos)
			}
			var v uint64
			for i := 0; i < vbytes; i++ {
				v |= uint64(b[pos+i]) << (8 * i)
			}
			pos += vbytes
			if v > mask {
				return fmt.Errorf("run value %d wider than %d bits", v, bw)
			}
			if cnt == 0 {
				return fmt.Errorf("empty run at byte %d", pos)
			}
			m := int(min(cnt, uint64(n-k)))
			if err := rle(k, m, v); err != nil {
				return err
			}
			k += m
			continue
		}
		groups := h >> 1
		if groups == 0 {
			return fmt.Errorf("empty bit-packed run at byte %d", pos)
		}
		// The values of this run that are wanted must be in b.
		avail := uint64(len(b)-pos) * 8 / uint64(bw)
		m := min(groups*8, uint64(n-k))
		if m > avail {
			return fmt.Errorf("bit-packed run of %d values at byte %d: truncated", groups*8, pos)
		}
		if err := packed(k, int(m), b[pos:]); err != nil {
			return err
		}
		k += int(m)
		// Skip the whole run (padding included), as far as the data goes.
		pos += int(min(groups*uint64(bw), uint64(len(b)-pos)))
	}
	return nil
}

// allSet reports whether the definition levels b (bit width 1) start with
// an RLE run of at least nv ones: a page without nulls.
func allSet(b []byte, nv int) bool {
	h, n := binary.Uvarint(b)
	return n > 0 && h&1 == 0 && h>>1 >= uint64(nv) && n < len(b) && b[n] == 1
}

// gatherHybrid decodes len(out) dictionary indices of bit width bw (the
// RLE/bit-packed hybrid, see hybridRuns) and stores dict[index] in out, in
// one pass; an index past the dictionary is an error.
func gatherHybrid[S, T int32 | int64 | float32 | float64](b []byte, bw int, dict []S, out []T) error {
	nd := uint64(len(dict))
	if bw == 0 {
		if nd == 0 {
			return errors.New("dictionary index 0 of an empty dictionary")
		}
		v := T(dict[0])
		for i := range out {
			out[i] = v
		}
		return nil
	}
	return hybridRuns(b, bw, len(out), func(k, m int, v uint64) error {
		if v >= nd {
			return fmt.Errorf("dictionary index %d of a dictionary of %d", v, nd)
		}
		tv := T(dict[v])
		seg := out[k : k+m]
		for i := range seg {
			seg[i] = tv
		}
		return nil
	}, func(k, m int, data []byte) error {
		seg := out[k : k+m]
		mask := uint64(1)<<bw - 1
		bit, i := 0, 0
		// The 8-byte loads inline while 8 bytes are left; unpack after.
		for ; i < m && (bit>>3)+8 <= len(data); i++ {
			v := (binary.LittleEndian.Uint64(data[bit>>3:]) >> (bit & 7)) & mask
			if v >= nd {
				return fmt.Errorf("dictionary index %d of a dictionary of %d", v, nd)
			}
			seg[i] = T(dict[v])
			bit += bw
		}
		for ; i < m; i++ {
			v := unpack(data, bit) & mask
			if v >= nd {
				return fmt.Errorf("dictionary index %d of a dictionary of %d", v, nd)
			}
			seg[i] = T(dict[v])
			bit += bw
		}
		return nil
	})
}
