package bag

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"

	"github.com/godask/godask/graph"
)

// ShuffleOption configures FoldBy and GroupBy.
type ShuffleOption func(*shuffleConfig)

type shuffleConfig struct{ n int }

// SplitOut sets the number of output partitions of a FoldBy or GroupBy
// (Dask's split_out); the default is the input's number of partitions.
func SplitOut(n int) ShuffleOption { return func(c *shuffleConfig) { c.n = n } }

// pieces is the value of a split task of a shuffle: one slice of elements per
// output partition. It is a graph.Parted value: output partition j reads only
// piece j of each split (so a spilled split is read back one piece at a time),
// and a piece is dropped once its reader has run (graph.PartDropper).
type pieces[E any] struct {
	ps    [][]E
	sizes []int64
	total atomic.Int64
}

func newPieces[E any](ps [][]E) *pieces[E] {
	p := &pieces[E]{ps: ps, sizes: make([]int64, len(ps))}
	var t int64
	for j, xs := range ps {
		p.sizes[j] = sliceSize(xs)
		t += p.sizes[j]
	}
	p.total.Store(t)
	return p
}

// Size implements graph.Sizer.
func (p *pieces[E]) Size() int64 { return p.total.Load() }

// NumParts implements graph.Parted.
func (p *pieces[E]) NumParts() int { return len(p.ps) }

// Part implements graph.Parted: piece j as a partition value.
func (p *pieces[E]) Part(j int) any { return &part[E]{xs: p.ps[j], size: p.sizes[j]} }

// DropPart implements graph.PartDropper.
func (p *pieces[E]) DropPart(j int) int64 {
	n := p.sizes[j]
	p.ps[j] = nil
	p.sizes[j] = 0
	p.total.Add(-n)
	return n
}

func ensurePieces[E any]() {
	ensurePart[E]()
	tn := typeName[E]()
	if !once("pieces:" + tn) {
		return
	}
	graph.RegisterCodec("bag.pieces["+tn+"]", reflect.TypeOf(&pieces[E]{}), graph.Codec{
		Encode: func(v any) ([]byte, error) {
			p := v.(*pieces[E])
			b := binary.AppendUvarint(nil, uint64(len(p.ps)))
			for _, xs := range p.ps {
				e, err := encodeSlice(xs)
				if err != nil {
					return nil, err
				}
				b = graph.AppendBytes(b, e)
			}
			return b, nil
		},
		Decode: func(b []byte) (any, error) {
			r := graph.NewReader(b)
			n := r.Uvarint()
			if n > uint64(len(b)) {
				return nil, errors.New("bag: decode pieces: count exceeds input")
			}
			ps := make([][]E, n)
			for j := range ps {
				e := r.Bytes()
				if r.Err() != nil {
					return nil, fmt.Errorf("bag: decode pieces: %w", r.Err())
				}
				xs, err := decodeSlice[E](e)
				if err != nil {
					return nil, fmt.Errorf("bag: decode piece %d: %w", j, err)
				}
				ps[j] = xs
			}
			return newPieces(ps), nil
		},
		Join: func(parts []any) (any, error) {
			ps := make([][]E, len(parts))
			for j, v := range parts {
				switch x := v.(type) {
				case *part[E]:
					ps[j] = x.xs
				case nil: // dropped before the spill
				default:
					return nil, fmt.Errorf("bag: join pieces: piece %d is %T", j, v)
				}
			}
			return newPieces(ps), nil
		},
	})
}

// pieceOf returns piece j of a split as its reader receives it: a partition
// value (graph.SelectPart), or the whole split when it is not parted.
func pieceOf[E any](v any, j int) ([]E, error) {
	switch x := v.(type) {
	case *part[E]:
		return x.xs, nil
	case *pieces[E]:
		return x.ps[j], nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("bag: shuffle piece %d is %T", j, v)
}

// foldHint is the number of keys of the last partition a FoldBy split
// folded.
var foldHint atomic.Int64

func (c *shuffleConfig) outputs(nin int, opts []ShuffleOption) (int, error) {
	for _, o := range opts {
		o(c)
	}
	if c.n == 0 {
		c.n = max(1, nin)
	}
	if c.n < 1 {
		return 0, fmt.Errorf("bag: SplitOut(%d): want at least 1 partition", c.n)
	}
	return c.n, nil
}

// FoldBy groups the elements by key and folds each group, like
// dask.bag.foldby: within each partition the elements of a key are folded
// into a copy of init with binop; the partial results are hash-partitioned
// by key into SplitOut output partitions (default: as many as the input has),
// the O(n) shuffle frames use, spilled part by part under memory pressure;
// and each output partition combines the partials of its keys with combine.
// The result has one (key, value) pair per key, in no particular order.
func FoldBy[T any, K comparable, A any](b *Bag[T], key func(T) K, binop func(A, T) A, init A, combine func(A, A) A, opts ...ShuffleOption) *Bag[Pair[K, A]] {
	type R = Pair[K, A]
	if isNilFunc(key) || isNilFunc(binop) || isNilFunc(combine) {
		return nilFunc[R]("foldby")
	}
	if b.err != nil {
		return errBag[R](b.err)
	}
	var c shuffleConfig
	n, err := c.outputs(len(b.parts), opts)
	if err != nil {
		return errBag[R](err)
	}
	graph.RegisterType[A]()
	ensurePieces[R]()
	names := []string{typeName[T](), typeName[K](), typeName[A]()}
	sk, mk := kindOf("foldby", names...), kindOf("foldby-merge", names[1:]...)
	defSink[T](sk, func(s *spec) (func(T) bool, func() (any, error), error) {
		kf, err := fnAs[func(T) K](s, 0)
		if err != nil {
			return nil, nil, err
		}
		bf, err := fnAs[func(A, T) A](s, 1)
		if err != nil {
			return nil, nil, err
		}
		init, err := litAs[A](s, 0)
		if err != nil {
			return nil, nil, err
		}
		nout := int(graph.NewReader(s.arg).Uvarint())
		h := hasherFor[K]()
		// The keys numbered by a key table, the accumulators in a slice;
		// the table sized as the last partition's ended (see freqHint).
		idx := newKeyIndex[K](int(min(foldHint.Load(), 1<<20)))
		var accs []A
		return func(x T) bool {
				if i, isNew := idx.index(kf(x)); isNew {
					accs = append(accs, bf(init, x))
				} else {
					accs[i] = bf(accs[i], x)
				}
				return true
			}, func() (any, error) {
				foldHint.Store(int64(idx.len()))
				ks := idx.keys()
				hs := make([]uint32, len(ks))
				cnt := make([]int, nout)
				for i, k := range ks {
					j := uint32(h(k) % uint64(nout))
					hs[i] = j
					cnt[j]++
				}
				ps := make([][]R, nout)
				for j := range ps {
					ps[j] = make([]R, 0, cnt[j])
				}
				for i, k := range ks {
					ps[hs[i]] = append(ps[hs[i]], R{k, accs[i]})
				}
				return newPieces(ps), nil
			}, nil
	})
	defAgg(mk, func(s *spec) (aggFn, error) {
		cf, err := fnAs[func(A, A) A](s, 0)
		if err != nil {
			return nil, err
		}
		return func(_ context.Context, in []any) (any, error) {
			j := int(graph.NewReader(s.arg).Uvarint())
			n := 0
			for _, v := range in {
				xs, err := pieceOf[R](v, j)
				if err != nil {
					return nil, err
				}
				n = max(n, len(xs))
			}
			idx := newKeyIndex[K](n)
			out := make([]R, 0, n)
			for _, v := range in {
				xs, _ := pieceOf[R](v, j)
				for _, p := range xs {
					if i, isNew := idx.index(p.Key); isNew {
						out = append(out, p)
					} else {
						out[i].Value = cf(out[i].Value, p.Value)
					}
				}
			}
			return newPart(out), nil
		}, nil
	})
	nArg := binary.AppendUvarint(nil, uint64(n))
	split := &spec{kind: sk, label: "foldby-split", fns: []fnRef{ref(key), ref(binop)}, lits: []any{init}, arg: nArg}
	return shuffle[T, R](b, split, n, &spec{kind: mk, label: "foldby", fns: []fnRef{ref(combine)}})
}

// shuffle ends every partition in the split sink, then builds n assembling
// tasks: task j runs merge (its arg set to j) on piece j of every split.
func shuffle[T, R any](b *Bag[T], split *spec, n int, merge *spec) *Bag[R] {
	ns, err := b.sinkNodes(split)
	if err != nil {
		return errBag[R](err)
	}
	out := make([]*node, n)
	for j := range out {
		m := *merge
		m.arg = binary.AppendUvarint(nil, uint64(j))
		op, err := newAggOp(&m, j)
		if err != nil {
			return errBag[R](err)
		}
		if out[j], err = newNode(op, ns); err != nil {
			return errBag[R](err)
		}
	}
	return fromNodes[R](out, merge.label)
}

// GroupBy groups the elements by key: one (key, elements) pair per key, the
// elements in their bag order. Every element moves through a hash shuffle
// into SplitOut output partitions, so it is the expensive one, as in Dask:
// use FoldBy when the groups are reduced.
func GroupBy[T any, K comparable](b *Bag[T], key func(T) K, opts ...ShuffleOption) *Bag[Pair[K, []T]] {
	type R = Pair[K, []T]
	if isNilFunc(key) {
		return nilFunc[R]("groupby")
	}
	if b.err != nil {
		return errBag[R](b.err)
	}
	var c shuffleConfig
	n, err := c.outputs(len(b.parts), opts)
	if err != nil {
		return errBag[R](err)
	}
	ensurePieces[T]()
	ensurePart[R]()
	sk, mk := kindOf("groupby", typeName[T](), typeName[K]()), kindOf("groupby-merge", typeName[T](), typeName[K]())
	defSink[T](sk, func(s *spec) (func(T) bool, func() (any, error), error) {
		kf, err := fnAs[func(T) K](s, 0)
		if err != nil {
			return nil, nil, err
		}
		nout := uint64(graph.NewReader(s.arg).Uvarint())
		h := hasherFor[K]()
		ps := make([][]T, nout)
		return func(x T) bool {
				j := h(kf(x)) % nout
				ps[j] = append(ps[j], x)
				return true
			}, func() (any, error) {
				return newPieces(ps), nil
			}, nil
	})
	defAgg(mk, func(s *spec) (aggFn, error) {
		kf, err := fnAs[func(T) K](s, 0)
		if err != nil {
			return nil, err
		}
		return func(_ context.Context, in []any) (any, error) {
			j := int(graph.NewReader(s.arg).Uvarint())
			idx := newKeyIndex[K](0)
			var out []R
			for _, v := range in {
				xs, err := pieceOf[T](v, j)
				if err != nil {
					return nil, err
				}
				for _, x := range xs {
					k := kf(x)
					i, isNew := idx.index(k)
					if isNew {
						out = append(out, R{Key: k})
					}
					out[i].Value = append(out[i].Value, x)
				}
			}
			return newPart(out), nil
		}, nil
	})
	split := &spec{kind: sk, label: "groupby-split", fns: []fnRef{ref(key)}, arg: binary.AppendUvarint(nil, uint64(n))}
	return shuffle[T, R](b, split, n, &spec{kind: mk, label: "groupby", fns: []fnRef{ref(key)}})
}
