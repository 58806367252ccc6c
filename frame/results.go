package frame

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/sched"
)

// Getting results into Go values without type assertions: Scalar for a
// one-cell result, the typed column accessors of Table, ToStructs and the
// row iterators, ComputeAll for several frames at once.

var durationType = reflect.TypeOf(time.Duration(0))

// ErrNull is returned (wrapped) by Scalar when the one value is null and T
// has no NaN to stand for it.
var ErrNull = errors.New("frame: the value is null")

// ScalarType is what Scalar can return.
type ScalarType interface {
	int64 | float64 | string | bool | time.Time
}

// Scalar computes f, which must give one row and one column (a whole-frame
// aggregation such as f.Agg(Col("v").Sum()) or f.Sum("v")), and returns its
// value as T. An int64 column may be read as float64; any other mismatch
// of T and the column's type is an error naming both. A null float64 comes
// back as NaN; a null of another type is an error wrapping ErrNull.
//
//	total, err := frame.Scalar[float64](ctx, df.Sum("fare"))
func Scalar[T ScalarType](ctx context.Context, f *Frame, opts ...sched.Option) (T, error) {
	var zero T
	t, err := f.Compute(ctx, opts...)
	if err != nil {
		return zero, err
	}
	return TableScalar[T](t)
}

// TableScalar returns the one value of a one-row, one-column table as T, by
// Scalar's rules.
func TableScalar[T ScalarType](t *Table) (T, error) {
	var zero T
	rec := t.record()
	if rec.NumCols() != 1 || rec.NumRows() != 1 {
		return zero, fmt.Errorf("frame: Scalar: the result has %d rows and %d columns (%s), not one of each", rec.NumRows(), rec.NumCols(), schemaCols(rec.Schema()))
	}
	name := rec.Schema().Field(0).Name
	c := colOf(rec.Column(0))
	var out any = &zero
	switch p := out.(type) {
	case *float64:
		switch {
		case c.k == kFloat && c.null(0):
			*p = math.NaN()
		case c.k == kFloat:
			*p = c.f64[0]
		case c.k == kInt && !c.null(0):
			*p = float64(c.i64[0])
		case c.k == kInt:
			*p = math.NaN()
		default:
			return zero, fmt.Errorf("frame: Scalar[float64]: column %q is %s", name, rec.Column(0).DataType())
		}
		return zero, nil
	case *int64:
		if c.k != kInt {
			return zero, fmt.Errorf("frame: Scalar[int64]: column %q is %s (use Scalar[float64] or Cast)", name, rec.Column(0).DataType())
		}
	case *string:
		if c.k != kStr {
			return zero, fmt.Errorf("frame: Scalar[string]: column %q is %s", name, rec.Column(0).DataType())
		}
	case *bool:
		if c.k != kBool {
			return zero, fmt.Errorf("frame: Scalar[bool]: column %q is %s", name, rec.Column(0).DataType())
		}
	case *time.Time:
		if c.k != kTime {
			return zero, fmt.Errorf("frame: Scalar[time.Time]: column %q is %s", name, rec.Column(0).DataType())
		}
	}
	if c.null(0) {
		return zero, fmt.Errorf("frame: Scalar: column %q: %w", name, ErrNull)
	}
	v, _ := t.Get(0, name)
	return v.(T), nil
}

// ComputeAll computes several frames in one run, sharing their common work
// (a Parquet column or a CSV/JSON range read by several of them is read
// once: see ShareWith), and returns their tables in order: the typed form
// of sched.Compute for frames.
//
//	byDay, byHour, err := frame.Compute2(ctx, f1, f2)
func ComputeAll(ctx context.Context, frames []*Frame, opts ...sched.Option) ([]*Table, error) {
	cs := make([]sched.Collection, len(frames))
	for i, f := range frames {
		if f.err != nil {
			return nil, fmt.Errorf("frame: ComputeAll: frame %d: %w", i, f.err)
		}
		cs[i] = f
	}
	out, err := sched.Compute(ctx, cs, opts...) // shares CSV/JSON reads (ShareWith)
	if err != nil {
		return nil, err
	}
	ts := make([]*Table, len(out))
	for i, v := range out {
		ts[i] = v.(*Table)
	}
	return ts, nil
}

// Compute2 computes two frames in one run (see ComputeAll).
func Compute2(ctx context.Context, a, b *Frame, opts ...sched.Option) (*Table, *Table, error) {
	ts, err := ComputeAll(ctx, []*Frame{a, b}, opts...)
	if err != nil {
		return nil, nil, err
	}
	return ts[0], ts[1], nil
}

// Compute3 computes three frames in one run (see ComputeAll).
func Compute3(ctx context.Context, a, b, c *Frame, opts ...sched.Option) (*Table, *Table, *Table, error) {
	ts, err := ComputeAll(ctx, []*Frame{a, b, c}, opts...)
	if err != nil {
		return nil, nil, nil, err
	}
	return ts[0], ts[1], ts[2], nil
}

// Col returns the named column, or an error naming the columns there are
// (Column returns nil instead).
func (t *Table) Col(name string) (arrow.Array, error) {
	j, err := t.colIndex(name)
	if err != nil {
		return nil, err
	}
	return t.record().Column(j), nil
}

// colIndex returns the position of the named column, or Col's error.
func (t *Table) colIndex(name string) (int, error) {
	idx := t.Schema().FieldIndices(name)
	if len(idx) == 0 {
		return 0, fmt.Errorf("frame: Table: unknown column %q; the columns are %s", name, schemaCols(t.Schema()))
	}
	return idx[0], nil
}

// Get returns the cell at (row, column name) as Value does, or an error for
// an unknown column or a row out of range (Value returns nil for both, as
// for a null).
func (t *Table) Get(row int, name string) (any, error) {
	if _, err := t.colIndex(name); err != nil {
		return nil, err
	}
	if row < 0 || row >= t.NumRows() {
		return nil, fmt.Errorf("frame: Table: row %d out of range [0, %d)", row, t.NumRows())
	}
	return t.Value(row, name), nil
}

// Int64s returns an int64 column's values (0 where null; Valid tells which).
// Another type is an error.
func (t *Table) Int64s(name string) ([]int64, error) {
	cs, err := t.typedCols("Int64s", name, kInt)
	if err != nil {
		return nil, err
	}
	out := make([]int64, 0, t.NumRows())
	for _, c := range cs {
		at := len(out)
		out = append(out, c.i64...)
		if c.valid != nil {
			for i := 0; i < c.n; i++ {
				if c.null(i) {
					out[at+i] = 0
				}
			}
		}
	}
	return out, nil
}

// Bools returns a bool column's values (false where null).
func (t *Table) Bools(name string) ([]bool, error) {
	cs, err := t.typedCols("Bools", name, kBool)
	if err != nil {
		return nil, err
	}
	out := make([]bool, 0, t.NumRows())
	for _, c := range cs {
		for i := 0; i < c.n; i++ {
			out = append(out, !c.null(i) && c.boolAt(i))
		}
	}
	return out, nil
}

// Times returns a timestamp column's values in UTC (the zero time where
// null).
func (t *Table) Times(name string) ([]time.Time, error) {
	cs, err := t.typedCols("Times", name, kTime)
	if err != nil {
		return nil, err
	}
	out := make([]time.Time, 0, t.NumRows())
	for _, c := range cs {
		for i := 0; i < c.n; i++ {
			var v time.Time
			if !c.null(i) {
				v = time.UnixMicro(c.i64[i]).UTC()
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// Valid reports, row by row, whether the named column holds a value (not
// null).
func (t *Table) Valid(name string) ([]bool, error) {
	as, err := t.colChunks("Valid", name)
	if err != nil {
		return nil, err
	}
	out := make([]bool, 0, t.NumRows())
	for _, a := range as {
		for i := 0; i < a.Len(); i++ {
			out = append(out, a.IsValid(i))
		}
	}
	return out, nil
}

// Format returns any column's cells as printed ("<NA>" for a null, "NaN"
// for a null float).
func (t *Table) Format(name string) ([]string, error) {
	as, err := t.colChunks("Format", name)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, t.NumRows())
	for _, a := range as {
		c := colOf(a)
		for i := 0; i < c.n; i++ {
			out = append(out, cell(&c, i))
		}
	}
	return out, nil
}

// Slice returns rows [i, j) as a table (no copy). It prints with the rows'
// positions in t as its index, as pandas' iloc does. Out of range bounds
// are clamped.
func (t *Table) Slice(i, j int) *Table {
	n := t.NumRows()
	i, j = max(0, min(i, n)), max(0, min(j, n))
	if j < i {
		j = i
	}
	if t.parts == nil {
		return &Table{rec: t.rec.NewSlice(int64(i), int64(j)), start: t.start + i}
	}
	var parts []arrow.Record
	lo := 0
	for _, r := range t.parts {
		hi := lo + int(r.NumRows())
		if a, b := max(i, lo), min(j, hi); a < b {
			parts = append(parts, r.NewSlice(int64(a-lo), int64(b-lo)))
		}
		lo = hi
	}
	switch len(parts) {
	case 0:
		return &Table{rec: t.parts[0].NewSlice(0, 0), start: t.start + i}
	case 1:
		return &Table{rec: parts[0], start: t.start + i}
	}
	return &Table{parts: parts, n: j - i, join: &joinOnce{}, start: t.start + i}
}

// Head returns the first n rows (all when fewer).
func (t *Table) Head(n int) *Table { return t.Slice(0, n) }

// Tail returns the last n rows (all when fewer).
func (t *Table) Tail(n int) *Table { return t.Slice(t.NumRows()-n, t.NumRows()) }

// Rows iterates over the rows: the row number and the row's values, in
// column order, as Value gives them (int64, float64, string, bool,
// time.Time or nil for null). Each row is a fresh slice. The function is an
// iter.Seq2[int, []any] (a module at go 1.23 or later ranges over it).
//
//	for i, row := range t.Rows() { ... }
func (t *Table) Rows() func(yield func(int, []any) bool) {
	return func(yield func(int, []any) bool) {
		names := t.Columns()
		for i := 0; i < t.NumRows(); i++ {
			row := make([]any, len(names))
			for j, nm := range names {
				row[j] = t.Value(i, nm)
			}
			if !yield(i, row) {
				return
			}
		}
	}
}

// ToStructs returns the rows of t as values of the struct type T, the
// reverse of FromStructs: each exported field takes the column named by its
// `frame:"name"` tag or else the field name ("-" leaves it out). A field
// whose column is missing, or whose type cannot hold the column's
// (int64 columns go to signed or unsigned integer fields, checked for
// overflow; float64 to float32/float64; string; bool; timestamp and date
// to time.Time; duration to time.Duration; an int64 column also to float
// fields), is an error naming the
// field. A null becomes nil in a pointer field, NaN in a float field and the
// zero value in any other field; columns no field names are ignored.
func ToStructs[T any](t *Table) ([]T, error) {
	out := make([]T, 0, t.NumRows())
	var ferr error
	StructRows[T](t)(func(v T, err error) bool {
		if err != nil {
			ferr = err
			return false
		}
		out = append(out, v)
		return true
	})
	if ferr != nil {
		return nil, ferr
	}
	return out, nil
}

// StructRows iterates over the rows of t as values of T, by ToStructs'
// rules; a mismatch of T and t is yielded once as an error. The function is
// an iter.Seq2[T, error].
func StructRows[T any](t *Table) func(yield func(T, error) bool) {
	return func(yield func(T, error) bool) {
		var zero T
		fill, err := structFiller(reflect.TypeOf((*T)(nil)).Elem(), t)
		if err != nil {
			yield(zero, err)
			return
		}
		for i := 0; i < t.NumRows(); i++ {
			var v T
			if err := fill(reflect.ValueOf(&v).Elem(), i); err != nil {
				yield(zero, err)
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}

// structFiller checks rt against t's columns and returns a function setting
// the fields of a value of rt from row i.
func structFiller(rt reflect.Type, t *Table) (func(v reflect.Value, i int) error, error) {
	if rt.Kind() != reflect.Struct {
		return nil, fmt.Errorf("frame: ToStructs: %s is not a struct type", rt)
	}
	type field struct {
		idx  int
		name string
		typ  reflect.Type
		ptr  bool
		c    col
	}
	var fs []field
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		name, ok := columnOfField(f)
		if !ok {
			continue
		}
		a, err := t.Col(name)
		if err != nil {
			return nil, fmt.Errorf("frame: ToStructs: field %s.%s: %w", rt.Name(), f.Name, err)
		}
		fd := field{idx: i, name: name, typ: f.Type, c: colOf(a)}
		if f.Type.Kind() == reflect.Pointer {
			fd.typ, fd.ptr = f.Type.Elem(), true
		}
		k, ft := fd.c.k, fd.typ
		ok = false
		switch {
		case ft == timeType:
			ok = k == kTime || k == kDate
		case ft == durationType:
			ok = k == kDur
		case ft.Kind() >= reflect.Int && ft.Kind() <= reflect.Uint64:
			ok = k == kInt
		case ft.Kind() == reflect.Float32 || ft.Kind() == reflect.Float64:
			ok = k == kFloat || k == kInt
		case ft.Kind() == reflect.String:
			ok = k == kStr
		case ft.Kind() == reflect.Bool:
			ok = k == kBool
		}
		if !ok {
			return nil, fmt.Errorf("frame: ToStructs: field %s.%s (%s) cannot hold column %q (%s)", rt.Name(), f.Name, f.Type, name, a.DataType())
		}
		fs = append(fs, fd)
	}
	return func(v reflect.Value, i int) error {
		for _, f := range fs {
			fv := v.Field(f.idx)
			if f.c.null(i) {
				if !f.ptr && (f.typ.Kind() == reflect.Float32 || f.typ.Kind() == reflect.Float64) {
					fv.SetFloat(math.NaN())
				}
				continue
			}
			if f.ptr {
				p := reflect.New(f.typ)
				fv.Set(p)
				fv = p.Elem()
			}
			switch {
			case f.typ == timeType && f.c.k == kDate:
				fv.Set(reflect.ValueOf(dateTime(f.c.i64[i])))
			case f.typ == timeType:
				fv.Set(reflect.ValueOf(time.UnixMicro(f.c.i64[i]).UTC()))
			case f.typ == durationType:
				fv.SetInt(int64(time.Duration(f.c.i64[i]) * time.Microsecond))
			case fv.CanInt():
				x := f.c.i64[i]
				if fv.OverflowInt(x) {
					return fmt.Errorf("frame: ToStructs: row %d column %q: %d overflows %s", i, f.name, x, f.typ)
				}
				fv.SetInt(x)
			case fv.CanUint():
				x := f.c.i64[i]
				if x < 0 || fv.OverflowUint(uint64(x)) {
					return fmt.Errorf("frame: ToStructs: row %d column %q: %d overflows %s", i, f.name, x, f.typ)
				}
				fv.SetUint(uint64(x))
			case fv.CanFloat():
				fv.SetFloat(f.c.float(i))
			case f.typ.Kind() == reflect.String:
				fv.SetString(string(f.c.str(i)))
			case f.typ.Kind() == reflect.Bool:
				fv.SetBool(f.c.boolAt(i))
			}
		}
		return nil
	}, nil
}
