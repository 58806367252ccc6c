package frame

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/ipc"

	"github.com/godask/godask/sched"
)

func writeText(format, path string, r arrow.Record, opt string) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	if format == "ipc" {
		w, err := ipc.NewFileWriter(f, ipc.WithSchema(r.Schema()))
		if err != nil {
			return err
		}
		if err := w.Write(r); err != nil {
			return err
		}
		return w.Close()
	}
	w := bufio.NewWriterSize(f, 1<<20)
	cols := make([]col, r.NumCols())
	for j := range cols {
		cols[j] = colOf(r.Column(j))
	}
	names := make([]string, len(cols))
	for j, fl := range r.Schema().Fields() {
		names[j] = fl.Name
	}
	var buf []byte
	switch format {
	case "csv":
		for j, n := range names {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = appendCSVField(buf, []byte(n))
		}
		buf = append(buf, '\n')
		for i := 0; i < int(r.NumRows()); i++ {
			for j := range cols {
				if j > 0 {
					buf = append(buf, ',')
				}
				c := &cols[j]
				if c.null(i) {
					continue
				}
				switch c.k {
				case kInt:
					buf = strconv.AppendInt(buf, c.i64[i], 10)
				case kFloat:
					buf = appendFloatText(buf, c.f64[i])
				case kStr:
					buf = appendCSVField(buf, c.str(i))
				case kBool:
					buf = strconv.AppendBool(buf, c.boolAt(i))
				case kTime:
					buf = c.timeAt(i).AppendFormat(buf, c.timeLayout())
				case kDate:
					buf = appendDate(buf, c.i64[i])
				case kDur:
					buf = appendDuration(buf, c.i64[i])
				}
			}
			buf = append(buf, '\n')
			if len(buf) > 1<<16 {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	case "jsonl":
		for i := 0; i < int(r.NumRows()); i++ {
			buf = append(buf, '{')
			for j := range cols {
				if j > 0 {
					buf = append(buf, ',')
				}
				kb, _ := json.Marshal(names[j])
				buf = append(buf, kb...)
				buf = append(buf, ':')
				c := &cols[j]
				if c.null(i) {
					buf = append(buf, "null"...)
					continue
				}
				switch c.k {
				case kInt:
					buf = strconv.AppendInt(buf, c.i64[i], 10)
				case kFloat:
					// JSON has no NaN or infinity: they are written as null.
					if v := c.f64[i]; math.IsNaN(v) || math.IsInf(v, 0) {
						buf = append(buf, "null"...)
					} else {
						buf = appendFloatText(buf, v)
					}
				case kStr:
					sb, _ := json.Marshal(string(c.str(i)))
					buf = append(buf, sb...)
				case kBool:
					buf = strconv.AppendBool(buf, c.boolAt(i))
				case kTime:
					buf = append(buf, '"')
					buf = c.timeAt(i).AppendFormat(buf, time.RFC3339Nano)
					buf = append(buf, '"')
				case kDate, kDur:
					buf = append(buf, '"')
					if c.k == kDate {
						buf = appendDate(buf, c.i64[i])
					} else {
						buf = appendDuration(buf, c.i64[i])
					}
					buf = append(buf, '"')
				}
			}
			buf = append(buf, '}', '\n')
			if len(buf) > 1<<16 {
				if _, err := w.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
	default:
		return fmt.Errorf("unknown output format %q", format)
	}
	if _, err := w.Write(buf); err != nil {
		return err
	}
	return w.Flush()
}

// appendFloatText writes v so that readers infer a float back: the
// shortest decimal that round-trips, with ".0" added to a whole number
// (10.0, not 10, which would read back as an int64); NaN and ±Inf as
// NaN, +Inf and -Inf (the CSV reader reads those; the JSON writer writes
// null instead).
func appendFloatText(b []byte, v float64) []byte {
	n := len(b)
	b = strconv.AppendFloat(b, v, 'g', -1, 64)
	for _, c := range b[n:] {
		if c == '.' || c == 'e' || c == 'N' || c == 'I' {
			return b
		}
	}
	return append(b, '.', '0')
}

func appendCSVField(b, s []byte) []byte {
	if !strings.ContainsAny(string(s), ",\"\n\r") {
		return append(b, s...)
	}
	b = append(b, '"')
	for _, c := range s {
		if c == '"' {
			b = append(b, '"')
		}
		b = append(b, c)
	}
	return append(b, '"')
}

// WriteCSV writes one CSV file per partition into dir (part-00000.csv, ...),
// with a header line; nulls are empty fields. What it writes ReadCSV reads
// back as the same types: floats always have a decimal point or exponent
// (10.0), NaN and ±Inf are NaN, +Inf and -Inf, timestamps are
// 2006-01-02 15:04:05.999999 (read back as timestamps with
// CSVOptions.ParseDates, as CSV holds no types). Inherent to CSV: a string
// column whose values all look like numbers or booleans, or an empty
// string (which is null), needs CSVOptions.Types to come back as it was.
func (f *Frame) WriteCSV(ctx context.Context, dir string, opts ...sched.Option) error {
	return f.write(ctx, "csv", dir, "csv", "", opts)
}

// WriteJSON writes one JSON-lines file per partition into dir
// (part-00000.jsonl, ...): an object per row. JSON has no NaN or infinity,
// so float NaN and ±Inf are written as null (as pandas' to_json), and read
// back as null. Floats always have a decimal point or exponent, so ReadJSON
// reads a float column back as float64; timestamps are RFC 3339 strings,
// read back as timestamps.
func (f *Frame) WriteJSON(ctx context.Context, dir string, opts ...sched.Option) error {
	return f.write(ctx, "jsonl", dir, "jsonl", "", opts)
}

// WriteIPC writes one Arrow IPC file per partition into dir
// (part-00000.arrow, ...).
func (f *Frame) WriteIPC(ctx context.Context, dir string, opts ...sched.Option) error {
	return f.write(ctx, "ipc", dir, "arrow", "", opts)
}
