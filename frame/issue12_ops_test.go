package frame

// Tests of the cleaning, reshaping and typed-function operations of issue
// #12 against pandas fixtures (testdata/issue12, made by gen_issue12.py
// there) and naive loops on random inputs.

import (
	"context"
	"math"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/sched"
)

func fixture(t *testing.T, name string) *Table {
	t.Helper()
	return compute(t, ReadCSV(filepath.Join("testdata", "issue12", name)))
}

// fixtureInput is the pandas input, cut into uneven partitions (an empty
// one among them) so that carries across boundaries are exercised.
func fixtureInput(t *testing.T) *Frame {
	t.Helper()
	tab := fixture(t, "input.csv")
	r := tab.Record()
	var recs []arrow.Record
	cuts := []int64{0, 7, 7, 25, 26, 60}
	for i := 0; i+1 < len(cuts); i++ {
		recs = append(recs, r.NewSlice(cuts[i], cuts[i+1]))
	}
	return FromRecords(recs...)
}

func isMissing(v any) bool {
	if v == nil {
		return true
	}
	f, ok := v.(float64)
	return ok && math.IsNaN(f)
}

// sameLoose compares got with the pandas table want: the same columns in
// order, the same rows; numbers within 1e-9 relative (int64 and float64
// alike), null and NaN both missing.
func sameLoose(t *testing.T, what string, got, want *Table) {
	t.Helper()
	if g, w := strings.Join(got.Columns(), ","), strings.Join(want.Columns(), ","); g != w {
		t.Fatalf("%s: columns %s, want %s", what, g, w)
	}
	if got.NumRows() != want.NumRows() {
		t.Fatalf("%s: %d rows, want %d\n%s\nwant\n%s", what, got.NumRows(), want.NumRows(), got, want)
	}
	for _, c := range want.Columns() {
		for i := 0; i < want.NumRows(); i++ {
			g, w := got.Value(i, c), want.Value(i, c)
			if isMissing(g) && isMissing(w) {
				continue
			}
			gf, gok := toF(g)
			wf, wok := toF(w)
			if gok && wok && math.Abs(gf-wf) <= 1e-9*math.Max(1, math.Abs(wf)) {
				continue
			}
			if g != w {
				t.Fatalf("%s: row %d column %s: %v, want %v\n%s\nwant\n%s", what, i, c, g, w, got, want)
			}
		}
	}
}

func toF(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func TestIssue12PivotTableAgainstPandas(t *testing.T) {
	ctx := context.Background()
	in := fixtureInput(t)
	for _, agg := range []string{"mean", "sum", "count", "max"} {
		p, err := in.PivotTable(ctx, PivotOptions{Index: []string{"k"}, Columns: "p", Values: "v", AggFunc: agg})
		if err != nil {
			t.Fatal(err)
		}
		sameLoose(t, "pivot "+agg, compute(t, p), fixture(t, "pivot_"+agg+".csv"))
	}
	// Known column values: nothing runs until Compute; the same answer.
	p, err := in.PivotTable(ctx, PivotOptions{Index: []string{"k"}, Columns: "p", Values: "v", ColumnValues: []any{"Zoë", "card", "cash"}})
	if err != nil {
		t.Fatal(err)
	}
	sameLoose(t, "pivot known", compute(t, p), fixture(t, "pivot_mean.csv"))
	// Over the limit: a clear error.
	if _, err := in.PivotTable(ctx, PivotOptions{Index: []string{"k"}, Columns: "v", Values: "w", MaxColumns: 10}); err == nil || !strings.Contains(err.Error(), "MaxColumns=10") {
		t.Fatalf("limit: %v", err)
	}
	if _, err := in.PivotTable(ctx, PivotOptions{Index: []string{"k"}, Columns: "p", Values: "v", AggFunc: "avg"}); err == nil || !strings.Contains(err.Error(), `"avg"`) {
		t.Fatalf("bad aggfunc: %v", err)
	}
}

func TestIssue12MeltAgainstPandas(t *testing.T) {
	got := compute(t, fixtureInput(t).Melt([]string{"k"}, []string{"v", "w"}))
	sameLoose(t, "melt", got, fixture(t, "melt.csv"))
	if f := fixtureInput(t).Melt([]string{"k"}, []string{"v", "p"}); f.Err() == nil {
		t.Fatal("melt of float and string: no error")
	}
}

func TestIssue12FillAgainstPandas(t *testing.T) {
	in := fixtureInput(t)
	for name, f := range execs(t) {
		sameLoose(t, name+" ffill", compute(t, in.FFill("v", "w").SelectCols("v", "w"), f...), fixture(t, "ffill.csv"))
		sameLoose(t, name+" bfill", compute(t, in.BFill("v", "w").SelectCols("v", "w"), f...), fixture(t, "bfill.csv"))
	}
}

func TestIssue12DropNAAgainstPandas(t *testing.T) {
	in := fixtureInput(t)
	sameLoose(t, "thresh", compute(t, in.DropNA(DropNAOptions{Thresh: 3, Subset: []string{"v", "w", "k"}})), fixture(t, "dropna_thresh3.csv"))
	sameLoose(t, "all", compute(t, in.DropNA(DropNAOptions{All: true, Subset: []string{"v", "w"}})), fixture(t, "dropna_all.csv"))
	sameLoose(t, "any", compute(t, in.DropNA()), fixture(t, "dropna_any.csv"))
	if f := in.DropNA(DropNAOptions{Subset: []string{"nope"}}); f.Err() == nil {
		t.Fatal("unknown subset column: no error")
	}
}

func TestIssue12ClipAgainstPandas(t *testing.T) {
	got := compute(t, fixtureInput(t).Clip(5, 12, "v", "w").SelectCols("v", "w"))
	sameLoose(t, "clip", got, fixture(t, "clip.csv"))
	if f := fixtureInput(t).Clip(5, 12, "p"); f.Err() == nil {
		t.Fatal("clip of a string column: no error")
	}
	if f := fixtureInput(t).Clip(12, 5); f.Err() == nil {
		t.Fatal("clip lower > upper: no error")
	}
}

// FillNA, Replace and Astype against a naive loop on random data with
// nulls, NaN and unicode.
func TestIssue12FillReplaceAstype(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	f, recs := allTypesFrame(t, rng, true, 20, 0, 13)
	want := compute(t, FromRecords(recs...))
	got := compute(t, f.FillNA(0))
	fs, _ := want.Float64s("f")
	gv, _ := got.Float64s("f")
	iv, _ := want.Valid("i")
	gi, _ := got.Int64s("i")
	wi, _ := want.Int64s("i")
	for r := range fs {
		if w := fs[r]; math.IsNaN(w) && gv[r] != 0 || !math.IsNaN(w) && gv[r] != w {
			t.Fatalf("FillNA f row %d: %v from %v", r, gv[r], w)
		}
		if !iv[r] && gi[r] != 0 || iv[r] && gi[r] != wi[r] {
			t.Fatalf("FillNA i row %d", r)
		}
	}
	// String columns are left alone by a number.
	if v, _ := got.Valid("s"); func() bool {
		for _, ok := range v {
			if !ok {
				return true
			}
		}
		return false
	}() == false {
		t.Fatal("FillNA(0) filled a string column")
	}
	fm := compute(t, f.FillNAMap(map[string]any{"s": "∅", "b": true}))
	ss, _ := fm.Strings("s")
	ws, _ := want.Strings("s")
	sv, _ := want.Valid("s")
	for r := range ss {
		if !sv[r] && ss[r] != "∅" || sv[r] && ss[r] != ws[r] {
			t.Fatalf("FillNAMap s row %d: %q", r, ss[r])
		}
	}
	if bad := f.FillNAMap(map[string]any{"i": "x"}); bad.Err() == nil {
		t.Fatal("FillNAMap type mismatch: no error")
	}
	rep := compute(t, f.Replace(map[any]any{"Zoë": "Zoe", nil: "missing", math.NaN(): -1.0}))
	rs, _ := rep.Strings("s")
	fv, _ := want.Valid("f")
	rf, _ := rep.Float64s("f")
	for r := range rs {
		switch {
		case !sv[r] && rs[r] != "missing", sv[r] && ws[r] == "Zoë" && rs[r] != "Zoe", sv[r] && ws[r] != "Zoë" && rs[r] != ws[r]:
			t.Fatalf("Replace s row %d: %q from %q", r, rs[r], ws[r])
		}
		if fv[r] && math.IsNaN(fs[r]) && rf[r] != -1 {
			t.Fatalf("Replace NaN row %d: %v", r, rf[r])
		}
	}
	as := f.Astype(map[string]arrow.DataType{"i": Float64, "b": String})
	if d := as.Dtypes(); d.Of("i") != Float64 || d.Of("b") != String || d.Of("s") != String {
		t.Fatalf("Astype dtypes %v", d)
	}
	compute(t, as)
}

func TestIssue12AggFuncsAndValueCounts(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	n := 300
	k := make([]int64, n)
	v := make([]float64, n)
	for i := range k {
		k[i], v[i] = rng.Int63n(4), rng.NormFloat64()
	}
	f := FromColumns(3, Column{"k", k}, Column{"v", v})
	g := f.GroupBy("k").AggFuncs(AggSpec{"v", []string{"sum", "min", "count"}}, AggSpec{"k", []string{"size"}}).SortValues(false, "k")
	tab := compute(t, g)
	if c := strings.Join(tab.Columns(), " "); c != "k v_sum v_min v_count k_size" {
		t.Fatalf("columns %s", c)
	}
	rows, err := ToStructs[struct {
		K   int64   `frame:"k"`
		Sum float64 `frame:"v_sum"`
		Min float64 `frame:"v_min"`
		N   int64   `frame:"v_count"`
	}](tab)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		sum, mn, cnt := 0.0, math.Inf(1), int64(0)
		for i := range k {
			if k[i] == r.K {
				sum += v[i]
				mn = math.Min(mn, v[i])
				cnt++
			}
		}
		if math.Abs(sum-r.Sum) > 1e-9 || mn != r.Min || cnt != r.N {
			t.Fatalf("group %d: %+v, want %v %v %v", r.K, r, sum, mn, cnt)
		}
	}
	if bad := f.GroupBy("k").AggFuncs(AggSpec{"v", []string{"avg"}}); bad.Err() == nil {
		t.Fatal("unknown function: no error")
	}
	// ValueCounts: null is a value of its own by default, left out with
	// DropNA (pandas' default).
	in := fixtureInput(t)
	all := compute(t, in.ValueCounts("w"))
	drop := compute(t, in.ValueCounts("w", ValueCountsOptions{DropNA: true}))
	if all.NumRows() != drop.NumRows()+1 {
		t.Fatalf("value counts %d rows, dropna %d", all.NumRows(), drop.NumRows())
	}
	wv, _ := drop.Valid("w")
	for _, ok := range wv {
		if !ok {
			t.Fatal("ValueCounts DropNA kept null")
		}
	}
}

func TestIssue12GetDummies(t *testing.T) {
	ctx := context.Background()
	in := fixtureInput(t)
	d, err := in.GetDummies(ctx, []string{"p"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if c := strings.Join(d.Columns(), " "); c != "k p_Zoë p_card p_cash h v w" {
		t.Fatalf("columns %s", c)
	}
	tab := compute(t, d)
	src := compute(t, in)
	ps, _ := src.Strings("p")
	for _, cat := range []string{"Zoë", "card", "cash"} {
		bs, err := tab.Bools("p_" + cat)
		if err != nil {
			t.Fatal(err)
		}
		for i := range bs {
			if bs[i] != (ps[i] == cat) {
				t.Fatalf("p_%s row %d", cat, i)
			}
		}
	}
	if _, err := in.GetDummies(ctx, []string{"v"}, 5); err == nil || !strings.Contains(err.Error(), "limit of 5") {
		t.Fatalf("limit: %v", err)
	}
}

func double(x float64) float64 { return 2 * x }

type tripIn struct {
	K int64   `frame:"k"`
	V float64 `frame:"v"`
	P string  `frame:"p"`
}

type tripOut struct {
	Key   int64
	Label string
	Big   *bool
}

func label(r tripIn) tripOut {
	b := r.V > 10
	return tripOut{Key: r.K * 10, Label: r.P + "!", Big: &b}
}

func init() {
	RegisterColumnFunc("frame_test.double", double)
	RegisterRowFunc("frame_test.label", label)
}

func TestIssue12MapColumnAndRows(t *testing.T) {
	in := fixtureInput(t)
	src := compute(t, in)
	vs, _ := src.Float64s("v")
	vv, _ := src.Valid("v")
	ks, _ := src.Int64s("k")
	ps, _ := src.Strings("p")
	for name, o := range execs(t) {
		got := compute(t, MapColumn(in, "v", "v2", double), o...)
		g, _ := got.Float64s("v2")
		gv, _ := got.Valid("v2")
		for i := range vs {
			if gv[i] != vv[i] || vv[i] && g[i] != 2*vs[i] {
				t.Fatalf("%s: MapColumn row %d: %v from %v", name, i, g[i], vs[i])
			}
		}
		rows := compute(t, MapRows(in.FillNAMap(map[string]any{"v": 0}), label), o...)
		out, err := ToStructs[tripOut](rows)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range out {
			v := vs[i]
			if !vv[i] {
				v = 0
			}
			if r.Key != ks[i]*10 || r.Label != ps[i]+"!" || r.Big == nil || *r.Big != (v > 10) {
				t.Fatalf("%s: MapRows row %d: %+v", name, i, r)
			}
		}
	}
	// A closure: runs locally, refused by an executor that ships tasks.
	scale := 3.0
	closure := MapColumn(in, "v", "v", func(x float64) float64 { return x * scale })
	got := compute(t, closure)
	if g, _ := got.Float64s("v"); vv[0] && g[0] != 3*vs[0] {
		t.Fatal("closure")
	}
	_, err := closure.Compute(context.Background(), sched.WithExecutor(sched.NewLoopback()), sched.WithProgress(nil))
	if err == nil || !strings.Contains(err.Error(), "not registered") || !strings.Contains(err.Error(), "RegisterColumnFunc") {
		t.Fatalf("loopback of a closure: %v", err)
	}
	if bad := MapColumn(in, "p", "x", double); bad.Err() == nil || !strings.Contains(bad.Err().Error(), "float64") {
		t.Fatalf("type mismatch: %v", bad.Err())
	}
	if bad := MapRows(in, func(struct{ Nope int64 }) tripOut { return tripOut{} }); bad.Err() == nil {
		t.Fatal("MapRows of a missing field: no error")
	}
}
