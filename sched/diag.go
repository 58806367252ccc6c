package sched

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/godask/godask/internal/dash"
)

// A Watcher is told of every run in the process before it starts (see
// Watch) and returns the observer of that run's events, or nil to skip it.
// sched/dashboard's Serve is one.
type Watcher interface {
	WatchRun(job *Job) Observer
}

var (
	watchMu  sync.RWMutex
	watchers []*Watcher // pointers, so that stop removes exactly its own
)

// Watch makes w a watcher of every later run of the process (every Compute,
// Persist and Run) until the returned stop is called.
func Watch(w Watcher) (stop func()) {
	p := &w
	watchMu.Lock()
	watchers = append(watchers[:len(watchers):len(watchers)], p)
	watchMu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			watchMu.Lock()
			defer watchMu.Unlock()
			out := make([]*Watcher, 0, len(watchers))
			for _, q := range watchers {
				if q != p {
					out = append(out, q)
				}
			}
			watchers = out
		})
	}
}

// WithDashboard serves a live dashboard of this run on addr ("" or ":0" for
// a free loopback port; a port alone binds 127.0.0.1) and prints its URL,
// with the token every request needs, to stderr before the run starts
// (WithDashboardOutput chooses where). The server closes when the run ends,
// after telling open pages so. A dashboard that cannot start (port in use,
// bad address) is reported on that writer and the run goes on without it.
// For a dashboard of every run of a process, see sched/dashboard.Serve.
func WithDashboard(addr string) Option {
	return func(c *Config) { c.dashAddr, c.dashSet = addr, true }
}

// WithDashboardOutput sets where WithDashboard and WithReport print their
// URL, path and problems (default os.Stderr).
func WithDashboardOutput(w io.Writer) Option { return func(c *Config) { c.diagOut = w } }

// WithReport writes, after the run (whether it succeeds or fails), one
// self-contained HTML file at path: the task stream, the time per op, memory
// over time, and the run's graph (or its summary by op), viewable offline.
// A report that cannot be written is reported on stderr (see
// WithDashboardOutput); the run's result is unchanged.
func WithReport(path string) Option { return func(c *Config) { c.reportPath = path } }

// diagnose attaches the process watchers, the dashboard and the report to
// job, and returns what to do when the run has ended.
func (c *Config) diagnose(job *Job) (done func()) {
	watchMu.RLock()
	ws := watchers
	watchMu.RUnlock()
	if len(ws) == 0 && !c.dashSet && c.reportPath == "" {
		return func() {}
	}
	out := c.diagOut
	if out == nil {
		out = os.Stderr
	}
	var obs []Observer
	if job.Observer != nil {
		obs = append(obs, job.Observer)
	}
	for _, w := range ws {
		if o := (*w).WatchRun(job); o != nil {
			obs = append(obs, o)
		}
	}
	var hub *dash.Hub
	var srv *dash.Server
	if c.dashSet || c.reportPath != "" {
		hub = dash.NewHub(200000)
		hub.Start()
		obs = append(obs, RunObserver(hub, job))
	}
	if c.dashSet {
		var err error
		srv, err = dash.Listen(c.dashAddr, hub, dash.Options{})
		if err != nil {
			fmt.Fprintf(out, "godask: no dashboard for this run: %v\n", err)
		} else {
			fmt.Fprintf(out, "godask dashboard: %s\n", srv.URL())
		}
	}
	job.Observer = combine(obs)
	return func() {
		if hub == nil {
			return
		}
		hub.Stop()
		if srv != nil {
			srv.Close()
		}
		if c.reportPath != "" {
			if err := dash.WriteReport(c.reportPath, hub); err != nil {
				fmt.Fprintf(out, "godask: %v\n", err)
			} else {
				fmt.Fprintf(out, "godask report: %s\n", c.reportPath)
			}
		}
	}
}

// RunObserver is the observer that feeds one run's events to hub (the
// dashboard's aggregator); sched/dashboard uses it.
func RunObserver(hub *dash.Hub, job *Job) Observer {
	limit := job.MemoryLimit
	if limit == 0 {
		limit = DefaultMemoryLimit()
	}
	if limit < 0 {
		limit = 0
	}
	return &dashObserver{r: hub.StartRun(job.Graph, job.Outputs, workers(job.Workers), limit)}
}

// dashObserver turns events into calls on a dash.Run: no allocation, no
// shared lock on the task path.
type dashObserver struct{ r *dash.Run }

// TaskBegan implements TaskBatcher.
func (o *dashObserver) TaskBegan(i, worker int) { o.r.Started(i, worker, time.Time{}) }

// TasksDone implements TaskBatcher.
func (o *dashObserver) TasksDone(worker int, done []TaskDone) {
	o.r.FinishedBatch(worker, len(done), func(k int) (int, int64, time.Duration) {
		d := &done[k]
		return int(d.Index), d.End, d.Duration
	})
}

func (o *dashObserver) Observe(e Event) {
	switch e.Kind {
	case TaskStarted:
		o.r.Started(e.Index, e.Worker, e.Time)
	case TaskFinished:
		o.r.Finished(e.Index, e.Worker, e.Time, e.Duration)
	case TaskFailed:
		var stack []byte
		var pe *PanicError
		if errors.As(e.Err, &pe) {
			stack = pe.Stack
		}
		o.r.Failed(e.Index, e.Worker, e.Key, e.Label, e.Time, e.Duration, e.Err, stack)
	case ValueSpilled:
		o.r.Mark("spill", e.Index, e.Bytes, e.Time)
	case ValueLoaded:
		o.r.Mark("load", e.Index, e.Bytes, e.Time)
	case PartLoaded:
		o.r.Mark("part", e.Index, e.Bytes, e.Time)
	case MemorySampled:
		o.r.Memory(e.Bytes, e.Spilled, e.Limit, e.Time)
	case JobFinished:
		o.r.End(e.Err, e.Bytes, e.Written, e.Read, e.Time)
	}
}
