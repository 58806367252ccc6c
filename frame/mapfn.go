package frame

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
)

// Typed Go functions over columns and rows, without Arrow code.
//
// MapColumn and MapRows take plain Go functions. Tasks are data (see the
// graph package): a task names its function, it does not hold it. A
// function passed directly is known to this process only, so it runs on the
// local executor as it is (nothing to register); an executor that ships
// tasks to other processes (sched.Loopback, sched/cluster) refuses it
// before anything runs, with an error naming the function.
// RegisterColumnFunc and RegisterRowFunc, called at init in the program
// whose binary every worker runs, give a function a stable name, under
// which its tasks run anywhere:
//
//	func eur(usd float64) float64 { return usd * 0.92 }
//	func init() { frame.RegisterColumnFunc("trips.eur", eur) }

// ColumnType is a Go type a column's values can be read as or made of.
type ColumnType interface {
	int64 | float64 | string | bool | time.Time
}

// runner is what a task runs over a partition.
type runner func(arrow.Record) (arrow.Record, error)

// regFunc is a registered function with the maker of its runner (which
// carries the function's Go types, so a process that only decodes the task
// can run it).
type regFunc struct {
	fn   any
	make func(in, out string) runner
}

var (
	funcsByName sync.Map // name -> *regFunc
	funcsByPtr  sync.Map // closure identity -> name
)

// RegisterColumnFunc registers fn under name, so MapColumn tasks calling it
// run on remote executors (a process running the same binary finds it by
// name). Call it from an init function. It panics on an empty name or a
// name registered twice for different functions.
func RegisterColumnFunc[T, U ColumnType](name string, fn func(T) U) {
	register(name, fn, func(in, out string) runner {
		return func(r arrow.Record) (arrow.Record, error) { return mapColumnRecord(r, in, out, fn) }
	})
}

// RegisterRowFunc registers fn under name for MapRows, as
// RegisterColumnFunc does for MapColumn.
func RegisterRowFunc[T, U any](name string, fn func(T) U) {
	register(name, fn, func(string, string) runner { return mapRowsRunner(fn) })
}

func register(name string, fn any, mk func(in, out string) runner) {
	if name == "" || fn == nil {
		panic(fmt.Sprintf("frame: RegisterColumnFunc/RegisterRowFunc(%q, %T): want a name and a function", name, fn))
	}
	if old, dup := funcsByName.LoadOrStore(name, &regFunc{fn: fn, make: mk}); dup && funcID(old.(*regFunc).fn) != funcID(fn) {
		panic("frame: function name " + name + " registered twice")
	}
	funcsByPtr.Store(funcID(fn), name)
}

// funcID is the identity of a func value: the pointer to its closure record
// (static for a top-level function, one per closure instance otherwise).
func funcID(fn any) uintptr {
	return uintptr((*[2]unsafe.Pointer)(unsafe.Pointer(&fn))[1])
}

func funcName(fn any) string {
	if f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()); f != nil {
		return f.Name()
	}
	return fmt.Sprintf("%T", fn)
}

// fnRef is how a task names its function: the registered name, or for an
// unregistered one its runtime name and closure identity (in the key, so
// two closures never share one), with the function itself held locally.
type fnRef struct {
	name string // registered name; "" when unregistered
	desc string // runtime name, for labels and errors
	id   uint64 // closure identity when unregistered
	fn   any
}

func refOf(fn any) fnRef {
	r := fnRef{desc: funcName(fn), fn: fn}
	if n, ok := funcsByPtr.Load(funcID(fn)); ok {
		r.name = n.(string)
	} else {
		r.id = uint64(funcID(fn))
	}
	return r
}

func (r fnRef) append(b []byte) []byte {
	b = graph.AppendBytes(b, []byte(r.name))
	b = graph.AppendBytes(b, []byte(r.desc))
	return appendUvarint(b, r.id)
}

func readRef(rd *graph.Reader) (fnRef, error) {
	r := fnRef{name: string(rd.Bytes()), desc: string(rd.Bytes()), id: rd.Uvarint()}
	if rd.Err() != nil {
		return r, rd.Err()
	}
	if r.name == "" {
		return r, fmt.Errorf("function %s is not registered (frame.RegisterColumnFunc, RegisterRowFunc): it cannot run in another process", r.desc)
	}
	reg, ok := funcsByName.Load(r.name)
	if !ok {
		return r, fmt.Errorf("function %q is not registered in this process (frame.RegisterColumnFunc, RegisterRowFunc)", r.name)
	}
	r.fn = reg.(*regFunc).fn
	return r, nil
}

func (r fnRef) ship() error {
	if r.name == "" {
		return fmt.Errorf("frame: function %s is not registered: register it at init with frame.RegisterColumnFunc (MapColumn) or frame.RegisterRowFunc (MapRows) to run it on a remote executor (it runs as it is on the local one)", r.desc)
	}
	return nil
}

// MapColumn applies fn to every non-null value of column in and puts the
// results in column out (replacing it when it exists, else added last), as
// pandas' df[out] = df[in].map(fn, na_action="ignore"): a null stays null
// and fn is not called for it. T must be the column's type (int64, float64,
// string, bool, time.Time); U is the output's. fn must be safe to call from
// several goroutines (partitions run in parallel).
//
//	df = frame.MapColumn(df, "fare", "fare_eur", func(usd float64) float64 { return usd * 0.92 })
func MapColumn[T, U ColumnType](f *Frame, in, out string, fn func(T) U) *Frame {
	if f.err != nil {
		return f
	}
	k, err := f.fieldKind("MapColumn", in)
	if err != nil {
		return errFrame(err)
	}
	var t T
	var u U
	if want := goKind(t); want != k {
		return errFrame(fmt.Errorf("frame: MapColumn: column %q is %s; the function takes %T", in, k.dtype(), t))
	}
	var fields []arrow.Field
	replaced := false
	for _, fl := range f.n.schema.Fields() {
		if fl.Name == out {
			fl = arrow.Field{Name: out, Type: goKind(u).dtype(), Nullable: true}
			replaced = true
		}
		fields = append(fields, fl)
	}
	if !replaced {
		fields = append(fields, arrow.Field{Name: out, Type: goKind(u).dtype(), Nullable: true})
	}
	e := &mapExt{kind: "column", in: in, out: out, ref: refOf(fn), run: func(r arrow.Record) (arrow.Record, error) {
		return mapColumnRecord(r, in, out, fn)
	}}
	return f.deriveExt(e, arrow.NewSchema(fields, nil))
}

// MapRows applies fn to every row, read as a T (by ToStructs' rules), and
// makes a frame of the U values it returns (columns by FromStructs' rules);
// the partitioning is kept. fn must be safe to call from several goroutines.
//
//	type Trip struct{ Fare, Tip float64 }
//	type Out struct{ Pct float64 }
//	pct := frame.MapRows(df, func(t Trip) Out { return Out{100 * t.Tip / t.Fare} })
func MapRows[T, U any](f *Frame, fn func(T) U) *Frame {
	if f.err != nil {
		return f
	}
	empty := &Table{rec: emptyRecord(f.n.schema)}
	if _, err := structFiller(reflect.TypeOf((*T)(nil)).Elem(), empty); err != nil {
		return errFrame(fmt.Errorf("frame: MapRows: %w", err))
	}
	sample, err := structsRecord[U](nil)
	if err != nil {
		return errFrame(fmt.Errorf("frame: MapRows: %w", err))
	}
	e := &mapExt{kind: "rows", ref: refOf(fn), run: mapRowsRunner(fn)}
	return f.deriveExt(e, sample.Schema())
}

func mapRowsRunner[T, U any](fn func(T) U) runner {
	return func(r arrow.Record) (arrow.Record, error) {
		rows, err := ToStructs[T](&Table{rec: r})
		if err != nil {
			return nil, err
		}
		outs := make([]U, len(rows))
		for i, x := range rows {
			outs[i] = fn(x)
		}
		return structsRecord(outs)
	}
}

// goKind is the column kind of a Go value's type.
func goKind(v any) kind {
	switch v.(type) {
	case int64:
		return kInt
	case float64:
		return kFloat
	case string:
		return kStr
	case bool:
		return kBool
	case time.Time:
		return kTime
	}
	return kInvalid
}

func mapColumnRecord[T, U ColumnType](r arrow.Record, in, out string, fn func(T) U) (arrow.Record, error) {
	idx := r.Schema().FieldIndices(in)
	if len(idx) == 0 {
		return nil, fmt.Errorf("no column %q", in)
	}
	c := colOf(r.Column(idx[0]))
	n := c.n
	res := make([]U, n)
	var valid []bool
	if c.valid != nil {
		valid = make([]bool, n)
	}
	var x T
	for i := 0; i < n; i++ {
		if c.null(i) {
			continue
		}
		if valid != nil {
			valid[i] = true
		}
		var v any
		switch c.k {
		case kInt:
			v = c.i64[i]
		case kFloat:
			v = c.f64[i]
		case kStr:
			v = string(c.str(i))
		case kBool:
			v = c.boolAt(i)
		case kTime:
			v = time.UnixMicro(c.i64[i]).UTC()
		}
		x = v.(T)
		res[i] = fn(x)
	}
	a := goArray(res, valid)
	var fields []arrow.Field
	var cols []arrow.Array
	replaced := false
	for j, fl := range r.Schema().Fields() {
		if fl.Name == out {
			fields, cols = append(fields, arrow.Field{Name: out, Type: a.DataType(), Nullable: true}), append(cols, a)
			replaced = true
			continue
		}
		fields, cols = append(fields, fl), append(cols, r.Column(j))
	}
	if !replaced {
		fields, cols = append(fields, arrow.Field{Name: out, Type: a.DataType(), Nullable: true}), append(cols, a)
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n)), nil
}

// goArray makes an Arrow array of Go values (valid nil: no nulls).
func goArray[U ColumnType](vs []U, valid []bool) arrow.Array {
	switch x := any(vs).(type) {
	case []int64:
		return int64Array(x, valid)
	case []float64:
		return float64Array(x, valid)
	case []bool:
		return boolArray(x, valid)
	case []string:
		sb := newStrBuilder(len(x))
		for i, s := range x {
			if valid != nil && !valid[i] {
				sb.addNull()
			} else {
				sb.add([]byte(s))
			}
		}
		return sb.array()
	case []time.Time:
		us := make([]int64, len(x))
		for i, t := range x {
			us[i] = t.UnixMicro()
		}
		return timeArray(us, valid)
	}
	panic("unreachable")
}

// mapExt is a MapColumn or MapRows node: a task per partition running the
// function.
type mapExt struct {
	kind    string // "column" or "rows"
	in, out string
	ref     fnRef
	run     runner
}

func (e *mapExt) describe() string {
	if e.kind == "column" {
		return fmt.Sprintf("map-column %s -> %s by %s", e.in, e.out, e.ref.desc)
	}
	return "map-rows by " + e.ref.desc
}

func (e *mapExt) parts(n *node) int { return partsOf(n.in) }

// need: MapColumn reads its input column and passes the others through;
// MapRows may read any column.
func (e *mapExt) need(out map[string]bool) map[string]bool {
	if out == nil || e.kind != "column" {
		return nil
	}
	m := map[string]bool{}
	for c := range out {
		if c != e.out {
			m[c] = true
		}
	}
	m[e.in] = true
	return m
}

func (e *mapExt) lower(b *builder, _ *node, ps, _ []pend) ([]pend, error) {
	keys, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	out := make([]pend, len(keys))
	for i, k := range keys {
		t, err := b.add(&mapFnOp{e: e}, k)
		if err != nil {
			return nil, err
		}
		out[i] = pend{deps: []graph.Key{t}}
	}
	return out, nil
}

// mapFnOp runs a MapColumn or MapRows function over one partition.
type mapFnOp struct{ e *mapExt }

func (o *mapFnOp) Name() string { return "frame.mapfn" }
func (o *mapFnOp) Label() string {
	d := o.e.ref.desc
	if i := strings.LastIndexByte(d, '/'); i >= 0 {
		d = d[i+1:]
	}
	return "map-" + d
}
func (o *mapFnOp) Params() ([]byte, error) {
	b := appendStrings(nil, []string{o.e.kind, o.e.in, o.e.out})
	return o.e.ref.append(b), nil
}

// Ship implements graph.Shipper: an unregistered function cannot travel.
func (o *mapFnOp) Ship() error { return o.e.ref.ship() }

func (o *mapFnOp) Run(_ context.Context, in []any) (any, error) {
	r, err := o.e.run(in[0].(*Part).R)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.e.describe(), err)
	}
	return &Part{R: r}, nil
}

func init() {
	graph.Register("frame.mapfn", func(p []byte) (graph.Op, error) {
		rd := graph.NewReader(p)
		s := readStrings(rd)
		if len(s) != 3 {
			return nil, fmt.Errorf("bad mapfn params")
		}
		ref, err := readRef(rd)
		if err != nil {
			return nil, err
		}
		reg, _ := funcsByName.Load(ref.name)
		e := &mapExt{kind: s[0], in: s[1], out: s[2], ref: ref}
		e.run = reg.(*regFunc).make(s[1], s[2])
		return &mapFnOp{e: e}, nil
	})
}
