package npy

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godask/godask/array"
)

// header builds a version 1.0 .npy header for descr and a shape literal.
func header(descr, shape string) []byte {
	h := "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }"
	h += strings.Repeat(" ", (64-(10+len(h)+1)%64)%64) + "\n"
	b := append([]byte{}, magic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	return append(b, h...)
}

// TestBadHeaders: headers that lie about the data are errors, before the
// array is allocated, whether the reader can seek or not.
func TestBadHeaders(t *testing.T) {
	cases := []struct {
		name, shape, want string
		data              int
	}{
		{"huge 1-d", "(1000000000000000,)", "overflows", 30},
		{"product overflows int", "(4294967296, 4294967296)", "overflows", 30},
		{"bigger than file", "(1000,)", "needs 8000 bytes", 100},
		{"large but plausible", "(100000000,)", "needs 800000000 bytes", 8},
	}
	for _, c := range cases {
		b := append(header("<f8", c.shape), make([]byte, c.data)...)
		_, err := Read(bytes.NewReader(b))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s (seekable): err %v, want %q", c.name, err, c.want)
		}
		// A plain stream (no size known) must fail too, without allocating
		// what the header claims.
		_, err = Read(io.MultiReader(bytes.NewReader(b)))
		if err == nil {
			t.Errorf("%s (stream): no error", c.name)
		}
		p := filepath.Join(t.TempDir(), "x.npy")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = Load(p, array.Regular{10})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s (Load): err %v, want %q naming the file", c.name, err, c.want)
		}
	}
	// An honest zero-size shape still reads.
	d, err := Read(bytes.NewReader(header("<f8", "(0, 4294967296)")))
	if err != nil || d.Len() != 0 {
		t.Fatalf("zero-size: %v %v", d, err)
	}
}

// FuzzRead: any byte string either errors or decodes to an array that
// writes and reads back to the same shape and bytes.
func FuzzRead(f *testing.F) {
	for _, n := range []string{"f8.npy", "f4.npy", "i8.npy", "b1.npy"} {
		if b, err := os.ReadFile("testdata/" + n); err == nil {
			f.Add(b)
		}
	}
	f.Add(append(header("<f8", "(1000000000000000,)"), make([]byte, 30)...))
	f.Add(append(header("<i8", "(4294967296, 4294967296)"), make([]byte, 30)...))
	f.Add(append(header(">f4", "(2, 3)"), make([]byte, 24)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		var w bytes.Buffer
		if err := Write(&w, d); err != nil {
			t.Fatal(err)
		}
		e, err := Read(bytes.NewReader(w.Bytes()))
		if err != nil {
			t.Fatalf("re-read of our own output: %v", err)
		}
		if len(e.Shape) != len(d.Shape) || e.Len() != d.Len() {
			t.Fatalf("shape %v re-reads as %v", d.Shape, e.Shape)
		}
		var w2 bytes.Buffer
		Write(&w2, e)
		if !bytes.Equal(w.Bytes(), w2.Bytes()) {
			t.Fatal("round trip changed the bytes")
		}
	})
}
