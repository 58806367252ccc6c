package bag

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/godask/godask/graph"
)

// part is the value of a computed partition: its elements. It reports its
// size for the memory manager and has a codec (raw for strings and numbers,
// gob otherwise) so it spills and ships.
type part[T any] struct {
	xs   []T
	size int64 // 0 until measured
	mu   sync.Mutex
}

func newPart[T any](xs []T) *part[T] { return &part[T]{xs: xs} }

// Size implements graph.Sizer: the elements and what their strings and
// slices hold (measured on a sample for other types).
func (p *part[T]) Size() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.size == 0 {
		p.size = sliceSize(p.xs)
	}
	return p.size
}

// sliceSize estimates the bytes xs holds.
func sliceSize[T any](xs []T) int64 {
	var zero T
	n := int64(cap(xs))*int64(unsafe.Sizeof(zero)) + 24
	switch v := any(xs).(type) {
	case []string:
		for _, s := range v {
			n += int64(len(s))
		}
		return n
	}
	t := reflect.TypeOf((*T)(nil)).Elem()
	if !hasRefs(t) || len(xs) == 0 {
		return n
	}
	// Follow strings and slices on a sample and extrapolate.
	step := max(1, len(xs)/256)
	var extra, seen int64
	for i := 0; i < len(xs); i += step {
		extra += deepExtra(reflect.ValueOf(&xs[i]).Elem(), 2)
		seen++
	}
	return n + extra*int64(len(xs))/seen
}

func hasRefs(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface:
		return true
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if hasRefs(t.Field(i).Type) {
				return true
			}
		}
	case reflect.Array:
		return hasRefs(t.Elem())
	}
	return false
}

// deepExtra is what v holds beyond its own size: string bytes, slice and map
// contents, to a small depth.
func deepExtra(v reflect.Value, depth int) int64 {
	if depth < 0 {
		return 0
	}
	switch v.Kind() {
	case reflect.String:
		return int64(v.Len())
	case reflect.Slice:
		n := int64(v.Cap()) * int64(v.Type().Elem().Size())
		for i := 0; i < v.Len() && i < 64; i++ {
			n += deepExtra(v.Index(i), depth-1) * int64(max(1, v.Len()/64))
		}
		return n
	case reflect.Map:
		n := int64(v.Len()) * int64(v.Type().Key().Size()+v.Type().Elem().Size()+8)
		return n
	case reflect.Struct:
		var n int64
		for i := 0; i < v.NumField(); i++ {
			n += deepExtra(v.Field(i), depth)
		}
		return n
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return 0
		}
		e := v.Elem()
		return int64(e.Type().Size()) + deepExtra(e, depth-1)
	}
	return 0
}

var registered sync.Map // type name -> true, for ensure* helpers

func once(name string) bool {
	_, dup := registered.LoadOrStore(name, true)
	return !dup
}

func partSrcKind[T any]() string { return kindOf("part", typeName[T]()) }

// ensurePart registers, for T, the codec of its partitions, the source that
// reads a computed partition and the sink that collects one.
func ensurePart[T any]() {
	tn := typeName[T]()
	if !once("part:" + tn) {
		return
	}
	graph.RegisterCodec("bag.part["+tn+"]", reflect.TypeOf(&part[T]{}), graph.Codec{
		Encode: func(v any) ([]byte, error) { return encodeSlice(v.(*part[T]).xs) },
		Decode: func(b []byte) (any, error) {
			xs, err := decodeSlice[T](b)
			if err != nil {
				return nil, fmt.Errorf("bag: decode partition of %s: %w", tn, err)
			}
			return newPart(xs), nil
		},
	})
	defSrc[T](partSrcKind[T](), func(*spec) (func(context.Context, []any, func(T) bool) error, error) {
		return func(ctx context.Context, in []any, emit func(T) bool) error {
			p, ok := in[0].(*part[T])
			if !ok {
				return fmt.Errorf("bag: partition of %s is %T", tn, in[0])
			}
			for _, x := range p.xs {
				if !emit(x) {
					break
				}
			}
			return nil
		}, nil
	})
	defSink[T](kindOf("collect", tn), func(*spec) (func(T) bool, func() (any, error), error) {
		var xs []T
		return func(x T) bool { xs = append(xs, x); return true },
			func() (any, error) { return newPart(xs), nil }, nil
	})
}

// encodeSlice writes xs raw for strings and fixed-size numbers, with gob for
// anything else. The first byte says which.
func encodeSlice[T any](xs []T) ([]byte, error) {
	switch v := any(xs).(type) {
	case []string:
		return appendStrings([]byte{1}, v), nil
	case []int64:
		return appendWords([]byte{2}, v), nil
	case []float64:
		return append([]byte{3}, graph.Float64Bytes(v)...), nil
	case []int:
		return appendWords([]byte{4}, v), nil
	case []uint64:
		return appendWords([]byte{5}, v), nil
	}
	var buf bytes.Buffer
	buf.WriteByte(0)
	if err := gob.NewEncoder(&buf).Encode(xs); err != nil {
		return nil, fmt.Errorf("gob: %w", err)
	}
	return buf.Bytes(), nil
}

func decodeSlice[T any](b []byte) ([]T, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("empty payload")
	}
	var out any
	var err error
	switch b[0] {
	case 1:
		out, err = readStrings(b[1:])
	case 2:
		out, err = readWords[int64](b[1:])
	case 3:
		out, err = graph.BytesFloat64(b[1:])
	case 4:
		out, err = readWords[int](b[1:])
	case 5:
		out, err = readWords[uint64](b[1:])
	case 0:
		var xs []T
		if err := gob.NewDecoder(bytes.NewReader(b[1:])).Decode(&xs); err != nil {
			return nil, fmt.Errorf("gob: %w", err)
		}
		return xs, nil
	default:
		return nil, fmt.Errorf("unknown payload kind %d", b[0])
	}
	if err != nil {
		return nil, err
	}
	xs, ok := out.([]T)
	if !ok {
		return nil, fmt.Errorf("payload of %T, want %T", out, xs)
	}
	return xs, nil
}

func appendStrings(b []byte, xs []string) []byte {
	n := 0
	for _, s := range xs {
		n += len(s)
	}
	b = binary.AppendUvarint(b, uint64(len(xs)))
	for _, s := range xs {
		b = binary.AppendUvarint(b, uint64(len(s)))
	}
	b = binary.AppendUvarint(b, uint64(n))
	for _, s := range xs {
		b = append(b, s...)
	}
	return b
}

// readStrings decodes appendStrings; the strings share one allocation.
func readStrings(b []byte) ([]string, error) {
	r := graph.NewReader(b)
	n := r.Uvarint()
	if n > uint64(len(b)) {
		return nil, fmt.Errorf("string count %d exceeds input", n)
	}
	lens := make([]uint64, n)
	for i := range lens {
		lens[i] = r.Uvarint()
	}
	data := r.Bytes()
	if r.Err() != nil {
		return nil, r.Err()
	}
	s := string(data)
	out := make([]string, n)
	off := uint64(0)
	for i, l := range lens {
		if l > uint64(len(s))-off {
			return nil, fmt.Errorf("string %d runs past the data", i)
		}
		out[i] = s[off : off+l]
		off += l
	}
	return out, nil
}

type word interface{ ~int | ~int64 | ~uint64 }

func appendWords[W word](b []byte, xs []W) []byte {
	for _, x := range xs {
		b = binary.LittleEndian.AppendUint64(b, uint64(x))
	}
	return b
}

func readWords[W word](b []byte) ([]W, error) {
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("payload of %d bytes is not a multiple of 8", len(b))
	}
	out := make([]W, len(b)/8)
	for i := range out {
		out[i] = W(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out, nil
}
