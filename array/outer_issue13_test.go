package array

import (
	"math"
	"math/rand"
	"testing"
)

// TestOuterAgainstLoop checks Outer (numpy.outer) against a naive double
// loop on random inputs: int64 products wrap exactly (no float64 round
// trip), float32 stays float32, bool is a logical and, a 2-d operand is
// flattened in C order, and uneven and empty chunkings give the same
// answer on every executor.
func TestOuterAgainstLoop(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	for trial := 0; trial < 12; trial++ {
		na, nb := rng.Intn(9), 1+rng.Intn(11)
		if trial == 0 {
			na = 0
		}
		ai, bi := make([]int64, na), make([]int64, nb)
		for i := range ai {
			ai[i] = rng.Int63() - rng.Int63()
		}
		for i := range bi {
			bi[i] = rng.Int63n(1 << 20)
		}
		if na > 1 {
			ai[0], ai[1] = math.MaxInt64, 1<<60+1
		}
		ca := Regular{1 + rng.Intn(3)}
		cb := Regular{1 + rng.Intn(4)}
		d := computeModes(t, Outer(fromInts(ai, ca), fromInts(bi, cb)))
		if d.DType != Int64 || !chunksEqual(d.Shape, []int{na, nb}) {
			t.Fatalf("int64 outer: dtype %v shape %v", d.DType, d.Shape)
		}
		for i := range ai {
			for j := range bi {
				if w := ai[i] * bi[j]; d.I64[i*nb+j] != w { // Go's int64 multiply wraps, as NumPy's
					t.Fatalf("int64 outer [%d,%d] = %d, want %d", i, j, d.I64[i*nb+j], w)
				}
			}
		}
		// float32, a 2-d first operand (flattened).
		r := 1 + rng.Intn(3)
		fa := make([]float64, r*nb)
		for i := range fa {
			fa[i] = rng.NormFloat64()
		}
		x := FromSlice(fa, []int{r, nb}, Regular{1 + rng.Intn(2), 1 + rng.Intn(4)}).AsType(Float32)
		y := FromSlice(fa[:nb], []int{nb}, cb).AsType(Float32)
		g := computeModes(t, Outer(x, y))
		if g.DType != Float32 || !chunksEqual(g.Shape, []int{r * nb, nb}) {
			t.Fatalf("float32 outer: dtype %v shape %v", g.DType, g.Shape)
		}
		for i := range fa {
			for j := 0; j < nb; j++ {
				if w := float32(fa[i]) * float32(fa[j]); g.F32[i*nb+j] != w {
					t.Fatalf("float32 outer [%d,%d] = %v, want %v", i, j, g.F32[i*nb+j], w)
				}
			}
		}
		// bool: logical and.
		bb := make([]float64, nb)
		for i := range bb {
			bb[i] = float64(rng.Intn(2))
		}
		z := FromSlice(bb, []int{nb}, cb).AsType(Bool)
		h := computeModes(t, Outer(z, z))
		if h.DType != Bool {
			t.Fatalf("bool outer: dtype %v", h.DType)
		}
		for i := range bb {
			for j := range bb {
				if w := bb[i] != 0 && bb[j] != 0; h.B[i*nb+j] != w {
					t.Fatalf("bool outer [%d,%d] = %v, want %v", i, j, h.B[i*nb+j], w)
				}
			}
		}
	}
}

// TestFromArrayDoesNotCopy checks FromArray keeps the caller's slice: data
// changed after FromArray (which the caller promises not to do) shows in
// the computed blocks, for row chunks (sub-slices) and for a chunking that
// splits columns too (read out at compute time); FromDense's copy does not
// see it.
func TestFromArrayDoesNotCopy(t *testing.T) {
	for _, ch := range []Chunking{Regular{2, 5}, Regular{3, 2}} {
		d := NewDense(Float64, 5, 5)
		for i := range d.Data {
			d.Data[i] = float64(i)
		}
		a := FromArray(d, ch)
		s := a.Sum()
		d.Data[7] = 1000
		got := mustCompute(t, s).Data[0]
		if want := float64(24*25/2 - 7 + 1000); got != want {
			t.Fatalf("chunks %v: sum after change %v, want %v (FromArray copied)", ch, got, want)
		}
	}
	d := NewDense(Float64, 4)
	c := FromDense(d, nil)
	d.Data[0] = 5
	if got := mustCompute(t, c.Sum()).Data[0]; got != 0 {
		t.Fatalf("FromDense sees a later change: %v", got)
	}
}
