package sched

import (
	"context"
	"fmt"

	"github.com/godask/godask/graph"
)

// Loopback is an executor that runs every task as a remote worker would: each
// task is encoded to bytes and rebuilt from them before it runs, and each
// value it produces is encoded and decoded before any reader sees it. A graph
// that runs on Loopback ships: every op is registered and every value has a
// codec. It is how the tests prove that a remote executor can run what the
// collections build, without a network.
type Loopback struct {
	// Inner runs the rebuilt tasks; nil means the local executor.
	Inner Executor
}

// NewLoopback returns a loopback executor over the local executor.
func NewLoopback() *Loopback { return &Loopback{} }

// Run implements Executor. A task that cannot be encoded (an unregistered op
// or function) fails the run before anything runs, with an error naming it.
func (l *Loopback) Run(ctx context.Context, job *Job) ([]any, error) {
	g := &graph.Graph{}
	for _, t := range job.Graph.Tasks() {
		b, err := graph.EncodeTask(t)
		if err != nil {
			return nil, fmt.Errorf("sched: loopback: %w", err)
		}
		t2, err := graph.DecodeTask(b)
		if err != nil {
			return nil, fmt.Errorf("sched: loopback: %w", err)
		}
		if t2.Key != t.Key {
			return nil, fmt.Errorf("sched: loopback: task %s decoded as %s", t.Key, t2.Key)
		}
		g.Add(&graph.Task{Key: t2.Key, Op: wireOp{t2.Op}, Deps: t2.Deps})
	}
	inner := l.Inner
	if inner == nil {
		inner = NewLocal()
	}
	j := *job
	j.Graph = g
	return inner.Run(ctx, &j)
}

// wireOp runs an op and sends its value through its codec. The parts it
// reads of its inputs (see graph.PartReader) go through their codecs too, as
// a remote worker would receive them.
type wireOp struct{ op graph.Op }

func (w wireOp) Name() string            { return w.op.Name() }
func (w wireOp) Label() string           { return graph.LabelOf(w.op) }
func (w wireOp) Params() ([]byte, error) { return w.op.Params() }

// InputParts implements graph.PartReader: the wrapped op's selectors.
func (w wireOp) InputParts(n int) []int {
	if pr, ok := w.op.(graph.PartReader); ok {
		return pr.InputParts(n)
	}
	return nil
}

func (w wireOp) Run(ctx context.Context, in []any) (any, error) {
	if sel := graph.InputPartsOf(w.op, len(in)); sel != nil {
		shipped := make([]any, len(in))
		for i, v := range in {
			shipped[i] = v
			if sel[i] < 0 {
				continue
			}
			b, err := graph.EncodeValue(v)
			if err != nil {
				return nil, fmt.Errorf("ship part %d of input %d: %w", sel[i], i, err)
			}
			if shipped[i], err = graph.DecodeValue(b); err != nil {
				return nil, fmt.Errorf("ship part %d of input %d: %w", sel[i], i, err)
			}
		}
		in = shipped
	}
	v, err := w.op.Run(ctx, in)
	if err != nil {
		return nil, err
	}
	b, err := graph.EncodeValue(v)
	if err != nil {
		return nil, err
	}
	return graph.DecodeValue(b)
}
