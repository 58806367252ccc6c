package frame

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// repOut is one output partition of a repartition: inputs from..to-1
// concatenated, or, when k > 1, the j-th of k equal row slices of input
// from alone.
type repOut struct{ from, to, j, k int }

// Repartition returns the frame with n partitions, without a shuffle and in
// the same row order (Dask's repartition(npartitions=n)): fewer partitions
// concatenate runs of neighbouring ones, more split each partition into
// slices of near-equal row counts. Merging keeps known divisions; splitting
// drops them (the split points are not known before the data is).
func (f *Frame) Repartition(n int) *Frame {
	if f.err != nil {
		return f
	}
	if n < 1 {
		return errFrame(fmt.Errorf("frame: Repartition(%d): need at least one partition", n))
	}
	nin := f.NPartitions()
	var outs []repOut
	if n <= nin {
		for g := 0; g < n; g++ {
			outs = append(outs, repOut{from: g * nin / n, to: (g + 1) * nin / n, k: 1})
		}
	} else {
		for i := 0; i < nin; i++ {
			k := (i+1)*n/nin - i*n/nin
			for j := 0; j < k; j++ {
				outs = append(outs, repOut{from: i, to: i + 1, j: j, k: k})
			}
		}
	}
	return f.repartition(outs, nin)
}

// RepartitionBytes returns the frame with partitions of about size bytes
// each, in the same row order (Dask's repartition(partition_size=...)):
// partitions larger than size are split into equal row slices, runs of
// neighbouring smaller ones are concatenated while they fit. Like Dask it
// computes the partitions' sizes now, with ctx and opts; the result stays
// lazy (the partitions are computed again when it runs: Persist first to
// avoid that).
func (f *Frame) RepartitionBytes(ctx context.Context, size int64, opts ...sched.Option) (*Frame, error) {
	if f.err != nil {
		return nil, f.err
	}
	if size < 1 {
		return nil, fmt.Errorf("frame: RepartitionBytes(%d): the size must be positive", size)
	}
	vals, err := f.perPartition(ctx, func(int) graph.Op { return &sizeOp{} }, opts)
	if err != nil {
		return nil, fmt.Errorf("frame: RepartitionBytes: %w", err)
	}
	var outs []repOut
	start, acc := -1, int64(0)
	flush := func(end int) {
		if start >= 0 {
			outs = append(outs, repOut{from: start, to: end, k: 1})
		}
		start, acc = -1, 0
	}
	for i, s := range vals {
		bytes := colOf(s.Column(0)).i64[0]
		rows := colOf(s.Column(1)).i64[0]
		if bytes > size {
			flush(i)
			k := int((bytes + size - 1) / size)
			if int64(k) > rows {
				k = int(rows)
			}
			if k < 1 {
				k = 1
			}
			for j := 0; j < k; j++ {
				outs = append(outs, repOut{from: i, to: i + 1, j: j, k: k})
			}
			continue
		}
		if start >= 0 && acc+bytes > size {
			flush(i)
		}
		if start < 0 {
			start = i
		}
		acc += bytes
	}
	flush(len(vals))
	if len(outs) == 0 {
		outs = []repOut{{from: 0, to: len(vals), k: 1}}
	}
	return f.repartition(outs, len(vals)), nil
}

func (f *Frame) repartition(outs []repOut, nin int) *Frame {
	n := &node{op: "repartition", rep: outs, n: int64(nin), schema: f.n.schema}
	n.in = f.n
	if ix := f.n.idx; ix != nil && nin > 0 {
		var di []int32
		for _, o := range outs {
			if o.k > 1 {
				di = nil
				break
			}
			di = append(di, int32(o.from))
		}
		if di != nil {
			di = append(di, int32(nin))
			n.idx = &index{col: ix.col, divs: takeCol(ix.divs, di), open: ix.open}
		}
	}
	return newFrame(n)
}

func lowerRepartition(b *builder, n *node, ps []pend) ([]pend, error) {
	if len(ps) != int(n.n) {
		return nil, fmt.Errorf("frame: Repartition: the input has %d partitions, planned for %d", len(ps), n.n)
	}
	var out []pend
	for _, o := range n.rep {
		switch {
		case o.k > 1:
			arg := binary.AppendUvarint(binary.AppendUvarint(nil, uint64(o.j)), uint64(o.k))
			out = append(out, appendStep(ps[o.from:o.from+1], step{kind: "rowslice", arg: arg})...)
		case o.to-o.from == 1:
			out = append(out, ps[o.from])
		default:
			keys, err := b.matAll(ps[o.from:o.to])
			if err != nil {
				return nil, err
			}
			k, err := b.add(&concatOp{}, keys...)
			if err != nil {
				return nil, err
			}
			out = append(out, pend{deps: []graph.Key{k}})
		}
	}
	return out, nil
}

// rowSlice returns the j-th of k near-equal slices of r's rows.
func rowSlice(r arrow.Record, arg []byte) (arrow.Record, error) {
	rd := graph.NewReader(arg)
	j, k := int64(rd.Uvarint()), int64(rd.Uvarint())
	if rd.Err() != nil || k < 1 || j >= k {
		return nil, fmt.Errorf("bad row slice %d of %d", j, k)
	}
	n := r.NumRows()
	return settled(r.NewSlice(j*n/k, (j+1)*n/k)), nil
}

func explainRepartition(b *strings.Builder, ind string, n *node) {
	fmt.Fprintf(b, "%srepartition %d → %d partitions", ind, n.n, len(n.rep))
	if n.idx != nil {
		fmt.Fprintf(b, " index=%s divisions=%s", n.idx.col, formatDivisions(n.idx.divs))
	}
	b.WriteString("\n")
}

// sizeOp measures a partition: a one-row record of its bytes and rows.
type sizeOp struct{}

func (sizeOp) Name() string            { return "frame.size" }
func (sizeOp) Label() string           { return "size" }
func (sizeOp) Params() ([]byte, error) { return nil, nil }
func (sizeOp) Run(_ context.Context, in []any) (any, error) {
	r := in[0].(*Part).R
	fields := []arrow.Field{{Name: "bytes", Type: Int64}, {Name: "rows", Type: Int64}}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), []arrow.Array{
		int64Array([]int64{rowsSize(r)}, nil), int64Array([]int64{r.NumRows()}, nil)}, 1)}, nil
}

// rowsSize is the bytes of r's rows alone (a slice of a larger record
// counts its share, not the buffers it shares).
func rowsSize(r arrow.Record) int64 {
	n := r.NumRows()
	var b int64
	for _, a := range r.Columns() {
		if a.NullN() > 0 {
			b += (n + 7) / 8
		}
		c := colOf(a)
		switch c.k {
		case kBool:
			b += (n + 7) / 8
		case kStr:
			b += 4 * (n + 1)
			if n > 0 {
				b += int64(c.offs[n] - c.offs[0])
			}
		default:
			b += 8 * n
		}
	}
	return b
}

func init() {
	graph.Register("frame.size", func([]byte) (graph.Op, error) { return sizeOp{}, nil })
}

// Concat stacks frames vertically (pandas' concat(axis=0)): the partitions
// of the first frame, then those of the second, and so on, rows in order.
// The frames must have the same columns with the same types; the columns
// of the others may come in another order (they are reordered to the
// first's). Divisions are kept when every frame has the same index column
// and their divisions stay in order.
func Concat(frames ...*Frame) *Frame {
	if len(frames) == 0 {
		return errFrame(fmt.Errorf("frame: Concat: no frames"))
	}
	for _, f := range frames {
		if f.err != nil {
			return f
		}
	}
	first := frames[0].n.schema
	n := &node{op: "concat", schema: first}
	for i, f := range frames {
		s := f.n.schema
		for _, fl := range first.Fields() {
			idx := s.FieldIndices(fl.Name)
			if len(idx) == 0 {
				return errFrame(fmt.Errorf("frame: Concat: frame %d has no column %q; its columns are %s", i, fl.Name, schemaCols(s)))
			}
			if t := s.Field(idx[0]).Type; !arrow.TypeEqual(t, fl.Type) {
				return errFrame(fmt.Errorf("frame: Concat: column %q is %s in frame 0 and %s in frame %d", fl.Name, fl.Type, t, i))
			}
		}
		if s.NumFields() != first.NumFields() {
			for _, fl := range s.Fields() {
				if len(first.FieldIndices(fl.Name)) == 0 {
					return errFrame(fmt.Errorf("frame: Concat: frame %d has column %q, frame 0 has not; its columns are %s", i, fl.Name, schemaCols(first)))
				}
			}
		}
		in := f
		if !s.Equal(first) {
			in = f.SelectCols(fieldNames(first)...)
			if in.err != nil {
				return in
			}
		}
		n.ins = append(n.ins, in.n)
	}
	n.idx = concatIndex(n.ins)
	return newFrame(n)
}

// concatIndex keeps the divisions of concatenated frames when they share
// the index column and each frame's first division is not below the
// previous frame's last.
func concatIndex(ins []*node) *index {
	var parts []arrow.Array
	for i, in := range ins {
		ix := in.idx
		if ix == nil || ix.open || ix.col != ins[0].idx.col {
			return nil
		}
		c := colOf(ix.divs)
		for j := 0; j < c.n; j++ {
			if c.null(j) && j < c.n-1 {
				return nil // null index values inside: not in order
			}
		}
		if i > 0 {
			p := colOf(ins[i-1].idx.divs)
			last := p.n - 1
			if p.null(last) || c.null(0) || cmpVal(&p, last, &c, 0) > 0 {
				return nil
			}
			parts = append(parts, array.NewSlice(ix.divs, 1, int64(c.n)))
		} else {
			parts = append(parts, ix.divs)
		}
	}
	recs := make([]arrow.Record, len(parts))
	for i, p := range parts {
		recs[i] = oneCol(p)
	}
	r, err := concatRecords(recs[0].Schema(), recs)
	if err != nil {
		return nil
	}
	// The shared division between frames is the earlier frame's maximum,
	// standing for the later frame's first partition's lower bound too: both
	// bounds stay valid because the later minimum is not below it.
	return &index{col: ins[0].idx.col, divs: r.Column(0)}
}

func lowerConcat(b *builder, n *node) ([]pend, error) {
	var out []pend
	for _, in := range n.ins {
		ps, err := b.lower(in)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

func explainConcat(b *strings.Builder, ind string, n *node, depth int) {
	fmt.Fprintf(b, "%sconcat %d frames", ind, len(n.ins))
	if n.idx != nil {
		fmt.Fprintf(b, " index=%s divisions=%s", n.idx.col, formatDivisions(n.idx.divs))
	}
	b.WriteString("\n")
	for _, in := range n.ins {
		explain(b, in, depth+1)
	}
}
