package linalg

import (
	"fmt"
	"math"

	"github.com/godask/godask/array"
)

// The first TSQR stage factors each row block (rows×p) without forming Q:
// the first chunk of rows by plain Householder QR, every further chunk of
// absorbRows rows absorbed into R by the structured reflections of rAbsorb.
// The block's output keeps the reflectors, so the last stage can apply the
// block's Q to its share of the stacked factor's Q — the same factorization
// as the R the middle stage stacks, never a second one. Every pass is over
// a chunk in L1, held column by column, so the block is read once.
//
// Output layout, a (rows + chunks + p) × p block, flat:
//   - rows*p values: the chunks' reflector vectors, column by column per
//     chunk (the first chunk also holds its R in its upper triangle);
//   - chunks*p values: each chunk's reflector scalars tau;
//   - p*p values: the block's R (the last p rows, as qr-stack reads them).

// qrChunks returns the row counts of the chunks of a block of rows rows.
func qrChunks(rows, p int) []int {
	c0 := min(rows, max(absorbRows, p))
	out := []int{c0}
	for s := c0; s < rows; s += absorbRows {
		out = append(out, min(absorbRows, rows-s))
	}
	return out
}

// qrBlockRows is the number of rows of the first stage's output block.
func qrBlockRows(rows, p int) int { return rows + len(qrChunks(rows, p)) + p }

// householder turns the vector [alpha; x] into [beta; 0] with H = I - tau v
// vᵀ, v = [1; x scaled] (LAPACK's dlarfg): x is overwritten with the
// scaled tail of v; it returns beta and tau (0 when x is already zero).
func householder(alpha float64, x []float64) (beta, tau float64) {
	xnorm := norm2(x)
	if xnorm == 0 {
		return alpha, 0
	}
	beta = -math.Copysign(math.Hypot(alpha, xnorm), alpha)
	tau = (beta - alpha) / beta
	scale(1/(alpha-beta), x)
	return beta, tau
}

func qrBlock(_ []byte, in []*array.Dense) (*array.Dense, error) {
	a := in[0]
	if err := checkFinite("TSQR", a); err != nil {
		return nil, err
	}
	rows, p := a.Shape[0], a.Shape[1]
	x := a.Float64s()
	chunks := qrChunks(rows, p)
	out := array.NewDense(array.Float64, rows+len(chunks)+p, p)
	vs := out.Data[:rows*p]
	taus := out.Data[rows*p : (rows+len(chunks))*p]
	r := out.Data[(rows+len(chunks))*p:]
	off := 0
	for s, n := range chunks {
		w := vs[off*p : (off+n)*p]
		for l := 0; l < n; l++ {
			for c, v := range x[(off+l)*p : (off+l+1)*p] {
				w[c*n+l] = v
			}
		}
		tau := taus[s*p : (s+1)*p]
		if s == 0 {
			// Dense Householder QR of the first chunk (n >= p rows).
			for j := 0; j < p; j++ {
				col := w[j*n : (j+1)*n]
				beta, t := householder(col[j], col[j+1:])
				col[j], tau[j] = beta, t
				if t == 0 {
					continue
				}
				v := col[j+1:]
				for c := j + 1; c < p; c++ {
					wc := w[c*n : (c+1)*n]
					f := t * (wc[j] + dot(v, wc[j+1:]))
					wc[j] -= f
					axpy(-f, v, wc[j+1:])
				}
			}
			for i := 0; i < p; i++ {
				for j := i; j < p; j++ {
					r[i*p+j] = w[j*n+i]
				}
			}
		} else {
			// Structured: reflect [R; chunk], v = [e_j; w_j].
			for j := 0; j < p; j++ {
				v := w[j*n : (j+1)*n]
				beta, t := householder(r[j*p+j], v)
				r[j*p+j], tau[j] = beta, t
				if t == 0 {
					continue
				}
				for c := j + 1; c < p; c++ {
					wc := w[c*n : (c+1)*n]
					f := t * (r[j*p+c] + dot(v, wc))
					r[j*p+c] -= f
					axpy(-f, v, wc)
				}
			}
		}
		off += n
	}
	return out, nil
}

// qrQ returns Q_i M for block i: M is the block's p×p share of the stacked
// factor's Q (in[1]), Q_i the block's Q held as reflectors in in[0].
func qrQ(params []byte, in []*array.Dense) (*array.Dense, error) {
	i, rows := readInt2(params)
	p := in[0].Shape[1]
	chunks := qrChunks(rows, p)
	if in[0].Shape[0] != rows+len(chunks)+p {
		return nil, fmt.Errorf("linalg: TSQR: factor block of %d rows for a block of %d", in[0].Shape[0], rows)
	}
	vs := in[0].Data[:rows*p]
	taus := in[0].Data[rows*p : (rows+len(chunks))*p]
	// t = M, column by column.
	t := make([]float64, p*p)
	m := in[1].Data[i*p*p : (i+1)*p*p]
	for a := 0; a < p; a++ {
		for c := 0; c < p; c++ {
			t[c*p+a] = m[a*p+c]
		}
	}
	out := array.NewDense(array.Float64, rows, p)
	z := make([]float64, p*max(absorbRows, p))
	end := rows
	for s := len(chunks) - 1; s >= 0; s-- {
		n := chunks[s]
		start := end - n
		w := vs[start*p : end*p]
		tau := taus[s*p : (s+1)*p]
		z := z[:n*p]
		if s == 0 {
			// [t; 0] through the dense reflectors, v = [0..0, 1, w_j[j+1:]].
			clear(z)
			for c := 0; c < p; c++ {
				copy(z[c*n:c*n+p], t[c*p:(c+1)*p])
			}
			for j := p - 1; j >= 0; j-- {
				if tau[j] == 0 {
					continue
				}
				v := w[j*n+j+1 : (j+1)*n]
				for c := 0; c < p; c++ {
					zc := z[c*n : (c+1)*n]
					f := tau[j] * (zc[j] + dot(v, zc[j+1:]))
					zc[j] -= f
					axpy(-f, v, zc[j+1:])
				}
			}
		} else {
			// [t; 0] through the structured reflectors, v = [e_j; w_j].
			clear(z)
			for j := p - 1; j >= 0; j-- {
				if tau[j] == 0 {
					continue
				}
				v := w[j*n : (j+1)*n]
				for c := 0; c < p; c++ {
					zc := z[c*n : (c+1)*n]
					f := tau[j] * (t[c*p+j] + dot(v, zc))
					t[c*p+j] -= f
					axpy(-f, v, zc)
				}
			}
		}
		o := out.Data[start*p : end*p]
		for l := 0; l < n; l++ {
			for c := 0; c < p; c++ {
				o[l*p+c] = z[c*n+l]
			}
		}
		end = start
	}
	return out, nil
}

func int2(a, b int) []byte { return append(oneInt(a), oneInt(b)...) }

func readInt2(p []byte) (int, int) {
	a, n := uvarint(p)
	b, _ := uvarint(p[n:])
	return a, b
}
