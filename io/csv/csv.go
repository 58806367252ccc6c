// Package csv is godask's parallel CSV reader: files (globs, many files) are
// split into byte ranges (~64 MB) aligned to row boundaries, and each range
// is parsed into Arrow arrays by a fast, allocation-light parser that decodes
// only the columns asked for. frame.ReadCSV plans the ranges with Split and
// Infer; its tasks call ReadRange. Gzip and zstd files are one range each.
//
// Quoted fields may hold delimiters, doubled quotes and newlines. A range
// boundary is moved to the next newline; when a quoted field holding a
// newline straddles a boundary, the range before it detects this (its last
// record runs past the newline where the next range starts) and the read
// fails with an error saying to use one range per file (BlockSize -1), so a
// misaligned range never yields rows silently.
package csv

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"github.com/klauspost/compress/zstd"

	"github.com/godask/godask/internal/datetime"
	"github.com/godask/godask/internal/files"
)

// Type is a column type of the parsed output.
type Type uint8

// The column types.
const (
	String Type = iota
	Int64
	Float64
	Bool
	Timestamp // microseconds since the epoch, UTC
	Date      // days since 1970-01-01 (a date with a time of day is refused)
)

func (t Type) String() string {
	return [...]string{"string", "int64", "float64", "bool", "timestamp", "date"}[t]
}

// Options configures reading. The zero value reads comma-separated files
// with a header line, '"' quoting and empty fields as nulls.
type Options struct {
	Delimiter  byte            `json:"d,omitempty"` // default ','
	NoHeader   bool            `json:"nh,omitempty"`
	Names      []string        `json:"n,omitempty"`  // column names (required with NoHeader)
	NullValues []string        `json:"nv,omitempty"` // extra null markers ("" is always null)
	Types      map[string]Type `json:"t,omitempty"`  // per-column overrides of inference
	ParseDates []string        `json:"pd,omitempty"` // columns parsed as timestamps
	// DateFormat, when set, is the one strftime-style layout ("%d.%m.%Y
	// %H:%M") of the ParseDates, Timestamp and Date columns; by default
	// ISO dates and datetimes, YYYY/MM/DD and MM/DD/YYYY are accepted (see
	// internal/datetime.Parse). A value that does not match fails the read
	// with the file, line and value.
	DateFormat string `json:"df,omitempty"`
	// DayFirst reads NN/NN/YYYY dates as day/month/year instead of
	// month/day/year.
	DayFirst bool `json:"dayf,omitempty"`
	// TimeZone, when set, is the IANA zone ("America/New_York") of the
	// Timestamp and ParseDates columns: a value without a UTC offset is
	// wall-clock time in that zone, one with an offset or Z is converted
	// (pandas' read_csv then tz_localize / tz_convert). A wall-clock time
	// the zone's clocks skip or repeat fails the read with the file, line
	// and value (read the column without TimeZone and use TZLocalizeWith
	// to choose). Frames type the columns timestamp[us, TimeZone].
	TimeZone  string `json:"tz,omitempty"`
	SkipBad   bool   `json:"sb,omitempty"` // skip (and count) malformed rows instead of failing
	BlockSize int64  `json:"-"`            // range size; default 64 MB; <0: one range per file
	// SampleRows is how many rows of each file's head inference reads.
	// By default (0): 1000, all of a file under 1 MB, and the rows of
	// windows spread through a larger uncompressed file (infer_widen.go);
	// < 0: every row (exact, one more pass over the files).
	SampleRows int `json:"-"`
}

func (o *Options) delim() byte {
	if o.Delimiter == 0 {
		return ','
	}
	return o.Delimiter
}

// Files expands a glob (or a single path) to the regular files it matches,
// sorted. It fails when nothing matches.
func Files(pattern string) ([]string, error) {
	out, err := files.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	return out, nil
}

func compressed(path string) bool {
	return strings.HasSuffix(path, ".gz") || strings.HasSuffix(path, ".zst")
}

// Range is a byte range of a file: rows that start in [Start, End).
type Range struct {
	Path       string
	Start, End int64
}

// Split cuts a file into ranges of about blockSize bytes (one range for
// compressed files or blockSize < 0).
func Split(path string, blockSize int64) ([]Range, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	size := st.Size()
	if blockSize == 0 {
		blockSize = 64 << 20
	}
	if compressed(path) || blockSize < 0 || size <= blockSize {
		return []Range{{path, 0, size}}, nil
	}
	var out []Range
	for s := int64(0); s < size; s += blockSize {
		e := s + blockSize
		if e > size {
			e = size
		}
		out = append(out, Range{path, s, e})
	}
	return out, nil
}

func openData(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.HasSuffix(path, ".gz"):
		z, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("csv: %s: %w", path, err)
		}
		return struct {
			io.Reader
			io.Closer
		}{z, f}, nil
	case strings.HasSuffix(path, ".zst"):
		z, err := zstd.NewReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("csv: %s: %w", path, err)
		}
		return struct {
			io.Reader
			io.Closer
		}{z.IOReadCloser(), f}, nil
	}
	return f, nil
}

// Schema is the column names and types of a file.
type Schema struct {
	Names []string
	Types []Type
	// Inferred tells, per column, whether Infer saw a value of it in its
	// sample (false: only nulls, or the type was given), so that merging
	// the schemas of several files widens by the columns seen only.
	Inferred []bool `json:"-"`
}

// Infer reads the header and a sample of rows of path and infers each
// column's type (int64, float64, bool, else string), applying the Types and
// ParseDates overrides.
func Infer(path string, o *Options) (*Schema, error) {
	if err := datetime.CheckFormat(o.DateFormat); err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	if o.TimeZone != "" {
		if _, err := datetime.LoadZone(o.TimeZone); err != nil {
			return nil, fmt.Errorf("csv: TimeZone: %w", err)
		}
	}
	rc, err := openData(path)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	defer rc.Close()
	buf, full, err := sampleBytes(rc, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("csv: read %s: %w", path, err)
	}
	buf = bytes.TrimPrefix(buf, bom)
	if i := bytes.IndexByte(buf, '\r'); i >= 0 && i < len(buf)-1 && bytes.IndexByte(buf, '\n') < 0 {
		return nil, fmt.Errorf("csv: %s has lines ended by CR alone (classic Mac OS); only LF and CRLF line ends are read: convert it, e.g. with tr '\\r' '\\n'", path)
	}
	p := parser{delim: o.delim()}
	var rows [][]string
	sample := o.SampleRows
	if sample <= 0 {
		sample = 1000
	}
	// A file whose whole data is in the head sample is read whole by default.
	allHead := o.SampleRows < 0 || (o.SampleRows == 0 && full)
	for len(buf) > 0 && (len(rows) <= sample || allHead) {
		line, rest, _, open := nextRecord(buf, p.delim)
		buf = rest
		if open && !full {
			break // the sample ends inside a quoted field
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		rows = append(rows, p.fields(line))
	}
	s := &Schema{}
	if o.NoHeader {
		s.Names = o.Names
		if len(rows) > 0 && len(s.Names) == 0 {
			for i := range rows[0] {
				s.Names = append(s.Names, fmt.Sprintf("c%d", i))
			}
		}
	} else {
		if len(rows) == 0 {
			return nil, fmt.Errorf("csv: %s has no header line", path)
		}
		s.Names, rows = rows[0], rows[1:]
		if len(o.Names) > 0 {
			s.Names = o.Names
		}
	}
	// An empty header field names its column by position ("c0", "c1", ...,
	// as with NoHeader); repeated names are then made unique.
	for i, n := range s.Names {
		if n == "" {
			s.Names[i] = fmt.Sprintf("c%d", i)
		}
	}
	s.Names = dedupNames(s.Names)
	nulls := nullSet(o.NullValues)
	dates := map[string]bool{}
	for _, d := range o.ParseDates {
		dates[d] = true
	}
	types := make([]Type, len(s.Names))
	seenAt := make([]bool, len(s.Names))
	for j := range types {
		types[j] = Int64
	}
	classify := func(r []string) {
		for j := range types {
			if j >= len(r) || nulls[r[j]] || r[j] == "" || types[j] == String {
				continue
			}
			seenAt[j] = true
			types[j] = widenType(types[j], r[j])
		}
	}
	for _, r := range rows {
		classify(r)
	}
	more := func(line []byte) {
		if r := p.fields(line); len(r) == len(s.Names) {
			classify(r)
		}
	}
	switch {
	case o.SampleRows < 0 && !full:
		first := !o.NoHeader
		var all io.ReadCloser
		if all, err = openData(path); err == nil {
			err = eachRecord(all, p.delim, func(line []byte) {
				if first {
					first = false
					return
				}
				more(line)
			})
			all.Close()
		}
	case o.SampleRows == 0 && !full:
		if st, serr := os.Stat(path); serr == nil {
			err = windowRecords(path, st.Size(), p.delim, more)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("csv: inferring the types of %s: %w", path, err)
	}
	for j, name := range s.Names {
		t, seen := types[j], seenAt[j]
		if !seen {
			t = Float64
		}
		if dates[name] {
			t, seen = Timestamp, false
		}
		if ot, ok := o.Types[name]; ok {
			t, seen = ot, false
		}
		s.Types = append(s.Types, t)
		s.Inferred = append(s.Inferred, seen)
	}
	for name := range o.Types {
		if !contains(s.Names, name) {
			return nil, fmt.Errorf("csv: type given for unknown column %q; the columns are %v", name, s.Names)
		}
	}
	for _, d := range o.ParseDates {
		if !contains(s.Names, d) {
			return nil, fmt.Errorf("csv: ParseDates names unknown column %q; the columns are %v", d, s.Names)
		}
	}
	return s, nil
}

// bom is the UTF-8 byte order mark some editors put first in a file.
var bom = []byte("\xef\xbb\xbf")

// sampleBytes reads about size bytes of rc, cut after the last complete
// line, and at least the first two lines (a header and one row, however
// long) unless the data ends first; full is whether it holds all the data.
func sampleBytes(rc io.Reader, size int) (buf []byte, full bool, err error) {
	const maxSample = 1 << 30
	buf = make([]byte, 0, size)
	for {
		n, err := io.ReadFull(rc, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			return buf, true, nil
		}
		if err != nil {
			return nil, false, err
		}
		if bytes.Count(buf, []byte{'\n'}) >= 2 || len(buf) >= maxSample {
			break
		}
		buf = append(buf, make([]byte, len(buf))...)[:len(buf)]
	}
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		buf = buf[:i+1]
	}
	return buf, false, nil
}

// dedupNames renames repeated column names as DuckDB does: the second "a"
// becomes "a_1", the third "a_2" (skipping names already taken).
func dedupNames(names []string) []string {
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
	}
	out := make([]string, len(names))
	used := map[string]bool{}
	for i, n := range names {
		if !used[n] {
			out[i], used[n] = n, true
			continue
		}
		for k := 1; ; k++ {
			c := fmt.Sprintf("%s_%d", n, k)
			if !used[c] && !seen[c] {
				out[i], used[c] = c, true
				break
			}
		}
	}
	return out
}

// shortQ quotes a field for an error message, at most 64 bytes of it.
func shortQ(f []byte) string {
	if len(f) <= 64 {
		return fmt.Sprintf("%q", f)
	}
	return fmt.Sprintf("%q... (%d bytes)", f[:64], len(f))
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func nullSet(extra []string) map[string]bool {
	m := map[string]bool{"": true}
	for _, v := range extra {
		m[v] = true
	}
	return m
}

func nextLine(b []byte) ([]byte, []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return trimCR(b), nil
	}
	return trimCR(b[:i]), b[i+1:]
}

// openQuote reports whether rec ends inside a quoted field: a field that
// starts with a quote runs to the next quote not followed by another quote.
// Quotes inside unquoted fields are literal, as in the fields parser.
func openQuote(rec []byte, delim byte) bool {
	i := 0
	for i < len(rec) {
		if rec[i] != '"' { // unquoted field: skip to the next delimiter
			j := bytes.IndexByte(rec[i:], delim)
			if j < 0 {
				return false
			}
			i += j + 1
			continue
		}
		i++
		for {
			j := bytes.IndexByte(rec[i:], '"')
			if j < 0 {
				return true
			}
			i += j + 1
			if i < len(rec) && rec[i] == '"' {
				i++
				continue
			}
			break
		}
		j := bytes.IndexByte(rec[i:], delim)
		if j < 0 {
			return false
		}
		i += j + 1
	}
	return false
}

// nextRecord splits the first record off data: one line, or several when a
// quoted field holds newlines. It returns the record (without its final
// newline or CR), the rest (nil at the end), the number of lines the record
// spans, and whether it ended inside an unterminated quoted field.
func nextRecord(data []byte, delim byte) (rec, rest []byte, lines int, open bool) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		rec, rest = data, nil
	} else {
		rec, rest = data[:i], data[i+1:]
	}
	lines = 1
	if bytes.IndexByte(rec, '"') < 0 {
		return trimCR(rec), rest, 1, false
	}
	for openQuote(rec, delim) {
		if rest == nil {
			return trimCR(rec), nil, lines, true
		}
		j := bytes.IndexByte(rest, '\n')
		lines++
		if j < 0 {
			rec, rest = data[:len(data)], nil
		} else {
			rec, rest = data[:len(rec)+1+j], rest[j+1:]
		}
	}
	return trimCR(rec), rest, lines, false
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

type parser struct{ delim byte }

// fields splits a line into unquoted fields (for inference).
func (p *parser) fields(line []byte) []string {
	var out []string
	var buf []byte
	for {
		var f []byte
		f, line, buf = p.field(line, buf)
		out = append(out, string(f))
		if line == nil {
			return out
		}
	}
}

// field returns the first field of line (unquoted), the rest after the
// delimiter (nil when the line ended), and the scratch buffer.
func (p *parser) field(line, buf []byte) ([]byte, []byte, []byte) {
	if len(line) > 0 && line[0] == '"' {
		buf = buf[:0]
		i := 1
		for i < len(line) {
			c := line[i]
			if c == '"' {
				if i+1 < len(line) && line[i+1] == '"' {
					buf = append(buf, '"')
					i += 2
					continue
				}
				i++
				break
			}
			buf = append(buf, c)
			i++
		}
		// skip to the delimiter
		for i < len(line) && line[i] != p.delim {
			i++
		}
		if i >= len(line) {
			return buf, nil, buf
		}
		return buf, line[i+1:], buf
	}
	i := bytes.IndexByte(line, p.delim)
	if i < 0 {
		return line, nil, buf
	}
	return line[:i], line[i+1:], buf
}

func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		v, err := strconv.ParseInt(string(b), 10, 64)
		return v, err == nil
	}
	neg := false
	i := 0
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	var v int64
	for ; i < len(b); i++ {
		c := b[i] - '0'
		if c > 9 {
			return 0, false
		}
		v = v*10 + int64(c)
	}
	if neg {
		v = -v
	}
	return v, true
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloat parses decimals exactly: plain "[-]ddd.ddd" with at most 15
// significant digits takes the exact fast path (an integer over a power of
// ten, both exact in float64); anything else goes to strconv.
func parseFloat(b []byte) (float64, bool) {
	i := 0
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i = 1
	}
	var m uint64
	digits, frac := 0, -1
	for ; i < len(b); i++ {
		c := b[i]
		if c == '.' && frac < 0 {
			frac = 0
			continue
		}
		d := c - '0'
		if d > 9 {
			goto slow
		}
		m = m*10 + uint64(d)
		if m != 0 {
			digits++
		}
		if frac >= 0 {
			frac++
		}
	}
	if digits > 15 || (digits == 0 && m == 0 && len(b)-boolInt(neg || (len(b) > 0 && b[0] == '+')) == boolInt(frac >= 0)) {
		goto slow
	}
	{
		f := float64(m)
		if frac > 0 {
			if frac > 22 {
				goto slow
			}
			f /= pow10[frac]
		}
		if neg {
			f = -f
		}
		return f, true
	}
slow:
	s := unsafe.String(unsafe.SliceData(b), len(b))
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		switch strings.ToLower(s) {
		case "nan":
			return math.NaN(), true
		case "inf", "+inf":
			return math.Inf(1), true
		case "-inf":
			return math.Inf(-1), true
		}
		return 0, false
	}
	return f, true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func parseBool(b []byte) (bool, bool) {
	switch string(b) {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	return false, false
}

// Column is a parsed column: flat values and validity (nil: no nulls).
type Column struct {
	Type  Type
	I64   []int64
	F64   []float64
	Bools []bool
	Offs  []int32 // strings: len n+1
	Data  []byte
	Valid []bool
	n     int
}

func (c *Column) truncate(n int) {
	switch c.Type {
	case Int64, Timestamp, Date:
		c.I64 = c.I64[:n]
	case Float64:
		c.F64 = c.F64[:n]
	case Bool:
		c.Bools = c.Bools[:n]
	case String:
		c.Offs = c.Offs[:n+1]
		c.Data = c.Data[:c.Offs[n]]
	}
	if c.Valid != nil {
		c.Valid = c.Valid[:n]
	}
	c.n = n
}

func (c *Column) null() {
	if c.Valid == nil {
		c.Valid = make([]bool, c.n, c.n+1024)
		for i := range c.Valid {
			c.Valid[i] = true
		}
	}
	c.Valid = append(c.Valid, false)
	switch c.Type {
	case Int64, Timestamp, Date:
		c.I64 = append(c.I64, 0)
	case Float64:
		c.F64 = append(c.F64, 0)
	case Bool:
		c.Bools = append(c.Bools, false)
	case String:
		c.Offs = append(c.Offs, int32(len(c.Data)))
	}
	c.n++
}

func (c *Column) ok() {
	if c.Valid != nil {
		c.Valid = append(c.Valid, true)
	}
	c.n++
}

// Len is the number of values.
func (c *Column) Len() int { return c.n }

// ParseError is a malformed row: the file, 1-based line and what is wrong.
type ParseError struct {
	Path string
	Line int64
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("csv: %s:%d: %s", e.Path, e.Line, e.Msg) }

// Result is what ReadRange parsed: the wanted columns, in the order asked,
// and the number of malformed rows skipped (with Options.SkipBad).
type Result struct {
	Cols    []*Column
	Rows    int
	Skipped int
	// Bad lists the first MaxBadRows skipped rows: their line in the file
	// and why each was skipped.
	Bad []BadRow
}

// BadRow is one row skipped with Options.SkipBad.
type BadRow = files.BadRow

// MaxBadRows caps the skipped rows a range lists in Result.Bad (all are
// counted in Result.Skipped).
const MaxBadRows = files.MaxBadRows

// ReadRange parses the rows that start in r, decoding the columns at the
// indices want (of schema s). The header line is skipped when r starts the
// file. With Options.SkipBad every field of a row is checked against its
// column's type, read or not, so the same rows are skipped whatever columns
// a query reads; without it only the columns read are parsed, and a bad
// value elsewhere is not an error.
func ReadRange(r Range, s *Schema, want []int, o *Options) (*Result, error) {
	return ReadRangeContext(context.Background(), r, s, want, o)
}

// ctxEvery is how many rows ReadRangeContext parses between checks of its
// context (a few milliseconds of parsing).
const ctxEvery = 1 << 14

// ReadRangeContext is ReadRange that stops, returning ctx's error, soon after
// ctx is cancelled (it checks every ctxEvery rows).
func ReadRangeContext(ctx context.Context, r Range, s *Schema, want []int, o *Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, atEOF, err := readRange(r)
	if err != nil {
		return nil, err
	}
	all := data
	if r.Start == 0 {
		data = bytes.TrimPrefix(data, bom)
	}
	if r.Start == 0 && !o.NoHeader {
		_, data = nextLine(data)
		if len(data) == 0 {
			data = nil
		}
	}
	slot := make([]int, len(s.Names)) // column index -> output position, -1 skip
	for i := range slot {
		slot[i] = -1
	}
	res := &Result{Cols: make([]*Column, len(want))}
	est := len(data)/(8*len(s.Names)+1) + 16
	for i, w := range want {
		slot[w] = i
		c := &Column{Type: s.Types[w]}
		switch c.Type {
		case Int64, Timestamp, Date:
			c.I64 = make([]int64, 0, est)
		case Float64:
			c.F64 = make([]float64, 0, est)
		case String:
			c.Offs = make([]int32, 1, est+1)
			c.Data = make([]byte, 0, est*8)
		}
		res.Cols[i] = c
	}
	nulls := nullSet(o.NullValues)
	onlyEmpty := len(nulls) == 1
	dopt := datetime.Options{Format: o.DateFormat, DayFirst: o.DayFirst}
	var zones []*datetime.Zone // per wanted column: its own cache
	if o.TimeZone != "" {
		zones = make([]*datetime.Zone, len(want))
		for i := range want {
			z, err := datetime.LoadZone(o.TimeZone)
			if err != nil {
				return nil, fmt.Errorf("csv: TimeZone: %w", err)
			}
			zones[i] = z
		}
	}
	p := parser{delim: o.delim()}
	ncols := len(s.Names)
	var buf []byte
	lineNo := int64(0) // lines parsed in this range
	rows := 0
	done := ctx.Done()
	for iter := 0; len(data) > 0; iter++ {
		if done != nil && iter%ctxEvery == 0 {
			select {
			case <-done:
				return nil, ctx.Err()
			default:
			}
		}
		line, next, nl, open := nextRecord(data, p.delim)
		data = next
		lineNo += int64(nl)
		if open {
			if !atEOF {
				return nil, &ParseError{Path: r.Path, Line: lineOf(r, lineNo-int64(nl)+1, o),
					Msg: fmt.Sprintf("a quoted field holding a newline crosses the range boundary at byte %d; read this file with CSVOptions{BlockSize: -1} (one range per file)", r.End)}
			}
			return nil, &ParseError{Path: r.Path, Line: lineOf(r, lineNo-int64(nl)+1, o), Msg: "unterminated quoted field at the end of the file"}
		}
		if len(line) == 0 {
			continue
		}
		var bad string
		j := 0
		rest := line
		for {
			var f []byte
			f, rest, buf = p.field(rest, buf)
			if j < ncols {
				if k := slot[j]; k >= 0 {
					c := res.Cols[k]
					if len(f) == 0 || (!onlyEmpty && nulls[string(f)]) {
						c.null()
					} else if st := appendValue(c, f, &dopt, zoneOf(zones, k)); st != datetime.ZoneOK {
						bad = fmt.Sprintf("column %q: cannot parse %s as %s", s.Names[j], shortQ(f), c.Type) + typeFix(s.Names[j], f, c.Type, o)
						if st != zoneBad {
							bad = fmt.Sprintf("column %q: %s is %s in TimeZone %s: give it a UTC offset, or read the column without TimeZone and localize it with TZLocalizeWith (ambiguous/nonexistent choices)", s.Names[j], shortQ(f), st, o.TimeZone)
						} else if (c.Type == Timestamp || c.Type == Date) && o.DateFormat != "" {
							bad += fmt.Sprintf(" with DateFormat %q", o.DateFormat)
						}
					}
				} else if o.SkipBad && len(f) > 0 && (onlyEmpty || !nulls[string(f)]) && !parses(s.Types[j], f) {
					bad = fmt.Sprintf("column %q: cannot parse %s as %s", s.Names[j], shortQ(f), s.Types[j])
				}
			}
			j++
			if rest == nil || bad != "" {
				break
			}
		}
		if bad == "" && j != ncols {
			bad = fmt.Sprintf("expected %d fields, found %d", ncols, j)
		}
		if bad != "" {
			if !o.SkipBad {
				if r.Start > 0 && bytes.IndexByte(all, '"') >= 0 {
					bad += "; if the file has quoted fields holding newlines, this range may start inside one: read it with CSVOptions{BlockSize: -1}"
				}
				return nil, &ParseError{Path: r.Path, Line: lineOf(r, lineNo, o), Msg: bad}
			}
			res.Skipped++
			if len(res.Bad) < MaxBadRows {
				res.Bad = append(res.Bad, BadRow{Line: lineNo, Msg: bad}) // range-relative until the end
			}
			for _, c := range res.Cols {
				c.truncate(rows)
			}
			continue
		}
		rows++
		for _, c := range res.Cols {
			if c.n < rows {
				c.truncate(rows - 1) // unreachable: every wanted column got a value
			}
		}
	}
	res.Rows = rows
	if len(res.Bad) > 0 {
		base := lineOf(r, 0, o)
		for i := range res.Bad {
			res.Bad[i].Line += base
		}
	}
	return res, nil
}

// parses reports whether the non-null field f is a value of type t.
func parses(t Type, f []byte) bool {
	var ok bool
	switch t {
	case Int64:
		_, ok = parseInt(f)
	case Float64:
		_, ok = parseFloat(f)
	case Bool:
		_, ok = parseBool(f)
	case Timestamp, Date:
		var v int64
		v, ok = datetime.Parse(f, nil)
		ok = ok && (t == Timestamp || v%86400e6 == 0)
	default:
		ok = true
	}
	return ok
}

// typeFix is the hint added to a parse error of field f in column name:
// the Types option that reads the column as a type f fits, when the type was
// inferred rather than given.
func typeFix(name string, f []byte, t Type, o *Options) string {
	if _, given := o.Types[name]; given || t == Timestamp || t == Date {
		return ""
	}
	want := "String"
	if _, ok := parseFloat(f); ok && t == Int64 {
		want = "Float64"
	}
	return fmt.Sprintf(" (the type was inferred from a sample of the first rows; read the column as %s with Types: map[string]Type{%q: %s}; in frame: frame.CSVOptions{Types: map[string]frame.CSVType{%q: frame.CSV%s}})", strings.ToLower(want), name, want, name, want)
}

// Merge widens the types of s by those of o (the same columns inferred
// from another file): a column only one of them saw a value of takes that
// one's type, others widen by Widen.
func (s *Schema) Merge(o *Schema) {
	for j := range s.Types {
		if j >= len(o.Types) || j >= len(s.Inferred) || j >= len(o.Inferred) || !o.Inferred[j] {
			continue
		}
		if !s.Inferred[j] {
			s.Types[j], s.Inferred[j] = o.Types[j], true
			continue
		}
		s.Types[j] = Widen(s.Types[j], o.Types[j])
	}
}

// Widen is the type that holds values of both a and b, as inference
// widens: int64 to float64, and anything else that differs to string
// (timestamps only meet themselves: they are given, not inferred).
func Widen(a, b Type) Type {
	switch {
	case a == b:
		return a
	case (a == Int64 && b == Float64) || (a == Float64 && b == Int64):
		return Float64
	}
	return String
}

// zoneBad is appendValue's status of a value that does not parse.
const zoneBad = datetime.ZoneStatus(-1)

func zoneOf(zones []*datetime.Zone, k int) *datetime.Zone {
	if zones == nil {
		return nil
	}
	return zones[k]
}

// appendValue appends the value f to c: datetime.ZoneOK, zoneBad when f
// does not parse as c's type, or the zone's status of a wall-clock time z
// cannot localize.
func appendValue(c *Column, f []byte, dopt *datetime.Options, z *datetime.Zone) datetime.ZoneStatus {
	if c.Type == Timestamp && z != nil {
		v, off, ok := datetime.ParseOffset(f, dopt)
		if !ok {
			return zoneBad
		}
		if !off {
			var st datetime.ZoneStatus
			if v, st = z.Localize(v); st != datetime.ZoneOK {
				return st
			}
		}
		c.I64 = append(c.I64, v)
		c.ok()
		return datetime.ZoneOK
	}
	if !appendPlain(c, f, dopt) {
		return zoneBad
	}
	return datetime.ZoneOK
}

func appendPlain(c *Column, f []byte, dopt *datetime.Options) bool {
	switch c.Type {
	case Int64:
		v, ok := parseInt(f)
		if !ok {
			return false
		}
		c.I64 = append(c.I64, v)
	case Float64:
		v, ok := parseFloat(f)
		if !ok {
			return false
		}
		c.F64 = append(c.F64, v)
	case String:
		c.Data = append(c.Data, f...)
		c.Offs = append(c.Offs, int32(len(c.Data)))
	case Bool:
		v, ok := parseBool(f)
		if !ok {
			return false
		}
		c.Bools = append(c.Bools, v)
	case Timestamp:
		v, ok := datetime.Parse(f, dopt)
		if !ok {
			return false
		}
		c.I64 = append(c.I64, v)
	case Date:
		v, ok := datetime.Parse(f, dopt)
		if !ok || v%86400e6 != 0 {
			return false
		}
		c.I64 = append(c.I64, v/86400e6)
	}
	c.ok()
	return true
}

// lineOf is the 1-based line number in the file of the n-th line of range r.
func lineOf(r Range, n int64, o *Options) int64 {
	line := n
	if r.Start == 0 && !o.NoHeader {
		line++
	}
	if r.Start > 0 {
		if f, err := os.Open(r.Path); err == nil {
			defer f.Close()
			b := make([]byte, 1<<20)
			var off int64
			for off < r.Start {
				k := int64(len(b))
				if off+k > r.Start {
					k = r.Start - off
				}
				m, err := f.ReadAt(b[:k], off)
				line += int64(bytes.Count(b[:m], []byte{'\n'}))
				off += int64(m)
				if err != nil || m == 0 {
					break
				}
			}
			// The range begins after the newline that ends the line holding
			// byte Start-1: when that byte is not itself a newline, the line
			// holding it is one more line before the range.
			one := make([]byte, 1)
			if _, err := f.ReadAt(one, r.Start-1); err == nil && one[0] != '\n' {
				line++
			}
		}
	}
	return line
}

// readRange returns the bytes of the rows that start in r: from the first
// line start at or after r.Start to the end of the line holding r.End-1, and
// whether those bytes run to the end of the file.
func readRange(r Range) ([]byte, bool, error) {
	if compressed(r.Path) {
		rc, err := openData(r.Path)
		if err != nil {
			return nil, false, fmt.Errorf("csv: %w", err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			return nil, false, fmt.Errorf("csv: decompress %s: %w", r.Path, err)
		}
		return b, true, nil
	}
	f, err := os.Open(r.Path)
	if err != nil {
		return nil, false, fmt.Errorf("csv: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	size := st.Size()
	if size < r.End {
		return nil, false, fmt.Errorf("csv: read %s: the file has %d bytes, but it had at least %d when it was split into ranges (it changed after ReadCSV)", r.Path, size, r.End)
	}
	start := r.Start
	if start > 0 {
		start-- // a line starts at Start iff byte Start-1 is a newline
	}
	// Read the range plus a tail to finish the last line.
	tail := int64(1 << 16)
	for {
		end := r.End + tail
		if end > size {
			end = size
		}
		buf := make([]byte, end-start)
		if _, err := f.ReadAt(buf, start); err != nil && err != io.EOF {
			return nil, false, fmt.Errorf("csv: read %s: %w", r.Path, err)
		}
		b := buf
		if r.Start > 0 {
			i := bytes.IndexByte(b, '\n')
			if i < 0 || start+int64(i)+1 >= r.End {
				return nil, false, nil // no line starts in the range
			}
			b = b[i+1:]
		}
		// Cut after the newline ending the line that holds byte End-1.
		lastIdx := r.End - 1 - (end - int64(len(b)))
		if r.End >= size {
			return b, true, nil
		}
		if lastIdx < 0 {
			lastIdx = 0
		}
		if i := bytes.IndexByte(b[lastIdx:], '\n'); i >= 0 {
			return b[:lastIdx+int64(i)+1], end == size && lastIdx+int64(i)+1 == int64(len(b)), nil
		}
		if end == size {
			return b, true, nil
		}
		tail *= 4
	}
}
