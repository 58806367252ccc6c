package frame

// Tests for the defects issue #12 lists; each failed before its fix.

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// allTypesFrame is a random frame of every dtype over the given partition
// sizes: int64 with extremes, float64 whole in the first partition and
// fractional later (the round-trip trap) with NaN and ±Inf (when special),
// unicode strings, bools and timestamps (midnights and microseconds), each
// with nulls.
func allTypesFrame(t *testing.T, rng *rand.Rand, special bool, sizes ...int) (*Frame, []arrow.Record) {
	t.Helper()
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: Int64, Nullable: true}, {Name: "f", Type: Float64, Nullable: true},
		{Name: "s", Type: String, Nullable: true}, {Name: "b", Type: Bool, Nullable: true},
		{Name: "ts", Type: Timestamp, Nullable: true}}, nil)
	words := []string{"Zoë", "東京", "naïve, \"quoted\"", "a\tb", "x", "🙂 emoji", "line"}
	var recs []arrow.Record
	for p, n := range sizes {
		is, fs, ts := make([]int64, n), make([]float64, n), make([]int64, n)
		bs := make([]bool, n)
		sb := newStrBuilder(n)
		vi, vf, vb, vt := make([]bool, n), make([]bool, n), make([]bool, n), make([]bool, n)
		for r := 0; r < n; r++ {
			is[r] = rng.Int63n(2000) - 1000
			switch rng.Intn(8) {
			case 0:
				is[r] = math.MaxInt64
			case 1:
				is[r] = math.MinInt64
			}
			fs[r] = float64(rng.Intn(100))
			if p > 0 {
				fs[r] += 0.5
			}
			if special {
				switch rng.Intn(8) {
				case 0:
					fs[r] = math.NaN()
				case 1:
					fs[r] = math.Inf(1)
				case 2:
					fs[r] = math.Inf(-1)
				case 3:
					fs[r] = 1e300 * float64(rng.Intn(3)-1)
				}
			}
			if rng.Intn(5) == 0 {
				sb.addNull()
			} else {
				sb.add([]byte(words[rng.Intn(len(words))]))
			}
			bs[r] = rng.Intn(2) == 0
			day := time.Date(2024, 1, 1+rng.Intn(300), 0, 0, 0, 0, time.UTC)
			if rng.Intn(2) == 0 {
				day = day.Add(time.Duration(rng.Int63n(86400e6)) * time.Microsecond)
			}
			ts[r] = day.UnixMicro()
			vi[r], vf[r], vb[r], vt[r] = rng.Intn(6) > 0, rng.Intn(6) > 0, rng.Intn(6) > 0, rng.Intn(6) > 0
		}
		recs = append(recs, array.NewRecord(sch, []arrow.Array{int64Array(is, vi), float64Array(fs, vf), sb.array(), boolArray(bs, vb), timeArray(ts, vt)}, int64(n)))
	}
	f := FromRecords(recs...)
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	return f, recs
}

// sameCells compares two tables cell by cell (NaN equals NaN, null equals
// null only).
func sameCells(t *testing.T, what string, got, want *Table) {
	t.Helper()
	if got.NumRows() != want.NumRows() {
		t.Fatalf("%s: %d rows, want %d", what, got.NumRows(), want.NumRows())
	}
	if g, w := fieldsOf(got), fieldsOf(want); g != w {
		t.Fatalf("%s: schema\n%s\nwant\n%s", what, g, w)
	}
	for _, c := range want.Columns() {
		for i := 0; i < want.NumRows(); i++ {
			g, w := got.Value(i, c), want.Value(i, c)
			if gf, ok := g.(float64); ok {
				if wf, ok := w.(float64); ok && (gf == wf || math.IsNaN(gf) && math.IsNaN(wf)) {
					continue
				}
			}
			if gt, ok := g.(time.Time); ok {
				if wt, ok := w.(time.Time); ok && gt.Equal(wt) {
					continue
				}
			}
			if g != w {
				t.Fatalf("%s: row %d column %s: %v (%T), want %v (%T)", what, i, c, g, g, w, w)
			}
		}
	}
}

// Defect: WriteCSV wrote 10.0 as "10", so reading the directory inferred
// int64 from the first file and failed on "7.5" in the next.
func TestIssue12CSVRoundTrip(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 3; seed++ {
		rng := rand.New(rand.NewSource(seed))
		f, _ := allTypesFrame(t, rng, true, 30, 0, 17, 25)
		want := compute(t, f)
		dir := filepath.Join(t.TempDir(), "csv")
		if err := f.WriteCSV(ctx, dir); err != nil {
			t.Fatal(err)
		}
		// CSV holds no types: timestamps need ParseDates; strings are
		// strings here because no value looks like a number.
		back := ReadCSV(filepath.Join(dir, "*.csv"), CSVOptions{ParseDates: []string{"ts"}})
		got := compute(t, back)
		// CSV cannot tell an empty string from a null: none is written here.
		sameCells(t, "csv", got, want)
	}
}

// Defect: the same for JSON lines (JSON has no NaN or ±Inf: they come back
// null, as pandas' to_json writes them).
func TestIssue12JSONRoundTrip(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 3; seed++ {
		rng := rand.New(rand.NewSource(seed))
		f, _ := allTypesFrame(t, rng, false, 30, 0, 17, 25)
		want := compute(t, f)
		dir := filepath.Join(t.TempDir(), "json")
		if err := f.WriteJSON(ctx, dir); err != nil {
			t.Fatal(err)
		}
		got := compute(t, ReadJSON(filepath.Join(dir, "*.jsonl")))
		sameCells(t, "json", got, want)
	}
	// Special floats: NaN and ±Inf are null after the trip, other values
	// are kept.
	rng := rand.New(rand.NewSource(9))
	f, _ := allTypesFrame(t, rng, true, 20, 20)
	want := compute(t, f)
	dir := filepath.Join(t.TempDir(), "json2")
	if err := f.WriteJSON(ctx, dir); err != nil {
		t.Fatal(err)
	}
	got := compute(t, ReadJSON(filepath.Join(dir, "*.jsonl")))
	fs, _ := want.Float64s("f")
	gs, _ := got.Float64s("f")
	gv, _ := got.Valid("f")
	for i := range fs {
		if math.IsNaN(fs[i]) || math.IsInf(fs[i], 0) {
			if gv[i] {
				t.Fatalf("row %d: %v came back %v, want null", i, fs[i], gs[i])
			}
		} else if gs[i] != fs[i] {
			t.Fatalf("row %d: %v came back %v", i, fs[i], gs[i])
		}
	}
}

// Defect: inference read the first file only. Now every file's sample
// counts and the types widen; a value later in one file that the sampled
// type cannot hold names the Types fix.
func TestIssue12CSVInferenceWidens(t *testing.T) {
	dir := t.TempDir()
	writeAt(t, filepath.Join(dir, "a.csv"), "k,v,w\n1,10,1\n2,20,2\n")
	writeAt(t, filepath.Join(dir, "b.csv"), "k,v,w\n3,7.5,x\n")
	writeAt(t, filepath.Join(dir, "c.csv"), "k,v,w\n")
	f := ReadCSV(filepath.Join(dir, "*.csv"))
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	d := f.Dtypes()
	if d.Of("k") != Int64 || d.Of("v") != Float64 || d.Of("w") != String {
		t.Fatalf("dtypes %v", d)
	}
	got := compute(t, f.SortValues(false, "k"))
	if v, _ := got.Float64s("v"); v[0] != 10 || v[2] != 7.5 {
		t.Fatalf("v = %v", v)
	}
	// Within a file, past the sample: the error gives the exact option.
	var b strings.Builder
	b.WriteString("k,v\n")
	for i := 0; i < 50; i++ {
		b.WriteString("1,2\n")
	}
	b.WriteString("1,2.5\n")
	p := filepath.Join(dir, "late.csv")
	writeAt(t, p, b.String())
	_, err := ReadCSV(p, CSVOptions{SampleRows: 10}).Compute(context.Background())
	if err == nil || !strings.Contains(err.Error(), `frame.CSVOptions{Types: map[string]frame.CSVType{"v": frame.CSVFloat64}}`) || !strings.Contains(err.Error(), "late.csv:52") {
		t.Fatalf("error %v", err)
	}
	if got := compute(t, ReadCSV(p, CSVOptions{SampleRows: 10, Types: map[string]CSVType{"v": CSVFloat64}}).Sum("v")); got.Value(0, "v") != 102.5 {
		t.Fatalf("with the fix: %v", got)
	}
}

// Defect: duplicate column names were made silently.
func TestIssue12DuplicateNames(t *testing.T) {
	f := FromColumns(2, Column{"k", []int64{1, 1, 2}}, Column{"v", []float64{1, 2, 4}}, Column{"s", []string{"a", "b", "a"}})
	g := f.GroupBy("k").Agg(Col("v").Sum(), Col("v").Mean(), Col("v").Max().Alias("top"))
	if g.Err() != nil {
		t.Fatal(g.Err())
	}
	if c := strings.Join(g.Columns(), " "); c != "k v_sum v_mean top" {
		t.Fatalf("columns %s", c)
	}
	tab := compute(t, g.SortValues(false, "k"))
	if s, _ := tab.Float64s("v_sum"); s[0] != 3 || s[1] != 4 {
		t.Fatalf("v_sum %v", s)
	}
	if m, _ := tab.Float64s("v_mean"); m[0] != 1.5 {
		t.Fatalf("v_mean %v", m)
	}
	// One aggregation keeps the column's name.
	if c := f.GroupBy("k").Agg(Col("v").Sum()).Columns(); strings.Join(c, " ") != "k v" {
		t.Fatalf("columns %v", c)
	}
	for name, bad := range map[string]*Frame{
		"count of the key":    f.GroupBy("s").Count("s"),
		"select alias clash":  f.Select(Col("k"), Col("v").Alias("k")),
		"two aliases alike":   f.GroupBy("k").Agg(Col("v").Sum().Alias("x"), Col("v").Mean().Alias("x")),
		"same agg twice":      f.GroupBy("k").Agg(Col("v").Sum(), Col("v").Sum()),
		"rename onto another": f.Rename(map[string]string{"s": "v"}),
	} {
		if bad.Err() == nil || !strings.Contains(bad.Err().Error(), "Alias") {
			t.Errorf("%s: error %v", name, bad.Err())
		}
	}
}

// Defect: Dtypes lost the column order; Value and Column of a misspelt
// column were silently nil.
func TestIssue12DtypesAndLookups(t *testing.T) {
	f := FromColumns(1, Column{"z", []float64{1}}, Column{"a", []int64{2}}, Column{"m", []string{"x"}})
	var names []string
	for _, d := range f.Dtypes() {
		names = append(names, d.Name+":"+d.Type.String())
	}
	if strings.Join(names, " ") != "z:float64 a:int64 m:utf8" {
		t.Fatalf("dtypes %v", names)
	}
	tab := compute(t, f)
	if _, err := tab.Get(0, "zz"); err == nil || !strings.Contains(err.Error(), `unknown column "zz"`) {
		t.Fatalf("Get: %v", err)
	}
	if _, err := tab.Get(5, "z"); err == nil {
		t.Fatal("Get out of range: no error")
	}
	if _, err := tab.Col("nope"); err == nil {
		t.Fatal("Col: no error")
	}
	if _, err := tab.Int64s("z"); err == nil || !strings.Contains(err.Error(), "float64") {
		t.Fatalf("Int64s of a float column: %v", err)
	}
	if _, err := tab.Strings("a"); err == nil {
		t.Fatal("Strings of an int column: no error")
	}
}

// Defect: Tail printed its index from 0; wide tables were never cut;
// CJK text misaligned.
func TestIssue12Printing(t *testing.T) {
	ctx := context.Background()
	f := FromColumns(3, Column{"v", []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}})
	tail, err := f.Tail(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(tail.String(), "\n")
	if !strings.HasPrefix(lines[1], "7 ") || !strings.HasPrefix(lines[3], "9 ") {
		t.Fatalf("tail:\n%s", tail)
	}
	full := compute(t, f)
	if s := full.Slice(4, 6).String(); !strings.HasPrefix(strings.Split(s, "\n")[1], "4 ") {
		t.Fatalf("slice:\n%s", s)
	}
	var cols []Column
	for j := 0; j < 30; j++ {
		cols = append(cols, Column{Name: "c" + string(rune('A'+j%26)) + string(rune('0'+j/26)), Values: []int64{int64(j)}})
	}
	wide := compute(t, FromColumns(1, cols...))
	s := wide.String()
	if !strings.Contains(s, "cJ0  ...  cU0") || strings.Contains(s, "cK0") || !strings.Contains(s, "[1 rows x 30 columns]") {
		t.Fatalf("wide:\n%s", s)
	}
	cjk := compute(t, FromColumns(1, Column{"city", []string{"東京都", "Paris", "Zoë"}}, Column{"n", []int64{1, 22, 333}}))
	ls := strings.Split(cjk.String(), "\n")
	// Every line of the grid ends at the same display column.
	w := displayWidth(ls[0])
	for _, l := range ls[1:4] {
		if displayWidth(l) != w {
			t.Fatalf("misaligned:\n%s", cjk)
		}
	}
	if displayWidth("東京") != 4 || displayWidth("Zoe\u0308") != 3 || displayWidth("ab") != 2 {
		t.Fatal("displayWidth")
	}
}

// Typed results: Scalar, the typed columns, ToStructs, Rows, Compute2.
func TestIssue12TypedResults(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(3))
	n := 200
	k, v := make([]int64, n), make([]float64, n)
	var sum float64
	var ksum int64
	for i := range k {
		k[i], v[i] = rng.Int63n(5), rng.Float64()
		sum += v[i]
		ksum += k[i]
	}
	f := FromColumns(4, Column{"k", k}, Column{"v", v})
	got, err := Scalar[float64](ctx, f.Sum("v"))
	if err != nil || math.Abs(got-sum) > 1e-9 {
		t.Fatalf("Scalar[float64] %v %v, want %v", got, err, sum)
	}
	gk, err := Scalar[int64](ctx, f.Sum("k"))
	if err != nil || gk != ksum {
		t.Fatalf("Scalar[int64] %v %v, want %v", gk, err, ksum)
	}
	if _, err := Scalar[int64](ctx, f.Sum("v")); err == nil || !strings.Contains(err.Error(), "float64") {
		t.Fatalf("Scalar[int64] of a float: %v", err)
	}
	if _, err := Scalar[float64](ctx, f.Sum()); err == nil || !strings.Contains(err.Error(), "2 columns") {
		t.Fatalf("Scalar of two columns: %v", err)
	}
	if f2, _ := Scalar[float64](ctx, f.Filter(Col("k").Gt(Lit(100))).Agg(Col("v").Max())); !math.IsNaN(f2) {
		t.Fatalf("max of nothing %v, want NaN", f2)
	}
	if _, err := Scalar[int64](ctx, f.Filter(Col("k").Gt(Lit(100))).Agg(Col("k").Max())); !errors.Is(err, ErrNull) {
		t.Fatalf("null string: %v", err)
	}

	byK := f.GroupBy("k").Agg(Col("v").Sum(), Col("v").Size().Alias("n")).SortValues(false, "k")
	top := f.NLargest(3, "v")
	a, b, err := Compute2(ctx, byK, top)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := a.Int64s("k")
	if err != nil || len(keys) != 5 {
		t.Fatalf("keys %v %v", keys, err)
	}
	type row struct {
		K     int64   `frame:"k"`
		Total float64 `frame:"v"`
		N     *int32  `frame:"n"`
		Skip  string  `frame:"-"`
	}
	rs, err := ToStructs[row](a)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[int64]float64{}
	cnt := map[int64]int32{}
	for i := range k {
		sums[k[i]] += v[i]
		cnt[k[i]]++
	}
	for _, r := range rs {
		if math.Abs(r.Total-sums[r.K]) > 1e-9 || r.N == nil || *r.N != cnt[r.K] {
			t.Fatalf("row %+v, want sum %v count %v", r, sums[r.K], cnt[r.K])
		}
	}
	if vs, _ := b.Float64s("v"); len(vs) != 3 || vs[0] < vs[1] {
		t.Fatalf("top %v", vs)
	}
	type bad struct {
		K string `frame:"k"`
	}
	if _, err := ToStructs[bad](a); err == nil || !strings.Contains(err.Error(), "bad.K") {
		t.Fatalf("ToStructs mismatch: %v", err)
	}
	type small struct{ K int8 }
	big := compute(t, FromColumns(1, Column{"K", []int64{1000}}))
	if _, err := ToStructs[small](big); err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Fatalf("overflow: %v", err)
	}
	// Round trip through FromStructs with nulls.
	x := 2.5
	in := []struct {
		A *float64
		B string
		T time.Time
	}{{&x, "Zoë", time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)}, {nil, "", time.Time{}.UTC()}}
	back, err := ToStructs[struct {
		A *float64
		B string
		T time.Time
	}](compute(t, FromStructs(1, in)))
	if err != nil || len(back) != 2 || *back[0].A != 2.5 || back[1].A != nil || back[0].B != "Zoë" || !back[0].T.Equal(in[0].T) {
		t.Fatalf("round trip %+v %v", back, err)
	}
	// Rows.
	var seen int
	a.Rows()(func(i int, r []any) bool {
		if r[0].(int64) != keys[i] {
			t.Fatalf("row %d: %v", i, r)
		}
		seen++
		return i < 2
	})
	if seen != 3 {
		t.Fatalf("Rows stopped after %d", seen)
	}
	if h := a.Head(2); h.NumRows() != 2 {
		t.Fatal("Head")
	}
}

func writeAt(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fieldsOf is the names and types of a table's columns.
func fieldsOf(t *Table) string {
	var b strings.Builder
	for _, f := range t.Schema().Fields() {
		b.WriteString(f.Name + ":" + f.Type.String() + " ")
	}
	return b.String()
}

// ToStructs reads date and duration columns into time.Time and
// time.Duration fields.
func TestIssue12ToStructsDates(t *testing.T) {
	f := FromColumns(1, Column{"ts", []time.Time{time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)}})
	tab := compute(t, f.Select(Col("ts").Cast(Date32).Alias("d"), Col("ts").Sub(Lit(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))).Alias("dur")))
	rs, err := ToStructs[struct {
		D   time.Time     `frame:"d"`
		Dur time.Duration `frame:"dur"`
	}](tab)
	if err != nil || len(rs) != 1 || !rs[0].D.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) || rs[0].Dur != 10*time.Hour {
		t.Fatalf("%+v %v\n%s", rs, err, tab)
	}
}
