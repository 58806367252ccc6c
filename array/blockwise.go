package array

import (
	"context"
	"fmt"
	"sync"

	"github.com/godask/godask/graph"
)

// KernelFunc computes an output block from input blocks and the parameters
// given to Blockwise. It must not modify its inputs.
type KernelFunc func(params []byte, blocks []*Dense) (*Dense, error)

var kernelFuncs sync.Map

// RegisterKernelFunc registers f under name for Blockwise. Call it from an
// init function; registering a name twice panics.
func RegisterKernelFunc(name string, f KernelFunc) {
	if _, dup := kernelFuncs.LoadOrStore(name, f); dup {
		panic("array: RegisterKernelFunc: " + name + " registered twice")
	}
}

// BlockRef names block Index of input Input of Blockwise.
type BlockRef struct {
	Input int
	Index []int
}

func init() { registerKernel("kernel", kernelFuncKernel) }

// Blockwise is the general constructor that blocked algorithms (such as
// array/linalg) build on: an array of the given shape and chunks whose block
// idx is computed by the kernel registered under name from the input blocks
// deps(idx) returns, with params(idx) as parameters (params may be nil). The
// kernel's output must have the block's shape.
func Blockwise(name string, dt DType, shape []int, chunks Explicit, inputs []*Array,
	deps func(idx []int) []BlockRef, params func(idx []int) []byte) *Array {
	if err := firstErr(inputs...); err != nil {
		return &Array{err: err}
	}
	if err := needKnown(name, inputs...); err != nil {
		return &Array{err: err}
	}
	if _, ok := kernelFuncs.Load(name); !ok {
		return errArray("Blockwise: kernel %q is not registered (array.RegisterKernelFunc)", name)
	}
	if err := checkShape(name, shape); err != nil {
		return &Array{err: err}
	}
	c, err := chunks.normalize(shape)
	if err != nil {
		return errArray("%s: %v", name, err)
	}
	var bad error
	a := build(shape, c, dt, inputs, func(idx []int) (string, []byte, []graph.Key) {
		p := graph.AppendBytes(nil, []byte(name))
		p = append(p, byte(dt))
		p = appendInts(p, blockShape(c, idx))
		var pp []byte
		if params != nil {
			pp = params(idx)
		}
		p = graph.AppendBytes(p, pp)
		var ks []graph.Key
		for _, r := range deps(idx) {
			if r.Input < 0 || r.Input >= len(inputs) || len(r.Index) != len(inputs[r.Input].chunks) {
				bad = fmt.Errorf("array: %s: bad block reference %v", name, r)
				continue
			}
			in := inputs[r.Input]
			for d, v := range r.Index {
				if v < 0 || v >= len(in.chunks[d]) {
					bad = fmt.Errorf("array: %s: block %v out of range of grid %v", name, r.Index, gridShape(in.chunks))
				}
			}
			if bad == nil {
				ks = append(ks, in.blockKey(r.Index))
			}
		}
		return "kernel", p, ks
	})
	if bad != nil {
		return &Array{err: bad}
	}
	return a
}

func kernelFuncKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	r := graph.NewReader(p)
	name := string(r.Bytes())
	dt := DType(r.Byte())
	shape := readInts(r)
	pp := r.Bytes()
	if r.Err() != nil {
		return nil, r.Err()
	}
	f, ok := kernelFuncs.Load(name)
	if !ok {
		return nil, fmt.Errorf("kernel %q is not registered (array.RegisterKernelFunc)", name)
	}
	d, err := f.(KernelFunc)(pp, in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if d == nil || !chunksEqual(d.Shape, shape) {
		return nil, fmt.Errorf("kernel %q returned a block of shape %v, want %v", name, shapeOf(d), shape)
	}
	return d.convert(dt), nil
}
