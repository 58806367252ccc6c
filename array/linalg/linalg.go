// Package linalg is blocked linear algebra on chunked arrays, the Go
// counterpart of dask.array.linalg. It builds on package array's task graph
// (through array.Blockwise) and gonum for the per-block factorizations.
//
// Tall-and-skinny matrices (one block of columns, many of rows) go through
// TSQR (Benson, Gleich and Demmel's direct tall-skinny QR): each row block
// is factored in parallel, the small R factors are stacked and factored
// again, and Q is rebuilt block by block. QR, SVD, Lstsq and the randomized
// SVDCompressed (Halko, Martinsson and Tropp, with power iterations) use it.
// Square solvers (Solve, Inv, Cholesky, LU, SolveTriangular) work on the
// matrix gathered into one block: they are meant for the small systems that
// blocked algorithms reduce to, like the p×p normal equations.
//
// Every numeric dtype is accepted: bool and int64 inputs compute in float64
// and give float64, float32 inputs compute in float64 and give float32
// results, as NumPy's linalg does. TSQR-based functions merge row blocks
// shorter than the column count into their neighbours, as Dask does.
//
// Non-finite inputs, non-square or singular matrices fail at Compute with an
// error naming the operation and the shapes, never with NaNs.
package linalg

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/godask/godask/array"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

func init() {
	array.RegisterKernelFunc("linalg.qr-block", qrBlock)
	array.RegisterKernelFunc("linalg.qr-stack", qrStack)
	array.RegisterKernelFunc("linalg.qr-q", qrQ)
	array.RegisterKernelFunc("linalg.qr-r", qrR)
	array.RegisterKernelFunc("linalg.svd-small", svdSmall)
	array.RegisterKernelFunc("linalg.rows", rowsKernel)
	array.RegisterKernelFunc("linalg.solve", solveKernel)
	array.RegisterKernelFunc("linalg.inv", invKernel)
	array.RegisterKernelFunc("linalg.cholesky", choleskyKernel)
	array.RegisterKernelFunc("linalg.lu", luKernel)
	array.RegisterKernelFunc("linalg.trisolve", triKernel)
}

func errArr(format string, args ...any) *array.Array {
	return new(array.Array).WithErr(fmt.Errorf("linalg: "+format, args...))
}

// errOf carries an error that already names its package.
func errOf(err error) *array.Array { return new(array.Array).WithErr(err) }

// f64 returns a as float64: the factorizations compute in float64 whatever
// the input dtype (bool, int64 and float32 are converted lazily).
func f64(a *array.Array) *array.Array {
	if a.Err() != nil || a.DType() == array.Float64 {
		return a
	}
	return a.AsType(array.Float64)
}

// like32 rounds a result to float32 when every input was float32, as
// NumPy's linalg returns float32 for float32 input (int64 and bool inputs
// give float64, as NumPy's).
func like32(out *array.Array, ins ...*array.Array) *array.Array {
	for _, a := range ins {
		if a.DType() != array.Float32 {
			return out
		}
	}
	if out.Err() != nil {
		return out
	}
	return out.AsType(array.Float32)
}

// tallChunks merges row chunks shorter than p into their neighbours so
// every block has at least p rows (when the matrix has): TSQR needs tall
// blocks, as Dask's merges.
func tallChunks(rows []int, p int) []int {
	var out []int
	acc := 0
	for _, c := range rows {
		acc += c
		if acc >= p {
			out = append(out, acc)
			acc = 0
		}
	}
	if acc > 0 || len(out) == 0 {
		if len(out) == 0 {
			out = append(out, acc)
		} else {
			out[len(out)-1] += acc
		}
	}
	return out
}

func shp(a *array.Array) string { return fmt.Sprint(a.Shape()) }

func checkFinite(op string, d *array.Dense) error {
	if !allFinite(d.Float64s()) {
		return fmt.Errorf("linalg: %s: input of shape %v contains NaN or Inf", op, d.Shape)
	}
	return nil
}

// allFinite reports whether x holds no NaN or Inf: v*0 is 0 for a finite v
// and NaN otherwise, so the sums stay 0 exactly when all are finite.
func allFinite(x []float64) bool {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		s0 += v[0] * 0
		s1 += v[1] * 0
		s2 += v[2] * 0
		s3 += v[3] * 0
	}
	for ; i < len(x); i++ {
		s0 += x[i] * 0
	}
	return s0+s1+s2+s3 == 0
}

func toMat(d *array.Dense) *mat.Dense {
	m, _ := d.ToMat()
	return m
}

func oneInt(v int) []byte { return binary.AppendUvarint(nil, uint64(v)) }

func uvarint(p []byte) (int, int) {
	v, n := binary.Uvarint(p)
	if n <= 0 {
		return 0, len(p)
	}
	return int(v), n
}

// TSQR returns Q (n×p, chunked like a's rows) and R (p×p) with a = QR, for
// a tall-and-skinny a (n >= p). Its columns are gathered into one block,
// and a row block shorter than p (an uneven last block, say) is merged into
// its neighbour, so Q's row chunks are a's with those merged. Any input
// dtype computes in float64; float32 input gives float32 Q and R.
func TSQR(a *array.Array) (q, r *array.Array) {
	if err := a.Err(); err != nil {
		return a, a
	}
	in := a
	q, r = tsqr(f64(a))
	return like32(q, in), like32(r, in)
}

func tsqr(a *array.Array) (q, r *array.Array) {
	sh := a.Shape()
	if len(sh) != 2 {
		e := errArr("TSQR of shape %s: want a 2-d array", shp(a))
		return e, e
	}
	n, p := sh[0], sh[1]
	if p == 0 || n == 0 {
		e := errArr("TSQR of empty shape %s", shp(a))
		return e, e
	}
	if n < p {
		e := errArr("TSQR of shape %s: fewer rows than columns (want a tall matrix)", shp(a))
		return e, e
	}
	a = a.Rechunk(array.Explicit{tallChunks(a.Chunks()[0], p), {p}})
	if err := a.Err(); err != nil {
		return a, a
	}
	rows := a.Chunks()[0]
	k := len(rows)
	// 1. Per block: its reflectors and R_i (see qrBlock).
	fchunks := make([]int, k)
	ftotal := 0
	for i, c := range rows {
		fchunks[i] = qrBlockRows(c, p)
		ftotal += fchunks[i]
	}
	qr1 := array.Blockwise("linalg.qr-block", array.Float64, []int{ftotal, p}, array.Explicit{fchunks, {p}},
		[]*array.Array{a}, func(idx []int) []array.BlockRef { return []array.BlockRef{{Input: 0, Index: idx}} }, nil)
	// 2. Stack the R_i and factor them: [Q2; R], (k p + p) × p.
	all := func([]int) []array.BlockRef {
		refs := make([]array.BlockRef, k)
		for i := range refs {
			refs[i] = array.BlockRef{Input: 0, Index: []int{i, 0}}
		}
		return refs
	}
	qr2 := array.Blockwise("linalg.qr-stack", array.Float64, []int{k*p + p, p}, array.Explicit{{k*p + p}, {p}},
		[]*array.Array{qr1}, all, nil)
	// 3. Q_i = Q_i Q2_i.
	q = array.Blockwise("linalg.qr-q", array.Float64, []int{n, p}, array.Explicit{rows, {p}},
		[]*array.Array{qr1, qr2}, func(idx []int) []array.BlockRef {
			return []array.BlockRef{{Input: 0, Index: idx}, {Input: 1, Index: []int{0, 0}}}
		}, func(idx []int) []byte { return int2(idx[0], rows[idx[0]]) })
	r = array.Blockwise("linalg.qr-r", array.Float64, []int{p, p}, array.Explicit{{p}, {p}},
		[]*array.Array{qr2}, func(idx []int) []array.BlockRef { return []array.BlockRef{{Input: 0, Index: idx}} }, nil)
	return q, r
}

// qrFactor returns the thin QR of x (rows >= cols): q is rows×cols.
func qrFactor(x *mat.Dense) (q, r *mat.Dense) {
	rows, cols := x.Dims()
	a := blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
	raw := x.RawMatrix()
	for i := 0; i < rows; i++ {
		copy(a.Data[i*cols:(i+1)*cols], raw.Data[i*raw.Stride:i*raw.Stride+cols])
	}
	tau := make([]float64, cols)
	work := []float64{0}
	lapack64.Geqrf(a, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(a, tau, work, len(work))
	r = mat.NewDense(cols, cols, nil)
	for i := 0; i < cols; i++ {
		for j := i; j < cols; j++ {
			r.Set(i, j, a.Data[i*cols+j])
		}
	}
	work = []float64{0}
	lapack64.Orgqr(a, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Orgqr(a, tau, work, len(work))
	q = mat.NewDense(rows, cols, a.Data)
	// A positive diagonal of R makes the factorization unique.
	for j := 0; j < cols; j++ {
		if r.At(j, j) < 0 {
			for c := 0; c < cols; c++ {
				r.Set(j, c, -r.At(j, c))
			}
			for i := 0; i < rows; i++ {
				q.Set(i, j, -q.At(i, j))
			}
		}
	}
	return q, r
}

func qrStack(_ []byte, in []*array.Dense) (*array.Dense, error) {
	p := in[0].Shape[1]
	rs := mat.NewDense(len(in)*p, p, nil)
	for i, d := range in {
		rows := d.Shape[0] - p
		for j := 0; j < p; j++ {
			for c := 0; c < p; c++ {
				rs.Set(i*p+j, c, d.Data[(rows+j)*p+c])
			}
		}
	}
	q, r := qrFactor(rs)
	var s mat.Dense
	s.Stack(q, r)
	return array.FromMat(&s), nil
}

func qrR(_ []byte, in []*array.Dense) (*array.Dense, error) {
	p := in[0].Shape[1]
	n := in[0].Shape[0]
	return array.NewDenseFloat64(append([]float64{}, in[0].Data[(n-p)*p:]...), p, p)
}

// QR is TSQR for a tall-and-skinny matrix; other shapes get an error (a
// general blocked QR is not implemented).
func QR(a *array.Array) (q, r *array.Array) {
	if err := a.Err(); err != nil {
		return a, a
	}
	sh := a.Shape()
	if len(sh) != 2 || sh[0] < sh[1] {
		e := errArr("QR of shape %s: only tall-and-skinny matrices (rows >= columns) are supported, through TSQR", shp(a))
		return e, e
	}
	return TSQR(a)
}

// SVD returns u (n×p), s (p) and vt (p×p) with a = u diag(s) vt, for a
// tall-and-skinny a, through TSQR: a = QR, R = Ũ S Vᵀ, u = QŨ.
func SVD(a *array.Array) (u, s, vt *array.Array) {
	if a.Err() == nil && a.DType() == array.Float32 {
		u, s, vt = SVD(f64(a))
		return like32(u, a), like32(s, a), like32(vt, a)
	}
	q, r := QR(f64(a))
	if r.Err() != nil {
		return r, r, r
	}
	p := r.Shape()[0]
	usv := array.Blockwise("linalg.svd-small", array.Float64, []int{2*p + 1, p}, array.Explicit{{2*p + 1}, {p}},
		[]*array.Array{r}, func(idx []int) []array.BlockRef { return []array.BlockRef{{Input: 0, Index: idx}} }, nil)
	ur := usv.Slice(array.S(0, p))
	s = usv.Slice(array.At(p))
	vt = usv.Slice(array.S(p+1, 2*p+1))
	u = array.MatMul(q, ur)
	return u, s, vt
}

// svdSmall returns [U; s; Vᵀ] of a square block.
func svdSmall(_ []byte, in []*array.Dense) (*array.Dense, error) {
	if err := checkFinite("SVD", in[0]); err != nil {
		return nil, err
	}
	m := toMat(in[0])
	r, c := m.Dims()
	var f mat.SVD
	if !f.Factorize(m, mat.SVDThin) {
		return nil, fmt.Errorf("linalg: SVD of shape (%d, %d) did not converge", r, c)
	}
	var u, v mat.Dense
	f.UTo(&u)
	f.VTo(&v)
	s := f.Values(nil)
	p := c
	out := array.NewDense(array.Float64, 2*p+1, p)
	for i := 0; i < p; i++ {
		for j := 0; j < p; j++ {
			out.Data[i*p+j] = u.At(i, j)
			out.Data[(p+1+i)*p+j] = v.At(j, i)
		}
		out.Data[p*p+i] = s[i]
	}
	return out, nil
}

// SVDCompressed returns the k leading singular triplets of a (n×p, row
// blocks) by randomized range finding with iters power iterations (Halko,
// Martinsson and Tropp): u (n×k), s (k), vt (k×p). seed fixes the test
// matrix, so the result is reproducible. Row blocks shorter than the
// sketch width min(k+10, p) are merged into their neighbours.
func SVDCompressed(a *array.Array, k, iters int, seed uint64) (u, s, vt *array.Array) {
	if err := a.Err(); err != nil {
		return a, a, a
	}
	if a.DType() == array.Float32 {
		u, s, vt = SVDCompressed(f64(a), k, iters, seed)
		return like32(u, a), like32(s, a), like32(vt, a)
	}
	a = f64(a)
	sh := a.Shape()
	if len(sh) != 2 || k <= 0 || k > min(sh[0], sh[1]) || iters < 0 {
		e := errArr("SVDCompressed of shape %s with k=%d, iters=%d: want a 2-d array, 0 < k <= min(shape), iters >= 0", shp(a), k, iters)
		return e, e, e
	}
	p := sh[1]
	l := min(k+10, p)
	a = a.Rechunk(array.Explicit{tallChunks(a.Chunks()[0], l), {p}})
	omega := array.Normal(seed, 0, 1, []int{p, l}, nil)
	y := array.MatMul(a, omega)
	for i := 0; i < iters; i++ {
		q, _ := TSQR(y)
		z := array.MatMul(a.T(), q) // p×l
		qz, _ := TSQR(z.Rechunk(array.Explicit{{p}, {l}}))
		y = array.MatMul(a, qz)
	}
	q, _ := TSQR(y)
	b := array.MatMul(q.T(), a) // l×p
	// SVD of the small B through its transpose (p×l, tall).
	ub, sb, vtb := SVD(b.T().Rechunk(array.Explicit{{p}, {l}}))
	// Bᵀ = Ub S Vtb, so B = Vtbᵀ S Ubᵀ.
	u = array.MatMul(q, vtb.T()).Slice(array.All, array.S(0, k))
	s = sb.Slice(array.S(0, k))
	vt = ub.T().Slice(array.S(0, k))
	return u, s, vt
}

// Lstsq returns the least-squares solution x of a x = b for a tall a (n×p,
// row blocks) and b (n or n×m), through TSQR of [a b]: its R factor holds
// R and Qᵀ b, and x = R⁻¹ Qᵀ b (Q is never formed). A rank-deficient a is
// an error.
func Lstsq(a, b *array.Array) *array.Array {
	if err := firstErr(a, b); err != nil {
		return errOf(err)
	}
	return like32(lstsq(f64(a), f64(b)), a, b)
}

func lstsq(a, b *array.Array) *array.Array {
	sa, sb := a.Shape(), b.Shape()
	if len(sa) != 2 || (len(sb) != 1 && len(sb) != 2) || sb[0] != sa[0] {
		return errArr("Lstsq of shapes %v and %v: want a (n, p) and b (n,) or (n, m)", sa, sb)
	}
	if sa[0] < sa[1] {
		return errArr("Lstsq of shapes %v and %v: fewer rows than columns (underdetermined)", sa, sb)
	}
	if sa[1] == 0 || (len(sb) == 2 && sb[1] == 0) {
		return errArr("Lstsq of empty shapes %v and %v", sa, sb)
	}
	m := 1
	if len(sb) == 2 {
		m = sb[1]
	}
	return lstsqAug(a.Rechunk(array.Explicit{tallChunks(a.Chunks()[0], min(sa[1]+m, sa[0])), {sa[1]}}), b)
}

func firstErr(as ...*array.Array) error {
	for _, a := range as {
		if err := a.Err(); err != nil {
			return err
		}
	}
	return nil
}

func whole(a *array.Array) *array.Array { return a.Rechunk(array.Regular(nil)) }

func square(op string, a *array.Array) error {
	sh := a.Shape()
	if len(sh) != 2 || sh[0] != sh[1] || sh[0] == 0 {
		return fmt.Errorf("linalg: %s of shape %v: want a non-empty square matrix", op, sh)
	}
	return nil
}

func single(name string, shape []int, ins ...*array.Array) *array.Array {
	ch := make(array.Explicit, len(shape))
	for i, s := range shape {
		ch[i] = []int{s}
	}
	ws := make([]*array.Array, len(ins))
	for i, a := range ins {
		ws[i] = whole(a)
	}
	return array.Blockwise(name, array.Float64, shape, ch, ws, func([]int) []array.BlockRef {
		refs := make([]array.BlockRef, len(ws))
		for i, a := range ws {
			refs[i] = array.BlockRef{Input: i, Index: make([]int, a.Ndim())}
		}
		return refs
	}, nil)
}

// Solve returns x with a x = b for a square a (gathered into one block) and
// b (n or n×m). A singular or ill-conditioned a is an error.
func Solve(a, b *array.Array) *array.Array {
	if err := firstErr(a, b); err != nil {
		return errOf(err)
	}
	if err := square("Solve", a); err != nil {
		return errOf(err)
	}
	if sb := b.Shape(); len(sb) == 0 || len(sb) > 2 || sb[0] != a.Shape()[0] {
		return errArr("Solve of shapes %v and %v: b must have %d rows", a.Shape(), sb, a.Shape()[0])
	}
	return like32(single("linalg.solve", b.Shape(), f64(a), f64(b)), a, b)
}

func luOf(op string, d *array.Dense) (*mat.LU, error) {
	if err := checkFinite(op, d); err != nil {
		return nil, err
	}
	var lu mat.LU
	lu.Factorize(toMat(d))
	if c := lu.Cond(); math.IsInf(c, 1) || c > 1/(1e3*2.220446049250313e-16) {
		return nil, fmt.Errorf("linalg: %s: matrix of shape %v is singular or ill-conditioned (condition number %.3g)", op, d.Shape, c)
	}
	return &lu, nil
}

func solveKernel(_ []byte, in []*array.Dense) (*array.Dense, error) {
	lu, err := luOf("Solve", in[0])
	if err != nil {
		return nil, err
	}
	if err := checkFinite("Solve", in[1]); err != nil {
		return nil, err
	}
	var x mat.Dense
	if err := lu.SolveTo(&x, false, toMat(in[1])); err != nil {
		return nil, fmt.Errorf("linalg: Solve of shape %v: %w", in[0].Shape, err)
	}
	out := array.FromMat(&x)
	return reshapeLike(out, in[1].Shape)
}

func reshapeLike(d *array.Dense, shape []int) (*array.Dense, error) {
	return array.NewDenseFloat64(d.Data, shape...)
}

// Inv returns the inverse of a square a (gathered into one block); a
// singular a is an error.
func Inv(a *array.Array) *array.Array {
	if err := a.Err(); err != nil {
		return a
	}
	if err := square("Inv", a); err != nil {
		return errOf(err)
	}
	return like32(single("linalg.inv", a.Shape(), f64(a)), a)
}

func invKernel(_ []byte, in []*array.Dense) (*array.Dense, error) {
	lu, err := luOf("Inv", in[0])
	if err != nil {
		return nil, err
	}
	n := in[0].Shape[0]
	var x mat.Dense
	eye := mat.NewDiagDense(n, nil)
	for i := 0; i < n; i++ {
		eye.SetDiag(i, 1)
	}
	if err := lu.SolveTo(&x, false, eye); err != nil {
		return nil, fmt.Errorf("linalg: Inv of shape %v: %w", in[0].Shape, err)
	}
	return array.FromMat(&x), nil
}

// Cholesky returns the lower-triangular l with a = l lᵀ, for a symmetric
// positive-definite a; otherwise an error.
func Cholesky(a *array.Array) *array.Array {
	if err := a.Err(); err != nil {
		return a
	}
	if err := square("Cholesky", a); err != nil {
		return errOf(err)
	}
	return like32(single("linalg.cholesky", a.Shape(), f64(a)), a)
}

func choleskyKernel(_ []byte, in []*array.Dense) (*array.Dense, error) {
	if err := checkFinite("Cholesky", in[0]); err != nil {
		return nil, err
	}
	m := toMat(in[0])
	n := in[0].Shape[0]
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			if math.Abs(m.At(i, j)-m.At(j, i)) > 1e-10*(math.Abs(m.At(i, j))+math.Abs(m.At(j, i))+1) {
				return nil, fmt.Errorf("linalg: Cholesky of shape %v: matrix is not symmetric at (%d, %d)", in[0].Shape, i, j)
			}
		}
	}
	var c mat.Cholesky
	if !c.Factorize(mat.NewSymDense(n, append([]float64{}, in[0].Float64s()...))) {
		return nil, fmt.Errorf("linalg: Cholesky of shape %v: matrix is not positive definite", in[0].Shape)
	}
	var l mat.TriDense
	c.LTo(&l)
	return array.FromMat(&l), nil
}

// LU returns p, l and u with a = p l u (p a permutation, l unit lower
// triangular, u upper triangular) for a square a; a singular a is an error.
func LU(a *array.Array) (p, l, u *array.Array) {
	if err := a.Err(); err != nil {
		return a, a, a
	}
	if err := square("LU", a); err != nil {
		e := errOf(err)
		return e, e, e
	}
	n := a.Shape()[0]
	plu := like32(single("linalg.lu", []int{3 * n, n}, f64(a)), a)
	return plu.Slice(array.S(0, n)), plu.Slice(array.S(n, 2*n)), plu.Slice(array.S(2*n, 3*n))
}

func luKernel(_ []byte, in []*array.Dense) (*array.Dense, error) {
	lu, err := luOf("LU", in[0])
	if err != nil {
		return nil, err
	}
	n := in[0].Shape[0]
	var l, u mat.TriDense
	lu.LTo(&l)
	lu.UTo(&u)
	var pm mat.Dense
	pm.Permutation(n, lu.RowPivots(nil))
	var s mat.Dense
	s.Stack(&pm, &l)
	var s2 mat.Dense
	s2.Stack(&s, &u)
	return array.FromMat(&s2), nil
}

// SolveTriangular returns x with t x = b for a square triangular t (lower
// when lower is true, else upper) and b (n or n×m); a zero (or tiny)
// diagonal is an error.
func SolveTriangular(t, b *array.Array, lower bool) *array.Array {
	if err := firstErr(t, b); err != nil {
		return errOf(err)
	}
	if err := square("SolveTriangular", t); err != nil {
		return errOf(err)
	}
	if sb := b.Shape(); len(sb) == 0 || len(sb) > 2 || sb[0] != t.Shape()[0] {
		return errArr("SolveTriangular of shapes %v and %v: b must have %d rows", t.Shape(), sb, t.Shape()[0])
	}
	in := []*array.Array{f64(t), f64(b)}
	if lower {
		// The kernel reads the flag from a marker input.
		in = append(in, array.Ones([]int{1}, nil))
	}
	return like32(single("linalg.trisolve", b.Shape(), in...), t, b)
}

func triKernel(_ []byte, in []*array.Dense) (*array.Dense, error) {
	lower := len(in) == 3
	if err := checkFinite("SolveTriangular", in[0]); err != nil {
		return nil, err
	}
	if err := checkFinite("SolveTriangular", in[1]); err != nil {
		return nil, err
	}
	n := in[0].Shape[0]
	t := in[0].Float64s()
	maxd := 0.0
	for i := 0; i < n; i++ {
		maxd = math.Max(maxd, math.Abs(t[i*n+i]))
	}
	for i := 0; i < n; i++ {
		if math.Abs(t[i*n+i]) <= float64(n)*2.220446049250313e-16*maxd || maxd == 0 {
			return nil, fmt.Errorf("linalg: SolveTriangular of shape %v: singular (diagonal element %d is %g): rank-deficient input", in[0].Shape, i, t[i*n+i])
		}
	}
	b := in[1].Float64s()
	m := len(b) / n
	x := append([]float64{}, b...)
	for c := 0; c < m; c++ {
		if lower {
			for i := 0; i < n; i++ {
				s := x[i*m+c]
				for j := 0; j < i; j++ {
					s -= t[i*n+j] * x[j*m+c]
				}
				x[i*m+c] = s / t[i*n+i]
			}
		} else {
			for i := n - 1; i >= 0; i-- {
				s := x[i*m+c]
				for j := i + 1; j < n; j++ {
					s -= t[i*n+j] * x[j*m+c]
				}
				x[i*m+c] = s / t[i*n+i]
			}
		}
	}
	return array.NewDenseFloat64(x, in[1].Shape...)
}

func rowsKernel(_ []byte, in []*array.Dense) (*array.Dense, error) { return in[0], nil }
