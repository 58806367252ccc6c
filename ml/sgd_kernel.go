package ml

import "math"

// The SGD epoch kernel. Rows are visited in a shuffled order, so reading
// them one by one from a 100 000-row block is a cache miss per row whose
// latency the update (a chain through the weights) cannot hide. The
// kernel instead gathers sgdGather rows of the order into a contiguous
// buffer with their ±1 targets first (independent loads, many misses in
// flight), then runs the per-sample updates on the buffer: a dot product
// with four accumulators, the loss derivative by a precomputed loss code,
// the l2 shrinkage as a running scale.

const sgdGather = 128

const (
	lossHinge = iota
	lossLog
	lossModHuber
)

func lossCode(loss string) int {
	switch loss {
	case "log_loss":
		return lossLog
	case "modified_huber":
		return lossModHuber
	}
	return lossHinge
}

// dlossCode is dloss by loss code.
func dlossCode(loss int, p, y float64) float64 {
	z := p * y
	switch loss {
	case lossLog:
		if z > 18 {
			return -y * math.Exp(-z)
		}
		if z < -18 {
			return -y
		}
		return -y / (math.Exp(z) + 1)
	case lossModHuber:
		if z >= 1 {
			return 0
		}
		if z >= -1 {
			return -2 * (1 - z) * y
		}
		return -4 * y
	default:
		if z <= 1 {
			return -y
		}
		return 0
	}
}

// dot4 is Σ a[j]·b[j] with four accumulators (len(b) ≥ len(a)).
func dot4(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+4 <= len(a); j += 4 {
		x, y := a[j:j+4:j+4], b[j:j+4:j+4]
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
	}
	for ; j < len(a); j++ {
		s0 += a[j] * b[j]
	}
	return (s0 + s1) + (s2 + s3)
}

// sgdClassEpoch runs one pass of binary SGD (class pos against the rest)
// over the rows of x (p columns) in order: weights w and intercept b
// updated in place, t the schedule's sample count at the start; it returns
// the new intercept and count.
func sgdClassEpoch(x []float64, p int, lab []int, pos int, order []int, w []float64, b, t, alpha float64, loss int, l2 bool) (float64, float64) {
	buf := make([]float64, sgdGather*p)
	ys := make([]float64, sgdGather)
	wscale := 1.0
	for o0 := 0; o0 < len(order); o0 += sgdGather {
		idx := order[o0:min(o0+sgdGather, len(order))]
		for r, i := range idx {
			copy(buf[r*p:r*p+p], x[i*p:i*p+p])
			ys[r] = -1
			if lab[i] == pos {
				ys[r] = 1
			}
		}
		for r, yy := range ys[:len(idx)] {
			row := buf[r*p : r*p+p]
			pr := dot4(row, w)*wscale + b
			eta := 1 / (alpha * t)
			d := max(min(dlossCode(loss, pr, yy), 1e12), -1e12)
			upd := -eta * d
			if l2 {
				wscale *= math.Max(0, 1-eta*alpha)
			}
			if upd != 0 {
				wscale = sgdAdd(w, wscale, row, upd)
				b += upd
			}
			t++
		}
	}
	for j := range w {
		w[j] *= wscale
	}
	return b, t
}
