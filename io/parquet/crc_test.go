package parquet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow/array"
)

// Arrow Go v15 writes no page CRCs, so the tests add them: withCRCs
// rewrites a file, giving every page header field 4 (the CRC32 of the
// page's compressed bytes) and moving the footer's offsets to match. The
// rewrite goes through a small Thrift compact-protocol tree (tvalue).

// tvalue is one Thrift compact value: a scalar (i for integers, raw for
// binary and double), a list/set (elem, list), a map (key and elem types,
// list of key, value, key, value...) or a struct (fields).
type tvalue struct {
	typ    byte
	i      int64
	raw    []byte
	key    byte
	elem   byte
	list   []tvalue
	fields []tfield
}

type tfield struct {
	id int
	v  tvalue
}

type tdec struct {
	b   []byte
	pos int
}

func (d *tdec) byte() byte {
	if d.pos >= len(d.b) {
		panic("thrift: short")
	}
	c := d.b[d.pos]
	d.pos++
	return c
}

func (d *tdec) uvarint() uint64 {
	v, n := binary.Uvarint(d.b[d.pos:])
	if n <= 0 {
		panic("thrift: bad varint")
	}
	d.pos += n
	return v
}

func (d *tdec) zigzag() int64 { v := d.uvarint(); return int64(v>>1) ^ -int64(v&1) }

func (d *tdec) value(typ byte, inField bool) tvalue {
	v := tvalue{typ: typ}
	switch typ {
	case 1, 2:
		if !inField {
			v.i = int64(d.byte())
		}
	case 3:
		v.i = int64(d.byte())
	case 4, 5, 6:
		v.i = d.zigzag()
	case 7:
		v.raw = d.b[d.pos : d.pos+8]
		d.pos += 8
	case 8:
		n := int(d.uvarint())
		v.raw = d.b[d.pos : d.pos+n]
		d.pos += n
	case 9, 10:
		c := d.byte()
		n := int(c >> 4)
		if n == 15 {
			n = int(d.uvarint())
		}
		v.elem = c & 0x0f
		for i := 0; i < n; i++ {
			v.list = append(v.list, d.value(v.elem, false))
		}
	case 11:
		n := int(d.uvarint())
		if n > 0 {
			kv := d.byte()
			v.key, v.elem = kv>>4, kv&0x0f
			for i := 0; i < n; i++ {
				v.list = append(v.list, d.value(v.key, false), d.value(v.elem, false))
			}
		}
	case 12:
		id := 0
		for {
			c := d.byte()
			if c == 0 {
				break
			}
			t := c & 0x0f
			if delta := int(c >> 4); delta != 0 {
				id += delta
			} else {
				id = int(d.zigzag())
			}
			v.fields = append(v.fields, tfield{id: id, v: d.value(t, true)})
		}
	default:
		panic(fmt.Sprintf("thrift: type %d", typ))
	}
	return v
}

func appendZigzag(b []byte, v int64) []byte { return binary.AppendUvarint(b, uint64(v<<1^v>>63)) }

func (v tvalue) append(b []byte, inField bool) []byte {
	switch v.typ {
	case 1, 2:
		if !inField {
			b = append(b, byte(v.i))
		}
	case 3:
		b = append(b, byte(v.i))
	case 4, 5, 6:
		b = appendZigzag(b, v.i)
	case 7:
		b = append(b, v.raw...)
	case 8:
		b = binary.AppendUvarint(b, uint64(len(v.raw)))
		b = append(b, v.raw...)
	case 9, 10:
		if len(v.list) < 15 {
			b = append(b, byte(len(v.list))<<4|v.elem)
		} else {
			b = append(b, 0xf0|v.elem)
			b = binary.AppendUvarint(b, uint64(len(v.list)))
		}
		for _, e := range v.list {
			b = e.append(b, false)
		}
	case 11:
		b = binary.AppendUvarint(b, uint64(len(v.list)/2))
		if len(v.list) > 0 {
			b = append(b, v.key<<4|v.elem)
		}
		for _, e := range v.list {
			b = e.append(b, false)
		}
	case 12:
		sort.Slice(v.fields, func(i, j int) bool { return v.fields[i].id < v.fields[j].id })
		last := 0
		for _, f := range v.fields {
			if d := f.id - last; d > 0 && d <= 15 {
				b = append(b, byte(d)<<4|f.v.typ)
			} else {
				b = append(b, f.v.typ)
				b = appendZigzag(b, int64(f.id))
			}
			last = f.id
			b = f.v.append(b, true)
		}
		b = append(b, 0)
	}
	return b
}

func (v *tvalue) field(id int) *tvalue {
	for i := range v.fields {
		if v.fields[i].id == id {
			return &v.fields[i].v
		}
	}
	return nil
}

func (v *tvalue) set(id int, x tvalue) {
	if f := v.field(id); f != nil {
		*f = x
		return
	}
	v.fields = append(v.fields, tfield{id: id, v: x})
}

func (v *tvalue) drop(id int) {
	for i := range v.fields {
		if v.fields[i].id == id {
			v.fields = append(v.fields[:i], v.fields[i+1:]...)
			return
		}
	}
}

// withCRCs returns the file b with a CRC in every page header.
func withCRCs(t testing.TB, b []byte) []byte {
	t.Helper()
	n := int(binary.LittleEndian.Uint32(b[len(b)-8:]))
	fd := &tdec{b: b[len(b)-8-n : len(b)-8]}
	meta := fd.value(12, true)
	out := []byte("PAR1")
	moved := map[int64]int64{} // old page offset -> new
	rgs := meta.field(4)
	for ri := range rgs.list {
		rg := &rgs.list[ri]
		var rgSize int64
		for ci := range rg.field(1).list {
			cc := &rg.field(1).list[ci]
			md := cc.field(3)
			start := md.field(9).i
			if d := md.field(11); d != nil && d.i > 0 && d.i < start {
				start = d.i
			}
			end := start + md.field(7).i
			newStart := int64(len(out))
			for pos := start; pos < end; {
				hd := &tdec{b: b[:end], pos: int(pos)}
				h := hd.value(12, true)
				size := h.field(3).i
				body := b[hd.pos : hd.pos+int(size)]
				h.set(4, tvalue{typ: 5, i: int64(int32(crc32.ChecksumIEEE(body)))})
				moved[pos] = int64(len(out))
				out = h.append(out, true)
				out = append(out, body...)
				pos = int64(hd.pos) + size
			}
			md.field(9).i = moved[md.field(9).i]
			if d := md.field(11); d != nil && d.i > 0 {
				d.i = moved[d.i]
			}
			md.field(7).i = int64(len(out)) - newStart
			rgSize += md.field(7).i
			if f := cc.field(2); f != nil {
				f.i = newStart
			}
			for _, id := range []int{4, 5, 6, 7} { // page index offsets: not moved
				cc.drop(id)
			}
		}
		if f := rg.field(5); f != nil {
			f.i = moved[f.i]
		}
		if f := rg.field(6); f != nil {
			f.i = rgSize
		}
	}
	foot := meta.append(nil, true)
	out = append(out, foot...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(foot)))
	return append(out, "PAR1"...)
}

// TestPageCRC: a file whose pages carry CRCs reads to the same values; a
// byte flipped in any page's data is an error naming file, row group,
// column and page.
func TestPageCRC(t *testing.T) {
	for _, codec := range []string{"none", "snappy"} {
		t.Run(codec, func(t *testing.T) {
			dir := t.TempDir()
			src := writeTwoCols(t, dir, codec, 3000, 1000)
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			c := withCRCs(t, b)
			p := filepath.Join(dir, "crc.parquet")
			if err := os.WriteFile(p, c, 0o644); err != nil {
				t.Fatal(err)
			}
			for rg := 0; rg < 3; rg++ {
				want, err := ReadColumns(context.Background(), src, rg, []string{"a", "b"})
				if err != nil {
					t.Fatal(err)
				}
				got, err := ReadColumns(context.Background(), p, rg, []string{"a", "b"})
				if err != nil {
					t.Fatalf("file with CRCs: %v", err)
				}
				if !array.RecordEqual(want, got) {
					t.Fatalf("row group %d differs after adding CRCs", rg)
				}
				want.Release()
				got.Release()
			}
			// Flip one byte in the last page of row group 2, column "b":
			// in a value of an uncompressed page the values would still
			// decode (to a wrong sum) but for the CRC.
			_, hi := chunkRange(t, p, 2, 1)
			bad := append([]byte{}, c...)
			bad[hi-3] ^= 0x40
			if err := os.WriteFile(p, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = ReadColumns(context.Background(), p, 2, []string{"b"})
			if err == nil {
				t.Fatal("flipped byte read without error")
			}
			t.Log(err)
			for _, w := range []string{p, "row group 2", `column "b"`, "page ", "CRC mismatch"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("error %q is not ErrCorrupt", err)
			}
			// The other chunks still read.
			r, err := ReadColumns(context.Background(), p, 2, []string{"a"})
			if err != nil {
				t.Fatal(err)
			}
			r.Release()
		})
	}
}
