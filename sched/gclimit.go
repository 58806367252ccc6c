package sched

import (
	"math"
	"runtime/debug"
	"sync"
)

// The Go runtime's soft memory limit during runs.
//
// The memory manager accounts the values between tasks, not the garbage the
// collector has yet to reclaim. With no soft limit the runtime lets the heap
// grow to twice the live data (GOGC=100), so a run holding 10 GB of values
// can reach 20 GB of RSS and be killed on a machine the default limit was
// chosen to fit. So while a run with a memory manager is going, and only when
// the program has set no soft limit itself (GOMEMLIMIT or
// debug.SetMemoryLimit), the runtime's soft limit is runtimeFactor times the
// run's memory limit, at least runtimeFloor and at most runtimeCeiling of
// physical memory, and capped after each collection so that the garbage
// allowed is in proportion to the runs' own data, not to data held before
// them (gclimit_headroom.go). Concurrent runs share it (the largest wins)
// and the last to finish restores the program's setting.
const (
	runtimeFactor  = 1.15
	runtimeFloor   = 1 << 30
	runtimeCeiling = 0.8
)

var rtLimit struct {
	sync.Mutex
	runs   int   // runs holding the soft limit set here
	prev   int64 // the program's setting before the first of them
	limits []int64
	base   int64  // live heap when the first of them began (gclimit_headroom.go)
	gen    uint64 // counts the spans of held limits; a sentinel serves one
}

// holdRuntimeLimit applies the soft limit for a run with the given memory
// limit and returns the function that releases it.
func holdRuntimeLimit(limit int64) (release func()) {
	soft := softLimit(limit)
	rtLimit.Lock()
	defer rtLimit.Unlock()
	if rtLimit.runs == 0 {
		cur := debug.SetMemoryLimit(-1)
		if cur != math.MaxInt64 {
			return func() {} // the program chose its own
		}
		rtLimit.prev = cur
		rtLimit.base = heapLive()
		rtLimit.gen++
		armSentinelLocked()
	}
	rtLimit.runs++
	rtLimit.limits = append(rtLimit.limits, soft)
	applyLimitLocked()
	return func() {
		rtLimit.Lock()
		defer rtLimit.Unlock()
		for i, l := range rtLimit.limits {
			if l == soft {
				rtLimit.limits = append(rtLimit.limits[:i], rtLimit.limits[i+1:]...)
				break
			}
		}
		rtLimit.runs--
		if rtLimit.runs == 0 {
			rtLimit.gen++
			debug.SetMemoryLimit(rtLimit.prev)
			return
		}
		applyLimitLocked()
	}
}

// softLimit is the runtime soft limit for a run with the given memory limit.
func softLimit(limit int64) int64 {
	soft := max(int64(float64(limit)*runtimeFactor), runtimeFloor)
	if p := PhysicalMemory(); p > 0 {
		soft = min(soft, int64(float64(p)*runtimeCeiling))
	}
	return soft
}

func maxOf(xs []int64) int64 {
	m := xs[0]
	for _, x := range xs[1:] {
		m = max(m, x)
	}
	return m
}
