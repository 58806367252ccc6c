package sched

import (
	"sync/atomic"
	"time"
)

// Timing tasks for observers. A clock reading costs 60–200 ns on a virtual
// machine, a fifth of a trivial task, so a worker reads it only when it
// matters: every task longer than shortTask is timed exactly (start and end),
// while a run of shorter tasks is sampled, one in sampleEvery timed and the
// others given the latest measured duration. A coarse clock (a counter the
// run's ticker advances every millisecond) catches a task that turns out
// long, or a worker that waited, in the middle of such a run: it is then
// timed exactly again. Runs without an observer read no clock at all.
const (
	shortTask   = 20 * time.Microsecond
	sampleEvery = 16
	coarseTick  = time.Millisecond
)

// taskClock is one worker's clock state; only that worker touches it.
type taskClock struct {
	last    time.Time     // the latest end, measured or estimated
	est     time.Duration // the latest measured duration
	n       int           // tasks since the last exact reading
	tick    int64         // the coarse clock when the task began
	exact   bool          // this task's start was read
	started bool
}

// begin returns the start time of the worker's next task.
func (c *taskClock) begin(coarse *atomic.Int64) time.Time {
	t := coarse.Load()
	c.exact = !c.started || c.est >= shortTask || c.n >= sampleEvery || t-c.tick >= 2
	c.tick = t
	if c.exact {
		c.last = time.Now()
		c.started = true
	}
	return c.last
}

// end returns the task's end time and duration.
func (c *taskClock) end(start time.Time, coarse *atomic.Int64) (time.Time, time.Duration) {
	if c.exact || coarse.Load()-c.tick >= 2 {
		now := time.Now()
		d := now.Sub(start)
		c.last, c.est, c.n = now, d, 0
		return now, d
	}
	c.n++
	c.last = start.Add(c.est)
	return c.last, c.est
}

// runCoarseClock advances the coarse clock every millisecond until quit.
func runCoarseClock(clock *atomic.Int64, quit <-chan struct{}) {
	t := time.NewTicker(coarseTick)
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-t.C:
			clock.Add(1)
		}
	}
}
