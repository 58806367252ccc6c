package ml

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/godask/godask/array"
	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Incremental's partial fits are tasks: the fit of block b is a task
// "ml.inc.step" whose inputs are the model after the previous block and
// block b of X (and of y), and whose parameters are the estimator (its
// registered type and exported fields) and the classes. The chain runs on
// whatever executor the options name (the local pool, Loopback, a
// cluster), the model travelling between tasks as a registered value.
//
// The chain is cut into windows of incWindow blocks, one graph run each,
// the model of one window carried in the parameters of the next one's
// first step: within a window, idle workers compute the next blocks of X
// while a step runs (a generated or Zarr-backed X streams), but never more
// than a window of blocks ahead, so the memory held is a few blocks
// whatever the size of X.
const incWindow = 8

func init() {
	registerTaskOp("ml.inc.step", runIncStep)
}

// incParams are a step's parameters: the estimator, the classes, whether
// y is an input, and the model to start from when the previous model is
// not an input (the first step of a window after the first).
func incParams(est []byte, classes []float64, hasY bool, start []byte) []byte {
	b := graph.AppendBytes(nil, est)
	b = appendFloats(b, classes)
	b = appendInt(b, boolInt(hasY))
	return graph.AppendBytes(b, start)
}

func runIncStep(_ context.Context, p []byte, in []any) (any, error) {
	r := graph.NewReader(p)
	eb := r.Bytes()
	if r.Err() != nil {
		return nil, fmt.Errorf("ml.inc.step: bad parameters: %w", r.Err())
	}
	pr := newPReader(r.Rest())
	classes := pr.floats()
	hasY := pr.int() == 1
	if pr.err {
		return nil, fmt.Errorf("ml.inc.step: bad parameters")
	}
	r = graph.NewReader(pr.b)
	start := r.Bytes()
	if r.Err() != nil {
		return nil, fmt.Errorf("ml.inc.step: bad parameters: %w", r.Err())
	}
	v, err := decodeRegistered(eb)
	if err != nil {
		return nil, fmt.Errorf("ml.inc.step: %w", err)
	}
	pf, ok := v.(PartialFitter)
	if !ok {
		return nil, fmt.Errorf("ml.inc.step: %T is not a PartialFitter", v)
	}
	var m Model
	if len(start) > 0 {
		if m, err = cachedLoad(start); err != nil {
			return nil, fmt.Errorf("ml.inc.step: %w", err)
		}
	}
	want := 1 + boolInt(hasY)
	if len(start) == 0 && len(in) == want+1 {
		if m, ok = in[0].(Model); !ok {
			return nil, fmt.Errorf("ml.inc.step: previous model is a %T", in[0])
		}
		in = in[1:]
	}
	if len(in) != want {
		return nil, fmt.Errorf("ml.inc.step: %d inputs, want %d", len(in), want)
	}
	x, ok := in[0].(*array.Dense)
	if !ok {
		return nil, fmt.Errorf("ml.inc.step: X block is a %T", in[0])
	}
	var y *array.Dense
	if hasY {
		if y, ok = in[1].(*array.Dense); !ok {
			return nil, fmt.Errorf("ml.inc.step: y block is a %T", in[1])
		}
	}
	return pf.PartialFit(m, x, y, classes)
}

// incOrder is the sequence of row blocks the partial fits visit: epochs
// passes, each in order or in a seeded shuffled order, empty blocks left
// out.
func (inc Incremental) incOrder(rc []int, epochs int) []int {
	var order []int
	rng := rand.New(rand.NewPCG(inc.Seed, 0x1c4))
	for range epochs {
		o := make([]int, len(rc))
		for i := range o {
			o[i] = i
		}
		if inc.ShuffleBlocks {
			rng.Shuffle(len(o), func(i, j int) { o[i], o[j] = o[j], o[i] })
		}
		for _, b := range o {
			if rc[b] > 0 {
				order = append(order, b)
			}
		}
	}
	return order
}

// runChain runs the partial fits of order as chains of tasks, a window of
// blocks per graph run.
func (inc Incremental) runChain(ctx context.Context, est []byte, x, yy *array.Array, order []int, classes []float64, opts []sched.Option) (Model, error) {
	const name = "Incremental"
	base := graph.New()
	for _, a := range []*array.Array{x, yy} {
		if a == nil {
			continue
		}
		ag, err := a.Graph()
		if err != nil {
			return nil, fmt.Errorf("ml: %s: %w", name, err)
		}
		base.Merge(ag)
	}
	xk := x.Keys()
	var yk []graph.Key
	if yy != nil {
		yk = yy.Keys()
	}
	var m Model
	for w0 := 0; w0 < len(order); w0 += incWindow {
		win := order[w0:min(w0+incWindow, len(order))]
		var start []byte
		if m != nil {
			var err error
			if start, err = Save(m); err != nil {
				return nil, fmt.Errorf("ml: %s: %w", name, err)
			}
		}
		g := graph.New()
		g.Merge(base)
		var prev graph.Key
		for i, b := range win {
			var deps []graph.Key
			p := incParams(est, classes, yy != nil, nil)
			if i == 0 {
				p = incParams(est, classes, yy != nil, start)
			} else {
				deps = append(deps, prev)
			}
			deps = append(deps, xk[b])
			if yy != nil {
				deps = append(deps, yk[b])
			}
			t, err := graph.NewTask(&taskOp{name: "ml.inc.step", p: p}, deps...)
			if err != nil {
				return nil, fmt.Errorf("ml: %s: %w", name, err)
			}
			g.Add(t)
			prev = t.Key
		}
		vals, err := sched.Run(ctx, g, []graph.Key{prev}, opts...)
		if err != nil {
			return nil, fmt.Errorf("ml: %s: blocks %v: %w", name, win, err)
		}
		mv, ok := vals[0].(Model)
		if !ok {
			return nil, fmt.Errorf("ml: %s: the partial fit returned a %T", name, vals[0])
		}
		m = mv
	}
	return m, nil
}
