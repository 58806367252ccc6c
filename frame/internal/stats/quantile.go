package stats

import (
	"math"
	"sort"
)

// Quantile returns the q-quantile of v with pandas' default linear
// interpolation (position q·(n-1) between the order statistics around it),
// found by selection in O(n): v is reordered. NaN for empty v. q must be
// in [0, 1] (the caller checks).
func Quantile(v []float64, q float64) float64 {
	n := len(v)
	if n == 0 {
		return math.NaN()
	}
	pos := q * float64(n-1)
	lo := int(math.Floor(pos))
	if lo >= n-1 {
		lo = n - 1
	}
	Select(v, lo)
	a := v[lo]
	frac := pos - float64(lo)
	if frac == 0 || lo == n-1 {
		return a
	}
	// The next order statistic is the minimum of the part above lo.
	b := v[lo+1]
	for _, x := range v[lo+2:] {
		if x < b {
			b = x
		}
	}
	return a + (b-a)*frac
}

// Quantiles returns the qs-quantiles of v (reordered), sharing the work:
// v is sorted once when there are several.
func Quantiles(v []float64, qs []float64) []float64 {
	out := make([]float64, len(qs))
	if len(qs) == 1 {
		out[0] = Quantile(v, qs[0])
		return out
	}
	sort.Float64s(v)
	for i, q := range qs {
		out[i] = sortedQuantile(v, q)
	}
	return out
}

func sortedQuantile(v []float64, q float64) float64 {
	n := len(v)
	if n == 0 {
		return math.NaN()
	}
	pos := q * float64(n-1)
	lo := int(math.Floor(pos))
	if lo >= n-1 {
		return v[n-1]
	}
	return v[lo] + (v[lo+1]-v[lo])*(pos-float64(lo))
}

// Select reorders v so that v[k] is the k-th smallest, the values before it
// no larger and those after no smaller (Floyd–Rivest-style quickselect
// with median-of-three pivots; no NaN in v).
func Select(v []float64, k int) {
	lo, hi := 0, len(v)-1
	for hi > lo {
		if hi-lo < 16 {
			for i := lo + 1; i <= hi; i++ {
				for j := i; j > lo && v[j] < v[j-1]; j-- {
					v[j], v[j-1] = v[j-1], v[j]
				}
			}
			return
		}
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		p := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < p {
				i++
			}
			for v[j] > p {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return
		}
	}
}

// Summary is a mergeable quantile summary: weighted points such that for
// every x the summed weight of the points <= x is within Err of the number
// of summarized values <= x. A summary of n values made with m points has
// Err <= n/m; merging adds the errors, so a summary of P partitions of n
// values in all has Err <= n/m + P.
type Summary struct {
	V   []float64 // ascending
	W   []float64
	N   float64
	Err float64
}

// Summarize sorts v and keeps m points of it: the value at every n/m-th
// rank, weighted by the ranks it stands for.
func Summarize(v []float64, m int) Summary {
	sort.Float64s(v)
	n := len(v)
	s := Summary{N: float64(n)}
	if n == 0 {
		return s
	}
	if n <= m {
		s.V = append([]float64(nil), v...)
		s.W = make([]float64, n)
		for i := range s.W {
			s.W[i] = 1
		}
		return s
	}
	step := float64(n) / float64(m)
	prev := 0
	for k := 1; k <= m; k++ {
		r := int(math.Round(float64(k) * step))
		if r > n {
			r = n
		}
		if r <= prev {
			continue
		}
		s.V = append(s.V, v[r-1])
		s.W = append(s.W, float64(r-prev))
		prev = r
	}
	s.Err = step + 1
	return s
}

// Merge combines two summaries (the points of both, errors added).
func Merge(a, b Summary) Summary {
	out := Summary{N: a.N + b.N, Err: a.Err + b.Err}
	i, j := 0, 0
	for i < len(a.V) || j < len(b.V) {
		if j >= len(b.V) || (i < len(a.V) && a.V[i] <= b.V[j]) {
			out.V, out.W = append(out.V, a.V[i]), append(out.W, a.W[i])
			i++
		} else {
			out.V, out.W = append(out.V, b.V[j]), append(out.W, b.W[j])
			j++
		}
	}
	return out
}

// Quantile is the value at rank q·(N-1) (0-based) by the summary's
// weights: within Err ranks of the exact linear-interpolated quantile's
// neighbours.
func (s Summary) Quantile(q float64) float64 {
	if s.N == 0 {
		return math.NaN()
	}
	target := q*(s.N-1) + 1
	acc := 0.0
	for i, w := range s.W {
		acc += w
		if acc >= target-1e-9 {
			return s.V[i]
		}
	}
	return s.V[len(s.V)-1]
}
