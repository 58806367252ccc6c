package sched

import (
	"runtime/metrics"
	"sync"
	"time"
)

// sampleMemory starts the MemorySampled events of a run with an observer:
// one now and one every 100 ms until the returned stop, which sends a last
// one; and the coarse clock of clock.go. Runs without an observer start
// nothing.
func (r *run) sampleMemory() (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	var heap []metrics.Sample
	if r.mem == nil {
		heap = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	}
	sample := func() {
		e := Event{Kind: MemorySampled, Time: time.Now()}
		if r.mem != nil {
			// held lags the workers' local batches and can dip below 0.
			e.Bytes, e.Spilled, e.Limit = max(0, r.mem.held.Load()), max(0, r.mem.onDisk.Load()), r.mem.limit
		} else {
			metrics.Read(heap)
			if heap[0].Value.Kind() == metrics.KindUint64 {
				e.Bytes = int64(heap[0].Value.Uint64())
			}
		}
		r.obs.Observe(e)
	}
	sample()
	wg.Add(2)
	go func() {
		defer wg.Done()
		runCoarseClock(&r.coarse, quit)
	}()
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(quit)
			wg.Wait()
			sample()
		})
	}
}
