package array

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

func init() {
	RegisterMapFunc("test.boxsum1", func(b []*Dense) (*Dense, error) { return boxSum(b[0], 1), nil })
	RegisterMapFunc("test.boxsum2", func(b []*Dense) (*Dense, error) { return boxSum(b[0], 2), nil })
	RegisterMapFunc("test.addpair", func(b []*Dense) (*Dense, error) {
		out := NewDense(Int64, b[0].Shape...)
		for i := range out.I64 {
			out.I64[i] = b[0].I64[i] + 3*b[1].I64[i]
		}
		return out, nil
	})
}

// boxSum is the naive N-d sum over the (2r+1)^nd neighbourhood of every
// element of an int64 block, zero outside.
func boxSum(d *Dense, r int) *Dense {
	d = d.convert(Int64)
	out := NewDense(Int64, d.Shape...)
	nd := len(d.Shape)
	win := make([]int, nd)
	for i := range win {
		win[i] = 2*r + 1
	}
	_ = forEachBlock(d.Shape, func(flat int, idx []int) error {
		var s int64
		_ = forEachBlock(win, func(_ int, o []int) error {
			off := 0
			for ax := range o {
				p := idx[ax] + o[ax] - r
				if p < 0 || p >= d.Shape[ax] {
					return nil
				}
				off += p * d.Strides[ax]
			}
			s += d.I64[off]
			return nil
		})
		out.I64[flat] = s
		return nil
	})
	return out
}

func TestMapOverlapAgainstPaddedWhole(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	modes := map[Boundary]PadMode{BoundaryReflect: PadSymmetric, BoundaryPeriodic: PadWrap, BoundaryNearest: PadEdge, BoundaryConstant: PadConstant}
	opts := [][]sched.Option{nil, {sched.WithExecutor(sched.NewLoopback())}, {sched.WithMemoryLimit(1 << 10)}}
	n := 0
	for _, shape := range [][]int{{13}, {9, 11}, {5, 4, 6}, {0, 5}, {1, 7}} {
		d := NewDense(Int64, shape...)
		for i := range d.I64 {
			d.I64[i] = rng.Int63n(1000) - 500 + fixtureOffset
		}
		for _, r := range []int{1, 2} {
			for _, bnd := range []Boundary{BoundaryNone, BoundaryReflect, BoundaryPeriodic, BoundaryNearest, BoundaryConstant} {
				skip := false
				for _, s := range shape {
					if s < r && bnd != BoundaryNone && bnd != BoundaryConstant || s == 0 && bnd != BoundaryNone {
						skip = true
					}
				}
				if skip {
					continue
				}
				depth := make([]int, len(shape))
				w := make([][2]int, len(shape))
				for i := range depth {
					depth[i] = r
					w[i] = [2]int{r, r}
				}
				var want *Dense
				if bnd == BoundaryNone {
					want = boxSum(d, r)
				} else {
					p := mustCompute(t, FromDense(d, nil).Pad(w, modes[bnd], 5))
					want = extractBlock(boxSum(p, r), depth, shape)
				}
				for k, ch := range chunkings(rng, shape) {
					x := FromDense(d, ch)
					y := MapOverlap("test.boxsum"+string(rune('0'+r)), Int64, OverlapOptions{Depth: depth, Boundary: bnd, Value: 5}, x)
					if y.Err() != nil {
						t.Fatalf("MapOverlap %v %s r=%d chunks %v: %v", shape, bnd, r, x.Chunks(), y.Err())
					}
					got, err := y.Compute(ctx, opts[k%3]...)
					if err != nil {
						t.Fatalf("MapOverlap %v %s r=%d chunks %v: %v", shape, bnd, r, x.Chunks(), err)
					}
					if !chunksEqual(got.Shape, shape) {
						t.Fatalf("shape %v, want %v", got.Shape, shape)
					}
					for i := range want.I64 {
						if got.I64[i] != want.I64[i] {
							t.Fatalf("MapOverlap %v %s r=%d chunks %v: element %d = %d, want %d", shape, bnd, r, x.Chunks(), i, got.I64[i], want.I64[i])
						}
					}
					n++
				}
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d cases", n)
	}
}

func TestMapOverlapTwoInputsAndNoTrim(t *testing.T) {
	a := FromDense(offsetDense([]int{10}), Regular{4})
	b := FromDense(offsetDense([]int{10}), Regular{3})
	got := mustCompute(t, MapOverlap("test.addpair", Int64, OverlapOptions{Depth: []int{1}, Boundary: BoundaryPeriodic}, a, b))
	for i, v := range got.I64 {
		if v != 4*(fixtureOffset+int64(i)) {
			t.Fatalf("element %d = %d", i, v)
		}
	}
	nt := MapOverlap("test.boxsum1", Int64, OverlapOptions{Depth: []int{2}, NoTrim: true}, FromDense(offsetDense([]int{10}), Regular{4}))
	if c := nt.Chunks()[0]; !chunksEqual(c, []int{6, 8, 4}) {
		t.Fatalf("NoTrim chunks %v, want [6 8 4]", c)
	}
	mustCompute(t, nt)
}

func TestMapOverlapBadInput(t *testing.T) {
	x := FromDense(offsetDense([]int{5, 6}), Regular{2, 2})
	for _, c := range []struct {
		y    *Array
		want string
	}{
		{MapOverlap("nope", Int64, OverlapOptions{}, x), "not registered"},
		{MapOverlap("test.boxsum1", Int64, OverlapOptions{Depth: []int{-1}}, x), "negative depth"},
		{MapOverlap("test.boxsum1", Int64, OverlapOptions{Depth: []int{1, 1, 1}}, x), "axes"},
		{MapOverlap("test.boxsum1", Int64, OverlapOptions{Depth: []int{9}, Boundary: BoundaryReflect}, x), "larger than the axis"},
		{MapOverlap("test.boxsum1", Int64, OverlapOptions{Boundary: "mirror"}, x), "unknown boundary"},
		{MapOverlap("test.boxsum1", Int64, OverlapOptions{}), "no arrays"},
	} {
		if c.y.Err() == nil || !strings.Contains(c.y.Err().Error(), c.want) || !strings.Contains(c.y.Err().Error(), "MapOverlap") {
			t.Errorf("error %v, want one naming MapOverlap and %q", c.y.Err(), c.want)
		}
	}
	// A depth longer than the chunks rechunks (as dask) and stays right.
	y := MapOverlap("test.boxsum2", Int64, OverlapOptions{Depth: []int{3, 3}, Boundary: BoundaryNone}, x)
	if y.Err() != nil {
		t.Fatal(y.Err())
	}
	for _, c := range y.Chunks() {
		for _, v := range c {
			if v < 3 {
				t.Fatalf("chunks %v after rechunk", y.Chunks())
			}
		}
	}
}

func init() {
	// test.f64box writes the 3×3 box sum into a fresh block; test.f64inplace
	// writes x+2·(left neighbour) into its input block and returns it (the
	// pooled halo'd block must then not be reused).
	RegisterMapFunc("test.f64box", func(b []*Dense) (*Dense, error) {
		x := b[0]
		r, c := x.Shape[0], x.Shape[1]
		out := NewDense(Float64, r, c)
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				s := 0.0
				for di := -1; di <= 1; di++ {
					for dj := -1; dj <= 1; dj++ {
						if i+di >= 0 && i+di < r && j+dj >= 0 && j+dj < c {
							s += x.Data[(i+di)*c+j+dj]
						}
					}
				}
				out.Data[i*c+j] = s
			}
		}
		return out, nil
	})
	RegisterMapFunc("test.f64inplace", func(b []*Dense) (*Dense, error) {
		x := b[0]
		r, c := x.Shape[0], x.Shape[1]
		for i := 0; i < r; i++ {
			for j := c - 1; j > 0; j-- {
				x.Data[i*c+j] += 2 * x.Data[i*c+j-1]
			}
		}
		return x, nil
	})
}

// TestMapOverlapFloat64PooledBlocks checks the float64 path (halo'd blocks
// in reused buffers, the trim done in place) against a naive loop over the
// whole array padded with the constant, repeatedly so buffers are reused.
func TestMapOverlapFloat64PooledBlocks(t *testing.T) {
	rng := rand.New(rand.NewSource(34))
	const R, C = 23, 17
	whole := NewDense(Float64, R, C)
	for i := range whole.Data {
		whole.Data[i] = rng.Float64()*10 - 5
	}
	at := func(i, j int, v float64) float64 {
		if i < 0 || i >= R || j < 0 || j >= C {
			return v
		}
		return whole.Data[i*C+j]
	}
	for rep := 0; rep < 3; rep++ {
		for _, v := range []float64{0, 1.5} {
			a := FromDense(whole, Explicit{{5, 9, 9}, {4, 4, 9}})
			o := OverlapOptions{Depth: []int{1, 1}, Boundary: BoundaryConstant, Value: v}
			box := mustCompute(t, MapOverlap("test.f64box", Float64, o, a))
			inpl := mustCompute(t, MapOverlap("test.f64inplace", Float64, o, a))
			for i := 0; i < R; i++ {
				for j := 0; j < C; j++ {
					s := 0.0
					for di := -1; di <= 1; di++ {
						for dj := -1; dj <= 1; dj++ {
							s += at(i+di, j+dj, v)
						}
					}
					if g := box.Data[i*C+j]; math.Abs(g-s) > 1e-9 {
						t.Fatalf("rep %d value %g: box[%d,%d] = %g, want %g", rep, v, i, j, g, s)
					}
				}
			}
			for i := 0; i < R; i++ {
				for j := 0; j < C; j++ {
					want := at(i, j, v) + 2*at(i, j-1, v)
					if g := inpl.Data[i*C+j]; math.Abs(g-want) > 1e-9 {
						t.Fatalf("rep %d value %g: inplace[%d,%d] = %g, want %g", rep, v, i, j, g, want)
					}
				}
			}
		}
	}
}
