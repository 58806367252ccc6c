package zarr

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// TestBloscRoundTrip encodes and decodes random and compressible buffers
// with every codec, shuffle and a range of levels, sizes and type sizes,
// including buffers of several blocks and split streams.
func TestBloscRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{0, 5, 127, 128, 1003, 4096, 300000} {
		for _, ts := range []int{1, 4, 8} {
			data := make([]byte, n)
			for i := 0; i+8 <= n; i += 8 {
				v := float64(i/8%97) * 0.5
				if rng.Intn(4) == 0 {
					v = rng.NormFloat64()
				}
				binary.LittleEndian.PutUint64(data[i:], math.Float64bits(v))
			}
			for _, cname := range []string{"lz4", "lz4hc", "zstd", "zlib", "snappy"} {
				for _, shuffle := range []int{0, 1, 2} {
					for _, clevel := range []int{0, 1, 5, 9} {
						if n == 300000 && (clevel == 9 || cname == "lz4hc") {
							continue // slow and adds nothing
						}
						enc, err := bloscEncode(data, ts, cname, clevel, shuffle)
						if err != nil {
							t.Fatalf("%s/%d/%d n=%d ts=%d: %v", cname, shuffle, clevel, n, ts, err)
						}
						if len(enc) > n+bloscHeaderLen {
							t.Fatalf("%s: %d bytes for %d", cname, len(enc), n)
						}
						dec, err := bloscDecode(enc)
						if err != nil {
							t.Fatalf("%s/%d/%d n=%d ts=%d: decode: %v", cname, shuffle, clevel, n, ts, err)
						}
						if !bytes.Equal(dec, data) {
							t.Fatalf("%s/%d/%d n=%d ts=%d: round trip differs", cname, shuffle, clevel, n, ts)
						}
					}
				}
			}
		}
	}
}

// TestBitShuffleLayout checks the bit shuffle against its definition on a
// hand-made case: 8 one-byte elements, element i has only bit i set, so
// the shuffled rows are the identity matrix of bits.
func TestBitShuffleLayout(t *testing.T) {
	src := []byte{1, 2, 4, 8, 16, 32, 64, 128}
	dst := make([]byte, len(src))
	bitShuffle(dst, src, 1, false)
	for k := 0; k < 8; k++ {
		// Row k holds bit k of every element: only element k has it.
		if dst[k] != 1<<k {
			t.Fatalf("row %d = %08b, want %08b", k, dst[k], 1<<k)
		}
	}
	back := make([]byte, len(src))
	bitShuffle(back, dst, 1, true)
	if !bytes.Equal(back, src) {
		t.Fatalf("unshuffle gives %v", back)
	}
	odd := []byte{1, 2, 3}
	bitShuffle(dst[:3], odd, 1, false)
	if !bytes.Equal(dst[:3], odd) {
		t.Fatal("a block of 3 elements is not copied as it is")
	}
}

func TestBloscCorrupt(t *testing.T) {
	data := make([]byte, 8000)
	for i := range data {
		data[i] = byte(i % 7)
	}
	enc, err := bloscEncode(data, 8, "lz4", 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(b []byte) []byte) []byte { return f(append([]byte{}, enc...)) }
	for _, c := range []struct {
		what string
		b    []byte
		want string
	}{
		{"short", enc[:10], "shorter than the 16-byte header"},
		{"truncated", enc[:len(enc)-3], "truncated"},
		{"version", mutate(func(b []byte) []byte { b[0] = 9; return b }), "unsupported blosc format version 9"},
		{"blosclz", mutate(func(b []byte) []byte { b[2] &^= 0xe0; return b }), "unsupported blosc codec blosclz"},
		{"codec 6", mutate(func(b []byte) []byte { b[2] |= 0xe0; return b }), "unsupported blosc codec codec 7"},
		{"offsets", mutate(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[16:], 1<<30); return b }), "starts past the end"},
		{"stream", mutate(func(b []byte) []byte {
			for i := 24; i < len(b); i++ {
				b[i] ^= 0x5a
			}
			return b
		}), "corrupt blosc frame"},
	} {
		_, err := bloscDecode(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("%s: error %v, want %q", c.what, err, c.want)
		}
	}
	if _, err := bloscEncode(data, 8, "blosclz", 5, 1); err == nil || !strings.Contains(err.Error(), "blosclz") {
		t.Fatalf("encode blosclz: %v", err)
	}
}
