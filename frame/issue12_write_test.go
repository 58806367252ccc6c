package frame

import (
	"context"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// WriteParquetWith(PartitionOn) writes hive directories that ReadParquet
// reads back with the partition columns, pruning files by a filter on them.
func TestIssue12ParquetPartitionOn(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(4))
	n := 300
	k := make([]int64, n)
	s := make([]string, n)
	v := make([]int64, n)
	names := []string{"a", "Zoë", "東京", "x/y", "sp ace"}
	for i := range k {
		k[i], s[i], v[i] = rng.Int63n(3)-1, names[rng.Intn(len(names))], int64(i)
	}
	f := FromColumns(4, Column{"v", v}, Column{"k", k}, Column{"s", s}).
		WithColumn("s", When(Col("v").Lt(Lit(20))).Then(Lit(nil)).Otherwise(Col("s")))
	dir := filepath.Join(t.TempDir(), "hive")
	if err := f.WriteParquetWith(ctx, dir, ParquetWriteOptions{PartitionOn: []string{"k", "s"}, Compression: "zstd"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "k=-1", "s="+hiveNull)); err != nil {
		t.Fatalf("null partition directory: %v", err)
	}
	back := ReadParquet(dir)
	if back.Err() != nil {
		t.Fatal(back.Err())
	}
	if c := strings.Join(back.Columns(), " "); c != "v k s" {
		t.Fatalf("columns %s", c)
	}
	want := compute(t, f.SortValues(false, "v"))
	got := compute(t, back.SortValues(false, "v"))
	sameCells(t, "hive", got, want)
	// A filter on a partition column reads only its files.
	all := back.NPartitions()
	sel := back.Filter(Col("k").Eq(Lit(1)).And(Col("s").Eq(Lit("東京"))))
	if sel.NPartitions() >= all/4 || sel.NPartitions() == 0 {
		t.Fatalf("pruned to %d of %d partitions", sel.NPartitions(), all)
	}
	cnt := 0
	for i := range k {
		if k[i] == 1 && s[i] == "東京" && v[i] >= 20 {
			cnt++
		}
	}
	if m, err := sel.Len(ctx); err != nil || m != cnt {
		t.Fatalf("filtered rows %d %v, want %d", m, err, cnt)
	}
	// Bad input.
	if err := f.WriteParquetWith(ctx, t.TempDir(), ParquetWriteOptions{PartitionOn: []string{"nope"}}); err == nil {
		t.Fatal("unknown partition column: no error")
	}
	if err := f.WithColumn("b", Col("v").Gt(Lit(3))).WriteParquetWith(ctx, t.TempDir(), ParquetWriteOptions{PartitionOn: []string{"b"}}); err == nil || !strings.Contains(err.Error(), "int64 or string") {
		t.Fatalf("bool partition column: %v", err)
	}
	if err := f.WriteParquetWith(ctx, t.TempDir(), ParquetWriteOptions{Compression: "lz5"}); err == nil {
		t.Fatal("unknown compression: no error")
	}
}

func TestIssue12ParquetRowGroupRows(t *testing.T) {
	ctx := context.Background()
	v := make([]int64, 95)
	for i := range v {
		v[i] = int64(i)
	}
	dir := filepath.Join(t.TempDir(), "rg")
	if err := FromColumns(1, Column{"v", v}).WriteParquetWith(ctx, dir, ParquetWriteOptions{RowGroupRows: 10, Compression: "gzip"}); err != nil {
		t.Fatal(err)
	}
	back := ReadParquet(dir)
	if back.NPartitions() != 10 {
		t.Fatalf("%d row groups, want 10", back.NPartitions())
	}
	if s := compute(t, back.Sum("v")).Value(0, "v"); s != int64(95*94/2) {
		t.Fatalf("sum %v", s)
	}
	// Row-group statistics prune a range filter.
	if p := back.Filter(Col("v").Ge(Lit(90))).NPartitions(); p != 1 {
		t.Fatalf("pruned to %d", p)
	}
}
