package frame

import (
	"fmt"
	"reflect"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

var timeType = reflect.TypeOf(time.Time{})

// columnOfField is the column an exported struct field stands for: its
// `frame:"name"` tag, else its name; false for an unexported field or a
// tag of "-".
func columnOfField(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	if tag, ok := f.Tag.Lookup("frame"); ok {
		if tag == "-" {
			return "", false
		}
		if tag != "" {
			return tag, true
		}
	}
	return f.Name, true
}

// FromStructs makes a frame with one row per element of rows, split into
// nparts partitions of near-equal size. Every exported field of T becomes a
// column, named by its `frame:"name"` tag or else the field name; a tag of
// "-" leaves the field out. Fields may be signed or unsigned integers
// (int64 columns), float32/float64, string, bool or time.Time (timestamp);
// a pointer to one of these gives a nullable column where nil is null.
// Other field types are an error naming the field.
func FromStructs[T any](nparts int, rows []T) *Frame {
	rec, err := structsRecord(rows)
	if err != nil {
		return errFrame(err)
	}
	return splitRecord(rec, nparts)
}

// structsRecord makes one record of rows by FromStructs' rules.
func structsRecord[T any](rows []T) (arrow.Record, error) {
	rt := reflect.TypeOf((*T)(nil)).Elem()
	if rt.Kind() != reflect.Struct {
		return nil, fmt.Errorf("frame: FromStructs: %s is not a struct type", rt)
	}
	type col struct {
		idx   int
		name  string
		typ   reflect.Type // element type (pointer removed)
		ptr   bool
		valid []bool
		i64   []int64
		f64   []float64
		bools []bool
		str   *strBuilder
	}
	var cols []*col
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		name, ok := columnOfField(f)
		if !ok {
			continue
		}
		c := &col{idx: i, name: name, typ: f.Type}
		if f.Type.Kind() == reflect.Pointer {
			c.typ, c.ptr = f.Type.Elem(), true
			c.valid = make([]bool, 0, len(rows))
		}
		switch {
		case c.typ == timeType:
			c.i64 = make([]int64, 0, len(rows))
		case c.typ.Kind() >= reflect.Int && c.typ.Kind() <= reflect.Uint64:
			c.i64 = make([]int64, 0, len(rows))
		case c.typ.Kind() == reflect.Float32 || c.typ.Kind() == reflect.Float64:
			c.f64 = make([]float64, 0, len(rows))
		case c.typ.Kind() == reflect.Bool:
			c.bools = make([]bool, 0, len(rows))
		case c.typ.Kind() == reflect.String:
			c.str = newStrBuilder(len(rows))
		default:
			return nil, fmt.Errorf("frame: FromStructs: field %s.%s has unsupported type %s (want integers, floats, string, bool, time.Time or pointers to them)", rt.Name(), f.Name, f.Type)
		}
		cols = append(cols, c)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("frame: FromStructs: %s has no exported fields", rt)
	}
	for r := range rows {
		v := reflect.ValueOf(&rows[r]).Elem()
		for _, c := range cols {
			fv := v.Field(c.idx)
			if c.ptr {
				if fv.IsNil() {
					c.valid = append(c.valid, false)
					switch {
					case c.i64 != nil:
						c.i64 = append(c.i64, 0)
					case c.f64 != nil:
						c.f64 = append(c.f64, 0)
					case c.bools != nil:
						c.bools = append(c.bools, false)
					default:
						c.str.addNull()
					}
					continue
				}
				c.valid = append(c.valid, true)
				fv = fv.Elem()
			}
			switch {
			case c.typ == timeType:
				c.i64 = append(c.i64, fv.Interface().(time.Time).UnixMicro())
			case c.i64 != nil:
				if fv.CanInt() {
					c.i64 = append(c.i64, fv.Int())
				} else {
					u := fv.Uint()
					if u > 1<<63-1 {
						return nil, fmt.Errorf("frame: FromStructs: row %d field %s: %d overflows int64", r, c.name, u)
					}
					c.i64 = append(c.i64, int64(u))
				}
			case c.f64 != nil:
				c.f64 = append(c.f64, fv.Float())
			case c.bools != nil:
				c.bools = append(c.bools, fv.Bool())
			default:
				c.str.add([]byte(fv.String()))
			}
		}
	}
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		var valid []bool
		if c.ptr {
			valid = c.valid
		}
		switch {
		case c.typ == timeType:
			arrs[i] = timeArray(c.i64, valid)
		case c.i64 != nil:
			arrs[i] = int64Array(c.i64, valid)
		case c.f64 != nil:
			arrs[i] = float64Array(c.f64, valid)
		case c.bools != nil:
			arrs[i] = boolArray(c.bools, valid)
		default:
			arrs[i] = c.str.array()
		}
		fields[i] = arrow.Field{Name: c.name, Type: arrs[i].DataType(), Nullable: true}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(len(rows))), nil
}
