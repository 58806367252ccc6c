package graph

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Op is what a task does. An op has a registered name (see Register) and
// parameters that encode to bytes, so that a process running the same binary
// can rebuild it with Decode; Run computes the task's value from the values of
// its dependencies, in the order of Task.Deps.
//
// Run must not keep the inputs slice after it returns (executors reuse it) and
// must not modify the input values: a value may be read by several tasks.
type Op interface {
	// Name is the name the op's decoder is registered under.
	Name() string
	// Params encodes the op's parameters; Decode(Name(), Params()) rebuilds it.
	Params() ([]byte, error)
	// Run computes the value.
	Run(ctx context.Context, inputs []any) (any, error)
}

// Labeler is implemented by ops that want a display name for their keys and
// for DOT output other than their registered name (a delayed call shows the
// function's name).
type Labeler interface{ Label() string }

// Shipper is implemented by ops that can be built locally but cannot always
// cross a process boundary (a call of an unregistered Go function). Ship
// returns an error naming what is missing; EncodeTask calls it.
type Shipper interface{ Ship() error }

// Task is one node of a graph: a key, an op and the keys of its inputs.
type Task struct {
	Key  Key
	Op   Op
	Deps []Key
}

// NewTask builds a task whose key is derived from the op (label, name,
// parameters) and the dependency keys.
func NewTask(op Op, deps ...Key) (*Task, error) {
	if op == nil {
		return nil, errors.New("graph: NewTask with a nil op")
	}
	p, err := op.Params()
	if err != nil {
		return nil, fmt.Errorf("graph: encode params of op %s: %w", op.Name(), err)
	}
	return &Task{Key: NewKey(LabelOf(op), op.Name(), p, deps), Op: op, Deps: deps}, nil
}

// LabelOf is the op's display name: its Label if it has one, else its Name.
func LabelOf(op Op) string {
	if l, ok := op.(Labeler); ok {
		return l.Label()
	}
	return op.Name()
}

// Graph is a set of tasks indexed by key, kept in insertion order so that
// everything derived from it is deterministic. The zero Graph is empty and
// ready to use. A Graph is not safe for concurrent mutation.
type Graph struct {
	tasks []*Task
	index keyIndex
	// The dependency index in compressed form: the inputs of task i are
	// depFlat[depOff[i]:depOff[i+1]], valid while len(depOff) ==
	// len(tasks)+1 (kept by AddResolved, dropped by Add, rebuilt by
	// DepCSR).
	depOff  []int32
	depFlat []int32
	// depsOK is set while the index covers every task and every dependency
	// in it was found (by AddResolved or by a DepCSR that met no missing key).
	depsOK bool
	deps   [][]int32 // DepIndex's slices over depFlat, built on demand
}

// WithCapacity returns an empty graph with room for n tasks.
func WithCapacity(n int) *Graph {
	g := &Graph{tasks: make([]*Task, 0, n)}
	g.index.reserve(n, nil)
	return g
}

// New returns a graph holding the given tasks (see Add).
func New(tasks ...*Task) *Graph {
	g := WithCapacity(len(tasks))
	for _, t := range tasks {
		g.Add(t)
	}
	return g
}

// Len returns the number of tasks.
func (g *Graph) Len() int {
	if g == nil {
		return 0
	}
	return len(g.tasks)
}

// Add inserts t. A task whose key is already present is ignored: equal keys
// mean equal computations, so graphs merge by key. It reports whether t was new.
func (g *Graph) Add(t *Task) bool {
	if _, ok := g.index.get(t.Key, g.tasks); ok {
		return false
	}
	g.tasks = append(g.tasks, t)
	g.index.put(t.Key, len(g.tasks)-1, g.tasks)
	g.depOff, g.depFlat, g.deps, g.depsOK = nil, nil, nil, false
	return true
}

// AddResolved is Add for a task whose dependencies are already in the
// graph: deps[i] is the position in Tasks of t.Deps[i] (as returned by
// IndexOf or an earlier AddResolved). It returns the position of the task
// with t's key (t's own when new) and whether t was new. The graph copies
// deps (the caller may reuse it), so DepIndex, Validate and the passes need
// no key lookups for a graph built this way; a deps that does not match
// t.Deps is not kept, and the graph then resolves dependencies by key.
func (g *Graph) AddResolved(t *Task, deps []int32) (int, bool) {
	h := hashKey(t.Key)
	slot, found := g.index.find(t.Key, h, g.tasks)
	if found {
		return slot, false
	}
	n := len(g.tasks)
	ok := len(t.Deps) == len(deps) && (n == 0 || g.depsOK && len(g.depOff) == n+1)
	for j := 0; ok && j < len(deps); j++ {
		d := deps[j]
		ok = d >= 0 && int(d) < n && g.tasks[d].Key == t.Deps[j]
	}
	g.tasks = append(g.tasks, t)
	g.index.insert(slot, h, n, g.tasks) // one hash and one probe a task
	g.deps = nil
	if !ok {
		g.depOff, g.depFlat, g.depsOK = nil, nil, false
		return n, true
	}
	if n == 0 {
		g.depOff = append(make([]int32, 0, cap(g.tasks)+1), 0)
		g.depFlat = make([]int32, 0, cap(g.tasks))
	}
	g.depFlat = append(g.depFlat, deps...)
	g.depOff = append(g.depOff, int32(len(g.depFlat)))
	g.depsOK = true
	return n, true
}

// Merge adds every task of o to g (by key, see Add).
func (g *Graph) Merge(o *Graph) {
	if o == nil {
		return
	}
	for _, t := range o.tasks {
		g.Add(t)
	}
}

// Get returns the task with key k, or nil.
func (g *Graph) Get(k Key) *Task {
	if g == nil {
		return nil
	}
	i, ok := g.index.get(k, g.tasks)
	if !ok {
		return nil
	}
	return g.tasks[i]
}

// Has reports whether the graph holds a task with key k.
func (g *Graph) Has(k Key) bool {
	if g == nil {
		return false
	}
	_, ok := g.index.get(k, g.tasks)
	return ok
}

// Tasks returns the tasks in insertion order. The slice is the graph's own:
// do not modify it.
func (g *Graph) Tasks() []*Task {
	if g == nil {
		return nil
	}
	return g.tasks
}

// IndexOf returns the position of k in Tasks, or -1.
func (g *Graph) IndexOf(k Key) int {
	if g == nil {
		return -1
	}
	i, _ := g.index.get(k, g.tasks)
	return int(i)
}

// MissingError reports dependencies that no task of the graph produces.
type MissingError struct {
	// Missing maps each missing key to the keys of the tasks that need it.
	Missing map[Key][]Key
}

func (e *MissingError) Error() string {
	var ks []string
	for k, by := range e.Missing {
		var s []string
		for _, b := range by {
			s = append(s, string(b))
		}
		ks = append(ks, fmt.Sprintf("%s (needed by %s)", k, strings.Join(s, ", ")))
	}
	sort.Strings(ks)
	return "graph: missing dependencies: " + strings.Join(ks, "; ")
}

// CycleError reports a cycle; Cycle lists its keys in data-flow order (each
// feeds the next), the first repeated at the end.
type CycleError struct{ Cycle []Key }

func (e *CycleError) Error() string {
	s := make([]string, len(e.Cycle))
	for i, k := range e.Cycle {
		s[i] = string(k)
	}
	return "graph: cycle: " + strings.Join(s, " -> ")
}

// Validate checks that every dependency is produced by a task of the graph,
// that every task has an op, and that there is no cycle. Errors are
// *MissingError or *CycleError and name the keys involved.
func (g *Graph) Validate() error {
	if g == nil {
		return nil
	}
	for _, t := range g.tasks {
		if t.Op == nil {
			return fmt.Errorf("graph: task %s has a nil op", t.Key)
		}
	}
	if err := g.missing(); err != nil {
		return err
	}
	_, err := Order(g, nil) // its walk finds cycles
	return err
}

// missing returns a *MissingError for the dependencies no task produces.
func (g *Graph) missing() error {
	if g.depsOK && len(g.depOff) == len(g.tasks)+1 {
		return nil
	}
	var miss map[Key][]Key
	for _, t := range g.tasks {
		for _, d := range t.Deps {
			if !g.Has(d) {
				if miss == nil {
					miss = map[Key][]Key{}
				}
				miss[d] = append(miss[d], t.Key)
			}
		}
	}
	if miss != nil {
		return &MissingError{Missing: miss}
	}
	return nil
}

// DepIndex resolves every task's dependencies to positions in Tasks; a
// missing dependency resolves to 0, so validate first (see Validate). The
// result is cached until the next Add and must not be modified. DepCSR is
// the same index without a slice header per task.
func (g *Graph) DepIndex() [][]int32 {
	if g.deps != nil && len(g.deps) == len(g.tasks) {
		return g.deps
	}
	off, flat := g.DepCSR()
	out := make([][]int32, len(g.tasks))
	for i := range out {
		out[i] = flat[off[i]:off[i+1]:off[i+1]]
	}
	g.deps = out
	return out
}

// DepCSR is DepIndex in compressed form: the positions of the inputs of
// task i are deps[off[i]:off[i+1]] (len(off) is Len()+1). It is cached like
// DepIndex and must not be modified.
func (g *Graph) DepCSR() (off, deps []int32) {
	if len(g.depOff) == len(g.tasks)+1 {
		return g.depOff, g.depFlat
	}
	total := 0
	for _, t := range g.tasks {
		total += len(t.Deps)
	}
	off = make([]int32, len(g.tasks)+1)
	flat := make([]int32, 0, total)
	found := true
	for i, t := range g.tasks {
		for _, k := range t.Deps {
			x, ok := g.index.get(k, g.tasks)
			if !ok {
				x, found = 0, false
			}
			flat = append(flat, x)
		}
		off[i+1] = int32(len(flat))
	}
	g.depOff, g.depFlat, g.depsOK, g.deps = off, flat, found, nil
	return off, flat
}
