package bag

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unsafe"
)

// A decoder of JSON objects into flat structs, without encoding/json's
// reflection per value: the struct's fields are planned once (offset, kind,
// name), and each line is scanned once, numbers parsed straight into the
// fields. Fields of other types (nested structs, slices, maps, pointers,
// interfaces) are decoded with encoding/json from their raw text; a type that
// is not a struct, or has embedded fields, goes to encoding/json whole. It
// follows encoding/json's rules for what it handles: keys match the `json`
// tag or the field name, exactly or else case-insensitively; unknown keys and
// nulls leave fields untouched; a number into an integer field must be an
// integer in range.

type fieldKind uint8

const (
	fString fieldKind = iota
	fInt
	fUint
	fFloat
	fBool
	fRaw
)

type jsonField struct {
	name string
	off  uintptr
	kind fieldKind
	bits int
	typ  reflect.Type
}

type jsonDecoder[T any] struct {
	fields []jsonField
	whole  bool // use encoding/json for the whole value
	// order[k] is the field the k-th key of the last object named (-1:
	// none), tried first: the lines of a file tend to list the same keys
	// in the same order.
	order []int
	// arena holds the bytes of the short strings decoded: one allocation
	// per 8 KiB of them, not one per string. A decoder belongs to one task.
	arena []byte
}

func newJSONDecoder[T any]() *jsonDecoder[T] {
	t := reflect.TypeOf((*T)(nil)).Elem()
	d := &jsonDecoder[T]{}
	if t.Kind() != reflect.Struct {
		d.whole = true
		return d
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			return &jsonDecoder[T]{whole: true}
		}
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			if tag == "-" {
				continue
			}
			parts := strings.Split(tag, ",")
			if parts[0] != "" {
				name = parts[0]
			}
			for _, o := range parts[1:] {
				if o == "string" {
					return &jsonDecoder[T]{whole: true}
				}
			}
		}
		jf := jsonField{name: name, off: f.Offset, typ: f.Type}
		switch f.Type.Kind() {
		case reflect.String:
			jf.kind = fString
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			jf.kind = fInt
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			jf.kind = fUint
		case reflect.Float32, reflect.Float64:
			jf.kind = fFloat
		case reflect.Bool:
			jf.kind = fBool
		default:
			jf.kind = fRaw
		}
		if jf.kind == fInt || jf.kind == fUint || jf.kind == fFloat {
			jf.bits = f.Type.Bits()
		}
		if jf.kind != fRaw && f.Type.PkgPath() != "" && implementsUnmarshaler(f.Type) {
			jf.kind = fRaw
		}
		d.fields = append(d.fields, jf)
	}
	return d
}

var unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

func implementsUnmarshaler(t reflect.Type) bool {
	return t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType)
}

// findAt is find for the k-th key of an object, trying the field the k-th
// key of the object before named first.
func (d *jsonDecoder[T]) findAt(key []byte, k int) *jsonField {
	if k < len(d.order) {
		if j := d.order[k]; j >= 0 && d.fields[j].name == bytesString(key) {
			return &d.fields[j]
		}
	}
	j, exact := d.index(key)
	if k < 64 {
		for len(d.order) <= k {
			d.order = append(d.order, -1)
		}
		d.order[k] = -1
		if exact {
			d.order[k] = j
		}
	}
	if j < 0 {
		return nil
	}
	return &d.fields[j]
}

// str returns b as a string, the short ones copied into the arena.
func (d *jsonDecoder[T]) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 64 {
		return string(b)
	}
	if cap(d.arena)-len(d.arena) < len(b) {
		d.arena = make([]byte, 0, 8<<10)
	}
	n := len(d.arena)
	d.arena = append(d.arena, b...)
	return unsafe.String(&d.arena[n], len(b))
}

// index returns the number of the field a key names (-1: none), and
// whether the key is its name exactly (else case-insensitively).
func (d *jsonDecoder[T]) index(key []byte) (int, bool) {
	for i := range d.fields {
		if d.fields[i].name == bytesString(key) {
			return i, true
		}
	}
	for i := range d.fields {
		if strings.EqualFold(d.fields[i].name, bytesString(key)) {
			return i, false
		}
	}
	return -1, false
}

var errSyntax = errors.New("invalid JSON")

// decode fills out from one JSON object.
func (d *jsonDecoder[T]) decode(line []byte, out *T) error {
	if d.whole {
		return json.Unmarshal(line, out)
	}
	base := unsafe.Pointer(out)
	i := skipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return fmt.Errorf("want a JSON object, have %s", snippet(line[i:]))
	}
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == '}' {
		return trailing(line, i+1)
	}
	for k := 0; ; k++ {
		if i >= len(line) || line[i] != '"' {
			return fmt.Errorf("want a key at byte %d", i)
		}
		ke, esc, err := endString(line, i)
		if err != nil {
			return err
		}
		key := line[i+1 : ke-1]
		if esc {
			var s string
			if err := json.Unmarshal(line[i:ke], &s); err != nil {
				return err
			}
			key = []byte(s)
		}
		i = skipWS(line, ke)
		if i >= len(line) || line[i] != ':' {
			return fmt.Errorf("want ':' after key %q", key)
		}
		i = skipWS(line, i+1)
		f := d.findAt(key, k)
		ve := 0
		if f != nil && i < len(line) && (line[i] == '-' || line[i]-'0' < 10) && f.kind <= fFloat && f.kind != fString {
			// A number into a number field: parsed as it is scanned.
			if ve = f.setNumber(base, line, i); ve < 0 {
				ve, err = endValue(line, i)
				if err != nil {
					return fmt.Errorf("value of %q: %w", key, err)
				}
				if err := f.set(base, line[i:ve]); err != nil {
					return fmt.Errorf("field %q: %w", key, err)
				}
			}
		} else {
			ve, err = endValue(line, i)
			if err != nil {
				return fmt.Errorf("value of %q: %w", key, err)
			}
			if f != nil {
				if f.kind == fString && line[i] == '"' && !needsDecoder(line[i+1:ve-1]) {
					*(*string)(unsafe.Add(base, f.off)) = d.str(line[i+1 : ve-1])
				} else if err := f.set(base, line[i:ve]); err != nil {
					return fmt.Errorf("field %q: %w", key, err)
				}
			}
		}
		i = skipWS(line, ve)
		if i >= len(line) {
			return errors.New("unterminated object")
		}
		if line[i] == '}' {
			return trailing(line, i+1)
		}
		if line[i] != ',' {
			return fmt.Errorf("want ',' or '}' at byte %d, have %q", i, line[i])
		}
		i = skipWS(line, i+1)
	}
}

func snippet(b []byte) string {
	if len(b) > 20 {
		return strconv.Quote(string(b[:20])) + "..."
	}
	return strconv.Quote(string(b))
}

func trailing(line []byte, i int) error {
	if i = skipWS(line, i); i != len(line) {
		return fmt.Errorf("trailing data after the object: %s", snippet(line[i:]))
	}
	return nil
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// endString returns the index after the closing quote of the string at i,
// and whether it holds escapes; a control byte or a malformed escape in it
// is an error, as in encoding/json.
func endString(b []byte, i int) (int, bool, error) {
	esc := false
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1, esc, nil
		case c == '\\':
			esc = true
			j++
			if j >= len(b) {
				break
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(b) || !isHex(b[j+1]) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) {
					return 0, false, fmt.Errorf("invalid escape %s", snippet(b[j-1:]))
				}
				j += 4
			default:
				return 0, false, fmt.Errorf("invalid escape %s", snippet(b[j-1:]))
			}
		case c < 0x20:
			return 0, false, fmt.Errorf("control byte %#x in a string", c)
		}
	}
	return 0, false, errors.New("unterminated string")
}

func isHex(c byte) bool { return c-'0' < 10 || (c|0x20)-'a' < 6 }

// endValue returns the index after the JSON value at i.
func endValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("missing value")
	}
	switch c := b[i]; {
	case c == '"':
		e, _, err := endString(b, i)
		return e, err
	case c == '{' || c == '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e, _, err := endString(b, j)
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
						return 0, fmt.Errorf("invalid value %s", snippet(b[i:]))
					}
					return j + 1, nil
				}
			}
		}
		return 0, errors.New("unterminated object or array")
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(b[i:], []byte(lit)) {
				return i + len(lit), nil
			}
		}
		return 0, fmt.Errorf("invalid literal %s", snippet(b[i:]))
	case c == '-' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || b[j] == '+' || b[j] == '-') {
			j++
		}
		if !isNumber(b[i:j]) {
			return 0, fmt.Errorf("invalid number %s", snippet(b[i:j]))
		}
		return j, nil
	}
	return 0, fmt.Errorf("invalid value %s", snippet(b[i:]))
}

// set stores the JSON value v into the field at base+f.off.
func (f *jsonField) set(base unsafe.Pointer, v []byte) error {
	p := unsafe.Add(base, f.off)
	if len(v) == 4 && string(v) == "null" {
		return nil
	}
	switch f.kind {
	case fString:
		if v[0] != '"' {
			return fmt.Errorf("cannot decode %s into a string", snippet(v))
		}
		s := v[1 : len(v)-1]
		if bytes.IndexByte(s, '\\') >= 0 || !validUTF8Fast(s) {
			var out string
			if err := json.Unmarshal(v, &out); err != nil {
				return err
			}
			*(*string)(p) = out
			return nil
		}
		*(*string)(p) = string(s)
	case fInt:
		if !isNumber(v) {
			return fmt.Errorf("cannot decode %s into %s", snippet(v), f.typ)
		}
		n, err := strconv.ParseInt(bytesString(v), 10, f.bits)
		if err != nil {
			return fmt.Errorf("cannot decode number %s into %s", v, f.typ)
		}
		switch f.bits {
		case 8:
			*(*int8)(p) = int8(n)
		case 16:
			*(*int16)(p) = int16(n)
		case 32:
			*(*int32)(p) = int32(n)
		default:
			*(*int64)(p) = n
		}
	case fUint:
		if !isNumber(v) {
			return fmt.Errorf("cannot decode %s into %s", snippet(v), f.typ)
		}
		n, err := strconv.ParseUint(bytesString(v), 10, f.bits)
		if err != nil {
			return fmt.Errorf("cannot decode number %s into %s", v, f.typ)
		}
		switch f.bits {
		case 8:
			*(*uint8)(p) = uint8(n)
		case 16:
			*(*uint16)(p) = uint16(n)
		case 32:
			*(*uint32)(p) = uint32(n)
		default:
			*(*uint64)(p) = n
		}
	case fFloat:
		if !isNumber(v) {
			return fmt.Errorf("cannot decode %s into %s", snippet(v), f.typ)
		}
		x, err := strconv.ParseFloat(bytesString(v), f.bits)
		if err != nil {
			return fmt.Errorf("cannot decode number %s into %s", v, f.typ)
		}
		if f.bits == 32 {
			*(*float32)(p) = float32(x)
		} else {
			*(*float64)(p) = x
		}
	case fBool:
		switch string(v) {
		case "true":
			*(*bool)(p) = true
		case "false":
			*(*bool)(p) = false
		default:
			return fmt.Errorf("cannot decode %s into bool", snippet(v))
		}
	default:
		return json.Unmarshal(v, reflect.NewAt(f.typ, p).Interface())
	}
	return nil
}

// isNumber checks the JSON number grammar.
func isNumber(v []byte) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	if i >= len(v) {
		return false
	}
	if v[i] == '0' {
		i++
	} else if v[i] >= '1' && v[i] <= '9' {
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(v) && v[i] == '.' {
		i++
		d := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		d := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(v)
}

// validUTF8Fast reports whether s is ASCII without control characters (the
// common case); anything else goes through encoding/json.
func validUTF8Fast(s []byte) bool {
	for _, c := range s {
		if c < 0x20 || c >= 0x80 {
			return false
		}
	}
	return true
}

// needsDecoder reports whether the bytes of a JSON string need encoding/json: an
// escape, a control byte or a non-ASCII byte (validated there).
func needsDecoder(s []byte) bool { return !validUTF8Fast(s) || bytes.IndexByte(s, '\\') >= 0 }

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [23]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// setNumber parses the JSON number at b[i:] into the number field at
// base+f.off and returns the index after it, when it is in the fast cases:
// an integer of at most 19 digits that fits the field, or (into a float64)
// a decimal of at most 19 significant digits whose value m·10^e has m <
// 2^53 and |e| <= 22, which one exact multiplication or division of two
// exact floats rounds correctly, as strconv.ParseFloat does. Otherwise (and
// on a malformed number) it returns -1 and stores nothing: set decides.
func (f *jsonField) setNumber(base unsafe.Pointer, b []byte, i int) int {
	neg := b[i] == '-'
	if neg {
		i++
	}
	var m uint64
	nd, e := 0, 0
	integer := true
	start := i
	if i < len(b) && b[i] == '0' {
		i++
	} else {
		for i < len(b) && b[i]-'0' < 10 {
			if nd >= 19 {
				return -1
			}
			m = m*10 + uint64(b[i]-'0')
			if m != 0 {
				nd++
			}
			i++
		}
	}
	if i == start {
		return -1
	}
	if i < len(b) && b[i] == '.' {
		integer = false
		i++
		d := i
		for i < len(b) && b[i]-'0' < 10 {
			if nd >= 19 {
				return -1
			}
			m = m*10 + uint64(b[i]-'0')
			if m != 0 {
				nd++
			}
			e--
			i++
		}
		if i == d {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		return -1
	}
	if i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n' {
		return -1
	}
	p := unsafe.Add(base, f.off)
	switch f.kind {
	case fFloat:
		if f.bits != 64 || m >= 1<<53 || e < -22 {
			return -1
		}
		x := float64(m) / pow10[-e]
		if neg {
			x = -x
		}
		*(*float64)(p) = x
	case fInt:
		if !integer || m > 1<<63-1 {
			return -1
		}
		n := int64(m)
		if neg {
			n = -n
		}
		switch f.bits {
		case 8:
			if int64(int8(n)) != n {
				return -1
			}
			*(*int8)(p) = int8(n)
		case 16:
			if int64(int16(n)) != n {
				return -1
			}
			*(*int16)(p) = int16(n)
		case 32:
			if int64(int32(n)) != n {
				return -1
			}
			*(*int32)(p) = int32(n)
		default:
			*(*int64)(p) = n
		}
	case fUint:
		if !integer || neg {
			return -1
		}
		switch f.bits {
		case 8:
			if m > 0xff {
				return -1
			}
			*(*uint8)(p) = uint8(m)
		case 16:
			if m > 0xffff {
				return -1
			}
			*(*uint16)(p) = uint16(m)
		case 32:
			if m > 0xffffffff {
				return -1
			}
			*(*uint32)(p) = uint32(m)
		default:
			*(*uint64)(p) = m
		}
	default:
		return -1
	}
	return i
}
