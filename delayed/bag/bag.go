package bag

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/godask/godask/delayed"
	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Bag is a lazy, partitioned collection of values of type T. It is immutable:
// every operation returns a new Bag. A Bag made by a failed step (a glob
// matching nothing, Zip of unequal partitionings) carries that error, returned
// by Err and by Compute; later steps keep it.
type Bag[T any] struct {
	err   error
	parts []*pipe
	name  string // the last operation, for String
}

// Pair is a key and a value: the elements of Frequencies, FoldBy, GroupBy
// and Zip.
type Pair[K, V any] struct {
	Key   K
	Value V
}

// node is one task of a bag's graph and the nodes it reads.
type node struct {
	task *graph.Task
	deps []*node
}

// pipe is one partition of a bag as it will be computed: a source (what its
// task reads: a file range, a computed partition, a range of numbers) and the
// element-wise stages pending on it, fused into the task that ends the
// pipeline (see sinkNodes).
type pipe struct {
	src    *spec
	deps   []*node
	stages []*spec // shared between the partitions of a bag; never modified
}

// spec names a factory (a source, a stage, a sink or an aggregation) with the
// functions and literal values it needs and its encoded parameters.
type spec struct {
	kind  string // factory name, with the type names it is built for
	label string // display name in keys and reprs
	fns   []fnRef
	lits  []any
	arg   []byte
	// reuse (a text source's, set by pipeOp.Run, never encoded): the
	// pipeline keeps no string of a read buffer, which may be reused.
	reuse bool
	// blocks (a text-fields source's, set by pipeOp.Run, never encoded):
	// emit whole pieces of text, not their words, to a sink that splits
	// them itself (a fields sink: see defFieldsSink).
	blocks bool
}

// fnRef is a function passed to a bag: its registered name (delayed.Register)
// or, unregistered, its runtime name and closure identity.
type fnRef struct {
	name string
	reg  bool
	ptr  uintptr
	fn   any
}

var uniq atomic.Uint64

func ref(fn any) fnRef {
	if name, ok := delayed.RegisteredName(fn); ok {
		return fnRef{name: name, reg: true, fn: fn}
	}
	return fnRef{name: delayed.FuncName(fn), ptr: uintptr((*[2]unsafe.Pointer)(unsafe.Pointer(&fn))[1]), fn: fn}
}

// builtin registers one of the package's own functions under name, so that
// the steps using it ship, and returns its reference.
func builtin(name string, fn any) fnRef {
	if _, ok := delayed.Lookup(name); !ok {
		delayed.Register(name, fn)
	}
	return fnRef{name: name, reg: true, fn: fn}
}

func isNilFunc(fn any) bool {
	if fn == nil {
		return true
	}
	v := reflect.ValueOf(fn)
	return v.Kind() == reflect.Func && v.IsNil()
}

// ---- factories ----

// The factories that turn specs into running code, by kind. A kind holds the
// type names it was instantiated with, and is registered when a bag step
// using it is built, so a process rebuilding a task (Loopback, a worker
// running the same program) finds it.
type (
	srcFn      func(ctx context.Context, in []any, emit any) error
	srcMaker   func(s *spec) (srcFn, error)
	stageMaker func(s *spec, next any) (any, error)
	sinkMaker  func(s *spec) (emit any, finish func() (any, error), err error)
	aggFn      func(ctx context.Context, in []any) (any, error)
	aggMaker   func(s *spec) (aggFn, error)
)

var factories sync.Map // "src:"+kind etc. -> maker

func def(class, kind string, maker any) {
	factories.LoadOrStore(class+":"+kind, maker)
}

func factory[M any](class, kind string) (M, error) {
	var zero M
	f, ok := factories.Load(class + ":" + kind)
	if !ok {
		return zero, fmt.Errorf("bag: %s %s is not built in this process (build the same bag step in it first)", class, kind)
	}
	return f.(M), nil
}

// defSrc registers a typed source: run pushes the partition's elements to
// emit until it returns false.
func defSrc[T any](kind string, mk func(s *spec) (func(ctx context.Context, in []any, emit func(T) bool) error, error)) {
	def("src", kind, srcMaker(func(s *spec) (srcFn, error) {
		run, err := mk(s)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, in []any, emit any) error { return run(ctx, in, emit.(func(T) bool)) }, nil
	}))
}

// defStage registers a typed element-wise stage from T to U.
func defStage[T, U any](kind string, mk func(s *spec, next func(U) bool) (func(T) bool, error)) {
	def("stage", kind, stageMaker(func(s *spec, next any) (any, error) {
		n, ok := next.(func(U) bool)
		if !ok {
			return nil, fmt.Errorf("bag: stage %s: next stage takes %T", kind, next)
		}
		return mk(s, n)
	}))
}

// defSink registers a typed sink: the end of a pipeline, which makes the
// partition's value.
func defSink[T any](kind string, mk func(s *spec) (func(T) bool, func() (any, error), error)) {
	def("sink", kind, sinkMaker(func(s *spec) (any, func() (any, error), error) {
		return mk(s)
	}))
}

// defFieldsSink registers the fields form of sink kind: a sink taking
// texts whose words (as Fields cuts them) are its elements, which splits
// and consumes them in one loop. A pipeline ending in Fields then kind runs
// it in place of both (see pipeOp.Run).
func defFieldsSink(kind string, mk func(s *spec) (func(string) bool, func() (any, error), error)) {
	def("fsink", kind, sinkMaker(func(s *spec) (any, func() (any, error), error) {
		return mk(s)
	}))
}

func defAgg(kind string, mk aggMaker) { def("agg", kind, mk) }

// typeName names T in factory kinds and codec names.
func typeName[T any]() string {
	t := reflect.TypeOf((*T)(nil)).Elem()
	return rtName(t)
}

func rtName(t reflect.Type) string {
	if t.PkgPath() != "" && t.Name() != "" {
		return t.PkgPath() + "." + t.Name()
	}
	return t.String()
}

func kindOf(base string, names ...string) string {
	return base + "[" + strings.Join(names, ",") + "]"
}

// ---- encoding of specs ----

func appendSpec(b []byte, s *spec) ([]byte, error) {
	b = graph.AppendBytes(b, []byte(s.kind))
	b = graph.AppendBytes(b, []byte(s.label))
	b = binary.AppendUvarint(b, uint64(len(s.fns)))
	for _, f := range s.fns {
		b = graph.AppendBytes(b, []byte(f.name))
		if f.reg {
			b = append(b, 1)
		} else {
			b = append(b, 0)
			b = binary.AppendUvarint(b, uint64(f.ptr))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(s.lits)))
	for _, l := range s.lits {
		nb, err := graph.AppendValue(b, l)
		if err != nil {
			// Not encodable: kept local, keyed by identity.
			b = graph.AppendBytes(b, nil)
			b = binary.AppendUvarint(b, uniq.Add(1))
			continue
		}
		b = nb
	}
	return graph.AppendBytes(b, s.arg), nil
}

func readSpec(r *graph.Reader) (*spec, error) {
	s := &spec{kind: string(r.Bytes()), label: string(r.Bytes())}
	n := r.Uvarint()
	if r.Err() == nil && n > uint64(len(r.Rest())) {
		return nil, errors.New("bag: spec: function count exceeds input")
	}
	for i := uint64(0); i < n && r.Err() == nil; i++ {
		f := fnRef{name: string(r.Bytes())}
		switch r.Byte() {
		case 1:
			f.reg = true
			fn, ok := delayed.Lookup(f.name)
			if !ok {
				return nil, fmt.Errorf("bag: step %s: function %s is %w with delayed.Register in this process", s.kind, f.name, graph.ErrUnregistered)
			}
			f.fn = fn
		default:
			return nil, fmt.Errorf("bag: step %s: function %s is %w with delayed.Register", s.kind, f.name, graph.ErrUnregistered)
		}
		s.fns = append(s.fns, f)
	}
	nl := r.Uvarint()
	if r.Err() == nil && nl > uint64(len(r.Rest())) {
		return nil, errors.New("bag: spec: literal count exceeds input")
	}
	for i := uint64(0); i < nl && r.Err() == nil; i++ {
		p := r.Bytes()
		if r.Err() != nil {
			break
		}
		if len(p) == 0 {
			return nil, fmt.Errorf("bag: step %s: literal %d has no codec", s.kind, i)
		}
		v, err := graph.DecodeValue(p)
		if err != nil {
			return nil, fmt.Errorf("bag: step %s: literal %d: %w", s.kind, i, err)
		}
		s.lits = append(s.lits, v)
	}
	s.arg = r.Bytes()
	if r.Err() != nil {
		return nil, fmt.Errorf("bag: decode step %s: %w", s.kind, r.Err())
	}
	return s, nil
}

// ship says why s cannot cross a process boundary.
func (s *spec) ship() error {
	for _, f := range s.fns {
		if !f.reg {
			return fmt.Errorf("bag: %s: function %s is %w with delayed.Register", s.label, f.name, graph.ErrUnregistered)
		}
	}
	for i, l := range s.lits {
		if _, err := graph.EncodeValue(l); err != nil {
			return fmt.Errorf("bag: %s: literal %d: %w", s.label, i, err)
		}
	}
	return nil
}

// ---- the pipeline op ----

// pipeOp runs one partition's pipeline: its source, its stages and a sink.
type pipeOp struct {
	src    *spec
	stages []*spec
	sink   *spec
	params []byte
}

func newPipeOp(p *pipe, sink *spec) (*pipeOp, error) {
	op := &pipeOp{src: p.src, stages: p.stages, sink: sink}
	b, err := appendSpec(nil, p.src)
	if err != nil {
		return nil, err
	}
	b = binary.AppendUvarint(b, uint64(len(p.stages)))
	for _, s := range p.stages {
		if b, err = appendSpec(b, s); err != nil {
			return nil, err
		}
	}
	if b, err = appendSpec(b, sink); err != nil {
		return nil, err
	}
	op.params = b
	return op, nil
}

// Name implements graph.Op.
func (*pipeOp) Name() string { return "bag.pipe" }

// Label implements graph.Labeler: the last step of the pipeline.
func (o *pipeOp) Label() string {
	if o.sink.label != "" {
		return o.sink.label
	}
	if len(o.stages) > 0 {
		return o.stages[len(o.stages)-1].label
	}
	return o.src.label
}

// Params implements graph.Op.
func (o *pipeOp) Params() ([]byte, error) { return o.params, nil }

// Ship implements graph.Shipper: every function of the pipeline must be
// registered.
func (o *pipeOp) Ship() error {
	if err := o.src.ship(); err != nil {
		return err
	}
	for _, s := range o.stages {
		if err := s.ship(); err != nil {
			return err
		}
	}
	return o.sink.ship()
}

// Run implements graph.Op.
func (o *pipeOp) Run(ctx context.Context, in []any) (any, error) {
	stages, src := o.stages, o.src
	class := "sink"
	if _, ok := factories.Load("fsink:" + o.sink.kind); ok {
		// Fields then a sink with a fields form: the sink splits the texts.
		if n := len(stages); n > 0 && stages[n-1].kind == "fields" {
			stages, class = stages[:n-1], "fsink"
		} else if n == 0 && src.kind == "text-fields" {
			c := *src
			c.blocks = true
			src, class = &c, "fsink"
		}
	}
	mk, err := factory[sinkMaker](class, o.sink.kind)
	if err != nil {
		return nil, err
	}
	emit, finish, err := mk(o.sink)
	if err != nil {
		return nil, err
	}
	for i := len(stages) - 1; i >= 0; i-- {
		st, err := factory[stageMaker]("stage", stages[i].kind)
		if err != nil {
			return nil, err
		}
		if emit, err = st(stages[i], emit); err != nil {
			return nil, err
		}
	}
	if o.transient() {
		c := *src
		c.reuse = true
		src = &c
	}
	sm, err := factory[srcMaker]("src", src.kind)
	if err != nil {
		return nil, err
	}
	run, err := sm(src)
	if err != nil {
		return nil, err
	}
	if err := run(ctx, in, emit); err != nil {
		return nil, err
	}
	return finish()
}

// transient reports whether the pipeline keeps no string its source emits
// once the call that passed it returns, so that a text source may read
// every piece into the same buffer: a text source, only Fields stages
// (substrings passed on at once) and a sink that copies what it keeps
// (Frequencies and Distinct: short strings packed into words, long ones
// cloned) or keeps nothing (Count). A function of the user's (Map, Filter,
// FlatMap, Fold, ...) may keep its argument, so any such step makes the
// source read into fresh buffers.
func (o *pipeOp) transient() bool {
	if o.src.kind != "text" && o.src.kind != "text-fields" {
		return false
	}
	for _, s := range o.stages {
		if s.kind != "fields" {
			return false
		}
	}
	return o.sink.kind == kindOf("freq", "string") || o.sink.kind == kindOf("count", "string")
}

// aggOp combines whole values (tree reductions) or one part of each input
// (the assembling side of a shuffle, when piece >= 0).
type aggOp struct {
	s      *spec
	piece  int
	params []byte
}

func newAggOp(s *spec, piece int) (*aggOp, error) {
	b := binary.AppendVarint(nil, int64(piece))
	b, err := appendSpec(b, s)
	if err != nil {
		return nil, err
	}
	return &aggOp{s: s, piece: piece, params: b}, nil
}

// Name implements graph.Op.
func (*aggOp) Name() string { return "bag.agg" }

// Label implements graph.Labeler.
func (o *aggOp) Label() string { return o.s.label }

// Params implements graph.Op.
func (o *aggOp) Params() ([]byte, error) { return o.params, nil }

// Ship implements graph.Shipper.
func (o *aggOp) Ship() error { return o.s.ship() }

// InputParts implements graph.PartReader: a shuffle's assembling task reads
// piece o.piece of every split.
func (o *aggOp) InputParts(n int) []int { return graph.AllParts(n, o.piece) }

// Run implements graph.Op.
func (o *aggOp) Run(ctx context.Context, in []any) (any, error) {
	mk, err := factory[aggMaker]("agg", o.s.kind)
	if err != nil {
		return nil, err
	}
	f, err := mk(o.s)
	if err != nil {
		return nil, err
	}
	return f(ctx, in)
}

func init() {
	graph.Register("bag.pipe", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		src, err := readSpec(r)
		if err != nil {
			return nil, err
		}
		n := r.Uvarint()
		if r.Err() == nil && n > uint64(len(r.Rest())) {
			return nil, errors.New("bag: pipe: stage count exceeds input")
		}
		op := &pipeOp{src: src, params: p}
		for i := uint64(0); i < n; i++ {
			s, err := readSpec(r)
			if err != nil {
				return nil, err
			}
			op.stages = append(op.stages, s)
		}
		if op.sink, err = readSpec(r); err != nil {
			return nil, err
		}
		if len(r.Rest()) != 0 {
			return nil, fmt.Errorf("bag: pipe: %d trailing bytes", len(r.Rest()))
		}
		return op, nil
	})
	graph.Register("bag.agg", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		piece := int(r.Varint())
		s, err := readSpec(r)
		if err != nil {
			return nil, err
		}
		if len(r.Rest()) != 0 {
			return nil, fmt.Errorf("bag: agg: %d trailing bytes", len(r.Rest()))
		}
		return &aggOp{s: s, piece: piece, params: p}, nil
	})
}

// ---- building nodes ----

func keysOf(ns []*node) []graph.Key {
	ks := make([]graph.Key, len(ns))
	for i, n := range ns {
		ks[i] = n.task.Key
	}
	return ks
}

func newNode(op graph.Op, deps []*node) (*node, error) {
	t, err := graph.NewTask(op, keysOf(deps)...)
	if err != nil {
		return nil, err
	}
	return &node{task: t, deps: deps}, nil
}

// sinkNodes ends every partition's pipeline in sink: one task per partition.
func (b *Bag[T]) sinkNodes(sink *spec) ([]*node, error) {
	out := make([]*node, len(b.parts))
	for i, p := range b.parts {
		op, err := newPipeOp(p, sink)
		if err != nil {
			return nil, err
		}
		if out[i], err = newNode(op, p.deps); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// partNodes returns nodes whose values are the bag's partitions (*part[T]):
// the partitions themselves when they are computed values with nothing
// pending, else a collecting task per partition.
func (b *Bag[T]) partNodes() ([]*node, error) {
	if b.err != nil {
		return nil, b.err
	}
	ensurePart[T]()
	pending := &Bag[T]{name: b.name}
	var at []int
	out := make([]*node, len(b.parts))
	for i, p := range b.parts {
		if p.src.kind == partSrcKind[T]() && len(p.stages) == 0 && len(p.deps) == 1 {
			out[i] = p.deps[0]
			continue
		}
		pending.parts = append(pending.parts, p)
		at = append(at, i)
	}
	if len(at) > 0 {
		ns, err := pending.sinkNodes(&spec{kind: kindOf("collect", typeName[T]()), label: b.label()})
		if err != nil {
			return nil, err
		}
		for k, i := range at {
			out[i] = ns[k]
		}
	}
	return out, nil
}

func (b *Bag[T]) label() string {
	if b.name == "" {
		return "bag"
	}
	return b.name
}

// fromNodes is the bag whose partitions are the *part[T] values of ns.
func fromNodes[T any](ns []*node, name string) *Bag[T] {
	ensurePart[T]()
	src := &spec{kind: partSrcKind[T](), label: name}
	parts := make([]*pipe, len(ns))
	for i, n := range ns {
		parts[i] = &pipe{src: src, deps: []*node{n}}
	}
	return &Bag[T]{parts: parts, name: name}
}

func errBag[T any](err error) *Bag[T] { return &Bag[T]{err: err} }

// graphOf collects the tasks of the given nodes and everything they read.
func graphOf(roots []*node) *graph.Graph {
	g := &graph.Graph{}
	stack := append([]*node(nil), roots...)
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !g.Add(n.task) {
			continue
		}
		stack = append(stack, n.deps...)
	}
	return g
}

// withStage appends an element-wise stage to every partition.
func withStage[T, U any](b *Bag[T], s *spec) *Bag[U] {
	if b.err != nil {
		return errBag[U](b.err)
	}
	parts := make([]*pipe, len(b.parts))
	shared := map[*spec][]*spec{} // partitions with equal stages share the extension
	for i, p := range b.parts {
		key := p.src
		if len(p.stages) > 0 {
			key = p.stages[len(p.stages)-1]
		}
		st, ok := shared[key]
		if !ok || len(st) != len(p.stages)+1 {
			st = make([]*spec, len(p.stages)+1)
			copy(st, p.stages)
			st[len(p.stages)] = s
			shared[key] = st
		}
		parts[i] = &pipe{src: p.src, deps: p.deps, stages: st}
	}
	return &Bag[U]{parts: parts, name: s.label}
}

// ---- the collection ----

// Err returns the error met while building the bag, or nil.
func (b *Bag[T]) Err() error { return b.err }

// NPartitions returns the number of partitions.
func (b *Bag[T]) NPartitions() int { return len(b.parts) }

// Graph implements sched.Collection: one task per partition that computes
// it, and the tasks they read.
func (b *Bag[T]) Graph() (*graph.Graph, error) {
	ns, err := b.partNodes()
	if err != nil {
		return nil, err
	}
	return graphOf(ns), nil
}

// Keys implements sched.Collection: the keys of the partitions.
func (b *Bag[T]) Keys() []graph.Key {
	ns, err := b.partNodes()
	if err != nil {
		return nil
	}
	return keysOf(ns)
}

// Finalize implements sched.Finalizer: the partitions concatenated, a []T.
func (b *Bag[T]) Finalize(vals []any) (any, error) {
	n := 0
	for _, v := range vals {
		n += len(v.(*part[T]).xs)
	}
	out := make([]T, 0, n)
	for _, v := range vals {
		out = append(out, v.(*part[T]).xs...)
	}
	return out, nil
}

// Persisted implements sched.Persister: the bag backed by its computed
// partitions, with the same keys.
func (b *Bag[T]) Persisted(vals []any) sched.Collection {
	keys := b.Keys()
	ns := make([]*node, len(vals))
	for i, v := range vals {
		ns[i] = &node{task: graph.ConstTask(keys[i], v)}
	}
	return fromNodes[T](ns, b.label())
}

// Compute runs the bag and returns its elements, partition after partition,
// in order. A failing task (a function that panics, a malformed line) fails
// the run with a *sched.TaskError naming the task.
func (b *Bag[T]) Compute(ctx context.Context, opts ...sched.Option) ([]T, error) {
	vals, err := b.run(ctx, opts)
	if err != nil {
		return nil, err
	}
	out, _ := b.Finalize(vals)
	return out.([]T), nil
}

// Persist computes the bag and returns it backed by its computed partitions.
func (b *Bag[T]) Persist(ctx context.Context, opts ...sched.Option) (*Bag[T], error) {
	vals, err := b.run(ctx, opts)
	if err != nil {
		return nil, err
	}
	return b.Persisted(vals).(*Bag[T]), nil
}

// run computes the bag's partitions.
func (b *Bag[T]) run(ctx context.Context, opts []sched.Option) ([]any, error) {
	ns, err := b.partNodes()
	if err != nil {
		return nil, err
	}
	return sched.Run(ctx, graphOf(ns), keysOf(ns), opts...)
}

// String prints the bag like Dask's repr:
// bag.Bag[string]<flatmap, npartitions=4, tasks=8>.
func (b *Bag[T]) String() string {
	if b.err != nil {
		return fmt.Sprintf("bag.Bag[%s]<error: %v>", shortType[T](), b.err)
	}
	g, err := b.Graph()
	if err != nil {
		return fmt.Sprintf("bag.Bag[%s]<error: %v>", shortType[T](), err)
	}
	return fmt.Sprintf("bag.Bag[%s]<%s, npartitions=%d, tasks=%d>", shortType[T](), b.label(), len(b.parts), g.Len())
}

func shortType[T any]() string { return reflect.TypeOf((*T)(nil)).Elem().String() }

// Visualize writes the bag's graph to path (DOT, or a picture with Graphviz).
func (b *Bag[T]) Visualize(path string) error {
	g, err := b.Graph()
	if err != nil {
		return err
	}
	return graph.Visualize(g, path, b.Keys()...)
}

// ToDelayed returns one delayed value per partition, each the partition's
// elements, for use in delayed calls.
func (b *Bag[T]) ToDelayed() []*delayed.Value[[]T] {
	if b.err != nil {
		return []*delayed.Value[[]T]{delayed.Failed[[]T](b.err)}
	}
	graph.RegisterType[[]T]()
	defSink[T](kindOf("slice", typeName[T]()), func(*spec) (func(T) bool, func() (any, error), error) {
		var xs []T
		return func(x T) bool { xs = append(xs, x); return true }, func() (any, error) { return xs, nil }, nil
	})
	ns, err := b.sinkNodes(&spec{kind: kindOf("slice", typeName[T]()), label: "to-delayed"})
	if err != nil {
		return []*delayed.Value[[]T]{delayed.Failed[[]T](err)}
	}
	g := graphOf(ns)
	out := make([]*delayed.Value[[]T], len(ns))
	for i, n := range ns {
		out[i] = delayed.FromGraph[[]T](g, n.task.Key)
	}
	return out
}

// ---- items ----

// Item is a lazy single value computed from a bag: the result of a
// reduction (Count, Sum, Fold, ...). Like Bag it carries a sticky error.
type Item[T any] struct {
	err  error
	n    *node
	name string
}

func errItem[T any](err error) *Item[T] { return &Item[T]{err: err} }

// Err returns the error met while building the item, or nil.
func (it *Item[T]) Err() error { return it.err }

// Key returns the key of the task that computes the item ("" on error).
func (it *Item[T]) Key() graph.Key {
	if it.err != nil {
		return ""
	}
	return it.n.task.Key
}

// Graph implements sched.Collection.
func (it *Item[T]) Graph() (*graph.Graph, error) {
	if it.err != nil {
		return nil, it.err
	}
	return graphOf([]*node{it.n}), nil
}

// Keys implements sched.Collection.
func (it *Item[T]) Keys() []graph.Key { return []graph.Key{it.Key()} }

// Finalize implements sched.Finalizer.
func (it *Item[T]) Finalize(vals []any) (any, error) { return vals[0].(T), nil }

// Compute runs the item's graph and returns its value.
func (it *Item[T]) Compute(ctx context.Context, opts ...sched.Option) (T, error) {
	var zero T
	if it.err != nil {
		return zero, it.err
	}
	vals, err := sched.Run(ctx, graphOf([]*node{it.n}), it.Keys(), opts...)
	if err != nil {
		return zero, err
	}
	return vals[0].(T), nil
}

// String prints the item like Dask's repr: bag.Item[int64]<count, tasks=5>.
func (it *Item[T]) String() string {
	if it.err != nil {
		return fmt.Sprintf("bag.Item[%s]<error: %v>", shortType[T](), it.err)
	}
	return fmt.Sprintf("bag.Item[%s]<%s, tasks=%d>", shortType[T](), it.name, graphOf([]*node{it.n}).Len())
}

// ToDelayed returns the item as a delayed value.
func (it *Item[T]) ToDelayed() *delayed.Value[T] {
	if it.err != nil {
		return delayed.Failed[T](it.err)
	}
	return delayed.FromGraph[T](graphOf([]*node{it.n}), it.n.task.Key)
}
