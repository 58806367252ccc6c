package frame

// Tests for the wrong answers issue #10 lists, one or more per defect; each
// failed before its fix.

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/sched"
)

// floatFrame is one float column v (nulls where valid is false) and an int
// key k, cut into partitions of the given sizes (0 for an empty one).
func floatFrame(t *testing.T, k []int64, v []float64, valid []bool, sizes ...int) *Frame {
	t.Helper()
	if len(sizes) == 0 {
		sizes = []int{len(v)}
	}
	sch := arrow.NewSchema([]arrow.Field{{Name: "k", Type: Int64, Nullable: true}, {Name: "v", Type: Float64, Nullable: true}}, nil)
	var recs []arrow.Record
	at := 0
	for _, n := range sizes {
		var vv []bool
		if valid != nil {
			vv = valid[at : at+n]
		}
		recs = append(recs, array.NewRecord(sch, []arrow.Array{int64Array(append([]int64(nil), k[at:at+n]...), nil),
			float64Array(append([]float64(nil), v[at:at+n]...), vv)}, int64(n)))
		at += n
	}
	f := FromRecords(recs...)
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	return f
}

// execs are the ways every semantic test runs: the local executor,
// sched.Loopback (every value encoded and decoded) and a 4 KB memory limit.
func execs(t *testing.T) map[string][]sched.Option {
	return map[string][]sched.Option{
		"local":    {sched.WithProgress(nil)},
		"loopback": opts(),
		"tiny":     {sched.WithProgress(nil), sched.WithMemoryLimit(4096), sched.WithSpillDir(t.TempDir())},
	}
}

func compute(t *testing.T, f *Frame, o ...sched.Option) *Table {
	t.Helper()
	tab, err := f.Compute(context.Background(), o...)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// Defect 1: every comparison follows IEEE 754 for NaN (false, != true).
func TestDefectNaNComparisonsIEEE(t *testing.T) {
	nan := math.NaN()
	vs := []float64{nan, 1, 0, -1, math.Inf(1), math.Inf(-1), nan}
	ks := make([]int64, len(vs))
	f := floatFrame(t, ks, vs, nil, 3, 0, 4)
	type cmpCase struct {
		name string
		e    func(a, b Expr) Expr
		ref  func(a, b float64) bool
	}
	cases := []cmpCase{
		{"==", Expr.Eq, func(a, b float64) bool { return a == b }},
		{"!=", Expr.Ne, func(a, b float64) bool { return a != b }},
		{"<", Expr.Lt, func(a, b float64) bool { return a < b }},
		{"<=", Expr.Le, func(a, b float64) bool { return a <= b }},
		{">", Expr.Gt, func(a, b float64) bool { return a > b }},
		{">=", Expr.Ge, func(a, b float64) bool { return a >= b }},
	}
	for name, o := range execs(t) {
		for _, c := range cases {
			for _, lit := range []float64{1, 0, nan} {
				want := 0
				for _, v := range vs {
					if c.ref(v, lit) {
						want++
					}
				}
				// column op literal, and column op column (w is v).
				for form, e := range map[string]Expr{"lit": c.e(Col("v"), Lit(lit)), "col": c.e(Col("v"), Col("k").Cast(Float64).Mul(Lit(0.0)).Add(Lit(lit)))} {
					n, err := f.Filter(e).Len(context.Background(), o...)
					if err != nil {
						t.Fatal(err)
					}
					if n != want {
						t.Errorf("%s: v %s %v (%s): %d rows, want %d (IEEE)", name, c.name, lit, form, n, want)
					}
				}
			}
		}
		// IsIn is a disjunction of ==: NaN is in no list, not even one with NaN.
		n, err := f.Filter(Col("v").IsIn(nan, 1.0)).Len(context.Background(), o...)
		if err != nil || n != 1 {
			t.Errorf("%s: IsIn(NaN, 1): %d rows (%v), want 1", name, n, err)
		}
	}
}

// Defect 1 (joins): a NaN key matches nothing, as == says.
func TestDefectNaNJoinKeys(t *testing.T) {
	nan := math.NaN()
	l := floatFrame(t, []int64{1, 2, 3}, []float64{nan, 1, nan}, nil)
	r := floatFrame(t, []int64{10, 20}, []float64{nan, 1}, nil).Rename(map[string]string{"k": "rk"})
	for name, o := range execs(t) {
		tab := compute(t, l.Merge(r, MergeOptions{On: []string{"v"}, How: Inner}), o...)
		if tab.NumRows() != 1 || tab.Value(0, "rk") != int64(20) {
			t.Errorf("%s: inner join on NaN keys: %d rows, want 1 (only 1.0 matches)\n%s", name, tab.NumRows(), tab)
		}
		tab = compute(t, l.Merge(r, MergeOptions{On: []string{"v"}, How: Outer}), o...)
		if tab.NumRows() != 4 {
			t.Errorf("%s: outer join on NaN keys: %d rows, want 4\n%s", name, tab.NumRows(), tab)
		}
	}
}

// Defect 2: per-group Min and Max skip NaN whatever the row order; a group
// of only NaN is null.
func TestDefectGroupMinMaxNaNOrder(t *testing.T) {
	nan := math.NaN()
	k := []int64{1, 1, 1, 2, 2, 2, 3, 3, 4}
	v := []float64{nan, 1, 2, 1, 2, nan, nan, nan, 5}
	for _, sizes := range [][]int{{9}, {1, 8}, {3, 0, 3, 3}, {2, 2, 2, 2, 1}} {
		f := floatFrame(t, k, v, nil, sizes...)
		for name, o := range execs(t) {
			for _, keyed := range []*Frame{f.GroupBy("k").Agg(Col("v").Min().Alias("mn"), Col("v").Max().Alias("mx")).SortValues(false, "k"),
				f.WithColumn("s", Col("k").Cast(String)).GroupBy("s").Agg(Col("v").Min().Alias("mn"), Col("v").Max().Alias("mx")).SortValues(false, "s")} {
				tab := compute(t, keyed, o...)
				want := [][2]any{{1.0, 2.0}, {1.0, 2.0}, {nil, nil}, {5.0, 5.0}}
				for g, w := range want {
					if tab.Value(g, "mn") != w[0] || tab.Value(g, "mx") != w[1] {
						t.Errorf("%s %v: group %d: min %v max %v, want %v", name, sizes, g+1, tab.Value(g, "mn"), tab.Value(g, "mx"), w)
					}
				}
			}
			tab := compute(t, f.Agg(Col("v").Min().Alias("mn"), Col("v").Max().Alias("mx")), o...)
			if tab.Value(0, "mn") != 1.0 || tab.Value(0, "mx") != 5.0 {
				t.Errorf("%s %v: frame min/max %v %v, want 1 5", name, sizes, tab.Value(0, "mn"), tab.Value(0, "mx"))
			}
		}
	}
}

// Defect 3: Median leaves NaN out, as pandas.
func TestDefectMedianSkipsNaN(t *testing.T) {
	nan := math.NaN()
	f := floatFrame(t, []int64{1, 1, 1, 2, 2, 3}, []float64{1, 2, nan, nan, nan, 7}, nil, 2, 4)
	for name, o := range execs(t) {
		tab := compute(t, f.GroupBy("k").Agg(Col("v").Median().Alias("m"), Col("v").Std().Alias("sd")).SortValues(false, "k"), o...)
		if tab.Value(0, "m") != 1.5 || tab.Value(1, "m") != nil || tab.Value(2, "m") != 7.0 {
			t.Errorf("%s: medians %v %v %v, want 1.5 null 7", name, tab.Value(0, "m"), tab.Value(1, "m"), tab.Value(2, "m"))
		}
		tab = compute(t, f.Agg(Col("v").Median().Alias("m")), o...)
		if tab.Value(0, "m") != 2.0 {
			t.Errorf("%s: frame median %v, want 2 (of 1, 2, 7)", name, tab.Value(0, "m"))
		}
	}
}

// Defect 4: Mean of int64 does not wrap (it adds in float64); Sum wraps, as
// NumPy and pandas (documented in SEMANTICS.md).
func TestDefectMeanInt64Overflow(t *testing.T) {
	big := int64(math.MaxInt64)
	for _, sizes := range [][]int{{4}, {1, 3}, {2, 0, 2}} {
		f := FromRecords(splitInts(t, []int64{0, 0, 1, 1}, []int64{big, big, math.MinInt64, math.MinInt64}, sizes)...)
		for name, o := range execs(t) {
			want := float64(big)
			tab := compute(t, f.GroupBy("k").Agg(Col("v").Mean().Alias("m")).SortValues(false, "k"), o...)
			if tab.Value(0, "m") != want || tab.Value(1, "m") != -want {
				t.Errorf("%s %v: int key means %v %v, want %v %v", name, sizes, tab.Value(0, "m"), tab.Value(1, "m"), want, -want)
			}
			tab = compute(t, f.WithColumn("s", Col("k").Cast(String)).GroupBy("s").Agg(Col("v").Mean().Alias("m")).SortValues(false, "s"), o...)
			if tab.Value(0, "m") != want || tab.Value(1, "m") != -want {
				t.Errorf("%s %v: string key means %v %v", name, sizes, tab.Value(0, "m"), tab.Value(1, "m"))
			}
			tab = compute(t, f.GroupBy("k").Agg(Col("v").Mean().Alias("m"), Col("v").Median().Alias("md")).SortValues(false, "k"), o...)
			if tab.Value(0, "m") != want || tab.Value(0, "md") != want {
				t.Errorf("%s %v: mean with median %v %v", name, sizes, tab.Value(0, "m"), tab.Value(0, "md"))
			}
			tab = compute(t, f.Filter(Col("k").Eq(Lit(0))).Agg(Col("v").Mean().Alias("m"), Col("v").Sum().Alias("s")), o...)
			if tab.Value(0, "m") != want || tab.Value(0, "s") != big+big {
				t.Errorf("%s %v: frame mean %v sum %v, want %v and the wrapped %d", name, sizes, tab.Value(0, "m"), tab.Value(0, "s"), want, big+big)
			}
		}
	}
}

func splitInts(t *testing.T, k, v []int64, sizes []int) []arrow.Record {
	sch := arrow.NewSchema([]arrow.Field{{Name: "k", Type: Int64, Nullable: true}, {Name: "v", Type: Int64, Nullable: true}}, nil)
	var recs []arrow.Record
	at := 0
	for _, n := range sizes {
		recs = append(recs, array.NewRecord(sch, []arrow.Array{int64Array(append([]int64(nil), k[at:at+n]...), nil),
			int64Array(append([]int64(nil), v[at:at+n]...), nil)}, int64(n)))
		at += n
	}
	return recs
}

// Defect 5: Cast(Int64) of a float outside int64's range is null.
func TestDefectCastFloatOutOfRange(t *testing.T) {
	vs := []float64{1e19, -1e19, 9.223372036854775807e18, -9.223372036854775808e18, math.NaN(), math.Inf(1), 2.9, -2.9}
	want := []any{nil, nil, nil, int64(math.MinInt64), nil, nil, int64(2), int64(-2)}
	f := floatFrame(t, make([]int64, len(vs)), vs, nil, 5, 3)
	for name, o := range execs(t) {
		tab := compute(t, f.Select(Col("v").Cast(Int64).Alias("i")), o...)
		for i, w := range want {
			if got := tab.Value(i, "i"); got != w {
				t.Errorf("%s: Cast(Int64) of %v = %v, want %v", name, vs[i], got, w)
			}
		}
	}
}

// Defect 6: per-group NUnique counts 0.0 and -0.0 as one value.
func TestDefectGroupNUniqueSignedZero(t *testing.T) {
	negz := math.Copysign(0, -1)
	f := floatFrame(t, []int64{1, 1, 1, 2, 2}, []float64{0, negz, 1, negz, negz}, nil, 2, 3)
	for name, o := range execs(t) {
		tab := compute(t, f.GroupBy("k").Agg(Col("v").NUnique().Alias("n")).SortValues(false, "k"), o...)
		if tab.Value(0, "n") != int64(2) || tab.Value(1, "n") != int64(1) {
			t.Errorf("%s: NUnique %v %v, want 2 1", name, tab.Value(0, "n"), tab.Value(1, "n"))
		}
		tab = compute(t, f.NUnique("v"), o...)
		if tab.Value(0, "v") != int64(2) {
			t.Errorf("%s: frame NUnique %v, want 2", name, tab.Value(0, "v"))
		}
	}
}

// Defect 7: WriteJSON writes NaN and ±Inf as null, and ReadJSON reads the
// file back.
func TestDefectWriteJSONNaNInf(t *testing.T) {
	ctx := context.Background()
	vs := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1.5}
	f := floatFrame(t, []int64{1, 2, 3, 4}, vs, nil)
	dir := t.TempDir()
	if err := f.WriteJSON(ctx, dir); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "part-00000.jsonl"))
	if strings.Contains(string(b), "NaN") || strings.Contains(string(b), "Inf") {
		t.Fatalf("not JSON:\n%s", b)
	}
	tab := compute(t, ReadJSON(filepath.Join(dir, "*.jsonl")).SortValues(false, "k"))
	for i, w := range []any{nil, nil, nil, 1.5} {
		if tab.Value(i, "v") != w {
			t.Errorf("row %d: read back %v, want %v", i, tab.Value(i, "v"), w)
		}
	}
}

// Defect 8: a BYTE_STREAM_SPLIT column (DuckDB's PARQUET_VERSION v2; the
// fixture is DuckDB's) is refused by name at ReadParquet, not read as zero
// rows; its DELTA_BINARY_PACKED column alone reads.
func TestDefectParquetByteStreamSplit(t *testing.T) {
	f := ReadParquet("testdata/bss.parquet")
	if f.Err() == nil || !strings.Contains(f.Err().Error(), "BYTE_STREAM_SPLIT") || !strings.Contains(f.Err().Error(), `"v"`) {
		t.Fatalf("ReadParquet of a BYTE_STREAM_SPLIT file: %v", f.Err())
	}
}

// Defect 8 (lengths): every column chunk read must hold its row group's rows.
func TestDefectParquetChunkLengths(t *testing.T) {
	dir := t.TempDir()
	f := floatFrame(t, []int64{1, 2, 3}, []float64{1, 2, 3}, nil)
	if err := f.WriteParquet(context.Background(), dir, ""); err != nil {
		t.Fatal(err)
	}
	tab := compute(t, ReadParquet(dir).Agg(Col("v").Sum().Alias("s"), Col("k").Count().Alias("n")))
	if tab.Value(0, "s") != 6.0 || tab.Value(0, "n") != int64(3) {
		t.Fatalf("sum %v count %v", tab.Value(0, "s"), tab.Value(0, "n"))
	}
}

// Defect 9: a Parquet UINT64 above 2^63-1 is refused by name, not wrapped;
// one that fits reads as int64 (fixtures written by DuckDB).
func TestDefectParquetUint64(t *testing.T) {
	_, err := ReadParquet("testdata/ubigint.parquet").Compute(context.Background())
	if err == nil || !strings.Contains(err.Error(), "uint64") || !strings.Contains(err.Error(), "9223372036854775808") || !strings.Contains(err.Error(), `"u"`) {
		t.Fatalf("UBIGINT 2^63: %v", err)
	}
	tab := compute(t, ReadParquet("testdata/uinteger.parquet"))
	if tab.Value(1, "u") != int64(4294967295) {
		t.Fatalf("UINTEGER: %v", tab.Value(1, "u"))
	}
}

// Defect 11: an empty Parquet file (no row groups) is an empty frame.
func TestDefectEmptyParquet(t *testing.T) {
	ctx := context.Background()
	f := ReadParquet("testdata/empty.parquet")
	for name, o := range execs(t) {
		n, err := f.Len(ctx, o...)
		if err != nil || n != 0 {
			t.Fatalf("%s: Len %d %v", name, n, err)
		}
		tab := compute(t, f.Agg(Col("v").Sum().Alias("s"), Col("a").Count().Alias("n")), o...)
		if tab.NumRows() != 1 || tab.Value(0, "n") != int64(0) {
			t.Errorf("%s: Agg of no rows:\n%s", name, tab)
		}
		if tab := compute(t, f.GroupBy("a").Agg(Col("v").Sum()), o...); tab.NumRows() != 0 {
			t.Errorf("%s: GroupBy of no rows: %d rows", name, tab.NumRows())
		}
		if tab := compute(t, f.Describe(), o...); tab.Value(0, "v") != 0.0 {
			t.Errorf("%s: Describe count %v", name, tab.Value(0, "v"))
		}
	}
}

// Defect 11 (writing): an empty frame writes one empty file with its
// schema, in every format, and reads back as an empty frame.
func TestDefectWriteEmptyFrame(t *testing.T) {
	ctx := context.Background()
	f := ReadParquet("testdata/empty.parquet")
	empty := floatFrame(t, []int64{1}, []float64{1}, nil).Filter(Col("v").Gt(Lit(5)))
	for _, src := range []*Frame{f.Rename(map[string]string{"a": "k"}), empty} {
		dir := t.TempDir()
		if err := src.WriteParquet(ctx, dir, ""); err != nil {
			t.Fatal(err)
		}
		back := ReadParquet(dir)
		if back.Err() != nil {
			t.Fatal(back.Err())
		}
		if n, err := back.Len(ctx); err != nil || n != 0 || strings.Join(back.Columns(), ",") != "k,v" {
			t.Fatalf("read back: %d rows, columns %v, %v", n, back.Columns(), err)
		}
		for _, w := range []func(context.Context, string, ...sched.Option) error{src.WriteCSV, src.WriteJSON, src.WriteIPC} {
			d := t.TempDir()
			if err := w(ctx, d); err != nil {
				t.Fatal(err)
			}
			if ents, _ := os.ReadDir(d); len(ents) != 1 {
				t.Fatalf("%d files written", len(ents))
			}
		}
	}
}

// Defect 12: NLargest and NSmallest never keep nulls or NaN.
func TestDefectNLargestNulls(t *testing.T) {
	f := floatFrame(t, []int64{1, 2, 3, 4, 5}, []float64{1, 0, 2, 0, math.NaN()}, []bool{true, false, true, false, true}, 2, 0, 3)
	for name, o := range execs(t) {
		for _, c := range []struct {
			f    *Frame
			want []any
		}{{f.NLargest(3, "v"), []any{2.0, 1.0}}, {f.NSmallest(3, "v"), []any{1.0, 2.0}}, {f.NLargest(1, "v"), []any{2.0}}} {
			tab := compute(t, c.f, o...)
			if tab.NumRows() != len(c.want) {
				t.Errorf("%s: %d rows, want %v\n%s", name, tab.NumRows(), c.want, tab)
				continue
			}
			for i, w := range c.want {
				if tab.Value(i, "v") != w {
					t.Errorf("%s: row %d %v, want %v", name, i, tab.Value(i, "v"), w)
				}
			}
		}
	}
}

// Defect 13: Cast(String) of a timestamp keeps its microseconds.
func TestDefectCastTimestampString(t *testing.T) {
	ts := []time.Time{time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 1000, time.UTC), time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)}
	want := []string{"2024-01-02 03:04:05.123456", "1969-12-31 23:59:59.000001", "2024-01-02 00:00:00"}
	tab := compute(t, FromColumns(2, Column{"t", ts}).Select(Col("t").Cast(String).Alias("s")))
	for i, w := range want {
		if tab.Value(i, "s") != w {
			t.Errorf("%v as string: %v, want %s", ts[i], tab.Value(i, "s"), w)
		}
	}
}

// Defect 14: a frame with a bool column filtered to empty, then sorted,
// runs on Loopback (every piece encodes, whatever its size).
func TestDefectLoopbackEmptyBoolPieces(t *testing.T) {
	f := FromColumns(3, Column{"b", []bool{true, false, true, false}}, Column{"v", []float64{1, 2, 3, 4}})
	for name, o := range execs(t) {
		for _, q := range []*Frame{f.Filter(Col("v").Gt(Lit(10))).SortValues(false, "v"), f.Filter(Col("v").Gt(Lit(10))).SortValues(true, "b"),
			f.Filter(Col("v").Gt(Lit(2))).SortValues(false, "b", "v")} {
			tab, err := q.Compute(context.Background(), o...)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if tab.NumRows() > 2 {
				t.Errorf("%s: %d rows", name, tab.NumRows())
			}
		}
	}
}

// Defect 15: Describe's count leaves NaN out, as pandas.
func TestDefectDescribeCountNaN(t *testing.T) {
	f := floatFrame(t, []int64{1, 2, 3, 4}, []float64{1, math.NaN(), 3, 0}, []bool{true, true, true, false}, 1, 3)
	for name, o := range execs(t) {
		tab := compute(t, f.Describe(), o...)
		if tab.Value(0, "v") != 2.0 || tab.Value(0, "k") != 4.0 {
			t.Errorf("%s: count v %v k %v, want 2 4\n%s", name, tab.Value(0, "v"), tab.Value(0, "k"), tab)
		}
	}
}

// Defect 10: CSV edge cases: a UTF-8 BOM, a huge first data row, duplicate
// header names (a, a_1 as DuckDB), CR-only line ends (a clear error).
func TestDefectCSVEdges(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tab := compute(t, ReadCSV(write("bom.csv", "\xef\xbb\xbfid,v\n1,2.5\n")))
	if strings.Join(tab.Columns(), ",") != "id,v" || tab.Value(0, "id") != int64(1) {
		t.Errorf("BOM: columns %q", tab.Columns())
	}
	tab = compute(t, ReadCSV(write("bomnh.csv", "\xef\xbb\xbf7,x\n"), CSVOptions{NoHeader: true}))
	if tab.Value(0, "c0") != int64(7) {
		t.Errorf("BOM without header: %v", tab.Value(0, "c0"))
	}
	huge := strings.Repeat("x", 3<<20)
	tab = compute(t, ReadCSV(write("huge.csv", "n,s,f\n1,"+huge+",2.5\n2,y,3\n")))
	if d := tab.Record().Schema(); d.Field(0).Type.ID() != arrow.INT64 || d.Field(1).Type.ID() != arrow.STRING || d.Field(2).Type.ID() != arrow.FLOAT64 {
		t.Errorf("3 MB first row: inferred %v", d)
	}
	_, err := ReadCSV(write("bad.csv", "n,s\n1,a\n"+huge+",b\n"), CSVOptions{Types: map[string]CSVType{"n": CSVInt64}}).Compute(context.Background())
	if err == nil || len(err.Error()) > 500 || !strings.Contains(err.Error(), "3145728 bytes") {
		t.Errorf("error on a 3 MB field: %.300v (%d bytes)", err, len(err.Error()))
	}
	for name, o := range execs(t) {
		tab = compute(t, ReadCSV(write("dup.csv", "a,a,b,a\n1,2,3,4\n5,6,7,8\n")).Agg(Col("a").Sum(), Col("a_1").Sum(), Col("a_2").Sum()), o...)
		if tab.Value(0, "a") != int64(6) || tab.Value(0, "a_1") != int64(8) || tab.Value(0, "a_2") != int64(12) {
			t.Errorf("%s: duplicate headers:\n%s", name, tab)
		}
	}
	f := ReadCSV(write("cr.csv", "a,b\r1,2\r3,4\r"))
	if f.Err() == nil || !strings.Contains(f.Err().Error(), "CR") {
		t.Errorf("CR-only line ends: %v", f.Err())
	}
}
