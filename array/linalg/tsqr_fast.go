package linalg

import (
	"fmt"
	"math"

	"github.com/godask/godask/array"
)

// R-only tall-skinny QR for Lstsq. Each row block is absorbed into an upper
// triangular R a chunk of rows at a time with Householder reflections on
// the structured matrix [R; Y] (Y a chunk of rows, held column by column so
// every reflection is a contiguous dot and axpy in L1): the block is read
// once and Q is never formed. Factoring [A b] instead of A gives R and
// c = Qᵀb together, so Lstsq solves R x = c without touching Q (the
// classical Golub least-squares method, as stable as Householder QR).

func init() {
	array.RegisterKernelFunc("linalg.r-aug", rAugKernel)
	array.RegisterKernelFunc("linalg.r-stack", rStackKernel)
}

const absorbRows = 128 // rows per chunk: 128 rows of 21 float64 are 21 KB

// rAbsorb updates the q×q upper triangular r (row-major; it may start at
// zero) to the R factor of [r; y], for y nr×q with row stride ldy. The
// diagonal of r may come out negative.
func rAbsorb(r []float64, q int, y []float64, nr, ldy int, w []float64) {
	for l0 := 0; l0 < nr; l0 += absorbRows {
		n := min(absorbRows, nr-l0)
		w := w[:q*n]
		for l := 0; l < n; l++ {
			row := y[(l0+l)*ldy : (l0+l)*ldy+q]
			for c, v := range row {
				w[c*n+l] = v
			}
		}
		for j := 0; j < q; j++ {
			v := w[j*n : (j+1)*n]
			xnorm := norm2(v)
			if xnorm == 0 {
				continue
			}
			alpha := r[j*q+j]
			beta := -math.Copysign(math.Hypot(alpha, xnorm), alpha)
			tau := (beta - alpha) / beta
			scale(1/(alpha-beta), v)
			r[j*q+j] = beta
			for c := j + 1; c < q; c++ {
				wc := w[c*n : (c+1)*n]
				s := tau * (r[j*q+c] + dot(v, wc))
				r[j*q+c] -= s
				axpy(-s, v, wc)
			}
		}
	}
}

// norm2 is the Euclidean norm, scaled when the plain sum of squares would
// overflow or underflow.
func norm2(x []float64) float64 {
	s := dot(x, x)
	if s > 1e-290 && s < 1e290 {
		return math.Sqrt(s)
	}
	mx := 0.0
	for _, v := range x {
		mx = math.Max(mx, math.Abs(v))
	}
	if mx == 0 {
		return 0
	}
	t := 0.0
	for _, v := range x {
		u := v / mx
		t += u * u
	}
	return mx * math.Sqrt(t)
}

func dot(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func axpy(a float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

func scale(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}

// rAugKernel returns the R factor ((p+m)×(p+m)) of the row block [A b],
// A in[0] (r×p) and b in[1] (r or r×m).
func rAugKernel(_ []byte, in []*array.Dense) (*array.Dense, error) {
	a, b := in[0], in[1]
	if err := checkFinite("Lstsq", a); err != nil {
		return nil, err
	}
	if err := checkFinite("Lstsq", b); err != nil {
		return nil, err
	}
	rows, p := a.Shape[0], a.Shape[1]
	m := 1
	if len(b.Shape) == 2 {
		m = b.Shape[1]
	}
	if b.Shape[0] != rows {
		return nil, fmt.Errorf("linalg: Lstsq: row blocks of %d and %d rows", rows, b.Shape[0])
	}
	q := p + m
	ad, bd := a.Float64s(), b.Float64s()
	out := array.NewDense(array.Float64, q, q)
	w := make([]float64, q*absorbRows)
	y := make([]float64, absorbRows*q)
	for l0 := 0; l0 < rows; l0 += absorbRows {
		n := min(absorbRows, rows-l0)
		for l := 0; l < n; l++ {
			copy(y[l*q:l*q+p], ad[(l0+l)*p:(l0+l+1)*p])
			copy(y[l*q+p:(l+1)*q], bd[(l0+l)*m:(l0+l+1)*m])
		}
		rAbsorb(out.Data, q, y, n, q, w)
	}
	return out, nil
}

// rStackKernel returns the R factor of the stacked q×q factors in.
func rStackKernel(_ []byte, in []*array.Dense) (*array.Dense, error) {
	q := in[0].Shape[1]
	out := array.NewDense(array.Float64, q, q)
	w := make([]float64, q*absorbRows)
	for _, d := range in {
		rAbsorb(out.Data, q, d.Data, q, q, w)
	}
	return out, nil
}

// lstsqAug is Lstsq through the R factor of [a b]; a has one column block.
func lstsqAug(a, b *array.Array) *array.Array {
	sa, sb := a.Shape(), b.Shape()
	p := sa[1]
	m := 1
	if len(sb) == 2 {
		m = sb[1]
	}
	q := p + m
	rows := a.Chunks()[0]
	k := len(rows)
	bc := b.Rechunk(array.Explicit{rows})
	if len(sb) == 2 {
		bc = b.Rechunk(array.Explicit{rows, {m}})
	}
	rch := make([]int, k)
	for i := range rch {
		rch[i] = q
	}
	parts := array.Blockwise("linalg.r-aug", array.Float64, []int{k * q, q}, array.Explicit{rch, {q}},
		[]*array.Array{a, bc}, func(idx []int) []array.BlockRef {
			bi := []int{idx[0]}
			if len(sb) == 2 {
				bi = []int{idx[0], 0}
			}
			return []array.BlockRef{{Input: 0, Index: idx}, {Input: 1, Index: bi}}
		}, nil)
	raug := array.Blockwise("linalg.r-stack", array.Float64, []int{q, q}, array.Explicit{{q}, {q}},
		[]*array.Array{parts}, func([]int) []array.BlockRef {
			refs := make([]array.BlockRef, k)
			for i := range refs {
				refs[i] = array.BlockRef{Input: 0, Index: []int{i, 0}}
			}
			return refs
		}, nil)
	r := raug.Slice(array.S(0, p), array.S(0, p))
	c := raug.Slice(array.S(0, p), array.At(p))
	if len(sb) == 2 {
		c = raug.Slice(array.S(0, p), array.S(p, q))
	}
	return SolveTriangular(r, c, false)
}
