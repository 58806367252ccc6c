package frame

import (
	"fmt"
	"github.com/godask/godask/internal/arrowdict"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// Table is a computed frame. It prints like a pandas DataFrame. Typed
// accessors (Int64s, Float64s, Strings, Times, Bools), Get, Rows, ToStructs
// and Scalar get its values into Go.
//
// A large result (a million rows or more, from several partitions) keeps
// its partitions' records as chunks instead of copying them into one:
// Records returns them, and the typed accessors, Value, Slice and printing
// read them in place. Record and Column concatenate the chunks, once, the
// first time they are called.
type Table struct {
	rec   arrow.Record   // the one record; nil while a chunked table's chunks are not yet joined
	parts []arrow.Record // a chunked table's records (non-empty, one schema), in row order
	n     int            // a chunked table's rows
	join  *joinOnce      // joins parts into one record on first use
	start int            // the position of the first row, printed as the index (Slice, Tail)
}

type joinOnce struct {
	once sync.Once
	rec  arrow.Record
}

// NewTable wraps a record as a Table.
func NewTable(r arrow.Record) *Table { return &Table{rec: r} }

// chunkedTable returns the table of recs, records of one schema in row
// order: their chunks as they are when that is worth it and they can be
// joined later without error, else one record joined now.
func chunkedTable(schema *arrow.Schema, recs []arrow.Record) (*Table, error) {
	var nonEmpty []arrow.Record
	n := 0
	for _, r := range recs {
		if r != nil && r.NumRows() > 0 {
			nonEmpty = append(nonEmpty, r)
			n += int(r.NumRows())
		}
	}
	if len(nonEmpty) > 1 && n >= parConcatMin && chunksConcatenate(nonEmpty) {
		return &Table{parts: nonEmpty, n: n, join: &joinOnce{}}, nil
	}
	r, err := concatRecords(schema, recs)
	if err != nil {
		return nil, err
	}
	return NewTable(r), nil
}

// chunksConcatenate reports whether recs, of one schema, join into one
// record without error: only flat column types, and string and binary data
// that fits 32-bit offsets.
func chunksConcatenate(recs []arrow.Record) bool {
	s := recs[0].Schema()
	for _, r := range recs[1:] {
		if !r.Schema().Equal(s) {
			return false
		}
	}
	for j, f := range s.Fields() {
		switch f.Type.ID() {
		case arrow.STRING, arrow.BINARY:
			var bytes int64
			for _, r := range recs {
				switch x := r.Column(j).(type) {
				case *array.String:
					bytes += int64(x.ValueOffset(x.Len()) - x.ValueOffset(0))
				case *array.Binary:
					bytes += int64(x.ValueOffset(x.Len()) - x.ValueOffset(0))
				default:
					return false
				}
			}
			if bytes >= math.MaxInt32 {
				return false
			}
		case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
			arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
			arrow.FLOAT32, arrow.FLOAT64, arrow.DATE32, arrow.DATE64,
			arrow.TIMESTAMP, arrow.DURATION, arrow.TIME32, arrow.TIME64, arrow.NULL:
		default:
			return false
		}
	}
	return true
}

// record returns the table as one record, joining a chunked table's chunks
// the first time.
func (t *Table) record() arrow.Record {
	if t.parts == nil {
		return t.rec
	}
	t.join.once.Do(func() {
		r, err := concatRecords(t.parts[0].Schema(), t.parts)
		if err != nil { // chunksConcatenate admitted only what joins
			panic(fmt.Sprintf("frame: Table: joining %d chunks: %v", len(t.parts), err))
		}
		t.join.rec = r
	})
	return t.join.rec
}

// chunks returns the table's records in row order: its chunks, or its one
// record.
func (t *Table) chunks() []arrow.Record {
	if t.parts != nil {
		return t.parts
	}
	return []arrow.Record{t.rec}
}

// Record returns the table's rows as one Arrow record (a chunked table's
// chunks are joined on the first call; Records does not copy).
func (t *Table) Record() arrow.Record { return t.record() }

// Records returns the table's rows as Arrow records of one schema, in row
// order, without copying: a chunked table's chunks, or its one record.
func (t *Table) Records() []arrow.Record { return append([]arrow.Record(nil), t.chunks()...) }

// Schema returns the table's Arrow schema.
func (t *Table) Schema() *arrow.Schema { return t.chunks()[0].Schema() }

// NumRows returns the number of rows.
func (t *Table) NumRows() int {
	if t.parts != nil {
		return t.n
	}
	return int(t.rec.NumRows())
}

// Columns returns the column names.
func (t *Table) Columns() []string {
	var out []string
	for _, f := range t.Schema().Fields() {
		out = append(out, f.Name)
	}
	return out
}

// Column returns the named column, or nil when there is none (Col returns
// an error instead).
func (t *Table) Column(name string) arrow.Array {
	idx := t.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil
	}
	return t.record().Column(idx[0])
}

// colChunks returns the named column's arrays, one per chunk, in row order.
func (t *Table) colChunks(what, name string) ([]arrow.Array, error) {
	idx := t.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return nil, fmt.Errorf("frame: Table.%s: unknown column %q; the columns are %s", what, name, schemaCols(t.Schema()))
	}
	var out []arrow.Array
	for _, r := range t.chunks() {
		out = append(out, r.Column(idx[0]))
	}
	return out, nil
}

// typedCols returns the named column's chunks as cols of kind k, or an
// error naming the column's type.
func (t *Table) typedCols(what, name string, k kind) ([]col, error) {
	as, err := t.colChunks(what, name)
	if err != nil {
		return nil, err
	}
	cs := make([]col, len(as))
	for i, a := range as {
		cs[i] = colOf(a)
		if cs[i].k != k {
			return nil, fmt.Errorf("frame: Table.%s: column %q is %s, not %s", what, name, a.DataType(), k.dtype())
		}
	}
	return cs, nil
}

// Float64s returns a numeric column as float64s (NaN for nulls).
func (t *Table) Float64s(name string) ([]float64, error) {
	as, err := t.colChunks("Float64s", name)
	if err != nil {
		return nil, err
	}
	out := make([]float64, 0, t.NumRows())
	for _, a := range as {
		c := colOf(a)
		if !c.k.numeric() && !c.k.intLike() {
			return nil, fmt.Errorf("frame: Table.Float64s: column %q is %s", name, a.DataType())
		}
		if c.k == kFloat && c.valid == nil {
			out = append(out, c.f64...)
			continue
		}
		for i := 0; i < c.n; i++ {
			if c.null(i) {
				out = append(out, nan)
			} else {
				out = append(out, c.float(i))
			}
		}
	}
	return out, nil
}

// Strings returns a string column's values ("" for nulls; Valid tells
// which). Another type is an error (Format prints any column).
func (t *Table) Strings(name string) ([]string, error) {
	cs, err := t.typedCols("Strings", name, kStr)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, t.NumRows())
	for _, c := range cs {
		for i := 0; i < c.n; i++ {
			s := ""
			if !c.null(i) {
				s = string(c.str(i))
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// at returns the chunk holding row and the row's position in it.
func (t *Table) at(row int) (arrow.Record, int) {
	if t.parts == nil {
		return t.rec, row
	}
	for _, r := range t.parts {
		if row < int(r.NumRows()) {
			return r, row
		}
		row -= int(r.NumRows())
	}
	return nil, 0
}

// Value returns the cell at (row, column name) as a Go value: int64,
// float64, string, bool, time.Time or nil for null. An unknown column or a
// row out of range also gives nil; Get returns an error for them.
func (t *Table) Value(row int, name string) any {
	idx := t.Schema().FieldIndices(name)
	if len(idx) == 0 || row < 0 || row >= t.NumRows() {
		return nil
	}
	r, row := t.at(row)
	a := r.Column(idx[0])
	if x, ok := a.(*array.Dictionary); ok && isCategorical(a.DataType()) {
		if x.IsNull(row) {
			return nil
		}
		return arrowdict.Of(x).(*array.String).Value(x.GetValueIndex(row)) // categorical.go
	}
	c := colOf(a)
	if c.null(row) {
		return nil
	}
	switch c.k {
	case kInt:
		return c.i64[row]
	case kFloat:
		return c.f64[row]
	case kStr:
		return string(c.str(row))
	case kBool:
		return c.boolAt(row)
	case kTime:
		return c.timeAt(row)
	case kDate:
		return dateTime(c.i64[row])
	case kDur:
		return time.Duration(c.i64[row]) * time.Microsecond
	}
	return nil
}

// Frame returns the table as a Frame: one partition, or one per chunk.
func (t *Table) Frame() *Frame { return FromRecords(t.chunks()...) }

func cell(c *col, i int) string {
	if c.null(i) {
		if c.k == kFloat {
			return "NaN"
		}
		return "<NA>"
	}
	switch c.k {
	case kInt:
		return strconv.FormatInt(c.i64[i], 10)
	case kFloat:
		return formatFloat(c.f64[i])
	case kStr:
		return string(c.str(i))
	case kBool:
		if c.boolAt(i) {
			return "True"
		}
		return "False"
	case kTime:
		if c.loc != nil {
			return zonedCell(c, i)
		}
		t := time.UnixMicro(c.i64[i]).UTC()
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
			return t.Format("2006-01-02")
		}
		return t.Format("2006-01-02 15:04:05")
	case kDate:
		return string(appendDate(nil, c.i64[i]))
	case kDur:
		return string(appendDuration(nil, c.i64[i]))
	}
	return "?"
}

func formatFloat(f float64) string {
	if f == float64(int64(f)) && f < 1e15 && f > -1e15 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	a := f
	if a < 0 {
		a = -a
	}
	if a >= 1e-4 && a < 1e15 {
		return strconv.FormatFloat(f, 'f', 6, 64)
	}
	return strconv.FormatFloat(f, 'e', 6, 64)
}

// floatDecimals is the number of decimals (1 to 6) a float column is printed
// with: the fewest that lose nothing against 6 decimals on the printed rows.
func floatDecimals(c *col, rows []int) int {
	d := 1
	for _, i := range rows {
		if i < 0 || c.null(i) {
			continue
		}
		f := c.f64[i]
		full := strconv.FormatFloat(f, 'f', 6, 64)
		for d < 6 && strconv.FormatFloat(f, 'f', d, 64)+strings.Repeat("0", 6-d) != full {
			d++
		}
	}
	return d
}

// formatFloatDec formats f with d decimals, or in e-notation when it is too
// large or too small for fixed notation.
func formatFloatDec(f float64, d int) string {
	a := math.Abs(f)
	if math.IsNaN(f) || math.IsInf(f, 0) || (a != 0 && a < 1e-4) || a >= 1e15 {
		return formatFloat(f)
	}
	return strconv.FormatFloat(f, 'f', d, 64)
}

// normalize converts a record to the frame dtypes: narrower ints and floats
// widen, dictionaries and large strings decode to strings, dates and other
// timestamp units become timestamp[us].
func normalize(r arrow.Record) (arrow.Record, error) {
	changed := false
	fields := make([]arrow.Field, r.NumCols())
	cols := make([]arrow.Array, r.NumCols())
	for i, a := range r.Columns() {
		f := r.Schema().Field(i)
		if kindOf(a.DataType()) != kInvalid && (a.DataType().ID() != arrow.TIMESTAMP || a.DataType().(*arrow.TimestampType).Unit == arrow.Microsecond && a.DataType().(*arrow.TimestampType).TimeZone == "") &&
			(a.DataType().ID() != arrow.DURATION || a.DataType().(*arrow.DurationType).Unit == arrow.Microsecond) {
			fields[i], cols[i] = f, a
			continue
		}
		na, err := normalizeArray(a)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", f.Name, err)
		}
		changed = true
		cols[i] = na
		fields[i] = arrow.Field{Name: f.Name, Type: na.DataType(), Nullable: true}
	}
	if !changed {
		return r, nil
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, r.NumRows()), nil
}

// NormalizeType is the frame dtype a column of type t is read as, or an
// error if frame cannot hold it.
func NormalizeType(t arrow.DataType) (arrow.DataType, error) {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return Int64, nil
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		return Float64, nil
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		return String, nil
	case arrow.BOOL:
		return Bool, nil
	case arrow.TIMESTAMP:
		return Timestamp, nil
	case arrow.DATE32, arrow.DATE64:
		return Date32, nil
	case arrow.DURATION:
		return Duration, nil
	case arrow.DICTIONARY:
		return NormalizeType(t.(*arrow.DictionaryType).ValueType)
	case arrow.NULL:
		return Float64, nil
	case arrow.LIST:
		if t.(*arrow.ListType).Elem().ID() == arrow.STRING {
			return ListString, nil // list.go
		}
	}
	return nil, fmt.Errorf("unsupported column type %s", t)
}

func validBools(a arrow.Array) []bool {
	if a.NullN() == 0 {
		return nil
	}
	v := make([]bool, a.Len())
	for i := range v {
		v[i] = a.IsValid(i)
	}
	return v
}

func normalizeArray(a arrow.Array) (arrow.Array, error) {
	if l, ok := a.(*array.List); ok && l.ListValues().DataType().ID() == arrow.STRING {
		return normalizeList(l), nil // list.go
	}
	n := a.Len()
	valid := validBools(a)
	switch x := a.(type) {
	case *array.Int8, *array.Int16, *array.Int32, *array.Uint8, *array.Uint16, *array.Uint32, *array.Uint64:
		out := make([]int64, n)
		for i := range out {
			switch y := x.(type) {
			case *array.Int8:
				out[i] = int64(y.Value(i))
			case *array.Int16:
				out[i] = int64(y.Value(i))
			case *array.Int32:
				out[i] = int64(y.Value(i))
			case *array.Uint8:
				out[i] = int64(y.Value(i))
			case *array.Uint16:
				out[i] = int64(y.Value(i))
			case *array.Uint32:
				out[i] = int64(y.Value(i))
			case *array.Uint64:
				v := y.Value(i)
				if v > math.MaxInt64 && y.IsValid(i) {
					return nil, fmt.Errorf("uint64 value %d at row %d does not fit the int64 column it is read as (uint64 columns are read as int64; values above 2^63-1 are refused, not wrapped)", v, i)
				}
				out[i] = int64(v)
			}
		}
		return int64Array(out, valid), nil
	case *array.Float32:
		out := make([]float64, n)
		for i := range out {
			out[i] = float64(x.Value(i))
		}
		return float64Array(out, valid), nil
	case *array.Float16:
		out := make([]float64, n)
		for i := range out {
			out[i] = float64(x.Value(i).Float32())
		}
		return float64Array(out, valid), nil
	case *array.Null:
		return float64Array(make([]float64, n), make([]bool, n)), nil
	case *array.LargeString, *array.Binary, *array.LargeBinary:
		sb := newStrBuilder(n)
		for i := 0; i < n; i++ {
			if a.IsNull(i) {
				sb.addNull()
				continue
			}
			switch y := x.(type) {
			case *array.LargeString:
				sb.add([]byte(y.Value(i)))
			case *array.Binary:
				sb.add(y.Value(i))
			case *array.LargeBinary:
				sb.add(y.Value(i))
			}
		}
		return sb.array(), nil
	case *array.Dictionary:
		dict, err := normalizeArray(arrowdict.Of(x))
		if err != nil {
			return nil, err
		}
		if kindOf(arrowdict.Of(x).DataType()) != kInvalid {
			dict = arrowdict.Of(x)
		}
		idx := make([]int32, n)
		for i := range idx {
			if x.IsNull(i) {
				idx[i] = -1
			} else {
				idx[i] = int32(x.GetValueIndex(i))
			}
		}
		return takeCol(dict, idx), nil
	case *array.Date64:
		out := make([]int64, n)
		for i := range out {
			out[i] = floorDiv(int64(x.Value(i)), 86400e3)
		}
		return dateArray(out, valid), nil
	case *array.Duration:
		unit := x.DataType().(*arrow.DurationType).Unit
		out := make([]int64, n)
		for i := range out {
			out[i] = toMicros(int64(x.Value(i)), unit)
		}
		return intsArray(kDur, out, valid), nil
	case *array.Timestamp:
		unit := x.DataType().(*arrow.TimestampType).Unit
		out := make([]int64, n)
		for i := range out {
			out[i] = toMicros(int64(x.Value(i)), unit)
		}
		return timeArray(out, valid), nil
	}
	_ = memory.DefaultAllocator
	return nil, fmt.Errorf("unsupported column type %s", a.DataType())
}

var nan = func() float64 { var z float64; return z / z }()
