package array

import (
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/godask/godask/sched"
)

// randOf returns random data of every dtype (exact values, so round trips
// compare with ==).
func randOf(rng *rand.Rand, dt DType, shape ...int) *Dense {
	d := NewDense(dt, shape...)
	for i := 0; i < d.Len(); i++ {
		switch dt {
		case Float64:
			d.Data[i] = rng.NormFloat64()
		case Float32:
			d.F32[i] = float32(rng.NormFloat64())
		case Int64:
			d.I64[i] = rng.Int63() - 1<<62
		case Bool:
			d.B[i] = rng.Intn(2) == 1
		}
	}
	return d
}

func TestZarrRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	cases := []struct {
		dt     DType
		shape  []int
		chunks Chunking
		zstd   bool
	}{
		{Float64, []int{23, 17}, Regular{5, 4}, false},
		{Float64, []int{23, 17}, Regular{5, 4}, true},
		{Float32, []int{9, 8, 7}, Regular{4, 3, 7}, true},
		{Int64, []int{31}, Regular{8}, false},
		{Bool, []int{6, 11}, Regular{4, 5}, true},
		{Float64, []int{13, 10}, nil, true},                     // one block
		{Float64, []int{20, 9}, Explicit{{3, 9, 8}, {9}}, true}, // irregular: rechunked
		{Int64, []int{4, 0}, Regular{2, 2}, false},              // no elements
		{Float64, []int{}, nil, true},                           // 0-d
	}
	for i, c := range cases {
		d := randOf(rng, c.dt, c.shape...)
		a := FromDense(d, c.chunks)
		dir := filepath.Join(t.TempDir(), "a.zarr")
		opts := []ZarrOption{ZarrSchedule(sched.WithExecutor(sched.NewLoopback()))}
		if c.zstd {
			opts = append(opts, ZarrZstd(3))
		}
		if err := a.ToZarr(ctx, dir, opts...); err != nil {
			t.Fatalf("case %d: ToZarr: %v", i, err)
		}
		b := FromZarr(dir)
		if b.Err() != nil {
			t.Fatalf("case %d: FromZarr: %v", i, b.Err())
		}
		got, err := b.Compute(ctx, sched.WithExecutor(sched.NewLoopback()))
		if err != nil {
			t.Fatalf("case %d: compute: %v", i, err)
		}
		if got.DType != d.DType || !reflect.DeepEqual(got.Shape, d.Shape) {
			t.Fatalf("case %d: got %s %v, want %s %v", i, got.DType, got.Shape, d.DType, d.Shape)
		}
		if !reflect.DeepEqual(got.Data, d.Data) || !reflect.DeepEqual(got.F32, d.F32) ||
			!reflect.DeepEqual(got.I64, d.I64) || !reflect.DeepEqual(got.B, d.B) {
			t.Fatalf("case %d: round trip changed the data", i)
		}
		// Blocks are the store's chunks; the irregular case was rechunked.
		if sizes, ok := regularChunkSizes(a.chunks); ok && len(c.shape) > 0 && d.Len() > 0 {
			if !reflect.DeepEqual(b.Chunks(), a.Chunks()) {
				t.Fatalf("case %d: chunks %v, want %v (%v)", i, b.Chunks(), a.Chunks(), sizes)
			}
		}
		if i == 6 && !reflect.DeepEqual(b.Chunks(), [][]int{{9, 9, 2}, {9}}) {
			t.Fatalf("rechunked store has chunks %v, want ((9, 9, 2), (9))", b.Chunks())
		}
		// Writing again replaces the store, also with another chunking.
		if err := FromDense(d, nil).ToZarr(ctx, dir); err != nil {
			t.Fatalf("case %d: overwrite: %v", i, err)
		}
		if n := FromZarr(dir).NumBlocks(); n != 1 {
			t.Fatalf("case %d: overwritten store has %d blocks", i, n)
		}
	}
}

func TestZarrEdgeChunksPadded(t *testing.T) {
	dir := t.TempDir()
	a := FromSlice([]float64{1, 2, 3, 4, 5}, []int{5}, Regular{2})
	if err := a.ToZarr(ctx, dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "2"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 16 {
		t.Fatalf("edge chunk has %d bytes, want 16 (padded to the chunk size)", len(b))
	}
}

func TestZarrWriteErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Ones([]int{3}, nil).ToZarr(ctx, dir)
	if err == nil {
		t.Fatal("ToZarr into a non-empty directory: no error")
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Fatalf("unrelated file lost: %v", err)
	}
	if err := Ones([]int{-1}, nil).ToZarr(ctx, t.TempDir()); err == nil {
		t.Fatal("ToZarr of an erroneous array: no error")
	}
}
