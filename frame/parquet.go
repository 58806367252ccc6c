package frame

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow/go/v15/arrow"

	pqio "github.com/godask/godask/io/parquet"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

type pqPart struct {
	path    string
	rg      int
	meta    *pqio.RowGroup
	hive    []hiveKey // the col=value directories of path (parquet_hive.go)
	hiveInt []bool    // whether each hive column is int64 (else string)
}

type pqSource struct {
	pattern string
	sch     *arrow.Schema
	parts   []pqPart
	total   int
	cats    map[string][]string // categorical columns' categories (categorical.go)
}

func (s *pqSource) describe() string {
	d := fmt.Sprintf("read-parquet %s", s.pattern)
	if len(s.parts) < s.total {
		d += fmt.Sprintf(" (row groups pruned by statistics: %d of %d kept)", len(s.parts), s.total)
	}
	return d
}
func (s *pqSource) schema() *arrow.Schema { return s.sch }
func (s *pqSource) nparts() int           { return len(s.parts) }

// ReadParquet reads Parquet files: a glob, a directory, or a file. Each row
// group is a partition. The schema is read from the footers now; files whose
// schemas differ, a truncated file and a pattern matching nothing are errors.
// Only the columns a query uses are read (each column of each row group is
// its own task, so queries computed together read a shared column once), and
// filters on the frame are pushed into the read, pruning row groups whose
// min/max statistics exclude them. Files under hive directories
// (dir/col=value/..., as WriteParquetWith's PartitionOn writes them) get the
// directory keys as columns after their own (int64 when every value parses
// as one, else string; __HIVE_DEFAULT_PARTITION__ is null), and a filter on
// them skips whole files.
func ReadParquet(pattern string) *Frame {
	files, err := pqio.Files(pattern)
	if err != nil {
		return errFrame(fmt.Errorf("frame: ReadParquet: %w", err))
	}
	src := &pqSource{pattern: pattern}
	for i, p := range files {
		m, err := pqio.Open(p)
		if err != nil {
			return errFrame(fmt.Errorf("frame: ReadParquet: %w", err))
		}
		var fields []arrow.Field
		for _, f := range m.Schema.Fields() {
			t, err := NormalizeType(f.Type)
			if err != nil {
				return errFrame(fmt.Errorf("frame: ReadParquet: %s column %q: %w", p, f.Name, err))
			}
			fields = append(fields, arrow.Field{Name: f.Name, Type: keepZone(t, f.Type), Nullable: true})
		}
		if err := src.addCategories(m.KeyValue, fields); err != nil {
			return errFrame(fmt.Errorf("frame: ReadParquet: %s: %w", p, err))
		}
		sch := arrow.NewSchema(fields, nil)
		if i == 0 {
			src.sch = sch
		} else if !sch.Equal(src.sch) {
			return errFrame(fmt.Errorf("frame: ReadParquet: schema of %s\n%s\ndiffers from that of %s\n%s", p, sch, files[0], src.sch))
		}
		for j := range m.RowGroups {
			src.parts = append(src.parts, pqPart{path: p, rg: j, meta: &m.RowGroups[j]})
		}
	}
	if len(src.parts) == 0 {
		// Files without row groups: one empty partition, so Len is 0 and
		// aggregations see no rows rather than no inputs.
		src.parts = append(src.parts, pqPart{path: files[0], rg: -1, meta: &pqio.RowGroup{}})
	}
	if err := addHive(src, pattern); err != nil {
		return errFrame(fmt.Errorf("frame: ReadParquet: %w", err))
	}
	src.total = len(src.parts)
	return newFrame(&node{op: "source", src: src, schema: src.sch})
}

func (s *pqSource) part(i int, cols []string, pred *enode) ([]*graph.Task, []graph.Key, []step, error) {
	if cols == nil {
		for _, f := range s.sch.Fields() {
			cols = append(cols, f.Name)
		}
	}
	out := cols
	if pred != nil {
		set := map[string]bool{}
		pred.cols(set)
		have := map[string]bool{}
		for _, c := range cols {
			have[c] = true
		}
		for _, f := range s.sch.Fields() {
			if set[f.Name] && !have[f.Name] {
				cols = append(cols, f.Name)
			}
		}
	}
	if tasks, deps, steps, ok, err := s.latePart(i, out, cols, pred); ok || err != nil {
		return tasks, deps, steps, err // parquet_late.go
	}
	p := s.parts[i]
	matches, pred2 := s.matchTerms(p, out, pred) // parquet_match.go
	var tasks []*graph.Task
	var deps []graph.Key
	for _, c := range cols {
		var t *graph.Task
		var err error
		if cond := matches[c]; cond != nil {
			t, err = graph.NewTask(&pqMatchOp{path: p.path, rg: p.rg, col: c, cond: cond})
		} else if t, err = hiveTask(p, c); t == nil && err == nil {
			t, err = graph.NewTask(&pqColOp{path: p.path, rg: p.rg, col: c, cats: s.cats[c]})
		}
		if err != nil {
			return nil, nil, nil, err
		}
		tasks = append(tasks, t)
		deps = append(deps, t.Key)
	}
	steps := []step{{kind: "zip"}}
	if matches != nil {
		steps = append(steps, step{kind: "filter", src: pushedFilter, exprs: []*enode{pred2}})
	}
	return tasks, deps, steps, nil
}

// prune drops the row groups whose statistics show pred cannot hold.
func (s *pqSource) prune(pred *enode) source {
	out := *s
	out.parts = nil
	for _, p := range s.parts {
		if mayMatch(pred, p.meta.Stats) {
			out.parts = append(out.parts, p)
		}
	}
	if len(out.parts) == 0 && len(s.parts) > 0 {
		// Every row group pruned: one empty partition, as for a file
		// without row groups, so joins and aggregations see no rows
		// rather than no inputs.
		out.parts = append(out.parts, pqPart{path: s.parts[0].path, rg: -1, meta: &pqio.RowGroup{}})
	}
	return &out
}

func cmpStat(v any, l litVal) (int, bool) {
	c, ok := cmpStat1(v, l)
	return c, ok && c != unordered
}

func cmpStat1(v any, l litVal) (int, bool) {
	switch x := v.(type) {
	case int64:
		if l.k == kInt || l.k == kDate {
			return cmpOrd(x, l.i), true
		}
		if l.k == kFloat {
			return cmpOrd(float64(x), l.f), true
		}
	case float64:
		if l.k == kInt || l.k == kFloat {
			return cmpOrd(x, l.float()), true
		}
	case string:
		if l.k == kStr {
			switch {
			case x < l.s:
				return -1, true
			case x > l.s:
				return 1, true
			}
			return 0, true
		}
	}
	return 0, false
}

var flipOp = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}

// mayMatch reports whether a row group with these statistics may hold rows
// where pred is true (conservative: true when unsure).
func mayMatch(pred *enode, stats map[string]pqio.Stat) bool {
	switch pred.op {
	case "and":
		return mayMatch(pred.args[0], stats) && mayMatch(pred.args[1], stats)
	case "or":
		return mayMatch(pred.args[0], stats) || mayMatch(pred.args[1], stats)
	case "isin":
		if pred.args[0].op != "col" {
			return true
		}
		st, ok := stats[pred.args[0].name]
		if !ok {
			return true
		}
		for _, l := range pred.lits {
			lo, ok1 := cmpStat(st.Min, l)
			hi, ok2 := cmpStat(st.Max, l)
			if !ok1 || !ok2 || (lo <= 0 && hi >= 0) {
				return true
			}
		}
		return false
	case "==", "<", "<=", ">", ">=":
	default:
		return true
	}
	a, b, op := pred.args[0], pred.args[1], pred.op
	if a.op == "lit" && b.op == "col" {
		a, b, op = b, a, flipOp[op]
	}
	if a.op != "col" || b.op != "lit" || b.lit.null {
		return true
	}
	st, ok := stats[a.name]
	if !ok || !st.Has {
		return true
	}
	lo, ok1 := cmpStat(st.Min, b.lit) // sign of min - lit
	hi, ok2 := cmpStat(st.Max, b.lit) // sign of max - lit
	if !ok1 || !ok2 {
		return true
	}
	switch op {
	case "==":
		return lo <= 0 && hi >= 0
	case "<":
		return lo < 0
	case "<=":
		return lo <= 0
	case ">":
		return hi > 0
	case ">=":
		return hi >= 0
	}
	return true
}

// pqColOp reads one column of one row group.
type pqColOp struct {
	path string
	rg   int
	col  string
	cats []string // non-nil: categorical, coded by these (categorical.go)
}

func (o *pqColOp) Name() string  { return "frame.pqcol" }
func (o *pqColOp) Label() string { return "read-parquet-" + o.col }
func (o *pqColOp) Params() ([]byte, error) {
	b := graph.AppendBytes(nil, []byte(o.path))
	b = appendUvarint(b, uint64(o.rg))
	b = graph.AppendBytes(b, []byte(o.col))
	if o.cats != nil {
		b = appendStrings(b, o.cats)
	}
	return b, nil
}

func (o *pqColOp) Run(ctx context.Context, _ []any) (any, error) {
	if o.rg < 0 {
		m, err := pqio.Open(o.path)
		if err != nil {
			return nil, err
		}
		idx := m.Schema.FieldIndices(o.col)
		if len(idx) == 0 {
			return nil, fmt.Errorf("parquet: %s has no column %q", o.path, o.col)
		}
		t, err := NormalizeType(m.Schema.Field(idx[0]).Type)
		if err != nil {
			return nil, fmt.Errorf("%s column %q: %w", o.path, o.col, err)
		}
		if o.cats != nil {
			return &Part{R: withColumn(emptyRecord(arrow.NewSchema(nil, nil)), o.col, categoricalArray(nil, nil, categoryDict(o.cats)))}, nil
		}
		return &Part{R: emptyRecord(arrow.NewSchema([]arrow.Field{{Name: o.col, Type: t, Nullable: true}}, nil))}, nil
	}
	r, err := pqio.ReadColumnsWith(ctx, o.path, o.rg, []string{o.col}, pqio.ReadOptions{Widen: true})
	if err != nil {
		return nil, err
	}
	if r, err = normalize(r); err != nil {
		return nil, fmt.Errorf("%s: %w", o.path, err)
	}
	if o.cats != nil && r.NumCols() == 1 {
		a, err := encodeCategorical(r.Column(0), o.cats)
		if err != nil {
			return nil, fmt.Errorf("%s column %q: %w", o.path, o.col, err)
		}
		r = withColumn(r, o.col, a)
	}
	return &Part{R: r}, nil
}

// writeOp writes its input partition to a file (Parquet, CSV, JSON lines or
// Arrow IPC) and returns the number of rows written.
type writeOp struct {
	format string
	path   string
	opt    string
	zones  []string // name, zone pairs of the zoned timestamp columns (tz_type.go)
}

func (o *writeOp) Name() string  { return "frame.write" }
func (o *writeOp) Label() string { return "write-" + o.format }
func (o *writeOp) Params() ([]byte, error) {
	return appendStrings(nil, append([]string{o.format, o.path, o.opt}, o.zones...)), nil
}

func (o *writeOp) Run(ctx context.Context, in []any) (any, error) {
	r := withZoneList(in[0].(*Part).R, o.zones)
	var err error
	switch o.format {
	case "parquet":
		err = writeParquetFile(o.path, r, pqio.WriteOptions{Compression: o.opt})
	default:
		err = writeText(o.format, o.path, r, o.opt)
	}
	if err != nil {
		return nil, err
	}
	return int(r.NumRows()), nil
}

func init() {
	graph.Register("frame.pqcol", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		o := &pqColOp{path: string(r.Bytes())}
		o.rg = int(r.Uvarint())
		o.col = string(r.Bytes())
		if len(r.Rest()) > 0 {
			o.cats = append([]string{}, readStrings(r)...)
		}
		return o, r.Err()
	})
	graph.Register("frame.write", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		s := readStrings(r)
		if len(s) < 3 || len(s)%2 == 0 {
			return nil, fmt.Errorf("bad write params")
		}
		return &writeOp{format: s[0], path: s[1], opt: s[2], zones: s[3:]}, r.Err()
	})
}

// write runs one write task per partition into dir/part-NNNNN.ext.
func (f *Frame) write(ctx context.Context, format, dir, ext, opt string, opts []sched.Option) error {
	return f.writeParts(ctx, dir, func(i int) graph.Op {
		return &writeOp{format: format, path: filepath.Join(dir, fmt.Sprintf("part-%05d.%s", i, ext)), opt: opt, zones: zoneList(f.n.schema)}
	}, true, opts)
}

// writeParts runs the write op mk(i) on every partition i. A frame of no
// partitions runs mk(0) on an empty record of its schema when empty is
// set, so the directory reads back as an empty frame of the same columns.
func (f *Frame) writeParts(ctx context.Context, dir string, mk func(i int) graph.Op, empty bool, opts []sched.Option) error {
	if f.err != nil {
		return f.err
	}
	g, err := f.Graph()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if len(f.Keys()) == 0 {
		if !empty {
			return nil
		}
		_, err := mk(0).Run(ctx, []any{&Part{R: emptyRecord(f.Schema())}})
		return err
	}
	g = graph.New(g.Tasks()...)
	var outs []graph.Key
	for i, k := range f.Keys() {
		t, err := graph.NewTask(mk(i), k)
		if err != nil {
			return err
		}
		g.Add(t)
		outs = append(outs, t.Key)
	}
	_, err = sched.Run(ctx, g, outs, opts...)
	return err
}

// WriteParquet writes one Parquet file per partition into dir
// (part-00000.parquet, ...), compressed with compression ("snappy" when
// empty, "zstd", "gzip" or "none"). WriteParquetWith takes the row-group
// size and hive partitioning too.
func (f *Frame) WriteParquet(ctx context.Context, dir, compression string, opts ...sched.Option) error {
	return f.write(ctx, "parquet", dir, "parquet", compression, opts)
}
