package parquet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/apache/arrow/go/v15/parquet/compress"
)

// Predicates on dictionary-encoded strings.
//
// A string column is nearly always written dictionary-encoded: TPC-H's
// l_shipmode has 7 distinct values in 6 million rows, l_shipinstruct 4. A
// filter on such a column (l_shipmode IN ('AIR', 'AIR REG')) read as
// strings builds every row's string and compares each; ReadMatches instead
// runs the predicate once per dictionary value and looks each row's answer
// up by its index, so no row's string is built or compared.

// ReadMatches returns, for each row of row group rowGroup, whether the
// string column col satisfies a predicate. match is given values (an Arrow
// array of the column's type, nulls included) and returns one bool per
// value. A dictionary page's values are given once, followed by one null
// (a null row's answer), so match runs once per distinct value; a PLAIN
// page's values (a column of free text, or a dictionary that overflowed)
// are given as they stand in the page, moved together in place, so no
// column of strings is built for them either. A chunk our decoder does not
// read gives the column's rows, read as ReadColumnsWith would (with Widen).
func ReadMatches(ctx context.Context, path string, rowGroup int, col string, match func(values arrow.Array) ([]bool, error)) ([]bool, error) {
	f, err := footerOf(path)
	if err != nil {
		return nil, err
	}
	fi, ok := f.index[col]
	if !ok {
		return nil, fmt.Errorf("parquet: %s has no column %q", path, col)
	}
	if rowGroup < 0 || rowGroup >= len(f.md.RowGroups) {
		return nil, fmt.Errorf("parquet: %s has %d row groups, not %d", path, len(f.md.RowGroups), rowGroup+1)
	}
	want := f.md.RowGroup(rowGroup).NumRows()
	if kind, dt := f.fastKindOf(fi, true); kind == fastBytes {
		fh, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("parquet: open %s: %w", path, err)
		}
		m, err := f.readMatches(fh, rowGroup, fi, dt, want, match)
		fh.Close()
		if err == nil {
			return m, nil
		}
		if !errors.Is(err, errFallback) {
			return nil, fmt.Errorf("parquet: read %s row group %d column %q: %w", path, rowGroup, col, err)
		}
	}
	r, err := readColumns(ctx, path, rowGroup, []string{col}, ReadOptions{Widen: true}, true)
	if err != nil {
		return nil, err
	}
	defer r.Release()
	m, err := match(r.Column(0))
	if err != nil {
		return nil, err
	}
	if len(m) != int(r.NumRows()) {
		return nil, fmt.Errorf("parquet: match of %s column %q gave %d answers for %d rows", path, col, len(m), r.NumRows())
	}
	return m, nil
}

// readMatches is readFast for ReadMatches: errFallback when the chunk is
// not one our decoder reads.
func (f *footer) readMatches(fh *os.File, rowGroup, fi int, dt arrow.DataType, want int64, match func(arrow.Array) ([]bool, error)) (m []bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, p)
		}
	}()
	ci, s, err := f.readChunk(fh, rowGroup, fi)
	if err != nil {
		return nil, err
	}
	defer scratchPool.Put(s)
	switch ci.codec {
	case compress.Codecs.Uncompressed, compress.Codecs.Snappy, compress.Codecs.Zstd:
	default:
		return nil, errFallback
	}
	if want < 0 || want > ci.values {
		return nil, fmt.Errorf("%w: %d rows in a chunk of %d values", ErrCorrupt, want, ci.values)
	}
	d := &colDecoder{kind: fastBytes, dt: dt, maxDef: int(f.md.Schema.Column(fi).MaxDefinitionLevel()),
		rows: int(want), s: s, cdc: ci.codec, n: int(want), match: match, mOut: make([]bool, want)}
	if err := d.decode(s.chunk, ci); err != nil {
		return nil, err
	}
	return d.mOut, nil
}

// plainMatch is plain in match mode: the set values of the PLAIN page b
// (each a 4-byte length and its bytes) are moved together at the front of
// b, which is the decoder's own (a decompressed page or the chunk read
// from the file), viewed as one string array and matched; each row gets
// its value's answer, a null row the answer for a null.
func (d *colDecoder) plainMatch(b []byte, set int, lv []uint8) error {
	nv := set
	if lv != nil {
		nv = len(lv)
	}
	d.s.offs = grow(d.s.offs, set+1)
	offs := d.s.offs
	offs[0] = 0
	w, pos := 0, 0
	for k := 0; k < set; k++ {
		if pos+4 > len(b) {
			return fmt.Errorf("value %d: short page", k)
		}
		l := int(binary.LittleEndian.Uint32(b[pos:]))
		pos += 4
		if l < 0 || l > len(b)-pos || w+l > math.MaxInt32 {
			return fmt.Errorf("value %d: %d bytes, %d left", k, l, len(b)-pos)
		}
		copy(b[w:], b[pos:pos+l]) // w <= pos: a move to the left
		w += l
		pos += l
		offs[k+1] = int32(w)
	}
	data := array.NewData(d.dt, set, []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(offs)), memory.NewBufferBytes(b[:w])}, nil, 0, 0)
	vals := array.MakeFromData(data)
	data.Release()
	m, err := d.match(vals)
	vals.Release()
	if err != nil {
		return err
	}
	if len(m) != set {
		return fmt.Errorf("match gave %d answers for a page of %d values", len(m), set)
	}
	out := d.mOut[d.pos : d.pos+nv]
	if lv == nil {
		copy(out, m)
		return nil
	}
	null, err := d.nullAnswer()
	if err != nil {
		return err
	}
	k := 0
	for i, l := range lv {
		if l != 0 {
			out[i] = m[k]
			k++
		} else {
			out[i] = null
		}
	}
	return nil
}

// nullAnswer is match's answer for a null: the dictionary's last one when
// a dictionary was read, else asked once.
func (d *colDecoder) nullAnswer() (bool, error) {
	if d.mDict != nil {
		return d.mDict[d.dictN], nil
	}
	if !d.mNullSet {
		data := array.NewData(d.dt, 1, []*memory.Buffer{memory.NewBufferBytes([]byte{0}), memory.NewBufferBytes(make([]byte, 8)), nil}, nil, 1, 0)
		vals := array.MakeFromData(data)
		data.Release()
		m, err := d.match(vals)
		vals.Release()
		if err != nil {
			return false, err
		}
		if len(m) != 1 {
			return false, fmt.Errorf("match gave %d answers for one null", len(m))
		}
		d.mNull, d.mNullSet = m[0], true
	}
	return d.mNull, nil
}

// matchDictionary runs d.match on the n values of the dictionary just read
// and a null.
func (d *colDecoder) matchDictionary(n int) ([]bool, error) {
	offs := make([]int32, n+2)
	copy(offs, d.dOffs[:n+1])
	offs[n+1] = offs[n]
	valid := make([]byte, (n+1+7)/8)
	for i := 0; i < n; i++ {
		valid[i/8] |= 1 << (i % 8)
	}
	data := array.NewData(d.dt, n+1, []*memory.Buffer{memory.NewBufferBytes(valid),
		memory.NewBufferBytes(bytesOf(offs)), memory.NewBufferBytes(d.dData[:offs[n]])}, nil, 1, 0)
	vals := array.MakeFromData(data)
	data.Release()
	defer vals.Release()
	m, err := d.match(vals)
	if err != nil {
		return nil, err
	}
	if len(m) != n+1 {
		return nil, fmt.Errorf("match gave %d answers for a dictionary of %d values and a null", len(m), n)
	}
	return m, nil
}

// indexedMatch is indexed in match mode: each row's answer looked up by
// its dictionary index.
func (d *colDecoder) indexedMatch(b []byte, set int, lv []uint8) error {
	nv := set
	if lv != nil {
		nv = len(lv)
	}
	out := d.mOut[d.pos : d.pos+nv]
	null := d.mDict[d.dictN]
	if set == 0 {
		for i := range out {
			out[i] = null
		}
		return nil
	}
	idx, err := d.dictIndices(b, set)
	if err != nil {
		return err
	}
	md := d.mDict
	if lv == nil {
		for i, j := range idx {
			out[i] = md[j]
		}
		return nil
	}
	k := 0
	for i, l := range lv {
		if l != 0 {
			out[i] = md[idx[k]]
			k++
		} else {
			out[i] = null
		}
	}
	return nil
}
