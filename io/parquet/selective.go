package parquet

import (
	"errors"
	"fmt"
	"math"

	pq "github.com/apache/arrow/go/v15/parquet"
)

// Selective reads: ReadOptions.Rows.
//
// A filter that keeps few rows (TPC-H q14 keeps 1.3% of lineitem) needs
// its other columns only at those rows. Decoding such a column whole and
// gathering the rows after costs a pass over every value and a full-size
// buffer; decodeChunk with sel decodes only the rows of sel into an array
// of len(sel) values: a data page holding none of them is not even
// decompressed, and a dictionary-encoded page without nulls (what Arrow
// and DuckDB write for most columns) looks up only the indices of the
// rows wanted, reading each one straight out of its bit-packed run. Any
// other page is decoded whole by a page-sized decoder and the rows picked
// from it. Only the indices of the rows read are checked against the
// dictionary; the page's runs are walked to its end, so a truncated page
// is an error either way.

// selPage decodes the rows of d.sel in the data page h.
func (d *colDecoder) selPage(h *pageHeader, body []byte) error {
	if h.typ != 0 && h.typ != 3 {
		return nil // index pages: nothing to decode
	}
	nv := int(h.values)
	if nv > d.rows-d.pos {
		return fmt.Errorf("%d values, %d left of the row group's %d", nv, d.rows-d.pos, d.rows)
	}
	lo, hi := d.si, d.si
	for hi < len(d.sel) && int(d.sel[hi]) < d.pos+nv {
		hi++
	}
	if hi == lo {
		d.pos += nv
		return nil
	}
	nv, values, lv, set, err := d.pageValues(h, body)
	if err != nil {
		return err
	}
	enc := pq.Encoding(h.encoding)
	if lv == nil && set > 0 && (enc == pq.Encodings.RLEDict || enc == pq.Encodings.PlainDict) {
		if !d.dict {
			return errors.New("dictionary-encoded page without a dictionary page")
		}
		if err := d.gatherSel(values, d.sel[lo:hi], lo, nv); err != nil {
			return fmt.Errorf("dictionary indices: %w", err)
		}
	} else {
		pd := &colDecoder{kind: d.kind, dt: d.dt, maxDef: d.maxDef, rows: nv, n: nv, s: d.s, cdc: d.cdc,
			dI32: d.dI32, dI64: d.dI64, dF32: d.dF32, dF64: d.dF64, dOffs: d.dOffs, dData: d.dData, dict: d.dict, dictN: d.dictN}
		pd.alloc(chunkInfo{}, 0)
		if err := pd.values(h, values, set, lv); err != nil {
			return err
		}
		if lv != nil {
			pd.markNulls(lv)
		}
		d.pick(pd, d.sel[lo:hi], lo)
	}
	d.si = hi
	d.pos += nv
	return nil
}

// gatherSel places dict[index of row r] for the rows r of sel (of this
// page, which has nv values and no nulls) at out[lo:].
func (d *colDecoder) gatherSel(b []byte, sel []int32, lo, nv int) error {
	if len(b) == 0 {
		return errors.New("empty page")
	}
	bw := int(b[0])
	if bw > 32 {
		return fmt.Errorf("bit width %d", bw)
	}
	d.s.idx = grow(d.s.idx, len(sel))
	idx := d.s.idx
	if err := selIndices(b[1:], bw, nv, uint64(d.dictN), sel, int32(d.pos), idx); err != nil {
		return err
	}
	switch d.kind {
	case fastInt32:
		if d.i64 != nil {
			lookup(d.i64[lo:lo+len(sel)], d.dI32, idx)
		} else {
			lookup(d.i32[lo:lo+len(sel)], d.dI32, idx)
		}
	case fastInt64:
		lookup(d.i64[lo:lo+len(sel)], d.dI64, idx)
	case fastFloat32:
		if d.f64 != nil {
			lookup(d.f64[lo:lo+len(sel)], d.dF32, idx)
		} else {
			lookup(d.f32[lo:lo+len(sel)], d.dF32, idx)
		}
	case fastFloat64:
		lookup(d.f64[lo:lo+len(sel)], d.dF64, idx)
	case fastBytes:
		for j, k := range idx {
			s, e := d.dOffs[k], d.dOffs[k+1]
			if len(d.data)+int(e-s) > math.MaxInt32 {
				return errFallback
			}
			d.data = append(d.data, d.dData[s:e]...)
			d.offs[lo+j+1] = int32(len(d.data))
		}
	default:
		return errFallback
	}
	return nil
}

// lookup sets out[j] = dict[idx[j]] (the indices checked).
func lookup[S, T int32 | int64 | float32 | float64](out []T, dict []S, idx []uint32) {
	for j, k := range idx[:len(out)] {
		out[j] = T(dict[k])
	}
}

// selIndices walks the nv dictionary indices of bit width bw (the
// RLE/bit-packed hybrid in b, see hybridRuns) and stores the index of
// value sel[j]-base in out[j]; an index of those past a dictionary of nd
// values is an error.
func selIndices(b []byte, bw, nv int, nd uint64, sel []int32, base int32, out []uint32) error {
	if bw == 0 {
		if nd == 0 && len(sel) > 0 {
			return errors.New("dictionary index 0 of an empty dictionary")
		}
		clear(out)
		return nil
	}
	mask := uint64(1)<<bw - 1
	j := 0
	return hybridRuns(b, bw, nv, func(k, m int, v uint64) error {
		end := int32(k+m) + base
		if j < len(sel) && sel[j] < end {
			if v >= nd {
				return fmt.Errorf("dictionary index %d of a dictionary of %d", v, nd)
			}
			for j < len(sel) && sel[j] < end {
				out[j] = uint32(v)
				j++
			}
		}
		return nil
	}, func(k, m int, data []byte) error {
		start, end := int32(k)+base, int32(k+m)+base
		for j < len(sel) && sel[j] < end {
			v := unpack(data, int(sel[j]-start)*bw) & mask
			if v >= nd {
				return fmt.Errorf("dictionary index %d of a dictionary of %d", v, nd)
			}
			out[j] = uint32(v)
			j++
		}
		return nil
	})
}

// pick copies the rows sel (of the page pd decoded, which starts at row
// d.pos) to d's values from lo on.
func (d *colDecoder) pick(pd *colDecoder, sel []int32, lo int) {
	base := int32(d.pos)
	switch {
	case d.i32 != nil:
		for j, r := range sel {
			d.i32[lo+j] = pd.i32[r-base]
		}
	case d.i64 != nil:
		for j, r := range sel {
			d.i64[lo+j] = pd.i64[r-base]
		}
	case d.f32 != nil:
		for j, r := range sel {
			d.f32[lo+j] = pd.f32[r-base]
		}
	case d.f64 != nil:
		for j, r := range sel {
			d.f64[lo+j] = pd.f64[r-base]
		}
	case d.offs != nil:
		for j, r := range sel {
			i := r - base
			d.data = append(d.data, pd.data[pd.offs[i]:pd.offs[i+1]]...)
			d.offs[lo+j+1] = int32(len(d.data))
		}
	}
	if pd.valid == nil {
		return
	}
	for j, r := range sel {
		i := r - base
		if pd.valid[i/8]&(1<<(i%8)) != 0 {
			continue
		}
		if d.valid == nil {
			d.valid = make([]byte, (d.n+7)/8)
			for k := range d.valid {
				d.valid[k] = 0xff
			}
		}
		k := lo + j
		d.valid[k/8] &^= 1 << (k % 8)
		d.nulls++
	}
}
