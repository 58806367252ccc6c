package frame

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/leak"
	"github.com/godask/godask/sched"
)

// sortedRows lists a table's rows as strings, sorted: the same multiset of rows
// compares equal whatever the partition order.
func sortedRows(t *Table) []string {
	cols := t.Columns()
	out := make([]string, t.NumRows())
	for r := range out {
		var b strings.Builder
		for _, c := range cols {
			fmt.Fprintf(&b, "%v|", t.Value(r, c))
		}
		out[r] = b.String()
	}
	sort.Strings(out)
	return out
}

// spillWatch records which values were spilled, reloaded whole, and read
// back by piece.
type spillWatch struct {
	mu                    sync.Mutex
	spilled, whole, piece map[graph.Key]bool
	parts                 int
}

func (w *spillWatch) Observe(e sched.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.spilled == nil {
		w.spilled, w.whole, w.piece = map[graph.Key]bool{}, map[graph.Key]bool{}, map[graph.Key]bool{}
	}
	switch e.Kind {
	case sched.ValueLoaded:
		w.whole[e.Key] = true
	case sched.PartLoaded:
		w.piece[e.Key] = true
		w.parts++
	case sched.ValueSpilled:
		w.spilled[e.Key] = true
	}
}

// Every shuffle consumer (groupby split_out, per-group top-n, shuffle join)
// under a memory limit so small that every value goes to disk: each reads
// only its piece of each split back, never a split whole, and the answers
// equal those of the run without a limit.
func TestShufflesUnderTinyMemoryLimitReadPiecesFromDisk(t *testing.T) {
	leak.Check(t)
	ctx := context.Background()
	rng := rand.New(rand.NewSource(5))
	n := 3000
	k := make([]int64, n)
	s := make([]string, n)
	v := make([]float64, n)
	for i := range k {
		k[i] = rng.Int63n(400)
		s[i] = fmt.Sprintf("s%d", rng.Intn(30))
		v[i] = float64(rng.Intn(1000)) / 8
	}
	left := FromColumns(6, Column{"k", k}, Column{"s", s}, Column{"v", v})
	rk := make([]int64, 500)
	rv := make([]float64, 500)
	for i := range rk {
		rk[i] = int64(i)
		rv[i] = float64(i) * 0.5
	}
	right := FromColumns(4, Column{"k", rk}, Column{"w", rv})
	queries := map[string]*Frame{
		"groupby": left.GroupBy("k", "s").SplitOut(4).Agg(Col("v").Sum(), Col("v").Mean().Alias("m"), Col("v").Size().Alias("n")),
		"topn":    left.GroupBy("s").SplitOut(3).NLargest(2, "v"),
		"join":    left.Merge(right, MergeOptions{On: []string{"k"}, Broadcast: -1, Partitions: 5}),
		"dedup":   left.DropDuplicates("k", "s"),
		"sort":    left.SortValues(false, "v"),
	}
	for name, q := range queries {
		ref, err := q.Compute(ctx, sched.WithProgress(nil), sched.WithMemoryLimit(-1))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ref.NumRows() == 0 {
			t.Fatalf("%s: empty reference", name)
		}
		for _, ex := range []sched.Executor{sched.NewLocal(), sched.NewLoopback()} {
			w := &spillWatch{}
			dir := t.TempDir()
			got, err := q.Compute(ctx, sched.WithProgress(nil), sched.WithMemoryLimit(1), sched.WithSpillDir(dir),
				sched.WithObserver(w), sched.WithExecutor(ex))
			if err != nil {
				t.Fatalf("%s %T: %v", name, ex, err)
			}
			if a, b := sortedRows(got), sortedRows(ref); strings.Join(a, "\n") != strings.Join(b, "\n") {
				t.Fatalf("%s %T: %d rows differ from the in-memory run's %d", name, ex, len(a), len(b))
			}
			// The splits are the values read back by piece: each was
			// spilled, and none was reloaded whole.
			if len(w.piece) == 0 {
				t.Errorf("%s %T: no piece read back from disk", name, ex)
			}
			for k := range w.spilled {
				if isSplit := strings.HasPrefix(string(k), "split-") || strings.HasPrefix(string(k), "sort-split-"); isSplit && !w.piece[k] {
					t.Errorf("%s %T: split %s spilled but not read back by piece", name, ex, k)
				}
			}
			for k := range w.piece {
				if !w.spilled[k] || w.whole[k] {
					t.Errorf("%s %T: split %s spilled %v, reloaded whole %v", name, ex, k, w.spilled[k], w.whole[k])
				}
			}
		}
	}
}

// Pieces read by part in process: every piece is dropped once read, and the
// in-process form (source rows + indices) gathers as before.
func TestPiecesPartsAndDrops(t *testing.T) {
	f := FromColumns(1, Column{"k", []int64{1, 2, 3, 4, 5, 6, 7, 8}}, Column{"v", []float64{1, 2, 3, 4, 5, 6, 7, 8}})
	tab, err := f.Compute(context.Background(), sched.WithProgress(nil))
	if err != nil {
		t.Fatal(err)
	}
	op := &splitOp{keys: []string{"k"}, n: 3}
	v, err := op.Run(context.Background(), []any{&Part{R: tab.Record()}})
	if err != nil {
		t.Fatal(err)
	}
	p := v.(*Pieces)
	var _ graph.Parted = p
	var _ graph.PartDropper = p
	total, freed := p.Size(), int64(0)
	rows := 0
	for j := 0; j < p.NumParts(); j++ {
		sh := p.Part(j).(*shard)
		rows += int(sh.record().NumRows())
		b, err := graph.EncodeValue(sh)
		if err != nil {
			t.Fatal(err)
		}
		back, err := graph.DecodeValue(b)
		if err != nil {
			t.Fatal(err)
		}
		if back.(*shard).record().NumRows() != sh.record().NumRows() {
			t.Fatalf("piece %d: shard does not round-trip", j)
		}
		freed += p.DropPart(j)
	}
	if rows != 8 || freed != total {
		t.Errorf("pieces hold %d rows (want 8); dropping freed %d of %d bytes", rows, freed, total)
	}
}
