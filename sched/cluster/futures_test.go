package cluster_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/godask/godask/delayed"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

func square(x int) int { return x * x }

func addInts(a, b int) int { return a + b }

// noise makes n pseudo-random bytes (an LCG seeded by n).
func noise(n int) []byte {
	b := make([]byte, n)
	x := uint64(n)*0x9E3779B97F4A7C15 + 1
	for i := range b {
		x = x*6364136223846793005 + 1442695040888963407
		b[i] = byte(x >> 56)
	}
	return b
}

// digest is an order-sensitive hash of b (FNV-1a, 62 bits).
func digest(b []byte) int {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return int(h >> 2)
}

func init() {
	delayed.Register("clustertest.square", square)
	delayed.Register("clustertest.addInts", addInts)
	delayed.Register("clustertest.noise", noise)
	delayed.Register("clustertest.digest", digest)
}

// heldOn returns worker id's latest held bytes and fetched bytes, waiting
// (up to 5 s) until cond holds for them.
func heldOn(c *cluster.Executor, id uint64, cond func(held, fetched int64) bool) (int64, int64, bool) {
	var held, fetched int64
	for t := time.Now(); time.Since(t) < 5*time.Second; time.Sleep(50 * time.Millisecond) {
		for _, w := range c.Workers() {
			if w.ID == id {
				held, fetched = w.Held, w.Fetched
			}
		}
		if cond(held, fetched) {
			return held, fetched, true
		}
	}
	return held, fetched, false
}

// TestFuturesKeptOnWorkers: a future's result stays on the worker that
// computed it. A future reading it fetches it worker to worker (the bytes
// through the client stay far below its size), Result brings a copy,
// Release frees it on the worker, and reading a released future fails.
func TestFuturesKeptOnWorkers(t *testing.T) {
	c := shared(t)
	ctx := context.Background()
	ws := c.Workers()
	if len(ws) < 2 {
		t.Fatalf("want 2 workers, have %d", len(ws))
	}
	a, b := ws[0].ID, ws[1].ID
	cl := delayed.NewClient(sched.WithExecutor(c), sched.WithWorkers(2))
	defer cl.Close()
	const n = 12<<20 + 5
	want := digest(noise(n))
	heldA0, _, _ := heldOn(c, a, func(int64, int64) bool { return true })
	_, fetchedB0, _ := heldOn(c, b, func(int64, int64) bool { return true })
	g0 := c.Stats().Gathered

	// The result is made on a and read on b (restrictions by key; a call
	// on a future has the key of the same call on the future's value).
	bigV := delayed.Call(noise, delayed.Lit(n))
	sumV := delayed.Call(digest, delayed.In[[]byte](bigV))
	c.Restrict(bigV.Key(), a)
	c.Restrict(sumV.Key(), b)
	defer c.Unrestrict(bigV.Key(), sumV.Key())
	big := delayed.Start(cl, bigV)
	sum := delayed.Submit(cl, digest, delayed.In[[]byte](big))
	if sum.Key() != sumV.Key() {
		t.Fatalf("the call on the future has key %s, on its value %s", sum.Key(), sumV.Key())
	}
	got, err := sum.Result(ctx)
	if err != nil || got != want {
		t.Fatalf("digest on the cluster: %v %v, want %v", got, err, want)
	}
	if d := c.Stats().Gathered - g0; d > 1<<20 {
		t.Fatalf("%d bytes came to the client before any Result of the %d-byte future", d, n)
	}
	if _, held, ok := heldOn(c, a, func(h, _ int64) bool { return h-heldA0 >= n }); !ok {
		t.Fatalf("worker %d holds %d bytes (%d before): the result is not kept there", a, held, heldA0)
	}
	if _, f, ok := heldOn(c, b, func(_, f int64) bool { return f-fetchedB0 >= n }); !ok {
		t.Fatalf("worker %d fetched %d bytes (%d before), want the %d-byte input from its peer", b, f, fetchedB0, n)
	}
	v, err := big.Result(ctx)
	if err != nil || len(v) != n || digest(v) != want {
		t.Fatalf("Result of the kept future: %d bytes, %v", len(v), err)
	}
	if d := c.Stats().Gathered - g0; d < n {
		t.Fatalf("Result fetched %d bytes to the client, want at least %d", d, n)
	}
	big.Release()
	if held, _, ok := heldOn(c, a, func(h, _ int64) bool { return h-heldA0 < n/2 }); !ok {
		t.Fatalf("worker %d still holds %d bytes (%d before) after Release", a, held, heldA0)
	}
	if _, err := big.Result(ctx); !errors.Is(err, delayed.ErrReleased) {
		t.Fatalf("Result after Release: %v", err)
	}
	late := delayed.Submit(cl, digest, delayed.In[[]byte](big))
	if _, err := late.Result(ctx); !errors.Is(err, delayed.ErrReleased) {
		t.Fatalf("a future reading a released one: %v", err)
	}
	// A future nothing refers to any more is freed when collected.
	gone := delayed.Submit(cl, noise, delayed.Lit(n+1))
	if _, err := delayed.Submit(cl, digest, delayed.In[[]byte](gone)).Result(ctx); err != nil {
		t.Fatal(err)
	}
	total := func() int64 {
		var s int64
		for _, w := range c.Workers() {
			s += w.Held
		}
		return s
	}
	time.Sleep(1100 * time.Millisecond)
	before := total()
	gone = nil
	freed := false
	for t0 := time.Now(); time.Since(t0) < 5*time.Second && !freed; time.Sleep(100 * time.Millisecond) {
		runtime.GC()
		freed = before-total() >= n
	}
	if !freed {
		t.Fatalf("the workers hold %d bytes, %d before the future was dropped: it was not freed", total(), before)
	}
}

// TestFuturesOnCluster: a futures client whose executor is the cluster runs
// submitted calls on the workers (results come back to the client when
// each future is done).
func TestFuturesOnCluster(t *testing.T) {
	c := shared(t)
	cl := delayed.NewClient(sched.WithExecutor(c), sched.WithWorkers(4))
	defer cl.Close()
	fs := delayed.Map(cl, square, []int{1, 2, 3, 4, 5, 6, 7, 8})
	total := delayed.Submit2(cl, addInts, delayed.In[int](fs[2]), delayed.In[int](fs[7]))
	for i, f := range fs {
		v, err := f.Result(context.Background())
		if err != nil || v != (i+1)*(i+1) {
			t.Fatalf("future %d: %v %v", i, v, err)
		}
	}
	v, err := total.Result(context.Background())
	if err != nil || v != 9+64 {
		t.Fatalf("dependent future: %v %v", v, err)
	}
	// An unregistered function is refused by name.
	bad := delayed.Submit(cl, func(x int) int { return x }, delayed.Lit(1))
	if _, err := bad.Result(context.Background()); err == nil || !strings.Contains(err.Error(), "TestFuturesOnCluster.func1") || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("unregistered function: %v", err)
	}
}

// TestLargeLiteralTask: a task larger than a batch entry (a literal of
// 3 MiB travels as a blob ahead of its batch) runs; the scheduler used to
// deadlock queuing the blob.
func TestLargeLiteralTask(t *testing.T) {
	c := shared(t)
	cl := delayed.NewClient(sched.WithExecutor(c))
	defer cl.Close()
	in := noise(3<<20 + 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got, err := delayed.Submit(cl, digest, delayed.Lit(in)).Result(ctx)
	if err != nil || got != digest(in) {
		t.Fatalf("digest of a 3 MiB literal: %v %v, want %v", got, err, digest(in))
	}
}
