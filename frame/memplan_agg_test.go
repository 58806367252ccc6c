package frame

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/godask/godask/sched"
)

// TestGroupBySplitFromMemory: under a tight memory limit a CSV file is read
// in many small ranges, and a groupby of two of its eight columns gets the
// split_out its merges need for the limit (sizeAggs), not half the ranges:
// the graph of a shuffle grows with ranges times pieces, and at 10^8 rows
// under 256 MiB it took a third of the limit. The answer equals a naive
// loop's; under a limit that leaves the ranges at their default size the
// split_out stays autoSplit's.
func TestGroupBySplitFromMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.csv")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(fh)
	fmt.Fprintln(w, "k,x,pad1,pad2,pad3,pad4,pad5,pad6")
	rng := rand.New(rand.NewSource(7))
	want := map[string]int64{}
	for i := 0; i < 150000; i++ {
		k := fmt.Sprintf("ké%d", rng.Intn(40))
		x := rng.Int63n(1<<40) - 1<<39
		want[k] += x
		fmt.Fprintf(w, "%s,%d,%d,padding-%d,%f,%d,unicodé-%d,%d\n", k, x, rng.Int63(), i, rng.Float64(), i*7, i, -i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	read := func() *Frame { return ReadCSV(path) }

	limit := int64(24 << 20)
	limited := []sched.Option{sched.WithMemoryLimit(limit), sched.WithWorkers(2), sched.WithSpillDir(t.TempDir()), sched.WithProgress(nil)}
	src := read()
	src.PlanMemory(limit, 2)
	ranges := src.NPartitions()
	g := read().GroupBy("k").Agg(Col("x").Sum())
	g.PlanMemory(limit, 2)
	if auto := autoSplit(ranges); ranges < 8 || g.NPartitions() < 2 || g.NPartitions() >= auto {
		t.Fatalf("%d ranges: split_out %d, want at least 2 and below autoSplit's %d", ranges, g.NPartitions(), auto)
	}
	tab, err := g.Compute(context.Background(), limited...)
	if err != nil {
		t.Fatal(err)
	}
	if tab.NumRows() != len(want) {
		t.Fatalf("%d groups, want %d", tab.NumRows(), len(want))
	}
	for r := 0; r < tab.NumRows(); r++ {
		k := tab.Value(r, "k").(string)
		if got := tab.Value(r, "x").(int64); got != want[k] {
			t.Fatalf("group %q: sum %d, want %d", k, got, want[k])
		}
	}

	// A limit that keeps the default ranges keeps the default split_out.
	big := read().GroupBy("k").Agg(Col("x").Sum())
	big.PlanMemory(64<<30, 2)
	if got, auto := big.NPartitions(), autoSplit(read().NPartitions()); got != auto {
		t.Fatalf("split_out %d under a large limit, want autoSplit's %d", got, auto)
	}
}
