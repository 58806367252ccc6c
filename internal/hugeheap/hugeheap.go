// Package hugeheap backs the Go heap's large growth with transparent huge
// pages where the kernel gives them only on request (THP "madvise" mode, the
// common default).
//
// It sits under the engine: delayed asks for room as a graph grows, sched
// before a run allocates its per-task state. On a VM every 4 KiB first-touch
// page fault is costly (tens of microseconds on the machine the benchmarks
// run on, against well under one for a 2 MiB huge page per 4 KiB of it), and
// a graph of 10^6 tasks touches hundreds of megabytes of fresh heap, so the
// faults are most of the cost of building and running it. The Go runtime
// maps its heap without MADV_HUGEPAGE, and a mapping cannot be advised
// before the runtime has made it, so Ensure makes the runtime map the room
// first: it allocates one large block (fresh memory the runtime does not
// zero, so nothing is touched), advises its address range and drops it. The
// advice stays with the mapping; once the block is collected the runtime
// hands the same addresses to the objects allocated next, lowest address
// first, and their pages arrive as huge pages.
//
// Set GODASK_HUGEPAGES=0 in the environment to turn it off. It is a no-op
// outside Linux.
package hugeheap

import (
	"os"
	"runtime/metrics"
	"sync"
	"unsafe"
)

const (
	huge     = 2 << 20
	minBlock = 64 << 20
)

var st struct {
	sync.Mutex
	once     sync.Once
	off      bool
	samples  []metrics.Sample
	lo, hi   uintptr // the advised range
	pending  uint64  // bytes of the last block, until collected
	pendingC uint64  // GC cycles when it was dropped
}

var names = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/gc/cycles/total:gc-cycles",
}

// Ensure makes sure that the next n bytes the heap grows by (and at least
// as much again as is in use now, so that calls are rare) are advised for
// huge pages. It is cheap when they already are, and safe to call from any
// goroutine.
func Ensure(n int) {
	if !supported {
		return
	}
	st.Lock()
	defer st.Unlock()
	if setup(); st.off {
		return
	}
	metrics.Read(st.samples)
	v := func(i int) uint64 {
		if st.samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return st.samples[i].Value.Uint64()
	}
	inuse := v(0) + v(1) + v(2)
	idle := v(3) + v(4)
	cycles := v(5)
	if cycles < st.pendingC+2 {
		inuse -= min(inuse, st.pending) // the dropped block is not yet collected
	} else {
		st.pending = 0
	}
	// Ask for more before the advised room runs out, while at least as much
	// as is in use is still free in it: the block is collected by the
	// collection its allocation starts, and until then new objects are
	// placed below it, in the room that is left, not above it in memory
	// nobody advised.
	if st.hi > st.lo && uint64(st.hi-st.lo) >= 2*inuse+uint64(n) {
		return
	}
	size := max(2*inuse, minBlock) + uint64(n)
	if idle >= size {
		// A hole could hold the block, and the runtime zeroes reused
		// memory: make it larger than every hole so it is fresh.
		size = idle + uint64(n)
	}
	if c := physMem() / 4; c > 0 && size > c {
		// One mapping this large could fail the kernel's overcommit
		// check, which the runtime does not survive.
		if c < uint64(n) {
			return
		}
		size = c
	}
	size = (size + huge - 1) &^ (huge - 1)
	b := make([]byte, size)
	sink = b
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	start := p &^ (huge - 1)
	if st.hi == 0 {
		// From the heap's first arena: what is allocated below the block
		// is counted in use too.
		start = min(start, uintptr(unsafe.Pointer(new([16]byte)))&^(64<<20-1))
	}
	end := (p + uintptr(size)) &^ (huge - 1)
	if st.hi == 0 || start < st.lo {
		st.lo = start
	}
	st.hi = max(st.hi, end)
	advise(st.lo, st.hi-st.lo)
	st.pending, st.pendingC = size, cycles
	sink = nil
}

// setup reads the environment and readies the samples, once; st is locked.
func setup() {
	st.once.Do(func() {
		st.off = os.Getenv("GODASK_HUGEPAGES") == "0"
		st.samples = make([]metrics.Sample, len(names))
		for i, nm := range names {
			st.samples[i].Name = nm
		}
	})
}

// Advise advises the heap from its lowest address seen so far up to the
// end of the n bytes at p, a large buffer the caller just allocated and has
// not yet touched: the buffer (when fresh: the runtime does not zero fresh
// memory) and every heap mapping below it, so that memory the runtime
// reuses there later, once the scavenger has returned it to the kernel,
// comes back in huge pages too. Small buffers are left alone.
func Advise(p unsafe.Pointer, n int) {
	if !supported || n < minAdvise {
		return
	}
	st.Lock()
	defer st.Unlock()
	if setup(); st.off {
		return
	}
	start := uintptr(p) &^ (64<<20 - 1)
	end := (uintptr(p) + uintptr(n)) &^ (huge - 1)
	if st.hi == 0 || start < st.lo {
		st.lo = start
	}
	st.hi = max(st.hi, end)
	if st.hi > st.lo {
		advise(st.lo, st.hi-st.lo)
	}
}

// minAdvise is the smallest buffer Advise acts on.
const minAdvise = 4 << 20

// sink holds the block while its address is taken, so that it is
// allocated on the heap whatever the compiler sees.
var sink []byte
