package frame

import (
	"compress/gzip"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

func writeRandCSV(t *testing.T, path string, n int, seed int64) (map[string]int64, int64) {
	rng := rand.New(rand.NewSource(seed))
	var b strings.Builder
	b.WriteString("name,qty,price,flag,day\n")
	sums := map[string]int64{}
	var total int64
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("n%d", rng.Intn(50))
		if rng.Intn(7) == 0 {
			name = fmt.Sprintf("\"q,%d\"", rng.Intn(3)) // quoted, with the delimiter inside
		}
		qty := int64(rng.Intn(100))
		qs := fmt.Sprint(qty)
		if rng.Intn(20) == 0 {
			qs = "" // null
		} else {
			key := strings.Trim(name, "\"")
			sums[key] += qty
			total += qty
		}
		fmt.Fprintf(&b, "%s,%s,%.2f,%v,2016-0%d-1%d\n", name, qs, rng.Float64()*100, rng.Intn(2) == 0, 1+rng.Intn(9), rng.Intn(10))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return sums, total
}

func TestReadCSVRangesMatchReference(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.csv")
	sums, total := writeRandCSV(t, p, 5000, 1)
	for _, bs := range []int64{-1, 997, 4096} {
		df := ReadCSV(p, CSVOptions{BlockSize: bs, ParseDates: []string{"day"}})
		if df.Err() != nil {
			t.Fatal(df.Err())
		}
		if bs == 997 && df.NPartitions() < 100 {
			t.Fatalf("%d partitions for 997-byte ranges", df.NPartitions())
		}
		tab, err := df.GroupBy("name").Agg(Col("qty").Sum(), Col("qty").Size().Alias("n")).Compute(context.Background(), opts()...)
		if err != nil {
			t.Fatal(err)
		}
		var rows int64
		for r := 0; r < tab.NumRows(); r++ {
			k := tab.Value(r, "name").(string)
			if tab.Value(r, "qty").(int64) != sums[k] {
				t.Fatalf("block %d: %s sum %v want %d", bs, k, tab.Value(r, "qty"), sums[k])
			}
			rows += tab.Value(r, "n").(int64)
		}
		if rows != 5000 {
			t.Fatalf("block %d: %d rows, want 5000", bs, rows)
		}
		s, err := df.Sum("qty").Compute(context.Background(), opts()...)
		if err != nil || s.Value(0, "qty").(int64) != total {
			t.Fatalf("sum %v %v want %d", s, err, total)
		}
		if df.Dtypes().Of("day").String() != Timestamp.String() {
			t.Fatalf("day is %s", df.Dtypes().Of("day"))
		}
	}
	// gzip: one partition, same answer.
	raw, _ := os.ReadFile(p)
	gz := filepath.Join(dir, "b.csv.gz")
	f, _ := os.Create(gz)
	zw := gzip.NewWriter(f)
	zw.Write(raw)
	zw.Close()
	f.Close()
	s, err := ReadCSV(gz).Sum("qty").Compute(context.Background(), opts()...)
	if err != nil || s.Value(0, "qty").(int64) != total {
		t.Fatalf("gzip sum %v %v want %d", s, err, total)
	}
}

func TestReadCSVBadInput(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.csv")
	os.WriteFile(p, []byte("a,b\n1,2\n3,4\n5\n7,8\n9,x\n"), 0o644)
	_, err := ReadCSV(p).Compute(context.Background())
	if err == nil || !strings.Contains(err.Error(), "bad.csv:4: expected 2 fields, found 1") {
		t.Fatalf("want an error naming line 4, got %v", err)
	}
	before := SkippedRows()
	tab, err := ReadCSV(p, CSVOptions{SkipBad: true, Types: map[string]CSVType{"b": CSVInt64}}).Compute(context.Background())
	if err != nil || tab.NumRows() != 3 || SkippedRows()-before != 2 {
		t.Fatalf("skip: %v rows, err %v, skipped %d", tab, err, SkippedRows()-before)
	}
	if f := ReadCSV(filepath.Join(dir, "nothing-*.csv")); f.Err() == nil || !strings.Contains(f.Err().Error(), "no files match") {
		t.Fatalf("glob matching nothing: %v", f.Err())
	}
	// Range splitting gives the right line number too.
	var b strings.Builder
	b.WriteString("a,b\n")
	for i := 0; i < 1000; i++ {
		if i == 777 {
			b.WriteString("1,2,3\n")
			continue
		}
		fmt.Fprintf(&b, "%d,%d\n", i, i)
	}
	os.WriteFile(p, []byte(b.String()), 0o644)
	_, err = ReadCSV(p, CSVOptions{BlockSize: 100}).Compute(context.Background())
	if err == nil || !strings.Contains(err.Error(), "bad.csv:779:") {
		t.Fatalf("want line 779, got %v", err)
	}
}

func TestParquetRoundTripPruningSharedReads(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	n := 6000
	ks := make([]string, n)
	xs := make([]int64, n)
	vs := make([]float64, n)
	for i := range ks {
		ks[i] = fmt.Sprintf("k%d", i%13)
		xs[i] = int64(i) // sorted: each file covers a range, so stats prune
		vs[i] = float64(i%100) / 4
	}
	df := FromColumns(6, Column{"k", ks}, Column{"x", xs}, Column{"v", vs})
	if err := df.WriteParquet(ctx, filepath.Join(dir, "pq"), "zstd", opts()...); err != nil {
		t.Fatal(err)
	}
	rd := ReadParquet(filepath.Join(dir, "pq"))
	if rd.Err() != nil || rd.NPartitions() != 6 {
		t.Fatalf("%v %d", rd.Err(), rd.NPartitions())
	}
	q := rd.Filter(Col("x").Ge(Lit(5500))).Agg(Col("v").Sum(), Col("x").Count().Alias("n"))
	if !strings.Contains(q.Explain(), "1 of 6 kept") {
		t.Fatalf("no pruning:\n%s", q.Explain())
	}
	tab, err := q.Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	for i := 5500; i < n; i++ {
		want += vs[i]
	}
	if tab.Value(0, "v").(float64) != want || tab.Value(0, "n").(int64) != 500 {
		t.Fatalf("got %v want %v", tab, want)
	}
	// Two queries over the same data share the reads of column v.
	a := rd.GroupBy("k").Agg(Col("v").Sum())
	b := rd.GroupBy("x").Agg(Col("v").Mean())
	reads := map[graph.Key]bool{}
	for _, f := range []*Frame{a, b} {
		g, _ := f.Graph()
		for _, tk := range g.Tasks() {
			if tk.Op.Name() == "frame.pqcol" {
				reads[tk.Key] = true
			}
		}
	}
	if len(reads) != 18 {
		t.Fatalf("%d distinct column reads, want 18 (k, x, v of 6 row groups)", len(reads))
	}
	res, err := sched.Compute(ctx, []sched.Collection{a, b}, opts()...)
	if err != nil || res[0].(*Table).NumRows() != 13 || res[1].(*Table).NumRows() != n {
		t.Fatalf("%v", err)
	}
	// Bad input: schema differs, truncated file.
	other := FromColumns(1, Column{"k", []int64{1}})
	other.WriteParquet(ctx, filepath.Join(dir, "pq2"), "", opts()...)
	os.Rename(filepath.Join(dir, "pq2", "part-00000.parquet"), filepath.Join(dir, "pq", "zz.parquet"))
	if f := ReadParquet(filepath.Join(dir, "pq")); f.Err() == nil || !strings.Contains(f.Err().Error(), "differs") {
		t.Fatalf("schema mismatch: %v", f.Err())
	}
	os.Remove(filepath.Join(dir, "pq", "zz.parquet"))
	raw, _ := os.ReadFile(filepath.Join(dir, "pq", "part-00000.parquet"))
	os.WriteFile(filepath.Join(dir, "pq", "part-00000.parquet"), raw[:len(raw)/2], 0o644)
	if f := ReadParquet(filepath.Join(dir, "pq")); f.Err() == nil || !strings.Contains(f.Err().Error(), "part-00000.parquet") {
		t.Fatalf("truncated: %v", f.Err())
	}
}

func TestWritersAndStrings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := FromColumns(2, Column{"s", []string{"a,b", "c", "Dd"}}, Column{"x", []float64{1.5, 2, 3}})
	if err := f.WriteCSV(ctx, filepath.Join(dir, "csv"), opts()...); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCSV(filepath.Join(dir, "csv", "*.csv")).Compute(ctx, opts()...)
	if err != nil || back.NumRows() != 3 || back.Value(0, "s") != "a,b" || back.Value(2, "x").(float64) != 3 {
		t.Fatalf("csv round trip: %v %v", back, err)
	}
	if err := f.WriteJSON(ctx, filepath.Join(dir, "js"), opts()...); err != nil {
		t.Fatal(err)
	}
	js, _ := os.ReadFile(filepath.Join(dir, "js", "part-00000.jsonl"))
	if string(js) != "{\"s\":\"a,b\",\"x\":1.5}\n" {
		t.Fatalf("jsonl: %q", js)
	}
	if err := f.WriteIPC(ctx, filepath.Join(dir, "ipc"), opts()...); err != nil {
		t.Fatal(err)
	}
	tab, err := f.Filter(Col("s").Lower().StartsWith("d").Or(Col("s").Contains(","))).
		WithColumn("n", Col("s").Len()).Compute(ctx, opts()...)
	if err != nil || tab.NumRows() != 2 || tab.Value(1, "n").(int64) != 2 {
		t.Fatalf("%v %v", tab, err)
	}
	if !strings.Contains(tab.String(), "[2 rows x 3 columns]") || !strings.Contains(f.String(), "npartitions=2") {
		t.Fatalf("printing:\n%s\n%s", tab, f)
	}
}

// TestPredicatePushdownThroughProjection checks that a filter written after
// a Select and a Rename still reaches the Parquet reader (row groups pruned)
// and gives the same rows as filtering first.
func TestPredicatePushdownThroughProjection(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	n := 6000
	xs := make([]int64, n)
	vs := make([]float64, n)
	for i := range xs {
		xs[i] = int64(i)
		vs[i] = float64(i%97) / 8
	}
	df := FromColumns(6, Column{"x", xs}, Column{"v", vs})
	if err := df.WriteParquet(ctx, filepath.Join(dir, "pq"), "zstd", opts()...); err != nil {
		t.Fatal(err)
	}
	rd := ReadParquet(filepath.Join(dir, "pq"))
	late := rd.SelectCols("x", "v").Rename(map[string]string{"x": "pos"}).Filter(Col("pos").Ge(Lit(5500))).Agg(Col("v").Sum())
	if !strings.Contains(late.Explain(), "1 of 6 kept") {
		t.Fatalf("filter after select/rename not pushed into the reader:\n%s", late.Explain())
	}
	early := rd.Filter(Col("x").Ge(Lit(5500))).Agg(Col("v").Sum())
	a, err := late.Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := early.Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	for i := 5500; i < n; i++ {
		want += vs[i]
	}
	if a.Value(0, "v").(float64) != want || b.Value(0, "v").(float64) != want {
		t.Fatalf("late %v early %v want %v", a, b, want)
	}
	// A predicate on a computed column stays above the projection.
	comp := rd.WithColumn("w", Col("v").Mul(Lit(2.0))).Filter(Col("w").Gt(Lit(20.0))).Agg(Col("w").Count())
	c, err := comp.Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	var cnt int64
	for _, v := range vs {
		if v*2 > 20 {
			cnt++
		}
	}
	if c.Value(0, "w").(int64) != cnt {
		t.Fatalf("computed-column filter: %v, want %d", c, cnt)
	}
}
