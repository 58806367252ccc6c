package frame

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
)

// step is one per-partition operation; a pipe task runs a chain of them, so
// a read, its filters, projections and the partial aggregation are one task.
type step struct {
	kind  string // read, zip, filter, project, map, head, tail, partial, prep, topn, sort, count
	src   string // reader name, for read
	arg   []byte // reader parameters, for read
	exprs []*enode
	names []string
	keys  []string
	aggs  []aggSpec
	n     int64
	desc  bool
	// node is the plan node (1-based, Explain's order) this step came from
	// and outs the nodes whose output is this step's, filled only when
	// ExplainAnalyze lowers the plan (never part of a task's key).
	node int32
	outs []int32
}

func appendStrings(b []byte, ss []string) []byte {
	b = appendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = graph.AppendBytes(b, []byte(s))
	}
	return b
}

func readStrings(r *graph.Reader) []string {
	n := r.Uvarint()
	var out []string
	for i := uint64(0); i < n && r.Err() == nil; i++ {
		out = append(out, string(r.Bytes()))
	}
	return out
}

func appendAggs(b []byte, aggs []aggSpec) []byte {
	b = appendUvarint(b, uint64(len(aggs)))
	for _, a := range aggs {
		b = appendStrings(b, []string{a.fn, a.in, a.out})
		b = append(b, byte(a.k))
	}
	return b
}

func readAggs(r *graph.Reader) []aggSpec {
	n := r.Uvarint()
	var out []aggSpec
	for i := uint64(0); i < n && r.Err() == nil; i++ {
		s := readStrings(r)
		k := kind(r.Byte())
		if len(s) != 3 {
			break
		}
		out = append(out, aggSpec{fn: s[0], in: s[1], out: s[2], k: k})
	}
	return out
}

func (s *step) append(b []byte) []byte {
	b = appendStrings(b, []string{s.kind, s.src})
	b = graph.AppendBytes(b, s.arg)
	b = appendUvarint(b, uint64(len(s.exprs)))
	for _, e := range s.exprs {
		b = appendExpr(b, e)
	}
	b = appendStrings(b, s.names)
	b = appendStrings(b, s.keys)
	b = appendAggs(b, s.aggs)
	b = appendVarint(b, s.n)
	if s.desc {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return b
}

func readStep(r *graph.Reader) step {
	var s step
	ks := readStrings(r)
	if len(ks) == 2 {
		s.kind, s.src = ks[0], ks[1]
	}
	s.arg = r.Bytes()
	ne := r.Uvarint()
	for i := uint64(0); i < ne && r.Err() == nil; i++ {
		s.exprs = append(s.exprs, readExpr(r, 0))
	}
	s.names = readStrings(r)
	s.keys = readStrings(r)
	s.aggs = readAggs(r)
	s.n = r.Varint()
	s.desc = r.Byte() == 1
	return s
}

func (s *step) String() string {
	switch s.kind {
	case "read":
		return "read " + s.src
	case "filter":
		return "filter " + s.exprs[0].String()
	case "project":
		var p []string
		for i, e := range s.exprs {
			if e.op == "col" && e.name == s.names[i] {
				p = append(p, e.name)
			} else {
				p = append(p, s.names[i]+"="+e.String())
			}
		}
		return "project [" + strings.Join(p, ", ") + "]"
	case "partial":
		return fmt.Sprintf("partial-agg by %v", s.keys)
	case "topn":
		return fmt.Sprintf("top %d by %s", s.n, s.names[0])
	case "head", "tail":
		return fmt.Sprintf("%s %d", s.kind, s.n)
	case "map":
		return "map " + s.src
	case "cols":
		return "columns [" + strings.Join(s.names, ", ") + "]"
	}
	return s.kind
}

// Readers are the partition sources of pipes: registered by name, they
// decode their parameters and produce a record (only the named columns).
type readerFunc func(ctx context.Context, arg []byte, cols []string) (arrow.Record, error)

var readers sync.Map // name -> readerFunc

func registerReader(name string, f readerFunc) { readers.Store(name, f) }

// MapFunc transforms one partition. Register it with RegisterMap so that
// MapPartitions tasks can ship to remote workers.
type MapFunc func(ctx context.Context, r arrow.Record) (arrow.Record, error)

var maps sync.Map // name -> MapFunc

// RegisterMap registers f under name for MapPartitions. Call it from an init
// function; registering a name twice panics.
func RegisterMap(name string, f MapFunc) {
	if _, dup := maps.LoadOrStore(name, f); dup {
		panic("frame: map function " + name + " registered twice")
	}
}

func runStep(ctx context.Context, s *step, r arrow.Record, enc *encCache) (arrow.Record, error) {
	switch s.kind {
	case "filter":
		m, err := mask(s.exprs[0], r)
		if err != nil {
			return nil, err
		}
		return filterRecord(r, m), nil
	case "project":
		return project(r, s.exprs, s.names)
	case "cols":
		return selectColumns(r, s.names)
	case "map":
		f, ok := maps.Load(s.src)
		if !ok {
			return nil, fmt.Errorf("map function %q is not registered (frame.RegisterMap)", s.src)
		}
		out, err := f.(MapFunc)(ctx, r)
		if err != nil {
			return nil, err
		}
		if err := checkMapped(s, out); err != nil {
			return nil, err
		}
		return out, nil
	case "head":
		if r.NumRows() > s.n {
			return settled(r.NewSlice(0, s.n)), nil
		}
		return r, nil
	case "tail":
		if r.NumRows() > s.n {
			return settled(r.NewSlice(r.NumRows()-s.n, r.NumRows())), nil
		}
		return r, nil
	case "partial":
		return partialAgg(r, s.keys, s.aggs, enc)
	case "topn":
		return topN(r, s.names[0], int(s.n), s.desc)
	case "topk":
		return topKRecord(r, s.names, stepDesc(s), int(s.n))
	case "gtopn":
		return groupTop(r, s.keys, s.names[0], int(s.n), s.desc)
	case "sort":
		return sortRecordBy(r, s.names, stepDesc(s))
	case "rowslice":
		return rowSlice(r, s.arg)
	case "locrange":
		return inRangeRecord(r, s.names[0], s.exprs[0].lit, s.exprs[1].lit)
	case "count":
		return array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "count", Type: Int64}}, nil),
			[]arrow.Array{int64Array([]int64{r.NumRows()}, nil)}, 1), nil
	}
	return nil, fmt.Errorf("unknown step %q", s.kind)
}

func project(r arrow.Record, exprs []*enode, names []string) (arrow.Record, error) {
	fields := make([]arrow.Field, len(exprs))
	cols := make([]arrow.Array, len(exprs))
	n := int(r.NumRows())
	var m memo
	if len(exprs) > 1 {
		m = memo{}
	}
	for i, e := range exprs {
		v, err := evalMemo(e, r, m)
		if err != nil {
			return nil, err
		}
		cols[i] = projectedArray(e, v.toArray(n)) // categorical.go
		fields[i] = arrow.Field{Name: names[i], Type: cols[i].DataType(), Nullable: true}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n)), nil
}

// pipeOp runs a chain of steps on one partition: the fused per-partition
// work of the plan. Its inputs are records; a plan whose first step is
// "read" has none, "zip" joins its inputs' columns side by side.
type pipeOp struct {
	steps []step
	label string
}

func (p *pipeOp) Name() string { return "frame.pipe" }

func (p *pipeOp) Label() string {
	if p.label != "" {
		return p.label
	}
	return "pipe"
}

func (p *pipeOp) Params() ([]byte, error) {
	b := graph.AppendBytes(nil, []byte(p.label))
	b = appendUvarint(b, uint64(len(p.steps)))
	for i := range p.steps {
		b = p.steps[i].append(b)
	}
	return b, nil
}

func (p *pipeOp) Run(ctx context.Context, in []any) (any, error) { return p.run(ctx, in, nil) }

// run runs the steps; after each, a non-nil hook gets the step, its output
// and how long it took (a leading read or zip step included).
func (p *pipeOp) run(ctx context.Context, in []any, hook func(s *step, r arrow.Record, d time.Duration)) (any, error) {
	var t0 time.Time
	if hook != nil {
		t0 = time.Now()
	}
	var r arrow.Record
	var enc *encCache
	steps := p.steps
	if len(steps) > 0 && steps[0].kind == "read" {
		f, ok := readers.Load(steps[0].src)
		if !ok {
			return nil, fmt.Errorf("reader %q not registered", steps[0].src)
		}
		var err error
		if r, err = f.(readerFunc)(ctx, steps[0].arg, steps[0].names); err != nil {
			return nil, err
		}
		if hook != nil {
			hook(&steps[0], r, time.Since(t0))
			t0 = time.Now()
		}
		steps = steps[1:]
	} else if len(steps) > 0 && steps[0].kind == "zip" {
		var fields []arrow.Field
		var cols []arrow.Array
		var n int64 = -1
		for _, v := range in {
			rec := v.(*Part).R
			if n >= 0 && rec.NumRows() != n {
				return nil, fmt.Errorf("zip: column chunks of %d and %d rows", n, rec.NumRows())
			}
			n = rec.NumRows()
			fields = append(fields, rec.Schema().Fields()...)
			cols = append(cols, rec.Columns()...)
		}
		r = array.NewRecord(arrow.NewSchema(fields, nil), cols, n)
		if hook != nil {
			hook(&steps[0], r, time.Since(t0))
			t0 = time.Now()
		}
		steps = steps[1:]
	} else {
		p := in[0].(*Part)
		r, enc = p.R, p.enc
	}
	for i := 0; i < len(steps); i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var err error
		if j := deferTarget(steps, i); j > 0 && hook == nil && deferFilters {
			// filter_defer.go: a filter that keeps most rows goes into the
			// partial aggregation as a mask instead of copying the rows.
			var keep []bool
			if keep, err = mask(steps[i].exprs[0], r); err != nil {
				return nil, fmt.Errorf("%s: %w", steps[i].kind, err)
			}
			if kept := countTrue(keep); kept > 0 && kept < len(keep) && float64(kept) >= deferMinKept*float64(len(keep)) {
				for k := i + 1; k < j; k++ {
					if r, err = runStep(ctx, &steps[k], r, enc); err != nil {
						return nil, fmt.Errorf("%s: %w", steps[k].kind, err)
					}
				}
				if onDefer != nil {
					onDefer()
				}
				if r, err = maskedPartial(r, keep, steps[j].keys, steps[j].aggs, enc); err != nil {
					return nil, fmt.Errorf("%s: %w", steps[j].kind, err)
				}
				i = j
				continue
			}
			r = filterRecord(r, keep)
			continue
		}
		if hook == nil && steps[i].kind == "filter" && i+1 < len(steps) && steps[i+1].kind == "cols" {
			// A filter, then a selection (a Parquet read dropping the
			// columns only its predicate reads): the mask on every
			// column, the rows taken of the selected ones only.
			keep, err := mask(steps[i].exprs[0], r)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", steps[i].kind, err)
			}
			if r, err = selectColumns(r, steps[i+1].names); err != nil {
				return nil, fmt.Errorf("%s: %w", steps[i+1].kind, err)
			}
			r = filterRecord(r, keep)
			i++
			continue
		}
		if r, err = runStep(ctx, &steps[i], r, enc); err != nil {
			return nil, fmt.Errorf("%s: %w", steps[i].kind, err)
		}
		if hook != nil {
			hook(&steps[i], r, time.Since(t0))
			t0 = time.Now()
		}
	}
	// The codes cache of a persisted input stays with the output: it is
	// keyed by column data, so columns a projection kept still hit it.
	return &Part{R: r, enc: enc}, nil
}

// combineOp merges partial aggregation states (or, for holistic
// aggregations, raw rows) from several inputs. piece >= 0 picks that piece of
// Pieces inputs. final applies the finalization and the post projection.
type combineOp struct {
	nkeys     int
	keys      []string
	aggs      []aggSpec
	piece     int
	final     bool
	full      bool // inputs are raw rows: aggregate them in one step
	post      []*enode
	postNames []string
	after     []step
}

func (c *combineOp) Name() string { return "frame.combine" }

func (c *combineOp) Label() string {
	if c.final {
		return "agg-final"
	}
	return "agg-combine"
}

func (c *combineOp) Params() ([]byte, error) {
	b := appendUvarint(nil, uint64(c.nkeys))
	b = appendStrings(b, c.keys)
	b = appendAggs(b, c.aggs)
	b = appendVarint(b, int64(c.piece))
	flags := byte(0)
	if c.final {
		flags |= 1
	}
	if c.full {
		flags |= 2
	}
	b = append(b, flags)
	b = appendUvarint(b, uint64(len(c.post)))
	for _, e := range c.post {
		b = appendExpr(b, e)
	}
	b = appendStrings(b, c.postNames)
	b = appendUvarint(b, uint64(len(c.after)))
	for i := range c.after {
		b = c.after[i].append(b)
	}
	return b, nil
}

func inputRecords(in []any, piece int) []arrow.Record {
	recs := make([]arrow.Record, 0, len(in))
	for _, v := range in {
		switch x := v.(type) {
		case *Part:
			recs = append(recs, x.R)
		case *shard:
			recs = append(recs, x.record())
		case *Pieces:
			if piece >= 0 {
				recs = append(recs, x.Piece(piece))
			} else {
				for j := 0; j < x.NumPieces(); j++ {
					recs = append(recs, x.Piece(j))
				}
			}
		}
	}
	return recs
}

// inputRecord is the concatenation of inputRecords(in, piece), gathered in
// one copy from the sources of in-process pieces; n is the number of
// inputs and unmerged says whether any holds per-row partial states.
func inputRecord(in []any, piece int) (r arrow.Record, n int, unmerged bool, err error) {
	var srcs []arrow.Record
	var idx [][]int32
	lazy := piece >= 0
	for _, v := range in {
		switch x := v.(type) {
		case *Part:
			srcs, idx = append(srcs, x.R), append(idx, nil)
		case *shard:
			if x.src == nil {
				lazy = false
			} else {
				srcs, idx = append(srcs, x.src), append(idx, x.idx)
			}
		case *Pieces:
			if x.src == nil {
				lazy = false
			} else if piece >= 0 {
				srcs, idx = append(srcs, x.src), append(idx, x.idx[piece])
			}
		}
	}
	if !lazy {
		recs := alignHashCols(inputRecords(in, piece))
		if len(recs) == 0 {
			return nil, 0, false, fmt.Errorf("no inputs")
		}
		for _, x := range recs {
			unmerged = unmerged || isUnmerged(x)
		}
		r, err = concatRecords(recs[0].Schema(), recs)
		return r, len(recs), unmerged, err
	}
	if len(srcs) == 0 {
		return nil, 0, false, fmt.Errorf("no inputs")
	}
	for _, x := range srcs {
		unmerged = unmerged || isUnmerged(x)
	}
	r, err = gatherRecords(alignHashCols(srcs), idx)
	return r, len(srcs), unmerged, err
}

// InputParts implements graph.PartReader: a combine of split outputs reads
// only its piece of each.
func (c *combineOp) InputParts(n int) []int { return graph.AllParts(n, c.piece) }

func (c *combineOp) Run(ctx context.Context, in []any) (any, error) {
	if c.full {
		// Holistic aggregations that can read their rows in place.
		srcs, idx := inputSources(in, c.piece)
		if r, ok, err := sortedAgg(srcs, idx, c.keys, c.aggs); err != nil || ok {
			if err != nil {
				return nil, err
			}
			return c.finish(ctx, r)
		}
	}
	if !c.full {
		// Sums of dense keys merge from the pieces in place.
		srcs, idx := inputSources(in, c.piece)
		if r, ok := denseMergeSources(srcs, idx, c.nkeys, c.aggs); ok {
			if c.final {
				r = finalAgg(r, c.nkeys, c.aggs)
			}
			return c.finish(ctx, r)
		}
	}
	r, nrecs, unmerged, err := inputRecord(in, c.piece)
	if err != nil {
		return nil, fmt.Errorf("combine: %w", err)
	}
	if c.full {
		if r, err = fullAgg(r, c.keys, c.aggs); err != nil {
			return nil, err
		}
	} else {
		if nrecs > 1 || unmerged {
			r = mergeAgg(r, c.nkeys, c.aggs)
		}
		if c.final {
			r = finalAgg(r, c.nkeys, c.aggs)
		}
	}
	return c.finish(ctx, r)
}

// finish applies the post projection (final combines) and the steps after.
func (c *combineOp) finish(ctx context.Context, r arrow.Record) (any, error) {
	var err error
	if c.final && len(c.post) > 0 {
		if r, err = project(r, c.post, c.postNames); err != nil {
			return nil, err
		}
	}
	for i := range c.after {
		if r, err = runStep(ctx, &c.after[i], r, nil); err != nil {
			return nil, err
		}
	}
	return &Part{R: r}, nil
}

// splitOp hash-partitions its input record by the first nkeys columns (or by
// the named keys) into n pieces.
// maxSplitPieces bounds a split's piece count read from the wire: a shuffle
// never plans more pieces than this, and a larger count would allocate
// without bound before any row is read.
const maxSplitPieces = 1 << 20

type splitOp struct {
	keys []string
	n    int
}

func (s *splitOp) Name() string  { return "frame.split" }
func (s *splitOp) Label() string { return "split" }
func (s *splitOp) Params() ([]byte, error) {
	return appendUvarint(appendStrings(nil, s.keys), uint64(s.n)), nil
}

func (s *splitOp) Run(_ context.Context, in []any) (any, error) {
	r := in[0].(*Part).R
	idx, err := fieldIndices(r.Schema(), s.keys)
	if err != nil {
		return nil, err
	}
	if s.n == 1 {
		return &Pieces{Rs: []arrow.Record{r}}, nil
	}
	var hs []uint64
	if p := in[0].(*Part); p.enc != nil && !hasHashCol(r) {
		hs = rowHashesEnc(r, idx, p.enc) // a persisted partition: each distinct string hashed once
	} else {
		hs = keyHashes(r, idx)
	}
	return &Pieces{src: shuffleSource(r), idx: splitHashes(hs, s.n)}, nil
}

// concatOp concatenates its inputs (in order) and runs steps on the result.
type concatOp struct{ after []step }

func (c *concatOp) Name() string  { return "frame.concat" }
func (c *concatOp) Label() string { return "concat" }
func (c *concatOp) Params() ([]byte, error) {
	b := appendUvarint(nil, uint64(len(c.after)))
	for i := range c.after {
		b = c.after[i].append(b)
	}
	return b, nil
}

func (c *concatOp) Run(ctx context.Context, in []any) (any, error) {
	recs := inputRecords(in, -1)
	r, err := concatRecords(recs[0].Schema(), recs)
	if err != nil {
		return nil, err
	}
	for i := range c.after {
		if r, err = runStep(ctx, &c.after[i], r, nil); err != nil {
			return nil, err
		}
	}
	return &Part{R: r}, nil
}

func readStepsFrom(r *graph.Reader) []step {
	n := r.Uvarint()
	var out []step
	for i := uint64(0); i < n && r.Err() == nil; i++ {
		out = append(out, readStep(r))
	}
	return out
}

func init() {
	graph.Register("frame.pipe", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		op := &pipeOp{label: string(r.Bytes())}
		op.steps = readStepsFrom(r)
		return op, r.Err()
	})
	graph.Register("frame.combine", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		c := &combineOp{nkeys: int(r.Uvarint())}
		c.keys = readStrings(r)
		c.aggs = readAggs(r)
		c.piece = int(r.Varint())
		f := r.Byte()
		c.final, c.full = f&1 != 0, f&2 != 0
		np := r.Uvarint()
		for i := uint64(0); i < np && r.Err() == nil; i++ {
			c.post = append(c.post, readExpr(r, 0))
		}
		c.postNames = readStrings(r)
		c.after = readStepsFrom(r)
		return c, r.Err()
	})
	graph.Register("frame.split", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		s := &splitOp{keys: readStrings(r)}
		n := r.Uvarint()
		if err := r.Err(); err != nil {
			return nil, err
		}
		if n < 1 || n > maxSplitPieces {
			return nil, fmt.Errorf("frame.split: %d pieces: want 1 to %d", n, maxSplitPieces)
		}
		s.n = int(n)
		return s, nil
	})
	graph.Register("frame.concat", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		c := &concatOp{after: readStepsFrom(r)}
		return c, r.Err()
	})
}

// topN keeps the n rows with the largest (desc) or smallest values of by,
// sorted; nulls last and never picked before values.
func topN(r arrow.Record, by string, n int, desc bool) (arrow.Record, error) {
	s, err := sortRecord(r, []string{by}, desc)
	if err != nil {
		return nil, err
	}
	// Nulls and NaN sort last and are never kept, as GroupBy.NLargest.
	m := int(s.NumRows())
	if j := s.Schema().FieldIndices(by); len(j) > 0 {
		c := colOf(s.Column(j[0]))
		for m > 0 && isNA(&c, m-1) {
			m--
		}
	}
	if m > n {
		m = n
	}
	if m < int(s.NumRows()) {
		s = settled(s.NewSlice(0, int64(m)))
	}
	return s, nil
}

// sortRecord sorts r by the columns by (stable; nulls last).
func sortRecord(r arrow.Record, by []string, desc bool) (arrow.Record, error) {
	d := make([]bool, len(by))
	for i := range d {
		d[i] = desc
	}
	return sortRecordBy(r, by, d)
}
