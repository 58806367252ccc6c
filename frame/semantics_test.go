package frame

// One test per rule of SEMANTICS.md not already covered by defects_test.go.

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSemanticsNaNArithmetic(t *testing.T) {
	nan := math.NaN()
	f := floatFrame(t, []int64{1, 1, 2}, []float64{1, nan, 2}, nil, 1, 2)
	for name, o := range execs(t) {
		tab := compute(t, f.GroupBy("k").Agg(Col("v").Sum().Alias("s"), Col("v").Mean().Alias("m"), Col("v").Count().Alias("c"), Col("v").Std().Alias("sd")).SortValues(false, "k"), o...)
		for _, c := range []string{"s", "m", "sd"} {
			if v, ok := tab.Value(0, c).(float64); !ok || !math.IsNaN(v) {
				t.Errorf("%s: %s of [1, NaN] = %v, want NaN", name, c, tab.Value(0, c))
			}
		}
		if tab.Value(0, "c") != int64(2) || tab.Value(1, "s") != 2.0 {
			t.Errorf("%s: count %v (NaN is counted), sum %v", name, tab.Value(0, "c"), tab.Value(1, "s"))
		}
	}
}

func TestSemanticsSortNaN(t *testing.T) {
	nan := math.NaN()
	f := floatFrame(t, []int64{1, 2, 3, 4, 5}, []float64{1, nan, 0, -1, 2}, []bool{true, true, false, true, true}, 2, 0, 3)
	for name, o := range execs(t) {
		for desc, want := range map[bool][]int64{false: {4, 1, 5, 2, 3}, true: {5, 1, 4, 2, 3}} {
			tab := compute(t, f.SortValues(desc, "v"), o...)
			for i, w := range want {
				if tab.Value(i, "k") != w {
					t.Errorf("%s desc=%v: row %d k=%v, want %v (NaN, then null, last)", name, desc, i, tab.Value(i, "k"), w)
				}
			}
		}
	}
}

func TestSemanticsDistinctNaNZero(t *testing.T) {
	nan := math.NaN()
	negz := math.Copysign(0, -1)
	f := floatFrame(t, []int64{1, 1, 1, 1, 1}, []float64{0, negz, nan, nan, 1}, []bool{true, true, true, true, false}, 2, 3)
	for name, o := range execs(t) {
		if tab := compute(t, f.Unique("v"), o...); tab.NumRows() != 3 {
			t.Errorf("%s: Unique: %d rows, want 3 (0, NaN, null)", name, tab.NumRows())
		}
		if tab := compute(t, f.NUnique("v"), o...); tab.Value(0, "v") != int64(2) {
			t.Errorf("%s: NUnique %v, want 2 (0 and NaN)", name, tab.Value(0, "v"))
		}
		if tab := compute(t, f.GroupBy("k").Agg(Col("v").NUnique().Alias("n")), o...); tab.Value(0, "n") != int64(2) {
			t.Errorf("%s: group NUnique %v, want 2", name, tab.Value(0, "n"))
		}
		if tab := compute(t, f.GroupBy("v").Agg(Col("k").Sum()), o...); tab.NumRows() != 3 {
			t.Errorf("%s: groups by v: %d, want 3 (0, NaN, null)", name, tab.NumRows())
		}
	}
}

func TestSemanticsNullGroupKeys(t *testing.T) {
	nan := math.NaN()
	f := floatFrame(t, []int64{1, 2, 3, 4, 5}, []float64{1, 0, nan, 1, 0}, []bool{true, false, true, true, false}, 3, 2)
	for name, o := range execs(t) {
		tab := compute(t, f.GroupBy("v").Agg(Col("k").Sum()).SortValues(false, "v"), o...)
		nullSum := any(nil)
		for r := 0; r < tab.NumRows(); r++ {
			if tab.Value(r, "v") == nil {
				nullSum = tab.Value(r, "k")
			}
		}
		if tab.NumRows() != 3 || tab.Value(0, "v") != 1.0 || nullSum != int64(7) {
			t.Errorf("%s: default keeps the null group:\n%s", name, tab)
		}
		tab = compute(t, f.GroupBy("v").DropNA().Agg(Col("k").Sum()), o...)
		if tab.NumRows() != 1 || tab.Value(0, "k") != int64(5) {
			t.Errorf("%s: DropNA:\n%s", name, tab)
		}
		s := f.WithColumn("s", When(Col("v").IsNull()).Then(Lit(nil)).Otherwise(Col("v").Cast(String)))
		tab = compute(t, s.GroupBy("s").DropNA().Agg(Col("k").Sum()).SortValues(false, "s"), o...)
		if tab.NumRows() != 2 || tab.Value(0, "s") != "1.0" || tab.Value(1, "s") != "nan" {
			t.Errorf("%s: DropNA on strings keeps \"nan\":\n%s", name, tab)
		}
	}
}

func TestSemanticsValueCountsNull(t *testing.T) {
	f := floatFrame(t, []int64{1, 2, 3}, []float64{1, 0, 1}, []bool{true, false, true}, 1, 2)
	tab := compute(t, f.ValueCounts("v"))
	if tab.NumRows() != 2 || tab.Value(0, "count") != int64(2) || tab.Value(1, "v") != nil {
		t.Errorf("ValueCounts counts null:\n%s", tab)
	}
}

func TestSemanticsIntOverflow(t *testing.T) {
	f := FromColumns(2, Column{"v", []int64{math.MaxInt64, math.MinInt64, 3}})
	tab := compute(t, f.Select(Col("v").Add(Lit(1)).Alias("a"), Col("v").Sub(Lit(1)).Alias("s"), Col("v").Mul(Lit(2)).Alias("m")))
	if tab.Value(0, "a") != int64(math.MinInt64) || tab.Value(1, "s") != int64(math.MaxInt64) || tab.Value(0, "m") != int64(-2) {
		t.Errorf("wrapping arithmetic:\n%s", tab)
	}
	tab = compute(t, f.Agg(Col("v").Sum().Alias("s")))
	if tab.Value(0, "s") != int64(2) { // MaxInt64 + MinInt64 + 3
		t.Errorf("sum %v", tab.Value(0, "s"))
	}
}

func TestSemanticsEmptyAndOne(t *testing.T) {
	f := floatFrame(t, []int64{1, 2}, []float64{1, 2}, nil, 1, 1)
	for name, o := range execs(t) {
		tab := compute(t, f.Filter(Col("k").Gt(Lit(9))).Agg(Col("v").Sum().Alias("s"), Col("k").Sum().Alias("si"), Col("v").Count().Alias("c"),
			Col("v").Mean().Alias("m"), Col("v").Min().Alias("mn"), Col("v").Median().Alias("md"), Col("v").Std().Alias("sd")), o...)
		if tab.Value(0, "s") != 0.0 || tab.Value(0, "si") != int64(0) || tab.Value(0, "c") != int64(0) {
			t.Errorf("%s: sum/count of no rows:\n%s", name, tab)
		}
		for _, c := range []string{"m", "mn", "md", "sd"} {
			if tab.Value(0, c) != nil {
				t.Errorf("%s: %s of no rows = %v, want null", name, c, tab.Value(0, c))
			}
		}
		tab = compute(t, f.GroupBy("k").Agg(Col("v").Std().Alias("sd"), Col("v").Var().Alias("var")), o...)
		if tab.Value(0, "sd") != nil || tab.Value(0, "var") != nil {
			t.Errorf("%s: std/var of one value:\n%s", name, tab)
		}
	}
}

func TestSemanticsStringCasts(t *testing.T) {
	in := []string{" 12", "1e3", "0x10", "-7 ", "2.5", "abc", "", "inf", "NaN"}
	wantI := []any{int64(12), nil, nil, int64(-7), nil, nil, nil, nil, nil}
	wantF := []any{12.0, 1000.0, nil, -7.0, 2.5, nil, nil, math.Inf(1), "nan"}
	tab := compute(t, FromColumns(2, Column{"s", in}).Select(Col("s").Cast(Int64).Alias("i"), Col("s").Cast(Float64).Alias("f")))
	for r := range in {
		if tab.Value(r, "i") != wantI[r] {
			t.Errorf("%q as int: %v, want %v", in[r], tab.Value(r, "i"), wantI[r])
		}
		got := tab.Value(r, "f")
		if wantF[r] == "nan" {
			if g, ok := got.(float64); !ok || !math.IsNaN(g) {
				t.Errorf("%q as float: %v, want NaN", in[r], got)
			}
		} else if got != wantF[r] {
			t.Errorf("%q as float: %v, want %v", in[r], got, wantF[r])
		}
	}
}

func TestSemanticsFloatString(t *testing.T) {
	// The strings Python's repr (pandas astype(str)) and DuckDB give.
	in := []float64{1, 0.1, 1e20, 1e-5, 1e6, 1.0 / 3, -2.5, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 1e16, 123456789012345.6}
	want := []string{"1.0", "0.1", "1e+20", "1e-05", "1000000.0", "0.3333333333333333", "-2.5", "-0.0", "nan", "inf", "-inf", "1e+16", "123456789012345.6"}
	tab := compute(t, floatFrame(t, make([]int64, len(in)), in, nil, 5, len(in)-5).Select(Col("v").Cast(String).Alias("s")))
	for i, w := range want {
		if tab.Value(i, "s") != w {
			t.Errorf("%v as string: %v, want %s", in[i], tab.Value(i, "s"), w)
		}
	}
}

func TestSemanticsUpperSharpS(t *testing.T) {
	tab := compute(t, FromColumns(1, Column{"s", []string{"ß", "straße", "Élan"}}).Select(Col("s").Upper().Alias("u"), Col("s").Lower().Alias("l")))
	for i, w := range []string{"ß", "STRAßE", "ÉLAN"} {
		if tab.Value(i, "u") != w {
			t.Errorf("Upper: %v, want %s", tab.Value(i, "u"), w)
		}
	}
	if tab.Value(2, "l") != "élan" {
		t.Errorf("Lower: %v", tab.Value(2, "l"))
	}
}

func TestSemanticsCSVEmptyFields(t *testing.T) {
	p := filepath.Join(t.TempDir(), "e.csv")
	os.WriteFile(p, []byte("i,f,s,b,z\n1,,x,true,\n,2.5,,,\n3,1.5,\"\",false,\n"), 0o644)
	f := ReadCSV(p)
	tab := compute(t, f)
	if d := f.Dtypes(); d.Of("z") != Float64 || d.Of("s") != String || d.Of("i") != Int64 || d.Of("b") != Bool {
		t.Errorf("dtypes %v", d)
	}
	for _, c := range [][2]any{{1, "i"}, {0, "f"}, {1, "s"}, {2, "s"}, {1, "b"}, {0, "z"}} {
		if v := tab.Value(c[0].(int), c[1].(string)); v != nil {
			t.Errorf("row %d %s: %v, want null", c[0], c[1], v)
		}
	}
}

func TestSemanticsParquetTypes(t *testing.T) {
	for _, k := range []string{"decimal", "time", "interval", "uuid", "list", "struct"} {
		f := ReadParquet("testdata/type_" + k + ".parquet")
		if f.Err() == nil || !strings.Contains(f.Err().Error(), `"x"`) {
			t.Errorf("%s: %v, want a refusal naming column x", k, f.Err())
		}
	}
	if f := ReadParquet("testdata/lz4raw.parquet"); f.Err() == nil || !strings.Contains(f.Err().Error(), "LZ4_RAW") {
		t.Errorf("LZ4_RAW: %v", f.Err())
	}
	tab := compute(t, ReadParquet("testdata/type_date.parquet"))
	if v, ok := tab.Value(0, "x").(interface{ Year() int }); !ok || v.Year() != 1960 {
		t.Errorf("date 1960-03-04 read as %v", tab.Value(0, "x"))
	}
}

func TestSemanticsStringLen(t *testing.T) {
	tab := compute(t, FromColumns(2, Column{"s", []string{"", "a", "ß", "日本", "🙂", "Élan"}}).Select(Col("s").Len().Alias("n")))
	for i, w := range []int64{0, 1, 1, 2, 1, 4} {
		if tab.Value(i, "n") != w {
			t.Errorf("row %d: Len %v, want %d characters", i, tab.Value(i, "n"), w)
		}
	}
}
