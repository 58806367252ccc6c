package ml

import (
	"fmt"
	"math"

	"github.com/godask/godask/array"
	"gonum.org/v1/gonum/optimize"
)

// The L1 / elastic-net solvers of LogisticRegression besides FISTA:
// OWL-QN (orthant-wise limited-memory quasi-Newton, Andrew and Gao 2007),
// every evaluation one blockwise pass, and ADMM (consensus form, Boyd et
// al. 2011 §8.2, as dask-glm): each row block solves its own smooth
// problem in its task and the driver averages and shrinks.

func init() {
	registerPass("ml.logit_admm", &passKernel{block: admmBlock})
}

// l1Weight is the weight of |w_j| in the objective divided by n.
func (lp *logitProblem) l1Weight() float64 { return lp.lam * lp.l1 }

// penalised reports whether coefficient i is a feature weight (not an
// intercept).
func (lp *logitProblem) penalised(i int) bool { return i%(lp.p+1) != lp.p }

// pseudoGrad is the minimum-norm subgradient of f + a‖w‖₁ at w.
func (lp *logitProblem) pseudoGrad(w, g []float64) []float64 {
	a := lp.l1Weight()
	pg := make([]float64, len(g))
	for i, gi := range g {
		switch {
		case !lp.penalised(i) || a == 0:
			pg[i] = gi
		case w[i] > 0:
			pg[i] = gi + a
		case w[i] < 0:
			pg[i] = gi - a
		case gi+a < 0:
			pg[i] = gi + a
		case gi-a > 0:
			pg[i] = gi - a
		}
	}
	return pg
}

func (lp *logitProblem) l1Norm(w []float64) float64 {
	var s float64
	for i, v := range w {
		if lp.penalised(i) {
			s += math.Abs(v)
		}
	}
	return s
}

// owlqn minimises the smooth objective plus the l1 term; it stops when the
// pseudo-gradient's max-norm is at most tol.
func (lp *logitProblem) owlqn(w []float64, maxIter int, tol float64) ([]float64, int, bool) {
	const mem = 10
	q := len(w)
	a := lp.l1Weight()
	f, g, _ := lp.eval(w, false)
	lp.zeroIntercept(g)
	F := f + a*lp.l1Norm(w)
	var ss, ys [][]float64
	var rhos []float64
	for it := 1; it <= maxIter; it++ {
		if lp.err != nil {
			return w, it, false
		}
		pg := lp.pseudoGrad(w, g)
		if maxAbs(pg) <= tol {
			return w, it - 1, true
		}
		// two-loop recursion on -pg
		d := make([]float64, q)
		for i := range d {
			d[i] = -pg[i]
		}
		alpha := make([]float64, len(ss))
		for k := len(ss) - 1; k >= 0; k-- {
			alpha[k] = rhos[k] * dot(ss[k], d)
			axpy(-alpha[k], ys[k], d)
		}
		if n := len(ss); n > 0 {
			scale(dot(ss[n-1], ys[n-1])/dot(ys[n-1], ys[n-1]), d)
		} else {
			scale(1/math.Max(1, maxAbs(pg)), d)
		}
		for k := range ss {
			b := rhos[k] * dot(ys[k], d)
			axpy(alpha[k]-b, ss[k], d)
		}
		// keep the direction in the orthant of -pg
		for i := range d {
			if lp.penalised(i) && d[i]*pg[i] >= 0 {
				d[i] = 0
			}
		}
		xi := make([]float64, q)
		for i := range xi {
			switch {
			case w[i] > 0:
				xi[i] = 1
			case w[i] < 0:
				xi[i] = -1
			default:
				xi[i] = -math.Copysign(1, pg[i])
				if pg[i] == 0 {
					xi[i] = 0
				}
			}
		}
		step := 1.0
		var wn, gn []float64
		var Fn float64
		ok := false
		for ls := 0; ls < 40; ls++ {
			wn = make([]float64, q)
			for i := range wn {
				v := w[i] + step*d[i]
				if lp.penalised(i) && v*xi[i] <= 0 {
					v = 0
				}
				wn[i] = v
			}
			var fn float64
			fn, gn, _ = lp.eval(wn, false)
			if lp.err != nil {
				return w, it, false
			}
			lp.zeroIntercept(gn)
			Fn = fn + a*lp.l1Norm(wn)
			var dec float64
			for i := range wn {
				dec += pg[i] * (wn[i] - w[i])
			}
			if Fn <= F+1e-4*dec {
				ok = true
				break
			}
			step /= 2
		}
		if !ok {
			// no decrease along the projected direction: at the optimum
			// to rounding
			return w, it, maxAbs(pg) <= 10*tol
		}
		s := make([]float64, q)
		y := make([]float64, q)
		for i := range s {
			s[i] = wn[i] - w[i]
			y[i] = gn[i] - g[i]
		}
		if sy := dot(s, y); sy > 1e-16 {
			ss, ys, rhos = append(ss, s), append(ys, y), append(rhos, 1/sy)
			if len(ss) > mem {
				ss, ys, rhos = ss[1:], ys[1:], rhos[1:]
			}
		}
		improved := F - Fn
		w, g, F = wn, gn, Fn
		if improved <= 1e-16*math.Max(1, math.Abs(F)) && maxAbs(lp.pseudoGrad(w, g)) <= 10*tol {
			return w, it, true
		}
	}
	return w, maxIter, maxAbs(lp.pseudoGrad(w, g)) <= tol
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func scale(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}

// admm is consensus ADMM over the row blocks: block i keeps x_i and the
// scaled dual u_i; every iteration is one pass in which each block
// minimises (its summed loss)/n + ρ/2‖x - z + u_i‖² from its last
// x_i (L-BFGS inside the task), then the driver sets z to the shrunk mean
// of x_i + u_i (the prox of the penalty), updates the duals and adapts ρ
// by residual balancing. It stops when the primal and dual residuals are
// below tol (relative, as Boyd et al. §3.3.1).
func (lp *logitProblem) admm(w []float64, maxIter int, tol float64, nblocks int) ([]float64, int, bool) {
	q := len(w)
	N := nblocks
	z := append([]float64(nil), w...)
	xs := make([]float64, N*q)
	us := make([]float64, N*q)
	rho := 1.0 / float64(N)
	for it := 1; it <= maxIter; it++ {
		b := lp.params(z, false)
		b = appendFloats(b, us)
		b = appendFloats(b, xs)
		b = appendFloat(b, rho)
		b = appendInt(b, N)
		n, _ := lp.r.dims()
		b = appendInt(b, n)
		out, err := lp.r.pass(lp.ctx, "ml.logit_admm", b, N*q, lp.passes == 0)
		lp.passes++
		if err != nil {
			lp.err = err
			return z, it, false
		}
		xs = out
		// z = prox of the penalty at the mean of x_i + u_i
		zold := z
		z = make([]float64, q)
		for i := range N {
			for j := range q {
				z[j] += xs[i*q+j] + us[i*q+j]
			}
		}
		Nr := float64(N) * rho
		l1, l2 := lp.lam*lp.l1, lp.lam*lp.l2
		for j := range z {
			v := z[j] / float64(N)
			if lp.penalised(j) {
				switch {
				case v > l1/Nr:
					v -= l1 / Nr
				case v < -l1/Nr:
					v += l1 / Nr
				default:
					v = 0
				}
				v /= 1 + l2/Nr
			} else if !lp.icpt {
				v = 0
			}
			z[j] = v
		}
		var r2, s2, xn, un float64
		for i := range N {
			for j := range q {
				d := xs[i*q+j] - z[j]
				us[i*q+j] += d
				r2 += d * d
				xn = math.Max(xn, math.Abs(xs[i*q+j]))
				un = math.Max(un, math.Abs(us[i*q+j]))
			}
		}
		for j := range z {
			d := z[j] - zold[j]
			s2 += d * d
		}
		r := math.Sqrt(r2)
		s := rho * math.Sqrt(float64(N)*s2)
		if r <= tol*math.Max(1, math.Max(xn, maxAbs(z))) && s <= tol*math.Max(1, rho*un) && it > 1 {
			return z, it, true
		}
		switch {
		case r > 10*s:
			rho *= 2
			scale(0.5, us)
		case s > 10*r:
			rho /= 2
			scale(2, us)
		}
	}
	return z, maxIter, false
}

// admmBlock solves block blk's local problem and writes its x_i at
// offset blk·q of a zero vector (the merge sums the blocks' vectors).
func admmBlock(params []byte, blk int, x, y *array.Dense) ([]float64, error) {
	r := newPReader(params)
	lp := logitParams{classes: r.floats(), k: r.int(), icpt: r.int() == 1, w: r.floats()}
	us, xs, rho, N, n := r.floats(), r.floats(), r.float(), r.int(), r.int()
	q := len(lp.w)
	if r.err || N <= 0 || n <= 0 || blk >= N || len(us) != N*q || len(xs) != N*q {
		return nil, fmt.Errorf("bad ADMM parameters")
	}
	z := lp.w
	u := us[blk*q : (blk+1)*q]
	x0 := append([]float64(nil), xs[blk*q:(blk+1)*q]...)
	inv := 1 / float64(n) // f_i is the block's loss over all n rows
	var perr error
	obj := func(v []float64, grad []float64) float64 {
		lp.w = v
		out, err := logitPartial(lp, x, y, false)
		if err != nil {
			perr = err
			return math.NaN()
		}
		f := out[0] * inv
		for j := range q {
			d := v[j] - z[j] + u[j]
			f += rho / 2 * d * d
			if grad != nil {
				grad[j] = out[1+j]*inv + rho*d
			}
		}
		if !lp.icpt && grad != nil {
			for c := range lp.k {
				grad[c*(q/lp.k)+q/lp.k-1] = 0
			}
		}
		return f
	}
	prob := optimize.Problem{
		Func: func(v []float64) float64 { return obj(v, nil) },
		Grad: func(g, v []float64) { obj(v, g) },
	}
	res, err := optimize.Minimize(prob, x0, &optimize.Settings{GradientThreshold: 1e-12, MajorIterations: 200,
		Converger: &optimize.FunctionConverge{Absolute: 1e-16, Relative: 1e-16, Iterations: 10}}, &optimize.LBFGS{Store: 10})
	if perr != nil {
		return nil, perr
	}
	out := make([]float64, N*q)
	sol := x0
	if res != nil {
		sol = res.X
	} else if err != nil {
		return nil, err
	}
	copy(out[blk*q:], sol)
	return out, nil
}
