package window

import "math"

// SumRows is Sum over count windows of k rows (k ≥ 1) of the rows pre
// then x, without their concatenation or a bounds array: out[r] is the
// window ending at row r of x, that is rows max(0, len(pre)+r-k+1) to
// len(pre)+r of pre‖x. It returns nil when every row of out is valid,
// else each row's validity.
//
// Where a value enters and another leaves a window and both are finite,
// their difference is added to the running sum as one exact pair (the
// rounded difference and its error, Knuth's TwoSum), so a row costs one
// compensated addition, with no branch on the values; rows where a NaN or
// an infinity enters or leaves take the general step, which adds and
// removes them one by one as Sum does. The sum is compensated throughout
// (its value is s + c), so it is as accurate as Sum's, though not always
// the same bits.
func SumRows(pre, x []float64, k, minp int, mean bool, out []float64) []bool {
	if len(pre) > k-1 {
		pre = pre[len(pre)-(k-1):] // only the last k-1 rows reach x's windows
	}
	m := len(pre)
	var sum kbsum
	cnt := 0
	for _, v := range pre {
		if !math.IsNaN(v) {
			sum.add(v)
			cnt++
		}
	}
	var ok []bool
	emit := func(r int) {
		if cnt == 0 {
			// Reset so cancellation error does not survive an empty window.
			sum = kbsum{}
		}
		if cnt >= minp && (cnt > 0 || !mean) {
			v := sum.value()
			if mean {
				v /= float64(cnt)
			}
			out[r] = v
			if ok != nil {
				ok[r] = true
			}
			return
		}
		if ok == nil {
			ok = make([]bool, len(x))
			for i := 0; i < r; i++ {
				ok[i] = true
			}
		}
		out[r], ok[r] = 0, false
	}
	// step adds v, the row entering the window, then removes u, the row
	// leaving it (drop false: none leaves).
	step := func(v, u float64, drop bool) {
		if !math.IsNaN(v) {
			sum.add(v)
			cnt++
		}
		if drop && !math.IsNaN(u) {
			sum.add(-u)
			cnt--
		}
	}
	n := len(x)
	r := 0
	for ; r < n && r < k; r++ { // the leaving row, if any, is in pre
		if j := m + r - k; j >= 0 {
			step(x[r], pre[j], true)
		} else {
			step(x[r], 0, false)
		}
		emit(r)
	}
	for r < n {
		// A run of rows where finite values enter and leave: the count,
		// and so the validity, stays as it is.
		valid := cnt >= minp && cnt > 0
		if valid || ok != nil {
			s, c := sum.s, sum.c
			fc := float64(cnt)
			for ; r < n; r++ {
				v, u := x[r], x[r-k]
				d := v - u
				if d-d != 0 { // NaN or ±Inf: the general step
					break
				}
				// d + e == v - u exactly; then s + c += d + e.
				bb := d - v
				e := (v - (d - bb)) + (-u - bb)
				t := s + d
				bp := t - s
				c += ((s - (t - bp)) + (d - bp)) + e
				s = t
				switch {
				case !valid:
					out[r] = 0
				case mean:
					out[r] = (s + c) / fc
				default:
					out[r] = s + c
				}
				if ok != nil {
					ok[r] = valid
				}
			}
			sum.s, sum.c = s, c
			if r == n {
				break
			}
		}
		step(x[r], x[r-k], true)
		emit(r)
		r++
	}
	return ok
}
