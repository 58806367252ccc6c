package bag

import (
	"fmt"
	"math"
	"reflect"
	"unsafe"

	"github.com/godask/godask/internal/hash"
)

// hasherFor returns a hash of K that is the same in every process (unlike
// hash/maphash), so that the split tasks of a shuffle, wherever they run,
// send a key to the same output partition. Strings, integers, floats and
// bools hash without reflection; other keys (structs, arrays) hash field by
// field through reflection.
func hasherFor[K comparable]() func(K) uint64 {
	var zero K
	switch any(zero).(type) {
	case string:
		return func(k K) uint64 {
			s := *(*string)(unsafe.Pointer(&k))
			return hash.Bytes(unsafe.Slice(unsafe.StringData(s), len(s)))
		}
	case int, int64, uint64, uint, uintptr:
		return func(k K) uint64 { return hash.Uint64(*(*uint64)(unsafe.Pointer(&k))) }
	case int32:
		return func(k K) uint64 { return hash.Uint64(uint64(*(*int32)(unsafe.Pointer(&k)))) }
	case uint32:
		return func(k K) uint64 { return hash.Uint64(uint64(*(*uint32)(unsafe.Pointer(&k)))) }
	case float64:
		return func(k K) uint64 { return hash.Uint64(floatBits(*(*float64)(unsafe.Pointer(&k)))) }
	case bool:
		return func(k K) uint64 {
			if *(*bool)(unsafe.Pointer(&k)) {
				return hash.Uint64(1)
			}
			return hash.Uint64(0)
		}
	}
	return func(k K) uint64 { return hashValue(reflect.ValueOf(&k).Elem()) }
}

// floatBits maps equal floats to equal bits (0 and -0; every NaN).
func floatBits(f float64) uint64 {
	if f == 0 {
		return 0
	}
	if f != f {
		return 0x7ff8000000000001
	}
	return math.Float64bits(f)
}

func hashValue(v reflect.Value) uint64 {
	switch v.Kind() {
	case reflect.String:
		return hash.Bytes([]byte(v.String()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return hash.Uint64(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return hash.Uint64(v.Uint())
	case reflect.Float32, reflect.Float64:
		return hash.Uint64(floatBits(v.Float()))
	case reflect.Bool:
		if v.Bool() {
			return hash.Uint64(1)
		}
		return hash.Uint64(0)
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		return hash.Combine(hash.Uint64(floatBits(real(c))), hash.Uint64(floatBits(imag(c))))
	case reflect.Struct:
		h := uint64(len(v.Type().Name()))
		for i := 0; i < v.NumField(); i++ {
			h = hash.Combine(h, hashValue(v.Field(i)))
		}
		return h
	case reflect.Array:
		h := uint64(v.Len())
		for i := 0; i < v.Len(); i++ {
			h = hash.Combine(h, hashValue(v.Index(i)))
		}
		return h
	case reflect.Interface:
		if v.IsNil() {
			return 0
		}
		return hash.Combine(hash.Bytes([]byte(v.Elem().Type().String())), hashValue(v.Elem()))
	}
	// Pointers and channels: identity, meaningful in one process only.
	return hash.Bytes([]byte(fmt.Sprint(v.Interface())))
}
