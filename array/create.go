package array

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"sync"
	"unsafe"

	"github.com/godask/godask/graph"
	"gonum.org/v1/gonum/mat"
)

func init() {
	registerKernel("full", fullKernel)
	registerKernel("arange", arangeKernel)
	registerKernel("eye", eyeKernel)
	registerKernel("random", randomKernel)
	registerKernel("func", funcKernel)
}

func prepare(op string, shape []int, chunks Chunking) ([][]int, error) {
	if err := checkShape(op, shape); err != nil {
		return nil, err
	}
	if chunks == nil {
		chunks = Regular(nil)
	}
	c, err := chunks.normalize(shape)
	if err != nil {
		return nil, fmt.Errorf("array: %s of shape %s: %w", op, shapeString(shape), err)
	}
	return c, nil
}

// blockStart returns the global offset of the block at idx.
func blockStart(chunks [][]int, idx []int) []int {
	s := make([]int, len(idx))
	for i, v := range idx {
		for _, c := range chunks[i][:v] {
			s[i] += c
		}
	}
	return s
}

// FromDense splits d into blocks of the given chunking (nil: one block). The
// data is copied once, into the blocks, so d may be reused afterwards. Block
// keys hash the data, so the same data gives the same keys.
func FromDense(d *Dense, chunks Chunking) *Array {
	if d == nil {
		return errArray("FromDense: nil *Dense")
	}
	c, err := prepare("FromDense", d.Shape, chunks)
	if err != nil {
		return &Array{err: err}
	}
	a := &Array{shape: append([]int{}, d.Shape...), chunks: c, dtype: d.DType}
	grid := gridShape(c)
	a.keys = make([]graph.Key, prod(grid))
	_ = forEachBlock(grid, func(flat int, idx []int) error {
		b := extractBlock(d, blockStart(c, idx), blockShape(c, idx))
		k := constKey(b, idx)
		a.keys[flat] = k
		a.tasks = append(a.tasks, graph.ConstTask(k, b))
		return nil
	})
	return a
}

// FromSlice wraps float64 data of the given shape as an array with the given
// chunking (nil: one block). The data is copied into blocks.
func FromSlice(data []float64, shape []int, chunks Chunking) *Array {
	if err := checkShape("FromSlice", shape); err != nil {
		return &Array{err: err}
	}
	d, err := NewDenseFloat64(data, shape...)
	if err != nil {
		return &Array{err: err}
	}
	return FromDense(d, chunks)
}

// FromMatrix splits a gonum matrix into blocks (see FromDense).
func FromMatrix(m mat.Matrix, chunks Chunking) *Array { return FromDense(FromMat(m), chunks) }

func rawBytes(d *Dense) []byte {
	n := d.Len()
	if n == 0 {
		return nil
	}
	switch d.DType {
	case Float32:
		return unsafe.Slice((*byte)(unsafe.Pointer(&d.F32[0])), 4*n)
	case Int64:
		return unsafe.Slice((*byte)(unsafe.Pointer(&d.I64[0])), 8*n)
	case Bool:
		return unsafe.Slice((*byte)(unsafe.Pointer(&d.B[0])), n)
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&d.Data[0])), 8*n)
}

func constKey(b *Dense, idx []int) graph.Key {
	h1, h2 := graph.Hash128(rawBytes(b))
	p := appendUvarint(nil, h1)
	p = appendUvarint(p, h2)
	p = append(p, byte(b.DType))
	p = appendInts(p, b.Shape)
	p = appendInts(p, idx)
	return graph.NewKey("array", "graph.const", p, nil)
}

// extractBlock copies the region [start, start+shape) of d.
func extractBlock(d *Dense, start, shape []int) *Dense {
	out := NewDense(d.DType, shape...)
	nd := len(shape)
	if nd == 0 {
		out.copyRange(0, d, 0, 1)
		return out
	}
	if out.Len() == 0 {
		return out
	}
	row := shape[nd-1]
	idx := make([]int, nd-1)
	for r := 0; r < out.Len()/row; r++ {
		off := start[nd-1]
		for i := 0; i < nd-1; i++ {
			off += (start[i] + idx[i]) * d.Strides[i]
		}
		out.copyRange(r*row, d, off, row)
		for k := nd - 2; k >= 0; k-- {
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
	}
	return out
}

// Full returns an array of the given shape filled with v.
func Full(shape []int, v float64, dt DType, chunks Chunking) *Array {
	c, err := prepare("Full", shape, chunks)
	if err != nil {
		return &Array{err: err}
	}
	if !dt.valid() {
		return errArray("Full: invalid dtype %d", dt)
	}
	return build(shape, c, dt, nil, func(idx []int) (string, []byte, []graph.Key) {
		p := []byte{byte(dt)}
		p = appendF64(p, v)
		p = appendInts(p, blockShape(c, idx))
		return "full", p, nil
	})
}

// Zeros returns a float64 array of zeros.
func Zeros(shape []int, chunks Chunking) *Array { return Full(shape, 0, Float64, chunks) }

// Ones returns a float64 array of ones.
func Ones(shape []int, chunks Chunking) *Array { return Full(shape, 1, Float64, chunks) }

func fullKernel(_ context.Context, p []byte, _ []*Dense) (*Dense, error) {
	dt := DType(p[0])
	r := graph.NewReader(p[1:])
	v := readF64(r)
	shape := readInts(r)
	if r.Err() != nil {
		return nil, r.Err()
	}
	d := NewDense(dt, shape...)
	if v != 0 {
		if dt == Float64 {
			for i := range d.Data {
				d.Data[i] = v
			}
		} else {
			tmp := make([]float64, d.Len())
			for i := range tmp {
				tmp[i] = v
			}
			d.storeF64(tmp, 0)
		}
	}
	return d, nil
}

// Arange returns the 1-d float64 array start, start+step, ... below stop
// (above it for a negative step), like numpy.arange.
func Arange(start, stop, step float64, chunk int) *Array {
	if step == 0 || math.IsNaN(step) || math.IsInf(step, 0) || math.IsNaN(start) || math.IsNaN(stop) {
		return errArray("Arange(%g, %g, %g): step must be finite and non-zero", start, stop, step)
	}
	n := int(math.Ceil((stop - start) / step))
	if n < 0 {
		n = 0
	}
	return linear("Arange", start, step, n, chunk, math.NaN())
}

// Linspace returns num evenly spaced float64 values over [start, stop],
// like numpy.linspace with endpoint=True.
func Linspace(start, stop float64, num, chunk int) *Array {
	if num < 0 {
		return errArray("Linspace: negative number of samples %d", num)
	}
	step := 0.0
	if num > 1 {
		step = (stop - start) / float64(num-1)
	}
	a := linear("Linspace", start, step, num, chunk, stop)
	return a
}

func linear(op string, start, step float64, n, chunk int, last float64) *Array {
	c, err := prepare(op, []int{n}, Regular{chunk})
	if err != nil {
		return &Array{err: err}
	}
	off := offsets(c[0])
	return build([]int{n}, c, Float64, nil, func(idx []int) (string, []byte, []graph.Key) {
		p := appendF64(nil, start)
		p = appendF64(p, step)
		p = appendF64(p, last)
		p = appendInts(p, []int{off[idx[0]], c[0][idx[0]], n})
		return "arange", p, nil
	})
}

func arangeKernel(_ context.Context, p []byte, _ []*Dense) (*Dense, error) {
	r := graph.NewReader(p)
	start, step, last := readF64(r), readF64(r), readF64(r)
	v := readInts(r)
	if r.Err() != nil || len(v) != 3 {
		return nil, fmt.Errorf("bad params")
	}
	d := NewDense(Float64, v[1])
	for i := range d.Data {
		d.Data[i] = start + float64(v[0]+i)*step
	}
	// Linspace's end point is exact, not start+(n-1)*step.
	if !math.IsNaN(last) && v[0]+v[1] == v[2] && v[1] > 0 && v[2] > 1 {
		d.Data[v[1]-1] = last
	}
	return d, nil
}

// Eye returns the n×m float64 array with ones on the k-th diagonal.
func Eye(n, m, k int, chunks Chunking) *Array {
	c, err := prepare("Eye", []int{n, m}, chunks)
	if err != nil {
		return &Array{err: err}
	}
	return build([]int{n, m}, c, Float64, nil, func(idx []int) (string, []byte, []graph.Key) {
		p := appendInts(nil, blockStart(c, idx))
		p = appendInts(p, blockShape(c, idx))
		p = appendVarint(p, int64(k))
		return "eye", p, nil
	})
}

func eyeKernel(_ context.Context, p []byte, _ []*Dense) (*Dense, error) {
	r := graph.NewReader(p)
	st, sh, k := readInts(r), readInts(r), int(r.Varint())
	if r.Err() != nil {
		return nil, r.Err()
	}
	d := NewDense(Float64, sh...)
	for i := 0; i < sh[0]; i++ {
		j := st[0] + i + k - st[1]
		if j >= 0 && j < sh[1] {
			d.Data[i*sh[1]+j] = 1
		}
	}
	return d, nil
}

const (
	randUniform = iota
	randNormal
	randIntegers
)

// Uniform returns float64 samples of U[lo, hi) drawn from seed. Each
// element's value depends only on the seed and its position in the whole
// array, so the numbers are the same whatever the chunking and worker count.
func Uniform(seed uint64, lo, hi float64, shape []int, chunks Chunking) *Array {
	return random("Uniform", randUniform, seed, lo, hi, Float64, shape, chunks)
}

// Normal returns float64 samples of N(mean, std²) drawn from seed
// (chunking-independent, see Uniform).
func Normal(seed uint64, mean, std float64, shape []int, chunks Chunking) *Array {
	return random("Normal", randNormal, seed, mean, std, Float64, shape, chunks)
}

// Integers returns int64 samples uniform on [lo, hi) drawn from seed
// (chunking-independent, see Uniform), exactly in range for any int64
// bounds, the full range included. A sample is the high 64 bits of a
// 64-bit hash times hi-lo, so the bias is below (hi-lo)/2^64.
func Integers(seed uint64, lo, hi int64, shape []int, chunks Chunking) *Array {
	if hi <= lo {
		return errArray("Integers: empty range [%d, %d)", lo, hi)
	}
	// The bounds travel as their bit patterns: a float64 cannot hold every
	// int64.
	return random("Integers", randIntegers, seed, math.Float64frombits(uint64(lo)), math.Float64frombits(uint64(hi)), Int64, shape, chunks)
}

func random(op string, kind int, seed uint64, a, b float64, dt DType, shape []int, chunks Chunking) *Array {
	c, err := prepare(op, shape, chunks)
	if err != nil {
		return &Array{err: err}
	}
	return build(shape, c, dt, nil, func(idx []int) (string, []byte, []graph.Key) {
		p := []byte{byte(kind)}
		p = appendUvarint(p, seed)
		p = appendF64(p, a)
		p = appendF64(p, b)
		p = appendInts(p, shape)
		p = appendInts(p, blockStart(c, idx))
		p = appendInts(p, blockShape(c, idx))
		return "random", p, nil
	})
}

// mix64 is the SplitMix64 finalizer: a bijective avalanche of a 64-bit
// counter, the counter-based generator behind the random arrays.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func u01(h uint64) float64 { return float64(h>>11) * (1.0 / (1 << 53)) }

func randomKernel(_ context.Context, p []byte, _ []*Dense) (*Dense, error) {
	kind := int(p[0])
	r := graph.NewReader(p[1:])
	seed := r.Uvarint()
	a, b := readF64(r), readF64(r)
	shape, st, sh := readInts(r), readInts(r), readInts(r)
	if r.Err() != nil {
		return nil, r.Err()
	}
	dt := Float64
	if kind == randIntegers {
		dt = Int64
	}
	d := NewDense(dt, sh...)
	base := mix64(seed ^ 0x9e3779b97f4a7c15)
	gstr := cStrides(shape)
	nd := len(sh)
	n := d.Len()
	if n == 0 {
		return d, nil
	}
	row := 1
	if nd > 0 {
		row = sh[nd-1]
	}
	idx := make([]int, max(nd-1, 0))
	lo := math.Float64bits(a)
	rng := math.Float64bits(b) - lo // hi - lo, exact in uint64 for any int64 bounds
	for o := 0; o < n; o += row {
		g := 0
		for i := 0; i < nd-1; i++ {
			g += (st[i] + idx[i]) * gstr[i]
		}
		if nd > 0 {
			g += st[nd-1]
		}
		for j := 0; j < row; j++ {
			ctr := base + uint64(g+j)*0x9e3779b97f4a7c15
			switch kind {
			case randUniform:
				d.Data[o+j] = a + (b-a)*u01(mix64(ctr))
			case randNormal:
				u1 := 1 - u01(mix64(ctr))
				u2 := u01(mix64(ctr ^ 0xd1b54a32d192ed03))
				d.Data[o+j] = a + b*math.Sqrt(-2*math.Log(u1))*math.Cos(2*math.Pi*u2)
			case randIntegers:
				hi, _ := bits.Mul64(mix64(ctr), rng)
				d.I64[o+j] = int64(lo + hi)
			}
		}
		for k := nd - 2; k >= 0; k-- {
			idx[k]++
			if idx[k] < sh[k] {
				break
			}
			idx[k] = 0
		}
	}
	return d, nil
}

// BlockFunc generates the block of an array that starts at offset and has
// the given shape (see RegisterFunc and FromFunc).
type BlockFunc func(offset, shape []int) (*Dense, error)

var blockFuncs sync.Map

// RegisterFunc registers a block generator under name, so that FromFunc
// arrays can be computed by remote workers running the same binary. Call it
// from an init function; registering a name twice panics.
func RegisterFunc(name string, f BlockFunc) {
	if _, dup := blockFuncs.LoadOrStore(name, f); dup {
		panic("array: RegisterFunc: " + name + " registered twice")
	}
}

// FromFunc returns an array whose blocks are made by the generator
// registered under name (see RegisterFunc).
func FromFunc(name string, shape []int, dt DType, chunks Chunking) *Array {
	if _, ok := blockFuncs.Load(name); !ok {
		return errArray("FromFunc: block function %q is not registered (array.RegisterFunc)", name)
	}
	c, err := prepare("FromFunc", shape, chunks)
	if err != nil {
		return &Array{err: err}
	}
	return build(shape, c, dt, nil, func(idx []int) (string, []byte, []graph.Key) {
		p := graph.AppendBytes(nil, []byte(name))
		p = append(p, byte(dt))
		p = appendInts(p, blockStart(c, idx))
		p = appendInts(p, blockShape(c, idx))
		return "func", p, nil
	})
}

func funcKernel(_ context.Context, p []byte, _ []*Dense) (*Dense, error) {
	r := graph.NewReader(p)
	name := string(r.Bytes())
	dt := DType(r.Byte())
	st, sh := readInts(r), readInts(r)
	if r.Err() != nil {
		return nil, r.Err()
	}
	f, ok := blockFuncs.Load(name)
	if !ok {
		return nil, fmt.Errorf("block function %q is not registered (array.RegisterFunc)", name)
	}
	d, err := f.(BlockFunc)(st, sh)
	if err != nil {
		return nil, fmt.Errorf("block function %q at offset %v: %w", name, st, err)
	}
	if d == nil || !chunksEqual(d.Shape, sh) {
		return nil, fmt.Errorf("block function %q at offset %v returned shape %v, want %v", name, st, shapeOf(d), sh)
	}
	return d.convert(dt), nil
}

func shapeOf(d *Dense) []int {
	if d == nil {
		return nil
	}
	return d.Shape
}
