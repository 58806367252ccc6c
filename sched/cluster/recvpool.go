package cluster

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Large values are received into buffers that come back for the next
// large value once nothing refers to them any more. Memory a process has
// never touched is the dearest part of a fetch on a VM (first-touch page
// faults: 4-8 ms per MiB on the Firecracker machines the benchmarks run
// on, against about 0.1 ms to copy a MiB), so a worker that fetched a
// 256 MiB block once should land the next one in the same pages rather
// than in fresh ones. Who still refers to a buffer is not tracked: a
// decoded value may be a view of it (graph.DecodeValueOwned), and a task
// may keep a slice of that view in its own result. The collector knows: a
// finalizer on the buffer's allocation runs only once no view of any part
// of it is left, and puts the buffer back into the pool (a finalizer may
// keep its object). A value freed by the scheduler (the end of a run, an
// eFree, the last reader of a fetched input) is a hint that a pooled
// buffer may have become garbage; the next large receive that finds the
// pool empty while such buffers are out then runs one collection to find
// out, instead of taking fresh memory.
//
// Only workers pool buffers (a client's gathered values are the user's):
// the pool holds at most a quarter of the worker's memory limit, at most
// 1 GiB, and drops a buffer unused for recvPoolIdle; a buffer is reused
// for a value that needs at least 3/4 of it, so that a small value does
// not pin a large buffer.

// recvPoolMin is the smallest buffer pooled: smaller ones are plain
// allocations.
const recvPoolMin = 4 << 20

// recvPoolIdle is how long an unused buffer stays in the pool (a variable
// for the tests).
var recvPoolIdle = 30 * time.Second

var recvPool struct {
	sync.Mutex
	max       int64 // bytes the pool may hold
	held      int64 // bytes in free
	out       int64 // bytes of pooled buffers handed out and not yet back
	free      []pooledBuf
	gcs       int64 // collections recvBuffer ran
	lastGC    time.Time
	fruitless bool  // the last collection brought no buffer back
	reused    int64 // buffers handed out again
	arrived   chan struct{}
}

// recvMayFree is set when the worker frees a value: a buffer that was out
// may now be garbage.
var recvMayFree atomic.Bool

type pooledBuf struct {
	b    []byte
	idle time.Time
}

func init() { recvPool.arrived = make(chan struct{}, 1) }

// setRecvPoolMax turns the pool on for a worker, bounded by its memory
// limit.
func setRecvPoolMax(memLimit int64) {
	recvPool.Lock()
	defer recvPool.Unlock()
	recvPool.max = 1 << 30
	switch {
	case memLimit < 0: // off (the tests)
		recvPool.max = 0
		recvPrune(time.Now().Add(recvPoolIdle))
	case memLimit > 0:
		recvPool.max = min(recvPool.max, memLimit/4)
	}
}

// recvBuffer returns a buffer of length n for a received value: from the
// pool when one fits, else fresh (and prefaulted) with a finalizer that
// brings it back.
func recvBuffer(n int) []byte {
	if n < recvPoolMin {
		return make([]byte, n)
	}
	recvPool.Lock()
	on := recvPool.max > 0
	recvPool.Unlock()
	if !on { // not a worker: a plain buffer, no finalizer
		b := make([]byte, n)
		prefault(b)
		return b
	}
	if b := recvTake(n); b != nil {
		return b
	}
	if recvWaitForGarbage(n) {
		if b := recvTake(n); b != nil {
			return b
		}
	}
	b := make([]byte, n)
	prefault(b)
	recvPool.Lock()
	recvPool.out += int64(cap(b))
	recvPool.Unlock()
	watch(b)
	return b
}

// watch sets the finalizer that brings b back into the pool. The
// finalizer holds b's capacity, not b: a finalizer that refers to its
// object keeps it alive for ever.
func watch(b []byte) {
	c := cap(b)
	runtime.SetFinalizer(unsafe.SliceData(b), func(p *byte) { recvPut(unsafe.Slice(p, c)) })
}

// recvTake hands out the smallest pooled buffer that holds n bytes and is
// not more than a third larger than n, or nil.
func recvTake(n int) []byte {
	recvPool.Lock()
	defer recvPool.Unlock()
	recvPrune(time.Now())
	best := -1
	for i, f := range recvPool.free {
		if c := cap(f.b); c >= n && c/4*3 <= n && (best < 0 || c < cap(recvPool.free[best].b)) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	b := recvPool.free[best].b
	recvPool.free = slices.Delete(recvPool.free, best, best+1) // clears the slot it vacates: it would keep b alive
	recvPool.held -= int64(cap(b))
	recvPool.out += int64(cap(b))
	recvPool.reused++
	watch(b)
	return b[:n]
}

// recvPut takes a buffer back from its finalizer.
func recvPut(b []byte) {
	recvPool.Lock()
	recvPool.out -= int64(cap(b))
	if recvPool.held+int64(cap(b)) <= recvPool.max {
		recvPool.free = append(recvPool.free, pooledBuf{b: b[:cap(b)], idle: time.Now()})
		recvPool.held += int64(cap(b))
		if len(recvPool.free) == 1 {
			time.AfterFunc(recvPoolIdle, recvJanitor)
		}
	}
	recvPool.Unlock()
	select {
	case recvPool.arrived <- struct{}{}:
	default:
	}
}

// recvPrune drops the buffers unused since recvPoolIdle before now; the
// pool is locked.
func recvPrune(now time.Time) {
	kept := recvPool.free[:0]
	for _, f := range recvPool.free {
		if now.Sub(f.idle) >= recvPoolIdle {
			recvPool.held -= int64(cap(f.b))
			continue
		}
		kept = append(kept, f)
	}
	clear(recvPool.free[len(kept):])
	recvPool.free = kept
}

// recvJanitor prunes the pool while it holds buffers, so that an idle
// worker gives its memory back.
func recvJanitor() {
	recvPool.Lock()
	defer recvPool.Unlock()
	recvPrune(time.Now())
	if len(recvPool.free) > 0 {
		time.AfterFunc(recvPoolIdle/2, recvJanitor)
	}
}

// recvWaitForGarbage runs a collection when a value was freed since the
// last one and pooled buffers of at least n bytes are out, and waits
// briefly for the finalizers it queues; it reports whether it ran one.
// Collections are rationed: one at a time, and after one that brought
// nothing back, none for recvGCGap (a worker that keeps what it receives
// frees other values all the time, and would otherwise collect before
// every receive).
func recvWaitForGarbage(n int) bool {
	recvPool.Lock()
	out, last, fruitless := recvPool.out, recvPool.lastGC, recvPool.fruitless
	recvPool.Unlock()
	if out < int64(n) || fruitless && time.Since(last) < recvGCGap || !recvMayFree.Swap(false) {
		return false
	}
	if !recvGCMu.TryLock() {
		return false
	}
	defer recvGCMu.Unlock()
	select { // a stale signal
	case <-recvPool.arrived:
	default:
	}
	runtime.GC()
	got := false
	select {
	case <-recvPool.arrived:
		got = true
	case <-time.After(5 * time.Millisecond):
	}
	recvPool.Lock()
	recvPool.gcs++
	recvPool.lastGC, recvPool.fruitless = time.Now(), !got
	recvPool.Unlock()
	return true
}

// recvGCGap is how long after a collection that brought no buffer back
// recvWaitForGarbage runs none.
const recvGCGap = 250 * time.Millisecond

// recvGCMu lets one receive at a time collect.
var recvGCMu sync.Mutex

// recvPoolStats is the pool's state: bytes held and out, collections run,
// buffers reused.
func recvPoolStats() (held, out, gcs, reused int64) {
	recvPool.Lock()
	defer recvPool.Unlock()
	return recvPool.held, recvPool.out, recvPool.gcs, recvPool.reused
}
