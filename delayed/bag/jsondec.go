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

// find returns the field a key names, or nil.
func (d *jsonDecoder[T]) find(key []byte) *jsonField {
	for i := range d.fields {
		if d.fields[i].name == bytesString(key) {
			return &d.fields[i]
		}
	}
	for i := range d.fields {
		if strings.EqualFold(d.fields[i].name, bytesString(key)) {
			return &d.fields[i]
		}
	}
	return nil
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
	for {
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
		ve, err := endValue(line, i)
		if err != nil {
			return fmt.Errorf("value of %q: %w", key, err)
		}
		if f := d.find(key); f != nil {
			if err := f.set(base, line[i:ve]); err != nil {
				return fmt.Errorf("field %q: %w", key, err)
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
// and whether it holds escapes.
func endString(b []byte, i int) (int, bool, error) {
	esc := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j + 1, esc, nil
		case '\\':
			esc = true
			j++
		}
	}
	return 0, false, errors.New("unterminated string")
}

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
