package zarr

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestHugeChunksRefused: metadata whose chunk size overflows or passes
// MaxChunkBytes is an error from ParseMeta (it used to parse, with
// ChunkBytes() 0 or negative, and panic later).
func TestHugeChunksRefused(t *testing.T) {
	for _, c := range []struct{ shape, chunks, want string }{
		{"[10]", "[4294967296]", "exceed"},
		{"[10, 10]", "[4294967296, 4294967296]", "exceed"},
		{"[10, 10, 10]", "[2097152, 2097152, 2097152]", "exceed"},
		{"[10]", "[268435456]", "exceed"}, // 2 GiB of <f8
		{"[9223372036854775807, 9223372036854775807]", "[1, 1]", "2^48 chunks"},
	} {
		js := `{"zarr_format": 2, "shape": ` + c.shape + `, "chunks": ` + c.chunks + `, "dtype": "<f8", "order": "C", "compressor": null, "fill_value": 0, "filters": null}`
		m, err := ParseMeta([]byte(js))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			var cb int
			if m != nil {
				cb = m.ChunkBytes()
			}
			t.Errorf("chunks %s: err %v (ChunkBytes %d), want %q", c.chunks, err, cb, c.want)
		}
	}
	// The largest accepted chunk is still accepted.
	js := `{"zarr_format": 2, "shape": [10], "chunks": [268435455], "dtype": "<f8", "order": "C", "compressor": null, "fill_value": 0, "filters": null}`
	if _, err := ParseMeta([]byte(js)); err != nil {
		t.Fatal(err)
	}
}

// TestChunkHeaderSizeChecked: a small compressed chunk whose frame header
// claims more than a chunk is refused before the claimed size is allocated.
func TestChunkHeaderSizeChecked(t *testing.T) {
	dir := t.TempDir()
	m := &Meta{Shape: []int{4}, Chunks: []int{4}, DType: "<f8", Compressor: Blosc("lz4", 5, 1)}
	if err := WriteMeta(dir, m); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte{1, 2, 3, 4}, 8)
	if _, err := m.WriteChunk(dir, []int{0}, data); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "0")
	b, _ := os.ReadFile(p)
	b[4], b[5], b[6], b[7] = 0xff, 0xff, 0xff, 0x7f
	os.WriteFile(p, b, 0o644)
	if _, err := m.ReadChunk(dir, []int{0}); err == nil || !strings.Contains(err.Error(), "blosc frame of 2147483647 bytes, want 32") {
		t.Fatalf("err %v", err)
	}
}

// codecs enumerates every compressor the package reads and writes: none,
// zstd, and Blosc with each supported cname and shuffle mode.
func codecs() []*Compressor {
	out := []*Compressor{nil, Zstd(0), Zstd(1)}
	var names []string
	for n := range bloscCNames {
		if checkBloscCName(n) == nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		for _, sh := range []int{0, 1, 2} {
			out = append(out, Blosc(n, 5, sh))
		}
	}
	return out
}

// FuzzParseMeta: any .zarray text either errors or gives metadata whose
// chunk size is positive and bounded, whose grid is consistent, and which
// re-encodes to metadata that parses to the same thing.
func FuzzParseMeta(f *testing.F) {
	for _, d := range []string{"testdata/f8_5x7_c2x3", "testdata/i8_10_c4"} {
		if b, err := os.ReadFile(filepath.Join(d, MetaFile)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"zarr_format": 2, "shape": [10], "chunks": [4294967296], "dtype": "<f8", "order": "C", "compressor": null, "fill_value": 0, "filters": null}`))
	f.Add([]byte(`{"zarr_format": 2, "shape": [3, 3], "chunks": [2, 2], "dtype": "|b1", "order": "C", "compressor": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}, "fill_value": true, "filters": null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMeta(b)
		if err != nil {
			return
		}
		if cb := m.ChunkBytes(); cb < 0 || cb > MaxChunkBytes {
			t.Fatalf("ChunkBytes %d", cb)
		}
		for i, g := range m.Grid() {
			if g < 0 || g*m.Chunks[i] < m.Shape[i] {
				t.Fatalf("grid %v for shape %v chunks %v", m.Grid(), m.Shape, m.Chunks)
			}
		}
		js, err := m.MarshalJSON()
		if err != nil {
			t.Fatalf("accepted metadata does not encode: %v", err)
		}
		m2, err := ParseMeta(js)
		if err != nil {
			t.Fatalf("our own metadata %s does not parse: %v", js, err)
		}
		a, _ := json.Marshal(m2.Shape)
		c, _ := json.Marshal(m.Shape)
		if !bytes.Equal(a, c) || m2.ChunkBytes() != m.ChunkBytes() {
			t.Fatalf("round trip changed %s", js)
		}
	})
}

// FuzzChunkCodecs: for every codec, arbitrary data round-trips through
// WriteChunk/ReadChunk, and arbitrary bytes stored as a chunk file either
// error or decode to exactly one chunk's bytes (never a panic).
func FuzzChunkCodecs(f *testing.F) {
	f.Add([]byte("0123456789abcdef0123456789abcdef"), uint8(0))
	f.Add(bytes.Repeat([]byte{0, 0, 0, 1}, 64), uint8(5))
	f.Add([]byte{2, 1, 0x21, 8, 32, 0, 0, 0, 32, 0, 0, 0, 40, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, uint8(4))
	all := codecs()
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		c := all[int(which)%len(all)]
		dir := t.TempDir()
		n := max(1, len(data)/8)
		m := &Meta{Shape: []int{n}, Chunks: []int{n}, DType: "<f8", Compressor: c}
		full := make([]byte, 8*n)
		copy(full, data)
		if _, err := m.WriteChunk(dir, []int{0}, full); err != nil {
			t.Fatalf("%+v: write: %v", c, err)
		}
		got, err := m.ReadChunk(dir, []int{0})
		if err != nil || !bytes.Equal(got, full) {
			t.Fatalf("%+v: round trip: %v", c, err)
		}
		// The raw bytes as a stored chunk.
		if err := os.WriteFile(filepath.Join(dir, "0"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err = m.ReadChunk(dir, []int{0})
		if err == nil && len(got) != m.ChunkBytes() {
			t.Fatalf("%+v: decoded %d bytes, want %d", c, len(got), m.ChunkBytes())
		}
	})
}
