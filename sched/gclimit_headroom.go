package sched

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The garbage headroom of a run.
//
// Go's collector lets the heap grow to twice the data live at the last
// collection (GOGC=100) before collecting again. A program that holds a large
// persisted dataset (frame.Persist of a 1.5 GB table) therefore lets every
// later run pile up 1.5 GB of garbage before the first collection: the peak
// RSS of a run over persisted data is twice the data, and every buffer the
// run allocates lands on fresh pages the kernel must fault in and zero.
//
// So while runs hold the soft limit (holdRuntimeLimit), the limit is also
// capped, after every collection, at the live heap plus a headroom that is
// proportional to what the runs themselves added since the first of them
// began (the data held before it, persisted tables, gets no headroom): the
// collector's own rule applied to the runs' data, with a floor so that small
// runs do not collect all the time. The cap only ever bounds the garbage: it
// is recomputed after each collection from the new live heap, so a run whose
// live data grows past it gets a higher cap at the next collection instead
// of a collector that never stops.
const headroomShare = 0.5 // times the runs' own live bytes

// headroomFloor is the garbage always allowed (a variable for tests; 0
// turns the cap off).
var headroomFloor int64 = 256 << 20

// headroomCap is the heap allowed with live bytes now live, base bytes live
// when the first run began (the soft limit adds the runtime's overhead).
func headroomCap(live, base int64) int64 {
	own := max(live-base, 0)
	return live + max(headroomFloor, int64(float64(own)*headroomShare))
}

var memSamples = []metrics.Sample{
	{Name: "/gc/heap/live:bytes"},
	{Name: "/memory/classes/total:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/memory/classes/heap/free:bytes"},
}

// heapLive is the heap marked live by the last collection (0 before any).
// It is called with rtLimit held, which guards memSamples.
func heapLive() int64 {
	live, _ := memNow()
	return live
}

// memNow returns the live heap of the last collection and the runtime's
// memory that is neither heap objects nor free heap pages (span
// fragmentation, metadata, stacks): the part of what the soft limit counts
// that garbage collection does not reduce. rtLimit must be held.
func memNow() (live, overhead int64) {
	metrics.Read(memSamples)
	v := make([]int64, len(memSamples))
	for i, s := range memSamples {
		if s.Value.Kind() == metrics.KindUint64 {
			v[i] = int64(s.Value.Uint64())
		}
	}
	return v[0], max(v[1]-v[2]-v[3]-v[4], 0)
}

// applyLimitLocked sets the runtime soft limit to the largest run's limit,
// capped by the headroom rule. rtLimit must be held and runs > 0.
func applyLimitLocked() {
	lim := maxOf(rtLimit.limits)
	if live, overhead := memNow(); live > 0 && headroomFloor > 0 {
		lim = min(lim, max(headroomCap(live, rtLimit.base)+overhead, runtimeFloorOf(lim)))
	}
	debug.SetMemoryLimit(lim)
}

// runtimeFloorOf keeps the cap from going under a small fixed floor (the
// runtime needs some room for its own structures and stacks).
func runtimeFloorOf(lim int64) int64 { return min(lim, 64<<20) }

// gcSentinel is an object whose finalizer runs after each collection while
// runs hold the limit; it re-applies the cap from the new live heap and arms
// a new sentinel for the next collection.
type gcSentinel struct{ gen uint64 }

// armSentinelLocked arms the sentinel of the current generation. rtLimit
// must be held.
func armSentinelLocked() {
	s := &gcSentinel{gen: rtLimit.gen}
	runtime.SetFinalizer(s, onCollection)
}

func onCollection(s *gcSentinel) {
	rtLimit.Lock()
	defer rtLimit.Unlock()
	if rtLimit.runs == 0 || s.gen != rtLimit.gen {
		return // the runs ended (or a newer generation is armed)
	}
	applyLimitLocked()
	armSentinelLocked()
}

// HoldRuntimeLimit applies, to work a collection does in its caller's
// goroutines right after a run (frame.Persist encodes the persisted
// partitions' string columns), the Go soft memory limit and garbage cap that
// a local run with opts holds while it goes, so that such work does not let
// the collector double the heap the run has just left behind. It returns the
// function that releases it; with a negative WithMemoryLimit (no memory
// manager) it does nothing.
func HoldRuntimeLimit(opts ...Option) (release func()) {
	limit := NewConfig(opts...).MemoryLimit
	if limit == 0 {
		limit = DefaultMemoryLimit()
	}
	if limit < 0 {
		return func() {}
	}
	return holdRuntimeLimit(limit)
}
