package frame

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/ipc"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/io/jsonl"
)

var trickyStrings = []string{"plain", "with,comma", `quote"d`, `back\slash`, "new\nline", "tab\there", "ünïcødé ✓", "", " spaced ", "{not json}"}

// randRecords makes nparts records of mixed types with about 1 null in 5
// cells (never in the first row, so inference sees every type).
func randRecords(rng *rand.Rand, nparts, rows int) []arrow.Record {
	var recs []arrow.Record
	t0 := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	for p := 0; p < nparts; p++ {
		n := rows + rng.Intn(rows)
		is, fs, ts := make([]int64, n), make([]float64, n), make([]int64, n)
		bs := make([]bool, n)
		sb := newStrBuilder(n)
		valid := make([][]bool, 5)
		for c := range valid {
			valid[c] = make([]bool, n)
			for i := range valid[c] {
				valid[c][i] = i == 0 || rng.Intn(5) != 0
			}
		}
		for i := 0; i < n; i++ {
			is[i] = rng.Int63n(2e12) - 1e12
			fs[i] = rng.NormFloat64() * 1e3
			ts[i] = t0 + rng.Int63n(3e13)
			bs[i] = rng.Intn(2) == 0
			if valid[4][i] {
				sb.add([]byte(trickyStrings[rng.Intn(len(trickyStrings))] + fmt.Sprint(rng.Intn(100))))
			} else {
				sb.addNull()
			}
		}
		arrs := []arrow.Array{int64Array(is, valid[0]), float64Array(fs, valid[1]), timeArray(ts, valid[2]), boolArray(bs, valid[3]), sb.array()}
		sch := arrow.NewSchema([]arrow.Field{{Name: "i", Type: Int64, Nullable: true}, {Name: "f", Type: Float64, Nullable: true},
			{Name: "t", Type: Timestamp, Nullable: true}, {Name: "b", Type: Bool, Nullable: true}, {Name: "s", Type: String, Nullable: true}}, nil)
		recs = append(recs, array.NewRecord(sch, arrs, int64(n)))
	}
	return recs
}

// rowsOf prints every row of t, nulls as <nil>.
func rowsOf(t *Table) []string {
	out := make([]string, t.NumRows())
	cols := t.Columns()
	for r := range out {
		var cells []string
		for _, c := range cols {
			cells = append(cells, fmt.Sprintf("%s=%v", c, t.Value(r, c)))
		}
		out[r] = strings.Join(cells, " ")
	}
	return out
}

func sameRows(t *testing.T, what string, got, want *Table) {
	t.Helper()
	g, w := rowsOf(got), rowsOf(want)
	if len(g) != len(w) {
		t.Fatalf("%s: %d rows, want %d", what, len(g), len(w))
	}
	for i := range g {
		if g[i] != w[i] {
			t.Fatalf("%s: row %d\ngot  %s\nwant %s", what, i, g[i], w[i])
		}
	}
}

func TestReadJSONRoundTrip(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := FromRecords(randRecords(rand.New(rand.NewSource(1)), 4, 150)...)
	want, err := src.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.WriteJSON(ctx, dir, opts()...); err != nil {
		t.Fatal(err)
	}
	pat := filepath.Join(dir, "*.jsonl")
	for _, o := range []JSONOptions{{}, {BlockSize: 700}, {Schema: src.Schema(), BlockSize: -1}} {
		f := ReadJSON(pat, o)
		if f.Err() != nil {
			t.Fatal(f.Err())
		}
		if !f.Schema().Equal(src.Schema()) {
			t.Fatalf("schema %v, want %v", f.Schema(), src.Schema())
		}
		got, err := f.Compute(ctx, opts()...)
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, fmt.Sprintf("ReadJSON %+v", o.BlockSize), got, want)
		if o.BlockSize == 700 && f.NPartitions() <= 4 {
			t.Fatalf("BlockSize 700: %d partitions", f.NPartitions())
		}
	}
	// Projection and filter pushdown: the read decodes only s and i.
	q := ReadJSON(pat, JSONOptions{BlockSize: 1000}).Filter(Col("i").Gt(Lit(0))).SelectCols("s")
	if ex := q.Explain(); !strings.Contains(ex, "columns=[i, s]") || !strings.Contains(ex, "filter=(i > 0)") {
		t.Fatalf("explain:\n%s", ex)
	}
	got, err := q.Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := src.Filter(Col("i").Gt(Lit(0))).SelectCols("s").Compute(ctx)
	sameRows(t, "filtered", got, ref)
}

func TestReadJSONBadLines(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var b strings.Builder
	for i := 1; i <= 300; i++ {
		switch i {
		case 7:
			b.WriteString(`{"a": 1, "b": "x"` + "\n") // truncated object
		case 250:
			b.WriteString(`{"a": "seven", "b": "y"}` + "\n") // a is not an int
		case 100:
			b.WriteString("\n") // blank lines are not rows
		default:
			fmt.Fprintf(&b, `{"a": %d, "b": "r\u00e9%d", "extra": [1, {"x": 2}]}`+"\n", i, i)
		}
	}
	path := filepath.Join(dir, "data.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file whose only bad line is 250: its number must be right whichever
	// range holds it.
	late := filepath.Join(dir, "late.json")
	if err := os.WriteFile(late, []byte(strings.Replace(b.String(), `{"a": 1, "b": "x"`+"\n", `{"a": 1, "b": "x"}`+"\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, bs := range []int64{-1, 512, 4096} {
		_, err := ReadJSON(path, JSONOptions{BlockSize: bs, SampleRows: 5}).Compute(ctx, opts()...)
		var pe *jsonl.ParseError
		if !errors.As(err, &pe) || pe.Path != path || (pe.Line != 7 && pe.Line != 250) {
			t.Fatalf("BlockSize %d: error %v, want a parse error at line 7 or 250", bs, err)
		}
		_, err = ReadJSON(late, JSONOptions{BlockSize: bs, SampleRows: 100}).Compute(ctx, opts()...)
		if err == nil || !strings.Contains(err.Error(), "late.json:250:") || !strings.Contains(err.Error(), "seven") {
			t.Fatalf("BlockSize %d: %v", bs, err)
		}
	}
	// Inference reads line 7 by default: the error comes at plan time.
	if err := ReadJSON(path).Err(); err == nil || !strings.Contains(err.Error(), "data.jsonl:7:") {
		t.Fatalf("inference over a bad line: %v", err)
	}
	before := SkippedRows()
	f := ReadJSON(path, JSONOptions{SkipBad: true, BlockSize: 512, SampleRows: 100})
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	if fmt.Sprint(f.Columns()) != "[a b extra]" || f.Schema().Field(2).Type.ID() != arrow.STRING {
		t.Fatalf("schema %v", f.Schema())
	}
	tab, err := f.Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if tab.NumRows() != 297 || SkippedRows()-before != 2 {
		t.Fatalf("%d rows, %d skipped; want 297, 2", tab.NumRows(), SkippedRows()-before)
	}
	if v := tab.Value(2, "b"); v != "ré3" {
		t.Fatalf("escaped string decoded as %q", v)
	}
	if v := tab.Value(0, "extra"); v != `[1, {"x": 2}]` {
		t.Fatalf("nested value kept as %q", v)
	}
	if err := ReadJSON(filepath.Join(dir, "nope-*.jsonl")).Err(); err == nil || !strings.Contains(err.Error(), "no files match") {
		t.Fatalf("empty glob: %v", err)
	}
	bad := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int32}}, nil)
	if err := ReadJSON(path, JSONOptions{Schema: bad}).Err(); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Fatalf("non-frame dtype in schema: %v", err)
	}
}

func TestReadIPCRoundTripFileAndStream(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	recs := randRecords(rand.New(rand.NewSource(2)), 3, 200)
	src := FromRecords(recs...)
	want, err := src.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.WriteIPC(ctx, filepath.Join(dir, "file"), opts()...); err != nil {
		t.Fatal(err)
	}
	// A stream file holding all three batches, and a file-format file with
	// three batches.
	write := func(name string, stream bool) {
		fh, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		type writer interface {
			Write(arrow.Record) error
			Close() error
		}
		var w writer
		if stream {
			w = ipc.NewWriter(fh, ipc.WithSchema(recs[0].Schema()))
		} else if w, err = ipc.NewFileWriter(fh, ipc.WithSchema(recs[0].Schema())); err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(dir, "stream"), 0o755)
	os.MkdirAll(filepath.Join(dir, "multi"), 0o755)
	write("stream/all.arrows", true)
	write("multi/all.arrow", false)
	for _, c := range []struct {
		pat   string
		parts int
	}{{"file/*.arrow", 3}, {"stream/*", 1}, {"multi/*", 3}} {
		f := ReadIPC(filepath.Join(dir, c.pat))
		if f.Err() != nil {
			t.Fatal(f.Err())
		}
		if f.NPartitions() != c.parts {
			t.Fatalf("%s: %d partitions, want %d", c.pat, f.NPartitions(), c.parts)
		}
		got, err := f.Compute(ctx, opts()...)
		if err != nil {
			t.Fatal(err)
		}
		sameRows(t, c.pat, got, want)
		q := f.Filter(Col("b")).SelectCols("s", "t")
		if ex := q.Explain(); !strings.Contains(ex, "columns=[t, b, s]") {
			t.Fatalf("explain:\n%s", ex)
		}
		gq, err := q.Compute(ctx, opts()...)
		if err != nil {
			t.Fatal(err)
		}
		rq, _ := src.Filter(Col("b")).SelectCols("s", "t").Compute(ctx)
		sameRows(t, c.pat+" projected", gq, rq)
	}
	// Narrow types widen; a differing schema and a non-IPC file are errors.
	mem := memory.NewGoAllocator()
	ib := array.NewInt32Builder(mem)
	ib.AppendValues([]int32{1, 2, 3}, []bool{true, false, true})
	small := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true}}, nil), []arrow.Array{ib.NewArray()}, 3)
	if err := FromRecords(small).WriteIPC(ctx, filepath.Join(dir, "small"), opts()...); err != nil {
		t.Fatal(err)
	}
	tab, err := ReadIPC(filepath.Join(dir, "small", "*")).Sum("i").Compute(ctx, opts()...)
	if err != nil || tab.Value(0, "i") != int64(4) {
		t.Fatalf("int32 column: %v %v", tab, err)
	}
	os.Link(filepath.Join(dir, "small", "part-00000.arrow"), filepath.Join(dir, "file", "zz.arrow"))
	if err := ReadIPC(filepath.Join(dir, "file", "*")).Err(); err == nil || !strings.Contains(err.Error(), "differs") {
		t.Fatalf("differing schemas: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "junk.arrow"), []byte("hello, not arrow"), 0o644)
	if err := ReadIPC(filepath.Join(dir, "junk.arrow")).Err(); err == nil || !strings.Contains(err.Error(), "junk.arrow") {
		t.Fatalf("junk file: %v", err)
	}
	if err := ReadIPC(filepath.Join(dir, "none*")).Err(); err == nil || !strings.Contains(err.Error(), "no files match") {
		t.Fatalf("empty glob: %v", err)
	}
}
