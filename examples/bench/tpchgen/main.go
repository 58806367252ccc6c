// Command tpchgen writes the eight TPC-H tables at a scale factor as Parquet
// files, from TPC-H's own generator (dbgen, through the Go port in
// github.com/pingcap/go-tpc/tpch/dbgen, checked there against dbgen's
// output), in the layout of shared/peers/tpch_to_parquet.mjs: keys and counts
// INTEGER (int32), money, quantities, discounts and taxes DOUBLE, dates DATE
// (date32), text VARCHAR, row groups of 122,880 rows, Snappy.
//
// It is its own Go module so the generator's dependency graph stays out of
// godask's go.mod; `go run ./examples/bench gen tpch -sf N -dir DIR` runs it.
//
//	go run . -sf 1 -dir /work/data/tpch-sf1
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	pq "github.com/apache/arrow/go/v15/parquet"
	"github.com/apache/arrow/go/v15/parquet/compress"
	"github.com/apache/arrow/go/v15/parquet/pqarrow"
	"github.com/pingcap/go-tpc/tpch/dbgen"
)

// rowGroup is the row-group size tpch_to_parquet.mjs writes.
const rowGroup = 122880

type kind int

const (
	kInt kind = iota
	kMoney
	kDouble
	kStr
	kDate
)

type col struct {
	name string
	k    kind
}

// table accumulates one table's rows into Arrow builders and writes a row
// group every rowGroup rows.
type table struct {
	name    string
	cols    []col
	schema  *arrow.Schema
	b       *array.RecordBuilder
	n, rows int
	f       *os.File
	w       *pqarrow.FileWriter
	start   time.Time
}

func newTable(dir, name string, cols []col) (*table, error) {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		var t arrow.DataType
		switch c.k {
		case kInt:
			t = arrow.PrimitiveTypes.Int32
		case kMoney, kDouble:
			t = arrow.PrimitiveTypes.Float64
		case kStr:
			t = arrow.BinaryTypes.String
		case kDate:
			t = arrow.FixedWidthTypes.Date32
		}
		fields[i] = arrow.Field{Name: c.name, Type: t, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	f, err := os.Create(filepath.Join(dir, name+".parquet"))
	if err != nil {
		return nil, fmt.Errorf("tpchgen: %s: %w", name, err)
	}
	props := pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Snappy),
		pq.WithMaxRowGroupLength(rowGroup), pq.WithStats(true), pq.WithDictionaryDefault(true))
	w, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("tpchgen: %s: %w", name, err)
	}
	return &table{name: name, cols: cols, schema: schema, b: array.NewRecordBuilder(memory.DefaultAllocator, schema),
		f: f, w: w, start: time.Now()}, nil
}

// add appends one row: ints as int64, money as cents (int64), doubles as
// float64, strings, dates as "YYYY-MM-DD".
func (t *table) add(vals ...any) error {
	for i, v := range vals {
		fb := t.b.Field(i)
		switch t.cols[i].k {
		case kInt:
			fb.(*array.Int32Builder).Append(int32(v.(int64)))
		case kMoney:
			fb.(*array.Float64Builder).Append(float64(v.(int64)) / 100)
		case kDouble:
			fb.(*array.Float64Builder).Append(float64(v.(int64)))
		case kStr:
			fb.(*array.StringBuilder).Append(v.(string))
		case kDate:
			d, err := days(v.(string))
			if err != nil {
				return fmt.Errorf("tpchgen: %s.%s: %w", t.name, t.cols[i].name, err)
			}
			fb.(*array.Date32Builder).Append(arrow.Date32(d))
		}
	}
	t.n++
	t.rows++
	if t.n == rowGroup {
		return t.flushGroup()
	}
	return nil
}

func (t *table) flushGroup() error {
	if t.n == 0 {
		return nil
	}
	rec := t.b.NewRecord()
	defer rec.Release()
	t.n = 0
	if err := t.w.Write(rec); err != nil {
		return fmt.Errorf("tpchgen: writing %s: %w", t.name, err)
	}
	return nil
}

func (t *table) close() error {
	if err := t.flushGroup(); err != nil {
		return err
	}
	if err := t.w.Close(); err != nil {
		return fmt.Errorf("tpchgen: closing %s: %w", t.name, err)
	}
	fmt.Fprintf(os.Stderr, "%s rows=%d seconds=%.1f\n", t.name, t.rows, time.Since(t.start).Seconds())
	return nil
}

// days parses dbgen's "YYYY-MM-DD" into days since 1970-01-01.
func days(s string) (int32, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("bad date %q", s)
	}
	num := func(a, b int) int {
		n := 0
		for _, c := range s[a:b] {
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, m, d := num(0, 4), num(5, 7), num(8, 10)
	// days from civil (Howard Hinnant's algorithm)
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468), nil
}

// loader adapts a table to dbgen.Loader.
type loader struct {
	t    *table
	load func(t *table, item any) error
}

func (l loader) Load(item any) error { return l.load(l.t, item) }
func (l loader) Flush() error        { return l.t.close() }

func i64[T ~int64](v T) int64 { return int64(v) }

func main() {
	sf := flag.Int64("sf", 1, "scale factor (a whole number: dbgen's scale)")
	dir := flag.String("dir", ".", "output directory")
	flag.Parse()
	if err := run(*sf, *dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(sf int64, dir string) error {
	if sf < 1 {
		return fmt.Errorf("tpchgen: -sf %d: the scale factor must be a whole number ≥ 1", sf)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("tpchgen: %w", err)
	}
	t0 := time.Now()
	I, M, D, S, T := kInt, kMoney, kDouble, kStr, kDate
	defs := []struct {
		tab  dbgen.Table
		name string
		cols []col
		load func(t *table, item any) error
	}{
		{dbgen.TNation, "nation", []col{{"n_nationkey", I}, {"n_name", S}, {"n_regionkey", I}, {"n_comment", S}},
			func(t *table, it any) error {
				n := it.(*dbgen.Nation)
				return t.add(i64(n.Code), n.Text, i64(n.Join), n.Comment)
			}},
		{dbgen.TRegion, "region", []col{{"r_regionkey", I}, {"r_name", S}, {"r_comment", S}},
			func(t *table, it any) error {
				r := it.(*dbgen.Region)
				return t.add(i64(r.Code), r.Text, r.Comment)
			}},
		{dbgen.TSupp, "supplier", []col{{"s_suppkey", I}, {"s_name", S}, {"s_address", S}, {"s_nationkey", I}, {"s_phone", S}, {"s_acctbal", M}, {"s_comment", S}},
			func(t *table, it any) error {
				s := it.(*dbgen.Supp)
				return t.add(i64(s.SuppKey), s.Name, s.Address, i64(s.NationCode), s.Phone, i64(s.Acctbal), s.Comment)
			}},
		{dbgen.TCust, "customer", []col{{"c_custkey", I}, {"c_name", S}, {"c_address", S}, {"c_nationkey", I}, {"c_phone", S}, {"c_acctbal", M}, {"c_mktsegment", S}, {"c_comment", S}},
			func(t *table, it any) error {
				c := it.(*dbgen.Cust)
				return t.add(i64(c.CustKey), c.Name, c.Address, i64(c.NationCode), c.Phone, i64(c.Acctbal), c.MktSegment, c.Comment)
			}},
		{dbgen.TPart, "part", []col{{"p_partkey", I}, {"p_name", S}, {"p_mfgr", S}, {"p_brand", S}, {"p_type", S}, {"p_size", I}, {"p_container", S}, {"p_retailprice", M}, {"p_comment", S}},
			func(t *table, it any) error {
				p := it.(*dbgen.Part)
				return t.add(i64(p.PartKey), p.Name, p.Mfgr, p.Brand, p.Type, i64(p.Size), p.Container, i64(p.RetailPrice), p.Comment)
			}},
		{dbgen.TPsupp, "partsupp", []col{{"ps_partkey", I}, {"ps_suppkey", I}, {"ps_availqty", I}, {"ps_supplycost", M}, {"ps_comment", S}},
			func(t *table, it any) error {
				for _, s := range it.(*dbgen.Part).S {
					if err := t.add(i64(s.PartKey), i64(s.SuppKey), i64(s.Qty), i64(s.SCost), s.Comment); err != nil {
						return err
					}
				}
				return nil
			}},
		{dbgen.TOrder, "orders", []col{{"o_orderkey", I}, {"o_custkey", I}, {"o_orderstatus", S}, {"o_totalprice", M}, {"o_orderdate", T}, {"o_orderpriority", S}, {"o_clerk", S}, {"o_shippriority", I}, {"o_comment", S}},
			func(t *table, it any) error {
				o := it.(*dbgen.Order)
				return t.add(i64(o.OKey), i64(o.CustKey), string(o.Status), i64(o.TotalPrice), o.Date, o.OrderPriority, o.Clerk, o.ShipPriority, o.Comment)
			}},
		{dbgen.TLine, "lineitem", []col{{"l_orderkey", I}, {"l_partkey", I}, {"l_suppkey", I}, {"l_linenumber", I}, {"l_quantity", D}, {"l_extendedprice", M}, {"l_discount", M}, {"l_tax", M},
			{"l_returnflag", S}, {"l_linestatus", S}, {"l_shipdate", T}, {"l_commitdate", T}, {"l_receiptdate", T}, {"l_shipinstruct", S}, {"l_shipmode", S}, {"l_comment", S}},
			func(t *table, it any) error {
				for _, l := range it.(*dbgen.Order).Lines {
					if err := t.add(i64(l.OKey), i64(l.PartKey), i64(l.SuppKey), i64(l.LCnt), i64(l.Quantity), i64(l.EPrice), i64(l.Discount), i64(l.Tax),
						string(l.RFlag), string(l.LStatus), l.SDate, l.CDate, l.RDate, l.ShipInstruct, l.ShipMode, l.Comment); err != nil {
						return err
					}
				}
				return nil
			}},
	}
	dbgen.InitDbGen(sf)
	loaders := map[dbgen.Table]dbgen.Loader{}
	for _, d := range defs {
		t, err := newTable(dir, d.name, d.cols)
		if err != nil {
			return err
		}
		loaders[d.tab] = loader{t, d.load}
	}
	// dbgen prints its progress on stdout; keep stdout for the summary line.
	stdout := os.Stdout
	os.Stdout = os.Stderr
	err := dbgen.DbGen(loaders, []dbgen.Table{dbgen.TNation, dbgen.TRegion, dbgen.TSupp, dbgen.TCust, dbgen.TPartPsupp, dbgen.TOrderLine})
	os.Stdout = stdout
	if err != nil {
		return fmt.Errorf("tpchgen: sf %d: %w", sf, err)
	}
	fmt.Printf("tpch/gen sf=%d seconds=%.1f dir=%s\n", sf, time.Since(t0).Seconds(), dir)
	return nil
}
