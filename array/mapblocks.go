package array

import (
	"context"
	"fmt"
	"sync"

	"github.com/godask/godask/graph"
)

// MapFunc computes one output block from the blocks of MapBlocks' inputs at
// the same block index. It must not modify its inputs.
type MapFunc func(blocks []*Dense) (*Dense, error)

var mapFuncs sync.Map

// RegisterMapFunc registers f under name for MapBlocks, so the tasks can
// run on remote workers running the same binary. Call it from an init
// function; registering a name twice panics.
func RegisterMapFunc(name string, f MapFunc) {
	if _, dup := mapFuncs.LoadOrStore(name, f); dup {
		panic("array: RegisterMapFunc: " + name + " registered twice")
	}
}

func init() { registerKernel("map", mapKernel) }

// MapBlocks applies the function registered under name to every block of
// the arrays, which must have the same shape (the others are rechunked to
// the first's chunks). The result has dtype dt and, when chunks is nil, the
// first array's chunks; otherwise chunks must be Explicit with the same
// number of blocks per axis, and every output block must have the shape it
// gives.
func MapBlocks(name string, dt DType, chunks Explicit, as ...*Array) *Array {
	if err := firstErr(as...); err != nil {
		return &Array{err: err}
	}
	if len(as) == 0 {
		return errArray("MapBlocks %q: no arrays", name)
	}
	if err := needKnown("MapBlocks", as...); err != nil {
		return &Array{err: err}
	}
	if _, ok := mapFuncs.Load(name); !ok {
		return errArray("MapBlocks: function %q is not registered (array.RegisterMapFunc)", name)
	}
	first := as[0]
	ins := make([]*Array, len(as))
	for i, a := range as {
		if !chunksEqual(a.shape, first.shape) {
			return errArray("MapBlocks %q: shapes %s differ", name, shapesString(as))
		}
		ins[i] = a.Rechunk(Explicit(first.chunks))
	}
	out := first.chunks
	shape := first.shape
	if chunks != nil {
		if len(chunks) != len(first.chunks) {
			return errArray("MapBlocks %q: output chunks %v for %d axes", name, [][]int(chunks), len(first.chunks))
		}
		shape = make([]int, len(chunks))
		for i, c := range chunks {
			if len(c) != len(first.chunks[i]) {
				return errArray("MapBlocks %q: output chunks %v do not match the %v blocks of the input", name, [][]int(chunks), gridShape(first.chunks))
			}
			for _, v := range c {
				if v < 0 {
					return errArray("MapBlocks %q: negative output chunk in %v", name, [][]int(chunks))
				}
				shape[i] += v
			}
		}
		out = copyChunks(chunks)
	}
	return build(shape, out, dt, ins, func(idx []int) (string, []byte, []graph.Key) {
		p := graph.AppendBytes(nil, []byte(name))
		p = append(p, byte(dt))
		p = appendInts(p, blockShape(out, idx))
		deps := make([]graph.Key, len(ins))
		for i, a := range ins {
			deps[i] = a.blockKey(idx)
		}
		return "map", p, deps
	})
}

func mapKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	r := graph.NewReader(p)
	name := string(r.Bytes())
	dt := DType(r.Byte())
	shape := readInts(r)
	if r.Err() != nil {
		return nil, r.Err()
	}
	f, ok := mapFuncs.Load(name)
	if !ok {
		return nil, fmt.Errorf("map function %q is not registered (array.RegisterMapFunc)", name)
	}
	d, err := f.(MapFunc)(in)
	if err != nil {
		return nil, fmt.Errorf("map function %q: %w", name, err)
	}
	if d == nil || !chunksEqual(d.Shape, shape) {
		return nil, fmt.Errorf("map function %q returned a block of shape %v, want %v", name, shapeOf(d), shape)
	}
	return d.convert(dt), nil
}
