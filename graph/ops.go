package graph

import (
	"context"
	"fmt"
	"strings"
)

// Const is an op that returns a value it holds: how persisted results and
// scattered data enter a graph. It ships through the value's codec.
type Const struct{ V any }

// ConstTask returns a task with key k that yields v. Persist uses it to
// replace a computed task by its result under the same key.
func ConstTask(k Key, v any) *Task { return &Task{Key: k, Op: Const{V: v}} }

// Name implements Op.
func (Const) Name() string { return "graph.const" }

// Label implements Labeler.
func (Const) Label() string { return "const" }

// Params implements Op: the value's encoding (see EncodeValue).
func (c Const) Params() ([]byte, error) { return EncodeValue(c.V) }

// Run implements Op.
func (c Const) Run(context.Context, []any) (any, error) { return c.V, nil }

// Size reports the held value's size, for memory accounting.
func (c Const) Size() int64 { return SizeOf(c.V) }

// Fused runs a chain of tasks as one, so that no intermediate value between
// them is ever handed to the executor. The chain's tasks are in dependency
// order; the last one is the output. Its inputs are the keys the chain reads
// from outside, in first-use order (see NewFused).
type Fused struct {
	Tasks []*Task
	// wire[i][j] says where input j of task i comes from: >= 0 an earlier task
	// of the chain, < 0 the fused task's input -w-1.
	wire [][]int
	// sel[i][j] is the part of that value task i reads (-1: whole); nil when
	// task i reads whole values.
	sel [][]int
	// drop[i] lists the chain values no task after i reads.
	drop [][]int
	deps []Key
	// parts[e] is the part the chain reads of its external input e; nil when
	// it reads whole values (see PartReader).
	parts []int
}

// NewFused returns the task that runs tasks (in dependency order, the last
// being the output) as one. The task keeps the last task's key.
func NewFused(tasks []*Task) (*Task, error) {
	f, err := newFused(tasks)
	if err != nil {
		return nil, err
	}
	return &Task{Key: tasks[len(tasks)-1].Key, Op: f, Deps: f.deps}, nil
}

func newFused(tasks []*Task) (*Fused, error) {
	if len(tasks) == 0 {
		return nil, fmt.Errorf("graph: fuse an empty chain")
	}
	type extKey struct {
		k    Key
		part int
	}
	local := make(map[Key]int, len(tasks))
	ext := map[extKey]int{}
	f := &Fused{Tasks: tasks, wire: make([][]int, len(tasks)), sel: make([][]int, len(tasks))}
	var parts []int
	anyPart := false
	for i, t := range tasks {
		w := make([]int, len(t.Deps))
		sel := InputPartsOf(t.Op, len(t.Deps))
		for j, d := range t.Deps {
			if p, ok := local[d]; ok {
				w[j] = p
				if sel != nil && sel[j] >= 0 {
					f.sel[i] = sel // a chain value: Run selects the part
				}
				continue
			}
			// An external input: one fused input per (key, part), whose
			// selector the executor applies.
			part := -1
			if sel != nil {
				part = sel[j]
			}
			e, ok := ext[extKey{d, part}]
			if !ok {
				e = len(f.deps)
				ext[extKey{d, part}] = e
				f.deps = append(f.deps, d)
				parts = append(parts, part)
				anyPart = anyPart || part >= 0
			}
			w[j] = -e - 1
		}
		f.wire[i] = w
		local[t.Key] = i
	}
	if anyPart {
		f.parts = parts
	}
	last := make([]int, len(tasks))
	for i, w := range f.wire {
		for _, p := range w {
			if p >= 0 {
				last[p] = i
			}
		}
	}
	f.drop = make([][]int, len(tasks))
	for p := 0; p < len(tasks)-1; p++ {
		f.drop[last[p]] = append(f.drop[last[p]], p)
	}
	return f, nil
}

// Name implements Op.
func (*Fused) Name() string { return "graph.fused" }

// Label implements Labeler: the chain's labels joined by "+".
func (f *Fused) Label() string {
	var parts []string
	for _, t := range f.Tasks {
		l := LabelOf(t.Op)
		if len(parts) == 0 || parts[len(parts)-1] != l {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "+")
}

// Params implements Op: the encoded chain.
func (f *Fused) Params() ([]byte, error) {
	b := []byte(nil)
	for _, t := range f.Tasks {
		tb, err := appendTask(nil, t)
		if err != nil {
			return nil, err
		}
		b = appendBytes(b, tb)
	}
	return b, nil
}

// Ship implements Shipper: every task of the chain must ship.
func (f *Fused) Ship() error {
	for _, t := range f.Tasks {
		if err := canShip(t.Op); err != nil {
			return fmt.Errorf("fused task %s: %w", t.Key, err)
		}
	}
	return nil
}

// InputParts implements PartReader: the parts the chain reads of its
// external inputs.
func (f *Fused) InputParts(int) []int { return f.parts }

// Run implements Op: it runs the chain, dropping each intermediate as soon as
// the chain no longer needs it.
func (f *Fused) Run(ctx context.Context, in []any) (any, error) {
	vals := make([]any, len(f.Tasks))
	var args []any
	for i, t := range f.Tasks {
		args = args[:0]
		for j, w := range f.wire[i] {
			if w >= 0 {
				if f.sel[i] != nil {
					args = append(args, SelectPart(vals[w], f.sel[i][j]))
				} else {
					args = append(args, vals[w])
				}
			} else {
				args = append(args, in[-w-1])
			}
		}
		v, err := t.Op.Run(ctx, args)
		if err != nil {
			return nil, fmt.Errorf("in fused task %s (op %s): %w", t.Key, LabelOf(t.Op), err)
		}
		vals[i] = v
		for _, p := range f.drop[i] {
			vals[p] = nil
		}
	}
	return vals[len(vals)-1], nil
}

func init() {
	Register("graph.const", func(p []byte) (Op, error) {
		v, err := DecodeValue(p)
		if err != nil {
			return nil, err
		}
		return Const{V: v}, nil
	})
	Register("graph.fused", func(p []byte) (Op, error) {
		r := Reader{b: p}
		var tasks []*Task
		for len(r.b) > 0 && r.err == nil {
			tb := r.Bytes()
			if r.err != nil {
				break
			}
			t, err := DecodeTask(tb)
			if err != nil {
				return nil, err
			}
			tasks = append(tasks, t)
		}
		if r.err != nil {
			return nil, r.err
		}
		return newFused(tasks)
	})
}
