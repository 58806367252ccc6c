package linalg

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/godask/godask/array"
	"gonum.org/v1/gonum/mat"
)

// This file holds the routines built on singular values and small dense
// factorizations: Norm, Det, Pinv, Eigh and the minimum-norm LstsqMinNorm.

func init() {
	array.RegisterKernelFunc("linalg.det", detKernel)
	array.RegisterKernelFunc("linalg.eigh", eighKernel)
	array.RegisterKernelFunc("linalg.sinv", sinvKernel)
	array.RegisterKernelFunc("linalg.rank", rankKernel)
	array.RegisterKernelFunc("linalg.snorm", snormKernel)
}

// Norm is numpy.linalg.norm. ord is NumPy's ord as a string: "" (the
// default: 2 for vectors, "fro" for matrices), "fro", "nuc", "inf", "-inf"
// or a number ("1", "2", "-2", "0", "3.5"). axes are NumPy's axis: none
// (a 1-d array is a vector, a 2-d one a matrix, an N-d one with ord "" the
// Frobenius norm of all elements), one axis (vector norms along it) or two
// (matrix norms over them). Vector norms and the matrix norms "fro", 1, -1,
// "inf" and "-inf" are chunked reductions; 2, -2 and "nuc" need the singular
// values of a 2-d matrix, through TSQR (of the transpose for a wide one).
// The result is float64 (float32 for float32 input, as NumPy).
func Norm(x *array.Array, ord string, axes ...int) *array.Array {
	if err := x.Err(); err != nil {
		return x
	}
	nd := x.Ndim()
	bad := func(format string, args ...any) *array.Array {
		return errArr("Norm of shape %s with ord %q: "+format, append([]any{shp(x), ord}, args...)...)
	}
	for i, ax := range axes {
		if ax < -nd || ax >= nd {
			return bad("axis %d out of range", ax)
		}
		if ax < 0 {
			axes[i] = ax + nd
		}
	}
	if len(axes) == 2 && axes[0] == axes[1] {
		return bad("duplicate axes %v", axes)
	}
	if len(axes) > 2 {
		return bad("%d axes, want at most 2", len(axes))
	}
	outDT := array.Float64
	if x.DType() == array.Float32 {
		outDT = array.Float32
	}
	f := x
	if x.DType() != array.Float64 {
		f = x.AsType(array.Float64)
	}
	var r *array.Array
	switch {
	case len(axes) == 0 && ord == "":
		r = array.Sqrt(f.Mul(f).Sum())
	case len(axes) == 0 && nd == 1:
		r = vectorNorm(f, ord, 0)
	case len(axes) == 0 && nd == 2:
		r = matrixNorm(f, ord, 0, 1)
	case len(axes) == 0:
		return bad("an ord needs a 1-d or 2-d array or explicit axes")
	case len(axes) == 1:
		r = vectorNorm(f, ord, axes[0])
	default:
		r = matrixNorm(f, ord, axes[0], axes[1])
	}
	if r.Err() != nil {
		return bad("%v", r.Err())
	}
	if outDT != array.Float64 {
		r = r.AsType(outDT)
	}
	return r
}

func vectorNorm(f *array.Array, ord string, ax int) *array.Array {
	switch ord {
	case "", "2":
		return array.Sqrt(f.Mul(f).Sum(ax))
	case "inf":
		return array.Abs(f).Max(ax)
	case "-inf":
		return array.Abs(f).Min(ax)
	case "1":
		return array.Abs(f).Sum(ax)
	case "0":
		return f.Ne(array.Scalar(0)).AsType(array.Float64).Sum(ax)
	case "fro", "nuc":
		return errArr("ord %q is a matrix norm: give two axes", ord)
	}
	p, err := strconv.ParseFloat(ord, 64)
	if err != nil || math.IsNaN(p) {
		return errArr("unknown ord %q", ord)
	}
	return array.Abs(f).PowScalar(p).Sum(ax).PowScalar(1 / p)
}

func matrixNorm(f *array.Array, ord string, r, c int) *array.Array {
	// After reducing one axis, the other shifts down when it was after it.
	after := func(kept, removed int) int {
		if kept > removed {
			return kept - 1
		}
		return kept
	}
	switch ord {
	case "", "fro":
		return array.Sqrt(f.Mul(f).Sum(r, c))
	case "1":
		return array.Abs(f).Sum(r).Max(after(c, r))
	case "-1":
		return array.Abs(f).Sum(r).Min(after(c, r))
	case "inf":
		return array.Abs(f).Sum(c).Max(after(r, c))
	case "-inf":
		return array.Abs(f).Sum(c).Min(after(r, c))
	case "2", "-2", "nuc":
		if f.Ndim() != 2 {
			return errArr("ord %q over axes of a %d-d array is not supported (2-d only)", ord, f.Ndim())
		}
		m := f
		if r > c {
			m = f.T()
		}
		s := singularValues(m)
		mode := map[string]int{"2": 0, "-2": 1, "nuc": 2}[ord]
		return array.Blockwise("linalg.snorm", array.Float64, nil, array.Explicit{}, []*array.Array{s},
			func([]int) []array.BlockRef { return []array.BlockRef{{Input: 0, Index: []int{0}}} },
			func([]int) []byte { return []byte{byte(mode)} })
	}
	return errArr("unknown or non-matrix ord %q", ord)
}

// singularValues returns the singular values of a 2-d matrix (descending,
// one block), through TSQR of a tall matrix or of a wide one's transpose.
func singularValues(a *array.Array) *array.Array {
	sh := a.Shape()
	if sh[0] == 0 || sh[1] == 0 {
		return array.Zeros([]int{0}, nil)
	}
	if sh[0] < sh[1] {
		a = a.T()
		sh[0], sh[1] = sh[1], sh[0]
	}
	_, s, _ := SVD(a.Rechunk(array.Explicit{tallRows(a.Chunks()[0], sh[1]), {sh[1]}}))
	return s.Rechunk(array.Regular(nil))
}

func snormKernel(p []byte, in []*array.Dense) (*array.Dense, error) {
	s := in[0].Float64s()
	out := array.NewDense(array.Float64)
	switch p[0] {
	case 0:
		if len(s) > 0 {
			out.Data[0] = s[0]
		}
	case 1:
		if len(s) > 0 {
			out.Data[0] = s[len(s)-1]
		}
	default:
		for _, v := range s {
			out.Data[0] += v
		}
	}
	return out, nil
}

// Det returns the determinant of a square matrix (gathered into one block)
// as a 0-d float64 array, through an LU factorization as numpy.linalg.det; a
// singular matrix gives 0.
func Det(a *array.Array) *array.Array {
	if err := a.Err(); err != nil {
		return a
	}
	if err := square("Det", a); err != nil {
		return errArr("%v", err)
	}
	return single("linalg.det", nil, a)
}

func detKernel(_ []byte, in []*array.Dense) (*array.Dense, error) {
	if err := checkFinite("Det", in[0]); err != nil {
		return nil, err
	}
	var lu mat.LU
	lu.Factorize(toMat(in[0]))
	out := array.NewDense(array.Float64)
	out.Data[0] = lu.Det()
	return out, nil
}

// Eigh returns the eigenvalues w (ascending) and the orthonormal
// eigenvectors v (as columns, a v = v diag(w)) of a real symmetric matrix,
// reading only its lower triangle as numpy.linalg.eigh does by default. The
// matrix is gathered into one block (meant for the small matrices blocked
// algorithms reduce to, such as a covariance X.T @ X). Eigenvectors are
// unique only up to sign.
func Eigh(a *array.Array) (w, v *array.Array) {
	if err := a.Err(); err != nil {
		return a, a
	}
	if err := square("Eigh", a); err != nil {
		e := errArr("%v", err)
		return e, e
	}
	n := a.Shape()[0]
	wv := single("linalg.eigh", []int{n + 1, n}, a)
	return wv.Slice(array.At(0)), wv.Slice(array.From(1))
}

func eighKernel(_ []byte, in []*array.Dense) (*array.Dense, error) {
	if err := checkFinite("Eigh", in[0]); err != nil {
		return nil, err
	}
	d := in[0].Float64s()
	n := in[0].Shape[0]
	sym := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			sym.SetSym(i, j, d[i*n+j])
		}
	}
	var e mat.EigenSym
	if !e.Factorize(sym, true) {
		return nil, fmt.Errorf("linalg: Eigh of shape %v did not converge", in[0].Shape)
	}
	vals := e.Values(nil)
	var vec mat.Dense
	e.VectorsTo(&vec)
	out := array.NewDense(array.Float64, n+1, n)
	copy(out.Data, vals)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			out.Data[(i+1)*n+j] = vec.At(i, j)
		}
	}
	return out, nil
}

// numpyRcond is the singular value cutoff (relative to the largest) that
// numpy.linalg.lstsq uses with rcond=None: eps·max(m, n).
func numpyRcond(m, n int) float64 { return 2.220446049250313e-16 * float64(max(m, n)) }

func f64Param(v float64) []byte { return binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)) }

func sinvKernel(p []byte, in []*array.Dense) (*array.Dense, error) {
	rc := math.Float64frombits(binary.LittleEndian.Uint64(p))
	s := in[0].Float64s()
	out := array.NewDense(array.Float64, len(s))
	if len(s) == 0 {
		return out, nil
	}
	cut := rc * s[0]
	for i, v := range s {
		if v > cut {
			out.Data[i] = 1 / v
		}
	}
	return out, nil
}

func rankKernel(p []byte, in []*array.Dense) (*array.Dense, error) {
	rc := math.Float64frombits(binary.LittleEndian.Uint64(p))
	s := in[0].Float64s()
	out := array.NewDense(array.Int64)
	for _, v := range s {
		if len(s) > 0 && v > rc*s[0] {
			out.I64[0]++
		}
	}
	return out, nil
}

func sFunc(name string, dt array.DType, s *array.Array, rcond float64) *array.Array {
	s = s.Rechunk(array.Regular(nil))
	shape, ch := s.Shape(), array.Explicit{s.Shape()}
	if dt == array.Int64 {
		shape, ch = nil, array.Explicit{}
	}
	return array.Blockwise(name, dt, shape, ch, []*array.Array{s},
		func([]int) []array.BlockRef { return []array.BlockRef{{Input: 0, Index: []int{0}}} },
		func([]int) []byte { return f64Param(rcond) })
}

// svdAny returns a thin SVD of any 2-d a through TSQR: a = u diag(s) vt with
// u (m×k), s (k), vt (k×n), k = min(m, n); a wide a is factored through its
// transpose.
func svdAny(a *array.Array) (u, s, vt *array.Array) {
	sh := a.Shape()
	if sh[0] >= sh[1] {
		return SVD(a.Rechunk(array.Explicit{tallRows(a.Chunks()[0], sh[1]), {sh[1]}}))
	}
	t := a.T()
	ut, st, vtt := SVD(t.Rechunk(array.Explicit{tallRows(t.Chunks()[0], sh[0]), {sh[0]}}))
	// aᵀ = ut S vtt, so a = vttᵀ S utᵀ.
	return vtt.T(), st, ut.T()
}

// Pinv returns the Moore–Penrose pseudo-inverse of a 2-d matrix (n×m for an
// m×n a) through its SVD (TSQR, so a tall matrix in row blocks or a wide one
// in column blocks stays chunked): singular values at most rcond times the
// largest are treated as zero, as numpy.linalg.pinv (rcond < 0: NumPy's
// default 1e-15).
func Pinv(a *array.Array, rcond float64) *array.Array {
	if err := a.Err(); err != nil {
		return a
	}
	sh := a.Shape()
	if len(sh) != 2 || sh[0] == 0 || sh[1] == 0 {
		return errArr("Pinv of shape %s: want a non-empty 2-d matrix", shp(a))
	}
	if rcond < 0 {
		rcond = 1e-15
	}
	u, s, vt := svdAny(a)
	if err := firstErr(u, s, vt); err != nil {
		return errArr("Pinv of shape %s: %v", shp(a), err)
	}
	sinv := sFunc("linalg.sinv", array.Float64, s, rcond)
	// pinv = v diag(sinv) uᵀ
	return array.MatMul(vt.T().Mul(sinv.ExpandDims(0)), u.T())
}

// LstsqMinNorm returns numpy.linalg.lstsq's answer for any 2-d a (m×n:
// tall, wide or rank-deficient) and b (m or m×k): the least-squares
// solution of minimum norm x = pinv(a) b, through the SVD (TSQR), with
// singular values at most rcond times the largest treated as zero (rcond < 0:
// NumPy's rcond=None, eps·max(m, n)). It also returns the effective rank (a
// 0-d int64 array) and the singular values, as NumPy; NumPy's residuals are
// not returned (compute ‖b − a x‖² when needed).
func LstsqMinNorm(a, b *array.Array, rcond float64) (x, rank, s *array.Array) {
	if err := firstErr(a, b); err != nil {
		e := errArr("%v", err)
		return e, e, e
	}
	sa, sb := a.Shape(), b.Shape()
	if len(sa) != 2 || (len(sb) != 1 && len(sb) != 2) || sb[0] != sa[0] {
		e := errArr("LstsqMinNorm of shapes %v and %v: want a (m, n) and b (m,) or (m, k)", sa, sb)
		return e, e, e
	}
	if sa[0] == 0 || sa[1] == 0 {
		e := errArr("LstsqMinNorm of empty shapes %v and %v", sa, sb)
		return e, e, e
	}
	if rcond < 0 {
		rcond = numpyRcond(sa[0], sa[1])
	}
	u, s, vt := svdAny(a)
	if err := firstErr(u, s, vt); err != nil {
		e := errArr("LstsqMinNorm of shapes %v and %v: %v", sa, sb, err)
		return e, e, e
	}
	sinv := sFunc("linalg.sinv", array.Float64, s, rcond)
	rank = sFunc("linalg.rank", array.Int64, s, rcond)
	utb := array.MatMul(u.T(), b) // k or k×r
	if len(sb) == 2 {
		utb = utb.Mul(sinv.ExpandDims(1))
	} else {
		utb = utb.Mul(sinv)
	}
	x = array.MatMul(vt.T(), utb)
	return x, rank, s
}

// tallRows merges row chunks shorter than p into their neighbours, so every
// row block of a TSQR input has at least p rows.
func tallRows(c []int, p int) []int {
	var out []int
	acc := 0
	for _, v := range c {
		acc += v
		if acc >= p {
			out = append(out, acc)
			acc = 0
		}
	}
	if acc > 0 {
		if len(out) == 0 {
			return []int{acc}
		}
		out[len(out)-1] += acc
	}
	return out
}
