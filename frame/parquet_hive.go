package frame

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	pqio "github.com/godask/godask/io/parquet"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Hive-partitioned Parquet: WriteParquetWith(PartitionOn: cols) writes
// dir/col=value/.../part-NNNNN.parquet (the partition columns left out of
// the files, as pyarrow and Dask write them), and ReadParquet of such a
// directory adds the partition columns back, after the files' columns,
// and prunes whole files by a filter on them.

// hiveNull is the directory value of a null partition key (Hive's and
// pyarrow's spelling).
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// ParquetWriteOptions configures WriteParquetWith.
type ParquetWriteOptions struct {
	// Compression is "snappy" (the default), "zstd", "gzip" or "none".
	Compression string
	// RowGroupRows caps the rows of a row group (default 1<<20): smaller
	// row groups make more partitions when read back and finer pruning by
	// statistics.
	RowGroupRows int64
	// PartitionOn writes the rows into hive directories by the values of
	// these columns (int64 or string columns; a null goes to
	// col=__HIVE_DEFAULT_PARTITION__), leaving them out of the files.
	PartitionOn []string
}

// WriteParquetWith writes the frame as Parquet into dir with options: one
// file per partition (part-00000.parquet, ...), or with PartitionOn one
// file per partition and partition value, under dir/col=value/.
func (f *Frame) WriteParquetWith(ctx context.Context, dir string, o ParquetWriteOptions, opts ...sched.Option) error {
	if f.err != nil {
		return f.err
	}
	switch o.Compression {
	case "", "snappy", "zstd", "gzip", "none":
	default:
		return fmt.Errorf("frame: WriteParquet: unknown compression %q (want snappy, zstd, gzip or none)", o.Compression)
	}
	for _, c := range o.PartitionOn {
		k, err := f.fieldKind("WriteParquet PartitionOn", c)
		if err != nil {
			return err
		}
		if k != kInt && k != kStr {
			return fmt.Errorf("frame: WriteParquet: PartitionOn column %q is %s; partition on int64 or string columns (Cast it first)", c, k.dtype())
		}
	}
	if len(o.PartitionOn) > 0 && len(o.PartitionOn) == len(f.Columns()) {
		return fmt.Errorf("frame: WriteParquet: PartitionOn takes every column; no column would be left for the files")
	}
	if err := checkUnique("frame: WriteParquet PartitionOn", o.PartitionOn); err != nil {
		return err
	}
	return f.writeParts(ctx, dir, func(i int) graph.Op { return &writePQOp{dir: dir, part: i, o: o, zones: zoneList(f.n.schema)} }, len(o.PartitionOn) == 0, opts)
}

// writePQOp writes one partition as Parquet, split by the partition
// columns when there are any; it returns the number of rows written.
type writePQOp struct {
	dir   string
	part  int
	o     ParquetWriteOptions
	zones []string // name, zone pairs of the zoned timestamp columns (tz_type.go)
}

func (w *writePQOp) Name() string  { return "frame.writepq" }
func (w *writePQOp) Label() string { return "write-parquet" }
func (w *writePQOp) Params() ([]byte, error) {
	b := appendStrings(nil, []string{w.dir, w.o.Compression})
	b = appendUvarint(b, uint64(w.part))
	b = appendUvarint(b, uint64(w.o.RowGroupRows))
	b = appendStrings(b, w.o.PartitionOn)
	if len(w.zones) > 0 {
		b = appendStrings(b, w.zones)
	}
	return b, nil
}

func init() {
	graph.Register("frame.writepq", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		s := readStrings(r)
		if len(s) != 2 {
			return nil, fmt.Errorf("bad writepq params")
		}
		w := &writePQOp{dir: s[0], o: ParquetWriteOptions{Compression: s[1]}}
		w.part = int(r.Uvarint())
		w.o.RowGroupRows = int64(r.Uvarint())
		w.o.PartitionOn = readStrings(r)
		if len(r.Rest()) > 0 {
			if w.zones = readStrings(r); len(w.zones)%2 != 0 {
				return nil, fmt.Errorf("bad writepq params")
			}
		}
		return w, r.Err()
	})
	graph.Register("frame.pqconst", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		s := readStrings(r)
		if len(s) != 3 {
			return nil, fmt.Errorf("bad pqconst params")
		}
		o := &pqConstOp{col: s[0], val: s[1], path: s[2]}
		o.isInt = r.Byte() == 1
		o.rows = int64(r.Uvarint())
		return o, r.Err()
	})
}

func (w *writePQOp) Run(_ context.Context, in []any) (any, error) {
	r := withZoneList(in[0].(*Part).R, w.zones)
	name := fmt.Sprintf("part-%05d.parquet", w.part)
	po := pqio.WriteOptions{Compression: w.o.Compression, RowGroupRows: w.o.RowGroupRows}
	if len(w.o.PartitionOn) == 0 {
		return int(r.NumRows()), writeParquetFile(filepath.Join(w.dir, name), r, po)
	}
	if r.NumRows() == 0 {
		return 0, nil
	}
	// Group the rows by their partition directory, in first-seen order.
	keyCols := make([]col, len(w.o.PartitionOn))
	drop := map[string]bool{}
	for i, c := range w.o.PartitionOn {
		keyCols[i] = colOf(r.Column(r.Schema().FieldIndices(c)[0]))
		drop[c] = true
	}
	groups := map[string][]int32{}
	var order []string
	var sb strings.Builder
	for i := 0; i < int(r.NumRows()); i++ {
		sb.Reset()
		for j, c := range keyCols {
			if j > 0 {
				sb.WriteByte(os.PathSeparator)
			}
			sb.WriteString(w.o.PartitionOn[j])
			sb.WriteByte('=')
			switch {
			case c.null(i):
				sb.WriteString(hiveNull)
			case c.k == kInt:
				sb.WriteString(strconv.FormatInt(c.i64[i], 10))
			default:
				sb.WriteString(url.PathEscape(string(c.str(i))))
			}
		}
		k := sb.String()
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], int32(i))
	}
	var keep []int
	for j, fl := range r.Schema().Fields() {
		if !drop[fl.Name] {
			keep = append(keep, j)
		}
	}
	fields := make([]arrow.Field, len(keep))
	for i, j := range keep {
		fields[i] = r.Schema().Field(j)
	}
	sch := arrow.NewSchema(fields, nil)
	for _, k := range order {
		sub := takeRecord(r, groups[k])
		cols := make([]arrow.Array, len(keep))
		for i, j := range keep {
			cols[i] = sub.Column(j)
		}
		d := filepath.Join(w.dir, k)
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
		rec := array.NewRecord(sch, cols, sub.NumRows())
		if err := writeParquetFile(filepath.Join(d, name), rec, po); err != nil {
			return nil, err
		}
	}
	return int(r.NumRows()), nil
}

// hiveKey is one col=value segment of a file's path; null for
// __HIVE_DEFAULT_PARTITION__.
type hiveKey struct {
	col  string
	val  string
	null bool
}

// hiveKeys returns the col=value directories of path below base.
func hiveKeys(base, path string) []hiveKey {
	rel, err := filepath.Rel(base, filepath.Dir(path))
	if err != nil || rel == "." {
		return nil
	}
	var out []hiveKey
	for _, seg := range strings.Split(rel, string(os.PathSeparator)) {
		i := strings.IndexByte(seg, '=')
		if i <= 0 {
			continue
		}
		k := hiveKey{col: seg[:i], val: seg[i+1:]}
		if k.val == hiveNull {
			k.null = true
		} else if v, err := url.PathUnescape(k.val); err == nil {
			k.val = v
		}
		out = append(out, k)
	}
	return out
}

// hiveBase is the directory the hive keys of a pattern's files are below:
// the pattern itself when it is a directory, else the directory of its
// first glob-free prefix.
func hiveBase(pattern string) string {
	if st, err := os.Stat(pattern); err == nil && st.IsDir() {
		return filepath.Clean(pattern)
	}
	i := strings.IndexAny(pattern, "*?[")
	if i < 0 {
		return filepath.Dir(pattern)
	}
	return filepath.Dir(pattern[:i+1])
}

// addHive adds the hive partition columns of the source's files: their
// names in path order, int64 when every value parses as one, else string;
// each row group gets min = max = its value as statistics, so filters on
// them prune whole files. Files that disagree on the keys are an error.
func addHive(src *pqSource, pattern string) error {
	base := hiveBase(pattern)
	var names []string
	for i := range src.parts {
		ks := hiveKeys(base, src.parts[i].path)
		var ns []string
		for _, k := range ks {
			ns = append(ns, k.col)
		}
		if i == 0 {
			names = ns
		} else if strings.Join(ns, "/") != strings.Join(names, "/") {
			return fmt.Errorf("%s has partition directories %v, %s has %v", src.parts[i].path, ns, src.parts[0].path, names)
		}
		src.parts[i].hive = ks
	}
	if len(names) == 0 {
		return nil
	}
	for j, n := range names {
		if len(src.sch.FieldIndices(n)) > 0 {
			return fmt.Errorf("partition directory key %q is also a column of the files", n)
		}
		isInt := true
		for _, p := range src.parts {
			if k := p.hive[j]; !k.null {
				if _, err := strconv.ParseInt(k.val, 10, 64); err != nil {
					isInt = false
				}
			}
		}
		t := String
		if isInt {
			t = Int64
		}
		src.sch = arrow.NewSchema(append(src.sch.Fields(), arrow.Field{Name: n, Type: t, Nullable: true}), nil)
		for i := range src.parts {
			p := &src.parts[i]
			p.hiveInt = append(p.hiveInt, isInt)
			k := p.hive[j]
			if p.meta.Stats == nil {
				p.meta.Stats = map[string]pqio.Stat{}
			}
			if k.null {
				p.meta.Stats[n] = pqio.Stat{}
				continue
			}
			var v any = k.val
			if isInt {
				v, _ = strconv.ParseInt(k.val, 10, 64)
			}
			p.meta.Stats[n] = pqio.Stat{Has: true, Min: v, Max: v}
		}
	}
	return nil
}

// hiveTask is the task of partition column c of part p, or nil when c is
// a column of the file.
func hiveTask(p pqPart, c string) (*graph.Task, error) {
	for j, k := range p.hive {
		if k.col != c {
			continue
		}
		op := &pqConstOp{col: c, val: k.val, isInt: p.hiveInt[j], path: p.path, rows: p.meta.Rows}
		if k.null {
			op.val = hiveNull
		}
		return graph.NewTask(op)
	}
	return nil, nil
}

// pqConstOp makes the column of a hive partition key for one row group:
// its value (or null) on every row.
type pqConstOp struct {
	col, val, path string
	isInt          bool
	rows           int64
}

func (o *pqConstOp) Name() string  { return "frame.pqconst" }
func (o *pqConstOp) Label() string { return "read-parquet-" + o.col }
func (o *pqConstOp) Params() ([]byte, error) {
	b := appendStrings(nil, []string{o.col, o.val, o.path})
	if o.isInt {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	return appendUvarint(b, uint64(o.rows)), nil
}

func (o *pqConstOp) Run(context.Context, []any) (any, error) {
	n := int(o.rows)
	var valid []bool
	if o.val == hiveNull {
		valid = make([]bool, n)
	}
	var a arrow.Array
	if o.isInt {
		v, _ := strconv.ParseInt(o.val, 10, 64)
		vs := make([]int64, n)
		for i := range vs {
			vs[i] = v
		}
		a = int64Array(vs, valid)
	} else {
		sb := newStrBuilder(n)
		for i := 0; i < n; i++ {
			if valid != nil {
				sb.addNull()
			} else {
				sb.add([]byte(o.val))
			}
		}
		a = sb.array()
	}
	sch := arrow.NewSchema([]arrow.Field{{Name: o.col, Type: a.DataType(), Nullable: true}}, nil)
	return &Part{R: array.NewRecord(sch, []arrow.Array{a}, int64(n))}, nil
}
