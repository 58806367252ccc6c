package gemm

import (
	"fmt"
	"os"
	"sync"

	"gonum.org/v1/gonum/blas"
)

type float interface{ ~float32 | ~float64 }

// plan is one kernel with its tile and block sizes.
type plan[T float] struct {
	name       string
	mr, nr     int
	mc, kc, nc int
	// kern computes the mr×nr tile c += alpha·a·b over kc steps from
	// packed panels a (kc·mr) and b (kc·nr); c has row stride ldc and at
	// least (mr-1)·ldc+nr elements.
	kern func(kc int, a, b, c []T, ldc int, alpha T)
}

var (
	genericF64 = plan[float64]{name: "generic Go 4x4", mr: 4, nr: 4, mc: 64, kc: 256, nc: 4096, kern: kernGo[float64]}
	genericF32 = plan[float32]{name: "generic Go 4x4", mr: 4, nr: 4, mc: 64, kc: 256, nc: 4096, kern: kernGo[float32]}

	// The plans in use; set at init from the CPU's features.
	planF64 = genericF64
	planF32 = genericF32
)

func init() {
	if os.Getenv("GODASK_GEMM") == "generic" {
		return
	}
	if p, q, ok := asmPlans(); ok {
		planF64, planF32 = p, q
	}
}

// Kernel names the micro-kernels in use, like "avx2+fma 6x8 (float64), 6x16 (float32)".
func Kernel() string {
	if planF64.name == planF32.name {
		return planF64.name
	}
	return planF64.name + " (float64), " + planF32.name + " (float32)"
}

// ForceGeneric switches to the generic Go kernel when on is true and back
// to the CPU's best one otherwise; it is meant for tests (not safe while
// products run concurrently).
func ForceGeneric(on bool) {
	planF64, planF32 = genericF64, genericF32
	if p, q, ok := asmPlans(); ok && !on {
		planF64, planF32 = p, q
	}
}

var (
	poolF64 = sync.Pool{New: func() any { return new(bufs[float64]) }}
	poolF32 = sync.Pool{New: func() any { return new(bufs[float32]) }}
)

// Dgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices,
// with op(A) m×k, op(B) k×n and C m×n, as BLAS dgemm (row-major, like
// gonum's blas64). With beta == 0, C is not read (NaNs in it do not
// propagate). It panics on inconsistent sizes, like gonum's BLAS.
func Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	ta, tb := check("Dgemm", tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	buf := poolF64.Get().(*bufs[float64])
	gemm(&planF64, buf, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	poolF64.Put(buf)
}

// Sgemm is Dgemm for float32.
func Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb := check("Sgemm", tA, tB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	buf := poolF32.Get().(*bufs[float32])
	gemm(&planF32, buf, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	poolF32.Put(buf)
}

func check(op string, tA, tB blas.Transpose, m, n, k, la, lda, lb, ldb, lc, ldc int) (bool, bool) {
	trans := func(t blas.Transpose, which string) bool {
		switch t {
		case blas.NoTrans:
			return false
		case blas.Trans, blas.ConjTrans:
			return true
		}
		panic(fmt.Sprintf("gemm: %s: bad transpose flag %d for %s", op, t, which))
	}
	ta, tb := trans(tA, "A"), trans(tB, "B")
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: %s: negative size m=%d n=%d k=%d", op, m, n, k))
	}
	mat := func(which string, rows, cols, l, ld int) {
		if ld < max(1, cols) {
			panic(fmt.Sprintf("gemm: %s: leading dimension %d of %s below its %d columns", op, ld, which, cols))
		}
		if rows > 0 && cols > 0 && l < (rows-1)*ld+cols {
			panic(fmt.Sprintf("gemm: %s: %s has %d elements, want at least %d for %d×%d with stride %d", op, which, l, (rows-1)*ld+cols, rows, cols, ld))
		}
	}
	ar, ac := m, k
	if ta {
		ar, ac = k, m
	}
	br, bc := k, n
	if tb {
		br, bc = n, k
	}
	mat("A", ar, ac, la, lda)
	mat("B", br, bc, lb, ldb)
	mat("C", m, n, lc, ldc)
	return ta, tb
}

// bufs are the packing buffers of one call, reused through a pool.
type bufs[T float] struct {
	a, b []T
	tile []T
}

func grow[T float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// naiveBelow is the m·n·k under which packing does not pay.
const naiveBelow = 512

func gemm[T float](p *plan[T], buf *bufs[T], ta, tb bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	// C = beta·C first; beta == 0 writes zeros without reading C.
	if beta != 1 {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
				continue
			}
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if k == 0 || alpha == 0 {
		return
	}
	if m*n*k < naiveBelow {
		naive(ta, tb, m, n, k, alpha, a, lda, b, ldb, c, ldc)
		return
	}
	mr, nr := p.mr, p.nr
	kcMax := min(p.kc, k)
	ncMax := min(p.nc, roundUp(n, nr))
	mcMax := min(p.mc, roundUp(m, mr))
	buf.b = grow(buf.b, kcMax*ncMax)
	buf.a = grow(buf.a, kcMax*mcMax)
	buf.tile = grow(buf.tile, mr*nr)
	tile := buf.tile
	for jc := 0; jc < n; jc += p.nc {
		nc := min(p.nc, n-jc)
		for pc := 0; pc < k; pc += p.kc {
			kc := min(p.kc, k-pc)
			packB(buf.b, tb, b, ldb, pc, kc, jc, nc, nr)
			for ic := 0; ic < m; ic += p.mc {
				mc := min(p.mc, m-ic)
				packA(buf.a, ta, a, lda, ic, mc, pc, kc, mr)
				for jr := 0; jr < nc; jr += nr {
					bp := buf.b[jr*kc : jr*kc+nr*kc]
					cols := min(nr, nc-jr)
					for ir := 0; ir < mc; ir += mr {
						ap := buf.a[ir*kc : ir*kc+mr*kc]
						rows := min(mr, mc-ir)
						off := (ic+ir)*ldc + jc + jr
						if rows == mr && cols == nr {
							p.kern(kc, ap, bp, c[off:off+(mr-1)*ldc+nr], ldc, alpha)
							continue
						}
						clear(tile)
						p.kern(kc, ap, bp, tile, nr, alpha)
						for i := 0; i < rows; i++ {
							dst := c[off+i*ldc : off+i*ldc+cols]
							for j := range dst {
								dst[j] += tile[i*nr+j]
							}
						}
					}
				}
			}
		}
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// packA packs rows [i0, i0+mc) and contraction steps [p0, p0+kc) of op(A)
// into micro-panels of mr rows: panel q holds, for each step, the mr values
// of rows i0+q·mr.., zero past the last row.
func packA[T float](dst []T, ta bool, a []T, lda, i0, mc, p0, kc, mr int) {
	for ip := 0; ip < mc; ip += mr {
		rows := min(mr, mc-ip)
		panel := dst[ip*kc : ip*kc+mr*kc]
		if ta {
			// op(A)[i][p] = a[p*lda+i]: each step's values are contiguous.
			for p := 0; p < kc; p++ {
				src := a[(p0+p)*lda+i0+ip : (p0+p)*lda+i0+ip+rows]
				d := panel[p*mr : p*mr+mr]
				for r, v := range src {
					d[r] = v
				}
				clear(d[rows:])
			}
			continue
		}
		for r := 0; r < rows; r++ {
			src := a[(i0+ip+r)*lda+p0 : (i0+ip+r)*lda+p0+kc]
			for p, v := range src {
				panel[p*mr+r] = v
			}
		}
		for r := rows; r < mr; r++ {
			for p := 0; p < kc; p++ {
				panel[p*mr+r] = 0
			}
		}
	}
}

// packB packs steps [p0, p0+kc) and columns [j0, j0+nc) of op(B) into
// micro-panels of nr columns, zero past the last column.
func packB[T float](dst []T, tb bool, b []T, ldb, p0, kc, j0, nc, nr int) {
	for jp := 0; jp < nc; jp += nr {
		cols := min(nr, nc-jp)
		panel := dst[jp*kc : jp*kc+nr*kc]
		if !tb {
			for p := 0; p < kc; p++ {
				src := b[(p0+p)*ldb+j0+jp : (p0+p)*ldb+j0+jp+cols]
				d := panel[p*nr : p*nr+nr]
				for r, v := range src {
					d[r] = v
				}
				clear(d[cols:])
			}
			continue
		}
		// op(B)[p][j] = b[j*ldb+p].
		for r := 0; r < cols; r++ {
			src := b[(j0+jp+r)*ldb+p0 : (j0+jp+r)*ldb+p0+kc]
			for p, v := range src {
				panel[p*nr+r] = v
			}
		}
		for r := cols; r < nr; r++ {
			for p := 0; p < kc; p++ {
				panel[p*nr+r] = 0
			}
		}
	}
}

// naive adds alpha·op(A)·op(B) to C with plain loops, for tiny products.
func naive[T float](ta, tb bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s T
			for p := 0; p < k; p++ {
				var av, bv T
				if ta {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if tb {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			c[i*ldc+j] += alpha * s
		}
	}
}

// kernGo is the generic 4×4 micro-kernel: two passes of 2×4, so the eight
// accumulators and the row of B stay in registers on amd64's sixteen.
func kernGo[T float](kc int, a, b, c []T, ldc int, alpha T) {
	a = a[:4*kc]
	b = b[:4*kc]
	for h := 0; h < 4; h += 2 {
		var c00, c01, c02, c03, c10, c11, c12, c13 T
		for p := 0; p < kc; p++ {
			bp := b[4*p : 4*p+4 : 4*p+4]
			ap := a[4*p+h : 4*p+h+2 : 4*p+h+2]
			b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
			a0, a1 := ap[0], ap[1]
			c00 += a0 * b0
			c01 += a0 * b1
			c02 += a0 * b2
			c03 += a0 * b3
			c10 += a1 * b0
			c11 += a1 * b1
			c12 += a1 * b2
			c13 += a1 * b3
		}
		r := c[h*ldc : h*ldc+4 : h*ldc+4]
		r[0] += alpha * c00
		r[1] += alpha * c01
		r[2] += alpha * c02
		r[3] += alpha * c03
		r = c[(h+1)*ldc : (h+1)*ldc+4 : (h+1)*ldc+4]
		r[0] += alpha * c10
		r[1] += alpha * c11
		r[2] += alpha * c12
		r[3] += alpha * c13
	}
}
