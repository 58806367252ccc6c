package sched

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godask/godask/graph"
)

// batchObs records what a TaskBatcher receives.
type batchObs struct {
	mu       sync.Mutex
	began    map[int]int
	done     map[int]int
	events   map[EventKind]int
	failed   []int
	afterEnd int // tasks delivered after JobFinished
	ended    bool
	badTime  int
}

func (o *batchObs) TaskBegan(i, worker int) {
	o.mu.Lock()
	o.began[i]++
	o.mu.Unlock()
}

func (o *batchObs) TasksDone(worker int, done []TaskDone) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, d := range done {
		o.done[int(d.Index)]++
		if o.ended {
			o.afterEnd++
		}
		if d.End <= 0 || d.Duration < 0 || time.Since(time.Unix(0, d.End)) > time.Minute {
			o.badTime++
		}
	}
}

func (o *batchObs) Observe(e Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events[e.Kind]++
	switch e.Kind {
	case TaskFailed:
		o.failed = append(o.failed, e.Index)
	case JobFinished:
		o.ended = true
	}
}

func newBatchObs() *batchObs {
	return &batchObs{began: map[int]int{}, done: map[int]int{}, events: map[EventKind]int{}}
}

func TestTaskBatcherGetsEveryTaskOnceBeforeJobFinished(t *testing.T) {
	for _, n := range []int{1, 2, 1 << 10, 1 << 13} {
		g, outs, _ := treeGraph(t, n)
		o := newBatchObs()
		want, err := Run(context.Background(), g, outs, WithWorkers(2), WithProgress(nil), WithoutFusion())
		if err != nil {
			t.Fatal(err)
		}
		got, err := Run(context.Background(), g, outs, WithWorkers(2), WithProgress(nil), WithoutFusion(), WithObserver(o))
		if err != nil {
			t.Fatal(err)
		}
		if got[0] != want[0] {
			t.Fatalf("n=%d: result %v with the batcher, %v without", n, got[0], want[0])
		}
		if o.events[TaskStarted] != 0 || o.events[TaskFinished] != 0 {
			t.Fatalf("n=%d: a batcher got %d started and %d finished events", n, o.events[TaskStarted], o.events[TaskFinished])
		}
		if o.events[JobStarted] != 1 || o.events[JobFinished] != 1 || o.afterEnd != 0 || o.badTime != 0 {
			t.Fatalf("n=%d: events %v, %d tasks after the end, %d bad times", n, o.events, o.afterEnd, o.badTime)
		}
		if len(o.began) != g.Len() || len(o.done) != g.Len() {
			t.Fatalf("n=%d: %d began, %d done of %d tasks", n, len(o.began), len(o.done), g.Len())
		}
		for i := 0; i < g.Len(); i++ {
			if o.began[i] != 1 || o.done[i] != 1 {
				t.Fatalf("n=%d: task %d began %d times, done %d times", n, i, o.began[i], o.done[i])
			}
		}
	}
}

func TestTaskBatcherGetsFailure(t *testing.T) {
	g := &graph.Graph{}
	var outs []graph.Key
	for i := 0; i < 100; i++ {
		tk := mk(t, mixOp{uint64(i)})
		g.Add(tk)
		outs = append(outs, tk.Key)
	}
	bad := mk(t, failOp{false}, outs[99])
	g.Add(bad)
	outs = append(outs, bad.Key)
	o := newBatchObs()
	_, err := Run(context.Background(), g, outs, WithWorkers(1), WithProgress(nil), WithoutFusion(), WithObserver(o))
	var te *TaskError
	if !errors.As(err, &te) || te.Key != bad.Key {
		t.Fatalf("err = %v", err)
	}
	if len(o.failed) != 1 || o.failed[0] != g.IndexOf(bad.Key) || o.events[TaskFailed] != 1 {
		t.Fatalf("failed %v", o.failed)
	}
	// One worker: every task before the failing one was handed over before it.
	if len(o.done) != 100 {
		t.Fatalf("%d tasks done before the failure, want 100", len(o.done))
	}
}

func TestBatchersTogetherKeepTheBatchedPath(t *testing.T) {
	g, outs, _ := treeGraph(t, 1<<10)
	a, b := newBatchObs(), newBatchObs()
	var buf strings.Builder
	p := NewProgress(&buf, 0)
	if _, err := Run(context.Background(), g, outs, WithWorkers(2), WithProgress(nil), WithoutFusion(), WithObserver(a), WithObserver(b), WithObserver(p)); err != nil {
		t.Fatal(err)
	}
	for _, o := range []*batchObs{a, b} {
		if len(o.done) != g.Len() || o.events[TaskFinished] != 0 || o.events[JobFinished] != 1 {
			t.Fatalf("%d of %d done, events %v", len(o.done), g.Len(), o.events)
		}
	}
	if p.done.Load() != int64(g.Len()) {
		t.Fatalf("progress counted %d of %d", p.done.Load(), g.Len())
	}
	// With a plain observer among them, every one gets events.
	var fin atomic.Int64
	c := newBatchObs()
	plain := ObserverFunc(func(e Event) {
		if e.Kind == TaskFinished {
			fin.Add(1)
		}
	})
	if _, err := Run(context.Background(), g, outs, WithWorkers(2), WithProgress(nil), WithoutFusion(), WithObserver(c), WithObserver(plain)); err != nil {
		t.Fatal(err)
	}
	if fin.Load() != int64(g.Len()) || c.events[TaskFinished] != g.Len() || len(c.done) != 0 {
		t.Fatalf("plain observer: %d finished; batcher %v, %d batched", fin.Load(), c.events, len(c.done))
	}
}
