package frame

import (
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/frame/internal/listkern"
	"github.com/godask/godask/graph"
)

// List columns (Arrow list<utf8>): SplitList makes them from a string
// column, as pandas' s.str.split(sep); ListLen, ListGet and Explode are
// what a pandas user does with them next (s.str.len(), s.str.get(i),
// df.explode(col)). They pass through selections, filters, sorts (not as
// keys), Persist and Parquet. Each is one task per partition.

// ListString is the type of SplitList's columns: list<utf8>.
var ListString = listkern.StringList

// SplitList adds (or replaces) column out: the strings of col split by
// sep, as pandas' str.split(sep, n=...): n > 0 splits at most n times, n
// <= 0 at every sep; sep "" splits on runs of whitespace. A null string
// gives a null list.
func (f *Frame) SplitList(col, sep string, n int, out string) *Frame {
	return f.listOp("SplitList", "split", col, out, sep, int64(n), kStr)
}

// ListLen adds (or replaces) column out: the number of elements of each
// list of col (Int64; null for a null list).
func (f *Frame) ListLen(col, out string) *Frame {
	return f.listOp("ListLen", "len", col, out, "", 0, kInvalid)
}

// ListGet adds (or replaces) column out: element i of each list of col
// (i < 0 counts from the end); null where the list is null or too short,
// as pandas' str.get(i).
func (f *Frame) ListGet(col string, i int, out string) *Frame {
	return f.listOp("ListGet", "get", col, out, "", int64(i), kInvalid)
}

// Explode replaces the list column col by its elements, one row per
// element with the other columns repeated (pandas' df.explode(col)); an
// empty or null list gives one row with a null element.
func (f *Frame) Explode(col string) *Frame {
	return f.listOp("Explode", "explode", col, col, "", 0, kInvalid)
}

func (f *Frame) listOp(what, kind, col, out, sep string, n int64, want kind) *Frame {
	if f.err != nil {
		return f
	}
	s := f.n.schema
	ix := s.FieldIndices(col)
	if len(ix) == 0 {
		return errFrame(fmt.Errorf("frame: %s: no column %q (columns: %s)", what, col, schemaCols(s)))
	}
	t := s.Field(ix[0]).Type
	if want == kStr && kindOf(t) != kStr {
		return errFrame(fmt.Errorf("frame: %s: column %q is %s, not a string", what, col, t))
	}
	if want == kInvalid && !arrow.TypeEqual(t, ListString) {
		return errFrame(fmt.Errorf("frame: %s: column %q is %s, not a list of strings (SplitList makes one)", what, col, t))
	}
	if out == "" {
		return errFrame(fmt.Errorf("frame: %s: empty output column name", what))
	}
	var ot arrow.DataType
	switch kind {
	case "split":
		ot = ListString
	case "len":
		ot = Int64
	default:
		ot = String
	}
	fields := append([]arrow.Field(nil), s.Fields()...)
	if oi := s.FieldIndices(out); len(oi) > 0 {
		fields[oi[0]] = arrow.Field{Name: out, Type: ot, Nullable: true}
	} else {
		fields = append(fields, arrow.Field{Name: out, Type: ot, Nullable: true})
	}
	return f.deriveExt(&listExt{kind: kind, col: col, out: out, sep: sep, n: n}, arrow.NewSchema(fields, nil))
}

type listExt struct {
	kind, col, out, sep string
	n                   int64
}

func (e *listExt) describe() string { return fmt.Sprintf("list %s %s -> %s", e.kind, e.col, e.out) }

func (e *listExt) parts(n *node) int { return partsOf(n.in) }

func (e *listExt) need(out map[string]bool) map[string]bool {
	if out == nil {
		return nil
	}
	m := map[string]bool{}
	for k := range out {
		if k != e.out {
			m[k] = true
		}
	}
	m[e.col] = true
	return m
}

func (e *listExt) lower(b *builder, _ *node, ps, _ []pend) ([]pend, error) {
	keys, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	out := make([]pend, len(keys))
	for i, k := range keys {
		t, err := b.add(&winOp{kind: "list", fn: e.kind, cols: []string{e.col}, names: []string{e.out}, on: e.sep, ints: []int64{e.n}, piece: -1}, k)
		if err != nil {
			return nil, err
		}
		out[i] = pend{deps: []graph.Key{t}}
	}
	return out, nil
}

// runList is the kernel of the list operations on one partition.
func runList(o *winOp, in []any) (any, error) {
	if len(in) != 1 || len(o.cols) != 1 || len(o.names) != 1 || len(o.ints) != 1 {
		return nil, fmt.Errorf("frame: list %s: malformed task", o.fn)
	}
	r := partRecord(in[0])
	if r == nil {
		return nil, fmt.Errorf("frame: list %s: input is not a partition", o.fn)
	}
	ix := r.Schema().FieldIndices(o.cols[0])
	if len(ix) == 0 {
		return nil, fmt.Errorf("frame: list %s: no column %q", o.fn, o.cols[0])
	}
	a := r.Column(ix[0])
	var res arrow.Array
	switch o.fn {
	case "split":
		s, ok := a.(*array.String)
		if !ok {
			return nil, fmt.Errorf("frame: SplitList: column %q is %s, not a string", o.cols[0], a.DataType())
		}
		res = listkern.Split(s, o.on, int(o.ints[0]))
	case "len", "get", "explode":
		l, ok := a.(*array.List)
		if !ok {
			return nil, fmt.Errorf("frame: list %s: column %q is %s, not a list", o.fn, o.cols[0], a.DataType())
		}
		switch o.fn {
		case "len":
			vals, valid := listkern.Len(l)
			res = int64Array(vals, valid)
		case "get":
			g, err := listkern.Get(l, int(o.ints[0]))
			if err != nil {
				return nil, fmt.Errorf("frame: ListGet: column %q: %w", o.cols[0], err)
			}
			res = g
		default:
			rows, elems, err := listkern.Explode(l)
			if err != nil {
				return nil, fmt.Errorf("frame: Explode: column %q: %w", o.cols[0], err)
			}
			r = takeRecord(r, rows)
			res = elems
		}
	default:
		return nil, fmt.Errorf("frame: unknown list operation %q", o.fn)
	}
	return &Part{R: withColumn(r, o.names[0], res)}, nil
}

// withColumn is r with column name replaced by a (or appended).
func withColumn(r arrow.Record, name string, a arrow.Array) arrow.Record {
	fields := append([]arrow.Field(nil), r.Schema().Fields()...)
	cols := append([]arrow.Array(nil), r.Columns()...)
	f := arrow.Field{Name: name, Type: a.DataType(), Nullable: true}
	if ix := r.Schema().FieldIndices(name); len(ix) > 0 {
		fields[ix[0]], cols[ix[0]] = f, a
	} else {
		fields, cols = append(fields, f), append(cols, a)
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(a.Len()))
}

// Lists returns a list<utf8> column as Go slices (nil for a null list).
func (t *Table) Lists(name string) ([][]string, error) {
	a := t.Column(name)
	if a == nil {
		return nil, fmt.Errorf("frame: Lists: no column %q (columns: %v)", name, t.Columns())
	}
	l, ok := a.(*array.List)
	if !ok {
		return nil, fmt.Errorf("frame: Lists: column %q is %s, not a list", name, a.DataType())
	}
	vs, ok := l.ListValues().(*array.String)
	if !ok {
		return nil, fmt.Errorf("frame: Lists: column %q is %s, not a list of strings", name, a.DataType())
	}
	out := make([][]string, l.Len())
	offs := l.Offsets()
	for i := range out {
		if l.IsNull(i) {
			continue
		}
		out[i] = []string{}
		for k := offs[i]; k < offs[i+1]; k++ {
			out[i] = append(out[i], vs.Value(int(k)))
		}
	}
	return out, nil
}

func init() { winKinds["list"] = runList }

// normalizeList is a list of strings read from a file as ListString (the
// element field named "item", as Arrow names it; Parquet names it "list").
func normalizeList(l *array.List) arrow.Array {
	if arrow.TypeEqual(l.DataType(), ListString) && l.DataType().(*arrow.ListType).ElemField().Name == "item" {
		return l
	}
	d := l.Data()
	nd := array.NewData(ListString, d.Len(), d.Buffers(), d.Children(), d.NullN(), d.Offset())
	defer nd.Release()
	return array.MakeFromData(nd)
}
