package frame

import (
	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/frame/internal/window"
)

// sumRows is the moving sum or mean of a count window over a float64
// column without nulls, read in place: the overlap (the rows before the
// partition) is the only copy, and no bounds array is built. It returns nil
// where the general path must run (time windows, other types, nulls).
func sumRows(w *winSpec, a, ov arrow.Array) arrow.Array {
	if w.dur != 0 || w.k <= 0 {
		return nil
	}
	c := colOf(a)
	if c.k != kFloat || c.valid != nil {
		return nil
	}
	var pre []float64
	if ov != nil && ov.Len() > 0 {
		pre = floatsWithOverlap(ov, nil, false)
	}
	n := c.n
	vals := make([]float64, n)
	ok := window.SumRows(pre, c.f64[:n], int(w.k), int(w.minp), w.fn == "rmean", vals)
	return float64Array(vals, ok)
}

// trimTails cuts each of recs (the previous tail, then a partition) to
// the rows runTail can keep, before they are concatenated: the last k
// rows of a count window, the rows within dur of the last timestamp of a
// time window. runTail's own cut then gives the same rows as over the
// whole concatenation, without copying the partition.
func (w *winSpec) trimTails(recs []arrow.Record) []arrow.Record {
	out := append([]arrow.Record(nil), recs...)
	if w.dur == 0 {
		keep := max(w.k, 0)
		for i, r := range out {
			if r.NumRows() > keep {
				out[i] = r.NewSlice(r.NumRows()-keep, r.NumRows())
			}
		}
		return out
	}
	// The last timestamp of the concatenation: that of the last non-empty record.
	var last int64
	found := false
	for i := len(out) - 1; i >= 0 && !found; i-- {
		r := out[i]
		ix := r.Schema().FieldIndices(w.on)
		if len(ix) == 0 {
			return recs
		}
		if r.NumRows() > 0 {
			c := colOf(r.Column(ix[0]))
			if c.valid != nil || c.k != kTime {
				return recs
			}
			last, found = c.i64[r.NumRows()-1], true
		}
	}
	if !found {
		return recs
	}
	for i, r := range out {
		ix := r.Schema().FieldIndices(w.on)
		c := colOf(r.Column(ix[0]))
		if c.valid != nil || c.k != kTime {
			return recs
		}
		n := int(r.NumRows())
		j := n
		for j > 0 && c.i64[j-1] > last-w.dur {
			j--
		}
		// Rows out of order before j could still be in the window: keep
		// the record whole then (runWin reports the disorder).
		for k := 0; k < j; k++ {
			if c.i64[k] > last-w.dur {
				j = 0
				break
			}
		}
		if j > 0 {
			out[i] = r.NewSlice(int64(j), int64(n))
		}
	}
	return out
}
