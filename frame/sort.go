package frame

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
)

// SortKey is one key of a sort: a column and its direction.
type SortKey struct {
	Col  string
	Desc bool
}

// Asc sorts by col ascending.
func Asc(col string) SortKey { return SortKey{Col: col} }

// Desc sorts by col descending.
func Desc(col string) SortKey { return SortKey{Col: col, Desc: true} }

// SortValues sorts the frame by the columns by, all ascending or all
// descending: pandas' df.sort_values(by, ascending=not desc). See SortBy.
func (f *Frame) SortValues(desc bool, by ...string) *Frame {
	keys := make([]SortKey, len(by))
	for i, b := range by {
		keys[i] = SortKey{Col: b, Desc: desc}
	}
	return f.sortBy("SortValues", keys)
}

// SortBy sorts the frame by the keys, each in its own direction (pandas'
// sort_values(by=[...], ascending=[...]), kind="stable"): ties on a key are
// broken by the next, rows equal on every key keep their order, nulls and
// NaN go last in either direction. Keys may be int64, float64, string, bool
// or timestamp columns.
//
// The result has as many partitions as the input, range-partitioned: each
// input partition is sampled (a fixed number of evenly spaced rows), one
// small task picks the boundaries from the samples, each input partition is
// split once by them into pieces, and output partition j gathers and sorts
// piece j of every input. Rows equal on the keys are told apart by their
// position, so a key with few distinct values still spreads over the
// partitions. A frame of one partition is sorted in place.
func (f *Frame) SortBy(keys ...SortKey) *Frame { return f.sortBy("SortBy", keys) }

// sortSpec is what a sort node needs beyond its input.
type sortSpec struct {
	by   []string
	desc []bool
	// bounds, when set, are the computed boundary rows (SetIndex): no
	// sampling in the graph.
	bounds arrow.Record
	// parts, when above 0 (and bounds nil), is the number of output
	// partitions, set from the run's memory limit (sizeSorts); 0 means one
	// per input partition.
	parts int
}

func (f *Frame) sortBy(op string, keys []SortKey) *Frame {
	if f.err != nil {
		return f
	}
	sp, err := checkSortKeys(f.n.schema, keys)
	if err != nil {
		return errFrame(fmt.Errorf("frame: %s: %w", op, err))
	}
	return f.derive(sortNode(sp, f.n.schema))
}

func sortNode(sp *sortSpec, schema *arrow.Schema) *node {
	allDesc := len(sp.desc) > 0
	for _, d := range sp.desc {
		allDesc = allDesc && d
	}
	return &node{op: "sort", names: sp.by, desc: allDesc, sort: sp, schema: schema}
}

func checkSortKeys(s *arrow.Schema, keys []SortKey) (*sortSpec, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("no sort keys")
	}
	sp := &sortSpec{}
	for _, k := range keys {
		idx := s.FieldIndices(k.Col)
		if len(idx) == 0 {
			return nil, fmt.Errorf("unknown column %q; the columns are %s", k.Col, schemaCols(s))
		}
		if t := s.Field(idx[0]).Type; kindOf(t) == kInvalid {
			return nil, fmt.Errorf("cannot sort by column %q of type %s", k.Col, t)
		}
		sp.by = append(sp.by, k.Col)
		sp.desc = append(sp.desc, k.Desc)
	}
	return sp, nil
}

func (sp *sortSpec) String() string {
	var ks []string
	for i, b := range sp.by {
		if sp.desc[i] {
			b += " desc"
		}
		ks = append(ks, b)
	}
	return "[" + strings.Join(ks, ", ") + "]"
}

func descBytes(desc []bool) []byte {
	b := make([]byte, len(desc))
	for i, d := range desc {
		if d {
			b[i] = 1
		}
	}
	return b
}

func bytesDesc(b []byte) []bool {
	d := make([]bool, len(b))
	for i, x := range b {
		d[i] = x == 1
	}
	return d
}

// stepDesc is the per-key direction of a sort step: its arg, or its one
// flag for every key.
func stepDesc(s *step) []bool {
	if len(s.arg) == len(s.names) {
		return bytesDesc(s.arg)
	}
	d := make([]bool, len(s.names))
	for i := range d {
		d[i] = s.desc
	}
	return d
}

func sortParts(n *node) int {
	if n.sort != nil && n.sort.bounds != nil {
		return int(n.sort.bounds.NumRows()) + 1
	}
	in := partsOf(n.in)
	if n.sort != nil && n.sort.parts > 0 && in > 1 {
		return min(n.sort.parts, in)
	}
	return in
}

// lowerSort lowers a sort node: in place for one partition, else sample →
// boundaries → range split → gather and sort per output partition (O(n)
// tasks: one split per input, one sort per output).
func (b *builder) lowerSort(n *node, ps []pend) ([]pend, error) {
	sp := n.sort
	if sp == nil { // a plan built without a spec: every key one direction
		sp = &sortSpec{by: n.names, desc: make([]bool, len(n.names))}
		for i := range sp.desc {
			sp.desc[i] = n.desc
		}
	}
	if len(ps) == 0 {
		return ps, nil
	}
	nout := len(ps)
	if sp.bounds != nil {
		nout = int(sp.bounds.NumRows()) + 1
	} else if sp.parts > 0 && nout > 1 {
		nout = min(sp.parts, nout)
	}
	if nout <= 1 {
		s := step{kind: "sort", names: sp.by, arg: descBytes(sp.desc)}
		if len(ps) == 1 {
			return appendStep(ps, s), nil
		}
		return b.concatAfter(ps, s)
	}
	parts, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	var bk graph.Key
	if sp.bounds != nil {
		enc, err := encodeRecord(nil, sp.bounds)
		if err != nil {
			return nil, err
		}
		bk = graph.NewKey("sort-divisions", "frame.const-bounds", enc, nil)
		b.g.Add(graph.ConstTask(bk, &Part{R: sp.bounds}))
	} else {
		src, err := b.sampleInputs(n, sp.by, parts)
		if err != nil {
			return nil, err
		}
		size := sampleSize(len(parts))
		samples := make([]graph.Key, len(parts))
		for i, p := range src {
			if samples[i], err = b.add(&sampleOp{by: sp.by, desc: sp.desc, part: i, size: size}, p); err != nil {
				return nil, err
			}
		}
		if bk, err = b.add(&boundsOp{by: sp.by, desc: sp.desc, n: nout}, samples...); err != nil {
			return nil, err
		}
	}
	splits := make([]graph.Key, len(parts))
	for i, p := range parts {
		if splits[i], err = b.add(&rangeSplitOp{by: sp.by, desc: sp.desc, part: i, n: nout}, p, bk); err != nil {
			return nil, err
		}
	}
	out := make([]pend, nout)
	for j := range out {
		k, err := b.add(&sortPieceOp{by: sp.by, desc: sp.desc, piece: j}, splits...)
		if err != nil {
			return nil, err
		}
		out[j] = pend{deps: []graph.Key{k}}
	}
	return out, nil
}

// sampleInputs returns the partitions the sort samples. When the sort's
// input is partition-local work (reads, filters, projections, maps), the
// samples come from the same plan projected to the key columns, computed
// apart: the input partitions are then made once, in the split phase, and
// never all held (or spilled) between sampling and splitting; a Parquet
// column read by both is read once. Otherwise (the input is a shuffle) the
// samples come from the materialized partitions themselves.
func (b *builder) sampleInputs(n *node, by []string, parts []graph.Key) ([]graph.Key, error) {
	if !partitionLocal(n.in) {
		return parts, nil
	}
	kn := &node{op: "project", in: n.in}
	var fields []arrow.Field
	for _, c := range by {
		kn.exprs = append(kn.exprs, &enode{op: "col", name: c})
		kn.names = append(kn.names, c)
		fields = append(fields, n.in.schema.Field(n.in.schema.FieldIndices(c)[0]))
	}
	kn.schema = arrow.NewSchema(fields, nil)
	ps, err := b.lower(optimize(kn))
	if err != nil {
		return nil, err
	}
	if len(ps) != len(parts) {
		return parts, nil
	}
	return b.matAll(ps)
}

// partitionLocal reports whether the plan n computes each partition from
// source partitions alone, cheaply enough to run twice.
func partitionLocal(n *node) bool {
	switch n.op {
	case "source":
		return true
	case "filter", "project", "map", "parts", "repartition", "setindex":
		return partitionLocal(n.in)
	case "concat":
		for _, in := range n.ins {
			if !partitionLocal(in) {
				return false
			}
		}
		return true
	}
	return false
}

// sampleSize is the number of rows sampled per partition: enough for
// boundaries within a few percent, few enough that the boundaries task
// holds at most a few hundred thousand rows.
func sampleSize(nparts int) int {
	s := 200000 / nparts
	if s > 2000 {
		s = 2000
	}
	if s < 100 {
		s = 100
	}
	return s
}

// Sample records hold the key columns, then the row's partition and
// position (the tie-breaker that makes the order total) and its weight:
// how many rows of the partition it stands for.
const (
	colPart   = "__part"
	colRow    = "__row"
	colWeight = "__w"
)

// sampleOp takes evenly spaced rows of a partition, plus its first and last
// rows in sort order among those whose first key is not NA (weight 0: they
// give SetIndex the exact minimum and maximum).
type sampleOp struct {
	by   []string
	desc []bool
	part int
	size int
}

func (o *sampleOp) Name() string  { return "frame.sample" }
func (o *sampleOp) Label() string { return "sort-sample" }
func (o *sampleOp) Params() ([]byte, error) {
	b := appendStrings(nil, o.by)
	b = graph.AppendBytes(b, descBytes(o.desc))
	b = appendUvarint(b, uint64(o.part))
	return appendUvarint(b, uint64(o.size)), nil
}

func (o *sampleOp) Run(_ context.Context, in []any) (any, error) {
	r := in[0].(*Part).R
	return &Part{R: sampleRecord(r, o.by, o.desc, o.part, o.size)}, nil
}

func sampleRecord(r arrow.Record, by []string, desc []bool, part, size int) arrow.Record {
	cs, err := sortKeyCols(r, by)
	n := int(r.NumRows())
	if err != nil || n == 0 {
		return emptySample(r.Schema(), by)
	}
	s := size
	if s > n {
		s = n
	}
	rows := make([]int32, 0, s+2)
	weights := make([]float64, 0, s+2)
	for k := 0; k < s; k++ {
		rows = append(rows, int32((2*k+1)*n/(2*s)))
		weights = append(weights, float64(n)/float64(s))
	}
	lo, hi := -1, -1
	for i := 0; i < n; i++ {
		if isNA(&cs[0], i) {
			continue
		}
		if lo < 0 || cmpRows(cs, i, cs, lo, desc) < 0 {
			lo = i
		}
		if hi < 0 || cmpRows(cs, i, cs, hi, desc) >= 0 {
			hi = i
		}
	}
	if lo >= 0 {
		rows = append(rows, int32(lo), int32(hi))
		weights = append(weights, 0, 0)
	}
	idx, _ := fieldIndices(r.Schema(), by)
	var fields []arrow.Field
	var arrs []arrow.Array
	for _, j := range idx {
		fields = append(fields, r.Schema().Field(j))
		arrs = append(arrs, takeCol(r.Column(j), rows))
	}
	ps := make([]int64, len(rows))
	rs := make([]int64, len(rows))
	for i, x := range rows {
		ps[i], rs[i] = int64(part), int64(x)
	}
	fields = append(fields, arrow.Field{Name: colPart, Type: Int64}, arrow.Field{Name: colRow, Type: Int64}, arrow.Field{Name: colWeight, Type: Float64})
	arrs = append(arrs, int64Array(ps, nil), int64Array(rs, nil), float64Array(weights, nil))
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(len(rows)))
}

func emptySample(s *arrow.Schema, by []string) arrow.Record {
	var fields []arrow.Field
	for _, b := range by {
		if idx := s.FieldIndices(b); len(idx) > 0 {
			fields = append(fields, s.Field(idx[0]))
		}
	}
	fields = append(fields, arrow.Field{Name: colPart, Type: Int64}, arrow.Field{Name: colRow, Type: Int64}, arrow.Field{Name: colWeight, Type: Float64})
	return emptyRecord(arrow.NewSchema(fields, nil))
}

// tieCols are the position columns of a sample or bounds record.
func tieCols(r arrow.Record) (part, row []int64) {
	return colOf(r.Column(int(r.NumCols()) - 3)).i64, colOf(r.Column(int(r.NumCols()) - 2)).i64
}

// sortSamples concatenates samples and sorts them in the total order
// (keys, then partition, then row).
func sortSamples(samples []arrow.Record, by []string, desc []bool) (arrow.Record, error) {
	if len(samples) == 0 {
		return nil, fmt.Errorf("no samples")
	}
	all, err := concatRecords(samples[0].Schema(), samples)
	if err != nil {
		return nil, err
	}
	cs, err := sortKeyCols(all, by)
	if err != nil {
		return nil, err
	}
	part, row := tieCols(all)
	perm := make([]int32, all.NumRows())
	for i := range perm {
		perm[i] = int32(i)
	}
	sort.Slice(perm, func(x, y int) bool {
		i, j := int(perm[x]), int(perm[y])
		if c := cmpRows(cs, i, cs, j, desc); c != 0 {
			return c < 0
		}
		if part[i] != part[j] {
			return part[i] < part[j]
		}
		return row[i] < row[j]
	})
	return takeRecord(all, perm), nil
}

// pickBounds chooses n-1 boundary rows of the sorted samples at equal
// steps of cumulative weight (rows of weight 0 are never chosen).
func pickBounds(sorted arrow.Record, n int) arrow.Record {
	w := colOf(sorted.Column(int(sorted.NumCols()) - 1)).f64
	total := 0.0
	for _, x := range w {
		total += x
	}
	var rows []int32
	cum := 0.0
	j := 1
	for i, x := range w {
		if x == 0 {
			continue
		}
		cum += x
		for j < n && cum >= total*float64(j)/float64(n) {
			rows = append(rows, int32(i))
			j++
		}
	}
	if len(rows) < n-1 {
		return sorted // no rows sampled: every row goes to the first piece
	}
	return takeRecord(sorted, rows)
}

// boundsOp merges the samples and picks the n-1 boundary rows of n output
// partitions.
type boundsOp struct {
	by   []string
	desc []bool
	n    int
}

func (o *boundsOp) Name() string  { return "frame.bounds" }
func (o *boundsOp) Label() string { return "sort-divisions" }
func (o *boundsOp) Params() ([]byte, error) {
	b := appendStrings(nil, o.by)
	b = graph.AppendBytes(b, descBytes(o.desc))
	return appendUvarint(b, uint64(o.n)), nil
}

func (o *boundsOp) Run(_ context.Context, in []any) (any, error) {
	recs := make([]arrow.Record, len(in))
	for i, v := range in {
		recs[i] = v.(*Part).R
	}
	sorted, err := sortSamples(recs, o.by, o.desc)
	if err != nil {
		return nil, err
	}
	return &Part{R: pickBounds(sorted, o.n)}, nil
}

// rangeSplitOp splits partition part by the boundary rows (its second
// input) into n pieces: piece j holds the rows after boundary j-1 and up
// to boundary j in the total order (keys, partition, row).
type rangeSplitOp struct {
	by   []string
	desc []bool
	part int
	n    int
}

func (o *rangeSplitOp) Name() string  { return "frame.rangesplit" }
func (o *rangeSplitOp) Label() string { return "sort-split" }
func (o *rangeSplitOp) Params() ([]byte, error) {
	b := appendStrings(nil, o.by)
	b = graph.AppendBytes(b, descBytes(o.desc))
	b = appendUvarint(b, uint64(o.part))
	return appendUvarint(b, uint64(o.n)), nil
}

func (o *rangeSplitOp) Run(_ context.Context, in []any) (any, error) {
	r := in[0].(*Part).R
	bounds := in[1].(*Part).R
	idx := make([][]int32, o.n)
	n := int(r.NumRows())
	if n == 0 {
		return &Pieces{src: r, idx: idx}, nil
	}
	cs, err := sortKeyCols(r, o.by)
	if err != nil {
		return nil, err
	}
	bs, err := sortKeyCols(bounds, o.by)
	if err != nil {
		return nil, err
	}
	bpart, brow := tieCols(bounds)
	nb := int(bounds.NumRows())
	if nb > o.n-1 {
		nb = o.n - 1
	}
	part := int64(o.part)
	dest := make([]int32, n)
	counts := make([]int, o.n)
	if len(cs) == 1 && cs[0].k != kStr {
		splitNumeric(&cs[0], &bs[0], nb, bpart, brow, part, o.desc[0], dest, counts)
		return &Pieces{src: r, idx: collect(dest, counts)}, nil
	}
	for i := 0; i < n; i++ {
		j := sort.Search(nb, func(k int) bool {
			c := cmpRows(bs, k, cs, i, o.desc)
			if c == 0 {
				if bpart[k] != part {
					c = cmpInt(bpart[k], part)
				} else {
					c = cmpInt(brow[k], int64(i))
				}
			}
			return c >= 0
		})
		dest[i] = int32(j)
		counts[j]++
	}
	return &Pieces{src: r, idx: collect(dest, counts)}, nil
}

// collect turns each row's destination into each piece's rows.
func collect(dest []int32, counts []int) [][]int32 {
	idx := make([][]int32, len(counts))
	for j := range idx {
		idx[j] = make([]int32, 0, counts[j])
	}
	for i, j := range dest {
		idx[j] = append(idx[j], int32(i))
	}
	return idx
}

// splitNumeric is rangeSplitOp's search for one numeric key: rows and
// boundaries become (NA, order-preserving uint64) pairs, compared without
// a per-kind switch.
func splitNumeric(c, b *col, nb int, bpart, brow []int64, part int64, desc bool, dest []int32, counts []int) {
	flip := uint64(0)
	if desc {
		flip = ^uint64(0)
	}
	bna := make([]bool, nb)
	bu := make([]uint64, nb)
	for k := 0; k < nb; k++ {
		if bna[k] = isNA(b, k); !bna[k] {
			bu[k] = orderKey(b, k) ^ flip
		}
	}
	for i := range dest {
		na := isNA(c, i)
		var u uint64
		if !na {
			u = orderKey(c, i) ^ flip
		}
		// The first boundary k with bound_k >= row.
		lo, hi := 0, nb
		for lo < hi {
			k := int(uint(lo+hi) >> 1)
			var cmp int
			switch {
			case bna[k] != na:
				cmp = 1 // bound NA, row not
				if na {
					cmp = -1
				}
			case !na && bu[k] != u:
				cmp = 1
				if bu[k] < u {
					cmp = -1
				}
			case bpart[k] != part:
				cmp = cmpInt(bpart[k], part)
			default:
				cmp = cmpInt(brow[k], int64(i))
			}
			if cmp >= 0 {
				hi = k
			} else {
				lo = k + 1
			}
		}
		dest[i] = int32(lo)
		counts[lo]++
	}
}

func cmpInt(a, b int64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// sortPieceOp gathers piece `piece` of every split and sorts it: one output
// partition of a sort. Pieces arrive in input order, so the stable sort
// keeps ties in their global order.
type sortPieceOp struct {
	by    []string
	desc  []bool
	piece int
}

// InputParts implements graph.PartReader: piece `piece` of every split.
func (o *sortPieceOp) InputParts(n int) []int { return graph.AllParts(n, o.piece) }

func (o *sortPieceOp) Name() string  { return "frame.sortpiece" }
func (o *sortPieceOp) Label() string { return "sort" }
func (o *sortPieceOp) Params() ([]byte, error) {
	b := appendStrings(nil, o.by)
	b = graph.AppendBytes(b, descBytes(o.desc))
	return appendUvarint(b, uint64(o.piece)), nil
}

func (o *sortPieceOp) Run(_ context.Context, in []any) (any, error) {
	r, _, _, err := inputRecord(in, o.piece)
	if err != nil {
		return nil, fmt.Errorf("sort: %w", err)
	}
	out, err := sortRecordBy(r, o.by, o.desc)
	if err != nil {
		return nil, err
	}
	return &Part{R: out}, nil
}

func init() {
	graph.Register("frame.sample", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		o := &sampleOp{by: readStrings(r)}
		o.desc = bytesDesc(r.Bytes())
		o.part, o.size = int(r.Uvarint()), int(r.Uvarint())
		return o, r.Err()
	})
	graph.Register("frame.bounds", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		o := &boundsOp{by: readStrings(r)}
		o.desc = bytesDesc(r.Bytes())
		o.n = int(r.Uvarint())
		return o, r.Err()
	})
	graph.Register("frame.rangesplit", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		o := &rangeSplitOp{by: readStrings(r)}
		o.desc = bytesDesc(r.Bytes())
		o.part, o.n = int(r.Uvarint()), int(r.Uvarint())
		return o, r.Err()
	})
	graph.Register("frame.sortpiece", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		o := &sortPieceOp{by: readStrings(r)}
		o.desc = bytesDesc(r.Bytes())
		o.piece = int(r.Uvarint())
		return o, r.Err()
	})
}
