package array

import (
	"context"
	"errors"
	"math/rand"
	"strings"
	"sync"
	"testing"

	"github.com/godask/godask/sched"
)

// memWriter assembles the blocks it receives into one Dense.
type memWriter struct {
	mu     sync.Mutex
	out    *Dense
	chunks [][]int
	seen   map[string]bool
	fail   bool
}

func (w *memWriter) WriteBlock(_ context.Context, idx []int, b *Dense) error {
	if w.fail {
		return errors.New("disk full")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	k := shapeString(idx)
	if w.seen[k] {
		return errors.New("block written twice")
	}
	w.seen[k] = true
	copyInto(w.out, blockStart(w.chunks, idx), b)
	return nil
}

func TestStoreIntoBlockWriter(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	d := offsetDense([]int{7, 5})
	for k, ch := range chunkings(rng, d.Shape) {
		x := FromDense(d, ch)
		w := &memWriter{out: NewDense(Int64, 7, 5), chunks: x.Chunks(), seen: map[string]bool{}}
		opts := [][]sched.Option{nil, {sched.WithExecutor(sched.NewLoopback())}, {sched.WithMemoryLimit(1 << 10)}}[k%3]
		if err := x.Store(ctx, w, opts...); err != nil {
			t.Fatal(err)
		}
		if len(w.seen) != x.NumBlocks() {
			t.Fatalf("%d blocks written of %d", len(w.seen), x.NumBlocks())
		}
		for i, v := range d.I64 {
			if w.out.I64[i] != v {
				t.Fatalf("element %d = %d, want %d", i, w.out.I64[i], v)
			}
		}
	}
	err := FromDense(d, Regular{2, 2}).Store(ctx, &memWriter{fail: true})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "Store") {
		t.Fatalf("failing writer: %v", err)
	}
	if err := FromDense(d, nil).Store(ctx, nil); err == nil {
		t.Fatal("nil writer: no error")
	}
}

func init() {
	// out[i, j] = x[i, j] + sum_k y[j, k]: "ij" from x "ij" and y "jk".
	RegisterKernelFunc("test.addrowsum", func(_ []byte, b []*Dense) (*Dense, error) {
		x, y := b[0], b[1]
		out := NewDense(Int64, x.Shape...)
		r, c, k := x.Shape[0], x.Shape[1], y.Shape[1]
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				s := x.I64[i*c+j]
				for q := 0; q < k; q++ {
					s += y.I64[j*k+q]
				}
				out.I64[i*c+j] = s
			}
		}
		return out, nil
	})
}

func TestBlockwiseIndex(t *testing.T) {
	rng := rand.New(rand.NewSource(10))
	xd, yd := offsetDense([]int{6, 5}), offsetDense([]int{5, 4})
	for k := 0; k < 4; k++ {
		x := FromDense(xd, irregular(rng, xd.Shape))
		y := FromDense(yd, irregular(rng, yd.Shape))
		z := BlockwiseIndex("test.addrowsum", Int64, "ij", x, "ij", y, "jk")
		if z.Err() != nil {
			t.Fatal(z.Err())
		}
		got := mustCompute(t, z)
		for i := 0; i < 6; i++ {
			for j := 0; j < 5; j++ {
				w := xd.I64[i*5+j]
				for q := 0; q < 4; q++ {
					w += yd.I64[j*4+q]
				}
				if got.I64[i*5+j] != w {
					t.Fatalf("(%d,%d) = %d, want %d", i, j, got.I64[i*5+j], w)
				}
			}
		}
	}
	x := FromDense(xd, nil)
	if e := BlockwiseIndex("nope", Int64, "ij", x, "ij"); e.Err() == nil || !strings.Contains(e.Err().Error(), "not registered") {
		t.Errorf("unregistered: %v", e.Err())
	}
	for _, e := range []*Array{
		BlockwiseIndex("test.addrowsum", Int64, "ij", x, "i"),
		BlockwiseIndex("test.addrowsum", Int64, "iz", x, "ij"),
		BlockwiseIndex("test.addrowsum", Int64, "ij", x, "ij", FromDense(yd, nil), "ij"),
		BlockwiseIndex("test.addrowsum", Int64, "ij", x),
		BlockwiseIndex("test.addrowsum", Int64, "ii", x, "ij"),
	} {
		if e.Err() == nil || !strings.Contains(e.Err().Error(), "BlockwiseIndex") {
			t.Errorf("bad call: error %v", e.Err())
		}
	}
}

func TestStoreIntoZarrWriter(t *testing.T) {
	d := offsetDense([]int{7, 5})
	x := FromDense(d, Regular{3, 2})
	dir := t.TempDir() + "/z"
	w, err := CreateZarr(dir, Int64, []int{7, 5}, []int{3, 2}, ZarrZstd(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Store(ctx, w, sched.WithExecutor(sched.NewLoopback())); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := mustCompute(t, FromZarr(dir))
	for i, v := range d.I64 {
		if got.I64[i] != v {
			t.Fatalf("element %d = %d, want %d", i, got.I64[i], v)
		}
	}
	// Blocks that do not match the store's chunks are refused by name.
	err = FromDense(d, Regular{2, 2}).Store(ctx, w)
	if err == nil || !strings.Contains(err.Error(), "ZarrWriter") {
		t.Fatalf("mismatched chunks: %v", err)
	}
	if _, err := CreateZarr(t.TempDir(), Int64, []int{3}, []int{0}); err == nil {
		t.Fatal("zero chunk: no error")
	}
}
