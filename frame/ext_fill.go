package frame

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/graph"
)

// deriveExt is f followed by the plan node e (see extNode).
func (f *Frame) deriveExt(e extNode, schema *arrow.Schema) *Frame {
	return f.derive(&node{op: "ext", ext: e, schema: schema})
}

// FFill fills the missing values (nulls, and NaN in float columns) of the
// named columns (all when none) with the last value before them, as pandas'
// ffill: across partition boundaries too (the last value of each column is
// carried from one partition to the next, by a small task per partition),
// so the answer does not depend on the partitioning. Values before the
// first non-missing one stay missing.
func (f *Frame) FFill(cols ...string) *Frame { return f.fill("FFill", false, cols) }

// BFill fills the missing values of the named columns (all when none) with
// the next value after them, as pandas' bfill, carried backwards across
// partitions.
func (f *Frame) BFill(cols ...string) *Frame { return f.fill("BFill", true, cols) }

func (f *Frame) fill(what string, back bool, cols []string) *Frame {
	if f.err != nil {
		return f
	}
	if len(cols) == 0 {
		cols = f.Columns()
	}
	for _, c := range cols {
		if _, err := f.fieldKind(what, c); err != nil {
			return errFrame(err)
		}
	}
	return f.deriveExt(&fillExt{cols: cols, back: back}, f.n.schema)
}

type fillExt struct {
	cols []string
	back bool
}

func (e *fillExt) describe() string {
	w := "ffill"
	if e.back {
		w = "bfill"
	}
	return fmt.Sprintf("%s [%s] (values carried across partitions)", w, strings.Join(e.cols, ", "))
}

// lower: edge_i is the last (bfill: first) non-missing value of each column
// in partition i; carry_i combines carry_{i-1} with edge_{i-1}; the output
// partition i is partition i filled starting from carry_i.
func (e *fillExt) parts(n *node) int { return partsOf(n.in) }

// need: the filled columns are filled where they are kept; nothing more is
// read.
func (e *fillExt) need(out map[string]bool) map[string]bool { return out }

func (e *fillExt) lower(b *builder, _ *node, ps, _ []pend) ([]pend, error) {
	keys, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	n := len(keys)
	out := make([]pend, n)
	var carry graph.Key
	order := make([]int, n)
	for i := range order {
		order[i] = i
		if e.back {
			order[i] = n - 1 - i
		}
	}
	for j, i := range order {
		var k graph.Key
		if carry == "" {
			k, err = b.add(&fillOp{mode: "apply", cols: e.cols, back: e.back}, keys[i])
		} else {
			k, err = b.add(&fillOp{mode: "apply", cols: e.cols, back: e.back}, keys[i], carry)
		}
		if err != nil {
			return nil, err
		}
		out[i] = pend{deps: []graph.Key{k}}
		if j == n-1 {
			break
		}
		// The filled partition's edge row is the carry for the next one:
		// its last (first) row holds, per column, the latest value so far.
		deps := []graph.Key{k}
		if carry != "" {
			deps = append(deps, carry) // passed on when partition i is empty
		}
		if carry, err = b.add(&fillOp{mode: "edge", cols: e.cols, back: e.back}, deps...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fillOp is one task of FFill/BFill: "apply" fills its first input (a
// partition) starting from its second (a one-row carry, or none); "edge"
// gives the one-row carry of a filled partition (its last row, or for bfill
// its first; for an empty partition, the carry it was given).
type fillOp struct {
	mode string
	cols []string
	back bool
}

func (o *fillOp) Name() string  { return "frame.fill" }
func (o *fillOp) Label() string { return "fill-" + o.mode }
func (o *fillOp) Params() ([]byte, error) {
	b := appendStrings(nil, []string{o.mode})
	b = appendStrings(b, o.cols)
	if o.back {
		return append(b, 1), nil
	}
	return append(b, 0), nil
}

func init() {
	graph.Register("frame.fill", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		m := readStrings(r)
		o := &fillOp{cols: readStrings(r)}
		if len(m) != 1 {
			return nil, fmt.Errorf("bad fill params")
		}
		o.mode = m[0]
		o.back = r.Byte() == 1
		return o, r.Err()
	})
}

func (o *fillOp) Run(_ context.Context, in []any) (any, error) {
	r := in[0].(*Part).R
	if o.mode == "edge" {
		if r.NumRows() == 0 {
			if len(in) > 1 {
				return in[1], nil
			}
			return &Part{R: r}, nil
		}
		at := r.NumRows() - 1
		if o.back {
			at = 0
		}
		return &Part{R: r.NewSlice(at, at+1)}, nil
	}
	var carry arrow.Record
	if len(in) > 1 {
		carry = in[1].(*Part).R
		if carry.NumRows() == 0 {
			carry = nil
		}
	}
	out, err := fillRecord(r, carry, o.cols, o.back)
	if err != nil {
		return nil, err
	}
	return &Part{R: out}, nil
}

// fillRecord fills cols of r forward (back: backward) from the one-row
// record carry (nil: nothing before).
func fillRecord(r, carry arrow.Record, cols []string, back bool) (arrow.Record, error) {
	want := map[string]bool{}
	for _, c := range cols {
		want[c] = true
	}
	n := int(r.NumRows())
	arrs := make([]arrow.Array, r.NumCols())
	for j := range arrs {
		a := r.Column(j)
		name := r.Schema().Field(j).Name
		if !want[name] {
			arrs[j] = a
			continue
		}
		src := a
		// Row n of the extended column is the carry (or a null).
		var ext arrow.Array
		if carry != nil {
			ext = carry.Column(carry.Schema().FieldIndices(name)[0])
		}
		c := colOf(a)
		isMissing := func(i int) bool {
			return c.null(i) || (c.k == kFloat && c.f64[i] != c.f64[i])
		}
		idx := make([]int32, n)
		changed := false
		last := int32(-1) // -1: the carry
		step, start := 1, 0
		if back {
			step, start = -1, n-1
		}
		for i := start; i >= 0 && i < n; i += step {
			if isMissing(i) {
				idx[i] = last
				changed = true
			} else {
				idx[i] = int32(i)
				last = int32(i)
			}
		}
		if !changed {
			arrs[j] = a
			continue
		}
		if ext != nil {
			joined, err := array.Concatenate([]arrow.Array{src, ext}, memory.DefaultAllocator)
			if err != nil {
				return nil, fmt.Errorf("fill column %q from the previous partition: %w", name, err)
			}
			src = joined
			for i := range idx {
				if idx[i] < 0 {
					idx[i] = int32(n)
				}
			}
		}
		arrs[j] = takeCol(src, idx)
	}
	return array.NewRecord(r.Schema(), arrs, int64(n)), nil
}
