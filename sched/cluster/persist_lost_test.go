package cluster_test

import (
	"context"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godask/godask/delayed"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

// slowDigest is digest after 200 ms.
func slowDigest(b []byte) int {
	time.Sleep(200 * time.Millisecond)
	return digest(b)
}

func init() { delayed.Register("clustertest.slowDigest", slowDigest) }

// TestPersistedValueLost: a run reading values persisted on two workers
// fails, naming the lost value, when worker a is killed after its readers
// of them finished but before their results were used: recomputing those
// needs the persisted values, which have no lineage here. It used to wait
// forever for a holder to come back.
func TestPersistedValueLost(t *testing.T) {
	c, err := cluster.Local(2, cluster.WithThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws := c.Workers()
	var vals []sched.Collection
	for i := 0; i < 4; i++ {
		v := delayed.Call(noise, delayed.Lit(1000+i))
		c.Restrict(v.Key(), ws[i/2].ID) // 0, 1 on a; 2, 3 on b
		defer c.Unrestrict(v.Key())
		vals = append(vals, v)
	}
	p, err := c.Persist(ctx, vals)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Release()
	d := make([]*delayed.Value[int], 4)
	for i, pc := range p.Collections {
		fn := digest
		if i >= 2 {
			fn = slowDigest // b is still busy when a is killed
		}
		d[i] = delayed.Call(fn, delayed.In[[]byte](pc.(*delayed.Value[[]byte])))
		c.Restrict(d[i].Key(), ws[i/2].ID)
		defer c.Unrestrict(d[i].Key())
	}
	// The sum of a's digests runs on b, queued behind b's slow ones.
	sum01 := delayed.Call2(addInts, delayed.In[int](d[0]), delayed.In[int](d[1]))
	c.Restrict(sum01.Key(), ws[1].ID)
	defer c.Unrestrict(sum01.Key())
	total := delayed.Call2(addInts, delayed.In[int](sum01),
		delayed.In[int](delayed.Call2(addInts, delayed.In[int](d[2]), delayed.In[int](d[3]))))
	var mu sync.Mutex
	onA := 0
	obs := sched.ObserverFunc(func(e sched.Event) {
		if e.Kind != sched.TaskFinished || e.Worker != int(ws[0].ID) || !strings.Contains(e.Label, "digest") {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if onA++; onA == 2 {
			syscall.Kill(ws[0].PID, syscall.SIGKILL)
		}
	})
	_, err = total.Compute(ctx, sched.WithExecutor(c), sched.WithObserver(obs), sched.WithProgress(nil))
	if ctx.Err() != nil {
		t.Fatal("the run hung after a worker holding persisted values was killed")
	}
	if err == nil || !strings.Contains(err.Error(), "lost") {
		t.Fatalf("a run reading a lost persisted value: %v", err)
	}
	t.Log(err)
}
