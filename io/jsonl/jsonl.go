// Package jsonl reads JSON lines files (one JSON object per line) for frame:
// frame.ReadJSON lists files, splits them into byte ranges at line
// boundaries and infers a schema with Files, Split and Infer at plan time;
// its tasks call ReadRange, which decodes only the wanted columns into flat
// typed slices (no value is boxed into an interface).
//
// Objects are flat rows: a key is a column; nested objects and arrays are
// kept as their JSON text in a string column; a missing key or null is a null;
// keys not in the schema are ignored. JSON strings cannot hold raw newlines,
// so cutting a file at newlines is exact.
package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/godask/godask/internal/datetime"
	"github.com/godask/godask/internal/files"
	"github.com/godask/godask/io/csv"
	"io"
	"os"
	"strconv"
)

// Type is a column type of the parsed output; the same types as io/csv's.
type Type = csv.Type

// The column types. Timestamps are parsed from RFC 3339 (or
// "2006-01-02 15:04:05", "2006-01-02") strings, as microseconds.
const (
	String    = csv.String
	Int64     = csv.Int64
	Float64   = csv.Float64
	Bool      = csv.Bool
	Timestamp = csv.Timestamp
)

// Schema is the column names and types.
type Schema struct {
	Names []string
	Types []Type
	// TimeZone, when set, is the IANA zone of the Timestamp columns: a
	// value without a UTC offset is wall-clock time there, one with an
	// offset or Z is converted. A wall-clock time the zone's clocks skip
	// or repeat is an error naming the line and value.
	TimeZone string `json:",omitempty"`
	// Inferred tells, per key, whether Infer saw a non-null value of it
	// (false: only nulls), so that merging the schemas of several files
	// widens by the keys seen only.
	Inferred []bool `json:"-"`
}

// Files expands a glob (or a single path) to the regular files it matches,
// sorted. It fails when nothing matches.
func Files(pattern string) ([]string, error) {
	out, err := files.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("jsonl: %w", err)
	}
	return out, nil
}

// Range is a byte range of a file: the lines that start in [Start, End).
type Range struct {
	Path       string
	Start, End int64
}

// Split cuts a file into ranges of about blockSize bytes (default 64 MB; a
// negative size gives one range per file).
func Split(path string, blockSize int64) ([]Range, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("jsonl: %w", err)
	}
	size := st.Size()
	if blockSize == 0 {
		blockSize = 64 << 20
	}
	if blockSize < 0 || size <= blockSize {
		return []Range{{path, 0, size}}, nil
	}
	var out []Range
	for s := int64(0); s < size; s += blockSize {
		out = append(out, Range{path, s, min(s+blockSize, size)})
	}
	return out, nil
}

// ParseError is a malformed line: the file, its 1-based line number and
// what is wrong.
type ParseError struct {
	Path string
	Line int64
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("jsonl: %s:%d: %s", e.Path, e.Line, e.Msg) }

// lines calls fn for every non-blank line that starts in r, with its number
// counted from the range start (1-based).
func lines(r Range, fn func(n int64, line []byte) error) error {
	f, err := os.Open(r.Path)
	if err != nil {
		return fmt.Errorf("jsonl: %w", err)
	}
	defer f.Close()
	start := r.Start
	if start > 0 {
		start-- // a line starts at Start iff byte Start-1 is a newline
	}
	br := bufio.NewReaderSize(io.NewSectionReader(f, start, 1<<62), 1<<20)
	off := start
	if r.Start > 0 {
		skip, err := readLine(br)
		off += int64(len(skip))
		if err != nil {
			return nil
		}
	}
	var n int64
	for off < r.End {
		line, err := readLine(br)
		off += int64(len(line))
		if len(line) > 0 {
			n++
			if b := bytes.TrimSpace(line); len(b) > 0 {
				if ferr := fn(n, b); ferr != nil {
					return ferr
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("jsonl: read %s: %w", r.Path, err)
		}
	}
	return nil
}

// readLine returns the next line with its newline (the buffer's bytes, valid
// until the next read).
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return line, err
	}
	buf := append([]byte(nil), line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = br.ReadSlice('\n')
		buf = append(buf, line...)
	}
	return buf, err
}

// value kinds of the scanner.
const (
	vNull = iota
	vStr
	vNum
	vTrue
	vFalse
	vRaw // nested object or array
)

// scanObject calls fn for every key and value of the flat JSON object line.
// Strings are passed still quoted (raw JSON).
func scanObject(line []byte, fn func(key, val []byte, kind int) error) error {
	i := skipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return fmt.Errorf("not a JSON object")
	}
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == '}' {
		return trailing(line, i+1)
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return fmt.Errorf("expected a key at byte %d", i+1)
		}
		j, err := endString(line, i)
		if err != nil {
			return err
		}
		key := line[i:j]
		i = skipWS(line, j)
		if i >= len(line) || line[i] != ':' {
			return fmt.Errorf("expected ':' after key %s", key)
		}
		i = skipWS(line, i+1)
		vs, kind := i, vNull
		if i >= len(line) {
			return fmt.Errorf("missing value for key %s", key)
		}
		switch c := line[i]; {
		case c == '"':
			kind = vStr
			if i, err = endString(line, i); err != nil {
				return err
			}
		case c == '{' || c == '[':
			kind = vRaw
			if i, err = endNested(line, i); err != nil {
				return err
			}
		case c == '-' || (c >= '0' && c <= '9'):
			kind = vNum
			for i < len(line) && bytes.IndexByte([]byte("+-.eE0123456789"), line[i]) >= 0 {
				i++
			}
		case bytes.HasPrefix(line[i:], []byte("true")):
			kind, i = vTrue, i+4
		case bytes.HasPrefix(line[i:], []byte("false")):
			kind, i = vFalse, i+5
		case bytes.HasPrefix(line[i:], []byte("null")):
			kind, i = vNull, i+4
		default:
			return fmt.Errorf("bad value for key %s at byte %d", key, i+1)
		}
		if err := fn(key, line[vs:i], kind); err != nil {
			return err
		}
		i = skipWS(line, i)
		if i < len(line) && line[i] == ',' {
			i = skipWS(line, i+1)
			continue
		}
		if i < len(line) && line[i] == '}' {
			return trailing(line, i+1)
		}
		return fmt.Errorf("expected ',' or '}' at byte %d", i+1)
	}
}

func trailing(line []byte, i int) error {
	if skipWS(line, i) != len(line) {
		return fmt.Errorf("unexpected data after the object at byte %d", i+1)
	}
	return nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// endString returns the index after the closing quote of the string at i.
func endString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("unterminated string at byte %d", i+1)
}

// endNested returns the index after the object or array at i.
func endNested(b []byte, i int) (int, error) {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			e, err := endString(b, j)
			if err != nil {
				return 0, err
			}
			j = e - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				if !json.Valid(b[i : j+1]) {
					return 0, fmt.Errorf("malformed nested value at byte %d", i+1)
				}
				return j + 1, nil
			}
		}
	}
	return 0, fmt.Errorf("unterminated nested value at byte %d", i+1)
}

// unquote decodes a JSON string (quotes included): the bytes inside the
// quotes when there is no escape, else the decoded string in *buf.
func unquote(s []byte, buf *[]byte) ([]byte, error) {
	inner := s[1 : len(s)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner, nil
	}
	var out string
	if err := json.Unmarshal(s, &out); err != nil {
		return nil, err
	}
	*buf = append((*buf)[:0], out...)
	return *buf, nil
}

// parseTime is the one date/time parser of internal/datetime.
func parseTime(s []byte) (int64, bool) { return datetime.Parse(s, nil) }

func isInt(num []byte) bool { return bytes.IndexAny(num, ".eE") < 0 }

// Inference windows: with the default sample, the lines of inferWindows
// byte ranges of inferWindowSize spread evenly through a file are read
// after its head.
const (
	inferWindows    = 32
	inferWindowSize = 64 << 10
)

// Infer reads up to sampleRows lines of path (by default, 0, the first
// 1000 and those of the windows above; < 0: every line) and infers a
// schema (a malformed line of the head is an error, or with skipBad
// ignored): the keys in order of first appearance; integers give int64, other
// numbers float64, true/false bool, strings that all parse as dates or times
// timestamp, anything else (or a mix) string; a key seen only with null
// values float64.
func Infer(path string, sampleRows int, skipBad bool) (*Schema, error) {
	windows := sampleRows == 0
	if sampleRows == 0 {
		sampleRows = 1000
	}
	type seen struct{ ints, floats, strs, times, bools, raws int }
	var names []string
	obs := map[string]*seen{}
	var buf []byte
	errStop := errors.New("stop")
	rows := 0
	inWindow := false
	each := func(n int64, line []byte) error {
		if rows == sampleRows && !inWindow {
			return errStop
		}
		rows++
		// Observations of a line count only once it parsed whole.
		var keys [][]byte
		var kinds []int
		var times, kindInts []bool
		err := scanObject(line, func(key, val []byte, kind int) error {
			k, err := unquote(key, &buf)
			if err != nil {
				return fmt.Errorf("bad key %s: %w", key, err)
			}
			isTime := false
			if kind == vStr {
				s, err := unquote(val, &buf)
				if err != nil {
					return fmt.Errorf("key %s: %w", key, err)
				}
				_, isTime = parseTime(s)
			}
			keys, kinds, times = append(keys, append([]byte(nil), k...)), append(kinds, kind), append(times, isTime)
			kindInts = append(kindInts, kind == vNum && isInt(val))
			return nil
		})
		if err != nil {
			if skipBad || inWindow {
				return nil // a window's bad line is the read's to report, with its number
			}
			return wrapLine(path, n, err)
		}
		for i, k := range keys {
			kind := kinds[i]
			o := obs[string(k)]
			if o == nil {
				o = &seen{}
				obs[string(k)] = o
				names = append(names, string(k))
			}
			switch kind {
			case vNum:
				if kindInts[i] {
					o.ints++
				} else {
					o.floats++
				}
			case vStr:
				o.strs++
				if times[i] {
					o.times++
				}
			case vTrue, vFalse:
				o.bools++
			case vRaw:
				o.raws++
			}
		}
		return nil
	}
	err := lines(Range{Path: path, Start: 0, End: 1 << 62}, each)
	if err == errStop && windows {
		// By default, also the lines of windows spread through the file,
		// so that a key turning float or string past the head widens.
		err = nil
		inWindow = true
		if st, serr := os.Stat(path); serr == nil {
			for k := int64(1); k <= inferWindows && err == nil; k++ {
				off := st.Size() * k / (inferWindows + 1)
				err = lines(Range{Path: path, Start: off, End: off + inferWindowSize}, each)
			}
		}
	}
	if err != nil && err != errStop {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("jsonl: %s: no objects to infer a schema from", path)
	}
	s := &Schema{Names: names}
	for _, n := range names {
		o := obs[n]
		t := String
		switch {
		case o.ints+o.floats+o.strs+o.bools+o.raws == 0:
			t = Float64 // only nulls seen: float64, as pandas reads an all-null column
		case o.strs > 0 && o.times == o.strs && o.ints+o.floats+o.bools+o.raws == 0:
			t = Timestamp
		case o.strs+o.raws > 0:
		case o.bools > 0 && o.ints+o.floats == 0:
			t = Bool
		case o.bools > 0:
		case o.floats > 0:
			t = Float64
		case o.ints > 0:
			t = Int64
		}
		s.Types = append(s.Types, t)
		s.Inferred = append(s.Inferred, o.ints+o.floats+o.strs+o.bools+o.raws > 0)
	}
	return s, nil
}

// Merge adds the keys of o (another file's sample) that s lacks and widens
// the types of those both hold: a key only one of them saw a value of takes
// that one's type, others widen by csv.Widen.
func (s *Schema) Merge(o *Schema) {
	for j, n := range o.Names {
		i := -1
		for k, m := range s.Names {
			if m == n {
				i = k
				break
			}
		}
		seen := j < len(o.Inferred) && o.Inferred[j]
		switch {
		case i < 0:
			s.Names, s.Types, s.Inferred = append(s.Names, n), append(s.Types, o.Types[j]), append(s.Inferred, seen)
		case !seen:
		case i >= len(s.Inferred) || !s.Inferred[i]:
			s.Types[i] = o.Types[j]
			if i < len(s.Inferred) {
				s.Inferred[i] = true
			}
		default:
			s.Types[i] = csv.Widen(s.Types[i], o.Types[j])
		}
	}
}

func wrapLine(path string, n int64, err error) error {
	if err == nil {
		return nil
	}
	return &ParseError{Path: path, Line: n, Msg: err.Error()}
}

// Column is a parsed column: flat values and validity (nil: no nulls).
type Column struct {
	Type  Type
	I64   []int64 // Int64, Timestamp
	F64   []float64
	Bools []bool
	Offs  []int32 // String: n+1 offsets into Data
	Data  []byte
	Valid []bool
}

// Result is what ReadRange parsed: the wanted columns in the order asked,
// the number of rows, and the malformed lines skipped (with skipBad).
type Result struct {
	Cols    []*Column
	Rows    int
	Skipped int
	// Bad lists the first files.MaxBadRows skipped lines and why.
	Bad []files.BadRow
}

// cell is one parsed value of the current line, committed when the whole
// line parsed.
type cell struct {
	set bool
	i   int64
	f   float64
	b   bool
	s   []byte
}

// decodeCell parses the value val (of JSON kind) of key into c as type t.
func decodeCell(t Type, key, val []byte, kind int, c *cell, sbuf *[]byte, z *datetime.Zone) error {
	var err error
	switch t {
	case Int64:
		if kind != vNum || !isInt(val) {
			return fmt.Errorf("key %s: %s is not an int64", key, val)
		}
		if c.i, err = strconv.ParseInt(string(val), 10, 64); err != nil {
			return fmt.Errorf("key %s: %s is not an int64", key, val)
		}
	case Float64:
		if kind != vNum {
			return fmt.Errorf("key %s: %s is not a number", key, val)
		}
		if c.f, err = strconv.ParseFloat(string(val), 64); err != nil {
			return fmt.Errorf("key %s: %s is not a number", key, val)
		}
	case Bool:
		if kind != vTrue && kind != vFalse {
			return fmt.Errorf("key %s: %s is not a bool", key, val)
		}
		c.b = kind == vTrue
	case Timestamp:
		var ok bool
		if kind == vStr {
			var sv []byte
			if sv, err = unquote(val, sbuf); err == nil {
				var off bool
				c.i, off, ok = datetime.ParseOffset(sv, nil)
				if ok && !off && z != nil {
					var st datetime.ZoneStatus
					if c.i, st = z.Localize(c.i); st != datetime.ZoneOK {
						return fmt.Errorf("key %s: %s is %s in TimeZone %s: give it a UTC offset, or read it without TimeZone and localize it with TZLocalizeWith", key, val, st, z.Name)
					}
				}
			}
		}
		if !ok {
			return fmt.Errorf("key %s: %s is not a date or time", key, val)
		}
	default:
		if kind == vStr {
			if c.s, err = unquote(val, sbuf); err != nil {
				return fmt.Errorf("key %s: %w", key, err)
			}
		} else {
			c.s = val
		}
	}
	return nil
}

// ReadRange parses the lines that start in r, decoding the columns at the
// indices want of s. A malformed line (bad JSON, or a value that does not fit
// its column's type) is a *ParseError naming the file and line, or with
// skipBad is skipped and counted.
func ReadRange(r Range, s *Schema, want []int, skipBad bool) (*Result, error) {
	return ReadRangeContext(context.Background(), r, s, want, skipBad)
}

// ReadRangeContext is ReadRange that stops, returning ctx's error, soon after
// ctx is cancelled (it checks every 16384 lines).
func ReadRangeContext(ctx context.Context, r Range, s *Schema, want []int, skipBad bool) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	done := ctx.Done()
	slot := map[string]int{}
	res := &Result{Cols: make([]*Column, len(want))}
	for i, w := range want {
		slot[s.Names[w]] = i
		res.Cols[i] = &Column{Type: s.Types[w]}
		if s.Types[w] == String {
			res.Cols[i].Offs = []int32{0}
		}
	}
	cells := make([]cell, len(want))
	var zone *datetime.Zone
	if s.TimeZone != "" {
		var err error
		if zone, err = datetime.LoadZone(s.TimeZone); err != nil {
			return nil, fmt.Errorf("jsonl: TimeZone: %w", err)
		}
	}
	var kbuf, sbuf []byte
	var scratch cell
	types := map[string]Type{}
	if skipBad {
		for i, n := range s.Names {
			types[n] = s.Types[i]
		}
	}
	sbufs := make([][]byte, len(want))
	var base int64 = -1
	err := lines(r, func(n int64, line []byte) error {
		if done != nil && n%(1<<14) == 0 {
			select {
			case <-done:
				return ctx.Err()
			default:
			}
		}
		for i := range cells {
			cells[i].set = false
		}
		err := scanObject(line, func(key, val []byte, kind int) error {
			k, err := unquote(key, &kbuf)
			if err != nil {
				return fmt.Errorf("bad key %s: %w", key, err)
			}
			j, ok := slot[string(k)]
			if !ok && skipBad && kind != vNull {
				// A column not read is still checked, so that the rows
				// skipped do not depend on the columns a query reads.
				if t, known := types[string(k)]; known {
					return decodeCell(t, key, val, kind, &scratch, &sbuf, zone)
				}
			}
			if !ok || kind == vNull {
				if ok {
					cells[j].set = false
				}
				return nil
			}
			c := &cells[j]
			c.set = true
			return decodeCell(res.Cols[j].Type, key, val, kind, c, &sbufs[j], zone)
		})
		if err != nil {
			if !skipBad {
				if base < 0 {
					base = files.LinesBefore(r.Path, r.Start)
				}
				return &ParseError{Path: r.Path, Line: base + n, Msg: err.Error()}
			}
			res.Skipped++
			if len(res.Bad) < files.MaxBadRows {
				if base < 0 {
					base = files.LinesBefore(r.Path, r.Start)
				}
				res.Bad = append(res.Bad, files.BadRow{Line: base + n, Msg: err.Error()})
			}
			return nil
		}
		for j, c := range res.Cols {
			cl := &cells[j]
			if !cl.set {
				if c.Valid == nil {
					c.Valid = make([]bool, res.Rows, res.Rows+1024)
					for i := range c.Valid {
						c.Valid[i] = true
					}
				}
				c.Valid = append(c.Valid, false)
			} else if c.Valid != nil {
				c.Valid = append(c.Valid, true)
			}
			switch c.Type {
			case Int64, Timestamp:
				c.I64 = append(c.I64, cl.i)
			case Float64:
				c.F64 = append(c.F64, cl.f)
			case Bool:
				c.Bools = append(c.Bools, cl.b)
			default:
				if cl.set {
					c.Data = append(c.Data, cl.s...)
				}
				c.Offs = append(c.Offs, int32(len(c.Data)))
			}
		}
		res.Rows++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
