package delayed

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/godask/godask/graph"
)

// Typed call cells: Call, Call2, CallE and Call2E build their task in one
// allocation, a cell that is at once the Value, its node, its task and the
// task's op, holding the function and the literal arguments with their Go
// types. Nothing is boxed to build or to run such a call, and the op's
// parameters are encoded only when asked for (Params): the key is hashed
// from the same encoding written to a stack buffer. A cell's op encodes
// exactly as the callOp the general path builds (same name, same
// parameters, hence the same key), and decodes to a callOp.

// keyInline is the room for a key inside a cell; longer keys (labels of
// more than keyInline-33 bytes) are allocated apart.
const keyInline = 48

// tcall is the part of a typed call cell that does not depend on the types.
// Its flags (arity, which inputs are dependencies, whether the function
// returns an error) are kept in the node. Every byte counts: a graph of 10^7
// calls is 10^7 cells, and fresh memory costs page faults.
type tcall struct {
	node node // first: node.inputs finds the cell from its node
	task graph.Task
	// fn is the function value, a func(A) R or (node.withErr) a
	// func(A) (R, error) of the cell's types, and its description; calls
	// of one function value share it (see infoRef).
	fn   *fnRef
	deps [2]*node
	keys [2]graph.Key
	key  [keyInline]byte
}

// nDeps is the number of inputs that are dependencies.
func (t *tcall) nDeps() int {
	n := 0
	for _, d := range t.node.isDep {
		if d {
			n++
		}
	}
	return n
}

// uid is not 0 when some literal could not be encoded: literal i is then
// keyed uid+i.
func (t *tcall) uid() uint64 {
	if t.node.rare == nil {
		return 0
	}
	return t.node.rare.uid
}

// setFn stores the function value f (a func of the cell's type) and its
// description.
func (t *tcall) setFn(f any, withErr bool) {
	t.fn = infoRef(f)
	t.node.withErr = withErr
}

// Name implements graph.Op.
func (*tcall) Name() string { return "delayed.call" }

// Label implements graph.Labeler: the function's short name.
func (t *tcall) Label() string { return t.fn.info.short }

// appendHead appends the parameters that precede the arguments.
func (t *tcall) appendHead(b []byte) []byte {
	info := t.fn.info
	b = binary.AppendUvarint(b, uint64(len(info.name)))
	b = append(b, info.name...)
	if !info.register {
		b = binary.AppendUvarint(b, uint64(uintptr(t.fn.fn)))
	}
	return binary.AppendUvarint(b, uint64(t.node.nIn))
}

// litParam appends literal i, encoded by appendLit into nb with err;
// a literal that cannot be encoded is keyed by identity.
func (t *tcall) litParam(b, nb []byte, i int, err error) []byte {
	if err == nil {
		return nb
	}
	if t.uid() == 0 {
		t.node.rare = &nodeRare{uid: uniq.Add(2)}
	}
	b = append(b, 2)
	return binary.AppendUvarint(b, t.uid()+uint64(i))
}

// setDep records argument i as computed by n.
func (t *tcall) setDep(i int, n *node) {
	j := t.nDeps()
	t.node.isDep[i] = true
	t.deps[j] = n
	t.keys[j] = n.task.Key
}

// finish hashes the parameters p into the key and links node and task.
func (t *tcall) finish(op graph.Op, p []byte) *node {
	nd := t.nDeps()
	keys := t.keys[:nd:nd]
	var k []byte
	if len(t.fn.info.short)+33 <= keyInline {
		k = t.fn.appendKey(t.key[:0], p, keys)
	} else {
		k = t.fn.appendKey(nil, p, keys)
	}
	built()
	size := 1
	for _, d := range t.deps[:nd] {
		size += int(d.size)
	}
	t.task = graph.Task{Key: graph.Key(unsafe.String(unsafe.SliceData(k), len(k))), Op: op, Deps: keys}
	t.node.task, t.node.size = &t.task, int32(min(size, maxSizeHint))
	return &t.node
}

// check is Run's check of its inputs.
func (t *tcall) check(in []any) error {
	if nd := t.nDeps(); len(in) != nd {
		return fmt.Errorf("delayed: %s got %d inputs, want %d", t.fn.info.name, len(in), nd)
	}
	return nil
}

// ship is Ship given the first literal encoding error.
func (t *tcall) ship(litErr func() (int, error)) error {
	if !t.fn.info.register {
		return fmt.Errorf("function %s is %w with delayed.Register", t.fn.info.name, graph.ErrUnregistered)
	}
	if t.uid() != 0 {
		i, err := litErr()
		return fmt.Errorf("argument %d of %s: %w", i, t.fn.info.name, err)
	}
	return nil
}

// cell1 is the one allocation of a call with one input.
type cell1[A, R any] struct {
	v Value[R]
	t tcall
	a A
}

func (k *cell1[A, R]) Name() string  { return k.t.Name() }
func (k *cell1[A, R]) Label() string { return k.t.Label() }

// Params implements graph.Op: the encoding of callOp.Params.
func (k *cell1[A, R]) Params() ([]byte, error) { return k.appendParams(nil), nil }

func (k *cell1[A, R]) appendParams(b []byte) []byte {
	b = k.t.appendHead(b)
	if k.t.node.isDep[0] {
		return append(b, 1)
	}
	nb, err := appendLit(append(b, 0), k.a)
	return k.t.litParam(b, nb, 0, err)
}

// Ship implements graph.Shipper.
func (k *cell1[A, R]) Ship() error {
	return k.t.ship(func() (int, error) { _, err := appendLit(nil, k.a); return 0, err })
}

// Run implements graph.Op.
func (k *cell1[A, R]) Run(_ context.Context, in []any) (any, error) {
	if err := k.t.check(in); err != nil {
		return nil, err
	}
	a := k.a
	if k.t.node.isDep[0] {
		a = as[A](in[0])
	}
	if k.t.node.withErr {
		return (*(*func(A) (R, error))(unsafe.Pointer(&k.t.fn.fn)))(a)
	}
	return (*(*func(A) R)(unsafe.Pointer(&k.t.fn.fn)))(a), nil
}

// cell2 is the one allocation of a call with two inputs.
type cell2[A, B, R any] struct {
	v Value[R]
	t tcall
	a A
	b B
}

func (k *cell2[A, B, R]) Name() string  { return k.t.Name() }
func (k *cell2[A, B, R]) Label() string { return k.t.Label() }

// Params implements graph.Op: the encoding of callOp.Params.
func (k *cell2[A, B, R]) Params() ([]byte, error) { return k.appendParams(nil), nil }

func (k *cell2[A, B, R]) appendParams(b []byte) []byte {
	b = k.t.appendHead(b)
	if k.t.node.isDep[0] {
		b = append(b, 1)
	} else {
		nb, err := appendLit(append(b, 0), k.a)
		b = k.t.litParam(b, nb, 0, err)
	}
	if k.t.node.isDep[1] {
		return append(b, 1)
	}
	nb, err := appendLit(append(b, 0), k.b)
	return k.t.litParam(b, nb, 1, err)
}

// Ship implements graph.Shipper.
func (k *cell2[A, B, R]) Ship() error {
	return k.t.ship(func() (int, error) {
		if !k.t.node.isDep[0] {
			if _, err := appendLit(nil, k.a); err != nil {
				return 0, err
			}
		}
		_, err := appendLit(nil, k.b)
		return 1, err
	})
}

// Run implements graph.Op.
func (k *cell2[A, B, R]) Run(_ context.Context, in []any) (any, error) {
	if err := k.t.check(in); err != nil {
		return nil, err
	}
	a, b := k.a, k.b
	j := 0
	if k.t.node.isDep[0] {
		a = as[A](in[0])
		j++
	}
	if k.t.node.isDep[1] {
		b = as[B](in[j])
	}
	if k.t.node.withErr {
		return (*(*func(A, B) (R, error))(unsafe.Pointer(&k.t.fn.fn)))(a, b)
	}
	return (*(*func(A, B) R)(unsafe.Pointer(&k.t.fn.fn)))(a, b), nil
}

// appendLit appends the graph.AppendValue encoding of v, boxing v only for
// the types that are not scalars.
func appendLit[T any](b []byte, v T) ([]byte, error) {
	if nb, ok := graph.AppendScalar(b, any(v)); ok {
		return nb, nil
	}
	return graph.AppendValue(b, any(v))
}

// typedIn reads input i of a typed call into t: a literal is stored in
// *lit, a computed input becomes a dependency. It returns the input's
// building error, if any. In is sealed, so the switch covers every kind of
// input; x is only type-switched, not called, so it does not escape and a
// Lit passed straight to a call needs no allocation.
func typedIn[T any](t *tcall, i int, x In[T], lit *T) error {
	switch x := x.(type) {
	case literal[T]:
		*lit = x.v
		return nil
	case *Value[T]:
		if x == nil {
			return errors.New("delayed: nil *Value used as an input")
		}
		if x.n.buildErr() != nil {
			return x.n.buildErr()
		}
		t.setDep(i, x.n)
		return nil
	case *Future[T]:
		t.setDep(i, futureNode(x.c))
		return nil
	case nil:
		return errors.New("delayed: nil input")
	}
	return errors.New("delayed: unknown kind of input") // In is sealed: not reached
}

// newCell1 builds the call of fn (fnE) on a.
// f is fn, a func(A) R, or (withErr) a func(A) (R, error).
func newCell1[A, R any](f any, withErr bool, a In[A]) *Value[R] {
	k := &cell1[A, R]{}
	k.t.setFn(f, withErr)
	k.t.node.nIn = 1
	if err := typedIn(&k.t, 0, a, &k.a); err != nil {
		return value[R](errNode(err))
	}
	var pb [128]byte
	p := k.appendParams(pb[:0])
	k.v.n = k.t.finish(k, p)
	registerResult[R]()
	return &k.v
}

// newCell2 builds the call of fn (fnE) on a and b.
// f is fn, a func(A, B) R, or (withErr) a func(A, B) (R, error).
func newCell2[A, B, R any](f any, withErr bool, a In[A], b In[B]) *Value[R] {
	k := &cell2[A, B, R]{}
	k.t.setFn(f, withErr)
	k.t.node.nIn = 2
	if err := typedIn(&k.t, 0, a, &k.a); err != nil {
		return value[R](errNode(err))
	}
	if err := typedIn(&k.t, 1, b, &k.b); err != nil {
		return value[R](errNode(err))
	}
	var pb [128]byte
	p := k.appendParams(pb[:0])
	k.v.n = k.t.finish(k, p)
	registerResult[R]()
	return &k.v
}

// fnRef is a function value and its description, shared by the call cells
// of that value. infoRef keeps the last one it made: a builder calls the same
// few functions over and over. gen is fnGen when it was made.
type fnRef struct {
	// fn is the func value's data word, the pointer to its closure record:
	// its identity, and (held here) it keeps the closure alive, so that the
	// cache is never matched by a later closure at the same address.
	fn   unsafe.Pointer
	info *fnInfo
	gen  uint64
	// keys holds the hash of the start of its calls' keys (the op's name
	// and the function's), one per length of parameters modulo 4: the
	// calls of one function differ in their parameters' length only by
	// their literals.
	keys [4]atomic.Pointer[graph.KeyPrefix]
}

// appendKey appends the key of a call of r with parameters p and inputs
// deps (graph.AppendKey), through the prefix kept for p's length.
func (r *fnRef) appendKey(dst []byte, p []byte, deps []graph.Key) []byte {
	slot := &r.keys[len(p)&3]
	kp := slot.Load()
	if !kp.Fits("delayed.call", p) {
		// The function's name leads the parameters (see appendHead).
		kp = graph.NewKeyPrefix("delayed.call", p, len(r.info.name)+1)
		slot.Store(kp)
	}
	return kp.AppendKey(dst, r.info.short, "delayed.call", p, deps)
}

var (
	lastInfo atomic.Pointer[fnRef]
	fnGen    atomic.Uint64 // bumped by Register
	pcInfo   sync.Map      // code pointer -> *fnInfo of unregistered functions
)

// infoRef returns the shared function value and description of fn.
func infoRef(fn any) *fnRef {
	p := (*[2]unsafe.Pointer)(unsafe.Pointer(&fn))[1]
	gen := fnGen.Load()
	if l := lastInfo.Load(); l != nil && l.fn == p && l.gen == gen {
		return l
	}
	var info *fnInfo
	if e, ok := regByPtr.Load(uintptr(p)); ok {
		info = &e.(*fnEntry).info
	} else {
		pc := reflect.ValueOf(fn).Pointer()
		if x, ok := pcInfo.Load(pc); ok {
			info = x.(*fnInfo)
		} else {
			full := "func"
			if f := runtime.FuncForPC(pc); f != nil {
				full = f.Name()
			}
			x, _ := pcInfo.LoadOrStore(pc, &fnInfo{name: full, short: shortName(full)})
			info = x.(*fnInfo)
		}
	}
	r := &fnRef{fn: p, info: info, gen: gen}
	lastInfo.Store(r)
	return r
}

// lastResult is the result type registerResult last saw registered.
var lastResult atomic.Pointer[reflect.Type]

// registerResult is graph.RegisterType[R], skipped when R is the type of
// the previous call (a builder makes many calls of one type in a row).
func registerResult[R any]() {
	if p := lastResult.Load(); p != nil && *p == reflect.TypeFor[R]() {
		return
	}
	graph.RegisterType[R]()
	storeResult(reflect.TypeFor[R]())
}

func storeResult(t reflect.Type) { lastResult.Store(&t) }
