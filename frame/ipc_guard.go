package frame

// Guards for decoding Arrow IPC bytes that came from disk or the network
// (spilled partitions, values from a remote worker). Arrow's IPC reader
// trusts the lengths in its input: a message header's metadata length and
// body length, and each buffer's length in a record batch, are allocated
// before the bytes behind them are read, so a few corrupt bytes could ask
// for gigabytes and kill the process. checkIPCStream walks the stream's
// framing and refuses any length beyond the bytes that remain; the
// allocator bounds what the reader may allocate in all; checkRecord
// refuses arrays whose lengths their buffers cannot back.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// errIPCAlloc is the panic value of boundedAlloc past its budget; the IPC
// reader recovers it into an error.
var errIPCAlloc = errors.New("the stream asks for more memory than its size can back")

// boundedAlloc is an allocator that refuses, by panicking with errIPCAlloc,
// allocations past a budget in total.
type boundedAlloc struct {
	left atomic.Int64
}

func newBoundedAlloc(budget int64) *boundedAlloc {
	a := &boundedAlloc{}
	a.left.Store(budget)
	return a
}

func (a *boundedAlloc) take(n int) {
	if n < 0 || a.left.Add(-int64(n)) < 0 {
		panic(errIPCAlloc)
	}
}

// Allocate implements memory.Allocator.
func (a *boundedAlloc) Allocate(n int) []byte {
	a.take(n)
	return memory.DefaultAllocator.Allocate(n)
}

// Reallocate implements memory.Allocator.
func (a *boundedAlloc) Reallocate(n int, b []byte) []byte {
	a.take(n - len(b))
	return memory.DefaultAllocator.Reallocate(n, b)
}

// Free implements memory.Allocator.
func (a *boundedAlloc) Free(b []byte) { memory.DefaultAllocator.Free(b) }

// ipcBudget is what decoding an IPC stream of n bytes may allocate: the
// uncompressed streams frame writes need n; room is left for the padding
// of buffers and for compressed streams that decompress to a few times
// their size.
func ipcBudget(n int) int64 { return 4*int64(n) + 1<<20 }

// checkIPCStream walks the messages of an IPC stream and reports an error
// for a metadata or body length beyond the bytes that remain, or metadata
// that is not a flatbuffer Message. A stream that ends early is left to
// the reader (it reports the truncation).
func checkIPCStream(p []byte) error {
	pos := 0
	for msg := 0; ; msg++ {
		if len(p)-pos < 4 {
			return nil
		}
		cid := binary.LittleEndian.Uint32(p[pos:])
		pos += 4
		var n int64
		switch cid {
		case 0:
			return nil
		case 0xFFFFFFFF:
			if len(p)-pos < 4 {
				return nil
			}
			n = int64(int32(binary.LittleEndian.Uint32(p[pos:])))
			pos += 4
			if n == 0 {
				return nil
			}
		default:
			n = int64(int32(cid))
		}
		rest := int64(len(p) - pos)
		if n < 0 || n > rest {
			return fmt.Errorf("IPC message %d declares %d bytes of metadata, %d remain", msg, n, rest)
		}
		meta := p[pos : pos+int(n)]
		pos += int(n)
		body, ok := fbMessageBodyLength(meta)
		if !ok {
			return fmt.Errorf("IPC message %d: metadata is not a flatbuffer Message", msg)
		}
		rest = int64(len(p) - pos)
		if body < 0 || body > rest {
			return fmt.Errorf("IPC message %d declares a body of %d bytes, %d remain", msg, body, rest)
		}
		pos += int(body)
	}
}

// fbMessageBodyLength checks the flatbuffer Message at the root of meta
// (see fbVerifier.message) and returns its bodyLength (field 3); an absent
// field is 0.
func fbMessageBodyLength(meta []byte) (int64, bool) {
	v := fbVerifier{b: meta}
	t, ok := v.root()
	if !ok || !v.message(t) {
		return 0, false
	}
	at, present, ok := v.field(t, 3, 8)
	if !ok {
		return 0, false
	}
	if !present {
		return 0, true
	}
	return int64(binary.LittleEndian.Uint64(meta[at:])), true
}

// fbVerifier checks the parts of IPC metadata (flatbuffers, Message.fbs and
// Schema.fbs) whose lengths Arrow's reader allocates by: every vector of
// fields, key-values, union type ids, nodes and buffers must lie inside the
// metadata, and nested fields go at most 64 deep (a child offset pointing
// back at its parent would otherwise recurse without end). What is left
// unchecked (scalars, strings) can only make the reader panic, which it
// recovers.
type fbVerifier struct{ b []byte }

func (v fbVerifier) u32(at int) (int, bool) {
	if at < 0 || at+4 > len(v.b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint32(v.b[at:])), true
}

func (v fbVerifier) root() (int, bool) {
	t, ok := v.u32(0)
	return t, ok && v.tableOK(t)
}

func (v fbVerifier) tableOK(t int) bool {
	if t < 0 || t+4 > len(v.b) {
		return false
	}
	vt := int64(t) - int64(int32(binary.LittleEndian.Uint32(v.b[t:])))
	if vt < 0 || vt+4 > int64(len(v.b)) {
		return false
	}
	size := int64(binary.LittleEndian.Uint16(v.b[vt:]))
	return size >= 4 && vt+size <= int64(len(v.b))
}

// field returns the position of field slot of table t, whether it is
// present, and whether its size bytes lie in the buffer.
func (v fbVerifier) field(t, slot, size int) (at int, present, ok bool) {
	vt := t - int(int32(binary.LittleEndian.Uint32(v.b[t:])))
	vtSize := int(binary.LittleEndian.Uint16(v.b[vt:]))
	if 4+2*slot+2 > vtSize {
		return 0, false, true
	}
	fo := int(binary.LittleEndian.Uint16(v.b[vt+4+2*slot:]))
	if fo == 0 {
		return 0, false, true
	}
	at = t + fo
	return at, true, at+size <= len(v.b)
}

// ref follows the offset in field slot of t: the position it points to.
func (v fbVerifier) ref(t, slot int) (pos int, present, ok bool) {
	at, present, ok := v.field(t, slot, 4)
	if !present || !ok {
		return 0, present, ok
	}
	off, _ := v.u32(at)
	return at + off, true, at+off < len(v.b)
}

// vector checks the vector in field slot of t, of elements of elem bytes,
// and returns the position of its first element and its length.
func (v fbVerifier) vector(t, slot, elem int) (start, n int, ok bool) {
	pos, present, ok := v.ref(t, slot)
	if !present || !ok {
		return 0, 0, ok
	}
	n, ok = v.u32(pos)
	if !ok || int64(n)*int64(elem) > int64(len(v.b)-pos-4) {
		return 0, 0, false
	}
	return pos + 4, n, true
}

// tables checks a vector of tables and each table with check.
func (v fbVerifier) tables(t, slot int, check func(int) bool) bool {
	start, n, ok := v.vector(t, slot, 4)
	if !ok {
		return false
	}
	for i := 0; i < n; i++ {
		at := start + 4*i
		off, _ := v.u32(at)
		if !v.tableOK(at+off) || !check(at+off) {
			return false
		}
	}
	return true
}

func (v fbVerifier) keyValues(t, slot int) bool {
	return v.tables(t, slot, func(int) bool { return true })
}

// message: header_type 1, header 2, custom_metadata 4.
func (v fbVerifier) message(t int) bool {
	at, present, ok := v.field(t, 1, 1)
	if !ok || !v.keyValues(t, 4) {
		return false
	}
	if !present {
		return true
	}
	h, present, ok := v.ref(t, 2)
	if !ok || (present && !v.tableOK(h)) {
		return false
	}
	if !present {
		return true
	}
	switch v.b[at] {
	case 1:
		return v.schema(h)
	case 2: // DictionaryBatch: data 1
		d, present, ok := v.ref(h, 1)
		return ok && (!present || v.tableOK(d) && v.recordBatch(d))
	case 3:
		return v.recordBatch(h)
	}
	return false // tensors are not read here
}

// schema: fields 1, custom_metadata 2, features 3.
func (v fbVerifier) schema(t int) bool {
	_, _, ok := v.vector(t, 3, 8)
	return ok && v.keyValues(t, 2) && v.tables(t, 1, func(f int) bool { return v.fieldTable(f, 0) })
}

// fieldTable: type_type 2, type 3, children 5, custom_metadata 6.
func (v fbVerifier) fieldTable(t, depth int) bool {
	if depth > 64 || !v.keyValues(t, 6) {
		return false
	}
	if at, present, ok := v.field(t, 2, 1); !ok {
		return false
	} else if present && v.b[at] == 14 { // Union: typeIds 1
		ty, present, ok := v.ref(t, 3)
		if !ok || present && (!v.tableOK(ty) || !v.vectorOK(ty, 1, 4)) {
			return false
		}
	}
	return v.tables(t, 5, func(c int) bool { return v.fieldTable(c, depth+1) })
}

func (v fbVerifier) vectorOK(t, slot, elem int) bool {
	_, _, ok := v.vector(t, slot, elem)
	return ok
}

// recordBatch: nodes 1 and buffers 2 (structs of 16 bytes), variadic
// buffer counts 4.
func (v fbVerifier) recordBatch(t int) bool {
	return v.vectorOK(t, 1, 16) && v.vectorOK(t, 2, 16) && v.vectorOK(t, 4, 8)
}

// checkRecord refuses a decoded record whose arrays claim more rows than
// a stream of n bytes can back (only a Null array needs no bytes per row)
// or nulls without a validity bitmap that covers them, so that nothing
// downstream allocates or indexes by a length the input made up.
func checkRecord(r arrow.Record, n int) error {
	limit := 8*int64(n) + 64
	for j, c := range r.Columns() {
		if err := checkArrayData(c.Data(), limit, 0); err != nil {
			return fmt.Errorf("column %d (%s): %w", j, r.Schema().Field(j).Name, err)
		}
	}
	return nil
}

func checkArrayData(d arrow.ArrayData, limit int64, depth int) error {
	if depth > 64 {
		return errors.New("types nested more than 64 deep")
	}
	if d.DataType().ID() == arrow.NULL {
		return nil
	}
	off, n := int64(d.Offset()), int64(d.Len())
	if off < 0 || n < 0 || off+n > limit {
		return fmt.Errorf("%d rows at offset %d: more than the input can hold", n, off)
	}
	if d.NullN() > 0 {
		bufs := d.Buffers()
		if len(bufs) == 0 || bufs[0] == nil || int64(bufs[0].Len()) < (off+n+7)/8 {
			return fmt.Errorf("%d nulls in %d rows without a validity bitmap covering them", d.NullN(), n)
		}
	}
	for _, c := range d.Children() {
		if err := checkArrayData(c, limit, depth+1); err != nil {
			return err
		}
	}
	if d.DataType().ID() == arrow.DICTIONARY {
		if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
			return checkArrayData(dict, limit, depth+1)
		}
	}
	return nil
}
