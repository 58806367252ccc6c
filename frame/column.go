package frame

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/bitutil"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/frame/internal/listkern"
)

// The dtypes a frame column may have. Readers normalize what they read to
// these (int32 widens to int64, float32 to float64, dictionaries decode to
// strings, date64 and other timestamp units become date32 and timestamp[us]).
// A Date is days since 1970-01-01 (Arrow date32, SQL DATE); a Duration is a
// signed length of time in microseconds (Arrow duration[us], the difference
// of two timestamps).
var (
	Int64     arrow.DataType = arrow.PrimitiveTypes.Int64
	Float64   arrow.DataType = arrow.PrimitiveTypes.Float64
	String    arrow.DataType = arrow.BinaryTypes.String
	Bool      arrow.DataType = arrow.FixedWidthTypes.Boolean
	Timestamp arrow.DataType = &arrow.TimestampType{Unit: arrow.Microsecond}
	Date32    arrow.DataType = arrow.FixedWidthTypes.Date32
	Duration  arrow.DataType = &arrow.DurationType{Unit: arrow.Microsecond}
)

type kind uint8

const (
	kInvalid kind = iota
	kInt
	kFloat
	kStr
	kBool
	kTime
	kDate // days since the epoch, held as int64 in col and val
	kDur  // microseconds
)

func kindOf(t arrow.DataType) kind {
	switch t.ID() {
	case arrow.INT64:
		return kInt
	case arrow.FLOAT64:
		return kFloat
	case arrow.STRING:
		return kStr
	case arrow.BOOL:
		return kBool
	case arrow.TIMESTAMP:
		return kTime
	case arrow.DATE32:
		return kDate
	case arrow.DURATION:
		return kDur
	case arrow.DICTIONARY:
		if isCategorical(t) {
			return kStr // categorical.go: read as its strings
		}
	}
	return kInvalid
}

func (k kind) dtype() arrow.DataType {
	switch k {
	case kInt:
		return Int64
	case kFloat:
		return Float64
	case kStr:
		return String
	case kBool:
		return Bool
	case kTime:
		return Timestamp
	case kDate:
		return Date32
	case kDur:
		return Duration
	}
	return arrow.Null
}

func (k kind) numeric() bool { return k == kInt || k == kFloat || k == kBool }

// intLike is true for the kinds whose values col and val hold as int64s.
func (k kind) intLike() bool { return k == kInt || k == kTime || k == kDate || k == kDur }

// intsArray wraps vals (not copied, except dates, which narrow to int32) as
// an array of the int-like kind k.
func intsArray(k kind, vals []int64, valid []bool) arrow.Array {
	switch k {
	case kTime:
		return timeArray(vals, valid)
	case kDate:
		return dateArray(vals, valid)
	case kDur:
		vb, nulls := validityBuf(valid)
		d := array.NewData(Duration, len(vals), []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(vals))}, nil, nulls, 0)
		return array.MakeFromData(d)
	}
	return int64Array(vals, valid)
}

// dateArray narrows days since the epoch to a date32 array. Values must fit
// int32 (the date kernels check).
func dateArray(days []int64, valid []bool) arrow.Array {
	vb, nulls := validityBuf(valid)
	d32 := make([]int32, len(days))
	for i, v := range days {
		d32[i] = int32(v)
	}
	d := array.NewData(Date32, len(days), []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(d32))}, nil, nulls, 0)
	return array.MakeFromData(d)
}

// col is a flat view of an Arrow array for kernels: typed slices over the
// array's own buffers, no copy, no boxing.
type col struct {
	k     kind
	n     int
	i64   []int64   // kInt, kTime, kDur; kDate widened from int32
	f64   []float64 // kFloat
	bits  []byte    // kBool values
	boff  int
	offs  []int32 // kStr: n+1 absolute offsets into data
	data  []byte
	valid []byte // validity bitmap, nil when no nulls
	voff  int
	loc   *time.Location // a zoned kTime's zone (tz_type.go); nil: naive, UTC
}

func colOf(a arrow.Array) col {
	d := a.Data()
	c := col{k: kindOf(a.DataType()), n: a.Len()}
	if a.NullN() > 0 {
		c.valid = d.Buffers()[0].Bytes()
		c.voff = d.Offset()
	}
	switch x := a.(type) {
	case *array.Int64:
		c.i64 = x.Int64Values()
	case *array.Timestamp:
		vs := x.TimestampValues()
		c.i64 = unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(vs))), len(vs))
		c.loc = zoneLoc(x.DataType())
	case *array.Duration:
		vs := x.DurationValues()
		c.i64 = unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(vs))), len(vs))
	case *array.Date32:
		vs := x.Date32Values()
		c.i64 = make([]int64, len(vs))
		for i, v := range vs {
			c.i64[i] = int64(v)
		}
	case *array.Float64:
		c.f64 = x.Float64Values()
	case *array.Boolean:
		// An empty array may come back from a codec with no value buffer.
		if b := d.Buffers()[1]; b != nil {
			c.bits = b.Bytes()
		}
		c.boff = d.Offset()
	case *array.String:
		c.offs = x.ValueOffsets()
		if b := d.Buffers()[2]; b != nil {
			c.data = b.Bytes()
		}
	case *array.Dictionary:
		if c.k == kStr {
			c.offs, c.data = decodeCategorical(x) // categorical.go
		}
	}
	return c
}

func (c *col) null(i int) bool {
	return c.valid != nil && !bitutil.BitIsSet(c.valid, c.voff+i)
}

func (c *col) str(i int) []byte { return c.data[c.offs[i]:c.offs[i+1]] }

func (c *col) boolAt(i int) bool { return bitutil.BitIsSet(c.bits, c.boff+i) }

// float returns the value as float64 for numeric kinds.
func (c *col) float(i int) float64 {
	switch c.k {
	case kFloat:
		return c.f64[i]
	case kInt, kTime, kDate, kDur:
		return float64(c.i64[i])
	case kBool:
		if c.boolAt(i) {
			return 1
		}
	}
	return 0
}

func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var z T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(z)))
}

func validityBuf(valid []bool) (*memory.Buffer, int) {
	if valid == nil {
		return nil, 0
	}
	nulls := 0
	bm := make([]byte, bitutil.BytesForBits(int64(len(valid))))
	// Eight bools (bytes of 0 or 1) at a time: the multiply gathers byte
	// i's low bit into bit i of the top byte.
	raw := bytesOf(valid)
	full := len(raw) &^ 7
	for i := 0; i < full; i += 8 {
		b := byte((binary.LittleEndian.Uint64(raw[i:i+8]) * 0x0102040810204080) >> 56)
		bm[i>>3] = b
		nulls += 8 - bits.OnesCount8(b)
	}
	for i := full; i < len(valid); i++ {
		if valid[i] {
			bitutil.SetBit(bm, i)
		} else {
			nulls++
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	return memory.NewBufferBytes(bm), nulls
}

// int64Array wraps vals (not copied) as an Int64 array; valid nil = no nulls.
func int64Array(vals []int64, valid []bool) arrow.Array {
	vb, nulls := validityBuf(valid)
	d := array.NewData(Int64, len(vals), []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(vals))}, nil, nulls, 0)
	return array.MakeFromData(d)
}

func timeArray(vals []int64, valid []bool) arrow.Array {
	vb, nulls := validityBuf(valid)
	d := array.NewData(Timestamp, len(vals), []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(vals))}, nil, nulls, 0)
	return array.MakeFromData(d)
}

func float64Array(vals []float64, valid []bool) arrow.Array {
	vb, nulls := validityBuf(valid)
	d := array.NewData(Float64, len(vals), []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(vals))}, nil, nulls, 0)
	return array.MakeFromData(d)
}

func boolArray(vals []bool, valid []bool) arrow.Array {
	vb, nulls := validityBuf(valid)
	bm := make([]byte, bitutil.BytesForBits(int64(len(vals))))
	for i, v := range vals {
		if v {
			bitutil.SetBit(bm, i)
		}
	}
	d := array.NewData(Bool, len(vals), []*memory.Buffer{vb, memory.NewBufferBytes(bm)}, nil, nulls, 0)
	return array.MakeFromData(d)
}

// strArray wraps offsets (len n+1) and data as a String array.
func strArray(offs []int32, data []byte, valid []bool) arrow.Array {
	vb, nulls := validityBuf(valid)
	n := len(offs) - 1
	d := array.NewData(String, n, []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(offs)), memory.NewBufferBytes(data)}, nil, nulls, 0)
	return array.MakeFromData(d)
}

// strBuilder appends strings into flat offsets+data.
type strBuilder struct {
	offs  []int32
	data  []byte
	valid []bool
}

func newStrBuilder(n int) *strBuilder {
	b := &strBuilder{offs: make([]int32, 1, n+1)}
	return b
}

func (b *strBuilder) add(s []byte) {
	b.data = append(b.data, s...)
	b.offs = append(b.offs, int32(len(b.data)))
	if b.valid != nil {
		b.valid = append(b.valid, true)
	}
}

func (b *strBuilder) addNull() {
	if b.valid == nil {
		b.valid = make([]bool, len(b.offs)-1, cap(b.offs))
		for i := range b.valid {
			b.valid[i] = true
		}
	}
	b.offs = append(b.offs, int32(len(b.data)))
	b.valid = append(b.valid, false)
}

func (b *strBuilder) array() arrow.Array { return strArray(b.offs, b.data, b.valid) }

// takeCol gathers rows idx of a (idx < 0 gives a null).
func takeCol(a arrow.Array, idx []int32) arrow.Array {
	if d, ok := a.(*array.Date32); ok {
		return takeDate32(d, idx)
	}
	if d, ok := a.(*array.Dictionary); ok && isCategorical(d.DataType()) {
		return takeCategorical(d, idx) // categorical.go
	}
	if isFloatList(a.DataType()) {
		if l, err := gatherFloatLists([]arrow.Record{array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "l", Type: a.DataType(), Nullable: true}}, nil), []arrow.Array{a}, int64(a.Len()))}, 0, [][]int32{idx}); err == nil {
			return l // stats_qgroup.go
		}
	}
	c := colOf(a)
	var valid []bool
	hasNull := c.valid != nil
	for _, i := range idx {
		if i < 0 {
			hasNull = true
			break
		}
	}
	if hasNull {
		valid = make([]bool, len(idx))
		for j, i := range idx {
			valid[j] = i >= 0 && !c.null(int(i))
		}
	}
	switch c.k {
	case kInt, kTime, kDate, kDur:
		out := make([]int64, len(idx))
		for j, i := range idx {
			if i >= 0 {
				out[j] = c.i64[i]
			}
		}
		return intsArray(c.k, out, valid)
	case kFloat:
		out := make([]float64, len(idx))
		for j, i := range idx {
			if i >= 0 {
				out[j] = c.f64[i]
			}
		}
		return float64Array(out, valid)
	case kBool:
		out := make([]bool, len(idx))
		for j, i := range idx {
			if i >= 0 {
				out[j] = c.boolAt(int(i))
			}
		}
		return boolArray(out, valid)
	case kStr:
		offs := make([]int32, len(idx)+1)
		total := 0
		for _, i := range idx {
			if i >= 0 {
				total += int(c.offs[i+1] - c.offs[i])
			}
		}
		data := make([]byte, 0, total)
		for j, i := range idx {
			if i >= 0 {
				data = append(data, c.data[c.offs[i]:c.offs[i+1]]...)
			}
			offs[j+1] = int32(len(data))
		}
		return strArray(offs, data, valid)
	}
	// Types without a kernel here (list columns): Arrow slices.
	out, err := listkern.Take(a, idx)
	if err != nil {
		panic(fmt.Sprintf("frame: take on type %s: %v", a.DataType(), err))
	}
	return out
}

// takeRecord gathers rows idx of every column of r.
func takeRecord(r arrow.Record, idx []int32) arrow.Record {
	cols := make([]arrow.Array, r.NumCols())
	for i := range cols {
		cols[i] = takeCol(r.Column(i), idx)
	}
	return array.NewRecord(r.Schema(), cols, int64(len(idx)))
}

// filterRecord keeps the rows where mask is true.
func filterRecord(r arrow.Record, mask []bool) arrow.Record {
	idx := make([]int32, 0, len(mask)/2)
	for i, m := range mask {
		if m {
			idx = append(idx, int32(i))
		}
	}
	if len(idx) == len(mask) {
		return r
	}
	spans := keptSpans(mask, len(idx))
	if spans == nil {
		return takeRecord(r, idx)
	}
	cols := make([]arrow.Array, r.NumCols())
	for i := range cols {
		a, ok := spanCol(r.Column(i), spans, len(idx))
		if !ok {
			a = takeCol(r.Column(i), idx)
		}
		cols[i] = a
	}
	return array.NewRecord(r.Schema(), cols, int64(len(idx)))
}

// concatRecords concatenates records of one schema.
func concatRecords(schema *arrow.Schema, recs []arrow.Record) (arrow.Record, error) {
	var nonEmpty []arrow.Record
	for _, r := range recs {
		if r != nil && r.NumRows() > 0 {
			nonEmpty = append(nonEmpty, r)
		}
	}
	switch len(nonEmpty) {
	case 0:
		return emptyRecord(schema), nil
	case 1:
		return nonEmpty[0], nil
	}
	cols := make([]arrow.Array, schema.NumFields())
	var n int64
	for _, r := range nonEmpty {
		n += r.NumRows()
	}
	errs := make([]error, len(cols))
	one := func(i int) {
		parts := make([]arrow.Array, len(nonEmpty))
		for j, r := range nonEmpty {
			parts[j] = r.Column(i)
		}
		if a, ok := concatFixed(parts, int(n)); ok { // concat_par.go
			cols[i] = a
			return
		}
		a, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			errs[i] = fmt.Errorf("frame: concatenate column %q: %w", schema.Field(i).Name, err)
		}
		cols[i] = a
	}
	// Large results (a groupby of many groups, a sort) are copied column by
	// column on every core.
	workers := runtime.GOMAXPROCS(0)
	if n < 1<<20 || workers < 2 || len(cols) < 2 {
		workers = 1
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(cols); i = int(next.Add(1) - 1) {
				one(i)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return array.NewRecord(schema, cols, n), nil
}

// settled returns r after computing every column's null count. A slice of an
// array with a validity bitmap counts its nulls lazily on first use, which
// writes to the array: a record that several tasks may read at once (a
// broadcast join side, a persisted partition) must be settled first.
func settled(r arrow.Record) arrow.Record {
	for _, c := range r.Columns() {
		c.NullN()
	}
	return r
}

func emptyRecord(schema *arrow.Schema) arrow.Record {
	cols := make([]arrow.Array, schema.NumFields())
	for i, f := range schema.Fields() {
		cols[i] = array.MakeArrayOfNull(memory.DefaultAllocator, f.Type, 0)
	}
	return array.NewRecord(schema, cols, 0)
}

func recordSize(r arrow.Record) int64 {
	if r == nil {
		return 0
	}
	var n int64
	for _, c := range r.Columns() {
		for _, b := range c.Data().Buffers() {
			if b != nil {
				n += int64(b.Len())
			}
		}
	}
	return n + 64
}
