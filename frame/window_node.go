package frame

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
)

// extNode is a plan node that lowers itself: windows (Shift, Rolling, the
// cumulative scans), Resample, MergeAsof and the statistics (Quantile,
// Corr, ...). It keeps their planning in their own files; the optimizer
// and the builder only call these methods.
type extNode interface {
	// describe is the node's line in Explain.
	describe() string
	// parts is the number of output partitions of n.
	parts(n *node) int
	// need returns the columns of the input the node reads when its
	// consumers need out (nil: all columns).
	need(out map[string]bool) map[string]bool
	// lower adds the node's tasks over its lowered input (and right input,
	// for two-input nodes).
	lower(b *builder, n *node, in, right []pend) ([]pend, error)
}

func (p *pusher) pushExt(n *node, need map[string]bool) *node {
	m := *n
	m.in = p.push(n.in, n.ext.need(need))
	if n.right != nil {
		m.right = p.push(n.right, nil)
	}
	return &m
}

func lowerExt(b *builder, n *node) ([]pend, error) {
	ps, err := b.lower(n.in)
	if err != nil {
		return nil, err
	}
	var rs []pend
	if n.right != nil {
		if rs, err = b.lower(n.right); err != nil {
			return nil, err
		}
	}
	return n.ext.lower(b, n, ps, rs)
}

func explainExt(b *strings.Builder, n *node, depth int) {
	fmt.Fprintf(b, "%s%s\n", strings.Repeat("  ", depth), n.ext.describe())
	explain(b, n.in, depth+1)
	if n.right != nil {
		explain(b, n.right, depth+1)
	}
}

// needWith returns out plus cols (nil when out is nil: all columns).
func needWith(out map[string]bool, cols ...string) map[string]bool {
	if out == nil {
		return nil
	}
	m := map[string]bool{}
	for k := range out {
		m[k] = true
	}
	for _, c := range cols {
		if c != "" {
			m[c] = true
		}
	}
	return m
}

// needOnly returns exactly cols: the node reads these whatever its
// consumers need (its output columns are new ones).
func needOnly(cols ...string) map[string]bool {
	m := map[string]bool{}
	for _, c := range cols {
		if c != "" {
			m[c] = true
		}
	}
	return m
}

// winOp is the one registered op of the ext nodes: kind names the kernel
// (a function of winKinds), the other fields are its parameters.
type winOp struct {
	kind  string
	fn    string
	cols  []string
	names []string
	on    string
	ints  []int64
	flts  []float64
	piece int
}

// winKinds maps a winOp kind to its kernel; each file registers its own
// in an init function.
var winKinds = map[string]func(o *winOp, in []any) (any, error){}

func (o *winOp) Name() string  { return "frame.win" }
func (o *winOp) Label() string { return o.kind }
func (o *winOp) Params() ([]byte, error) {
	b := graph.AppendBytes(nil, []byte(o.kind))
	b = graph.AppendBytes(b, []byte(o.fn))
	b = appendStrings(b, o.cols)
	b = appendStrings(b, o.names)
	b = graph.AppendBytes(b, []byte(o.on))
	b = appendUvarint(b, uint64(len(o.ints)))
	for _, v := range o.ints {
		b = appendVarint(b, v)
	}
	b = appendUvarint(b, uint64(len(o.flts)))
	for _, v := range o.flts {
		b = appendFloat(b, v)
	}
	return appendVarint(b, int64(o.piece)), nil
}

func (o *winOp) Run(ctx context.Context, in []any) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k := winKinds[o.kind]
	if k == nil {
		return nil, fmt.Errorf("frame: unknown window kernel %q", o.kind)
	}
	return k(o, in)
}

// InputParts implements graph.PartReader for kernels that read one piece
// of hash-split inputs.
func (o *winOp) InputParts(n int) []int { return graph.AllParts(n, o.piece) }

func init() {
	graph.Register("frame.win", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		o := &winOp{kind: string(r.Bytes()), fn: string(r.Bytes())}
		o.cols = readStrings(r)
		o.names = readStrings(r)
		o.on = string(r.Bytes())
		for n := r.Uvarint(); n > 0 && r.Err() == nil; n-- {
			o.ints = append(o.ints, r.Varint())
		}
		for n := r.Uvarint(); n > 0 && r.Err() == nil; n-- {
			o.flts = append(o.flts, readFloat(r))
		}
		o.piece = int(r.Varint())
		return o, r.Err()
	})
}

// partRecord is the record of a task input (a partition, or the piece
// o.piece of split inputs, concatenated).
func partRecord(v any) arrow.Record {
	switch x := v.(type) {
	case *Part:
		return x.R
	case *shard:
		return x.record()
	}
	return nil
}

func appendFloat(b []byte, v float64) []byte {
	return graph.AppendBytes(b, binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)))
}

func readFloat(r *graph.Reader) float64 {
	p := r.Bytes()
	if len(p) != 8 {
		return math.NaN()
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(p))
}
