// Package window holds the O(n) moving-window kernels behind frame's
// Rolling: running sums with compensated (Kahan–Babuška) arithmetic, a
// running mean and sum of squared deviations updated on add and remove
// (Welford's recurrences both ways), and monotone deques for the moving
// minimum and maximum. frame gathers a partition's values, with the rows
// the window needs from the previous partitions in front (the overlap),
// into flat []float64 slices and calls these kernels; they know nothing of
// Arrow or partitions.
//
// Missing values are NaN in the input: they are skipped (not counted), as
// pandas' rolling does. An output is valid (ok[i] true) when the window of
// row i holds at least minPeriods values.
package window

import "math"

// Bounds returns, for every row i >= start of a window ending at row i, the
// first row lo[i-start] of the window: i-n+1 (clamped at 0) for a count
// window of n rows (ts nil), else the first row j with ts[j] > ts[i]-dur
// (pandas' closed="right" time window), ts ascending.
func Bounds(nrows, start int, n int, ts []int64, dur int64) []int32 {
	lo := make([]int32, nrows-start)
	if ts == nil {
		for i := start; i < nrows; i++ {
			lo[i-start] = int32(max(0, i-n+1))
		}
		return lo
	}
	j := 0
	for i := 0; i < nrows; i++ {
		for j < i && ts[j] <= ts[i]-dur {
			j++
		}
		if i >= start {
			lo[i-start] = int32(j)
		}
	}
	return lo
}

// kbsum is a Kahan–Babuška (Neumaier) compensated sum.
type kbsum struct{ s, c float64 }

func (k *kbsum) add(x float64) {
	t := k.s + x
	if math.Abs(k.s) >= math.Abs(x) {
		k.c += (k.s - t) + x
	} else {
		k.c += (x - t) + k.s
	}
	k.s = t
}

func (k *kbsum) value() float64 { return k.s + k.c }

// Sum writes the moving sum (mean when mean is true) of the windows
// [lo[r], start+r] of x into out[r] (len(lo) rows), valid when the window
// holds at least minp non-NaN values. Windows only move forward (lo is
// non-decreasing), so each value is added once and removed once.
func Sum(x []float64, start int, lo []int32, minp int, mean bool, out []float64, ok []bool) {
	var s kbsum
	cnt := 0
	head, tail := 0, 0 // the rows in the running sum: [tail, head)
	for r := range lo {
		i := start + r
		for ; head <= i; head++ {
			if v := x[head]; !math.IsNaN(v) {
				s.add(v)
				cnt++
			}
		}
		for ; tail < int(lo[r]); tail++ {
			if v := x[tail]; !math.IsNaN(v) {
				s.add(-v)
				cnt--
			}
		}
		emitSum(&s, cnt, minp, mean, out, ok, r)
	}
}

// emitSum writes the running sum s of cnt values (their mean when mean
// is true) into out[r], valid when cnt reaches minp.
func emitSum(s *kbsum, cnt, minp int, mean bool, out []float64, ok []bool, r int) {
	if cnt == 0 {
		// Reset so cancellation error does not survive an empty window.
		*s = kbsum{}
	}
	if cnt >= minp && (cnt > 0 || !mean) {
		v := s.value()
		if mean {
			v /= float64(cnt)
		}
		out[r], ok[r] = v, true
	} else {
		out[r], ok[r] = 0, false
	}
}

// Var writes the moving variance with ddof degrees of freedom (std when
// sqrt) of the windows [lo[r], start+r] into out, valid when the window
// holds at least minp values and more than ddof. The mean and the sum of
// squared deviations are updated on every add and remove (Welford's
// recurrence and its inverse); a window whose values are all equal gives
// exactly 0, and rounding never makes the variance negative.
func Var(x []float64, start int, lo []int32, minp int, ddof int, sqrt bool, out []float64, ok []bool) {
	var mean, ssq float64
	cnt := 0
	// Same-value run: the variance is exactly 0 when the last `same`
	// values are equal and cover the window (pandas does the same).
	same, last := 0, math.NaN()
	head, tail := 0, 0
	for r := range lo {
		i := start + r
		for ; head <= i; head++ {
			v := x[head]
			if math.IsNaN(v) {
				continue
			}
			cnt++
			d := v - mean
			mean += d / float64(cnt)
			ssq += d * (v - mean)
			if v == last {
				same++
			} else {
				same, last = 1, v
			}
		}
		for ; tail < int(lo[r]); tail++ {
			v := x[tail]
			if math.IsNaN(v) {
				continue
			}
			cnt--
			if cnt == 0 {
				mean, ssq = 0, 0
				continue
			}
			d := v - mean
			mean -= d / float64(cnt)
			ssq -= d * (v - mean)
		}
		if cnt >= minp && cnt > ddof && cnt > 0 {
			v := ssq
			if same >= cnt || v < 0 {
				v = 0
			}
			v /= float64(cnt - ddof)
			if sqrt {
				v = math.Sqrt(v)
			}
			out[r], ok[r] = v, true
		} else {
			out[r], ok[r] = 0, false
		}
	}
}

// MinMax writes the moving minimum (or maximum when isMax) of the windows
// [lo[r], start+r] into out, valid when the window holds at least minp
// non-NaN values: a monotone deque of row numbers whose values increase
// (decrease) from front to back, so each row enters and leaves it once.
func MinMax(x []float64, start int, lo []int32, minp int, isMax bool, out []float64, ok []bool) {
	dq := make([]int32, 0, 64)
	front := 0
	cnt := 0
	head, tail := 0, 0
	worse := func(a, b float64) bool { // a can never again be the answer once b arrives
		if isMax {
			return a <= b
		}
		return a >= b
	}
	for r := range lo {
		i := start + r
		for ; head <= i; head++ {
			v := x[head]
			if math.IsNaN(v) {
				continue
			}
			cnt++
			for len(dq) > front && worse(x[dq[len(dq)-1]], v) {
				dq = dq[:len(dq)-1]
			}
			dq = append(dq, int32(head))
		}
		for ; tail < int(lo[r]); tail++ {
			if !math.IsNaN(x[tail]) {
				cnt--
			}
		}
		for front < len(dq) && int(dq[front]) < int(lo[r]) {
			front++
		}
		if front > 1024 && front*2 > len(dq) {
			dq = append(dq[:0], dq[front:]...)
			front = 0
		}
		if cnt >= minp && cnt > 0 {
			out[r], ok[r] = x[dq[front]], true
		} else {
			out[r], ok[r] = 0, false
		}
	}
}

// Count writes the number of non-NaN values of each window into out,
// valid when it is at least minp.
func Count(x []float64, start int, lo []int32, minp int, out []float64, ok []bool) {
	cnt := 0
	head, tail := 0, 0
	for r := range lo {
		i := start + r
		for ; head <= i; head++ {
			if !math.IsNaN(x[head]) {
				cnt++
			}
		}
		for ; tail < int(lo[r]); tail++ {
			if !math.IsNaN(x[tail]) {
				cnt--
			}
		}
		out[r], ok[r] = float64(cnt), cnt >= minp
	}
}
