package zarr_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godask/godask/array"
	"github.com/godask/godask/io/zarr"
	"github.com/godask/godask/sched"
)

var ctx = context.Background()

func loopback() sched.Option { return sched.WithExecutor(sched.NewLoopback()) }

// The fixtures were written once by /usr/bin/python3 with numpy (JSON plus
// raw little-endian chunk bytes, edge chunks zero-padded), and checked by
// hand with xxd: chunk 2.2 of f8_5x7_c2x3 starts 0x4043400000000000 = 38.5.
func TestReadNumPyFixture(t *testing.T) {
	a := array.FromZarr("testdata/f8_5x7_c2x3")
	if want := "array<shape=(5, 7), dtype=float64, chunks=(2, 3), tasks=9>"; a.String() != want {
		t.Fatalf("got %s, want %s", a, want)
	}
	d, err := a.Compute(ctx, loopback())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		for j := 0; j < 7; j++ {
			if got, want := d.At(i, j), float64(i*10)+float64(j)/4-3; got != want {
				t.Fatalf("[%d, %d] = %g, want %g", i, j, got, want)
			}
		}
	}
	b, err := array.FromZarr("testdata/i8_10_c4").Compute(ctx, loopback())
	if err != nil {
		t.Fatal(err)
	}
	if b.DType != array.Int64 || len(b.I64) != 10 {
		t.Fatalf("got %s %v", b.DType, b.Shape)
	}
	for i, v := range b.I64 {
		if v != int64(i*i-20) {
			t.Fatalf("[%d] = %d, want %d", i, v, i*i-20)
		}
	}
}

// copyStore copies a fixture store into a temporary directory.
func copyStore(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func editMeta(t *testing.T, dir, old, new string) {
	t.Helper()
	name := filepath.Join(dir, ".zarray")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), old, new, 1)
	if s == string(b) {
		t.Fatalf("%q not in %s", old, name)
	}
	if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("%s: error %q does not mention %q", what, err, p)
		}
	}
}

func TestBadMetadata(t *testing.T) {
	for _, c := range []struct{ old, new, msg string }{
		{`"<f8"`, `"<i4"`, `unsupported dtype "<i4"`},
		{`"<f8"`, `">f8"`, `unsupported dtype ">f8"`},
		{`"order": "C"`, `"order": "F"`, `unsupported order "F"`},
		{`"compressor": null`, `"compressor": {"id": "lz77"}`, `unsupported compressor "lz77"`},
		{`"compressor": null`, `"compressor": {"id": "blosc", "cname": "blosclz"}`, `unsupported blosc cname "blosclz"`},
		{`"compressor": null`, `"compressor": {"id": "blosc", "cname": "brotli"}`, `unknown blosc cname "brotli"`},
		{`"zarr_format": 2`, `"zarr_format": 3`, `unsupported zarr_format 3`},
		{`"filters": null`, `"filters": [{"id": "delta"}]`, `unsupported filters`},
		{`"dimension_separator": "."`, `"dimension_separator": "/"`, `unsupported dimension_separator`},
		{"3\n", "3,\n        4\n", "do not match shape"},
	} {
		dir := copyStore(t, "testdata/f8_5x7_c2x3")
		editMeta(t, dir, c.old, c.new)
		_, err := zarr.ReadMeta(dir)
		wantErr(t, c.msg, err, c.msg, filepath.Join(dir, ".zarray"))
		a := array.FromZarr(dir)
		wantErr(t, c.msg+" (FromZarr)", a.Err(), c.msg)
	}
	wantErr(t, "no store", array.FromZarr(t.TempDir()).Err(), "not a Zarr v2 array")
}

func TestBadChunks(t *testing.T) {
	// A missing chunk reads as fill_value.
	dir := copyStore(t, "testdata/f8_5x7_c2x3")
	if err := os.Remove(filepath.Join(dir, "1.2")); err != nil {
		t.Fatal(err)
	}
	editMeta(t, dir, `"fill_value": 0.0`, `"fill_value": "NaN"`)
	d, err := array.FromZarr(dir).Compute(ctx, loopback())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		for j := 0; j < 7; j++ {
			v := d.At(i, j)
			if missing := i/2 == 1 && j/3 == 2; missing != math.IsNaN(v) || !missing && v != float64(i*10)+float64(j)/4-3 {
				t.Fatalf("[%d, %d] = %g with chunk 1.2 missing", i, j, v)
			}
		}
	}

	// Truncated chunk.
	dir = copyStore(t, "testdata/f8_5x7_c2x3")
	if err := os.WriteFile(filepath.Join(dir, "0.1"), make([]byte, 40), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = array.FromZarr(dir).Compute(ctx, loopback())
	wantErr(t, "truncated chunk", err, filepath.Join(dir, "0.1"), "has 40 bytes, want 48")

	// Shape mismatch: metadata claims larger chunks than the files hold.
	dir = copyStore(t, "testdata/i8_10_c4")
	editMeta(t, dir, "4\n", "5\n")
	_, err = array.FromZarr(dir).Compute(ctx, loopback())
	wantErr(t, "chunk shape mismatch", err, "has 32 bytes, want 40")

	// Corrupt zstd.
	dir = filepath.Join(t.TempDir(), "z")
	if err := array.Ones([]int{100}, array.Regular{30}).ToZarr(ctx, dir, array.ZarrZstd(1)); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "2")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	for i := 4; i < len(b); i++ {
		b[i] ^= 0x5a
	}
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = array.FromZarr(dir).Compute(ctx, loopback())
	wantErr(t, "corrupt zstd", err, "decompress chunk "+name)
}

func TestMetaJSON(t *testing.T) {
	m := &zarr.Meta{Shape: []int{5, 7}, Chunks: []int{2, 3}, DType: "<f4", Compressor: zarr.Zstd(5)}
	b, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"zarr_format": 2`, `"dtype": "\u003cf4"`, `"id": "zstd"`, `"level": 5`, `"order": "C"`,
		`"filters": null`, `"dimension_separator": "."`, `"fill_value": 0`} {
		if !strings.Contains(string(b), s) {
			t.Fatalf("%s lacks %s", b, s)
		}
	}
	back, err := zarr.ParseMeta(b)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(back.Shape, back.Chunks, back.DType, *back.Compressor) != fmt.Sprint(m.Shape, m.Chunks, m.DType, *m.Compressor) {
		t.Fatalf("round trip: %+v, want %+v", back, m)
	}
	if g := back.Grid(); fmt.Sprint(g) != "[3 3]" {
		t.Fatalf("grid %v", g)
	}
}

// Write a chunked array as a zstd-compressed Zarr store and read it back
// lazily, one task per chunk file.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "zarr-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "x.zarr")

	x := array.Arange(0, 10, 1, 5).Reshape(2, 5).Rechunk(array.Regular{1, 3})
	if err := x.ToZarr(ctx, path, array.ZarrZstd(3)); err != nil {
		fmt.Println(err)
		return
	}
	y := array.FromZarr(path)
	fmt.Println(y)
	s, err := y.Sum().Compute(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.At())
	// Output:
	// array<shape=(2, 5), dtype=float64, chunks=(1, 3), tasks=4>
	// 45
}
