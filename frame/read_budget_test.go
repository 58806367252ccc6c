package frame

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/godask/godask/sched"
)

// TestBlockSizeFor: ranges shrink with the memory limit per worker, whole
// MiB, between 1 MiB and 64 MB.
func TestBlockSizeFor(t *testing.T) {
	for _, c := range []struct {
		limit   int64
		workers int
		want    int64
	}{
		{256 << 20, 2, 10 << 20},
		{256 << 20, 1, 21 << 20},
		{64 << 30, 8, 64 << 20},
		{8 << 20, 4, 1 << 20},
		{300 << 20, 2, 12 << 20},
		{0, 0, 1 << 20},
	} {
		if got := blockSizeFor(c.limit, c.workers); got != c.want {
			t.Errorf("blockSizeFor(%d, %d) = %d, want %d", c.limit, c.workers, got, c.want)
		}
	}
}

// TestReadWarnsWhenRangeCannotFit: a read task whose range needs more than
// its share of the run's memory limit sends a sched.Warning saying so.
func TestReadWarnsWhenRangeCannotFit(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b\n")
	for i := 0; i < 20000; i++ {
		b.WriteString("12345,67890\n")
	}
	p := filepath.Join(t.TempDir(), "w.csv")
	os.WriteFile(p, []byte(b.String()), 0o644)
	var mu sync.Mutex
	var warns []string
	obs := sched.ObserverFunc(func(e sched.Event) {
		if e.Kind == sched.Warning {
			mu.Lock()
			warns = append(warns, e.Msg)
			mu.Unlock()
		}
	})
	f := ReadCSV(p, CSVOptions{BlockSize: -1})
	if _, err := f.Sum("a").Compute(context.Background(), sched.WithObserver(obs), sched.WithWorkers(2), sched.WithMemoryLimit(1<<20), sched.WithSpillDir(t.TempDir())); err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "more than this task's share of the memory limit") || !strings.Contains(warns[0], p) {
		t.Fatalf("warnings %q", warns)
	}
	warns = nil
	if _, err := f.Sum("a").Compute(context.Background(), sched.WithObserver(obs), sched.WithMemoryLimit(1<<30)); err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Fatalf("warnings under a large limit: %q", warns)
	}
}
