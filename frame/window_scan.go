package frame

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// The carry scan of CumSum, CumProd, CumMax, CumMin and CumCount: scantot
// reduces each partition to one row of totals, scanpre turns the totals
// into the carry entering every partition (one row per partition), and
// scanfix runs the scan of a partition starting from its carry.

// carry is a running value of one column: an int64 or float64 accumulator
// and whether it holds a value yet (cummax/cummin start empty).
type carry struct {
	i  int64
	f  float64
	ok bool
}

func carryStart(fn string, isFloat bool) carry {
	switch fn {
	case "cumsum", "cumcount":
		return carry{ok: true}
	case "cumprod":
		return carry{i: 1, f: 1, ok: true}
	}
	return carry{}
}

// step adds value i of c to the carry; it reports false for a missing
// value (skipped).
func (cr *carry) step(fn string, c *col, i int) bool {
	if c.null(i) {
		return false
	}
	if c.k == kFloat {
		v := c.f64[i]
		if math.IsNaN(v) {
			return false
		}
		switch fn {
		case "cumsum":
			cr.f += v
		case "cumprod":
			cr.f *= v
		case "cummax":
			if !cr.ok || v > cr.f {
				cr.f = v
			}
		case "cummin":
			if !cr.ok || v < cr.f {
				cr.f = v
			}
		case "cumcount":
			cr.i++
		}
		cr.ok = true
		return true
	}
	var v int64
	if c.k == kBool {
		v = int64(btoi(c.boolAt(i)))
	} else {
		v = c.i64[i]
	}
	switch fn {
	case "cumsum":
		cr.i += v
	case "cumprod":
		cr.i *= v
	case "cummax":
		if !cr.ok || v > cr.i {
			cr.i = v
		}
	case "cummin":
		if !cr.ok || v < cr.i {
			cr.i = v
		}
	case "cumcount":
		cr.i++
	}
	cr.ok = true
	return true
}

// merge combines the carry before a partition with that partition's total.
func (cr carry) merge(fn string, t carry) carry {
	if !t.ok {
		return cr
	}
	if !cr.ok {
		return t
	}
	switch fn {
	case "cumsum", "cumcount":
		return carry{i: cr.i + t.i, f: cr.f + t.f, ok: true}
	case "cumprod":
		return carry{i: cr.i * t.i, f: cr.f * t.f, ok: true}
	case "cummax":
		return carry{i: max(cr.i, t.i), f: math.Max(cr.f, t.f), ok: true}
	}
	return carry{i: min(cr.i, t.i), f: math.Min(cr.f, t.f), ok: true}
}

// carryRecord stores one carry per column and row: an int64 and a float64
// column per scanned column.
func carryRecord(cols []string, rows [][]carry) arrow.Record {
	var fields []arrow.Field
	var arrs []arrow.Array
	for j, c := range cols {
		iv, fv, ok := make([]int64, len(rows)), make([]float64, len(rows)), make([]bool, len(rows))
		for r := range rows {
			iv[r], fv[r], ok[r] = rows[r][j].i, rows[r][j].f, rows[r][j].ok
		}
		fields = append(fields, arrow.Field{Name: c + "\x00i", Type: Int64, Nullable: true}, arrow.Field{Name: c + "\x00f", Type: Float64})
		arrs = append(arrs, int64Array(iv, ok), float64Array(fv, nil))
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(len(rows)))
}

func carriesAt(r arrow.Record, row int) []carry {
	out := make([]carry, r.NumCols()/2)
	for j := range out {
		ic, fc := colOf(r.Column(2*j)), colOf(r.Column(2*j+1))
		out[j] = carry{i: ic.i64[row], f: fc.f64[row], ok: !ic.null(row)}
	}
	return out
}

func runScanTot(o *winOp, in []any) (any, error) {
	r := partRecord(in[0])
	tot := make([]carry, len(o.cols))
	for j, name := range o.cols {
		c := colOf(r.Column(r.Schema().FieldIndices(name)[0]))
		cr := carryStart(o.fn, c.k == kFloat)
		if o.fn == "cummax" || o.fn == "cummin" {
			cr = carry{}
		}
		for i := 0; i < c.n; i++ {
			cr.step(o.fn, &c, i)
		}
		tot[j] = cr
	}
	return &Part{R: carryRecord(o.cols, [][]carry{tot})}, nil
}

func runScanPre(o *winOp, in []any) (any, error) {
	rows := make([][]carry, len(in))
	cur := make([]carry, len(o.cols))
	for j := range cur {
		cur[j] = carryStart(o.fn, false)
	}
	for p, v := range in {
		rows[p] = append([]carry(nil), cur...)
		t := carriesAt(partRecord(v), 0)
		for j := range cur {
			cur[j] = cur[j].merge(o.fn, t[j])
		}
	}
	return &Part{R: carryRecord(o.cols, rows)}, nil
}

func runScanFix(o *winOp, in []any) (any, error) {
	_, part := winSpecOf(o)
	r := partRecord(in[0])
	pre := partRecord(in[1])
	if part >= int(pre.NumRows()) {
		return nil, fmt.Errorf("frame: %s: no carry for partition %d", o.names[0], part)
	}
	start := carriesAt(pre, part)
	cols := append([]arrow.Array(nil), r.Columns()...)
	fields := append([]arrow.Field(nil), r.Schema().Fields()...)
	for j, name := range o.cols {
		ci := r.Schema().FieldIndices(name)[0]
		c := colOf(r.Column(ci))
		cr := start[j]
		n := c.n
		valid := make([]bool, n)
		var res arrow.Array
		switch {
		case o.fn == "cumcount":
			out := make([]int64, n)
			for i := 0; i < n; i++ {
				valid[i] = cr.step(o.fn, &c, i)
				out[i] = cr.i
			}
			res = int64Array(out, allTrueNil(valid))
		case c.k == kFloat:
			out := make([]float64, n)
			for i := 0; i < n; i++ {
				valid[i] = cr.step(o.fn, &c, i)
				out[i] = cr.f
				if !valid[i] && !c.null(i) {
					out[i], valid[i] = c.f64[i], true // NaN stays NaN
				}
			}
			res = float64Array(out, allTrueNil(valid))
		default:
			out := make([]int64, n)
			for i := 0; i < n; i++ {
				valid[i] = cr.step(o.fn, &c, i)
				out[i] = cr.i
			}
			if c.k == kTime {
				res = timeArray(out, allTrueNil(valid))
			} else {
				res = int64Array(out, allTrueNil(valid))
			}
		}
		cols[ci] = res
		fields[ci] = arrow.Field{Name: name, Type: res.DataType(), Nullable: true}
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), cols, r.NumRows())}, nil
}

func init() {
	winKinds["scantot"] = runScanTot
	winKinds["scanpre"] = runScanPre
	winKinds["scanfix"] = runScanFix
}
