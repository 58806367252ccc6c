package frame

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
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

// TestSortPartsFromMemory: under a tight memory limit a CSV file is read
// in many small ranges, and a sort gets the outputs its tasks need for the
// limit (sizeSorts), not one per range: the range split's graph grows with
// inputs times outputs, and at 10^8 rows under 256 MiB it took 90 MiB. The
// answer is a stable sort of the rows (nulls and NaN last, in any order
// among themselves), as a naive sort gives it; under a limit that leaves the
// ranges at their default size the outputs stay one per input.
func TestSortPartsFromMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.csv")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(fh)
	fmt.Fprintln(w, "id,x,pad1,pad2,pad3,pad4")
	rng := rand.New(rand.NewSource(11))
	type row struct {
		id int64
		x  float64
		ok bool // x is a number, not null or NaN
	}
	var rows []row
	for i := 0; i < 120000; i++ {
		r := row{id: int64(i), ok: true}
		switch rng.Intn(50) {
		case 0: // null
			r.ok = false
			fmt.Fprintf(w, "%d,,%d,padding-%d,%f,unicodé-%d\n", i, rng.Int63(), i, rng.Float64(), i)
		case 1:
			r.ok = false
			fmt.Fprintf(w, "%d,NaN,%d,padding-%d,%f,unicodé-%d\n", i, rng.Int63(), i, rng.Float64(), i)
		default:
			r.x = float64(rng.Intn(20000)-10000) / 4 // many ties
			if rng.Intn(1000) == 0 {
				r.x = []float64{-1e308, 1e308, 0}[rng.Intn(3)]
			}
			fmt.Fprintf(w, "%d,%g,%d,padding-%d,%f,unicodé-%d\n", i, r.x, rng.Int63(), i, rng.Float64(), i)
		}
		rows = append(rows, r)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	want := append([]row(nil), rows...)
	sort.SliceStable(want, func(a, b int) bool {
		if want[a].ok != want[b].ok {
			return want[a].ok
		}
		return want[a].ok && want[a].x < want[b].x
	})
	read := func() *Frame { return ReadCSV(path) }

	limit := int64(24 << 20)
	limited := []sched.Option{sched.WithMemoryLimit(limit), sched.WithWorkers(2), sched.WithSpillDir(t.TempDir()), sched.WithProgress(nil)}
	src := read()
	src.PlanMemory(limit, 2)
	ranges := src.NPartitions()
	s := read().SortValues(false, "x")
	s.PlanMemory(limit, 2)
	t.Logf("%d ranges, %d sorted partitions", ranges, s.NPartitions())
	if ranges < 8 || s.NPartitions() < 2 || s.NPartitions() >= ranges {
		t.Fatalf("%d ranges: %d sorted partitions, want at least 2 and fewer than the ranges", ranges, s.NPartitions())
	}
	tab, err := s.Compute(context.Background(), limited...)
	if err != nil {
		t.Fatal(err)
	}
	if tab.NumRows() != len(want) {
		t.Fatalf("%d rows, want %d", tab.NumRows(), len(want))
	}
	missing := map[int64]bool{}
	for i, r := range want {
		id := tab.Value(i, "id").(int64)
		if !r.ok {
			missing[r.id] = true
			if x, isNum := tab.Value(i, "x").(float64); isNum && x == x {
				t.Fatalf("row %d: x %v, want null or NaN (the last %d rows)", i, x, len(want)-i)
			}
			continue
		}
		if x := tab.Value(i, "x"); id != r.id || x != r.x {
			t.Fatalf("row %d: id %d x %v, want id %d x %v", i, id, x, r.id, r.x)
		}
	}
	for i := range want {
		if !want[i].ok {
			if id := tab.Value(i, "id").(int64); !missing[id] {
				t.Fatalf("row %d: id %d among the null/NaN rows, which are %d others", i, id, len(missing))
			}
			delete(missing, tab.Value(i, "id").(int64))
		}
	}

	// A limit that keeps the default ranges keeps one output per input.
	big := read().SortValues(false, "x")
	big.PlanMemory(64<<30, 2)
	if got, in := big.NPartitions(), read().NPartitions(); got != in {
		t.Fatalf("%d sorted partitions under a large limit, want the %d inputs", got, in)
	}
}
