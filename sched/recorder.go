package sched

import (
	"sync"

	"github.com/godask/godask/graph"
)

// TaskRecorder is an Observer that keeps, for each task a run finished, how
// long it ran and its place in the order tasks finished, for
// graph.VisualizeWith's "duration" and "order" colours:
//
//	rec := sched.NewTaskRecorder()
//	sched.Run(ctx, g, outs, sched.WithObserver(rec), sched.WithoutFusion())
//	graph.VisualizeWith(g, "order.svg", graph.DOTOptions{Color: "order", Stats: rec.Stats()})
//
// It holds one entry per task: for very large graphs, prefer the dashboard.
// A new run (JobStarted) starts a new record.
type TaskRecorder struct {
	mu    sync.Mutex
	stats map[graph.Key]graph.TaskStat
	n     int
}

// NewTaskRecorder returns an empty recorder.
func NewTaskRecorder() *TaskRecorder { return &TaskRecorder{stats: map[graph.Key]graph.TaskStat{}} }

// Observe implements Observer.
func (r *TaskRecorder) Observe(e Event) {
	switch e.Kind {
	case JobStarted:
		r.mu.Lock()
		r.stats, r.n = make(map[graph.Key]graph.TaskStat, e.Total), 0
		r.mu.Unlock()
	case TaskFinished:
		r.mu.Lock()
		r.stats[e.Key] = graph.TaskStat{Duration: e.Duration, Order: r.n}
		r.n++
		r.mu.Unlock()
	}
}

// Stats returns a copy of what the latest run recorded, by key.
func (r *TaskRecorder) Stats() map[graph.Key]graph.TaskStat {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[graph.Key]graph.TaskStat, len(r.stats))
	for k, v := range r.stats {
		out[k] = v
	}
	return out
}
