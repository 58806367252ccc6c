package sched

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/godask/godask/graph"
)

// Collection is anything that lowers to a task graph: an array, a frame, a
// delayed value. Graph returns the tasks (or the collection's sticky error);
// Keys names the values that make up the collection.
type Collection interface {
	Graph() (*graph.Graph, error)
	Keys() []graph.Key
}

// Finalizer is implemented by collections that assemble their computed key
// values into one result (blocks into a dense array, partitions into a table).
// Compute returns Finalize's result; for other collections it returns the
// []any of key values.
type Finalizer interface {
	Finalize(vals []any) (any, error)
}

// Persister is implemented by collections that can be rebuilt on computed
// values: Persisted returns the same collection, with the same keys, whose
// tasks now just hold vals.
type Persister interface {
	Persisted(vals []any) Collection
}

// Option configures one Compute, Persist or Run call.
type Option func(*Config)

// Config is what the options set. The zero Config runs on the default
// executor with GOMAXPROCS workers, fusion on, and a progress bar on stderr
// after a second when stderr is a terminal.
type Config struct {
	Executor      Executor
	Workers       int
	Observers     []Observer
	NoFuse        bool
	MemoryLimit   int64
	SpillDir      string
	progress      io.Writer
	progressSet   bool
	progressDelay time.Duration
	dashAddr      string
	dashSet       bool
	reportPath    string
	diagOut       io.Writer
}

// WithExecutor runs the call on e instead of the default executor.
func WithExecutor(e Executor) Option { return func(c *Config) { c.Executor = e } }

// WithWorkers sets how many tasks run at once (default GOMAXPROCS).
func WithWorkers(n int) Option { return func(c *Config) { c.Workers = n } }

// WithObserver adds an observer of the run's events.
func WithObserver(o Observer) Option {
	return func(c *Config) { c.Observers = append(c.Observers, o) }
}

// WithProgress draws a progress bar on w (nil: none) for runs that last more
// than half a second. Without this option a bar is drawn on stderr, after one
// second, when stderr is a terminal.
func WithProgress(w io.Writer) Option {
	return func(c *Config) { c.progress, c.progressSet, c.progressDelay = w, true, 500*time.Millisecond }
}

// WithMemoryLimit bounds the bytes of intermediate values the run holds in
// memory (see Job.MemoryLimit): past 60% of it the least recently used values
// spill to disk, past 80% new root tasks wait. The default is
// DefaultMemoryLimit(); a negative limit turns spilling off. When the program
// has set no Go soft memory limit (GOMEMLIMIT, debug.SetMemoryLimit), the
// local executor sets one for the duration of the run, 1.15 times this limit
// (at least 1 GiB, at most 80% of physical memory), so that garbage not yet
// collected cannot double the heap past what the machine has.
func WithMemoryLimit(bytes int64) Option { return func(c *Config) { c.MemoryLimit = bytes } }

// WithSpillDir sets the directory under which a run creates its spill
// directory (default os.TempDir()). The run removes what it created on
// success, failure and cancellation.
func WithSpillDir(dir string) Option { return func(c *Config) { c.SpillDir = dir } }

// WithoutFusion keeps every task as built (for debugging and visualizing).
func WithoutFusion() Option { return func(c *Config) { c.NoFuse = true } }

// NewConfig applies opts to the zero Config.
func NewConfig(opts ...Option) *Config {
	c := &Config{}
	for _, o := range opts {
		o(c)
	}
	return c
}

func (c *Config) observer() Observer {
	obs := c.Observers
	switch {
	case c.progressSet && c.progress != nil:
		obs = append(obs[:len(obs):len(obs)], NewProgress(c.progress, c.progressDelay))
	case !c.progressSet && stderrIsTerminal():
		obs = append(obs[:len(obs):len(obs)], NewProgress(os.Stderr, time.Second))
	}
	return combine(obs)
}

// Run computes the values of outputs in g: it culls g to what they need,
// fuses linear chains, orders the tasks and runs them on the configured
// executor. Errors name the keys involved (missing, cyclic or failing tasks).
func Run(ctx context.Context, g *graph.Graph, outputs []graph.Key, opts ...Option) ([]any, error) {
	return NewConfig(opts...).Run(ctx, g, outputs)
}

// Run is Run with this configuration.
func (c *Config) Run(ctx context.Context, g *graph.Graph, outputs []graph.Key) ([]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g, err := graph.Cull(g, outputs)
	if err != nil {
		return nil, err
	}
	if !c.NoFuse {
		if g, err = graph.Fuse(g, outputs); err != nil {
			return nil, err
		}
	}
	prio, err := graph.Order(g, outputs)
	if err != nil {
		return nil, err
	}
	e := c.Executor
	if e == nil {
		e = Default()
	}
	job := &Job{Graph: g, Outputs: outputs, Priority: prio, Workers: c.Workers, Observer: c.observer(),
		MemoryLimit: c.MemoryLimit, SpillDir: c.SpillDir}
	defer c.diagnose(job)()
	return e.Run(withRun(ctx, job), job)
}

// Compute computes several collections in one run, so the work they share
// (the same keys) is done once, and returns one result per collection: its
// Finalize result, or the []any of its key values.
func Compute(ctx context.Context, colls []Collection, opts ...Option) ([]any, error) {
	colls = share(colls)
	vals, err := NewConfig(opts...).computeKeys(ctx, colls)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(colls))
	for i, c := range colls {
		if f, ok := c.(Finalizer); ok {
			if out[i], err = f.Finalize(vals[i]); err != nil {
				return nil, err
			}
		} else {
			out[i] = vals[i]
		}
	}
	return out, nil
}

// Persist computes several collections in one run and returns each rebuilt on
// its computed values (see Persister), so later computations on them start
// from memory. Every collection must implement Persister.
func Persist(ctx context.Context, colls []Collection, opts ...Option) ([]Collection, error) {
	for i, c := range colls {
		if c == nil {
			return nil, fmt.Errorf("sched: persist: collection %d is nil", i)
		}
		if _, ok := c.(Persister); !ok {
			return nil, fmt.Errorf("sched: persist: collection %d (%T) cannot be persisted", i, c)
		}
	}
	colls = share(colls)
	vals, err := NewConfig(opts...).computeKeys(ctx, colls)
	if err != nil {
		return nil, err
	}
	out := make([]Collection, len(colls))
	for i, c := range colls {
		out[i] = c.(Persister).Persisted(vals[i])
	}
	return out, nil
}

// Sharer is implemented by collections that can rewrite several
// collections computed together so that they share work their graphs alone
// do not show: frames reading the same CSV or JSON ranges parse each range
// once for the union of their columns (frame.Frame.ShareWith). ShareWith
// returns collections giving the same results, in the same order. Compute
// and Persist call the ShareWith of the first collection that has one when
// two or more collections are computed together.
type Sharer interface {
	ShareWith(colls []Collection) []Collection
}

// share applies the first Sharer of colls (see Sharer).
func share(colls []Collection) []Collection {
	if len(colls) < 2 {
		return colls
	}
	for _, c := range colls {
		if s, ok := c.(Sharer); ok && s != nil {
			return s.ShareWith(colls)
		}
	}
	return colls
}

// MemoryPlanner is implemented by collections whose tasks are sized by the
// memory a run allows (frames cut their CSV and JSON files into ranges that
// a worker's share of the limit can parse). Compute and Persist call
// PlanMemory with the run's memory limit (WithMemoryLimit, else
// DefaultMemoryLimit) and worker count before they ask for the graph; they
// do not call it for a run without a limit.
type MemoryPlanner interface {
	PlanMemory(limit int64, workers int)
}

// planMemory tells the collections that plan by it the run's memory limit.
func (c *Config) planMemory(colls []Collection) {
	limit := c.MemoryLimit
	if limit == 0 {
		limit = DefaultMemoryLimit()
	}
	if limit < 0 {
		return
	}
	w := c.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	for _, col := range colls {
		if p, ok := col.(MemoryPlanner); ok && p != nil {
			p.PlanMemory(limit, w)
		}
	}
}

// computeKeys merges the collections' graphs, runs them once, and splits the
// values back per collection.
func (c *Config) computeKeys(ctx context.Context, colls []Collection) ([][]any, error) {
	var g *graph.Graph
	var outputs []graph.Key
	for i, col := range colls {
		if col == nil {
			return nil, fmt.Errorf("sched: compute: collection %d is nil", i)
		}
	}
	c.planMemory(colls)
	for i, col := range colls {
		cg, err := col.Graph()
		if err != nil {
			return nil, err
		}
		if i == 0 {
			g = cg
		} else {
			if i == 1 {
				merged := graph.New(g.Tasks()...)
				g = merged
			}
			g.Merge(cg)
		}
		outputs = append(outputs, col.Keys()...)
	}
	if g == nil {
		g = &graph.Graph{}
	}
	vals, err := c.Run(ctx, g, outputs)
	if err != nil {
		return nil, err
	}
	out := make([][]any, len(colls))
	for i, col := range colls {
		n := len(col.Keys())
		out[i], vals = vals[:n:n], vals[n:]
	}
	return out, nil
}

// PersistGraph returns a graph holding vals as constants under keys, the
// building block of Persister implementations.
func PersistGraph(keys []graph.Key, vals []any) *graph.Graph {
	g := &graph.Graph{}
	for i, k := range keys {
		g.Add(graph.ConstTask(k, vals[i]))
	}
	return g
}
