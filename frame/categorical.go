package frame

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/godask/godask/internal/arrowdict"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/graph"
	pqio "github.com/godask/godask/io/parquet"
	"github.com/godask/godask/sched"
)

// Categorical columns (pandas' category dtype, Dask's categorize): a
// column of int32 codes into a fixed list of string categories, held as an
// Arrow dictionary<int32, utf8> whose dictionary is the same for every
// partition (the categories, in order). Expressions, filters and
// comparisons read a categorical column as its strings; a bare column
// passed through Select, filters, sorts, shuffles, joins, Persist and
// groupby keys stays categorical; Parquet keeps the categories in the
// file's key-value metadata, so ReadParquet gives the column back as
// Categorical with the same categories (and codes).

// Categorical is the dtype of a categorical column: Arrow
// dictionary<values=utf8, indices=int32>.
var Categorical arrow.DataType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// isCategorical is true for the frame's categorical type.
func isCategorical(t arrow.DataType) bool {
	d, ok := t.(*arrow.DictionaryType)
	return ok && d.IndexType.ID() == arrow.INT32 && d.ValueType.ID() == arrow.STRING
}

// categoriesKey is the Parquet key-value metadata key holding the
// categories of column col (a JSON list of strings).
func categoriesKey(col string) string { return "godask.categories." + col }

// AsCategorical makes the string column col categorical with the given
// categories, in that order (pandas' astype(CategoricalDtype(categories))):
// a value that is not among them becomes null, as in pandas. A column that
// is already categorical is recoded to the new categories. The categories
// must be distinct.
func (f *Frame) AsCategorical(col string, categories []string) *Frame {
	if f.err != nil {
		return f
	}
	ix := f.n.schema.FieldIndices(col)
	if len(ix) == 0 {
		return errFrame(fmt.Errorf("frame: AsCategorical: unknown column %q; the columns are %s", col, schemaCols(f.n.schema)))
	}
	if kindOf(f.n.schema.Field(ix[0]).Type) != kStr {
		return errFrame(fmt.Errorf("frame: AsCategorical: column %q is %s, not a string (Cast(String) it first)", col, f.n.schema.Field(ix[0]).Type))
	}
	seen := make(map[string]bool, len(categories))
	for _, c := range categories {
		if seen[c] {
			return errFrame(fmt.Errorf("frame: AsCategorical: column %q: category %q given twice", col, c))
		}
		seen[c] = true
	}
	fields := append([]arrow.Field(nil), f.n.schema.Fields()...)
	fields[ix[0]] = arrow.Field{Name: col, Type: Categorical, Nullable: true}
	return f.deriveExt(&catExt{col: col, cats: append([]string(nil), categories...)}, arrow.NewSchema(fields, nil))
}

// Categorize makes the named string columns categorical (every string
// column when cols is empty), with their distinct non-null values, sorted,
// as the categories (Dask's categorize, pandas' astype("category")). It
// computes the categories first, in one run for all the columns.
func (f *Frame) Categorize(ctx context.Context, cols []string, opts ...sched.Option) (*Frame, error) {
	if f.err != nil {
		return nil, f.err
	}
	if len(cols) == 0 {
		for _, fl := range f.n.schema.Fields() {
			if fl.Type.ID() == arrow.STRING {
				cols = append(cols, fl.Name)
			}
		}
		if len(cols) == 0 {
			return f, nil
		}
	}
	for _, c := range cols {
		k, err := f.fieldKind("Categorize", c)
		if err != nil {
			return nil, err
		}
		if k != kStr {
			return nil, fmt.Errorf("frame: Categorize: column %q is %s, not a string", c, f.n.schema.Field(f.n.schema.FieldIndices(c)[0]).Type)
		}
	}
	vals, err := f.Categories(ctx, cols, opts...)
	if err != nil {
		return nil, fmt.Errorf("frame: Categorize: %w", err)
	}
	out := f
	for i, c := range cols {
		cats := make([]string, len(vals[i]))
		for j, v := range vals[i] {
			cats[j] = v.(string)
		}
		out = out.AsCategorical(c, cats)
	}
	return out, out.err
}

// catExt is the plan node of AsCategorical.
type catExt struct {
	col  string
	cats []string
}

func (e *catExt) describe() string {
	return fmt.Sprintf("categorical %s (%d categories)", e.col, len(e.cats))
}

func (e *catExt) parts(n *node) int { return partsOf(n.in) }

func (e *catExt) need(out map[string]bool) map[string]bool {
	if out == nil {
		return nil
	}
	m := map[string]bool{e.col: true}
	for k := range out {
		m[k] = true
	}
	return m
}

func (e *catExt) lower(b *builder, _ *node, ps, _ []pend) ([]pend, error) {
	keys, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	out := make([]pend, len(keys))
	for i, k := range keys {
		t, err := b.add(&winOp{kind: "cat", cols: []string{e.col}, names: e.cats, piece: -1}, k)
		if err != nil {
			return nil, err
		}
		out[i] = pend{deps: []graph.Key{t}}
	}
	return out, nil
}

func runCat(o *winOp, in []any) (any, error) {
	if len(in) != 1 || len(o.cols) != 1 {
		return nil, fmt.Errorf("frame: AsCategorical: malformed task")
	}
	r := partRecord(in[0])
	if r == nil {
		return nil, fmt.Errorf("frame: AsCategorical: input is not a partition")
	}
	ix := r.Schema().FieldIndices(o.cols[0])
	if len(ix) == 0 {
		return nil, fmt.Errorf("frame: AsCategorical: no column %q", o.cols[0])
	}
	a, err := encodeCategorical(r.Column(ix[0]), o.names)
	if err != nil {
		return nil, fmt.Errorf("frame: AsCategorical: column %q: %w", o.cols[0], err)
	}
	return &Part{R: withColumn(r, o.cols[0], a)}, nil
}

func init() { winKinds["cat"] = runCat }

// categoryDict is the dictionary array of the categories.
func categoryDict(cats []string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(cats, nil)
	return b.NewArray()
}

// encodeCategorical codes a string (or categorical) array by cats: a value
// not among them is null.
func encodeCategorical(a arrow.Array, cats []string) (arrow.Array, error) {
	n := a.Len()
	codes := make([]int32, n)
	valid := make([]bool, n)
	pos := make(map[string]int32, len(cats))
	for i, c := range cats {
		pos[c] = int32(i)
	}
	switch x := a.(type) {
	case *array.Dictionary:
		// Recode the dictionary once, then the rows by it.
		d, ok := arrowdict.Of(x).(*array.String)
		if !ok {
			return nil, fmt.Errorf("dictionary of %s, not strings", arrowdict.Of(x).DataType())
		}
		re := make([]int32, d.Len())
		for j := range re {
			re[j] = -1
			if c, ok := pos[d.Value(j)]; ok && d.IsValid(j) {
				re[j] = c
			}
		}
		for i := range codes {
			if x.IsValid(i) {
				if c := re[x.GetValueIndex(i)]; c >= 0 {
					codes[i], valid[i] = c, true
				}
			}
		}
	default:
		c := colOf(a)
		if c.k != kStr {
			return nil, fmt.Errorf("type %s, not a string", a.DataType())
		}
		// Consecutive equal values (sorted or clustered data) skip the map.
		last, lastCode, lastOK := []byte(nil), int32(0), false
		for i := range codes {
			if c.null(i) {
				continue
			}
			s := c.str(i)
			if lastOK && string(s) == string(last) {
				codes[i], valid[i] = lastCode, true
				continue
			}
			if k, ok := pos[string(s)]; ok {
				codes[i], valid[i] = k, true
				last, lastCode, lastOK = s, k, true
			}
		}
	}
	return categoricalArray(codes, valid, categoryDict(cats)), nil
}

// categoricalArray is a Categorical array of codes (valid nil: no nulls)
// into dict.
func categoricalArray(codes []int32, valid []bool, dict arrow.Array) arrow.Array {
	allValid := true
	for _, v := range valid {
		if !v {
			allValid = false
			break
		}
	}
	if allValid {
		valid = nil
	}
	vb, nulls := validityBuf(valid)
	d := array.NewData(Categorical, len(codes), []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(codes))}, nil, nulls, 0)
	d.SetDictionary(dict.Data())
	return array.MakeFromData(d)
}

// dictCodes returns the int32 codes of a Categorical array (its own
// buffer, offset applied).
func dictCodes(x *array.Dictionary) []int32 {
	return x.Indices().(*array.Int32).Int32Values()
}

// decodeCategorical gives the strings of a Categorical array as offsets
// and bytes (a null row is empty), for kernels that read strings.
func decodeCategorical(x *array.Dictionary) ([]int32, []byte) {
	d := colOf(arrowdict.Of(x))
	codes := dictCodes(x)
	n := x.Len()
	offs := make([]int32, n+1)
	total := 0
	for i, k := range codes {
		if x.IsValid(i) {
			total += int(d.offs[k+1] - d.offs[k])
		}
	}
	data := make([]byte, 0, total)
	for i, k := range codes {
		if x.IsValid(i) {
			data = append(data, d.data[d.offs[k]:d.offs[k+1]]...)
		}
		offs[i+1] = int32(len(data))
	}
	return offs, data
}

// takeCategorical gathers rows idx (-1: null) of a Categorical array,
// keeping its dictionary.
func takeCategorical(x *array.Dictionary, idx []int32) arrow.Array {
	codes := dictCodes(x)
	out := make([]int32, len(idx))
	var valid []bool
	if x.NullN() > 0 || hasNegative(idx) {
		valid = make([]bool, len(idx))
	}
	for j, i := range idx {
		if i >= 0 {
			out[j] = codes[i]
			if valid != nil {
				valid[j] = x.IsValid(int(i))
			}
		}
	}
	return categoricalArray(out, valid, arrowdict.Of(x))
}

func hasNegative(idx []int32) bool {
	for _, i := range idx {
		if i < 0 {
			return true
		}
	}
	return false
}

// Categories returns the categories of the categorical column name, in
// order (those of its first partition; every partition has the same).
func (t *Table) Categories(name string) ([]string, error) {
	x, err := t.categorical("Categories", name)
	if err != nil {
		return nil, err
	}
	d := arrowdict.Of(x).(*array.String)
	out := make([]string, d.Len())
	for i := range out {
		out[i] = d.Value(i)
	}
	return out, nil
}

// Codes returns the codes of the categorical column name: the position of
// each row's value among the categories, -1 for null (pandas' cat.codes).
func (t *Table) Codes(name string) ([]int32, error) {
	x, err := t.categorical("Codes", name)
	if err != nil {
		return nil, err
	}
	out := append([]int32(nil), dictCodes(x)...)
	for i := range out {
		if x.IsNull(i) {
			out[i] = -1
		}
	}
	return out, nil
}

func (t *Table) categorical(what, name string) (*array.Dictionary, error) {
	a := t.Column(name)
	if a == nil {
		return nil, fmt.Errorf("frame: %s: no column %q (columns: %v)", what, name, t.Columns())
	}
	x, ok := a.(*array.Dictionary)
	if !ok || !isCategorical(a.DataType()) {
		return nil, fmt.Errorf("frame: %s: column %q is %s, not categorical (AsCategorical or Categorize makes one)", what, name, a.DataType())
	}
	return x, nil
}

// catForParquet replaces the categorical columns of r by their strings and
// records their categories in the schema's metadata (written as the
// Parquet file's key-value metadata), which ReadParquet reads back.
func catForParquet(r arrow.Record) (arrow.Record, error) {
	var keys, vals []string
	fields := append([]arrow.Field(nil), r.Schema().Fields()...)
	cols := append([]arrow.Array(nil), r.Columns()...)
	for i, a := range cols {
		x, ok := a.(*array.Dictionary)
		if !ok || !isCategorical(a.DataType()) {
			continue
		}
		d := arrowdict.Of(x).(*array.String)
		cats := make([]string, d.Len())
		for j := range cats {
			cats[j] = d.Value(j)
		}
		b, err := json.Marshal(cats)
		if err != nil {
			return nil, err
		}
		keys, vals = append(keys, categoriesKey(fields[i].Name)), append(vals, string(b))
		cols[i] = categoricalStrings(x)
		fields[i] = arrow.Field{Name: fields[i].Name, Type: String, Nullable: true}
	}
	if keys == nil {
		return r, nil
	}
	md := arrow.NewMetadata(keys, vals)
	return array.NewRecord(arrow.NewSchema(fields, &md), cols, r.NumRows()), nil
}

// parquetCategories returns the categories the file's metadata records
// for col (written by catForParquet), or nil.
func parquetCategories(kv map[string]string, col string) ([]string, error) {
	v, ok := kv[categoriesKey(col)]
	if !ok {
		return nil, nil
	}
	var cats []string
	if err := json.Unmarshal([]byte(v), &cats); err != nil {
		return nil, fmt.Errorf("column %q: bad categories metadata: %w", col, err)
	}
	if cats == nil {
		cats = []string{}
	}
	return cats, nil
}

// passType is the output type of a projected expression of kind k: a bare
// categorical column (or its alias) passes through as it is, anything
// computed from it is a string.
func passType(n *enode, s *arrow.Schema, k kind) arrow.DataType {
	for n.op == "alias" && len(n.args) == 1 {
		n = n.args[0]
	}
	if n.op == "col" {
		if ix := s.FieldIndices(n.name); len(ix) > 0 && isCategorical(s.Field(ix[0]).Type) {
			return Categorical
		}
	}
	return k.dtype()
}

// projectedArray is a, the value of expression e, as passType types it: a
// categorical array that is not a bare column (a FillNull or Cast that
// returned its input) decodes to strings.
func projectedArray(e *enode, a arrow.Array) arrow.Array {
	x, ok := a.(*array.Dictionary)
	if !ok {
		return a
	}
	for e.op == "alias" && len(e.args) == 1 {
		e = e.args[0]
	}
	if e.op == "col" {
		return a
	}
	return categoricalStrings(x)
}

// categoricalStrings decodes a Categorical array to a String array.
func categoricalStrings(x *array.Dictionary) arrow.Array {
	offs, data := decodeCategorical(x)
	return strArray(offs, data, validBools(x))
}

// writeParquetFile writes r to path as one Parquet file, categorical
// columns as their strings with the categories in the file's metadata.
func writeParquetFile(path string, r arrow.Record, o pqio.WriteOptions) error {
	r, err := catForParquet(r)
	if err != nil {
		return fmt.Errorf("parquet: write %s: %w", path, err)
	}
	return pqio.Write(path, []arrow.Record{r}, o)
}

// addCategories types the fields of one file's columns that carry
// categories in its metadata as Categorical, and merges their categories
// into the source's (files with different categories read with their
// union, the first file's order first).
func (s *pqSource) addCategories(kv map[string]string, fields []arrow.Field) error {
	for i, f := range fields {
		if f.Type.ID() != arrow.STRING {
			continue
		}
		cats, err := parquetCategories(kv, f.Name)
		if err != nil {
			return err
		}
		if cats == nil {
			continue
		}
		fields[i].Type = Categorical
		if s.cats == nil {
			s.cats = map[string][]string{}
		}
		have, ok := s.cats[f.Name]
		if !ok {
			s.cats[f.Name] = cats
			continue
		}
		seen := make(map[string]bool, len(have))
		for _, c := range have {
			seen[c] = true
		}
		for _, c := range cats {
			if !seen[c] {
				have = append(have, c)
			}
		}
		s.cats[f.Name] = have
	}
	return nil
}

// sortCol is the view a sort compares of a key column: a categorical
// column sorts by its codes, the order of its categories (as pandas).
func sortCol(a arrow.Array) col {
	x, ok := a.(*array.Dictionary)
	if !ok || !isCategorical(a.DataType()) {
		return colOf(a)
	}
	c := col{k: kInt, n: x.Len()}
	if x.NullN() > 0 {
		c.valid = x.Data().Buffers()[0].Bytes()
		c.voff = x.Data().Offset()
	}
	codes := dictCodes(x)
	c.i64 = make([]int64, len(codes))
	for i, k := range codes {
		c.i64[i] = int64(k)
	}
	return c
}

// gatherCategorical concatenates rows idx[k] (all where nil) of column ci
// of srcs, categorical in every one with the same dictionary.
func gatherCategorical(srcs []arrow.Record, ci int, idx [][]int32) (arrow.Array, error) {
	var codes []int32
	var valid []bool
	var dict arrow.Array
	for k, s := range srcs {
		x, ok := s.Column(ci).(*array.Dictionary)
		if !ok {
			return nil, fmt.Errorf("%s among categorical pieces", s.Column(ci).DataType())
		}
		if dict == nil {
			dict = arrowdict.Of(x)
		} else if !array.Equal(dict, arrowdict.Of(x)) {
			return nil, fmt.Errorf("pieces with different categories")
		}
		cs := dictCodes(x)
		n := x.Len()
		if idx[k] != nil {
			n = len(idx[k])
		}
		if valid == nil && (x.NullN() > 0 || (idx[k] != nil && hasNegative(idx[k]))) {
			valid = make([]bool, len(codes), len(codes)+n)
			for i := range valid {
				valid[i] = true
			}
		}
		for j := 0; j < n; j++ {
			i := j
			if idx[k] != nil {
				i = int(idx[k][j])
			}
			if i < 0 {
				codes = append(codes, 0)
				valid = append(valid, false)
				continue
			}
			codes = append(codes, cs[i])
			if valid != nil {
				valid = append(valid, x.IsValid(i))
			}
		}
	}
	return categoricalArray(codes, valid, dict), nil
}
