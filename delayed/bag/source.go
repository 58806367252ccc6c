package bag

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/godask/godask/delayed"
	"github.com/godask/godask/graph"
)

// FromSlice makes a bag of the elements of xs in npartitions partitions of
// near-equal length (at least one; fewer when xs is shorter). The elements
// are held by the graph (copied into its constants), like dask.bag's
// from_sequence.
func FromSlice[T any](xs []T, npartitions int) *Bag[T] {
	ensurePart[T]()
	if npartitions < 1 {
		return errBag[T](fmt.Errorf("bag: FromSlice: npartitions is %d, want at least 1", npartitions))
	}
	n := min(npartitions, max(1, len(xs)))
	ns := make([]*node, n)
	for i := range ns {
		lo, hi := len(xs)*i/n, len(xs)*(i+1)/n
		p := newPart(append([]T(nil), xs[lo:hi]...))
		t, err := graph.NewTask(graph.Const{V: p})
		if err != nil { // no codec: a local constant with a unique key
			t = graph.ConstTask(graph.NewKey("from-slice", "graph.const", binary.AppendUvarint(nil, uniq.Add(1)), nil), p)
		} else {
			t.Key = graph.NewKey("from-slice", "graph.const", []byte(t.Key), nil)
		}
		ns[i] = &node{task: t}
	}
	return fromNodes[T](ns, "from-slice")
}

// Range makes the bag of the integers 0, 1, ..., n-1 in npartitions
// partitions, like dask.bag.range. Nothing is stored: each task counts its
// own range.
func Range(n, npartitions int) *Bag[int] {
	if npartitions < 1 || n < 0 {
		return errBag[int](fmt.Errorf("bag: Range(%d, %d): want n >= 0 and npartitions >= 1", n, npartitions))
	}
	ensurePart[int]()
	defSrc[int]("range", func(s *spec) (func(context.Context, []any, func(int) bool) error, error) {
		r := graph.NewReader(s.arg)
		lo, hi := int(r.Varint()), int(r.Varint())
		if r.Err() != nil {
			return nil, fmt.Errorf("bag: range: %w", r.Err())
		}
		return func(_ context.Context, _ []any, emit func(int) bool) error {
			for i := lo; i < hi; i++ {
				if !emit(i) {
					break
				}
			}
			return nil
		}, nil
	})
	np := min(npartitions, max(1, n))
	parts := make([]*pipe, np)
	for i := range parts {
		lo, hi := n*i/np, n*(i+1)/np
		parts[i] = &pipe{src: &spec{kind: "range", label: "range", arg: binary.AppendVarint(binary.AppendVarint(nil, int64(lo)), int64(hi))}}
	}
	return &Bag[int]{parts: parts, name: "range"}
}

// FromDelayed makes a bag with one partition per delayed value, each a slice
// of elements: the Go form of dask.bag.from_delayed.
func FromDelayed[T any](vs ...*delayed.Value[[]T]) *Bag[T] {
	ensurePart[T]()
	graph.RegisterType[[]T]()
	kind := kindOf("from-delayed", typeName[T]())
	defSrc[T](kind, func(*spec) (func(context.Context, []any, func(T) bool) error, error) {
		return func(_ context.Context, in []any, emit func(T) bool) error {
			xs, ok := in[0].([]T)
			if !ok && in[0] != nil {
				return fmt.Errorf("bag: from_delayed: value is %T, want %T", in[0], xs)
			}
			for _, x := range xs {
				if !emit(x) {
					break
				}
			}
			return nil
		}, nil
	})
	src := &spec{kind: kind, label: "from-delayed"}
	parts := make([]*pipe, len(vs))
	for i, v := range vs {
		if v == nil {
			return errBag[T](fmt.Errorf("bag: FromDelayed: value %d is nil", i))
		}
		g, err := v.Graph()
		if err != nil {
			return errBag[T](fmt.Errorf("bag: FromDelayed: value %d: %w", i, err))
		}
		parts[i] = &pipe{src: src, deps: []*node{nodesOf(g, v.Key())}}
	}
	return &Bag[T]{parts: parts, name: "from-delayed"}
}

// nodesOf turns the task key of g and what it reads into nodes.
func nodesOf(g *graph.Graph, key graph.Key) *node {
	memo := map[graph.Key]*node{}
	var walk func(k graph.Key) *node
	walk = func(k graph.Key) *node {
		if n, ok := memo[k]; ok {
			return n
		}
		t := g.Get(k)
		n := &node{task: t}
		memo[k] = n
		for _, d := range t.Deps {
			n.deps = append(n.deps, walk(d))
		}
		return n
	}
	return walk(key)
}
