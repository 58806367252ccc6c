package npy

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/godask/godask/array"
)

func TestReadNumPyFiles(t *testing.T) {
	f8, err := Load("testdata/f8.npy", array.Regular{2, 3})
	if err != nil {
		t.Fatal(err)
	}
	d, err := f8.Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d.Shape[0] != 3 || d.Shape[1] != 4 {
		t.Fatalf("shape %v", d.Shape)
	}
	for i, v := range d.Data {
		if v != float64(i)/4-1 {
			t.Fatalf("f8[%d] = %v", i, v)
		}
	}
	read := func(name string) *array.Dense {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Read(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		// Round trip: what we write reads back the same and matches byte
		// for byte what NumPy wrote (same header layout).
		var buf bytes.Buffer
		if err := Write(&buf, d); err != nil {
			t.Fatal(err)
		}
		if name != "f4_fortran.npy" && !bytes.Equal(buf.Bytes(), b) {
			t.Fatalf("%s: our encoding differs from NumPy's", name)
		}
		return d
	}
	i8 := read("i8.npy")
	if i8.I64[3] != 1<<40 || i8.I64[1] != -2 {
		t.Fatalf("i8 %v", i8.I64)
	}
	b1 := read("b1.npy")
	if !b1.B[0] || b1.B[1] || !b1.B[2] {
		t.Fatalf("b1 %v", b1.B)
	}
	f4 := read("f4_fortran.npy")
	if f4.Shape[0] != 2 || f4.Shape[1] != 3 || f4.F32[1] != 1 || f4.F32[3] != 3 {
		t.Fatalf("fortran f4 %v %v", f4.Shape, f4.F32)
	}
	read("f8.npy")
}

func TestSaveLoad(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.npy")
	x := array.Normal(1, 0, 1, []int{7, 5}, array.Regular{3, 2})
	if err := Save(context.Background(), p, x); err != nil {
		t.Fatal(err)
	}
	y, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff, err := array.Abs(x.Sub(y)).Max().Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff.Data[0] != 0 {
		t.Fatalf("round trip differs by %v", diff.Data[0])
	}
	if _, err := Read(bytes.NewReader([]byte("not npy at all"))); err == nil {
		t.Fatal("garbage accepted")
	}
}
