package window

import "math"

// SumRows is Sum over count windows of k rows (k ≥ 1) of the rows pre
// then x, without their concatenation or a bounds array: out[r] is the
// window ending at row r of x, that is rows max(0, len(pre)+r-k+1) to
// len(pre)+r of pre‖x. Values are added and removed in the order Sum
// uses, so the results are the same bits.
func SumRows(pre, x []float64, k, minp int, mean bool, out []float64, ok []bool) {
	var s kbsum
	cnt := 0
	np := len(pre)
	for _, v := range pre {
		if !math.IsNaN(v) {
			s.add(v)
			cnt++
		}
	}
	tail := 0 // the first row of pre‖x still in the sum
	for r, v := range x {
		if !math.IsNaN(v) {
			s.add(v)
			cnt++
		}
		for lo := np + r - k + 1; tail < lo; tail++ {
			u := 0.0
			if tail < np {
				u = pre[tail]
			} else {
				u = x[tail-np]
			}
			if !math.IsNaN(u) {
				s.add(-u)
				cnt--
			}
		}
		emitSum(&s, cnt, minp, mean, out, ok, r)
	}
}
