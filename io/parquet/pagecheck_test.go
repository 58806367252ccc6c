package parquet

import (
	"context"
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/parquet/compress"
)

// header encodes a PageHeader in Thrift's compact protocol: type,
// uncompressed and compressed sizes, and a DataPageHeader with num_values.
func header(typ, uncompressed, compressed, values int64) []byte {
	zz := func(b []byte, v int64) []byte { return binary.AppendUvarint(b, uint64(v<<1)^uint64(v>>63)) }
	b := []byte{0x15}
	b = zz(b, typ)
	b = append(b, 0x15)
	b = zz(b, uncompressed)
	b = append(b, 0x15)
	b = zz(b, compressed)
	b = append(b, 0x2c, 0x15) // field 5 (delta 2), struct; its field 1, i32
	b = zz(b, values)
	return append(b, 0, 0)
}

func TestCheckPages(t *testing.T) {
	ci := chunkInfo{uncompressed: 1000, values: 50, codec: compress.Codecs.Snappy}
	snappy := func(n uint64) []byte { return binary.AppendUvarint(nil, n) }
	page := func(h []byte, body []byte) []byte { return append(h, body...) }
	ok := page(header(0, 100, 3, 50), append(snappy(100), 0, 0)[:3])
	cases := []struct {
		name, want string
		b          []byte
	}{
		{"ok", "", append(append([]byte{}, ok...), ok...)},
		{"compressed beyond the chunk", "compressed bytes", page(header(0, 100, 1<<30, 50), []byte{1, 2, 3})},
		{"uncompressed beyond the row group", "uncompressed bytes", page(header(0, 1<<31-1, 3, 50), []byte{1, 2, 3})},
		{"negative size", "compressed bytes", page(header(0, 100, -5, 50), nil)},
		{"more values than the chunk", "values", page(header(0, 100, 3, 51), []byte{1, 2, 3})},
		{"unknown page type", "type", page(header(9, 100, 3, 50), []byte{1, 2, 3})},
		{"snappy stream longer than the page", "snappy stream of 4294967295", page(header(0, 100, 5, 50), snappy(1<<32-1))},
		{"truncated header", "header", header(0, 100, 3, 50)[:4]},
	}
	for _, c := range cases {
		err := checkPages(c.b, ci)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}
}

func TestZstdContentSize(t *testing.T) {
	magic := []byte{0x28, 0xb5, 0x2f, 0xfd}
	for _, c := range []struct {
		hdr  []byte
		want uint64
		ok   bool
	}{
		{[]byte{0x20, 7}, 7, true},                                 // single segment, 1-byte size
		{[]byte{0x60, 0x10, 0x00}, 0x10 + 256, true},               // 2-byte size, +256
		{[]byte{0xa0, 0, 0, 0, 0x40}, 1 << 30, true},               // 4-byte size
		{[]byte{0x00, 0x58}, 0, false},                             // window descriptor, no size
		{[]byte{0xe0, 1, 0, 0, 0, 0, 0, 0, 0x80}, 1<<63 + 1, true}, // 8-byte size
		{[]byte{0xa0, 0}, 0, false},                                // truncated
	} {
		got, ok := zstdContentSize(append(append([]byte{}, magic...), c.hdr...))
		if got != c.want || ok != c.ok {
			t.Errorf("%x: got %d %v, want %d %v", c.hdr, got, ok, c.want, c.ok)
		}
	}
	if _, ok := zstdContentSize([]byte{1, 2, 3, 4, 5, 6}); ok {
		t.Error("no magic: a size")
	}
}

// A page header that claims a 2 GiB page is refused before Arrow allocates
// it: the error names the page, the file reads no further.
func TestReadRefusesOversizedPage(t *testing.T) {
	dir := t.TempDir()
	p := writeTwoCols(t, dir, "snappy", 300, 100)
	start, _ := chunkRange(t, p, 1, 0)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	r := thriftReader{b: b, pos: int(start)}
	h := pageHeader{}
	r.pageHeader(&h)
	if r.err != nil || h.compressed <= 0 {
		t.Fatalf("first page of row group 1: %+v %v", h, r.err)
	}
	// Overwrite the snappy stream's length varint with one as long, larger
	// than the page.
	body := b[r.pos+int(h.levels):]
	_, k := binary.Uvarint(body)
	big := uint64(1)<<(7*k) - 1
	var v [binary.MaxVarintLen64]byte
	if n := binary.PutUvarint(v[:], big); n != k || big <= uint64(h.uncompressed) {
		t.Skipf("varint of %d bytes cannot exceed the page", k)
	}
	copy(body, v[:k])
	q := dir + "/bad.parquet"
	if err := os.WriteFile(q, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadColumns(context.Background(), q, 1, []string{"a", "b"})
	if err == nil || !strings.Contains(err.Error(), "snappy stream") || !strings.Contains(err.Error(), `row group 1 column "a"`) || !strings.Contains(err.Error(), "page 0") {
		t.Fatalf("got %v", err)
	}
	if _, err := ReadColumns(context.Background(), q, 0, []string{"a", "b"}); err != nil {
		t.Fatalf("row group 0 is intact: %v", err)
	}
}

// TestCheckDelta: DELTA_BINARY_PACKED headers as Arrow writes them pass,
// and where the end of the values is; a header that would size Arrow's
// buffers past the page is an error naming the field.
func TestCheckDelta(t *testing.T) {
	hdr := func(v ...uint64) []byte {
		var b []byte
		for _, x := range v {
			b = binary.AppendUvarint(b, x)
		}
		return b
	}
	// 200 values: one full block of 128 (min delta, 4 widths of 3 bits,
	// 4 x 32 x 3 / 8 bytes), then 71 values in a block of which 3
	// miniblocks are needed (widths 1, 0, 2: 4+0+8 bytes).
	b := hdr(128, 4, 200, 7)
	b = append(b, 0x02, 3, 3, 3, 3)
	b = append(b, make([]byte, 4*12)...)
	b = append(b, 0x02, 1, 0, 2, 9)
	b = append(b, make([]byte, 4+0+8)...)
	end, ok, err := checkDelta(append(b, 0xee), 200)
	if err != nil || !ok || end != len(b) {
		t.Fatalf("valid header: end %d ok %v err %v, want end %d", end, ok, err, len(b))
	}
	for _, c := range []struct {
		b    []byte
		nv   int
		want string
	}{
		{hdr(0, 4, 10, 0), 10, "blocks of 0 values"},
		{hdr(100, 4, 10, 0), 10, "blocks of 100 values"},
		{hdr(1<<30, 4, 10, 0), 10, "at most"},
		{hdr(128, 0, 10, 0), 10, "in 0 miniblocks"},
		{hdr(128, 3, 10, 0), 10, "in 3 miniblocks"},
		{hdr(128, 1<<40, 10, 0), 10, "miniblocks"},
		{hdr(128, 4, 1<<40, 0), 10, "counts 1099511627776 values in a page of 10"},
		{append(hdr(128, 4, 10, 0), 0x02, 65, 0, 0, 0), 10, "bit width 65"},
	} {
		if _, _, err := checkDelta(c.b, c.nv); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.b, err, c.want)
		}
	}
	if _, ok, err := checkDelta(hdr(128, 4, 200, 7)[:3], 200); ok || err != nil {
		t.Errorf("truncated header: ok %v err %v, want neither", ok, err)
	}
}
