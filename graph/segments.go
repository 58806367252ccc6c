package graph

import (
	"fmt"
	"reflect"
	"unsafe"
)

// SegmentMin is the smallest buffer a codec's Segments returns as a view
// of the value's memory: below it, a copy costs less than the bookkeeping.
const SegmentMin = 16 << 10

// EncodeSegments returns EncodeValue(v) as pieces whose concatenation is
// exactly those bytes, without copying v's large buffers when v's codec has
// Segments: those pieces alias v's memory, so neither they nor v may be
// modified while they are in use (a value is immutable once in a graph).
// align is the offset, in the concatenation, of the byte a receiver should
// place at an 8-aligned address so that DecodeValueOwned can view the
// value's buffers (-1: no preference).
func EncodeSegments(v any) (segs [][]byte, align int, err error) {
	if v == nil {
		return [][]byte{appendBytes(nil, nil)}, -1, nil
	}
	t := reflect.TypeOf(v)
	e, ok := codecsByType.Load(t)
	if !ok {
		return nil, -1, fmt.Errorf("graph: encode value of type %v: codec %w (graph.RegisterType or RegisterCodec)", t, ErrUnregistered)
	}
	ce := e.(*codecEntry)
	head := appendBytes(nil, []byte(ce.name))
	if ce.c.Segments == nil {
		p, err := ce.c.Encode(v)
		if err != nil {
			return nil, -1, fmt.Errorf("graph: encode value of type %v: %w", t, err)
		}
		return [][]byte{head, p}, -1, nil
	}
	p, a, err := ce.c.Segments(v)
	if err != nil {
		return nil, -1, fmt.Errorf("graph: encode value of type %v: %w", t, err)
	}
	if a >= 0 {
		a += len(head)
	}
	return append([][]byte{head}, p...), a, nil
}

// DecodeValueOwned is DecodeValue for a buffer the caller gives away (it
// never reads or writes b again): a codec with DecodeOwned may return a
// value whose buffers are views of b instead of copies.
func DecodeValueOwned(b []byte) (any, error) { return decodeValue(b, true) }

// ViewBytes returns the memory of x as bytes (no copy), for a codec's
// Segments; ok is false on a big-endian host, where the wire's
// little-endian form needs a conversion.
func ViewBytes[T int64 | uint64 | float64 | float32 | int32 | uint32 | bool | byte](x []T) (b []byte, ok bool) {
	var z T
	if !littleEndian && unsafe.Sizeof(z) > 1 {
		return nil, false
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), len(x)*int(unsafe.Sizeof(z))), true
}

// ViewAs returns b as a slice of T (no copy) when the host is
// little-endian, b's length is a multiple of T's size and its start is
// aligned for T; ok is false otherwise (copy instead). b must then never be
// modified by anyone else.
func ViewAs[T int64 | uint64 | float64 | float32 | int32 | uint32](b []byte) (x []T, ok bool) {
	var z T
	size := int(unsafe.Sizeof(z))
	if !littleEndian || len(b)%size != 0 || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%uintptr(size) != 0 {
		return nil, false
	}
	if len(b) == 0 {
		return []T{}, true
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/size), true
}

// float64Segments and decodeFloat64Owned are the []float64 codec's
// copy-free forms: the slice's memory is its encoding on a little-endian
// host, and an aligned received payload is viewed as the slice.
func float64Segments(v any) ([][]byte, int, error) {
	x := v.([]float64)
	if b, ok := ViewBytes(x); ok {
		return [][]byte{b}, 0, nil
	}
	return [][]byte{Float64Bytes(x)}, 0, nil
}

func decodeFloat64Owned(b []byte) (any, error) {
	if x, ok := ViewAs[float64](b); ok {
		return x, nil
	}
	return BytesFloat64(b)
}
