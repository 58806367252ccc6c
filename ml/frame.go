package ml

import (
	"context"
	"encoding/hex"
	"fmt"
	"github.com/godask/godask/internal/arrowdict"
	"math"
	"sort"
	"sync"

	"github.com/apache/arrow/go/v15/arrow"
	aarray "github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/godask/godask/array"
	"github.com/godask/godask/frame"
	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Frames in: Matrix turns numeric frame columns into the row-chunked
// float64 array the estimators take (one row block per partition, chunk
// sizes known), and the encoders (Categorizer, OrdinalEncoder,
// OneHotEncoder, DummyEncoder) turn string columns into numbers on the
// frame, lazily, partition by partition.

func init() {
	registerTaskOp("ml.frame.len", func(_ context.Context, _ []byte, in []any) (any, error) {
		p, err := partOf(in)
		if err != nil {
			return nil, err
		}
		return dense1([]float64{float64(p.R.NumRows())}), nil
	})
	registerTaskOp("ml.frame.dense", runFrameDense)
	RegisterModel(&EncoderModel{})
}

func partOf(in []any) (*frame.Part, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("want one partition, got %d inputs", len(in))
	}
	p, ok := in[0].(*frame.Part)
	if !ok || p == nil || p.R == nil {
		return nil, fmt.Errorf("input is a %T, not a frame partition", in[0])
	}
	return p, nil
}

// MatrixOptions are the options of MatrixWith.
type MatrixOptions struct {
	// NullAsNaN turns nulls into NaN (for SimpleImputer) instead of
	// refusing them.
	NullAsNaN bool
	// Sched are the options of the runs Matrix makes (persisting the
	// columns and counting their rows).
	Sched []sched.Option
}

// Matrix returns the numeric columns cols of f (all of f's columns when
// none are named) as a 2-D float64 array of one row block per partition,
// with known chunk sizes: what every estimator takes. Integer, float and
// boolean columns convert to float64; a string column is an error naming it
// (encode it first: OrdinalEncoder, OneHotEncoder, DummyEncoder); a null is
// an error naming the column and row (MatrixWith NullAsNaN gives NaN, for
// SimpleImputer). Matrix persists the selected columns once (so the frame
// is read once, and the array's blocks convert the held partitions
// lazily) and counts their rows.
func Matrix(ctx context.Context, f *frame.Frame, cols ...string) (*array.Array, error) {
	return MatrixWith(ctx, f, MatrixOptions{}, cols...)
}

// MatrixWith is Matrix with options.
func MatrixWith(ctx context.Context, f *frame.Frame, o MatrixOptions, cols ...string) (*array.Array, error) {
	const est = "Matrix"
	if f == nil {
		return nil, errf(est, "frame is nil")
	}
	if err := f.Err(); err != nil {
		return nil, fmt.Errorf("ml: %s: %w", est, err)
	}
	sel := f
	if len(cols) > 0 {
		sel = f.SelectCols(cols...)
		if err := sel.Err(); err != nil {
			return nil, fmt.Errorf("ml: %s: %w", est, err)
		}
	}
	sc := sel.Schema()
	if sc.NumFields() == 0 {
		return nil, errf(est, "no columns")
	}
	for _, fd := range sc.Fields() {
		if !numericType(fd.Type) {
			return nil, errf(est, "column %q is %s, not numeric: encode it first (OrdinalEncoder, OneHotEncoder or DummyEncoder)", fd.Name, fd.Type)
		}
	}
	p, err := sel.Persist(ctx, o.Sched...)
	if err != nil {
		return nil, fmt.Errorf("ml: %s: persisting the columns: %w", est, err)
	}
	g, err := p.Graph()
	if err != nil {
		return nil, fmt.Errorf("ml: %s: %w", est, err)
	}
	keys := p.Keys()
	if len(keys) == 0 {
		return nil, errf(est, "the frame has no partitions")
	}
	lg := &graph.Graph{}
	lg.Merge(g)
	var lens []graph.Key
	for _, k := range keys {
		t, err := graph.NewTask(&taskOp{name: "ml.frame.len"}, k)
		if err != nil {
			return nil, err
		}
		lg.Add(t)
		lens = append(lens, t.Key)
	}
	vals, err := sched.Compute(ctx, []sched.Collection{taskSet{lg, lens}}, o.Sched...)
	if err != nil {
		return nil, fmt.Errorf("ml: %s: counting rows: %w", est, err)
	}
	vs, ok := vals[0].([]any)
	if !ok || len(vs) != len(keys) {
		return nil, errf(est, "counting rows: got %T", vals[0])
	}
	rc := make([]int, len(keys))
	n := 0
	for i, v := range vs {
		d, ok := v.(*array.Dense)
		if !ok || len(d.Data) != 1 {
			return nil, errf(est, "counting rows of partition %d: got %T", i, v)
		}
		rc[i] = int(d.Data[0])
		n += rc[i]
	}
	nullNaN := byte(0)
	if o.NullAsNaN {
		nullNaN = 1
	}
	tasks := g.Tasks()
	var bk []graph.Key
	for i, k := range keys {
		t, err := graph.NewTask(&taskOp{name: "ml.frame.dense", p: []byte{nullNaN, byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24)}}, k)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
		bk = append(bk, t.Key)
	}
	nc := sc.NumFields()
	return array.FromTasks(array.Float64, []int{n, nc}, array.Explicit{rc, {nc}}, tasks, bk), nil
}

// taskSet is a collection of task keys in a graph (values returned as is).
type taskSet struct {
	g    *graph.Graph
	keys []graph.Key
}

func (s taskSet) Graph() (*graph.Graph, error) { return s.g, nil }
func (s taskSet) Keys() []graph.Key            { return s.keys }

func numericType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.BOOL:
		return true
	case arrow.DICTIONARY:
		return numericType(t.(*arrow.DictionaryType).ValueType)
	}
	return false
}

func runFrameDense(_ context.Context, params []byte, in []any) (any, error) {
	if len(params) != 5 {
		return nil, fmt.Errorf("ml.frame.dense: bad parameters")
	}
	part := int(params[1]) | int(params[2])<<8 | int(params[3])<<16 | int(params[4])<<24
	p, err := partOf(in)
	if err != nil {
		return nil, err
	}
	r := p.R
	n, nc := int(r.NumRows()), int(r.NumCols())
	out := make([]float64, n*nc)
	for j := range nc {
		col := r.Column(j)
		name := r.ColumnName(j)
		for i := range n {
			if col.IsNull(i) {
				if params[0] == 0 {
					return nil, errf("Matrix", "column %q holds a null at row %d of partition %d: impute it (MatrixWith NullAsNaN, then SimpleImputer) or drop it", name, i, part)
				}
				out[i*nc+j] = math.NaN()
				continue
			}
			v, ok := numAt(col, i)
			if !ok {
				return nil, errf("Matrix", "column %q is %s, not numeric", name, col.DataType())
			}
			out[i*nc+j] = v
		}
	}
	return dense2(out, n, nc), nil
}

// numAt is element i of a numeric Arrow array as float64.
func numAt(a arrow.Array, i int) (float64, bool) {
	switch c := a.(type) {
	case *aarray.Float64:
		return c.Value(i), true
	case *aarray.Float32:
		return float64(c.Value(i)), true
	case *aarray.Int64:
		return float64(c.Value(i)), true
	case *aarray.Int32:
		return float64(c.Value(i)), true
	case *aarray.Int16:
		return float64(c.Value(i)), true
	case *aarray.Int8:
		return float64(c.Value(i)), true
	case *aarray.Uint64:
		return float64(c.Value(i)), true
	case *aarray.Uint32:
		return float64(c.Value(i)), true
	case *aarray.Uint16:
		return float64(c.Value(i)), true
	case *aarray.Uint8:
		return float64(c.Value(i)), true
	case *aarray.Boolean:
		if c.Value(i) {
			return 1, true
		}
		return 0, true
	case *aarray.Dictionary:
		return numAt(arrowdict.Of(c), c.GetValueIndex(i))
	}
	return 0, false
}

// strAt is element i of a string (or dictionary of strings) Arrow array.
func strAt(a arrow.Array, i int) (string, bool) {
	switch c := a.(type) {
	case *aarray.String:
		return c.Value(i), true
	case *aarray.LargeString:
		return c.Value(i), true
	case *aarray.Dictionary:
		return strAt(arrowdict.Of(c), c.GetValueIndex(i))
	}
	return "", false
}

func stringType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		return true
	case arrow.DICTIONARY:
		return stringType(t.(*arrow.DictionaryType).ValueType)
	}
	return false
}

// Encoders. Each is fitted on a frame (the sorted distinct non-null
// strings of every encoded column, one ValueCounts per column) and
// transforms a frame lazily: a MapPartitions step registered in this
// process under a name derived from the model's bytes (a remote worker
// needs the same model registered: Register the model there, or transform
// before shipping).

// OrdinalEncoder replaces each string column by the float64 position of
// its value in the column's sorted categories, as scikit-learn's (codes
// 0, 1, ...); other columns pass through. Columns names the columns (all
// string columns when empty). A value not seen in Fit is an error unless
// HandleUnknown is "use_encoded_value" (then UnknownValue, e.g. -1 or
// NaN); a null becomes NaN.
type OrdinalEncoder struct {
	Columns       []string
	HandleUnknown string // "error" (default) or "use_encoded_value"
	UnknownValue  float64
}

// OneHotEncoder replaces the encoded string columns by one float64
// indicator column per category, named "col_value", in scikit-learn's
// order (per column, its sorted categories); only the indicator columns
// are returned, as scikit-learn's transform returns only the encoding. An
// unseen value is an error unless HandleUnknown is "ignore" (all zeros); a
// null gives all zeros. DropFirst leaves out each column's first category.
type OneHotEncoder struct {
	Columns       []string
	HandleUnknown string // "error" (default) or "ignore"
	DropFirst     bool
}

// DummyEncoder is dask-ml's DummyEncoder (pandas get_dummies): the
// indicator columns of OneHotEncoder replace each encoded column in place,
// the other columns kept.
type DummyEncoder struct {
	Columns       []string
	HandleUnknown string // "error" (default) or "ignore"
	DropFirst     bool
}

// Categorizer learns the categories of string columns (dask-ml's
// Categorizer): Fit finds each column's sorted distinct non-null values,
// and Transform gives every categorized column the frame's Categorical
// dtype (frame.AsCategorical: Arrow dictionary<int32, utf8> with the
// fitted categories as the dictionary of every partition), the other
// columns unchanged. A value not seen in Fit becomes null, as pandas'
// astype(CategoricalDtype(categories)) does; Table.Codes gives the codes
// (-1 for null). The transform is a frame operation, so it runs on any
// executor. Already categorical columns are recategorized to the values
// they hold.
type Categorizer struct {
	Columns []string
}

// EncoderModel is a fitted encoder: the sorted categories of each encoded
// column and how to encode.
type EncoderModel struct {
	Kind          string // "ordinal", "onehot", "dummy", "categorizer"
	Columns       []string
	Categories    [][]string
	HandleUnknown string
	UnknownValue  float64
	DropFirst     bool
}

// ModelName implements Model.
func (*EncoderModel) ModelName() string { return "EncoderModel" }

// Fit learns the categories of the string columns of f.
func (e OrdinalEncoder) Fit(ctx context.Context, f *frame.Frame, opts ...sched.Option) (*EncoderModel, error) {
	if e.HandleUnknown != "" && e.HandleUnknown != "error" && e.HandleUnknown != "use_encoded_value" {
		return nil, errf("OrdinalEncoder", "unknown HandleUnknown %q (want error or use_encoded_value)", e.HandleUnknown)
	}
	return fitEncoder(ctx, "OrdinalEncoder", &EncoderModel{Kind: "ordinal", HandleUnknown: e.HandleUnknown, UnknownValue: e.UnknownValue}, f, e.Columns, opts)
}

// Fit learns the categories of the string columns of f.
func (e OneHotEncoder) Fit(ctx context.Context, f *frame.Frame, opts ...sched.Option) (*EncoderModel, error) {
	if e.HandleUnknown != "" && e.HandleUnknown != "error" && e.HandleUnknown != "ignore" {
		return nil, errf("OneHotEncoder", "unknown HandleUnknown %q (want error or ignore)", e.HandleUnknown)
	}
	return fitEncoder(ctx, "OneHotEncoder", &EncoderModel{Kind: "onehot", HandleUnknown: e.HandleUnknown, DropFirst: e.DropFirst}, f, e.Columns, opts)
}

// Fit learns the categories of the string columns of f.
func (e DummyEncoder) Fit(ctx context.Context, f *frame.Frame, opts ...sched.Option) (*EncoderModel, error) {
	if e.HandleUnknown != "" && e.HandleUnknown != "error" && e.HandleUnknown != "ignore" {
		return nil, errf("DummyEncoder", "unknown HandleUnknown %q (want error or ignore)", e.HandleUnknown)
	}
	return fitEncoder(ctx, "DummyEncoder", &EncoderModel{Kind: "dummy", HandleUnknown: e.HandleUnknown, DropFirst: e.DropFirst}, f, e.Columns, opts)
}

// Fit learns the categories of the string columns of f.
func (e Categorizer) Fit(ctx context.Context, f *frame.Frame, opts ...sched.Option) (*EncoderModel, error) {
	return fitEncoder(ctx, "Categorizer", &EncoderModel{Kind: "categorizer", HandleUnknown: "use_encoded_value", UnknownValue: -1}, f, e.Columns, opts)
}

func (m *EncoderModel) est() string {
	switch m.Kind {
	case "ordinal":
		return "OrdinalEncoder"
	case "onehot":
		return "OneHotEncoder"
	case "dummy":
		return "DummyEncoder"
	}
	return "Categorizer"
}

func fitEncoder(ctx context.Context, est string, m *EncoderModel, f *frame.Frame, cols []string, opts []sched.Option) (*EncoderModel, error) {
	if f == nil {
		return nil, errf(est, "frame is nil")
	}
	if err := f.Err(); err != nil {
		return nil, fmt.Errorf("ml: %s: %w", est, err)
	}
	sc := f.Schema()
	if len(cols) == 0 {
		for _, fd := range sc.Fields() {
			if stringType(fd.Type) {
				cols = append(cols, fd.Name)
			}
		}
		if len(cols) == 0 {
			return nil, errf(est, "the frame has no string columns to encode (columns %v)", f.Columns())
		}
	}
	for _, c := range cols {
		i := sc.FieldIndices(c)
		if len(i) == 0 {
			return nil, errf(est, "no column %q (columns %v)", c, f.Columns())
		}
		if t := sc.Field(i[0]).Type; !stringType(t) {
			return nil, errf(est, "column %q is %s: the encoders encode string columns", c, t)
		}
	}
	m.Columns = append([]string(nil), cols...)
	for _, c := range cols {
		t, err := f.ValueCounts(c, frame.ValueCountsOptions{DropNA: true}).Compute(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("ml: %s: categories of %q: %w", est, c, err)
		}
		vs, err := t.Strings(c)
		if err != nil {
			return nil, fmt.Errorf("ml: %s: categories of %q: %w", est, c, err)
		}
		sort.Strings(vs)
		if len(vs) == 0 {
			return nil, errf(est, "column %q holds only nulls: no categories", c)
		}
		m.Categories = append(m.Categories, vs)
	}
	return m, nil
}

// OutputColumns are the names of the columns Transform adds for encoded
// column i (one for ordinal and categorizer, one per kept category for the
// indicator encoders).
func (m *EncoderModel) OutputColumns(i int) []string {
	if m.Kind == "ordinal" || m.Kind == "categorizer" {
		return []string{m.Columns[i]}
	}
	var out []string
	for k, v := range m.Categories[i] {
		if k == 0 && m.DropFirst {
			continue
		}
		out = append(out, m.Columns[i]+"_"+v)
	}
	return out
}

// outSchema is the schema Transform gives for input schema in.
func (m *EncoderModel) outSchema(in *arrow.Schema) (*arrow.Schema, error) {
	enc := map[string]int{}
	for i, c := range m.Columns {
		enc[c] = i
	}
	seen := 0
	var fields []arrow.Field
	var ft arrow.DataType = arrow.PrimitiveTypes.Float64
	if m.Kind == "categorizer" {
		ft = frame.Categorical
	}
	for _, fd := range in.Fields() {
		i, ok := enc[fd.Name]
		if !ok {
			if m.Kind != "onehot" {
				fields = append(fields, fd)
			}
			continue
		}
		if !stringType(fd.Type) {
			return nil, errf(m.est(), "column %q is %s, it was a string column in Fit", fd.Name, fd.Type)
		}
		seen++
		for _, name := range m.OutputColumns(i) {
			fields = append(fields, arrow.Field{Name: name, Type: ft, Nullable: m.Kind == "categorizer"})
		}
	}
	if seen != len(m.Columns) {
		return nil, errf(m.est(), "the frame lacks some of the fitted columns %v", m.Columns)
	}
	return arrow.NewSchema(fields, nil), nil
}

var encoderMaps sync.Map // registered MapPartitions names

// Transform encodes f's columns, lazily (one map step per partition). A
// frame without the fitted columns, or with them of another type, is an
// error now; a value not seen in Fit is an error of the computation.
func (m *EncoderModel) Transform(f *frame.Frame) (*frame.Frame, error) {
	if m == nil || len(m.Columns) == 0 {
		return nil, errf("encoder", "Transform before Fit (the model is nil or empty)")
	}
	if f == nil {
		return nil, errf(m.est(), "frame is nil")
	}
	if err := f.Err(); err != nil {
		return nil, fmt.Errorf("ml: %s: %w", m.est(), err)
	}
	out, err := m.outSchema(f.Schema())
	if err != nil {
		return nil, err
	}
	if m.Kind == "categorizer" {
		for i, c := range m.Columns {
			f = f.AsCategorical(c, m.Categories[i])
		}
		if err := f.Err(); err != nil {
			return nil, fmt.Errorf("ml: Categorizer: %w", err)
		}
		return f, nil
	}
	b, err := Save(m)
	if err != nil {
		return nil, fmt.Errorf("ml: %s: %w", m.est(), err)
	}
	h1, h2 := graph.Hash128(b)
	var hb [16]byte
	for i := range 8 {
		hb[i], hb[8+i] = byte(h1>>(8*i)), byte(h2>>(8*i))
	}
	name := "ml.encoder." + hex.EncodeToString(hb[:])
	if _, dup := encoderMaps.LoadOrStore(name, true); !dup {
		mm := *m
		frame.RegisterMap(name, func(_ context.Context, r arrow.Record) (arrow.Record, error) { return mm.encode(r, out) })
	}
	return f.MapPartitions(name, out), nil
}

func (m *EncoderModel) encode(r arrow.Record, out *arrow.Schema) (arrow.Record, error) {
	enc := map[string]int{}
	for i, c := range m.Columns {
		enc[c] = i
	}
	n := int(r.NumRows())
	var cols []arrow.Array
	for j := range int(r.NumCols()) {
		name := r.ColumnName(j)
		i, ok := enc[name]
		if !ok {
			if m.Kind != "onehot" {
				c := r.Column(j)
				c.Retain()
				cols = append(cols, c)
			}
			continue
		}
		col := r.Column(j)
		cats := m.Categories[i]
		codes := make([]int, n)
		for row := range n {
			if col.IsNull(row) {
				codes[row] = -1
				continue
			}
			s, ok := strAt(col, row)
			if !ok {
				return nil, errf(m.est(), "column %q is %s, not a string column", name, col.DataType())
			}
			k := sort.SearchStrings(cats, s)
			if k == len(cats) || cats[k] != s {
				if m.HandleUnknown == "" || m.HandleUnknown == "error" {
					return nil, errf(m.est(), "column %q holds %q at row %d, not among the %d categories seen in Fit", name, s, row, len(cats))
				}
				k = -2
			}
			codes[row] = k
		}
		switch m.Kind {
		case "ordinal":
			bld := aarray.NewFloat64Builder(memory.DefaultAllocator)
			for _, k := range codes {
				switch k {
				case -1:
					bld.Append(math.NaN())
				case -2:
					bld.Append(m.UnknownValue)
				default:
					bld.Append(float64(k))
				}
			}
			cols = append(cols, bld.NewArray())
			bld.Release()
		default:
			for c := range cats {
				if c == 0 && m.DropFirst {
					continue
				}
				v := make([]float64, n)
				for row, k := range codes {
					if k == c {
						v[row] = 1
					}
				}
				bld := aarray.NewFloat64Builder(memory.DefaultAllocator)
				bld.AppendValues(v, nil)
				cols = append(cols, bld.NewArray())
				bld.Release()
			}
		}
	}
	rec := aarray.NewRecord(out, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec, nil
}
