package frame

import (
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// Date32 columns are 32-bit days in Arrow; col and val hold dates as int64
// for the kernels that share code with the other int-like kinds. The hot
// paths of a query (a date column compared with a literal or with another
// date column in a filter, the gather after a filter) read the 32-bit
// values as they are instead of widening the whole column first.

// date32Vals is the days of a date32 array as an int32 slice over its own
// buffer (no copy).
func date32Vals(a *array.Date32) []int32 {
	vs := a.Date32Values()
	return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(vs))), len(vs))
}

// date32Col is the date32 array that the column node n names in r, or nil
// when n is not a column or the column is not a date.
func date32Col(n *enode, r arrow.Record) *array.Date32 {
	if n.op != "col" {
		return nil
	}
	idx := r.Schema().FieldIndices(n.name)
	if len(idx) == 0 {
		return nil
	}
	a, _ := r.Column(idx[0]).(*array.Date32)
	return a
}

// arrayValid is a's validity as bools (nil: no nulls).
func arrayValid(a arrow.Array) []bool {
	if a.NullN() == 0 {
		return nil
	}
	out := make([]bool, a.Len())
	for i := range out {
		out[i] = a.IsValid(i)
	}
	return out
}

// compareDate32 evaluates the comparison n over r without widening when its
// operands are a date32 column and a date or integer literal, or two date32
// columns; ok is false when n is not of that shape (the general path then
// evaluates it, with the same answers).
func compareDate32(n *enode, r arrow.Record) (v *val, ok bool) {
	switch n.op {
	case "==", "!=", "<", "<=", ">", ">=":
	default:
		return nil, false
	}
	if len(n.args) != 2 {
		return nil, false
	}
	x := date32Col(n.args[0], r)
	if x == nil {
		return nil, false
	}
	rows := int(r.NumRows())
	xs := date32Vals(x)[:rows]
	out := &val{k: kBool, n: rows, b: make([]bool, rows)}
	if l := n.args[1]; l.op == "lit" {
		if l.lit.k != kDate && l.lit.k != kInt {
			return nil, false
		}
		if l.lit.null {
			out.valid = make([]bool, rows)
			return out, true
		}
		out.valid = arrayValid(x)
		cmpDate32Scalar(out.b, xs, l.lit.i, n.op)
		return out, true
	}
	y := date32Col(n.args[1], r)
	if y == nil {
		return nil, false
	}
	ys := date32Vals(y)[:rows]
	out.valid = andValid(rows, &val{valid: arrayValid(x)}, &val{valid: arrayValid(y)})
	b := out.b
	switch n.op {
	case "==":
		for i := range b {
			b[i] = xs[i] == ys[i]
		}
	case "!=":
		for i := range b {
			b[i] = xs[i] != ys[i]
		}
	case "<":
		for i := range b {
			b[i] = xs[i] < ys[i]
		}
	case "<=":
		for i := range b {
			b[i] = xs[i] <= ys[i]
		}
	case ">":
		for i := range b {
			b[i] = xs[i] > ys[i]
		}
	case ">=":
		for i := range b {
			b[i] = xs[i] >= ys[i]
		}
	}
	return out, true
}

// cmpDate32Scalar sets b[i] to xs[i] op c. A literal outside int32 compares
// as every day being below (c too big) or above (c too small) it.
func cmpDate32Scalar(b []bool, xs []int32, c int64, op string) {
	const lo, hi = -1 << 31, 1<<31 - 1
	if c < lo || c > hi {
		below := c > hi // every x < c
		var all bool
		switch op {
		case "==":
			all = false
		case "!=":
			all = true
		case "<", "<=":
			all = below
		default:
			all = !below
		}
		for i := range b {
			b[i] = all
		}
		return
	}
	d := int32(c)
	switch op {
	case "==":
		for i := range b {
			b[i] = xs[i] == d
		}
	case "!=":
		for i := range b {
			b[i] = xs[i] != d
		}
	case "<":
		for i := range b {
			b[i] = xs[i] < d
		}
	case "<=":
		for i := range b {
			b[i] = xs[i] <= d
		}
	case ">":
		for i := range b {
			b[i] = xs[i] > d
		}
	case ">=":
		for i := range b {
			b[i] = xs[i] >= d
		}
	}
}

// takeDate32 gathers a at idx (negative: null) as 32-bit days.
func takeDate32(a *array.Date32, idx []int32) arrow.Array {
	vs := date32Vals(a)
	out := make([]int32, len(idx))
	hasNull := a.NullN() > 0
	for j, i := range idx {
		if i >= 0 {
			out[j] = vs[i]
		} else {
			hasNull = true
		}
	}
	var valid []bool
	if hasNull {
		valid = make([]bool, len(idx))
		for j, i := range idx {
			valid[j] = i >= 0 && a.IsValid(int(i))
		}
	}
	vb, nulls := validityBuf(valid)
	d := array.NewData(Date32, len(idx), []*memory.Buffer{vb, memory.NewBufferBytes(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(out))), 4*len(out)))}, nil, nulls, 0)
	return array.MakeFromData(d)
}
