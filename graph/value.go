package graph

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"math"
	"reflect"
	"sort"
	"sync"
	"unsafe"
)

// Sizer is implemented by values that know their size in bytes (array blocks,
// record batches). The memory manager accounts values with SizeOf.
type Sizer interface{ Size() int64 }

// Codec turns values of one type into bytes and back, for spilling to disk and
// for the wire.
//
// Join, optional, makes the codec partial for a Parted type: it rebuilds a
// value from its parts (each Part(j), in order, as its own codec decoded it).
// A value whose codec has a Join is spilled part by part, with an offset
// table and a checksum per part, so that a task reading one part loads only
// that part (see Parted).
//
// Segments and DecodeOwned, optional, are the copy-free forms the cluster
// transport uses (EncodeSegments, DecodeValueOwned): Segments returns
// Encode's bytes as pieces, the large ones views of v's memory, and the
// offset in the payload of the byte a receiver should 8-align (-1: none);
// DecodeOwned is Decode for a buffer given away, which the value may view.
type Codec struct {
	Encode      func(v any) ([]byte, error)
	Decode      func(b []byte) (any, error)
	Join        func(parts []any) (any, error)
	Segments    func(v any) (segs [][]byte, align int, err error)
	DecodeOwned func(b []byte) (any, error)
}

type codecEntry struct {
	name string
	typ  reflect.Type
	c    Codec
}

var (
	codecsByType sync.Map // reflect.Type -> *codecEntry
	codecsByName sync.Map // string -> *codecEntry
)

// RegisterCodec registers the codec for values of type t under a name that
// identifies the type on the wire. Registering the same name for the same type
// twice is a no-op; for another type it panics.
func RegisterCodec(name string, t reflect.Type, c Codec) {
	e := &codecEntry{name: name, typ: t, c: c}
	if old, dup := codecsByName.LoadOrStore(name, e); dup {
		if old.(*codecEntry).typ != t {
			panic(fmt.Sprintf("graph: codec name %q registered for %v and %v", name, old.(*codecEntry).typ, t))
		}
		return
	}
	codecsByType.Store(t, e)
}

// RegisterType registers a codec for T: its own MarshalBinary/UnmarshalBinary
// when T implements them (with a pointer receiver for the latter), else
// encoding/gob. The wire name is the type's package path and name. It is cheap
// to call again for a type already registered.
func RegisterType[T any]() {
	t := reflect.TypeOf((*T)(nil)).Elem()
	if _, ok := codecsByType.Load(t); ok {
		return
	}
	RegisterCodec(typeName(t), t, codecFor[T](t))
}

func typeName(t reflect.Type) string {
	if t.PkgPath() != "" {
		return t.PkgPath() + "." + t.Name()
	}
	return t.String()
}

func codecFor[T any](t reflect.Type) Codec {
	var zero T
	if _, ok := any(zero).(encoding.BinaryMarshaler); ok {
		if _, ok := any(&zero).(encoding.BinaryUnmarshaler); ok {
			return Codec{
				Encode: func(v any) ([]byte, error) { return v.(encoding.BinaryMarshaler).MarshalBinary() },
				Decode: func(b []byte) (any, error) {
					var v T
					err := any(&v).(encoding.BinaryUnmarshaler).UnmarshalBinary(b)
					return v, err
				},
			}
		}
	}
	return Codec{
		Encode: func(v any) ([]byte, error) {
			var buf bytes.Buffer
			x := v.(T)
			err := gob.NewEncoder(&buf).Encode(&x)
			return buf.Bytes(), err
		},
		Decode: func(b []byte) (any, error) {
			var v T
			err := gob.NewDecoder(bytes.NewReader(b)).Decode(&v)
			return v, err
		},
	}
}

// EncodeValue encodes v with the codec registered for its type, prefixed by
// the type's wire name. A nil value encodes to a name-less record.
func EncodeValue(v any) ([]byte, error) {
	if v == nil {
		return appendBytes(nil, nil), nil
	}
	t := reflect.TypeOf(v)
	e, ok := codecsByType.Load(t)
	if !ok {
		return nil, fmt.Errorf("graph: encode value of type %v: codec %w (graph.RegisterType or RegisterCodec)", t, ErrUnregistered)
	}
	ce := e.(*codecEntry)
	p, err := ce.c.Encode(v)
	if err != nil {
		return nil, fmt.Errorf("graph: encode value of type %v: %w", t, err)
	}
	b := make([]byte, 0, len(ce.name)+len(p)+10)
	b = appendBytes(b, []byte(ce.name))
	return append(b, p...), nil
}

// DecodeValue decodes what EncodeValue wrote.
func DecodeValue(b []byte) (any, error) { return decodeValue(b, false) }

// decodeValue is DecodeValue, with the codec's DecodeOwned when owned.
func decodeValue(b []byte, owned bool) (any, error) {
	r := Reader{b: b}
	name := r.Bytes()
	if r.err != nil {
		return nil, fmt.Errorf("graph: decode value: %w", r.err)
	}
	if len(name) == 0 {
		return nil, nil
	}
	e, ok := codecsByName.Load(string(name))
	if !ok {
		return nil, fmt.Errorf("graph: decode value of type %s: codec %w", name, ErrUnregistered)
	}
	dec := e.(*codecEntry).c.Decode
	if owned && e.(*codecEntry).c.DecodeOwned != nil {
		dec = e.(*codecEntry).c.DecodeOwned
	}
	v, err := dec(r.b)
	if err != nil {
		return nil, fmt.Errorf("graph: decode value of type %s: %w", name, err)
	}
	return v, nil
}

// SizeOf estimates the bytes a value holds: its Size method if it is a Sizer,
// the payload of strings and slices (elements are not followed through
// pointers), and the type's own size for anything else.
func SizeOf(v any) int64 {
	switch x := v.(type) {
	case nil:
		return 0
	case Sizer:
		return x.Size()
	case string:
		return int64(len(x)) + 16
	case []byte:
		return int64(len(x)) + 24
	case []float64:
		return int64(len(x))*8 + 24
	case []int:
		return int64(len(x))*8 + 24
	case []string:
		n := int64(24 + 16*len(x))
		for _, s := range x {
			n += int64(len(s))
		}
		return n
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		// The slice's own elements; what they point to is not followed.
		return int64(rv.Len())*int64(rv.Type().Elem().Size()) + 24
	}
	return int64(rv.Type().Size()) + 16
}

// Little-endian raw codecs for the common scalar and slice types: no gob
// overhead for the values most tasks pass around.
func init() {
	scalar := func(name string, t reflect.Type, enc func(any) uint64, dec func(uint64) any) {
		RegisterCodec(name, t, Codec{
			Encode: func(v any) ([]byte, error) { return binary.LittleEndian.AppendUint64(nil, enc(v)), nil },
			Decode: func(b []byte) (any, error) {
				if len(b) != 8 {
					return nil, fmt.Errorf("want 8 bytes, have %d", len(b))
				}
				return dec(binary.LittleEndian.Uint64(b)), nil
			},
		})
	}
	scalar("int", reflect.TypeOf(0), func(v any) uint64 { return uint64(v.(int)) }, func(u uint64) any { return int(u) })
	scalar("int64", reflect.TypeOf(int64(0)), func(v any) uint64 { return uint64(v.(int64)) }, func(u uint64) any { return int64(u) })
	scalar("int32", reflect.TypeOf(int32(0)), func(v any) uint64 { return uint64(v.(int32)) }, func(u uint64) any { return int32(u) })
	scalar("uint64", reflect.TypeOf(uint64(0)), func(v any) uint64 { return v.(uint64) }, func(u uint64) any { return u })
	scalar("float64", reflect.TypeOf(0.0), func(v any) uint64 { return math.Float64bits(v.(float64)) }, func(u uint64) any { return math.Float64frombits(u) })
	scalar("float32", reflect.TypeOf(float32(0)), func(v any) uint64 { return uint64(math.Float32bits(v.(float32))) }, func(u uint64) any { return math.Float32frombits(uint32(u)) })
	scalar("bool", reflect.TypeOf(false), func(v any) uint64 {
		if v.(bool) {
			return 1
		}
		return 0
	}, func(u uint64) any { return u != 0 })
	RegisterCodec("string", reflect.TypeOf(""), Codec{
		Encode: func(v any) ([]byte, error) { return []byte(v.(string)), nil },
		Decode: func(b []byte) (any, error) { return string(b), nil },
	})
	RegisterCodec("[]uint8", reflect.TypeOf([]byte(nil)), Codec{
		Encode:      func(v any) ([]byte, error) { return v.([]byte), nil },
		Decode:      func(b []byte) (any, error) { return append([]byte(nil), b...), nil },
		Segments:    func(v any) ([][]byte, int, error) { return [][]byte{v.([]byte)}, -1, nil },
		DecodeOwned: func(b []byte) (any, error) { return b[:len(b):len(b)], nil },
	})
	RegisterCodec("[]float64", reflect.TypeOf([]float64(nil)), Codec{
		Encode:      func(v any) ([]byte, error) { return Float64Bytes(v.([]float64)), nil },
		Decode:      func(b []byte) (any, error) { return BytesFloat64(b) },
		Segments:    float64Segments,
		DecodeOwned: decodeFloat64Owned,
	})
	RegisterCodec("[]int", reflect.TypeOf([]int(nil)), Codec{
		Encode: func(v any) ([]byte, error) {
			x := v.([]int)
			b := make([]byte, 0, 8*len(x))
			for _, e := range x {
				b = binary.LittleEndian.AppendUint64(b, uint64(e))
			}
			return b, nil
		},
		Decode: func(b []byte) (any, error) {
			if len(b)%8 != 0 {
				return nil, fmt.Errorf("[]int payload of %d bytes is not a multiple of 8", len(b))
			}
			x := make([]int, len(b)/8)
			for i := range x {
				x[i] = int(binary.LittleEndian.Uint64(b[8*i:]))
			}
			return x, nil
		},
	})
	RegisterType[[]string]()
	RegisterType[[]int64]()
	RegisterType[[]float32]()
	RegisterType[[]bool]()
	RegisterType[[][]float64]()
	RegisterType[map[string]float64]()
	RegisterType[map[string]int]()
}

// Float64Bytes returns the little-endian bytes of x (a copy).
func Float64Bytes(x []float64) []byte {
	b := make([]byte, 8*len(x))
	if littleEndian {
		copy(b, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), 8*len(x)))
		return b
	}
	for i, v := range x {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	return b
}

// BytesFloat64 decodes little-endian float64s (a copy).
func BytesFloat64(b []byte) ([]float64, error) {
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("float64 payload of %d bytes is not a multiple of 8", len(b))
	}
	x := make([]float64, len(b)/8)
	if littleEndian {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), len(b)), b)
		return x, nil
	}
	for i := range x {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return x, nil
}

var littleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// Joinable returns the codec name of v's type when v is Parted and its codec
// can rebuild it from its parts (Codec.Join).
func Joinable(v any) (string, bool) {
	if _, ok := v.(Parted); !ok || v == nil {
		return "", false
	}
	e, ok := codecsByType.Load(reflect.TypeOf(v))
	if !ok || e.(*codecEntry).c.Join == nil {
		return "", false
	}
	return e.(*codecEntry).name, true
}

// JoinParts rebuilds a value of the type whose codec is registered under name
// from its parts, with the codec's Join.
func JoinParts(name string, parts []any) (any, error) {
	e, ok := codecsByName.Load(name)
	if !ok {
		return nil, fmt.Errorf("graph: join parts of type %s: codec %w", name, ErrUnregistered)
	}
	j := e.(*codecEntry).c.Join
	if j == nil {
		return nil, fmt.Errorf("graph: join parts of type %s: the codec has no Join", name)
	}
	v, err := j(parts)
	if err != nil {
		return nil, fmt.Errorf("graph: join parts of type %s: %w", name, err)
	}
	return v, nil
}

// TypeByName returns the type registered under a codec name.
func TypeByName(name string) (reflect.Type, bool) {
	e, ok := codecsByName.Load(name)
	if !ok {
		return nil, false
	}
	return e.(*codecEntry).typ, true
}

// CodecName returns the codec name registered for t.
func CodecName(t reflect.Type) (string, bool) {
	e, ok := codecsByType.Load(t)
	if !ok {
		return "", false
	}
	return e.(*codecEntry).name, true
}

// AppendValue appends the length-prefixed EncodeValue encoding of v to b,
// with no intermediate allocation for the scalar types.
func AppendValue(b []byte, v any) ([]byte, error) {
	if nb, ok := AppendScalar(b, v); ok {
		return nb, nil
	}
	p, err := EncodeValue(v)
	if err != nil {
		return nil, err
	}
	return appendBytes(b, p), nil
}

// AppendScalar is AppendValue for the scalar types (int, int64, float64,
// bool, string): it appends their encoding and reports true, or leaves b as
// it is and reports false for any other type. v does not escape, so a caller
// holding a typed value can encode it without boxing it on the heap.
func AppendScalar(b []byte, v any) ([]byte, bool) {
	var u uint64
	var name string
	switch x := v.(type) {
	case int:
		name, u = "int", uint64(x)
	case int64:
		name, u = "int64", uint64(x)
	case float64:
		name, u = "float64", math.Float64bits(x)
	case bool:
		name = "bool"
		if x {
			u = 1
		}
	case string:
		b = binary.AppendUvarint(b, uint64(1+len("string")+len(x)))
		b = appendBytes(b, []byte("string"))
		return append(b, x...), true
	default:
		return b, false
	}
	b = binary.AppendUvarint(b, uint64(1+len(name)+8))
	b = binary.AppendUvarint(b, uint64(len(name)))
	b = append(b, name...)
	return binary.LittleEndian.AppendUint64(b, u), true
}

// RegisteredCodecs returns the wire names of the registered codecs, sorted:
// with RegisteredOps, what a remote worker must share with its scheduler.
func RegisteredCodecs() []string {
	var names []string
	codecsByName.Range(func(k, _ any) bool { names = append(names, k.(string)); return true })
	sort.Strings(names)
	return names
}
