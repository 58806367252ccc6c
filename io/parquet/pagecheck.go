package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/bits"
	"os"

	pq "github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/metadata"
)

// Page headers checked before Arrow decodes them.
//
// Arrow Go v15's page reader trusts each page header: it grows a buffer to
// the compressed size the header claims, allocates the uncompressed size,
// and its snappy and zstd codecs allocate whatever length the compressed
// stream's own header gives (up to 4 GiB for snappy, 1 GiB for a zstd
// frame), before any byte is checked. A few corrupt bytes then cost
// gigabytes and minutes (FuzzReadCorrupted: 2.2 GB and 60 s for one
// patched byte). Arrow reads a whole column chunk into memory through the
// file's ReadAt before it parses the first header, so checkedFile checks
// every page header of the chunk in that buffer, at the cost of a walk over
// a few headers: sizes within the chunk and within the row group's
// uncompressed bytes, value counts within the chunk's, the lengths that
// snappy and zstd streams declare within the page's uncompressed size, and,
// where the header carries one (PageHeader field 4), the CRC32 (IEEE) of the
// page's compressed bytes. A chunk that fails is an error naming the page;
// Arrow passes it on.

// chunkInfo is what the footer says about one column chunk.
type chunkInfo struct {
	size         int64 // compressed bytes of the chunk
	uncompressed int64 // uncompressed bytes of its row group (every column)
	values       int64 // values of the chunk
	codec        compress.Compression
	rowGroup     int
	column       int
	// maxRep, maxDef: the column's level bounds (0 for a flat required
	// column), to find a v1 data page's values after its levels.
	maxRep, maxDef int
}

// chunkStart is the first byte of a column chunk: its dictionary page
// when it has one before the data pages (Arrow's reader starts there too).
func chunkStart(cc *metadata.ColumnChunkMetaData) int64 {
	start := cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < start {
		start = cc.DictionaryPageOffset()
	}
	return start
}

// rowGroupBytes returns, per row group, the uncompressed bytes its column
// chunks declare: no page of the row group can be larger.
func rowGroupBytes(md *metadata.FileMetaData) []int64 {
	out := make([]int64, len(md.RowGroups))
	for i := range out {
		rg := md.RowGroup(i)
		for j := 0; j < rg.NumColumns(); j++ {
			if cc, err := rg.ColumnChunk(j); err == nil {
				out[i] += max(cc.TotalUncompressedSize(), 0)
			}
		}
	}
	return out
}

// chunkIndex maps each column chunk's first byte to what the footer says
// of it; total holds each row group's uncompressed bytes (rowGroupBytes).
func chunkIndex(md *metadata.FileMetaData, total []int64) map[int64]chunkInfo {
	idx := map[int64]chunkInfo{}
	ambiguous := map[int64]bool{}
	for i := 0; i < len(md.RowGroups); i++ {
		rg := md.RowGroup(i)
		for j := 0; j < rg.NumColumns(); j++ {
			cc, err := rg.ColumnChunk(j)
			if err != nil || cc.NumValues() == 0 {
				// An empty chunk has no page to decode; Arrow's writer
				// gives it data page offset 0, where the file's magic is.
				continue
			}
			start := chunkStart(cc)
			if _, dup := idx[start]; dup || ambiguous[start] {
				// Chunks starting at one offset (empty ones can): which
				// one a read is for is unknown, so none is checked.
				ambiguous[start] = true
				delete(idx, start)
				continue
			}
			ci := chunkInfo{size: cc.TotalCompressedSize(), uncompressed: total[i], values: cc.NumValues(), codec: cc.Compression(), rowGroup: i, column: j}
			if j < md.Schema.NumColumns() {
				c := md.Schema.Column(j)
				ci.maxRep, ci.maxDef = int(c.MaxRepetitionLevel()), int(c.MaxDefinitionLevel())
			}
			idx[start] = ci
		}
	}
	return idx
}

// checkedFile is the file Arrow reads: a read of a whole column chunk is
// checked page by page before Arrow sees it.
type checkedFile struct {
	*os.File
	chunks map[int64]chunkInfo
}

var _ pq.ReaderAtSeeker = (*checkedFile)(nil)

// ReadAt reads like os.File.ReadAt; a read that starts a column chunk and
// covers it is checked page by page.
func (c *checkedFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.File.ReadAt(p, off)
	if err != nil {
		return n, err
	}
	if ci, ok := c.chunks[off]; ok && int64(len(p)) >= ci.size {
		// checkPageValues walks the pages with checkPages' checks, then
		// looks into them.
		if err := checkPageValues(p[:ci.size], ci); err != nil {
			return 0, fmt.Errorf("row group %d column %d: %w: %w", ci.rowGroup, ci.column, ErrCorrupt, err)
		}
	}
	return n, nil
}

// pageHeader holds the fields of a Thrift PageHeader that the checks need.
type pageHeader struct {
	typ, uncompressed, compressed int64
	values                        int64 // of the data, v2 or dictionary header
	levels                        int64 // v2: level bytes before the (compressed) values
	defLen, repLen                int64 // v2: definition and repetition level bytes
	v2Compressed                  bool
	encoding                      int64 // of the values (data pages) or the dictionary
	defEncoding                   int64 // v1: of the definition levels
	repEncoding                   int64 // v1: of the repetition levels
	// crc is the header's CRC32 (IEEE) of the page's compressed bytes
	// (PageHeader field 4), when hasCRC.
	crc    uint32
	hasCRC bool
}

// checkPages walks the page headers of one column chunk.
func checkPages(b []byte, ci chunkInfo) error { return walkPages(b, ci, nil) }

// walkPages checks the page headers of one column chunk b (and each page's
// CRC where it has one) and calls fn, if not nil, with each page's header
// and bytes after it. fn's error stops the walk.
func walkPages(b []byte, ci chunkInfo, fn func(page int, h *pageHeader, body []byte) error) error {
	for page, pos := 0, 0; pos < len(b); page++ {
		r := thriftReader{b: b, pos: pos}
		h := pageHeader{typ: -1, uncompressed: -1, compressed: -1, encoding: -1, defEncoding: -1, repEncoding: -1, v2Compressed: true}
		r.pageHeader(&h)
		if r.err != nil {
			return fmt.Errorf("page %d: header: %w", page, r.err)
		}
		data := int64(len(b) - r.pos)
		switch {
		case h.typ < 0 || h.typ > 3:
			return fmt.Errorf("page %d: type %d", page, h.typ)
		case h.compressed < 0 || h.compressed > data:
			return fmt.Errorf("page %d: %d compressed bytes, %d left in the chunk", page, h.compressed, data)
		case h.uncompressed < 0 || h.uncompressed > ci.uncompressed:
			return fmt.Errorf("page %d: %d uncompressed bytes, the row group has %d", page, h.uncompressed, ci.uncompressed)
		case h.values < 0 || (h.typ != 2 && h.values > ci.values):
			return fmt.Errorf("page %d: %d values, the chunk has %d", page, h.values, ci.values)
		case h.levels < 0 || h.levels > h.compressed || h.levels > h.uncompressed:
			return fmt.Errorf("page %d: %d level bytes in a page of %d", page, h.levels, h.compressed)
		}
		body := b[r.pos : r.pos+int(h.compressed)]
		if h.hasCRC {
			if got := crc32.ChecksumIEEE(body); got != h.crc {
				return fmt.Errorf("page %d: CRC mismatch: the header says %08x, the page's %d bytes give %08x", page, h.crc, h.compressed, got)
			}
		}
		if h.typ != 1 && h.v2Compressed {
			if err := checkStream(ci.codec, body[h.levels:], h.uncompressed-h.levels); err != nil {
				return fmt.Errorf("page %d: %w", page, err)
			}
		}
		if fn != nil {
			if err := fn(page, &h, body); err != nil {
				return err
			}
		}
		pos = r.pos + int(h.compressed)
	}
	return nil
}

// checkStream checks the decoded length a snappy or zstd stream declares
// against the page's.
func checkStream(codec compress.Compression, s []byte, want int64) error {
	switch codec {
	case compress.Codecs.Snappy:
		n, k := binary.Uvarint(s)
		if k <= 0 || n > uint64(want) {
			return fmt.Errorf("snappy stream of %d bytes in a page of %d", n, want)
		}
	case compress.Codecs.Zstd:
		if n, ok := zstdContentSize(s); ok && n > uint64(want) {
			return fmt.Errorf("zstd frame of %d bytes in a page of %d", n, want)
		}
	}
	return nil
}

// zstdContentSize returns the content size a zstd frame header declares
// (RFC 8878 3.1.1.1), if it declares one.
func zstdContentSize(s []byte) (uint64, bool) {
	if len(s) < 5 || binary.LittleEndian.Uint32(s) != 0xFD2FB528 {
		return 0, false
	}
	fhd := s[4]
	single := fhd&0x20 != 0
	pos := 5
	if !single {
		pos++ // window descriptor
	}
	pos += []int{0, 1, 2, 4}[fhd&3] // dictionary ID
	var size int
	switch fhd >> 6 {
	case 0:
		if single {
			size = 1
		}
	case 1:
		size = 2
	case 2:
		size = 4
	case 3:
		size = 8
	}
	if size == 0 || pos+size > len(s) {
		return 0, false
	}
	f := s[pos : pos+size]
	switch size {
	case 1:
		return uint64(f[0]), true
	case 2:
		return uint64(binary.LittleEndian.Uint16(f)) + 256, true
	case 4:
		return uint64(binary.LittleEndian.Uint32(f)), true
	}
	return binary.LittleEndian.Uint64(f), true
}

// thriftReader reads Thrift's compact protocol, the encoding of Parquet's
// page headers, as far as the checks need: the PageHeader fields, every
// other field skipped.
type thriftReader struct {
	b   []byte
	pos int
	err error
}

var errThrift = errors.New("malformed")

func (r *thriftReader) byte() byte {
	if r.err != nil || r.pos >= len(r.b) {
		r.err = errThrift
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

func (r *thriftReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.pos:])
	if n <= 0 {
		r.err = errThrift
		return 0
	}
	r.pos += n
	return v
}

func (r *thriftReader) int() int64 {
	v := r.uvarint()
	return int64(v>>1) ^ -int64(v&1)
}

// fields reads a struct's fields, calling f with each id and type; f
// returns false for a field it does not read, which is then skipped.
func (r *thriftReader) fields(depth int, f func(id int, typ byte) bool) {
	if depth > 16 {
		r.err = errThrift
		return
	}
	id := 0
	for r.err == nil {
		c := r.byte()
		if c == 0 {
			return
		}
		typ := c & 0x0f
		if d := int(c >> 4); d != 0 {
			id += d
		} else {
			id = int(r.int())
		}
		if f == nil || !f(id, typ) {
			r.skip(typ, depth)
		}
	}
}

// skip skips one value of the compact type typ.
func (r *thriftReader) skip(typ byte, depth int) {
	switch typ {
	case 1, 2: // bool, in the type
	case 3: // i8
		r.byte()
	case 4, 5, 6: // i16, i32, i64
		r.uvarint()
	case 7: // double
		r.bytes(8)
	case 8: // binary
		r.bytes(int(min(r.uvarint(), uint64(len(r.b)+1))))
	case 9, 10: // list, set
		c := r.byte()
		n := uint64(c >> 4)
		if n == 15 {
			n = r.uvarint()
		}
		if n > uint64(len(r.b)) {
			r.err = errThrift
			return
		}
		for i := uint64(0); i < n && r.err == nil; i++ {
			r.skipElem(c&0x0f, depth)
		}
	case 11: // map
		n := r.uvarint()
		if n == 0 {
			return
		}
		if n > uint64(len(r.b)) {
			r.err = errThrift
			return
		}
		kv := r.byte()
		for i := uint64(0); i < n && r.err == nil; i++ {
			r.skipElem(kv>>4, depth)
			r.skipElem(kv&0x0f, depth)
		}
	case 12: // struct
		r.fields(depth+1, nil)
	default:
		r.err = errThrift
	}
}

// skipElem skips a list, set or map element (a bool there is one byte).
func (r *thriftReader) skipElem(typ byte, depth int) {
	if typ == 1 || typ == 2 {
		r.byte()
		return
	}
	r.skip(typ, depth+1)
}

func (r *thriftReader) bytes(n int) {
	if r.err != nil || n < 0 || n > len(r.b)-r.pos {
		r.err = errThrift
		return
	}
	r.pos += n
}

// pageHeader reads a PageHeader (parquet.thrift): 1 type, 2 uncompressed
// size, 3 compressed size, 4 crc, 5 data page header, 7 dictionary page header,
// 8 data page header v2.
func (r *thriftReader) pageHeader(h *pageHeader) {
	i32 := func(typ byte, v *int64) bool {
		if typ != 5 {
			return false
		}
		*v = r.int()
		return true
	}
	r.fields(0, func(id int, typ byte) bool {
		switch id {
		case 1:
			return i32(typ, &h.typ)
		case 2:
			return i32(typ, &h.uncompressed)
		case 3:
			return i32(typ, &h.compressed)
		case 4:
			var c int64
			if !i32(typ, &c) {
				return false
			}
			h.crc, h.hasCRC = uint32(c), true
			return true
		case 5, 7: // DataPageHeader, DictionaryPageHeader: 1 num_values, 2 encoding, 3 (data) level encoding
			if typ != 12 {
				return false
			}
			r.fields(1, func(id int, typ byte) bool {
				switch id {
				case 1:
					return i32(typ, &h.values)
				case 2:
					return i32(typ, &h.encoding)
				case 3:
					return i32(typ, &h.defEncoding)
				case 4:
					return i32(typ, &h.repEncoding)
				}
				return false
			})
			return true
		case 8: // DataPageHeaderV2: 1 num_values, 5 and 6 level bytes, 7 is_compressed
			if typ != 12 {
				return false
			}
			var def, rep int64
			r.fields(1, func(id int, typ byte) bool {
				switch id {
				case 1:
					return i32(typ, &h.values)
				case 4:
					return i32(typ, &h.encoding)
				case 5:
					return i32(typ, &def)
				case 6:
					return i32(typ, &rep)
				case 7:
					if typ == 1 || typ == 2 {
						h.v2Compressed = typ == 1
						return true
					}
				}
				return false
			})
			if def < 0 || rep < 0 {
				r.err = errThrift
			}
			h.levels, h.defLen, h.repLen = def+rep, def, rep
			return true
		}
		return false
	})
}

// checkPageValues checks what Arrow's decoders would allocate from before
// they check it, for the chunks left to pqarrow (the own decoder checks its
// pages itself):
//
//   - Dictionary indices. Arrow's dictionary decoder grows its decoded
//     dictionary up to the largest index of a page before it checks it
//     against the dictionary's size: one corrupt index near 2^31 is a make
//     of 16 GB, zeroed (a fuzzed file: a minute, or a makeslice panic). A
//     page whose bit width cannot name an index past twice the
//     dictionary's size is not read further (Arrow's and parquet-mr's
//     writers use the least width that holds the dictionary's size); a
//     wider one has its indices read, and one past the dictionary is an
//     error naming it.
//   - DELTA_BINARY_PACKED headers (also the lengths of DELTA_LENGTH_BYTE_ARRAY
//     and the prefix and suffix lengths of DELTA_BYTE_ARRAY): Arrow sizes
//     buffers by the block's miniblock count, the values per miniblock and
//     the header's value count (a fuzzed file: 276 GB, out of memory).
//     They must be as the format has them (a block of a positive multiple
//     of 128 values, at most 1<<20, in miniblocks of a multiple of 32) and
//     count no more values than the page has.
//
// Pages whose values cannot be located here (a codec the own decoder
// lacks, BIT_PACKED levels) are left to Arrow's checks.
func checkPageValues(b []byte, ci chunkInfo) error {
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	d := &colDecoder{s: s, cdc: ci.codec}
	dictN := -1
	return walkPages(b, ci, func(page int, h *pageHeader, body []byte) error {
		if h.typ == 2 {
			dictN = int(h.values)
			return nil
		}
		enc := pq.Encoding(h.encoding)
		switch {
		case h.typ != 0 && h.typ != 3:
			return nil
		case enc == pq.Encodings.PlainDict || enc == pq.Encodings.RLEDict:
			if dictN < 0 {
				return nil
			}
		case enc == pq.Encodings.DeltaBinaryPacked || enc == pq.Encodings.DeltaLengthByteArray || enc == pq.Encodings.DeltaByteArray:
		default:
			return nil
		}
		_, values, err := d.pageSections(h, body, ci.maxRep, ci.maxDef)
		if err != nil || len(values) == 0 {
			return nil // levels it cannot locate, or data Arrow's decoder reports
		}
		switch enc {
		case pq.Encodings.PlainDict, pq.Encodings.RLEDict:
			err = checkIndices(values, dictN, int(h.values))
		case pq.Encodings.DeltaBinaryPacked, pq.Encodings.DeltaLengthByteArray:
			_, _, err = checkDelta(values, int(h.values))
		case pq.Encodings.DeltaByteArray:
			var end int
			var ok bool
			if end, ok, err = checkDelta(values, int(h.values)); err == nil && ok {
				_, _, err = checkDelta(values[end:], int(h.values))
			}
		}
		if err != nil {
			return fmt.Errorf("page %d: %w", page, err)
		}
		return nil
	})
}

// checkIndices checks the dictionary indices of one page (values: its
// bit width, then at most nv indices) against a dictionary of dictN.
func checkIndices(values []byte, dictN, nv int) error {
	bw := int(values[0])
	if bw > 32 {
		return fmt.Errorf("dictionary indices of bit width %d", bw)
	}
	if bw <= bits.Len(uint(dictN)) {
		return nil
	}
	if mx, ok := maxHybrid(values[1:], bw, nv); ok && mx >= uint64(dictN) {
		return fmt.Errorf("dictionary index %d of a dictionary of %d values", mx, dictN)
	}
	return nil
}

// maxDeltaBlock bounds the values of a DELTA_BINARY_PACKED block (writers
// use 128).
const maxDeltaBlock = 1 << 20

// checkDelta checks the DELTA_BINARY_PACKED header at the start of b, for
// a page of at most nv values, and returns where the encoded values end
// (ok false when the blocks run past b: Arrow's decoder reports that).
func checkDelta(b []byte, nv int) (end int, ok bool, err error) {
	pos := 0
	next := func() (uint64, bool) {
		v, n := binary.Uvarint(b[pos:])
		if n <= 0 {
			return 0, false
		}
		pos += n
		return v, true
	}
	block, ok1 := next()
	minis, ok2 := next()
	total, ok3 := next()
	_, ok4 := next() // the first value, zigzag
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return 0, false, nil
	}
	switch {
	case block == 0 || block%128 != 0 || block > maxDeltaBlock:
		return 0, false, fmt.Errorf("DELTA_BINARY_PACKED blocks of %d values (a positive multiple of 128, at most %d)", block, maxDeltaBlock)
	case minis == 0 || block%minis != 0 || (block/minis)%32 != 0:
		return 0, false, fmt.Errorf("DELTA_BINARY_PACKED block of %d values in %d miniblocks (of a multiple of 32 values each)", block, minis)
	case total > uint64(nv):
		return 0, false, fmt.Errorf("DELTA_BINARY_PACKED header counts %d values in a page of %d", total, nv)
	}
	per := block / minis
	for left := int64(total) - 1; left > 0; left -= int64(block) {
		if _, ok := next(); !ok { // the block's minimum delta
			return 0, false, nil
		}
		if pos+int(minis) > len(b) {
			return 0, false, nil
		}
		widths := b[pos : pos+int(minis)]
		pos += int(minis)
		for m := 0; m < int(minis) && int64(m)*int64(per) < left; m++ {
			if widths[m] > 64 {
				return 0, false, fmt.Errorf("DELTA_BINARY_PACKED miniblock of bit width %d", widths[m])
			}
			pos += int(per) * int(widths[m]) / 8
		}
		if pos > len(b) {
			return 0, false, nil
		}
	}
	return pos, true, nil
}

// maxHybrid returns the largest of the first n values (fewer where b ends
// first) of Parquet's RLE/bit-packed hybrid encoding in b, bit width bw
// (1 to 32); ok is false for none.
func maxHybrid(b []byte, bw, n int) (mx uint64, ok bool) {
	vbytes := (bw + 7) / 8
	mask := uint64(1)<<bw - 1
	for pos, k := 0, 0; k < n && pos < len(b); {
		h, l := binary.Uvarint(b[pos:])
		if l <= 0 {
			break
		}
		pos += l
		if h&1 == 0 { // RLE run
			if h>>1 == 0 || pos+vbytes > len(b) {
				break
			}
			var v uint64
			for i := 0; i < vbytes; i++ {
				v |= uint64(b[pos+i]) << (8 * i)
			}
			pos += vbytes
			mx, ok = max(mx, v), true
			k += int(min(h>>1, uint64(n-k)))
			continue
		}
		groups := h >> 1
		m := int(min(groups*8, uint64(n-k), uint64(len(b)-pos)*8/uint64(bw)))
		if m == 0 {
			break
		}
		for i, bit := 0, 0; i < m; i, bit = i+1, bit+bw {
			mx, ok = max(mx, unpack(b[pos:], bit)&mask), true
		}
		k += m
		pos += int(min(groups*uint64(bw), uint64(len(b)-pos)))
	}
	return mx, ok
}
