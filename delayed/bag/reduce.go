package bag

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"sync/atomic"
	"unsafe"

	"github.com/godask/godask/graph"
)

// splitEvery is the fan-in of tree reductions (Dask's split_every).
const splitEvery = 8

// tree reduces the values of ns with the aggregation mk builds: groups of
// splitEvery, level by level; the last level's spec is made with final set.
func tree(ns []*node, mk func(final bool) *spec) (*node, error) {
	for {
		if len(ns) <= splitEvery {
			op, err := newAggOp(mk(true), -1)
			if err != nil {
				return nil, err
			}
			return newNode(op, ns)
		}
		var next []*node
		s := mk(false)
		for i := 0; i < len(ns); i += splitEvery {
			op, err := newAggOp(s, -1)
			if err != nil {
				return nil, err
			}
			n, err := newNode(op, ns[i:min(len(ns), i+splitEvery)])
			if err != nil {
				return nil, err
			}
			next = append(next, n)
		}
		ns = next
	}
}

func finalArg(final bool, mode byte) []byte {
	if final {
		return []byte{mode}
	}
	return []byte{0}
}

func isFinal(s *spec) byte {
	if len(s.arg) == 0 {
		return 0
	}
	return s.arg[0]
}

func litAs[A any](s *spec, i int) (A, error) {
	var zero A
	if i >= len(s.lits) {
		return zero, fmt.Errorf("bag: %s: missing literal %d", s.label, i)
	}
	if s.lits[i] == nil {
		return zero, nil
	}
	v, ok := s.lits[i].(A)
	if !ok {
		return zero, fmt.Errorf("bag: %s: literal is %T, want %T", s.label, s.lits[i], zero)
	}
	return v, nil
}

// reduceItem ends every partition in sink and reduces the partials with agg.
func reduceItem[T, R any](b *Bag[T], sink *spec, agg func(final bool) *spec, name string) *Item[R] {
	if b.err != nil {
		return errItem[R](b.err)
	}
	ns, err := b.sinkNodes(sink)
	if err != nil {
		return errItem[R](err)
	}
	root, err := tree(ns, agg)
	if err != nil {
		return errItem[R](err)
	}
	return &Item[R]{n: root, name: name}
}

// Fold reduces the bag to one value: every partition folds its elements into
// a copy of init with binop, then the partial results are combined with
// combine in a tree, like dask.bag.fold. init is copied by assignment: an
// init that holds a map or a slice is shared by the partitions, so binop
// should not modify it in place. A bag with no partitions folds to init.
func Fold[T, A any](b *Bag[T], binop func(A, T) A, combine func(A, A) A, init A) *Item[A] {
	if isNilFunc(binop) || isNilFunc(combine) {
		return errItem[A](errors.New("bag: fold with a nil function"))
	}
	graph.RegisterType[A]()
	sk := kindOf("fold", typeName[T](), typeName[A]())
	defSink[T](sk, func(s *spec) (func(T) bool, func() (any, error), error) {
		f, err := fnAs[func(A, T) A](s, 0)
		if err != nil {
			return nil, nil, err
		}
		acc, err := litAs[A](s, 0)
		if err != nil {
			return nil, nil, err
		}
		return func(x T) bool { acc = f(acc, x); return true }, func() (any, error) { return acc, nil }, nil
	})
	ak := kindOf("combine", typeName[A]())
	defAgg(ak, func(s *spec) (aggFn, error) {
		f, err := fnAs[func(A, A) A](s, 0)
		if err != nil {
			return nil, err
		}
		init, err := litAs[A](s, 0)
		if err != nil {
			return nil, err
		}
		return func(_ context.Context, in []any) (any, error) {
			if len(in) == 0 {
				return init, nil
			}
			acc := in[0].(A)
			for _, v := range in[1:] {
				acc = f(acc, v.(A))
			}
			return acc, nil
		}, nil
	})
	return reduceItem[T, A](b, &spec{kind: sk, label: "fold", fns: []fnRef{ref(binop)}, lits: []any{init}},
		func(bool) *spec {
			return &spec{kind: ak, label: "fold-combine", fns: []fnRef{ref(combine)}, lits: []any{init}}
		}, "fold")
}

// Opt is a value that may be absent: the partial result of a Reduce over a
// partition that may be empty.
type Opt[T any] struct {
	V  T
	OK bool
}

// Reduce combines all elements with f (associative; applied within each
// partition, then across partitions in a tree), like dask.bag.reduction
// with one function. The item of an empty bag fails with an error.
func (b *Bag[T]) Reduce(f func(T, T) T) *Item[T] {
	if isNilFunc(f) {
		return errItem[T](errors.New("bag: reduce with a nil function"))
	}
	return reduceWith(b, ref(f), "reduce")
}

func reduceWith[T any](b *Bag[T], f fnRef, label string) *Item[T] {
	graph.RegisterType[Opt[T]]()
	sk := kindOf("reduce", typeName[T]())
	defSink[T](sk, func(s *spec) (func(T) bool, func() (any, error), error) {
		f, err := fnAs[func(T, T) T](s, 0)
		if err != nil {
			return nil, nil, err
		}
		var acc Opt[T]
		return func(x T) bool {
				if acc.OK {
					acc.V = f(acc.V, x)
				} else {
					acc = Opt[T]{x, true}
				}
				return true
			}, func() (any, error) {
				return acc, nil
			}, nil
	})
	ak := kindOf("reduce-merge", typeName[T]())
	defAgg(ak, func(s *spec) (aggFn, error) {
		f, err := fnAs[func(T, T) T](s, 0)
		if err != nil {
			return nil, err
		}
		final := isFinal(s) != 0
		return func(_ context.Context, in []any) (any, error) {
			var acc Opt[T]
			for _, v := range in {
				o := v.(Opt[T])
				switch {
				case !o.OK:
				case acc.OK:
					acc.V = f(acc.V, o.V)
				default:
					acc = o
				}
			}
			if !final {
				return acc, nil
			}
			if !acc.OK {
				return nil, fmt.Errorf("bag: %s of an empty bag", s.label)
			}
			return acc.V, nil
		}, nil
	})
	return reduceItem[T, T](b, &spec{kind: sk, label: label, fns: []fnRef{f}},
		func(final bool) *spec {
			return &spec{kind: ak, label: label, fns: []fnRef{f}, arg: finalArg(final, 1)}
		}, label)
}

// Number is the element types Sum, Mean and Std take.
type Number interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// Count returns the number of elements.
func (b *Bag[T]) Count() *Item[int64] {
	sk := kindOf("count", typeName[T]())
	defSink[T](sk, func(*spec) (func(T) bool, func() (any, error), error) {
		var n int64
		return func(T) bool { n++; return true }, func() (any, error) { return n, nil }, nil
	})
	defineSum[int64]()
	return reduceItem[T, int64](b, &spec{kind: sk, label: "count"}, func(bool) *spec {
		return &spec{kind: kindOf("sum", "int64"), label: "count-sum"}
	}, "count")
}

func defineSum[T Number]() {
	graph.RegisterType[T]()
	defAgg(kindOf("sum", typeName[T]()), func(*spec) (aggFn, error) {
		return func(_ context.Context, in []any) (any, error) {
			var acc T
			for _, v := range in {
				acc += v.(T)
			}
			return acc, nil
		}, nil
	})
}

// Sum returns the sum of the elements (0 for an empty bag).
func Sum[T Number](b *Bag[T]) *Item[T] {
	sk := kindOf("sum-part", typeName[T]())
	defSink[T](sk, func(*spec) (func(T) bool, func() (any, error), error) {
		var acc T
		return func(x T) bool { acc += x; return true }, func() (any, error) { return acc, nil }, nil
	})
	defineSum[T]()
	return reduceItem[T, T](b, &spec{kind: sk, label: "sum"}, func(bool) *spec {
		return &spec{kind: kindOf("sum", typeName[T]()), label: "sum"}
	}, "sum")
}

func minOf[T cmp.Ordered](a, b T) T { return min(a, b) }
func maxOf[T cmp.Ordered](a, b T) T { return max(a, b) }

// Min returns the smallest element; the item of an empty bag fails.
func Min[T cmp.Ordered](b *Bag[T]) *Item[T] {
	return reduceWith(b, builtin("bag.min["+typeName[T]()+"]", minOf[T]), "min")
}

// Max returns the largest element; the item of an empty bag fails.
func Max[T cmp.Ordered](b *Bag[T]) *Item[T] {
	return reduceWith(b, builtin("bag.max["+typeName[T]()+"]", maxOf[T]), "max")
}

// Moments are the count, mean and sum of squared deviations of a partition,
// the partial result of Mean and Std, merged with Chan's formula.
type Moments struct {
	N        int64
	Mean, M2 float64
}

func (m Moments) merge(o Moments) Moments {
	if o.N == 0 {
		return m
	}
	if m.N == 0 {
		return o
	}
	n := m.N + o.N
	d := o.Mean - m.Mean
	return Moments{N: n, Mean: m.Mean + d*float64(o.N)/float64(n), M2: m.M2 + o.M2 + d*d*float64(m.N)*float64(o.N)/float64(n)}
}

func moments[T Number](b *Bag[T], mode byte, label string) *Item[float64] {
	graph.RegisterType[Moments]()
	sk := kindOf("moments", typeName[T]())
	defSink[T](sk, func(*spec) (func(T) bool, func() (any, error), error) {
		var m Moments
		return func(x T) bool {
				m.N++
				v := float64(x)
				d := v - m.Mean
				m.Mean += d / float64(m.N)
				m.M2 += d * (v - m.Mean)
				return true
			}, func() (any, error) {
				return m, nil
			}, nil
	})
	defAgg("moments-merge", func(s *spec) (aggFn, error) {
		mode := isFinal(s)
		return func(_ context.Context, in []any) (any, error) {
			var m Moments
			for _, v := range in {
				m = m.merge(v.(Moments))
			}
			switch mode {
			case 0:
				return m, nil
			case 1:
				if m.N == 0 {
					return nil, errors.New("bag: mean of an empty bag")
				}
				return m.Mean, nil
			default:
				if m.N == 0 {
					return nil, errors.New("bag: std of an empty bag")
				}
				return math.Sqrt(m.M2 / float64(m.N)), nil
			}
		}, nil
	})
	return reduceItem[T, float64](b, &spec{kind: sk, label: label}, func(final bool) *spec {
		return &spec{kind: "moments-merge", label: label, arg: finalArg(final, mode)}
	}, label)
}

// Mean returns the mean of the elements; the item of an empty bag fails.
func Mean[T Number](b *Bag[T]) *Item[float64] { return moments(b, 1, "mean") }

// Std returns the population standard deviation (ddof 0, as dask.bag's std);
// the item of an empty bag fails.
func Std[T Number](b *Bag[T]) *Item[float64] { return moments(b, 2, "std") }

// counts is the partial result of Frequencies and Distinct: a count per
// distinct element, in a packedTable for strings, a map otherwise.
type counts[T comparable] struct {
	tab *packedTable
	m   map[T]int64
}

func newCounts[T comparable](hint int) *counts[T] {
	if _, ok := any(*new(T)).(string); ok {
		return &counts[T]{tab: newCountTable(hint)}
	}
	return &counts[T]{m: make(map[T]int64, hint)}
}

func (c *counts[T]) len() int {
	if c.tab != nil {
		return c.tab.len()
	}
	return len(c.m)
}

// add counts x d (> 0) times.
func (c *counts[T]) add(x T, d int64) {
	if c.tab != nil {
		*c.tab.slot(*(*string)(unsafe.Pointer(&x))) += uint64(d)
		return
	}
	c.m[x] += d
}

// merge adds the counts of o.
func (c *counts[T]) merge(o *counts[T]) {
	if c.tab != nil {
		c.tab.merge(o.tab)
		return
	}
	for k, d := range o.m {
		c.m[k] += d
	}
}

// each calls fn with every element and its count.
func (c *counts[T]) each(fn func(T, int64)) {
	if c.tab != nil {
		c.tab.each(func(s string, n uint64) { fn(*(*T)(unsafe.Pointer(&s)), int64(n)) })
		return
	}
	for k, d := range c.m {
		fn(k, d)
	}
}

// Size implements graph.Sizer.
func (c *counts[T]) Size() int64 {
	if c.tab != nil {
		return c.tab.size()
	}
	var k T
	return int64(len(c.m)) * (int64(unsafe.Sizeof(k)) + 16)
}

// freqHint is the number of distinct elements of the last partition a
// Frequencies or Distinct sink counted.
var freqHint atomic.Int64

func ensureCounts[T comparable]() {
	tn := typeName[T]()
	if !once("counts:" + tn) {
		return
	}
	graph.RegisterCodec("bag.counts["+tn+"]", reflect.TypeOf(&counts[T]{}), graph.Codec{
		Encode: func(v any) ([]byte, error) {
			c := v.(*counts[T])
			ks, vs := make([]T, 0, c.len()), make([]int64, 0, c.len())
			c.each(func(k T, n int64) { ks, vs = append(ks, k), append(vs, n) })
			kb, err := encodeSlice(ks)
			if err != nil {
				return nil, err
			}
			return graph.AppendBytes(graph.AppendBytes(nil, kb), appendWords(nil, vs)), nil
		},
		Decode: func(b []byte) (any, error) {
			r := graph.NewReader(b)
			kb, vb := r.Bytes(), r.Bytes()
			if r.Err() != nil {
				return nil, fmt.Errorf("bag: decode counts: %w", r.Err())
			}
			ks, err := decodeSlice[T](kb)
			if err != nil {
				return nil, fmt.Errorf("bag: decode counts: %w", err)
			}
			vs, err := readWords[int64](vb)
			if err != nil || len(vs) != len(ks) {
				return nil, fmt.Errorf("bag: decode counts: %d keys, %d counts (%v)", len(ks), len(vs), err)
			}
			c := newCounts[T](len(ks))
			for i, k := range ks {
				if vs[i] <= 0 {
					return nil, fmt.Errorf("bag: decode counts: count %d of key %d", vs[i], i)
				}
				c.add(k, vs[i])
			}
			return c, nil
		},
	})
	defSink[T](kindOf("freq", tn), func(*spec) (func(T) bool, func() (any, error), error) {
		// Sized as the last partition counted ended (the partitions of a
		// bag tend to have alike numbers of distinct elements), so the table
		// is not grown and rehashed through every power of two each time.
		c := newCounts[T](int(min(freqHint.Load(), 1<<16)))
		finish := func() (any, error) { freqHint.Store(int64(c.len())); return c, nil }
		if t := c.tab; t != nil {
			// The word count's inner loop: straight to the string table.
			emit := func(s string) bool { *t.slot(s)++; return true }
			return any(emit).(func(T) bool), finish, nil
		}
		return func(x T) bool { c.add(x, 1); return true }, finish, nil
	})
	if tn == "string" {
		defFieldsSink(kindOf("freq", tn), func(*spec) (func(string) bool, func() (any, error), error) {
			c := newCounts[string](int(min(freqHint.Load(), 1<<16)))
			finish := func() (any, error) { freqHint.Store(int64(c.len())); return c, nil }
			return func(text string) bool { c.tab.countFields(text); return true }, finish, nil
		})
	}
	ensurePart[T]()
	ensurePart[Pair[T, int64]]()
	defAgg(kindOf("freq-merge", tn), func(s *spec) (aggFn, error) {
		mode := isFinal(s)
		return func(_ context.Context, in []any) (any, error) {
			// Into a new table sized for the largest input: the inputs are
			// the scheduler's values, never changed.
			hint := 0
			for _, v := range in {
				hint = max(hint, v.(*counts[T]).len())
			}
			c := newCounts[T](hint)
			for _, v := range in {
				c.merge(v.(*counts[T]))
			}
			switch mode {
			case 0:
				return c, nil
			case 1:
				out := make([]Pair[T, int64], 0, c.len())
				c.each(func(k T, n int64) { out = append(out, Pair[T, int64]{k, n}) })
				return newPart(out), nil
			default:
				out := make([]T, 0, c.len())
				c.each(func(k T, _ int64) { out = append(out, k) })
				return newPart(out), nil
			}
		}, nil
	})
}

// Frequencies counts the occurrences of every distinct element, like
// dask.bag.frequencies: per-partition counts merged in a tree into one
// partition of (element, count) pairs, in no particular order.
func Frequencies[T comparable](b *Bag[T]) *Bag[Pair[T, int64]] {
	return countTree[T, Pair[T, int64]](b, 1, "frequencies")
}

// Distinct keeps one of each distinct element, in one partition, in no
// particular order (dask.bag.distinct).
func Distinct[T comparable](b *Bag[T]) *Bag[T] {
	return countTree[T, T](b, 2, "distinct")
}

func countTree[T comparable, R any](b *Bag[T], mode byte, label string) *Bag[R] {
	if b.err != nil {
		return errBag[R](b.err)
	}
	ensureCounts[T]()
	tn := typeName[T]()
	ns, err := b.sinkNodes(&spec{kind: kindOf("freq", tn), label: label})
	if err != nil {
		return errBag[R](err)
	}
	root, err := tree(ns, func(final bool) *spec {
		return &spec{kind: kindOf("freq-merge", tn), label: label, arg: finalArg(final, mode)}
	})
	if err != nil {
		return errBag[R](err)
	}
	return fromNodes[R]([]*node{root}, label)
}

// ByCount orders (element, count) pairs by count, then by element: the less
// function for TopK over Frequencies. Register an instance
// (delayed.Register("bycount", bag.ByCount[string])) for it to ship.
func ByCount[K cmp.Ordered](a, b Pair[K, int64]) bool {
	if a.Value != b.Value {
		return a.Value < b.Value
	}
	return a.Key > b.Key
}

// TopK returns the k largest elements by less (a strict order: less(a, b)
// when a comes before b), largest first, in one partition, like
// dask.bag.topk: a bounded heap per partition, merged in a tree.
func (b *Bag[T]) TopK(k int, less func(a, b T) bool) *Bag[T] {
	if isNilFunc(less) {
		return nilFunc[T]("topk")
	}
	if k < 0 {
		return errBag[T](fmt.Errorf("bag: TopK(%d): want k >= 0", k))
	}
	if b.err != nil {
		return b
	}
	tn := typeName[T]()
	sk, ak := kindOf("topk", tn), kindOf("topk-merge", tn)
	kArg := []byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
	getK := func(s *spec) int {
		return int(s.arg[0]) | int(s.arg[1])<<8 | int(s.arg[2])<<16 | int(s.arg[3])<<24
	}
	defSink[T](sk, func(s *spec) (func(T) bool, func() (any, error), error) {
		f, err := fnAs[func(T, T) bool](s, 0)
		if err != nil {
			return nil, nil, err
		}
		h := &topHeap[T]{k: getK(s), less: f}
		return func(x T) bool { h.push(x); return true }, func() (any, error) { return newPart(h.sorted()), nil }, nil
	})
	defAgg(ak, func(s *spec) (aggFn, error) {
		f, err := fnAs[func(T, T) bool](s, 0)
		if err != nil {
			return nil, err
		}
		return func(_ context.Context, in []any) (any, error) {
			h := &topHeap[T]{k: getK(s), less: f}
			for _, v := range in {
				for _, x := range v.(*part[T]).xs {
					h.push(x)
				}
			}
			return newPart(h.sorted()), nil
		}, nil
	})
	ns, err := b.sinkNodes(&spec{kind: sk, label: "topk", fns: []fnRef{ref(less)}, arg: kArg})
	if err != nil {
		return errBag[T](err)
	}
	root, err := tree(ns, func(bool) *spec {
		return &spec{kind: ak, label: "topk", fns: []fnRef{ref(less)}, arg: kArg}
	})
	if err != nil {
		return errBag[T](err)
	}
	return fromNodes[T]([]*node{root}, "topk")
}

// topHeap keeps the k largest elements pushed: a min-heap by less.
type topHeap[T any] struct {
	k    int
	less func(a, b T) bool
	xs   []T
}

func (h *topHeap[T]) push(x T) {
	if h.k == 0 {
		return
	}
	if len(h.xs) < h.k {
		h.xs = append(h.xs, x)
		for i := len(h.xs) - 1; i > 0; {
			p := (i - 1) / 2
			if !h.less(h.xs[i], h.xs[p]) {
				break
			}
			h.xs[i], h.xs[p] = h.xs[p], h.xs[i]
			i = p
		}
		return
	}
	if !h.less(h.xs[0], x) {
		return
	}
	h.xs[0] = x
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h.xs) && h.less(h.xs[l], h.xs[m]) {
			m = l
		}
		if r < len(h.xs) && h.less(h.xs[r], h.xs[m]) {
			m = r
		}
		if m == i {
			break
		}
		h.xs[i], h.xs[m] = h.xs[m], h.xs[i]
		i = m
	}
}

// sorted returns the kept elements, largest first.
func (h *topHeap[T]) sorted() []T {
	out := append([]T(nil), h.xs...)
	sort.SliceStable(out, func(i, j int) bool { return h.less(out[j], out[i]) })
	return out
}
