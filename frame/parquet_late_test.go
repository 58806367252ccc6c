package frame

import (
	"context"
	"math"
	"math/rand"
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/graph"
)

// lateFile writes n rows over several row groups (and files): k ascending
// (so statistics bound a range on it), i mostly 0 with an int64 extreme
// (statistics say an equality keeps a fifth or nothing, it keeps most rows),
// f with NaN, d dates, s strings, f, d and s with nulls.
func lateFile(t *testing.T, n int) string {
	t.Helper()
	r := rand.New(rand.NewSource(21))
	ks, is, fs, ds := make([]int64, n), make([]int64, n), make([]float64, n), make([]int64, n)
	fv, dv, sv := make([]bool, n), make([]bool, n), make([]bool, n)
	offs, data := []int32{0}, []byte{}
	for j := 0; j < n; j++ {
		ks[j] = int64(j)
		if r.Intn(10) == 0 {
			is[j] = r.Int63n(5)
		}
		if j == n/2 {
			is[j] = math.MaxInt64
		}
		fs[j] = float64(r.Intn(9)-4) / 2
		if r.Intn(13) == 0 {
			fs[j] = math.NaN()
		}
		ds[j] = int64(9000 + r.Intn(400))
		data = append(data, []string{"", "ab", "ünï", "x"}[r.Intn(4)]...)
		offs = append(offs, int32(len(data)))
		fv[j], dv[j], sv[j] = r.Intn(7) > 0, r.Intn(7) > 0, r.Intn(7) > 0
	}
	cols := []arrow.Array{int64Array(ks, nil), int64Array(is, nil), float64Array(fs, fv), intsArray(kDate, ds, dv), strArray(offs, data, sv)}
	var fields []arrow.Field
	for j, name := range []string{"k", "i", "f", "d", "s"} {
		fields = append(fields, arrow.Field{Name: name, Type: cols[j].DataType(), Nullable: true})
	}
	rec := array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n))
	dir := t.TempDir()
	if err := FromRecords(rec.NewSlice(0, int64(n/3)), rec.NewSlice(int64(n/3), int64(n))).WriteParquetWith(context.Background(), dir, ParquetWriteOptions{RowGroupRows: 700}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLateReadsMatch: a filtered Parquet read with late materialisation
// (sparse and dense selections, no rows, string and null leaves, output
// with and without the predicate's columns) gives the rows of the whole
// read, and its op survives encoding (remote workers rebuild it).
func TestLateReadsMatch(t *testing.T) {
	defer func() { lateReads = true }()
	n := 5000
	dir := lateFile(t, n)
	k, i, f, s, d := Col("k"), Col("i"), Col("f"), Col("s"), Col("d")
	cases := []struct {
		name string
		pred Expr
		cols []string
		late bool // expect pqlate tasks
	}{
		{"sparse", k.Lt(Lit(int64(100))), nil, true},
		{"range and float", k.Ge(Lit(int64(1000))).And(k.Lt(Lit(int64(1100)))).And(f.Gt(Lit(0.0))), []string{"s", "i", "d"}, true},
		{"string leaf", k.Lt(Lit(int64(150))).And(s.Eq(Lit("ab"))), []string{"f", "i"}, true},
		{"or", k.Lt(Lit(int64(100))).Or(k.Gt(Lit(int64(n - 100)))), []string{"s", "f", "k"}, true},
		{"none kept", k.Lt(Lit(int64(-1))), nil, false}, // pruned by statistics
		{"none kept in groups", k.Lt(Lit(int64(150))).And(f.Gt(Lit(1.5))).And(f.Lt(Lit(1.9))), []string{"s", "d"}, true},
		{"dense at run time", i.Eq(Lit(int64(0))), []string{"k", "s", "f"}, true},
		{"null literal", k.Lt(Lit(int64(100))).And(f.Ne(Lit(nil)).Not()), []string{"s"}, true},
		{"dates", d.Ge(Date(1994, 9, 1)).And(k.Lt(Lit(int64(150)))), []string{"s", "i"}, true},
		{"dense by statistics", k.Gt(Lit(int64(10))), []string{"s"}, false},
		{"guessed only", f.Gt(Col("k")).And(i.Ne(Col("k"))), []string{"s"}, false},
		// A string condition on a column read for the predicate only runs
		// on the dictionary (parquet_match.go) and makes the read late.
		{"dictionary condition", s.Eq(Lit("ab")).And(f.Gt(Col("k"))), []string{"i"}, true},
		{"stages", f.Ge(Lit(0.5)).And(k.Lt(Lit(int64(150)))).And(i.IsIn(0, 3)).And(s.Eq(Lit("ab"))), []string{"d"}, true},
		{"stages kept", k.Lt(Lit(int64(150))).And(d.Lt(Date(1995, 1, 1))).And(f.Ne(Lit(1.0))), []string{"k", "d", "f", "s"}, true},
		{"constant first", Lit(true).And(k.Lt(Lit(int64(120)))).And(f.Lt(Lit(0.0))), []string{"s"}, true},
		{"stage emptied", k.Lt(Lit(int64(120))).And(f.Gt(Lit(1.7))).And(d.Gt(Date(1990, 1, 1))), []string{"s", "i"}, true},
	}
	for _, c := range cases {
		build := func() *Frame {
			fr := ReadParquet(dir).Filter(c.pred)
			if c.cols != nil {
				fr = fr.SelectCols(c.cols...)
			}
			return fr
		}
		lateReads = false
		want, err := build().Compute(context.Background())
		if err != nil {
			t.Fatalf("%s: reference: %v", c.name, err)
		}
		if ops := opsIn(t, build()); ops["frame.pqlate"] != 0 {
			t.Fatalf("%s: pqlate tasks with late reads off", c.name)
		}
		lateReads = true
		fr := build()
		if got := opsIn(t, fr)["frame.pqlate"] > 0; got != c.late {
			t.Fatalf("%s: pqlate tasks %v, want %v", c.name, got, c.late)
		}
		got, err := fr.Compute(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.NumRows() != want.NumRows() || !reflect.DeepEqual(got.Columns(), want.Columns()) {
			t.Fatalf("%s: %d rows of %v, want %d of %v", c.name, got.NumRows(), got.Columns(), want.NumRows(), want.Columns())
		}
		for _, col := range want.Columns() {
			g, err1 := got.Format(col)
			w, err2 := want.Format(col)
			if err1 != nil || err2 != nil || !reflect.DeepEqual(g, w) {
				t.Fatalf("%s: column %s differs (%v %v)", c.name, col, err1, err2)
			}
		}
		if !got.Schema().Equal(want.Schema()) {
			t.Fatalf("%s: schema %s, want %s", c.name, got.Schema(), want.Schema())
		}
	}
	// The op's parameters rebuild it.
	decodedOp(t, ReadParquet(dir).Filter(k.Lt(Lit(int64(50)))).SelectCols("s"), "frame.pqlate")
}

// decodedOp finds the first task of op name in f's graph and returns its
// op rebuilt from its parameters, failing unless it equals the original.
func decodedOp(t *testing.T, f *Frame, name string) graph.Op {
	t.Helper()
	g, err := f.Graph()
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range g.Tasks() {
		if tk.Op.Name() != name {
			continue
		}
		p, err := tk.Op.Params()
		if err != nil {
			t.Fatal(err)
		}
		op, err := graph.Decode(name, p)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(op, tk.Op) {
			t.Fatalf("decoded %#v, want %#v", op, tk.Op)
		}
		return op
	}
	t.Fatalf("no %s task", name)
	return nil
}

// TestLateStages: q6's predicate reads l_shipdate whole and stages
// l_discount then l_quantity; a conjunct the kernels do not take stays in
// the first stage with its columns.
func TestLateStages(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "l_shipdate", Type: Date32, Nullable: true}, {Name: "l_discount", Type: Float64, Nullable: true},
		{Name: "l_quantity", Type: Float64, Nullable: true}, {Name: "l_comment", Type: String, Nullable: true},
	}, nil)
	src := &pqSource{sch: sch}
	sd, disc, qty := Col("l_shipdate"), Col("l_discount"), Col("l_quantity")
	q6 := sd.Ge(Date(1994, 1, 1)).And(sd.Lt(Date(1995, 1, 1))).And(disc.Ge(Lit(0.05)).And(disc.Le(Lit(0.07)))).And(qty.Lt(Lit(24.0)))
	first, stages := lateStages(src, pqPart{}, q6.n)
	set := map[string]bool{}
	first.cols(set)
	if len(set) != 1 || !set["l_shipdate"] || len(stages) != 2 || stages[0].col != "l_discount" || stages[1].col != "l_quantity" {
		t.Fatalf("q6: first %s, stages %v", first, stages)
	}
	p := qty.Lt(Lit(24.0)).And(Col("l_comment").Contains("x")).And(disc.Gt(Lit(0.0)))
	first, stages = lateStages(src, pqPart{}, p.n)
	set = map[string]bool{}
	first.cols(set)
	if len(set) != 1 || !set["l_comment"] || len(stages) != 2 || stages[0].col != "l_quantity" {
		t.Fatalf("contains: first %s, stages %v", first, stages)
	}
}
