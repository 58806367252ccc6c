package frame

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	csvio "github.com/godask/godask/io/csv"

	"github.com/godask/godask/graph"
)

// CSVOptions configures ReadCSV; the zero value reads comma-separated files
// with a header, '"' quotes, empty fields as nulls, types inferred from the
// first 1000 rows of every file, 64 MB ranges, and fails on a malformed row.
// It is io/csv's Options (go doc github.com/godask/godask/io/csv.Options
// lists every field); the fields:
//
//	Delimiter  byte                // field separator; default ','
//	NoHeader   bool                // the first line is data, not names
//	Names      []string            // column names (required with NoHeader; replaces the header)
//	NullValues []string            // extra null markers ("" is always null)
//	Types      map[string]CSVType  // per-column types instead of inference (CSVInt64, CSVFloat64, ...)
//	ParseDates []string            // columns parsed as timestamps
//	DateFormat string              // one strftime layout of the timestamp/date columns ("%d.%m.%Y %H:%M")
//	DayFirst   bool                // NN/NN/YYYY is day/month/year
//	TimeZone   string              // IANA zone of the timestamps: naive text is wall-clock time there, offsets converted
//	SkipBad    bool                // skip (and count, SkippedRows) malformed rows instead of failing
//	BlockSize  int64               // range size; default 64 MB; <0: one range per file
//	SampleRows int                 // head rows sampled per file; default 1000 plus 32 windows spread through it; <0: every row
//
//	df := frame.ReadCSV("trips-*.csv", frame.CSVOptions{
//		ParseDates: []string{"pickup"},
//		TimeZone:   "America/New_York", // pickup: timestamp[us, America/New_York]
//		Types:      map[string]frame.CSVType{"zip": frame.CSVString},
//	})
type CSVOptions = csvio.Options

// CSV column types for CSVOptions.Types.
const (
	CSVString    = csvio.String
	CSVInt64     = csvio.Int64
	CSVFloat64   = csvio.Float64
	CSVBool      = csvio.Bool
	CSVTimestamp = csvio.Timestamp
	CSVDate      = csvio.Date // read as a Date32 column
)

// CSVType is a column type for CSVOptions.Types.
type CSVType = csvio.Type

var skipped atomic.Int64

// SkippedRows returns how many malformed rows were skipped (CSV rows with
// CSVOptions.SkipBad, JSON lines with JSONOptions.SkipBad) in this process so
// far, summed over every reader task (a range read by two tasks counts
// twice). For the rows one run skipped, with their files and lines, pass a
// SkipReport observer to Compute.
func SkippedRows() int64 { return skipped.Load() }

type csvSource struct {
	pattern string
	o       csvio.Options
	s       *csvio.Schema
	ranges  []csvio.Range
	sch     *arrow.Schema
	// autoBlock: the BlockSize was the default, so a run's memory limit
	// may cut the files finer (read_plan.go).
	autoBlock bool
}

type csvArg struct {
	R csvio.Range
	O csvio.Options
	S csvio.Schema
}

// ReadCSV reads CSV files matching a glob. Each file is split into byte
// ranges of about 64 MB (less under a memory limit: see defaultBlockSize)
// aligned to rows (gzip and zstd files are one
// partition each), parsed in parallel. Column types are inferred from a
// sample of every file: by default its first 1000 rows (all of a file
// under 1 MB) and the rows of 32 windows of 64 KB spread evenly through
// it; CSVOptions.SampleRows < 0 reads every row (exact, as pandas, at the
// cost of one more pass); SampleRows > 0 the first that many rows only.
// Types overrides it per column. Where values differ the type widens
// (int64 to float64, anything else that differs to string), within a file
// and across files. A value outside the sample that its column's inferred
// type cannot hold is an error naming file, line and value and the Types
// entry that reads it. All files must have the same header. Only the
// columns a query uses are decoded.
func ReadCSV(pattern string, opts ...CSVOptions) *Frame {
	var o csvio.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	auto := o.BlockSize == 0
	if auto {
		o.BlockSize = defaultBlockSize()
	}
	files, err := csvio.Files(pattern)
	if err != nil {
		return errFrame(fmt.Errorf("frame: ReadCSV: %w", err))
	}
	s, err := csvio.Infer(files[0], &o)
	if err != nil {
		return errFrame(fmt.Errorf("frame: ReadCSV: %w", err))
	}
	src := &csvSource{pattern: pattern, o: o, s: s, autoBlock: auto}
	for i, f := range files {
		if i > 0 {
			s2, err := csvio.Infer(f, &o)
			if err != nil {
				return errFrame(fmt.Errorf("frame: ReadCSV: %w", err))
			}
			if fmt.Sprint(s2.Names) != fmt.Sprint(s.Names) {
				return errFrame(fmt.Errorf("frame: ReadCSV: %s has columns %v, %s has %v", f, s2.Names, files[0], s.Names))
			}
			s.Merge(s2)
		}
		rs, err := csvio.Split(f, o.BlockSize)
		if err != nil {
			return errFrame(fmt.Errorf("frame: ReadCSV: %w", err))
		}
		src.ranges = append(src.ranges, rs...)
	}
	var fields []arrow.Field
	for j, n := range s.Names {
		t := csvType(s.Types[j])
		if o.TimeZone != "" && s.Types[j] == csvio.Timestamp {
			t = TimestampTZ(o.TimeZone)
		}
		fields = append(fields, arrow.Field{Name: n, Type: t, Nullable: true})
	}
	src.sch = arrow.NewSchema(fields, nil)
	return newFrame(&node{op: "source", src: src, schema: src.sch})
}

func csvType(t csvio.Type) arrow.DataType {
	switch t {
	case csvio.Int64:
		return Int64
	case csvio.Float64:
		return Float64
	case csvio.Bool:
		return Bool
	case csvio.Timestamp:
		return Timestamp
	case csvio.Date:
		return Date32
	}
	return String
}

func (s *csvSource) describe() string      { return "read-csv " + s.pattern }
func (s *csvSource) schema() *arrow.Schema { return s.sch }
func (s *csvSource) nparts() int           { return len(s.ranges) }
func (s *csvSource) prune(*enode) source   { return s }

func (s *csvSource) part(i int, cols []string, pred *enode) ([]*graph.Task, []graph.Key, []step, error) {
	if cols == nil {
		cols = s.s.Names
	}
	if pred != nil {
		set := map[string]bool{}
		pred.cols(set)
		have := map[string]bool{}
		for _, c := range cols {
			have[c] = true
		}
		for _, n := range s.s.Names {
			if set[n] && !have[n] {
				cols = append(cols, n)
			}
		}
	}
	arg, err := json.Marshal(csvArg{R: s.ranges[i], O: s.o, S: *s.s})
	if err != nil {
		return nil, nil, nil, err
	}
	return nil, nil, []step{{kind: "read", src: "csv", arg: arg, names: cols}}, nil
}

func readCSVPart(ctx context.Context, arg []byte, cols []string) (arrow.Record, error) {
	var a csvArg
	if err := json.Unmarshal(arg, &a); err != nil {
		return nil, fmt.Errorf("csv reader arguments: %w", err)
	}
	want, err := columnPositions(cols, a.S.Names)
	if err != nil {
		return nil, fmt.Errorf("csv: %w in %s", err, a.R.Path)
	}
	warnRange(ctx, a.R.Path, a.R.Start, a.R.End)
	res, err := csvio.ReadRangeContext(ctx, a.R, &a.S, want, &a.O)
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

func init() { registerReader("csv", readCSVPart) }

// columnPositions gives the position in names of each of cols.
func columnPositions(cols, names []string) ([]int, error) {
	want := make([]int, len(cols))
	for i, c := range cols {
		want[i] = -1
		for j, n := range names {
			if n == c {
				want[i] = j
			}
		}
		if want[i] < 0 {
			return nil, fmt.Errorf("no column %q", c)
		}
	}
	return want, nil
}

// parsedArray wraps a column parsed by io/csv or io/jsonl (the slices of its
// type; the others are nil) as an Arrow array, without copying.
func parsedArray(t csvio.Type, i64 []int64, f64 []float64, bools []bool, offs []int32, data []byte, valid []bool) arrow.Array {
	switch t {
	case csvio.Int64:
		return int64Array(i64, valid)
	case csvio.Timestamp:
		return timeArray(i64, valid)
	case csvio.Date:
		return dateArray(i64, valid)
	case csvio.Float64:
		return float64Array(f64, valid)
	case csvio.Bool:
		return boolArray(bools, valid)
	}
	return strArray(offs, data, valid)
}
