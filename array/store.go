package array

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

func init() { registerKernel("store", storeKernel) }

// BlockWriter receives the blocks of an array (Store): index is the block's
// position in the block grid. WriteBlock is called from several goroutines
// at once, once per block, in no particular order; it must not keep block
// after returning unless it copies it.
type BlockWriter interface {
	WriteBlock(ctx context.Context, index []int, block *Dense) error
}

var (
	storeTargets sync.Map // id -> BlockWriter
	storeSeq     atomic.Uint64
)

// Store computes a and hands every block to w as soon as it is computed,
// like dask.array.store: one task per block, so the array never needs to fit
// in memory. The writer lives in the calling process, so Store runs with
// executors that execute tasks in this process (the local pool, Loopback);
// a remote worker reports that the writer is not there (use a store that
// travels by name, such as ToZarr, for those). The first error of a write
// stops the computation and is returned.
func (a *Array) Store(ctx context.Context, w BlockWriter, opts ...sched.Option) error {
	if err := a.Err(); err != nil {
		return err
	}
	if w == nil {
		return fmt.Errorf("array: Store: nil BlockWriter")
	}
	if err := needKnown("Store", a); err != nil {
		return err
	}
	id := storeSeq.Add(1)
	storeTargets.Store(id, w)
	defer storeTargets.Delete(id)
	grid := gridShape(a.chunks)
	wc := make([][]int, len(grid))
	for i, g := range grid {
		wc[i] = ones(g)
	}
	s := build(grid, wc, Int64, []*Array{a}, func(idx []int) (string, []byte, []graph.Key) {
		p := appendUvarint(nil, id)
		p = appendInts(p, idx)
		return "store", p, []graph.Key{a.blockKey(idx)}
	})
	if _, err := s.Compute(ctx, opts...); err != nil {
		return fmt.Errorf("array: Store: %w", err)
	}
	return nil
}

func storeKernel(ctx context.Context, p []byte, in []*Dense) (*Dense, error) {
	r := graph.NewReader(p)
	id := r.Uvarint()
	idx := readInts(r)
	if r.Err() != nil || len(in) != 1 {
		return nil, fmt.Errorf("store: bad parameters")
	}
	w, ok := storeTargets.Load(id)
	if !ok {
		return nil, fmt.Errorf("store: the block writer is not in this process (Store runs with in-process executors)")
	}
	if err := w.(BlockWriter).WriteBlock(ctx, idx, in[0]); err != nil {
		return nil, fmt.Errorf("store: block %v: %w", idx, err)
	}
	return NewDense(Int64, ones(len(idx))...), nil
}

// BlockwiseIndex is dask.array.blockwise with index notation:
//
//	BlockwiseIndex("mykernel", array.Float64, "ij", x, "ij", y, "j")
//
// args alternate arrays and their index strings (one letter per axis). The
// output has the axes named by out; every block is computed by the kernel
// registered under name (RegisterKernelFunc) from one block of every input,
// in argument order, lined up by index: arrays sharing an index take the
// chunks of its first occurrence (the others are rechunked), and an index
// that is not in out is contracted as dask's concatenate=True does: the
// input is rechunked to one block along it, so the kernel sees the whole
// axis and must return the output block's shape.
func BlockwiseIndex(name string, dt DType, out string, args ...any) *Array {
	if len(args)%2 != 0 {
		return errArray("BlockwiseIndex %q: %d arguments, want pairs of array and index string", name, len(args))
	}
	var ins []*Array
	var inds []string
	for i := 0; i < len(args); i += 2 {
		a, ok := args[i].(*Array)
		s, ok2 := args[i+1].(string)
		if !ok || !ok2 {
			return errArray("BlockwiseIndex %q: argument %d is %T, %T, want *Array, string", name, i, args[i], args[i+1])
		}
		if a == nil {
			return errArray("BlockwiseIndex %q: nil array at argument %d", name, i)
		}
		if a.err != nil {
			return a
		}
		if len(s) != len(a.shape) {
			return errArray("BlockwiseIndex %q: index %q for an array of %d axes (argument %d)", name, s, len(a.shape), i)
		}
		if strings.ContainsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }) {
			return errArray("BlockwiseIndex %q: bad index %q (letters only)", name, s)
		}
		ins = append(ins, a)
		inds = append(inds, s)
	}
	if len(ins) == 0 {
		return errArray("BlockwiseIndex %q: no arrays", name)
	}
	if err := needKnown("BlockwiseIndex", ins...); err != nil {
		return &Array{err: err}
	}
	size := map[rune]int{}
	chunkOf := map[rune][]int{}
	for k, a := range ins {
		for i, l := range inds[k] {
			if n, ok := size[l]; ok && n != a.shape[i] {
				return errArray("BlockwiseIndex %q: index %q has length %d and %d (argument %d)", name, string(l), n, a.shape[i], 2*k)
			}
			if _, ok := size[l]; !ok {
				size[l] = a.shape[i]
				chunkOf[l] = a.chunks[i]
			}
		}
	}
	for i, l := range out {
		if _, ok := size[l]; !ok {
			return errArray("BlockwiseIndex %q: output index %q is not in any input", name, string(l))
		}
		if strings.ContainsRune(out[i+1:], l) {
			return errArray("BlockwiseIndex %q: output index %q repeated", name, string(l))
		}
	}
	for k, a := range ins {
		want := make(Explicit, len(a.shape))
		for i, l := range inds[k] {
			if strings.ContainsRune(out, l) {
				want[i] = chunkOf[l]
			} else {
				want[i] = []int{a.shape[i]}
			}
		}
		ins[k] = a.Rechunk(want)
		if ins[k].err != nil {
			return ins[k]
		}
	}
	shape := make([]int, 0, len(out))
	chunks := make(Explicit, 0, len(out))
	for _, l := range out {
		shape = append(shape, size[l])
		chunks = append(chunks, chunkOf[l])
	}
	pos := func(l rune) int { return strings.IndexRune(out, l) }
	return Blockwise(name, dt, shape, chunks, ins, func(idx []int) []BlockRef {
		refs := make([]BlockRef, len(ins))
		for k := range ins {
			bi := make([]int, 0, len(inds[k]))
			for _, l := range inds[k] {
				if p := pos(l); p >= 0 {
					bi = append(bi, idx[p])
				} else {
					bi = append(bi, 0)
				}
			}
			refs[k] = BlockRef{Input: k, Index: bi}
		}
		return refs
	}, nil)
}
