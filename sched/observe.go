package sched

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godask/godask/graph"
)

// EventKind says what an Event reports.
type EventKind uint8

// The kinds of events an Observer receives.
const (
	// JobStarted opens a run; Event.Total is the number of tasks.
	JobStarted EventKind = iota
	// TaskStarted: a worker began Event.Key.
	TaskStarted
	// TaskFinished: Event.Key computed, in Event.Duration.
	TaskFinished
	// TaskFailed: Event.Key failed with Event.Err.
	TaskFailed
	// JobFinished closes a run; Event.Err is its error, if any, and
	// Event.Bytes the most bytes of values held in memory at once.
	JobFinished
	// ValueSpilled: Event.Key's value, Event.Bytes of it, went to disk.
	ValueSpilled
	// ValueLoaded: Event.Key's value came back from disk.
	ValueLoaded
	// RootsHeld: memory passed the pause level (Event.Bytes held) and new
	// root tasks wait for consumers to catch up.
	RootsHeld
	// PartLoaded: part Event.Part of Event.Key's spilled value was read
	// back alone, Event.Bytes of it, for a task reading only that part
	// (see graph.PartReader).
	PartLoaded
	// MemorySampled: a sample, every 100 ms while a run with an observer
	// lasts, of Event.Bytes held in memory, Event.Spilled on disk and the
	// run's Event.Limit (0 when unlimited; then Bytes is the Go heap's live
	// objects).
	MemorySampled
	// Warning: a task reports something the user should know that is not
	// an error, in Event.Msg (for example rows a reader skipped, or a task
	// whose working memory cannot fit the memory limit), with a structured
	// Event.Detail where the reporter has one. See Warn.
	Warning
)

func (k EventKind) String() string {
	switch k {
	case JobStarted:
		return "job-started"
	case TaskStarted:
		return "task-started"
	case TaskFinished:
		return "task-finished"
	case TaskFailed:
		return "task-failed"
	case JobFinished:
		return "job-finished"
	case ValueSpilled:
		return "value-spilled"
	case ValueLoaded:
		return "value-loaded"
	case RootsHeld:
		return "roots-held"
	case PartLoaded:
		return "part-loaded"
	case MemorySampled:
		return "memory-sampled"
	case Warning:
		return "warning"
	}
	return fmt.Sprintf("event(%d)", k)
}

// Event is one progress event of a run.
type Event struct {
	Kind EventKind
	Key  graph.Key // the task, for task events
	// Index is the task's position in Job.Graph.Tasks(), for task events
	// and ValueSpilled, ValueLoaded and PartLoaded.
	Index  int
	Label  string // the task's op label, for task events
	Worker int    // the worker that ran the task
	Time   time.Time
	// Duration is how long the task ran, for TaskFinished/TaskFailed. Tasks
	// under 20 µs are timed one in 16 (the others carry the latest measured
	// duration), to keep clock readings off the hot path; longer tasks are
	// timed exactly.
	Duration time.Duration
	Total    int   // tasks in the run, for JobStarted
	Bytes    int64 // for ValueSpilled, ValueLoaded, PartLoaded, RootsHeld and JobFinished
	Part     int   // for PartLoaded
	Err      error // for TaskFailed and JobFinished
	// Written and Read are, for JobFinished, the bytes written to spill
	// files and read back from them.
	Written, Read int64
	// Spilled and Limit are, for MemorySampled, the bytes on disk and the
	// run's memory limit.
	Spilled, Limit int64
	// Msg and Detail are, for Warning, the message and what the reporter
	// attached (its own type; nil if none).
	Msg    string
	Detail any
}

// Observer receives a run's events. Events of one task arrive in order, but
// Observe is called from every worker at once: implementations must be safe
// for concurrent use and quick, since they run on the workers.
type Observer interface{ Observe(Event) }

// TaskDone is one finished task, as a TaskBatcher receives it.
type TaskDone struct {
	Index    int32         // the task's position in Job.Graph.Tasks()
	End      int64         // when it ended, as time.Time.UnixNano
	Duration time.Duration // how long it ran (sampled as Event.Duration is)
}

// TaskBatcher is an optional interface of an Observer, discovered by type
// assertion (as database/sql/driver's optional interfaces are). An observer
// implementing it gets, instead of TaskStarted and TaskFinished events (the
// local executor builds no Event for them), a TaskBegan call per task and
// each worker's finished tasks in batches: a worker keeps up to 64 of them
// and hands them over when the buffer fills, after a task of 20 µs or more,
// when its oldest entry is a couple of milliseconds old, before the worker
// parks and when it stops, so a run's every task is delivered before its
// JobFinished event on success. All other events still go to Observe,
// TaskFailed after the failing worker's batch. TasksDone must not keep
// done, which the worker reuses. This is what keeps the dashboard cheap: a
// few nanoseconds per task instead of two Events. A multi-observer (several
// observers on one run) falls back to Observe for every event.
type TaskBatcher interface {
	Observer
	// TaskBegan: worker began the task at position index.
	TaskBegan(index, worker int)
	// TasksDone: worker finished these tasks, in order.
	TasksDone(worker int, done []TaskDone)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Event)

// Observe implements Observer.
func (f ObserverFunc) Observe(e Event) { f(e) }

type multiObserver []Observer

func (m multiObserver) Observe(e Event) {
	for _, o := range m {
		o.Observe(e)
	}
}

// batchObservers is several observers that all implement TaskBatcher: the
// run keeps its batched path.
type batchObservers []TaskBatcher

func (m batchObservers) Observe(e Event) {
	for _, o := range m {
		o.Observe(e)
	}
}

func (m batchObservers) TaskBegan(i, worker int) {
	for _, o := range m {
		o.TaskBegan(i, worker)
	}
}

func (m batchObservers) TasksDone(worker int, done []TaskDone) {
	for _, o := range m {
		o.TasksDone(worker, done)
	}
}

// combine returns one observer for obs: nil, the one, or a fan-out that
// keeps the batched path when every one of them is a TaskBatcher.
func combine(obs []Observer) Observer {
	switch len(obs) {
	case 0:
		return nil
	case 1:
		return obs[0]
	}
	bs := make(batchObservers, 0, len(obs))
	for _, o := range obs {
		b, ok := o.(TaskBatcher)
		if !ok {
			return multiObserver(obs)
		}
		bs = append(bs, b)
	}
	return bs
}

// Progress is an Observer that draws a progress bar on a terminal:
// "[#####     ] 52% 104/200 tasks 1.2s". It draws nothing for runs shorter
// than its delay, redraws every 100 ms, and finishes the line at the end.
type Progress struct {
	w     io.Writer
	delay time.Duration

	total, done atomic.Int64
	mu          sync.Mutex
	start       time.Time
	stop        chan struct{}
	wg          sync.WaitGroup
	drawn       bool
}

// NewProgress returns a progress bar writing to w that appears once a run has
// lasted delay.
func NewProgress(w io.Writer, delay time.Duration) *Progress {
	return &Progress{w: w, delay: delay}
}

// TaskBegan implements TaskBatcher.
func (p *Progress) TaskBegan(int, int) {}

// TasksDone implements TaskBatcher: the bar counts them.
func (p *Progress) TasksDone(_ int, done []TaskDone) { p.done.Add(int64(len(done))) }

// Observe implements Observer.
func (p *Progress) Observe(e Event) {
	switch e.Kind {
	case JobStarted:
		p.mu.Lock()
		p.total.Store(int64(e.Total))
		p.done.Store(0)
		p.start = time.Now()
		p.drawn = false
		p.stop = make(chan struct{})
		stop := p.stop
		p.wg.Add(1)
		p.mu.Unlock()
		go p.loop(stop)
	case TaskFinished:
		p.done.Add(1)
	case JobFinished:
		p.mu.Lock()
		if p.stop != nil {
			close(p.stop)
			p.stop = nil
		}
		p.mu.Unlock()
		p.wg.Wait()
		p.mu.Lock()
		if p.drawn {
			p.draw(e.Err)
			fmt.Fprintln(p.w)
		}
		p.mu.Unlock()
	}
}

func (p *Progress) loop(stop chan struct{}) {
	defer p.wg.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.mu.Lock()
			if time.Since(p.start) >= p.delay {
				p.draw(nil)
				p.drawn = true
			}
			p.mu.Unlock()
		}
	}
}

func (p *Progress) draw(err error) {
	total, done := p.total.Load(), p.done.Load()
	frac := 1.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	const width = 40
	n := int(frac * width)
	status := ""
	if err != nil {
		status = " failed"
	}
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %d/%d tasks %.1fs%s", strings.Repeat("#", n), strings.Repeat(" ", width-n),
		100*frac, done, total, time.Since(p.start).Seconds(), status)
}

// stderrIsTerminal reports whether stderr is a character device, the signal
// to show a progress bar by default.
func stderrIsTerminal() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
