package sched

import (
	"context"
	"runtime"
	"time"
)

type runInfoKey struct{}

// runInfo is what a run tells its tasks through their context: where to
// send warnings and how much memory each running task may use.
type runInfo struct {
	obs     Observer
	limit   int64 // the run's memory limit (DefaultMemoryLimit when unset; <0: none)
	workers int
}

// withRun returns ctx carrying the run's observer and memory budget, for
// Warn and TaskMemory.
func withRun(ctx context.Context, job *Job) context.Context {
	w := job.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	l := job.MemoryLimit
	if l == 0 {
		l = DefaultMemoryLimit()
	}
	return context.WithValue(ctx, runInfoKey{}, &runInfo{obs: job.Observer, limit: l, workers: w})
}

// Warn reports a Warning event (msg, and detail for observers that know its
// type) to the observers of the run whose task is running with ctx. Ops call
// it from Run; without observers (or outside a run) it does nothing. It is
// safe for concurrent use. An executor in another process delivers warnings
// only if it forwards them (the local executor and Loopback do).
func Warn(ctx context.Context, msg string, detail any) {
	if ri, ok := ctx.Value(runInfoKey{}).(*runInfo); ok && ri.obs != nil {
		ri.obs.Observe(Event{Kind: Warning, Time: time.Now(), Msg: msg, Detail: detail})
	}
}

// TaskMemory returns the memory one task of the run may use for its own
// working memory: the run's memory limit shared by its workers, and whether
// the run has a limit at all (outside a run, or with spilling turned off,
// it returns 0, false). Readers use it to warn when a partition cannot fit.
func TaskMemory(ctx context.Context) (int64, bool) {
	ri, ok := ctx.Value(runInfoKey{}).(*runInfo)
	if !ok || ri.limit <= 0 {
		return 0, false
	}
	return ri.limit / int64(ri.workers), true
}
