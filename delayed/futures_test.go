package delayed

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godask/godask/internal/leak"
	"github.com/godask/godask/sched"
)

func TestSubmitMapGather(t *testing.T) {
	leak.Check(t)
	c := NewClient(sched.WithWorkers(3))
	defer c.Close()
	a := Submit(c, inc, Lit(1))
	b := Submit2(c, addi, a, Lit(10)) // a future as an input
	if v, err := b.Result(ctx); err != nil || v != 12 {
		t.Fatalf("b = %v %v", v, err)
	}
	if !a.Done() || !strings.HasPrefix(a.String(), "<Future: finished, key: inc-") {
		t.Errorf("a = %s", a)
	}
	xs := []int{5, 3, 8, 1}
	fs := Map(c, inc, xs)
	got, err := Gather(ctx, fs)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		if got[i] != x+1 {
			t.Fatalf("Map: %v", got)
		}
	}
	// A delayed value reading a future, submitted as a whole.
	d := Start(c, Call2(addi, In[int](Call(inc, In[int](a))), Lit(100)))
	if v, err := d.Result(ctx); err != nil || v != 103 {
		t.Fatalf("d = %v %v", v, err)
	}
	// ... and computed outside the client.
	if v, err := Call(inc, In[int](b)).Compute(ctx, quiet()); err != nil || v != 13 {
		t.Fatalf("compute over a future = %v %v", v, err)
	}
}

func TestAsCompletedOrder(t *testing.T) {
	leak.Check(t)
	c := NewClient(sched.WithWorkers(4))
	defer c.Close()
	// Each task waits for its gate; the gates open one at a time, each
	// after the previous result came out, so the completion order is
	// known whatever the machine's load (4 workers run all 4 at once).
	gates := map[int]chan struct{}{}
	for _, v := range []int{120, 10, 60, 30} {
		gates[v] = make(chan struct{})
	}
	gated := func(v int) int { <-gates[v]; return v }
	fs := Map(c, gated, []int{120, 10, 60, 30})
	done := AsCompleted(fs)
	var order []int
	for _, v := range []int{10, 30, 60, 120} {
		close(gates[v])
		select {
		case f, ok := <-done:
			if !ok {
				t.Fatalf("AsCompleted closed after %v", order)
			}
			got, err := f.Result(ctx)
			if err != nil {
				t.Fatal(err)
			}
			order = append(order, got)
		case <-time.After(10 * time.Second):
			t.Fatalf("no future completed after gate %d opened (order so far %v)", v, order)
		}
	}
	if _, ok := <-done; ok {
		t.Fatal("AsCompleted not closed after the last future")
	}
	if !sort.IntsAreSorted(order) || len(order) != 4 {
		t.Fatalf("as completed: %v", order)
	}
	if _, ok := <-AsCompleted[int](nil); ok {
		t.Fatal("empty AsCompleted must be closed")
	}
}

func TestFutureErrorsAndCancel(t *testing.T) {
	leak.Check(t)
	c := NewClient(sched.WithWorkers(1))
	defer c.Close()
	bad := SubmitE(c, half, Lit(3))
	dep := Submit(c, inc, bad)
	if _, err := dep.Result(ctx); !errors.Is(err, errOdd) {
		t.Fatalf("dependent of a failed future: %v", err)
	}
	if _, err := Gather(ctx, []*Future[int]{Submit(c, inc, Lit(1)), bad}); !errors.Is(err, errOdd) || !strings.Contains(err.Error(), "future 1") {
		t.Fatalf("gather: %v", err)
	}
	// Cancel a future waiting behind a busy worker, and its dependent.
	release := make(chan struct{})
	var ran atomic.Int64
	block := Submit(c, func(int) int { <-release; return 0 }, Lit(0))
	queued := Submit(c, func(x int) int { ran.Add(1); return x }, Lit(1))
	after := Submit(c, inc, queued)
	queued.Cancel()
	close(release)
	if _, err := queued.Result(ctx); !errors.Is(err, ErrCancelled) {
		t.Fatalf("cancelled: %v", err)
	}
	if _, err := after.Result(ctx); !errors.Is(err, ErrCancelled) {
		t.Fatalf("after cancelled: %v", err)
	}
	if _, err := block.Result(ctx); err != nil {
		t.Fatal(err)
	}
	if ran.Load() != 0 {
		t.Error("a cancelled future ran")
	}
	// Result honours its own context.
	slow := Submit(c, func(int) int { time.Sleep(200 * time.Millisecond); return 0 }, Lit(0))
	tctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := slow.Result(tctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("result ctx: %v", err)
	}
}

func TestClientClose(t *testing.T) {
	leak.Check(t)
	c := NewClient(sched.WithWorkers(1))
	release := make(chan struct{})
	running := Submit(c, func(int) int { <-release; return 1 }, Lit(0))
	pending := Submit(c, inc, Lit(1))
	go func() { time.Sleep(20 * time.Millisecond); close(release) }()
	c.Close()
	if _, err := pending.Result(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("pending after close: %v", err)
	}
	_, _ = running.Result(ctx)
	if _, err := Submit(c, inc, Lit(1)).Result(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("submit after close: %v", err)
	}
	c.Close() // twice is fine
}

func TestDefaultClient(t *testing.T) {
	f := Submit(nil, inc, Lit(41))
	if v, err := f.Result(ctx); err != nil || v != 42 {
		t.Fatalf("%v %v", v, err)
	}
}
