package delayed

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/godask/godask/internal/hugeheap"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// In is an input of a call: a *Value[T] (computed by the graph), a literal
// made with Lit, or a *Future[T].
type In[T any] interface {
	// input's parameter is never used: it ties the method set to T, so an
	// In[int] cannot be passed where an In[string] is wanted.
	input(*T) arg
}

// arg is one input as the builder sees it.
type arg struct {
	node  *node
	lit   any
	isLit bool
	typed bool // the literal is held by the typed call cell, not in lit
	fut   *core
}

// Lit wraps a plain value as an input. The value is stored in the task that
// reads it, and counts in that task's key.
func Lit[T any](v T) In[T] { return literal[T]{v} }

type literal[T any] struct{ v T }

func (l literal[T]) input(*T) arg { return arg{lit: l.v, isLit: true} }

// node is one task of the delayed graph and the nodes it reads. It is
// part of every call cell (see cell.go), so it is kept small: what few
// nodes have lives in rare, and the cell's flags sit in what would be
// padding.
type node struct {
	task *graph.Task
	rare *nodeRare
	size int32 // tasks in the node's graph, counting shared ones once per path (capped)
	// Flags of a typed call cell (see tcall): its arity, which inputs are
	// dependencies, and whether its function returns an error.
	nIn     uint8
	isDep   [2]bool
	withErr bool
}

// nodeRare holds what few nodes have: a building error, a future read,
// the inputs of a node that is not a typed call cell.
type nodeRare struct {
	err  error
	fut  *core  // set on the node that reads a future
	uid  uint64 // a call cell's literal keys by identity (see tcall.litParam)
	deps []*node
}

// inputs returns the nodes n reads, in the order of its task's Deps. A
// typed call cell (nIn > 0; its node is the first field of its tcall) keeps
// them in the cell, so that a node has no slice header of its own; every
// other node keeps them in rare.
func (n *node) inputs() []*node {
	if n.nIn > 0 {
		t := (*tcall)(unsafe.Pointer(n))
		return t.deps[:t.nDeps()]
	}
	if n.rare == nil {
		return nil
	}
	return n.rare.deps
}

// errNode is a node that failed to build with err.
func errNode(err error) *node { return &node{rare: &nodeRare{err: err}} }

// buildErr is the error met building n or its inputs, or nil.
func (n *node) buildErr() error {
	if n.rare == nil {
		return nil
	}
	return n.rare.err
}

// future is the future n reads, or nil.
func (n *node) future() *core {
	if n.rare == nil {
		return nil
	}
	return n.rare.fut
}

// Value is a lazy result of type T. The zero of a *Value is not usable; make
// values with Call, List, Lit-fed calls or Persist.
type Value[T any] struct{ n *node }

func (v *Value[T]) input(*T) arg {
	if v == nil {
		return arg{node: errNode(errors.New("delayed: nil *Value used as an input"))}
	}
	return arg{node: v.n}
}

// Key returns the key of the task that computes the value ("" on error).
func (v *Value[T]) Key() graph.Key {
	if v.n.task == nil {
		return ""
	}
	return v.n.task.Key
}

// Keys implements sched.Collection.
func (v *Value[T]) Keys() []graph.Key { return []graph.Key{v.Key()} }

// Err returns the error met while building the value or any of its inputs
// (a nil function, a nil input), or nil.
func (v *Value[T]) Err() error { return v.n.buildErr() }

// String prints the value like Dask's repr: Delayed('inc-1f2e…').
func (v *Value[T]) String() string {
	if v.n.buildErr() != nil {
		return fmt.Sprintf("Delayed(error: %v)", v.n.buildErr())
	}
	return fmt.Sprintf("Delayed('%s')", v.Key())
}

// Graph implements sched.Collection: the tasks of the value and of every
// value it reads, each once (merged by key).
func (v *Value[T]) Graph() (*graph.Graph, error) {
	if v.n.buildErr() != nil {
		return nil, v.n.buildErr()
	}
	n := int(min(int64(v.n.size), nodesBuilt.Load()))
	if n*graphBytes >= 4<<20 {
		hugeheap.Ensure(n * graphBytes)
	}
	g := graph.WithCapacity(n)
	addNodes(g, v.n)
	return g, nil
}

// addNodes adds the tasks of n and of the nodes it reads to g, inputs
// first, so that each is added with the positions of its inputs (see
// graph.AddResolved) and the graph needs no key lookups to resolve them. It
// returns n's position.
func addNodes(g *graph.Graph, root *node) int32 {
	type frame struct {
		n    *node
		deps []*node
		next int
	}
	var (
		stack []frame
		pos   []int32 // positions of the inputs finished so far, innermost last
	)
	visit := func(n *node) bool {
		deps := n.inputs()
		if len(deps) == 0 {
			i, _ := g.AddResolved(n.task, nil)
			pos = append(pos, int32(i))
			return false
		}
		if i := g.IndexOf(n.task.Key); i >= 0 {
			pos = append(pos, int32(i)) // shared: added through another path
			return false
		}
		stack = append(stack, frame{n: n, deps: deps})
		return true
	}
	visit(root)
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.next < len(f.deps) {
			d := f.deps[f.next]
			f.next++
			visit(d)
			continue
		}
		nd := len(f.deps)
		i, _ := g.AddResolved(f.n.task, pos[len(pos)-nd:]) // copied by the graph
		pos = pos[:len(pos)-nd]
		pos = append(pos, int32(i))
		stack = stack[:len(stack)-1]
	}
	return pos[0]
}

// maxSizeHint caps node.size: size overcounts shared inputs, exponentially
// so for repeated diamonds. Graph sizes its graph by the smaller of size and
// nodesBuilt, the number of call nodes built so far, which bounds the tasks
// of any graph.
const maxSizeHint = 1 << 30

// nodesBuilt counts the call nodes built (see maxSizeHint).
var nodesBuilt atomic.Int64

// roomEvery is how many call nodes are built between two requests for
// huge-page room on the heap (hugeheap.Ensure), each for the next
// roomEvery nodes at roomBytes a node: a large graph is mostly fresh
// memory, and on a VM its 4 KiB page faults cost more than the building.
const (
	roomEvery = 1 << 13
	roomBytes = 512
)

// graphBytes is about what a graph and its run hold per task beyond the
// nodes (the graph's task and index entries, the scheduler's state).
const graphBytes = 256

// built counts one more call node built.
func built() {
	if nodesBuilt.Add(1)&(roomEvery-1) == 0 {
		hugeheap.Ensure(roomEvery * roomBytes)
	}
}

// Finalize implements sched.Finalizer.
func (v *Value[T]) Finalize(vals []any) (any, error) { return as[T](vals[0]), nil }

// Persisted implements sched.Persister.
func (v *Value[T]) Persisted(vals []any) sched.Collection {
	return &Value[T]{n: &node{task: graph.ConstTask(v.Key(), vals[0])}}
}

// Compute runs the graph of v and returns its value. The error of a failed
// task is a *sched.TaskError naming the task's key and function.
func (v *Value[T]) Compute(ctx context.Context, opts ...sched.Option) (T, error) {
	var zero T
	g, err := v.Graph()
	if err != nil {
		return zero, err
	}
	vals, err := sched.Run(ctx, g, v.Keys(), opts...)
	if err != nil {
		return zero, err
	}
	return as[T](vals[0]), nil
}

// Persist computes v and returns a value with the same key that holds the
// result, so later calls that read it start from memory.
func (v *Value[T]) Persist(ctx context.Context, opts ...sched.Option) (*Value[T], error) {
	r, err := v.Compute(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return v.Persisted([]any{r}).(*Value[T]), nil
}

// Visualize writes the graph of v to path: DOT for .dot, a picture for .svg,
// .png or .pdf when Graphviz is installed.
func (v *Value[T]) Visualize(path string) error {
	g, err := v.Graph()
	if err != nil {
		return err
	}
	return graph.Visualize(g, path, v.Key())
}

// ComputeAll computes several values in one run (shared inputs run once).
func ComputeAll[T any](ctx context.Context, vs []*Value[T], opts ...sched.Option) ([]T, error) {
	g := &graph.Graph{}
	keys := make([]graph.Key, len(vs))
	for i, v := range vs {
		vg, err := v.Graph()
		if err != nil {
			return nil, fmt.Errorf("delayed: value %d: %w", i, err)
		}
		g.Merge(vg)
		keys[i] = v.Key()
	}
	vals, err := sched.Run(ctx, g, keys, opts...)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(vs))
	for i, x := range vals {
		out[i] = as[T](x)
	}
	return out, nil
}

func defaultWorkers() int { return runtime.GOMAXPROCS(0) }

// as converts an input value to T, mapping nil to T's zero value (a nil
// error or interface result).
func as[T any](x any) T {
	if x == nil {
		var z T
		return z
	}
	return x.(T)
}

// ---- functions ----

type fnEntry struct {
	name string
	fn   any
	info fnInfo // shared by the typed cells of calls of fn
}

var (
	regByName sync.Map // name -> *fnEntry
	regByPtr  sync.Map // funcval pointer -> *fnEntry
	pcNames   sync.Map // code pointer -> short and full name
)

// Register makes fn shippable under name: a task calling it can be encoded
// and run by a process running the same binary that registered the same name
// (at init, typically). A registered function's identity in keys is its name,
// so a closure registered once stands for one computation. It panics on an
// empty name, a non-function, or a name registered twice for another function.
func Register(name string, fn any) {
	if name == "" || fn == nil || reflect.TypeOf(fn).Kind() != reflect.Func {
		panic(fmt.Sprintf("delayed: Register(%q, %T): want a name and a function", name, fn))
	}
	e := &fnEntry{name: name, fn: fn, info: fnInfo{name: name, short: shortName(name), register: true}}
	if old, dup := regByName.LoadOrStore(name, e); dup {
		if funcPtr(old.(*fnEntry).fn) != funcPtr(fn) {
			panic("delayed: function name " + name + " registered twice")
		}
		return
	}
	regByPtr.Store(funcPtr(fn), e)
	fnGen.Add(1)
	t := reflect.TypeOf(fn)
	for i := 0; i < t.NumIn(); i++ {
		registerReflect(t.In(i))
	}
	for i := 0; i < t.NumOut(); i++ {
		registerReflect(t.Out(i))
	}
}

// registerReflect registers a gob codec for t when it has none; interface
// types are left to their dynamic values.
func registerReflect(t reflect.Type) {
	if t.Kind() == reflect.Interface {
		return
	}
	if _, ok := graph.CodecName(t); ok {
		return
	}
	graph.RegisterCodec(typeName(t), t, gobCodec(t))
}

// funcPtr is the identity of a func value: the pointer to its closure record
// (static for a top-level function, one per closure instance otherwise).
func funcPtr(fn any) uintptr {
	return uintptr((*[2]unsafe.Pointer)(unsafe.Pointer(&fn))[1])
}

type fnInfo struct {
	name     string // registered name, or the runtime name
	short    string // label for keys
	ptr      uintptr
	register bool
}

func infoOf(fn any) fnInfo {
	p := funcPtr(fn)
	if e, ok := regByPtr.Load(p); ok {
		n := e.(*fnEntry).name
		return fnInfo{name: n, short: shortName(n), ptr: p, register: true}
	}
	pc := reflect.ValueOf(fn).Pointer()
	if nm, ok := pcNames.Load(pc); ok {
		s := nm.([2]string)
		return fnInfo{name: s[0], short: s[1], ptr: p}
	}
	full := "func"
	if f := runtime.FuncForPC(pc); f != nil {
		full = f.Name()
	}
	s := [2]string{full, shortName(full)}
	pcNames.Store(pc, s)
	return fnInfo{name: s[0], short: s[1], ptr: p}
}

// shortName turns "github.com/x/y.(*T).m-fm" or "main.inc" into "m" or "inc".
func shortName(full string) string {
	s := full
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSuffix(s, "-fm")
	if s == "" {
		return "func"
	}
	return s
}

// ---- the call op ----

// callOp calls a Go function on its literal and computed inputs.
type callOp struct {
	info   fnInfo
	fn     any
	lits   []any  // per argument position; nil where the input is computed
	isDep  []bool // per argument position
	nDeps  int
	params []byte
	ship   error // why a registered call cannot ship (an unencodable literal)
	invoke func(args []any) (any, error)
}

// callCell holds a call's node, task and op in one allocation.
type callCell struct {
	node node
	task graph.Task
	op   callOp
}

var uniq atomic.Uint64

// build makes the node of a call of fn on ins.
// info, when not nil, names the function instead of its registration.
func build(fn any, info *fnInfo, invoke func([]any) (any, error), ins []arg) *node {
	if fn == nil || reflect.ValueOf(fn).IsNil() {
		return errNode(errors.New("delayed: call of a nil function"))
	}
	if info == nil {
		i := infoOf(fn)
		info = &i
	}
	for _, a := range ins {
		if !a.isLit && a.fut == nil && a.node.buildErr() != nil {
			return errNode(a.node.buildErr())
		}
	}
	c := &callCell{}
	op := &c.op
	*op = callOp{info: *info, fn: fn, invoke: invoke, isDep: make([]bool, len(ins))}
	var deps []*node
	var keys []graph.Key
	// The parameters are built past room left for the key, in the buffer
	// that then holds both (see graph.AppendKey).
	kl := len(info.short) + 33
	b := make([]byte, kl, kl+len(info.name)+12+12*len(ins))
	b = graph.AppendBytes(b, []byte(info.name))
	if !info.register {
		// Unregistered functions are told apart by closure identity, so two
		// closures of the same code never share a key.
		b = binary.AppendUvarint(b, uint64(info.ptr))
	}
	b = binary.AppendUvarint(b, uint64(len(ins)))
	for i, a := range ins {
		switch {
		case a.isLit:
			if op.lits == nil {
				op.lits = make([]any, len(ins))
			}
			op.lits[i] = a.lit
			if nb, err := graph.AppendValue(append(b, 0), a.lit); err == nil {
				b = nb
			} else {
				// Not encodable: keep it local, keyed by identity.
				b = append(b, 2)
				b = binary.AppendUvarint(b, uniq.Add(1))
				if op.ship == nil {
					op.ship = fmt.Errorf("argument %d of %s: %w", i, info.name, err)
				}
			}
		case a.fut != nil:
			n := futureNode(a.fut)
			op.isDep[i] = true
			deps = append(deps, n)
			keys = append(keys, n.task.Key)
			b = append(b, 1)
		default:
			op.isDep[i] = true
			deps = append(deps, a.node)
			keys = append(keys, a.node.task.Key)
			b = append(b, 1)
		}
	}
	op.nDeps = len(deps)
	op.params = b[kl:len(b):len(b)]
	built()
	size := 1
	for _, d := range deps {
		size += int(d.size)
	}
	k := graph.AppendKey(b[:0], info.short, "delayed.call", op.params, keys)
	c.task = graph.Task{Key: graph.Key(unsafe.String(unsafe.SliceData(k), len(k))), Op: op, Deps: keys}
	c.node = node{task: &c.task, size: int32(min(size, maxSizeHint))}
	if len(deps) > 0 {
		c.node.rare = &nodeRare{deps: deps}
	}
	return &c.node
}

// Name implements graph.Op.
func (*callOp) Name() string { return "delayed.call" }

// Label implements graph.Labeler: the function's short name.
func (c *callOp) Label() string { return c.info.short }

// Params implements graph.Op.
func (c *callOp) Params() ([]byte, error) { return c.params, nil }

// Ship implements graph.Shipper.
func (c *callOp) Ship() error {
	if !c.info.register {
		return fmt.Errorf("function %s is %w with delayed.Register", c.info.name, graph.ErrUnregistered)
	}
	return c.ship
}

// Run implements graph.Op.
func (c *callOp) Run(_ context.Context, in []any) (any, error) {
	if len(in) != c.nDeps {
		return nil, fmt.Errorf("delayed: %s got %d inputs, want %d", c.info.name, len(in), c.nDeps)
	}
	args := in
	if c.lits != nil {
		if c.nDeps == 0 {
			args = c.lits
		} else {
			args = make([]any, len(c.isDep))
			j := 0
			for i, d := range c.isDep {
				if d {
					args[i] = in[j]
					j++
				} else {
					args[i] = c.lits[i]
				}
			}
		}
	}
	return c.invoke(args)
}

// ---- typed calls ----

func value[R any](n *node) *Value[R] {
	graph.RegisterType[R]()
	return &Value[R]{n: n}
}

// Call returns the lazy result of fn(a).
func Call[A, R any](fn func(A) R, a In[A]) *Value[R] {
	if fn == nil {
		return value[R](errNode(errors.New("delayed: call of a nil function")))
	}
	return newCell1[A, R](fn, false, a)
}

// Call2 returns the lazy result of fn(a, b).
func Call2[A, B, R any](fn func(A, B) R, a In[A], b In[B]) *Value[R] {
	if fn == nil {
		return value[R](errNode(errors.New("delayed: call of a nil function")))
	}
	return newCell2[A, B, R](fn, false, a, b)
}

// Call3 returns the lazy result of fn(a, b, c).
func Call3[A, B, C, R any](fn func(A, B, C) R, a In[A], b In[B], c In[C]) *Value[R] {
	return value[R](build(fn, nil, func(x []any) (any, error) {
		return fn(as[A](x[0]), as[B](x[1]), as[C](x[2])), nil
	}, []arg{in[A](a), in[B](b), in[C](c)}))
}

// Call4 returns the lazy result of fn(a, b, c, d).
func Call4[A, B, C, D, R any](fn func(A, B, C, D) R, a In[A], b In[B], c In[C], d In[D]) *Value[R] {
	return value[R](build(fn, nil, func(x []any) (any, error) {
		return fn(as[A](x[0]), as[B](x[1]), as[C](x[2]), as[D](x[3])), nil
	}, []arg{in[A](a), in[B](b), in[C](c), in[D](d)}))
}

// CallE returns the lazy result of a function that can fail; its error fails
// the task (and the run) with the task's key.
func CallE[A, R any](fn func(A) (R, error), a In[A]) *Value[R] {
	if fn == nil {
		return value[R](errNode(errors.New("delayed: call of a nil function")))
	}
	return newCell1[A, R](fn, true, a)
}

// Call2E is CallE for two inputs.
func Call2E[A, B, R any](fn func(A, B) (R, error), a In[A], b In[B]) *Value[R] {
	if fn == nil {
		return value[R](errNode(errors.New("delayed: call of a nil function")))
	}
	return newCell2[A, B, R](fn, true, a, b)
}

// Call3E is CallE for three inputs.
func Call3E[A, B, C, R any](fn func(A, B, C) (R, error), a In[A], b In[B], c In[C]) *Value[R] {
	return value[R](build(fn, nil, func(x []any) (any, error) {
		return fn(as[A](x[0]), as[B](x[1]), as[C](x[2]))
	}, []arg{in[A](a), in[B](b), in[C](c)}))
}

// in reads an input, turning a nil interface into an error node.
func in[T any](x In[T]) arg {
	if x == nil {
		return arg{node: errNode(errors.New("delayed: nil input"))}
	}
	return x.input(nil)
}

// List gathers inputs into one lazy []T, the Go form of passing a list of
// delayed values to a function.
func List[T any](xs ...In[T]) *Value[[]T] {
	ins := make([]arg, len(xs))
	for i, x := range xs {
		ins[i] = in[T](x)
	}
	var zero T
	name := "delayed.list[" + typeName(reflect.TypeOf(&zero).Elem()) + "]"
	if _, ok := regByName.Load(name); !ok {
		Register(name, listOf[T])
	}
	info := &fnInfo{name: name, short: "list", register: true}
	return value[[]T](build(listOf[T], info, func(x []any) (any, error) {
		out := make([]T, len(x))
		for i, v := range x {
			out[i] = as[T](v)
		}
		return out, nil
	}, ins))
}

// listOf is the identity of List's function: registered per element type, so
// a list ships when its elements do.
func listOf[T any](xs ...T) []T { return xs }
