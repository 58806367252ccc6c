package frame

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/io/jsonl"
)

// JSONOptions configures ReadJSON; the zero value infers the schema from the
// first 1000 lines of the first file, reads 64 MB ranges, and fails on a
// malformed line.
type JSONOptions struct {
	// Schema gives the columns and their types (frame dtypes: Int64,
	// Float64, String, Bool, Timestamp) instead of inferring them.
	Schema *arrow.Schema
	// SampleRows is how many lines of each file's head inference reads:
	// by default (0) 1000 and the lines of 32 windows of 64 KB spread
	// through the file, so that a key turning float or string past the
	// head widens; < 0 every line (exact, one more pass over the files).
	SampleRows int
	// SkipBad skips malformed lines (bad JSON, or a value that does not fit
	// its column's type) instead of failing, counting them in SkippedRows.
	SkipBad bool
	// BlockSize is the size of the byte ranges a file is split into
	// (default 64 MB; negative: one partition per file).
	BlockSize int64
	// TimeZone, when set, is the IANA zone ("America/New_York") of the
	// timestamp columns, as CSVOptions.TimeZone: a value without a UTC
	// offset is wall-clock time there, one with an offset or Z is
	// converted, and the columns are timestamp[us, TimeZone]. A zoned
	// Timestamp in Schema is read in its own zone.
	TimeZone string
}

type jsonSource struct {
	pattern string
	s       jsonl.Schema
	skipBad bool
	ranges  []jsonl.Range
	sch     *arrow.Schema
	// block is the range size; autoBlock: it was the default, so a run's
	// memory limit may cut the files finer (read_plan.go).
	block     int64
	autoBlock bool
}

type jsonArg struct {
	R       jsonl.Range
	S       jsonl.Schema
	SkipBad bool `json:",omitempty"`
}

// ReadJSON reads JSON lines files (one object per line) matching a glob.
// Files are split into byte ranges of about 64 MB at line boundaries and
// parsed in parallel. The schema is inferred from a sample of the first
// lines of every file (types that differ between files widen: int64 to
// float64, else to string; integers int64, other numbers float64, true/false bool, strings that all
// parse as RFC 3339 dates or times timestamp, the rest string; nested objects
// and arrays are kept as JSON text) or given in JSONOptions.Schema. A missing
// key or null is a null; keys not in the schema are ignored. Only the columns
// a query uses are decoded. A malformed line is an error naming the file and
// line, unless JSONOptions.SkipBad.
func ReadJSON(pattern string, opts ...JSONOptions) *Frame {
	var o JSONOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	fail := func(err error) *Frame { return errFrame(fmt.Errorf("frame: ReadJSON: %w", err)) }
	auto := o.BlockSize == 0
	if auto {
		o.BlockSize = defaultBlockSize()
	}
	files, err := jsonl.Files(pattern)
	if err != nil {
		return fail(err)
	}
	src := &jsonSource{pattern: pattern, skipBad: o.SkipBad, block: o.BlockSize, autoBlock: auto}
	if o.Schema != nil {
		for _, f := range o.Schema.Fields() {
			t, ok := jsonTypes[kindOf(f.Type)]
			if !ok {
				return fail(fmt.Errorf("column %q: type %s is not a frame dtype (Int64, Float64, String, Bool, Timestamp)", f.Name, f.Type))
			}
			src.s.Names = append(src.s.Names, f.Name)
			src.s.Types = append(src.s.Types, t)
		}
	} else {
		// Every file's sample counts (empty files none): keys new in a
		// later file are added, types that differ widen (int64 to float64,
		// else to string).
		var base *jsonl.Schema
		for i, f := range files {
			if st, err := os.Stat(f); err == nil && st.Size() == 0 && (base != nil || i < len(files)-1) {
				continue
			}
			s2, err := jsonl.Infer(f, o.SampleRows, o.SkipBad)
			if err != nil {
				return fail(err)
			}
			if base == nil {
				base = s2
			} else {
				base.Merge(s2)
			}
		}
		src.s = *base
	}
	if len(src.s.Names) == 0 {
		return fail(fmt.Errorf("no columns"))
	}
	zone := o.TimeZone
	if o.Schema != nil {
		for _, f := range o.Schema.Fields() {
			if z := typeZone(f.Type); z != "" {
				if zone != "" && z != zone {
					return fail(fmt.Errorf("column %q is in zone %s, TimeZone is %s: one zone per read", f.Name, z, zone))
				}
				zone = z
			}
		}
	}
	if zone != "" {
		if _, err := loadZone(zone); err != nil {
			return fail(fmt.Errorf("TimeZone: %w", err))
		}
	}
	src.s.TimeZone = zone
	for _, f := range files {
		rs, err := jsonl.Split(f, o.BlockSize)
		if err != nil {
			return fail(err)
		}
		src.ranges = append(src.ranges, rs...)
	}
	var fields []arrow.Field
	for j, n := range src.s.Names {
		t := jsonDtype(src.s.Types[j])
		if zone != "" && src.s.Types[j] == jsonl.Timestamp {
			t = TimestampTZ(zone)
		}
		fields = append(fields, arrow.Field{Name: n, Type: t, Nullable: true})
	}
	src.sch = arrow.NewSchema(fields, nil)
	return newFrame(&node{op: "source", src: src, schema: src.sch})
}

var jsonTypes = map[kind]jsonl.Type{kInt: jsonl.Int64, kFloat: jsonl.Float64, kStr: jsonl.String, kBool: jsonl.Bool, kTime: jsonl.Timestamp}

func jsonDtype(t jsonl.Type) arrow.DataType {
	for k, jt := range jsonTypes {
		if jt == t {
			return k.dtype()
		}
	}
	return String
}

func (s *jsonSource) describe() string      { return "read-json " + s.pattern }
func (s *jsonSource) schema() *arrow.Schema { return s.sch }
func (s *jsonSource) nparts() int           { return len(s.ranges) }
func (s *jsonSource) prune(*enode) source   { return s }

func (s *jsonSource) part(i int, cols []string, pred *enode) ([]*graph.Task, []graph.Key, []step, error) {
	cols = withPredCols(s.sch, cols, pred)
	arg, err := json.Marshal(jsonArg{R: s.ranges[i], S: s.s, SkipBad: s.skipBad})
	if err != nil {
		return nil, nil, nil, err
	}
	return nil, nil, []step{{kind: "read", src: "jsonl", arg: arg, names: cols}}, nil
}

// withPredCols returns cols (nil: all of sch) plus the columns pred reads.
func withPredCols(sch *arrow.Schema, cols []string, pred *enode) []string {
	if cols == nil {
		for _, f := range sch.Fields() {
			cols = append(cols, f.Name)
		}
		return cols
	}
	if pred == nil {
		return cols
	}
	set := map[string]bool{}
	pred.cols(set)
	have := map[string]bool{}
	for _, c := range cols {
		have[c] = true
	}
	for _, f := range sch.Fields() {
		if set[f.Name] && !have[f.Name] {
			cols = append(cols, f.Name)
		}
	}
	return cols
}

func readJSONPart(ctx context.Context, arg []byte, cols []string) (arrow.Record, error) {
	var a jsonArg
	if err := json.Unmarshal(arg, &a); err != nil {
		return nil, fmt.Errorf("jsonl reader arguments: %w", err)
	}
	want, err := columnPositions(cols, a.S.Names)
	if err != nil {
		return nil, fmt.Errorf("jsonl: %w in %s", err, a.R.Path)
	}
	warnRange(ctx, a.R.Path, a.R.Start, a.R.End)
	res, err := jsonl.ReadRangeContext(ctx, a.R, &a.S, want, a.SkipBad)
	if err != nil {
		return nil, err
	}
	reportSkipped(ctx, a.R.Path, a.R.Start, a.R.End, res.Skipped, res.Bad)
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range res.Cols {
		arrs[i] = parsedArray(c.Type, c.I64, c.F64, c.Bools, c.Offs, c.Data, c.Valid)
		fields[i] = arrow.Field{Name: cols[i], Type: arrs[i].DataType(), Nullable: true}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(res.Rows)), nil
}

func init() { registerReader("jsonl", readJSONPart) }
