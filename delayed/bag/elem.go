package bag

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

func nilFunc[U any](what string) *Bag[U] {
	return errBag[U](fmt.Errorf("bag: %s of a nil function", what))
}

func fnAs[F any](s *spec, i int) (F, error) {
	f, ok := s.fns[i].fn.(F)
	if !ok {
		var zero F
		return zero, fmt.Errorf("bag: %s: function %s is %T, want %T", s.label, s.fns[i].name, s.fns[i].fn, zero)
	}
	return f, nil
}

// Map applies f to every element, like dask.bag.map. It runs in the task
// that reads the partition, fused with the steps around it.
func Map[T, U any](b *Bag[T], f func(T) U) *Bag[U] {
	return mapNamed(b, f, "map")
}

// Pluck maps every element to one of its fields, through a function (Go
// cannot name fields at run time): bag.Pluck(trades, func(t Trade) string {
// return t.Symbol }) is Dask's trades.pluck("symbol").
func Pluck[T, U any](b *Bag[T], field func(T) U) *Bag[U] {
	return mapNamed(b, field, "pluck")
}

func mapNamed[T, U any](b *Bag[T], f func(T) U, label string) *Bag[U] {
	if isNilFunc(f) {
		return nilFunc[U](label)
	}
	kind := kindOf("map", typeName[T](), typeName[U]())
	defStage[T, U](kind, func(s *spec, next func(U) bool) (func(T) bool, error) {
		f, err := fnAs[func(T) U](s, 0)
		if err != nil {
			return nil, err
		}
		return func(x T) bool { return next(f(x)) }, nil
	})
	ensurePart[U]()
	return withStage[T, U](b, &spec{kind: kind, label: label, fns: []fnRef{ref(f)}})
}

// Filter keeps the elements for which keep returns true.
func (b *Bag[T]) Filter(keep func(T) bool) *Bag[T] {
	if isNilFunc(keep) {
		return nilFunc[T]("filter")
	}
	kind := kindOf("filter", typeName[T]())
	defStage[T, T](kind, func(s *spec, next func(T) bool) (func(T) bool, error) {
		f, err := fnAs[func(T) bool](s, 0)
		if err != nil {
			return nil, err
		}
		return func(x T) bool {
			if f(x) {
				return next(x)
			}
			return true
		}, nil
	})
	return withStage[T, T](b, &spec{kind: kind, label: "filter", fns: []fnRef{ref(keep)}})
}

// FlatMap applies f to every element and concatenates the slices it returns:
// dask.bag's map followed by flatten. FlatMap(lines, strings.Fields) is
// Fields(lines): the same words, without a slice per line.
func FlatMap[T, U any](b *Bag[T], f func(T) []U) *Bag[U] {
	if isNilFunc(f) {
		return nilFunc[U]("flatmap")
	}
	if g, ok := any(f).(func(string) []string); ok && reflect.ValueOf(g).Pointer() == reflect.ValueOf(strings.Fields).Pointer() {
		return any(Fields(any(b).(*Bag[string]))).(*Bag[U])
	}
	kind := kindOf("flatmap", typeName[T](), typeName[U]())
	defStage[T, U](kind, func(s *spec, next func(U) bool) (func(T) bool, error) {
		f, err := fnAs[func(T) []U](s, 0)
		if err != nil {
			return nil, err
		}
		return func(x T) bool {
			for _, y := range f(x) {
				if !next(y) {
					return false
				}
			}
			return true
		}, nil
	})
	ensurePart[U]()
	return withStage[T, U](b, &spec{kind: kind, label: "flatmap", fns: []fnRef{ref(f)}})
}

// Fields splits every string at white space (as strings.Fields does) and
// flattens the words into one bag: Dask's b.str.split().flatten(). It makes
// no slice per line.
func Fields(b *Bag[string]) *Bag[string] {
	defStage[string, string]("fields", func(_ *spec, next func(string) bool) (func(string) bool, error) {
		return func(line string) bool { return eachField(line, next) }, nil
	})
	if b.err == nil {
		// ReadText → Fields reads as Fields of the whole block: lines end at
		// "\n" or "\r\n", both white space, so the words are the same, and
		// the splitter runs over 64 MiB at a time instead of line by line.
		fused := &Bag[string]{parts: make([]*pipe, len(b.parts)), name: "split"}
		for i, p := range b.parts {
			if p.src.kind != "text" || len(p.stages) > 0 {
				fused = nil
				break
			}
			fused.parts[i] = &pipe{src: &spec{kind: "text-fields", label: "read-text-split", arg: p.src.arg}, deps: p.deps}
		}
		if fused != nil {
			ensureTextFields()
			return fused
		}
	}
	return withStage[string, string](b, &spec{kind: "fields", label: "split"})
}

// MapPartitions applies f to each partition's elements as a whole.
func MapPartitions[T, U any](b *Bag[T], f func([]T) []U) *Bag[U] {
	if isNilFunc(f) {
		return nilFunc[U]("map_partitions")
	}
	ns, err := b.partNodes()
	if err != nil {
		return errBag[U](err)
	}
	ensurePart[U]()
	kind := kindOf("map-partitions", typeName[T](), typeName[U]())
	defSrc[U](kind, func(s *spec) (func(context.Context, []any, func(U) bool) error, error) {
		f, err := fnAs[func([]T) []U](s, 0)
		if err != nil {
			return nil, err
		}
		return func(_ context.Context, in []any, emit func(U) bool) error {
			for _, y := range f(in[0].(*part[T]).xs) {
				if !emit(y) {
					break
				}
			}
			return nil
		}, nil
	})
	src := &spec{kind: kind, label: "map-partitions", fns: []fnRef{ref(f)}}
	parts := make([]*pipe, len(ns))
	for i, n := range ns {
		parts[i] = &pipe{src: src, deps: []*node{n}}
	}
	return &Bag[U]{parts: parts, name: "map-partitions"}
}

// Concat makes one bag of the partitions of bs, in order.
func Concat[T any](bs ...*Bag[T]) *Bag[T] {
	out := &Bag[T]{name: "concat"}
	for i, b := range bs {
		if b == nil {
			return errBag[T](fmt.Errorf("bag: Concat: bag %d is nil", i))
		}
		if b.err != nil {
			return errBag[T](b.err)
		}
		out.parts = append(out.parts, b.parts...)
	}
	return out
}

// Zip pairs the elements of two bags partitioned alike: the i-th element of
// a with the i-th of b. Bags with different numbers of partitions are an
// error when zipped; partitions of different lengths fail the run, naming
// the partition.
func Zip[A, B any](a *Bag[A], b *Bag[B]) *Bag[Pair[A, B]] {
	if a.err != nil {
		return errBag[Pair[A, B]](a.err)
	}
	if b.err != nil {
		return errBag[Pair[A, B]](b.err)
	}
	if len(a.parts) != len(b.parts) {
		return errBag[Pair[A, B]](fmt.Errorf("bag: Zip of bags with %d and %d partitions: repartition one first", len(a.parts), len(b.parts)))
	}
	na, err := a.partNodes()
	if err != nil {
		return errBag[Pair[A, B]](err)
	}
	nb, err := b.partNodes()
	if err != nil {
		return errBag[Pair[A, B]](err)
	}
	ensurePart[Pair[A, B]]()
	kind := kindOf("zip", typeName[A](), typeName[B]())
	defSrc[Pair[A, B]](kind, func(s *spec) (func(context.Context, []any, func(Pair[A, B]) bool) error, error) {
		i := graph.NewReader(s.arg).Uvarint()
		return func(_ context.Context, in []any, emit func(Pair[A, B]) bool) error {
			xa, xb := in[0].(*part[A]).xs, in[1].(*part[B]).xs
			if len(xa) != len(xb) {
				return fmt.Errorf("bag: zip: partition %d has %d elements in one bag and %d in the other", i, len(xa), len(xb))
			}
			for j := range xa {
				if !emit(Pair[A, B]{xa[j], xb[j]}) {
					break
				}
			}
			return nil
		}, nil
	})
	parts := make([]*pipe, len(na))
	for i := range na {
		parts[i] = &pipe{src: &spec{kind: kind, label: "zip", arg: binary.AppendUvarint(nil, uint64(i))}, deps: []*node{na[i], nb[i]}}
	}
	return &Bag[Pair[A, B]]{parts: parts, name: "zip"}
}

// Repartition returns the bag in n partitions: consecutive partitions
// concatenated when n is smaller, each split into near-equal pieces by
// position when n is larger. Element order is kept.
func (b *Bag[T]) Repartition(n int) *Bag[T] {
	if n < 1 {
		return errBag[T](fmt.Errorf("bag: Repartition(%d): want at least 1 partition", n))
	}
	ns, err := b.partNodes()
	if err != nil {
		return errBag[T](err)
	}
	m := len(ns)
	if m == 0 {
		return errBag[T](errors.New("bag: Repartition of a bag with no partitions"))
	}
	kind := kindOf("repartition", typeName[T]())
	defSrc[T](kind, func(s *spec) (func(context.Context, []any, func(T) bool) error, error) {
		r := graph.NewReader(s.arg)
		j, k := int(r.Uvarint()), int(r.Uvarint())
		return func(_ context.Context, in []any, emit func(T) bool) error {
			for _, v := range in {
				xs := v.(*part[T]).xs
				if k > 1 {
					xs = xs[len(xs)*j/k : len(xs)*(j+1)/k]
				}
				for _, x := range xs {
					if !emit(x) {
						return nil
					}
				}
			}
			return nil
		}, nil
	})
	mk := func(deps []*node, j, k int) *pipe {
		arg := binary.AppendUvarint(binary.AppendUvarint(nil, uint64(j)), uint64(k))
		return &pipe{src: &spec{kind: kind, label: "repartition", arg: arg}, deps: deps}
	}
	var parts []*pipe
	if n <= m {
		for j := 0; j < n; j++ {
			parts = append(parts, mk(ns[m*j/n:m*(j+1)/n], 0, 1))
		}
	} else {
		for i := 0; i < m; i++ {
			k := n*(i+1)/m - n*i/m
			for j := 0; j < k; j++ {
				parts = append(parts, mk(ns[i:i+1], j, k))
			}
		}
	}
	return &Bag[T]{parts: parts, name: "repartition"}
}

// Take returns the first n elements, computing only the partitions it needs:
// the first, then twice as many more, and so on, each pass stopping early
// inside its partitions. A bag shorter than n gives all its elements, and no
// error.
func (b *Bag[T]) Take(ctx context.Context, n int, opts ...sched.Option) ([]T, error) {
	if b.err != nil {
		return nil, b.err
	}
	if n <= 0 {
		return nil, nil
	}
	kind := kindOf("take", typeName[T]())
	defSink[T](kind, func(s *spec) (func(T) bool, func() (any, error), error) {
		limit := int(graph.NewReader(s.arg).Uvarint())
		var xs []T
		return func(x T) bool {
				xs = append(xs, x)
				return len(xs) < limit
			}, func() (any, error) {
				return newPart(xs), nil
			}, nil
	})
	var out []T
	step := 1
	for done := 0; done < len(b.parts) && len(out) < n; {
		hi := min(len(b.parts), done+step)
		sub := &Bag[T]{parts: b.parts[done:hi], name: b.name}
		ns, err := sub.sinkNodes(&spec{kind: kind, label: "take", arg: binary.AppendUvarint(nil, uint64(n-len(out)))})
		if err != nil {
			return nil, err
		}
		vals, err := sched.Run(ctx, graphOf(ns), keysOf(ns), opts...)
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			xs := v.(*part[T]).xs
			out = append(out, xs[:min(len(xs), n-len(out))]...)
		}
		done, step = hi, step*2
	}
	return out, nil
}
