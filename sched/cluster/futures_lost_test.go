package cluster_test

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/godask/godask/delayed"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

// TestFuturesRecomputedAfterKill: futures whose results were kept on a
// worker killed with SIGKILL are computed again from their lineage: a
// Result of one (whose own input future was lost with it too), a new
// future reading one, and a future reading both; a released future stays
// released. Only the lost futures are recomputed.
func TestFuturesRecomputedAfterKill(t *testing.T) {
	c, err := cluster.Local(2, cluster.WithThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws := c.Workers()
	if len(ws) != 2 {
		t.Fatalf("want 2 workers, have %d", len(ws))
	}
	a, b := ws[0], ws[1]
	cl := delayed.NewClient(sched.WithExecutor(c), sched.WithWorkers(2))
	defer cl.Close()
	const n = 3<<20 + 7
	// x and y = digest(x) are kept on a; u on b.
	xV := delayed.Call(noise, delayed.Lit(n))
	yV := delayed.Call(digest, delayed.In[[]byte](xV))
	uV := delayed.Call(square, delayed.Lit(12))
	relV := delayed.Call(noise, delayed.Lit(n+1))
	c.Restrict(xV.Key(), a.ID)
	c.Restrict(yV.Key(), a.ID)
	c.Restrict(relV.Key(), a.ID)
	c.Restrict(uV.Key(), b.ID)
	defer c.Unrestrict(xV.Key(), yV.Key(), uV.Key(), relV.Key())
	x := delayed.Start(cl, xV)
	y := delayed.Submit(cl, digest, delayed.In[[]byte](x))
	u := delayed.Start(cl, uV)
	rel := delayed.Start(cl, relV)
	want := digest(noise(n))
	for _, f := range []interface {
		Result(context.Context) (int, error)
	}{y, u} {
		if _, err := f.Result(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rel.Result(ctx); err != nil {
		t.Fatal(err)
	}
	rel.Release()
	before := c.Stats()
	if err := syscall.Kill(a.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for gone := false; !gone; time.Sleep(20 * time.Millisecond) {
		if ctx.Err() != nil {
			t.Fatal("the killed worker was not removed")
		}
		gone = true
		for _, w := range c.Workers() {
			gone = gone && w.ID != a.ID
		}
	}
	// y's Result recomputes y, and y's input x first (both were on a).
	if got, err := y.Result(ctx); err != nil || got != want {
		t.Fatalf("Result of a future lost with its worker: %v %v, want %v", got, err, want)
	}
	// A new future reading x (recomputed already) and one reading y and u
	// (u was never lost).
	if got, err := delayed.Submit(cl, digest, delayed.In[[]byte](x)).Result(ctx); err != nil || got != want {
		t.Fatalf("a future reading a recomputed one: %v %v, want %v", got, err, want)
	}
	if got, err := delayed.Submit2(cl, addInts, delayed.In[int](y), delayed.In[int](u)).Result(ctx); err != nil || got != want+144 {
		t.Fatalf("a future reading two: %v %v, want %v", got, err, want+144)
	}
	if v, err := x.Result(ctx); err != nil || len(v) != n || digest(v) != want {
		t.Fatalf("Result of the recomputed input: %d bytes, %v", len(v), err)
	}
	if got := c.Stats().Recomputed - before.Recomputed; got != 2 {
		t.Fatalf("%d values recomputed, want 2 (x and y; u was not lost, rel was released)", got)
	}
	if _, err := rel.Result(ctx); !errors.Is(err, delayed.ErrReleased) {
		t.Fatalf("Result of a released future after its worker died: %v", err)
	}
	t.Logf("recomputed %d values after the kill", c.Stats().Recomputed-before.Recomputed)
}
