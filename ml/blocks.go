package ml

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/godask/godask/array"
	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// A pass is one read of the data: a registered kernel turns every row block
// (x and, for supervised passes, y) into a fixed-size partial result, and the
// partials are merged by a tree of tasks (treeFan at a time). The same kernel
// runs over in-memory blocks inside a task (grid search fits), so there is one
// implementation of each statistic.
type passKernel struct {
	// block computes the partial of one row block; y is nil for passes
	// without labels.
	block func(params []byte, blk int, x, y *array.Dense) ([]float64, error)
	// merge folds src into dst; nil means elementwise sum.
	merge func(params []byte, dst, src []float64)
}

const treeFan = 8

var passKernels = map[string]*passKernel{}

func registerPass(name string, k *passKernel) {
	if _, dup := passKernels[name]; dup {
		panic("ml: pass " + name + " registered twice")
	}
	passKernels[name] = k
}

func init() {
	array.RegisterKernelFunc("ml.pass", passBlockKernel)
	array.RegisterKernelFunc("ml.merge", passMergeKernel)
	array.RegisterKernelFunc("ml.rows", rowsKernel)
}

func encodePass(name string, check bool, size int, p []byte) []byte {
	b := graph.AppendBytes(nil, []byte(name))
	c := byte(0)
	if check {
		c = 1
	}
	b = append(b, c)
	b = appendUvarint(b, uint64(size))
	return graph.AppendBytes(b, p)
}

func decodePass(b []byte) (k *passKernel, name string, check bool, size int, p []byte, err error) {
	r := graph.NewReader(b)
	name = string(r.Bytes())
	check = r.Byte() == 1
	size = int(r.Uvarint())
	p = r.Bytes()
	if r.Err() != nil {
		return nil, "", false, 0, nil, r.Err()
	}
	k = passKernels[name]
	if k == nil {
		return nil, "", false, 0, nil, fmt.Errorf("ml: pass %q is not registered", name)
	}
	return k, name, check, size, p, nil
}

func passBlockKernel(params []byte, in []*array.Dense) (*array.Dense, error) {
	blk := int(binary.LittleEndian.Uint32(params[len(params)-4:]))
	k, name, check, size, p, err := decodePass(params[:len(params)-4])
	if err != nil {
		return nil, err
	}
	x := in[0]
	var y *array.Dense
	if len(in) > 1 {
		y = in[1]
	}
	out, err := runBlock(k, name, check, size, p, blk, x, y)
	if err != nil {
		return nil, err
	}
	return array.NewDenseFloat64(out, 1, size)
}

func runBlock(k *passKernel, name string, check bool, size int, p []byte, blk int, x, y *array.Dense) ([]float64, error) {
	if check {
		if err := checkFinite(x, y); err != nil {
			return nil, err
		}
	}
	out, err := k.block(p, blk, x, y)
	if err != nil {
		return nil, err
	}
	if len(out) != size {
		return nil, fmt.Errorf("ml: pass %s returned %d values, want %d", name, len(out), size)
	}
	return out, nil
}

func passMergeKernel(params []byte, in []*array.Dense) (*array.Dense, error) {
	k, _, _, size, p, err := decodePass(params)
	if err != nil {
		return nil, err
	}
	dst := append([]float64(nil), in[0].Data...)
	for _, d := range in[1:] {
		mergeInto(k, p, dst, d.Data)
	}
	return array.NewDenseFloat64(dst, 1, size)
}

func mergeInto(k *passKernel, p []byte, dst, src []float64) {
	if k.merge != nil {
		k.merge(p, dst, src)
		return
	}
	for i, v := range src {
		dst[i] += v
	}
}

// checkFinite reports NaN or ±Inf in a block of X (and NaN in y).
func checkFinite(x, y *array.Dense) error {
	d := x.Data
	// Σv² is finite when every v is (an overflow of huge finite values
	// falls through to the scan, which then finds nothing)
	if s := dot4(d, d); s-s != 0 {
		return nonFinite(x, y)
	}
	if y != nil {
		for _, v := range y.Data {
			if v != v {
				return nonFinite(x, y)
			}
		}
	}
	return nil
}

// nonFinite is checkFinite's error, naming the first bad value (nil
// when there is none).
func nonFinite(x, y *array.Dense) error {
	d := x.Data
	for i, v := range d {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			cols := 1
			if len(x.Shape) == 2 {
				cols = x.Shape[1]
			}
			return fmt.Errorf("X holds %v at row %d (of its block), column %d: impute or drop it first (SimpleImputer)", v, i/cols, i%cols)
		}
	}
	if y != nil {
		for i, v := range y.Data {
			if math.IsNaN(v) {
				return fmt.Errorf("y holds NaN at row %d (of its block)", i)
			}
		}
	}
	return nil
}

// rows is the data a fit reads: lazily chunked arrays (every pass a graph
// run) or blocks in memory (inside a task, e.g. a grid-search fold).
type rows interface {
	dims() (n, p int)
	// blocks is the number of row blocks.
	blocks() int
	// pass runs the registered pass kernel over all row blocks and returns
	// the merged partial of length size.
	pass(ctx context.Context, name string, params []byte, size int, check bool) ([]float64, error)
}

type lazyRows struct {
	x, y *array.Array
	opts []sched.Option
}

func (r *lazyRows) dims() (int, int) { s := r.x.Shape(); return s[0], s[1] }
func (r *lazyRows) blocks() int      { return len(r.x.Chunks()[0]) }

func (r *lazyRows) pass(ctx context.Context, name string, params []byte, size int, check bool) ([]float64, error) {
	a := passArray(r.x, r.y, name, params, size, check)
	d, err := a.Compute(ctx, r.opts...)
	if err != nil {
		return nil, err
	}
	return d.Data, nil
}

// passArray is the lazy form of a pass: a (1, size) array.
func passArray(x, y *array.Array, name string, params []byte, size int, check bool) *array.Array {
	nb := len(x.Chunks()[0])
	ins := []*array.Array{x}
	if y != nil {
		ins = append(ins, y)
	}
	bp := encodePass(name, check, size, params)
	ones := make([]int, nb)
	for i := range ones {
		ones[i] = 1
	}
	a := array.Blockwise("ml.pass", array.Float64, []int{nb, size}, array.Explicit{ones, {size}}, ins,
		func(idx []int) []array.BlockRef {
			refs := []array.BlockRef{{Input: 0, Index: rowIndex(x, idx[0])}}
			if y != nil {
				refs = append(refs, array.BlockRef{Input: 1, Index: rowIndex(y, idx[0])})
			}
			return refs
		}, func(idx []int) []byte {
			return binary.LittleEndian.AppendUint32(append([]byte(nil), bp...), uint32(idx[0]))
		})
	mp := encodePass(name, false, size, params)
	for nb > 1 {
		next := (nb + treeFan - 1) / treeFan
		ones := make([]int, next)
		for i := range ones {
			ones[i] = 1
		}
		cur, n := a, nb
		a = array.Blockwise("ml.merge", array.Float64, []int{next, size}, array.Explicit{ones, {size}}, []*array.Array{cur},
			func(idx []int) []array.BlockRef {
				var refs []array.BlockRef
				for j := idx[0] * treeFan; j < min(n, (idx[0]+1)*treeFan); j++ {
					refs = append(refs, array.BlockRef{Input: 0, Index: []int{j, 0}})
				}
				return refs
			}, func([]int) []byte { return mp })
		nb = next
	}
	return a
}

type localRows struct {
	xs, ys []*array.Dense
	n, p   int
}

func newLocalRows(xs, ys []*array.Dense) *localRows {
	r := &localRows{xs: xs, ys: ys}
	for _, x := range xs {
		r.n += x.Shape[0]
		r.p = x.Shape[1]
	}
	return r
}

func (r *localRows) dims() (int, int) { return r.n, r.p }
func (r *localRows) blocks() int      { return len(r.xs) }

func (r *localRows) pass(_ context.Context, name string, params []byte, size int, check bool) ([]float64, error) {
	k := passKernels[name]
	if k == nil {
		return nil, fmt.Errorf("ml: pass %q is not registered", name)
	}
	var acc []float64
	for i, x := range r.xs {
		var y *array.Dense
		if r.ys != nil {
			y = r.ys[i]
		}
		out, err := runBlock(k, name, check, size, params, i, x, y)
		if err != nil {
			return nil, err
		}
		if acc == nil {
			acc = append([]float64(nil), out...)
		} else {
			mergeInto(k, params, acc, out)
		}
	}
	if acc == nil {
		return nil, fmt.Errorf("ml: pass %s over no rows", name)
	}
	return acc, nil
}

// checkX validates X for estimator est: a 2-D float64 array with known
// chunks and at least one row. Column chunks are gathered per row block.
func checkX(est string, X *array.Array) (*array.Array, error) {
	if X == nil {
		return nil, errf(est, "X is nil")
	}
	if err := X.Err(); err != nil {
		return nil, fmt.Errorf("ml: %s: X: %w", est, err)
	}
	if X.Ndim() != 2 {
		return nil, errf(est, "X has shape %v: want a 2-D array (rows, features)", X.Shape())
	}
	if X.DType() != array.Float64 {
		return nil, errf(est, "X has dtype %v: want float64 (convert with X.AsType(array.Float64))", X.DType())
	}
	sh := X.Shape()
	ch := X.Chunks()
	for _, c := range ch[0] {
		if c < 0 {
			return nil, errf(est, "X has unknown row chunk sizes: call ComputeChunkSizes first")
		}
	}
	if sh[0] == 0 || sh[1] == 0 {
		return nil, errf(est, "X has shape %v: want at least one row and one feature", sh)
	}
	if len(ch[1]) > 1 {
		X = X.Rechunk(array.Explicit{ch[0], {sh[1]}})
	}
	return X, nil
}

// checkY validates y against X: 1-D, as long as X, with X's row chunks.
// Integer and bool labels are converted to float64.
func checkY(est string, y, X *array.Array) (*array.Array, error) {
	if y == nil {
		return nil, errf(est, "y is nil: this estimator needs targets")
	}
	if err := y.Err(); err != nil {
		return nil, fmt.Errorf("ml: %s: y: %w", est, err)
	}
	if y.Ndim() != 1 {
		return nil, errf(est, "y has shape %v: want a 1-D array", y.Shape())
	}
	if y.Shape()[0] != X.Shape()[0] {
		return nil, errf(est, "y has %d rows, X has %d", y.Shape()[0], X.Shape()[0])
	}
	yc, xc := y.Chunks()[0], X.Chunks()[0]
	if !sameInts(yc, xc) {
		return nil, errf(est, "y has row chunks %v, X has %v: rechunk y with y.Rechunk(array.Explicit{X.Chunks()[0]})", short(yc), short(xc))
	}
	if y.DType() != array.Float64 {
		y = y.AsType(array.Float64)
	}
	return y, nil
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func short(c []int) string {
	if len(c) <= 6 {
		return fmt.Sprint(c)
	}
	return fmt.Sprintf("%v…(%d blocks)", c[:6], len(c))
}

// Row mapping: one task per row block of X runs a fitted model's block
// method. The model travels in the parameters, encoded by Save; decoded
// models are cached per process by their bytes' hash.
const (
	rowPredict byte = iota
	rowProba
	rowTransform
)

// mapRows returns the lazy result of applying m's block method kind to every
// row block of X; cols is the output width (0: a 1-D result).
func mapRows(est string, m Model, X *array.Array, kind byte, cols int) *array.Array {
	x, err := checkX(est, X)
	if err != nil {
		return array.Zeros([]int{0}, nil).WithErr(err)
	}
	b, err := Save(m)
	if err != nil {
		return array.Zeros([]int{0}, nil).WithErr(fmt.Errorf("ml: %s: %w", est, err))
	}
	p := append([]byte{kind}, b...)
	rc := x.Chunks()[0]
	n := x.Shape()[0]
	shape, chunks := []int{n}, array.Explicit{rc}
	if cols > 0 {
		shape, chunks = []int{n, cols}, array.Explicit{rc, {cols}}
	}
	return array.Blockwise("ml.rows", array.Float64, shape, chunks, []*array.Array{x},
		func(idx []int) []array.BlockRef { return []array.BlockRef{{Input: 0, Index: []int{idx[0], 0}}} },
		func([]int) []byte { return p })
}

var modelCache struct {
	sync.Mutex
	m map[[2]uint64]Model
}

func cachedLoad(b []byte) (Model, error) {
	h1, h2 := graph.Hash128(b)
	k := [2]uint64{h1, h2}
	modelCache.Lock()
	m, ok := modelCache.m[k]
	modelCache.Unlock()
	if ok {
		return m, nil
	}
	m, err := Load(b)
	if err != nil {
		return nil, err
	}
	modelCache.Lock()
	if modelCache.m == nil || len(modelCache.m) > 64 {
		modelCache.m = map[[2]uint64]Model{}
	}
	modelCache.m[k] = m
	modelCache.Unlock()
	return m, nil
}

func rowsKernel(params []byte, in []*array.Dense) (*array.Dense, error) {
	if len(params) == 0 {
		return nil, fmt.Errorf("ml.rows: empty parameters")
	}
	m, err := cachedLoad(params[1:])
	if err != nil {
		return nil, err
	}
	x := in[0]
	switch params[0] {
	case rowPredict:
		p, ok := m.(BlockPredictor)
		if !ok {
			return nil, fmt.Errorf("ml: %s does not predict", m.ModelName())
		}
		return p.PredictBlock(x)
	case rowProba:
		p, ok := m.(BlockProbaPredictor)
		if !ok {
			return nil, fmt.Errorf("ml: %s does not predict probabilities", m.ModelName())
		}
		return p.PredictProbaBlock(x)
	case rowTransform:
		p, ok := m.(BlockTransformer)
		if !ok {
			return nil, fmt.Errorf("ml: %s does not transform", m.ModelName())
		}
		return p.TransformBlock(x)
	}
	return nil, fmt.Errorf("ml.rows: unknown kind %d", params[0])
}

// rowIndex is the index of row block i of a (1-D or 2-D with one column
// chunk).
func rowIndex(a *array.Array, i int) []int {
	if a.Ndim() == 1 {
		return []int{i}
	}
	return []int{i, 0}
}

// checkXY is checkX and checkY together.
func checkXY(est string, X, y *array.Array) (*array.Array, *array.Array, error) {
	x, err := checkX(est, X)
	if err != nil {
		return nil, nil, err
	}
	yy, err := checkY(est, y, x)
	if err != nil {
		return nil, nil, err
	}
	return x, yy, nil
}

// taskOp is an ml task that is not an array block (a grid-search fold
// split, step or score; a tree): a registered name and its parameters.
type taskOp struct {
	name string
	p    []byte
}

type taskRun func(ctx context.Context, params []byte, in []any) (any, error)

var taskRuns = map[string]taskRun{}

func registerTaskOp(name string, run taskRun) {
	taskRuns[name] = run
	graph.Register(name, func(p []byte) (graph.Op, error) { return &taskOp{name: name, p: p}, nil })
}

func (o *taskOp) Name() string { return o.name }
func (o *taskOp) Label() string {
	return strings.ReplaceAll(strings.TrimPrefix(o.name, "ml."), ".", "-")
}
func (o *taskOp) Params() ([]byte, error) { return o.p, nil }

func (o *taskOp) Run(ctx context.Context, in []any) (any, error) {
	run, ok := taskRuns[o.name]
	if !ok {
		return nil, fmt.Errorf("ml: task op %s is not registered", o.name)
	}
	return run(ctx, o.p, in)
}
