package delayed

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// ErrCancelled is the error of a future cancelled before it finished, and of
// every future that reads it.
var ErrCancelled = errors.New("delayed: future cancelled")

// ErrClosed is the error of futures still pending when their client closed.
var ErrClosed = errors.New("delayed: client closed")

// ErrReleased is the error of Result on a future that was released, and of
// every future submitted afterwards that reads it.
var ErrReleased = errors.New("delayed: future released")

// Client runs submitted work at once, the futures side of the package (Dask's
// distributed Client). Up to Workers futures run at the same time, each as a
// one-worker run on the client's executor; a future whose inputs include
// other futures waits for them without holding a worker.
//
// On an executor that keeps a run's outputs where they were computed (a
// cluster: cluster.Executor), a future's result stays on the worker that
// computed it: Result fetches a copy, a future passed to another Submit is
// read worker to worker, and Release (or the future becoming unreachable,
// or Close) frees it there.
type Client struct {
	cfg    *sched.Config
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	cond   *sync.Cond
	queue  []*core
	live   map[*core]struct{}
	kept   map[remoteValue]struct{} // results kept by the executor
	closed bool
	wg     sync.WaitGroup
}

// NewClient starts a client with the given options: WithWorkers sets how many
// futures run at once (default GOMAXPROCS), WithExecutor where they run.
// Close it when done.
func NewClient(opts ...sched.Option) *Client {
	cfg := sched.NewConfig(opts...)
	n := cfg.Workers
	if n <= 0 {
		n = defaultWorkers()
	}
	c := &Client{cfg: cfg, live: map[*core]struct{}{}, kept: map[remoteValue]struct{}{}}
	c.cond = sync.NewCond(&c.mu)
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.wg.Add(n)
	for i := 0; i < n; i++ {
		go c.worker()
	}
	return c
}

var (
	defaultOnce   sync.Once
	defaultClient *Client
)

// DefaultClient returns the process-wide client used when a nil *Client is
// passed to Submit and friends. It is never closed.
func DefaultClient() *Client {
	defaultOnce.Do(func() { defaultClient = NewClient() })
	return defaultClient
}

// Close cancels every future not yet finished (their error is ErrClosed), waits
// for the running ones to return, and stops the workers; results kept on an
// executor's workers are freed (Result on those futures then fails with
// ErrReleased). Submitting to a closed client gives futures that fail with
// ErrClosed.
func (c *Client) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	live := make([]*core, 0, len(c.live))
	for f := range c.live {
		live = append(live, f)
	}
	c.queue = nil
	c.cond.Broadcast()
	c.mu.Unlock()
	c.cancel()
	for _, f := range live {
		f.complete(nil, ErrClosed)
	}
	c.wg.Wait()
	c.mu.Lock()
	kept := c.kept
	c.kept = map[remoteValue]struct{}{}
	c.mu.Unlock()
	for r := range kept {
		r.Release()
	}
}

// remoteValue is a value an executor keeps where it was computed (a
// cluster's *cluster.Ref): a future holding one fetches it on Result.
type remoteValue interface {
	Fetch(ctx context.Context) (any, error)
	Release()
}

// outputKeeper is an executor that can keep a run's outputs where they were
// computed: under the context it returns, the run's values are
// remoteValues.
type outputKeeper interface {
	KeepOutputs(ctx context.Context) context.Context
}

// keepHandle is referenced only by the future holding a kept result: its
// finalizer frees the result once that future is unreachable (a finalizer
// on the future itself would not run if it sits in a cycle).
type keepHandle struct {
	c *Client
	r remoteValue
}

// forget drops r from the client's kept results and releases it.
func (c *Client) forget(r remoteValue) {
	c.mu.Lock()
	delete(c.kept, r)
	c.mu.Unlock()
	r.Release()
}

func (c *Client) worker() {
	defer c.wg.Done()
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closed {
			c.cond.Wait()
		}
		if c.closed {
			c.mu.Unlock()
			return
		}
		f := c.queue[0]
		c.queue[0] = nil
		c.queue = c.queue[1:]
		c.mu.Unlock()
		f.run()
	}
}

func (c *Client) enqueue(f *core) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		f.complete(nil, ErrClosed)
		return
	}
	c.queue = append(c.queue, f)
	c.cond.Signal()
	c.mu.Unlock()
}

// core is the untyped state of a future.
type core struct {
	c      *Client
	n      *node
	inputs []*core

	mu      sync.Mutex
	state   int // 0 waiting, 1 running, 2 done
	val     any // a remoteValue when the executor keeps it
	err     error
	gone    bool        // released
	kept    *keepHandle // with a remoteValue: freed when f is unreachable
	done    chan struct{}
	waiters []func()
	pending int
	cancel  context.CancelFunc
}

// Future is the handle of work submitted to a Client: its result once it
// finishes. A future is an input of further calls and submits (In[T]).
type Future[T any] struct{ c *core }

func (f *Future[T]) input(*T) arg { return arg{fut: f.c} }

// Key returns the key of the future's task.
func (f *Future[T]) Key() graph.Key {
	if f.c.n.task == nil {
		return ""
	}
	return f.c.n.task.Key
}

// String prints the future like Dask's repr: <Future: finished, key: inc-…>.
func (f *Future[T]) String() string {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	st := [...]string{"pending", "running", "finished"}[f.c.state]
	if f.c.state == 2 && f.c.err != nil {
		st = "error"
	}
	return fmt.Sprintf("<Future: %s, key: %s>", st, f.Key())
}

// Done reports whether the future has finished (with a value or an error).
func (f *Future[T]) Done() bool {
	select {
	case <-f.c.done:
		return true
	default:
		return false
	}
}

// Result waits for the future and returns its value or error. It returns
// ctx.Err() if ctx ends first (the future goes on). A result kept on a
// cluster's worker is fetched from there (a copy; it stays on the worker
// until Release); after Release the error is ErrReleased.
func (f *Future[T]) Result(ctx context.Context) (T, error) {
	var zero T
	select {
	case <-f.c.done:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	v, err := f.c.value(ctx)
	if err != nil {
		return zero, err
	}
	return as[T](v), nil
}

// Release frees the future's result (on the worker that keeps it, on a
// cluster): later Results, and futures submitted afterwards that read it,
// fail with ErrReleased; a future reading it that is running then may fail
// too, so release a future once nothing reads it any more. It cancels a
// future not yet finished.
func (f *Future[T]) Release() {
	f.c.complete(nil, ErrReleased)
	f.c.mu.Lock()
	if f.c.gone {
		f.c.mu.Unlock()
		return
	}
	f.c.gone = true
	r, _ := f.c.val.(remoteValue)
	f.c.val = nil
	f.c.mu.Unlock()
	if r != nil {
		f.c.c.forget(r)
	}
}

// result returns the done future's stored value (a remoteValue is not
// fetched) or its error.
func (f *core) result() (any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gone && f.err == nil {
		return nil, ErrReleased
	}
	return f.val, f.err
}

// value returns the done future's value, fetching a kept one.
func (f *core) value(ctx context.Context) (any, error) {
	v, err := f.result()
	if err != nil {
		return nil, err
	}
	if r, ok := v.(remoteValue); ok {
		x, err := r.Fetch(ctx)
		if err != nil {
			return nil, fmt.Errorf("delayed: future %s: %w", f.n.task.Key, err)
		}
		return x, nil
	}
	return v, nil
}

// Cancel stops the future if it has not finished: its error becomes
// ErrCancelled, a running task sees its context cancelled, and futures that
// read it fail too.
func (f *Future[T]) Cancel() { f.c.complete(nil, ErrCancelled) }

// onDone runs fn once the future is done (at once if it is).
func (f *core) onDone(fn func()) {
	f.mu.Lock()
	if f.state == 2 {
		f.mu.Unlock()
		fn()
		return
	}
	f.waiters = append(f.waiters, fn)
	f.mu.Unlock()
}

// complete sets the result once; later calls are ignored.
func (f *core) complete(v any, err error) {
	f.mu.Lock()
	if f.state == 2 {
		f.mu.Unlock()
		return
	}
	f.state, f.val, f.err = 2, v, err
	if r, ok := v.(remoteValue); ok {
		// Freed on the workers once no handle or reader of the future is
		// left (as Dask releases a future that is garbage collected).
		c := f.c
		c.mu.Lock()
		c.kept[r] = struct{}{}
		c.mu.Unlock()
		k := &keepHandle{c: c, r: r}
		f.kept = k
		runtime.SetFinalizer(k, func(k *keepHandle) { k.c.forget(k.r) })
	}
	ws := f.waiters
	f.waiters = nil
	cancel := f.cancel
	f.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	close(f.done)
	f.c.mu.Lock()
	delete(f.c.live, f)
	f.c.mu.Unlock()
	for _, w := range ws {
		w()
	}
}

// run computes the future's graph, its input futures standing in as values.
func (f *core) run() {
	f.mu.Lock()
	if f.state != 0 {
		f.mu.Unlock()
		return
	}
	f.state = 1
	ctx, cancel := context.WithCancel(f.c.ctx)
	f.cancel = cancel
	f.mu.Unlock()
	defer cancel()
	g := &graph.Graph{}
	stack := []*node{f.n}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if fut := n.future(); fut != nil {
			v, err := fut.result()
			if err != nil {
				f.complete(nil, fmt.Errorf("delayed: input future %s: %w", n.task.Key, err))
				return
			}
			// A kept value (a cluster's reference) is read worker to
			// worker by the run; it stays reachable through fut.
			g.Add(graph.ConstTask(n.task.Key, v))
			continue
		}
		if g.Add(n.task) {
			stack = append(stack, n.inputs()...)
		}
	}
	cfg := *f.c.cfg
	cfg.Workers = 1
	cfg.Observers = nil
	sched.WithProgress(nil)(&cfg) // one future is one task: no bar
	ex := cfg.Executor
	if ex == nil {
		ex = sched.Default()
	}
	if k, ok := ex.(outputKeeper); ok {
		ctx = k.KeepOutputs(ctx)
	}
	vals, err := (&cfg).Run(ctx, g, []graph.Key{f.n.task.Key})
	if err != nil {
		f.complete(nil, err)
		return
	}
	f.complete(vals[0], nil)
}

// start makes the future of node n on client c and schedules it once its
// input futures are done.
func start(c *Client, n *node) *core {
	if c == nil {
		c = DefaultClient()
	}
	f := &core{c: c, n: n, done: make(chan struct{})}
	if err := n.buildErr(); err != nil {
		f.state = 2
		f.err = err
		close(f.done)
		return f
	}
	// Input futures, direct or through delayed values.
	seen := map[*node]bool{}
	stack := []*node{n}
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[m] {
			continue
		}
		seen[m] = true
		if fut := m.future(); fut != nil {
			f.inputs = append(f.inputs, fut)
			continue
		}
		stack = append(stack, m.inputs()...)
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		f.state, f.err = 2, ErrClosed
		close(f.done)
		return f
	}
	c.live[f] = struct{}{}
	c.mu.Unlock()
	f.mu.Lock()
	f.pending = len(f.inputs) + 1
	f.mu.Unlock()
	for _, in := range f.inputs {
		in.onDone(f.inputDone)
	}
	f.inputDone() // the +1 above: inputs already done cannot enqueue twice
	return f
}

func (f *core) inputDone() {
	f.mu.Lock()
	f.pending--
	ready := f.pending == 0
	f.mu.Unlock()
	if ready {
		f.c.enqueue(f)
	}
}

// futureNode is the node through which a delayed value reads a future: in a
// graph it is a task that waits for the future's value.
func futureNode(f *core) *node {
	return &node{task: &graph.Task{Key: f.n.task.Key, Op: waitOp{f}}, rare: &nodeRare{fut: f}}
}

// waitOp waits for a future; it runs only where a delayed value reading a
// future is computed outside the client, and cannot ship.
type waitOp struct{ f *core }

func (waitOp) Name() string            { return "delayed.wait" }
func (waitOp) Label() string           { return "future" }
func (waitOp) Params() ([]byte, error) { return nil, nil }
func (w waitOp) Ship() error {
	return errors.New("a future's value cannot ship; submit the call instead")
}
func (w waitOp) Run(ctx context.Context, _ []any) (any, error) {
	select {
	case <-w.f.done:
		return w.f.value(ctx)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Start submits a delayed value: it starts computing at once on c (nil: the
// default client).
func Start[T any](c *Client, v *Value[T]) *Future[T] {
	return &Future[T]{c: start(c, v.n)}
}

// Submit runs fn(a) on c (nil: the default client) at once.
func Submit[A, R any](c *Client, fn func(A) R, a In[A]) *Future[R] {
	return Start(c, Call(fn, a))
}

// Submit2 runs fn(a, b) on c at once.
func Submit2[A, B, R any](c *Client, fn func(A, B) R, a In[A], b In[B]) *Future[R] {
	return Start(c, Call2(fn, a, b))
}

// Submit3 runs fn(a, b, x) on c at once.
func Submit3[A, B, C, R any](c *Client, fn func(A, B, C) R, a In[A], b In[B], x In[C]) *Future[R] {
	return Start(c, Call3(fn, a, b, x))
}

// SubmitE runs a function that can fail on c at once.
func SubmitE[A, R any](c *Client, fn func(A) (R, error), a In[A]) *Future[R] {
	return Start(c, CallE(fn, a))
}

// Map submits fn(x) for every x, returning the futures in order.
func Map[A, R any](c *Client, fn func(A) R, xs []A) []*Future[R] {
	out := make([]*Future[R], len(xs))
	for i, x := range xs {
		out[i] = Submit(c, fn, Lit(x))
	}
	return out
}

// MapE is Map for a function that can fail.
func MapE[A, R any](c *Client, fn func(A) (R, error), xs []A) []*Future[R] {
	out := make([]*Future[R], len(xs))
	for i, x := range xs {
		out[i] = SubmitE(c, fn, Lit(x))
	}
	return out
}

// Gather waits for every future and returns their values in order, or the
// first error in order (naming the future's key).
func Gather[T any](ctx context.Context, fs []*Future[T]) ([]T, error) {
	out := make([]T, len(fs))
	for i, f := range fs {
		v, err := f.Result(ctx)
		if err != nil {
			return nil, fmt.Errorf("delayed: gather future %d (%s): %w", i, f.Key(), err)
		}
		out[i] = v
	}
	return out, nil
}

// AsCompleted returns a channel that yields each future as it finishes, in
// order of completion, and is closed after the last one.
func AsCompleted[T any](fs []*Future[T]) <-chan *Future[T] {
	ch := make(chan *Future[T], len(fs))
	if len(fs) == 0 {
		close(ch)
		return ch
	}
	var mu sync.Mutex
	left := len(fs)
	for _, f := range fs {
		f := f
		f.c.onDone(func() {
			mu.Lock()
			ch <- f
			left--
			if left == 0 {
				close(ch)
			}
			mu.Unlock()
		})
	}
	return ch
}
