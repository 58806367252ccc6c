package sched

import (
	"sync"
	"time"
)

// Reused run state.
//
// A run's per-task state (input and reader counts, the reader index, the
// values, the memory manager's sizes, pins and states) is about 60 bytes a
// task of fresh memory, and on a VM each 4 KiB page of fresh memory costs a
// page fault of tens of microseconds: for a run of 10^4 trivial tasks the
// faults of its state cost as much as its tasks, and the garbage it leaves
// brings the next collection closer. So a run that succeeds leaves its state
// as the spare for the next run, for runs of up to maxPooledTasks tasks
// (at most about 16 MiB), where this fixed cost matters; larger runs take
// fresh memory, which the graph they are given dwarfs anyway. The spare is
// dropped when no run has taken it for spareFor. (A sync.Pool drops its
// contents after two collections, and a small run's own garbage often
// triggers one: the next run would then find nothing.)
const (
	maxPooledTasks = 1 << 18
	spareFor       = 10 * time.Second
)

// runBufs is the backing memory of a run's per-task slices, carved by take.
type runBufs struct {
	i32  []int32
	i64  []int64
	vals []any
	// used counts what the current run carved from i32.
	used int
	// fresh is set on memory just allocated, already zero.
	fresh bool
	// apart is set for a run too large to keep a spare for: take then
	// allocates each slice on its own, as before there was a spare, so
	// that large runs allocate exactly as they did (slices that fit the
	// room a graph's growth leaves, advised for huge pages, see
	// internal/hugeheap, rather than one slab of 9 int32s a task).
	apart bool
}

var spare struct {
	sync.Mutex
	b     *runBufs
	timer *time.Timer // drops b after spareFor
}

// getBufs returns backing memory for a run of n tasks reading nflat inputs
// in all, with a memory manager or not: the spare when the run is small and
// the spare large enough, else fresh. Its vals are nil and take clears what
// it carves.
func getBufs(n, nflat int, mem bool) *runBufs {
	n32, n64 := bufInts(n, nflat, mem), 0
	if mem {
		n64 = n
	}
	if n <= maxPooledTasks {
		spare.Lock()
		b := spare.b
		if b != nil && cap(b.i32) >= n32 && cap(b.i64) >= n64 && cap(b.vals) >= n {
			spare.b = nil
			spare.Unlock()
			b.i32, b.i64, b.vals, b.used = b.i32[:n32], b.i64[:n64], b.vals[:n], 0
			return b
		}
		spare.Unlock()
	}
	b := &runBufs{i64: make([]int64, n64), vals: make([]any, n), fresh: true, apart: n > maxPooledTasks}
	if !b.apart {
		b.i32 = make([]int32, n32)
	}
	return b
}

// bufInts is the int32s a run of n tasks reading nflat inputs carves:
// wait, refs, the reader offsets (n+1), the readers, the roots (at most
// n), and with a memory manager its pins, states, last uses and filed
// flags.
func bufInts(n, nflat int, mem bool) int {
	k := 4*n + 1 + nflat
	if mem {
		k += 4 * n
	}
	return k
}

// take carves the next k int32s, zeroed.
func (b *runBufs) take(k int) []int32 {
	if b.apart {
		return make([]int32, k)
	}
	s := b.i32[b.used : b.used+k : b.used+k]
	b.used += k
	if !b.fresh {
		clear(s)
	}
	return s
}

// putBufs leaves b as the spare for a later run, once the run using it is
// over and nothing reads its state any more; vals must hold no value still
// needed. Of two spares the larger is kept.
func putBufs(b *runBufs) {
	if b == nil || b.apart || len(b.vals) > maxPooledTasks {
		return
	}
	clear(b.vals) // let the values go; past len they are nil already
	b.fresh = false
	spare.Lock()
	defer spare.Unlock()
	if spare.b != nil && cap(spare.b.i32) > cap(b.i32) {
		return
	}
	spare.b = b
	if spare.timer == nil {
		spare.timer = time.AfterFunc(spareFor, dropSpare)
	} else {
		spare.timer.Reset(spareFor)
	}
}

// dropSpare lets the collector take the spare.
func dropSpare() {
	spare.Lock()
	spare.b = nil
	spare.Unlock()
}
