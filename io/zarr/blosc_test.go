package zarr_test

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godask/godask/array"
	"github.com/godask/godask/io/zarr"
)

// TestReadBloscFixtures reads stores that python zarr 2.13 / numcodecs 0.11
// wrote (testdata/gen_blosc.py) and checks every element against the
// generator's formulas: Blosc with lz4, zstd, zlib and snappy, byte, bit and
// no shuffle, split and unsplit streams, several blocks per chunk, edge
// chunks, and chunks never written that read as fill_value.
func TestReadBloscFixtures(t *testing.T) {
	pymod := func(x, m float64) float64 { return x - m*math.Floor(x/m) }
	cases := []struct {
		store string
		shape []int
		dt    array.DType
		want  func(i int) float64 // of the C-order flat index
	}{
		{"blosc_lz4_f8", []int{20, 30}, array.Float64, func(i int) float64 { return pymod(float64(i)*0.25-7, 11) }},
		{"blosc_zstd_i8", []int{50000}, array.Int64, func(i int) float64 { return float64(3*i - 7) }},
		{"blosc_noshuffle_f4", []int{10, 10, 6}, array.Float32, func(i int) float64 { return float64(i%17) * 0.5 }},
		{"blosc_bitshuffle_f8", []int{100, 20}, array.Float64, func(i int) float64 { return float64(i%19) - 4.5 }},
		{"blosc_bitshuffle_odd_f8", []int{100, 20}, array.Float64, func(i int) float64 { return float64(i%19) - 4.5 }},
		{"blosc_lz4_b1", []int{300000}, array.Bool, func(i int) float64 {
			if i*7919%13 == 0 {
				return 1
			}
			return 0
		}},
		{"blosc_zlib_f8", []int{12, 7}, array.Float64, func(i int) float64 { return float64(i) / 3 }},
		{"blosc_snappy_i8", []int{1000}, array.Int64, func(i int) float64 { return float64(i / 3) }},
		{"fill_f8", []int{10, 10}, array.Float64, func(i int) float64 {
			if i/10 < 5 && i%10 < 5 {
				return float64(i)
			}
			return -1.5
		}},
		{"fill_null_i8", []int{6}, array.Int64, func(i int) float64 {
			if i < 3 {
				return float64(i + 1)
			}
			return 0
		}},
	}
	for _, c := range cases {
		a := array.FromZarr(filepath.Join("testdata", c.store))
		d, err := a.Compute(ctx, loopback())
		if err != nil {
			t.Fatalf("%s: %v", c.store, err)
		}
		if d.DType != c.dt || !equalInts(d.Shape, c.shape) {
			t.Fatalf("%s: %s %v, want %s %v", c.store, d.DType, d.Shape, c.dt, c.shape)
		}
		for i, v := range d.Float64s() {
			if w := c.want(i); v != w {
				t.Fatalf("%s: element %d = %v, want %v", c.store, i, v, w)
			}
		}
	}
	wantErr(t, "blosclz store", array.FromZarr("testdata/blosc_blosclz_f8").Err(), `unsupported blosc cname "blosclz"`, "lz4")
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestBloscWriteRead writes arrays with Blosc (every codec, every shuffle),
// checks the .zarray python zarr reads, and reads them back.
func TestBloscWriteRead(t *testing.T) {
	x := array.Arange(0, 5000, 1, 0).Reshape(50, 100).Rechunk(array.Regular{16, 40}).MulScalar(0.5)
	want, err := x.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, cname := range []string{"lz4", "lz4hc", "zstd", "zlib", "snappy"} {
		for _, shuffle := range []int{-1, 0, 1, 2} {
			dir := filepath.Join(t.TempDir(), "b.zarr")
			if err := x.ToZarr(ctx, dir, array.ZarrBlosc(cname, 5, shuffle), array.ZarrSchedule(loopback())); err != nil {
				t.Fatal(err)
			}
			m, err := zarr.ReadMeta(dir)
			if err != nil {
				t.Fatal(err)
			}
			if c := m.Compressor; c == nil || c.ID != "blosc" || c.CName != cname || c.CLevel != 5 || c.Shuffle != shuffle {
				t.Fatalf("compressor %+v", c)
			}
			meta, _ := os.ReadFile(filepath.Join(dir, ".zarray"))
			if !strings.Contains(string(meta), `"blocksize": 0`) || strings.Contains(string(meta), `"level"`) {
				t.Fatalf(".zarray compressor is not numcodecs' Blosc config:\n%s", meta)
			}
			got, err := array.FromZarr(dir).Compute(ctx, loopback())
			if err != nil {
				t.Fatalf("%s/%d: %v", cname, shuffle, err)
			}
			for i, v := range got.Data {
				if v != want.Data[i] {
					t.Fatalf("%s/%d: element %d = %v, want %v", cname, shuffle, i, v, want.Data[i])
				}
			}
		}
	}
}

// TestSkipFillChunks checks that chunks holding only fill_value are not
// written, and read back as fill_value.
func TestSkipFillChunks(t *testing.T) {
	x := array.Concatenate(0, array.Zeros([]int{10, 6}, array.Regular{5, 3}), array.Ones([]int{5, 6}, array.Regular{5, 3}))
	dir := filepath.Join(t.TempDir(), "s.zarr")
	if err := x.ToZarr(ctx, dir, array.ZarrBlosc("lz4", 5, 1)); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != ".zarray 2.0 2.1" {
		t.Fatalf("files %v, want only the two chunks of ones", names)
	}
	d, err := array.FromZarr(dir).Sum(1).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range d.Data {
		if w := float64(6 * (i / 10)); v != w {
			t.Fatalf("row %d sums to %v, want %v", i, v, w)
		}
	}
}

// TestBadBloscChunks: a truncated or corrupt Blosc chunk fails the
// computation with an error naming the chunk file.
func TestBadBloscChunks(t *testing.T) {
	for _, c := range []struct {
		what string
		edit func([]byte) []byte
		want string
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, "truncated"},
		{"short", func(b []byte) []byte { return b[:7] }, "shorter than the 16-byte header"},
		{"codec", func(b []byte) []byte { b[2] &^= 0xe0; return b }, "unsupported blosc codec blosclz"},
		{"stream", func(b []byte) []byte {
			for i := 40; i < len(b); i++ {
				b[i] = 0xff
			}
			return b
		}, "lz4"},
	} {
		dir := copyStore(t, "testdata/blosc_lz4_f8")
		name := filepath.Join(dir, "1.0")
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, c.edit(b), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = array.FromZarr(dir).Compute(ctx, loopback())
		wantErr(t, c.what, err, "decompress chunk "+name, "blosc", c.want)
	}
}
