package array

import (
	"math"
	"math/rand"
	"testing"
)

// TestInt64LayoutsAndMixing covers int64 leaves read transposed and
// broadcast, int64 mixed with floats, casts with NaN and out-of-range
// values, and where with a float condition over int64 arms, against naive
// loops.
func TestInt64LayoutsAndMixing(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	r, c := 7, 9
	v := extremeInts(rng, r*c)
	d := NewDense(Int64, r, c)
	copy(d.I64, v)
	sq := NewDense(Int64, c, c)
	copy(sq.I64, extremeInts(rng, c*c))
	s := FromDense(sq, Regular{4, 3})
	got := mustCompute(t, s.Add(s.T()))
	for i := 0; i < c; i++ {
		for j := 0; j < c; j++ {
			if w := sq.I64[i*c+j] + sq.I64[j*c+i]; got.I64[i*c+j] != w {
				t.Fatalf("x + x.T [%d,%d] = %d, want %d", i, j, got.I64[i*c+j], w)
			}
		}
	}
	x := FromDense(d, Regular{3, 4})
	col := NewDense(Int64, r, 1)
	for i := range col.I64 {
		col.I64[i] = v[i*c]
	}
	row := NewDense(Int64, c)
	copy(row.I64, v[:c])
	b := mustCompute(t, x.Sub(FromDense(col, Regular{2, 1})).Maximum(FromDense(row, Regular{5})))
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if w := max(v[i*c+j]-v[i*c], v[j]); b.I64[i*c+j] != w {
				t.Fatalf("broadcast [%d,%d] = %d, want %d", i, j, b.I64[i*c+j], w)
			}
		}
	}
	// int64 + float64 is float64 (each int rounded once, as NumPy).
	f := randDense(rng, r, c)
	mix := mustCompute(t, x.Add(FromDense(f, Regular{7, 2})))
	if mix.DType != Float64 {
		t.Fatalf("int64 + float64: %s", mix.DType)
	}
	for i := range mix.Data {
		if w := float64(v[i]) + f.Data[i]; mix.Data[i] != w {
			t.Fatalf("int64 + float64 [%d] = %v, want %v", i, mix.Data[i], w)
		}
	}
	// float to int64: truncation, NaN and out of range give MinInt64.
	fv := []float64{2.9, -2.9, math.NaN(), math.Inf(1), 1e19, -1e19, 0x1p62}
	ci := mustCompute(t, FromSlice(fv, []int{len(fv)}, Regular{3}).AsType(Int64))
	for i, w := range []int64{2, -2, math.MinInt64, math.MinInt64, math.MinInt64, math.MinInt64, 1 << 62} {
		if ci.I64[i] != w {
			t.Fatalf("astype(int64) of %v = %d, want %d", fv[i], ci.I64[i], w)
		}
	}
	// where with a float condition (0.5 is true) over int64 arms.
	cond := FromSlice([]float64{0.5, 0, math.NaN(), -1}, []int{4}, Regular{3})
	wh := mustCompute(t, Where(cond, ScalarInt(math.MaxInt64), fromInts([]int64{1, 2, 3, 4}, Regular{2})))
	for i, w := range []int64{math.MaxInt64, 2, math.MaxInt64, math.MaxInt64} {
		if wh.I64[i] != w {
			t.Fatalf("where [%d] = %d, want %d", i, wh.I64[i], w)
		}
	}
	// Constants fold exactly.
	k := mustCompute(t, ScalarInt(math.MaxInt64).Sub(ScalarInt(1)).Add(fromInts([]int64{0}, nil)))
	if k.I64[0] != math.MaxInt64-1 {
		t.Fatalf("folded constant: %d", k.I64[0])
	}
	// Empty int64 blocks.
	e := mustCompute(t, fromInts(nil, nil).Mul(ScalarInt(3)).Mod(ScalarInt(2)))
	if e.Len() != 0 || e.DType != Int64 {
		t.Fatalf("empty: %v %s", e.Shape, e.DType)
	}
	// Float64 elementwise chains stay one task per block.
	fx := FromDense(f, Regular{4, 9})
	if n := Exp(fx.MulScalar(2).AddScalar(1)).Add(Log(fx)).numTasks(); n > 2*fx.NumBlocks() {
		t.Fatalf("fused chain has %d tasks for %d blocks", n, fx.NumBlocks())
	}
}
