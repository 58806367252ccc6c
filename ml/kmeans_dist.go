package ml

import (
	"github.com/godask/godask/internal/gemm"
	"gonum.org/v1/gonum/blas"
)

// The nearest-centre search of every k-means pass (Lloyd sums, the
// k-means|| state, the candidate counts, Predict, MiniBatchKMeans) is one
// blocked pass over the flat row-major block: a tile of distTile rows is
// multiplied by the centres as a matrix product G = −2·X·Cᵀ (internal/gemm,
// the AVX2/FMA micro-kernels), and each row's squared distances are then
// ‖x‖² + G[i,c] + ‖c‖², scanned for the minimum while the tile is still in
// cache. The caller's per-row work (adding the row to its cluster's sum,
// counting it, updating a state) runs on the same tile right after, so a
// block is read from memory once per pass.

// distTile is the rows per product: a multiple of the 6-row micro-tile and
// of the 72-row packing block, 288·20 float64 = 46 KB of X for L2.
const distTile = 288

// assigner is the scratch of one blocked nearest-centre search over a
// centre set; one per task (not safe for concurrent use).
type assigner struct {
	cs  *centerSet
	g   []float64 // distTile × k products
	lab []int32   // labels of the current tile
	d   []float64 // squared distances of the current tile
}

func (cs *centerSet) assigner() *assigner {
	return &assigner{cs: cs, g: make([]float64, distTile*max(cs.k, 1)), lab: make([]int32, distTile), d: make([]float64, distTile)}
}

// tile finds the nearest centre of each of the t ≤ distTile rows of x
// (row-major, p columns): a.lab[i] and a.d[i] (the squared distance,
// clamped at 0 against rounding).
func (a *assigner) tile(x []float64, t int) {
	cs := a.cs
	k, p := cs.k, cs.p
	lab, dist := a.lab[:t], a.d[:t]
	if k == 0 || t == 0 {
		return
	}
	if p == 0 {
		clear(lab)
		clear(dist)
		return
	}
	// G starts as ‖c‖² in every row and the product adds −2·X·Cᵀ.
	g := a.g[:t*k]
	norm := cs.norm[:k]
	for i := range t {
		copy(g[i*k:i*k+k], norm)
	}
	gemm.Dgemm(blas.NoTrans, blas.Trans, t, k, p, -2, x[:t*p], p, cs.c[:k*p], p, 1, g, k)
	for i := range t {
		row := x[i*p : i*p+p]
		xx := dot4(row, row)
		best, bd := argmin(g[i*k : i*k+k])
		lab[i], dist[i] = int32(best), max(bd+xx, 0)
	}
}

// argmin returns the index and value of the smallest element of v (the
// first on ties; len(v) ≥ 1): the minimum by branch-free min over four
// running minima, then the first index holding it (a predictable scan;
// the data-dependent branches of a running argmin mispredict on about
// ln k of the k centres of every row).
func argmin(v []float64) (int, float64) {
	m0 := v[0]
	m1, m2, m3 := m0, m0, m0
	c := 1
	for ; c+4 <= len(v); c += 4 {
		w := v[c : c+4 : c+4]
		m0 = min(m0, w[0])
		m1 = min(m1, w[1])
		m2 = min(m2, w[2])
		m3 = min(m3, w[3])
	}
	for ; c < len(v); c++ {
		m0 = min(m0, v[c])
	}
	m := min(min(m0, m1), min(m2, m3))
	for i, w := range v {
		if w == m {
			return i, m
		}
	}
	return 0, m // NaN
}

// each runs fn on every tile of the n rows of x after finding their
// nearest centres: fn(i0, t) sees rows i0..i0+t-1 with labels a.lab[:t]
// and distances a.d[:t].
func (a *assigner) each(x []float64, n int, fn func(i0, t int)) {
	p := a.cs.p
	for i0 := 0; i0 < n; i0 += distTile {
		t := min(distTile, n-i0)
		a.tile(x[i0*p:], t)
		fn(i0, t)
	}
}

// lloydSums adds every row of x to the sum of its nearest centre: sums
// (k·p), counts (k); it returns the rows' summed squared distances.
func (a *assigner) lloydSums(x []float64, n int, sums, counts []float64) float64 {
	p := a.cs.p
	var inertia float64
	a.each(x, n, func(i0, t int) {
		for i, b := range a.lab[:t] {
			row := x[(i0+i)*p : (i0+i)*p+p]
			s := sums[int(b)*p : int(b)*p+p]
			for j, v := range row {
				s[j] += v
			}
			counts[b]++
			inertia += a.d[i]
		}
	})
	return inertia
}
