package sched

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godask/godask/graph"
)

// Local is the in-process executor: a pool of worker goroutines, each with its
// own queue of ready tasks ordered by priority, plus one shared queue of the
// root tasks (those with no inputs) in priority order. A worker runs whichever
// comes first in the order: the top of its own queue or the next root. When
// both are empty it steals the top task of another worker, and when there is
// nothing anywhere it parks until a task becomes ready. A finished task's
// newly ready readers go to the queue of the worker that finished it (their
// inputs are warm there). A value is released as soon as the last task
// reading it has run.
//
// Roots are shared rather than dealt to workers up front: a worker that runs
// ahead would otherwise compute its own share of roots while their partners
// wait in another worker's queue, holding half the inputs of a reduction in
// memory at once.
//
// The zero Local is ready to use; it holds no state between runs.
type Local struct{}

// NewLocal returns the local executor.
func NewLocal() *Local { return &Local{} }

// Run implements Executor. When ctx is cancelled or a task fails, Run returns
// at once: workers take no new task and exit after the one they are running,
// which sees its context cancelled.
func (*Local) Run(ctx context.Context, job *Job) ([]any, error) {
	r, err := newRun(ctx, job)
	if err != nil {
		return nil, err
	}
	if r.mem != nil {
		defer holdRuntimeLimit(r.mem.limit)()
	}
	return r.execute()
}

type run struct {
	ctx    context.Context
	cancel context.CancelFunc
	tasks  []*graph.Task
	// The inputs of task i are depFlat[depOff[i]:depOff[i+1]] (see depsOf).
	depOff  []int32
	depFlat []int32
	// The readers of task i are rdeps[rdepOff[i]:rdepOff[i+1]] (CSR).
	rdeps   []int32
	rdepOff []int32
	prio    []int32
	wait    []int32 // inputs not yet computed (atomic)
	refs    []int32 // readers not yet run, +1 for outputs (atomic)
	vals    []any
	// sel[i] is the part task i reads of each input (-1: whole), nil when it
	// reads whole values (see graph.PartReader).
	sel [][]int
	// partRefs[d][j] counts the readers of part j of d not yet run, for the
	// values only read part by part (nil for others): at zero the part is
	// dropped (see graph.PartDropper).
	partRefs [][]int32
	obs      Observer
	batch    TaskBatcher // obs, when it takes finished tasks in batches
	// stopSampling ends the MemorySampled events and the coarse clock (nil
	// without an observer).
	stopSampling func()

	mem     *memory // nil when unlimited
	workers []*worker
	roots   []int32 // tasks with no inputs, in priority order
	stopped atomic.Bool
	// The fields above are read by every task and written once: the
	// counters below, written during the run, each have a cache line of
	// their own, so that writing one does not make the other core fetch
	// the fields above again.
	_        [64]byte
	rootNext atomic.Int64 // the first root not yet claimed (see claimRoots)
	_        [56]byte
	// sinks counts the tasks no task reads that have not yet run: every
	// other task is an input of one of them, so the run is over when the
	// last sink has run. Only sinks touch it, not every task: a counter
	// every task decrements is a cache line both cores fight over.
	sinks  atomic.Int64
	_      [56]byte
	idle   atomic.Int32
	_      [60]byte
	coarse atomic.Int64 // milliseconds, roughly, since the run began (see clock.go)
	_      [56]byte

	wake     chan struct{}
	done     chan struct{}
	doneOnce sync.Once
	errOnce  sync.Once
	errMu    sync.Mutex
	err      error // the first failure; read with failure()
	outputs  []int32
	// bufs backs the per-task slices above (see bufs.go).
	bufs *runBufs
}

// depsOf returns the positions of the inputs of task i.
func (r *run) depsOf(i int32) []int32 { return r.depFlat[r.depOff[i]:r.depOff[i+1]] }

type worker struct {
	mu    sync.Mutex
	heap  []int32 // min-heap on run.prio
	id    int
	args  []any
	held  int64 // bytes this worker accounted but has not yet added to memory.held
	ticks int64 // tasks finished but not yet added to memory.tick
	// busy is 1 while the worker runs a task (only with a memory manager,
	// whose holdRoots reads it): a flag on the worker's own cache line
	// rather than a shared count of running tasks.
	busy atomic.Int32
	// The worker's chunk of roots, r.roots[rootLo:rootHi] (under mu), the
	// size of the last chunk claimed and when (see claimRoots).
	rootLo, rootHi int64
	chunk          int64
	claimed        time.Time
	clock          taskClock  // times tasks for the observer (see clock.go)
	done           []TaskDone // finished tasks not yet handed to run.batch
	since          int64      // the coarse clock at done's first entry
	_              [64]byte   // keep workers' locks on separate cache lines
}

// A run does not ask internal/hugeheap for room before its state: the
// block Ensure allocates (twice the heap in use, plus the state) takes the
// heap past the collector's goal, so every run of more than about 3·10^4
// tasks began with a full collection of the graph it was given (4 s of a
// 10^7-task run's 21 s on this VM), far more than the faults it saved. The
// graph's own growth is advised as delayed builds it.

func newRun(ctx context.Context, job *Job) (*run, error) {
	g := job.Graph
	n := g.Len()
	off, flat := g.DepCSR()
	limit := job.MemoryLimit
	if limit == 0 {
		limit = DefaultMemoryLimit()
	}
	bufs := getBufs(n, len(flat), limit > 0)
	r := &run{
		tasks:   g.Tasks(),
		depOff:  off,
		depFlat: flat,
		prio:    job.Priority,
		wait:    bufs.take(n),
		refs:    bufs.take(n),
		vals:    bufs.vals,
		bufs:    bufs,
		obs:     job.Observer,
		done:    make(chan struct{}),
	}
	r.batch, _ = job.Observer.(TaskBatcher)
	if len(r.prio) != n {
		return nil, fmt.Errorf("sched: job has %d priorities for %d tasks", len(r.prio), n)
	}
	// Readers of each task, as one flat slice (CSR): count them, make
	// cnt[d] the end of d's readers, then fill backwards so that cnt[d]
	// ends at their start, readers in ascending order.
	cnt := bufs.take(n + 1)
	for i := 0; i < n; i++ {
		r.wait[i] = off[i+1] - off[i]
	}
	for _, d := range flat {
		cnt[d]++
	}
	for i := 1; i < n; i++ {
		cnt[i] += cnt[i-1]
	}
	cnt[n] = int32(len(flat))
	rdeps := bufs.take(len(flat))
	for i := n - 1; i >= 0; i-- {
		ds := flat[off[i]:off[i+1]]
		for k := len(ds) - 1; k >= 0; k-- {
			d := ds[k]
			cnt[d]--
			rdeps[cnt[d]] = int32(i)
		}
	}
	r.rdeps, r.rdepOff = rdeps, cnt
	for i := 0; i < n; i++ {
		r.refs[i] = cnt[i+1] - cnt[i]
	}
	for _, k := range job.Outputs {
		i := g.IndexOf(k)
		if i < 0 {
			return nil, fmt.Errorf("sched: output %s is not in the graph", k)
		}
		r.refs[i]++ // pinned until returned
		r.outputs = append(r.outputs, int32(i))
	}
	r.partSelectors()
	nw := workers(job.Workers)
	if nw > n && n > 0 {
		nw = n
	}
	r.workers = make([]*worker, nw)
	for i := range r.workers {
		r.workers[i] = &worker{id: i}
	}
	r.wake = make(chan struct{}, nw)
	var sinks int64
	for i := 0; i < n; i++ {
		if cnt[i+1] == cnt[i] {
			sinks++
		}
	}
	r.sinks.Store(sinks)
	if limit > 0 {
		r.mem = newMemory(r, limit, job.SpillDir)
	}
	r.ctx, r.cancel = context.WithCancel(ctx)
	return r, nil
}

// partSelectors finds the inputs read one part at a time and counts the
// readers of each part of the values that are read only so.
func (r *run) partSelectors() {
	n := len(r.tasks)
	var whole []bool // some reader takes the value whole
	var nparts []int32
	for i, t := range r.tasks {
		sel := graph.InputPartsOf(t.Op, len(r.depsOf(int32(i))))
		if sel == nil {
			continue
		}
		if r.sel == nil {
			r.sel = make([][]int, n)
			whole = make([]bool, n)
			nparts = make([]int32, n)
		}
		r.sel[i] = sel
		for k, d := range r.depsOf(int32(i)) {
			if j := int32(sel[k]); j >= nparts[d] {
				nparts[d] = j + 1
			}
		}
	}
	if r.sel == nil {
		return
	}
	for i := range r.tasks {
		for k, d := range r.depsOf(int32(i)) {
			if r.sel[i] == nil || r.sel[i][k] < 0 {
				whole[d] = true
			}
		}
	}
	for _, o := range r.outputs {
		whole[o] = true
	}
	r.partRefs = make([][]int32, n)
	for d, t := range r.tasks {
		if _, isConst := t.Op.(graph.Const); nparts[d] == 0 || whole[d] || isConst {
			continue // the value is read whole, or not ours to modify
		}
		r.partRefs[d] = make([]int32, nparts[d])
	}
	for i, sel := range r.sel {
		for k, d := range r.depsOf(int32(i)) {
			if sel != nil && r.partRefs[d] != nil {
				r.partRefs[d][sel[k]]++
			}
		}
	}
}

func (r *run) execute() ([]any, error) {
	defer r.cancel()
	if r.obs != nil {
		r.obs.Observe(Event{Kind: JobStarted, Total: len(r.tasks), Time: time.Now()})
		r.stopSampling = r.sampleMemory()
	}
	if len(r.tasks) == 0 {
		return r.finish(nil)
	}
	nr := 0
	for i := range r.tasks {
		if r.depOff[i+1] == r.depOff[i] {
			nr++
		}
	}
	r.roots = r.bufs.take(nr)[:0]
	for i := range r.tasks {
		if r.depOff[i+1] == r.depOff[i] {
			r.roots = append(r.roots, int32(i))
		}
	}
	slices.SortFunc(r.roots, func(a, b int32) int { return cmp.Compare(r.prio[a], r.prio[b]) })
	var wg sync.WaitGroup
	wg.Add(len(r.workers))
	for _, w := range r.workers {
		go func(w *worker) {
			defer wg.Done()
			r.loop(w)
		}(w)
	}
	select {
	case <-r.done:
	case <-r.ctx.Done():
		// Cancelled from outside (a failure cancels too, after setting err).
		r.fail(-1, r.ctx.Err())
	}
	err := r.failure()
	if err == nil {
		wg.Wait() // every task ran: the workers are only parking now
		out, err := r.finish(nil)
		if r.mem != nil {
			r.mem.cleanup()
		}
		// Nothing reads the run's state any more (the workers have
		// exited, the sampler stopped in finish): a later run may reuse it.
		putBufs(r.bufs)
		r.bufs = nil
		return out, err
	}
	if r.mem != nil {
		// Remove the spill directory now (cleanup waits only for a spill
		// write in progress, and no file is written after it); workers
		// still inside a task exit on their own.
		r.mem.cleanup()
	}
	return r.finish(err)
}

func (r *run) failure() error {
	r.errMu.Lock()
	defer r.errMu.Unlock()
	return r.err
}

func (r *run) finish(err error) ([]any, error) {
	var out []any
	if err == nil {
		out = make([]any, len(r.outputs))
		for j, i := range r.outputs {
			if r.mem != nil && atomic.LoadInt32(&r.mem.state[i]) == stDisk {
				// Outputs may have been spilled.
				if err = r.mem.load(i); err != nil {
					out = nil
					break
				}
			}
			out[j] = r.vals[i]
		}
	}
	if r.stopSampling != nil {
		r.stopSampling()
	}
	if r.obs != nil {
		e := Event{Kind: JobFinished, Err: err, Time: time.Now()}
		if r.mem != nil {
			e.Bytes = r.mem.peak.Load()
			e.Written, e.Read = r.mem.written.Load(), r.mem.read.Load()
		}
		r.obs.Observe(e)
	}
	return out, err
}

// fail records the first error, stops the run and wakes everyone.
func (r *run) fail(i int, err error) {
	r.errOnce.Do(func() {
		if i >= 0 {
			t := r.tasks[i]
			err = &TaskError{Key: t.Key, Op: graph.LabelOf(t.Op), Err: err}
		}
		r.errMu.Lock()
		r.err = err
		r.errMu.Unlock()
		r.stopped.Store(true)
		r.cancel()
		r.doneOnce.Do(func() { close(r.done) })
	})
}

// Finished tasks a worker keeps for a TaskBatcher, and the age (in coarse
// clock ticks, about a millisecond each) at which it hands them over before
// its next task.
const (
	doneBatch  = 64
	batchTicks = 2
)

// flushDone hands the worker's finished tasks to the TaskBatcher.
func (r *run) flushDone(w *worker) {
	if r.batch == nil || len(w.done) == 0 {
		return
	}
	r.batch.TasksDone(w.id, w.done)
	w.done = w.done[:0]
}

func (r *run) loop(w *worker) {
	defer r.flushDone(w)
	for !r.stopped.Load() {
		i, ok := r.next(w)
		if !ok {
			if !r.park(w) {
				return
			}
			continue
		}
		r.runTask(w, i)
	}
}

// Roots are claimed from the shared list in runs of consecutive ones (a
// chunk, kept by the worker and stolen from like its queue), so that two
// workers do not take alternate roots: with trivial tasks they would then
// write the same cache lines of the run's per-task state (neighbouring
// tasks) and decrement the same readers' counts, on every task. A worker's
// chunk doubles, up to maxChunk, while its roots take less than
// chunkFastTask each (the time from one claim to the next over the roots
// claimed, the tasks they fed included), and drops back to one root as soon
// as they take longer, so long tasks are still taken one at a time in
// priority order; near the end of the list chunks shrink so that every
// worker gets a share.
const (
	maxChunk      = 64
	chunkFastTask = 20 * time.Microsecond
)

// claimRoots gives w its next chunk of roots, if any are left; w.mu is held
// and w's chunk is empty.
func (r *run) claimRoots(w *worker) {
	n := int64(len(r.roots))
	c := r.rootNext.Load()
	if c >= n {
		return
	}
	now := time.Now()
	want := int64(1)
	if w.chunk > 0 && now.Sub(w.claimed) < chunkFastTask*time.Duration(w.chunk) {
		want = min(2*w.chunk, maxChunk)
	}
	w.claimed = now
	for {
		k := max(1, min(want, (n-c)/int64(2*len(r.workers))))
		if r.rootNext.CompareAndSwap(c, c+k) {
			w.rootLo, w.rootHi, w.chunk = c, c+k, k
			return
		}
		if c = r.rootNext.Load(); c >= n {
			return
		}
	}
}

// next takes the first in priority order of the worker's own queue and its
// chunk of roots (claiming a new one when it is empty); failing both, it
// steals from the other workers' queues and chunks.
func (r *run) next(w *worker) (int32, bool) {
	hold := r.mem != nil && r.mem.holdRoots()
	w.mu.Lock()
	if !hold {
		if w.rootLo == w.rootHi {
			r.claimRoots(w)
		}
		if w.rootLo < w.rootHi {
			root := r.roots[w.rootLo]
			if len(w.heap) == 0 || r.prio[w.heap[0]] >= r.prio[root] {
				w.rootLo++
				w.mu.Unlock()
				return root, true
			}
		}
	}
	i, ok := w.popLocked(r.prio)
	w.mu.Unlock()
	if ok {
		return i, true
	}
	nw := len(r.workers)
	for k := 1; k < nw; k++ {
		if i, ok := r.workers[(w.id+k)%nw].steal(r.prio, !hold, r.roots); ok {
			return i, true
		}
	}
	return 0, false
}

// park waits until a task may be ready; it returns false when the run is over.
func (r *run) park(w *worker) bool {
	r.flushDone(w)
	if r.mem != nil && w.held != 0 && r.sinks.Load() > 0 {
		if err := r.mem.flush(w); err != nil {
			r.fail(-1, err)
			return false
		}
	}
	// Spin briefly: a task is often about to become ready.
	for s := 0; s < 64; s++ {
		if r.stopped.Load() || r.sinks.Load() == 0 {
			return false
		}
		if r.anyQueued() {
			return true
		}
		runtime.Gosched()
	}
	r.idle.Add(1)
	defer r.idle.Add(-1)
	// Re-check after announcing idleness: a push either sees idle > 0 and
	// wakes us, or happened before this check.
	if r.anyQueued() {
		return true
	}
	if r.mem != nil && r.mem.holding.Load() {
		// Roots are held back for memory: look again soon even if no one
		// wakes us.
		t := time.NewTimer(time.Millisecond)
		defer t.Stop()
		select {
		case <-r.wake:
		case <-t.C:
		case <-r.done:
			return false
		}
		return true
	}
	select {
	case <-r.wake:
		return true
	case <-r.done:
		return false
	}
}

// wakeOne wakes a parked worker, if any.
func (r *run) wakeOne() {
	if r.idle.Load() > 0 {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// anyBusy reports whether some worker is running a task.
func (r *run) anyBusy() bool {
	for _, w := range r.workers {
		if w.busy.Load() != 0 {
			return true
		}
	}
	return false
}

func (r *run) anyQueued() bool {
	if r.rootNext.Load() < int64(len(r.roots)) {
		return true
	}
	for _, w := range r.workers {
		w.mu.Lock()
		n := len(w.heap) + int(w.rootHi-w.rootLo)
		w.mu.Unlock()
		if n > 0 {
			return true
		}
	}
	return false
}

func (r *run) runTask(w *worker, i int32) {
	if r.mem == nil {
		r.runTask1(w, i)
		return
	}
	w.busy.Store(1)
	r.runTask1(w, i)
	w.busy.Store(0)
}

// last reports whether the caller's decrement of the shared count *c is the
// last one: a count at 1 is the caller's alone (nobody else may still
// decrement it), so it is read, not written, and its cache line stays
// shared between the cores; a single reader, the common case, then costs
// no atomic write.
func last(c *int32) bool {
	return atomic.LoadInt32(c) == 1 || atomic.AddInt32(c, -1) == 0
}

func (r *run) runTask1(w *worker, i int32) {
	t := r.tasks[i]
	var tmp int64
	if r.mem != nil {
		var err error
		tmp, err = r.mem.acquire(w, i)
		if err != nil {
			r.mem.release(tmp)
			r.fail(int(i), err)
			return
		}
	} else {
		var sel []int
		if r.sel != nil {
			sel = r.sel[i]
		}
		args := w.args[:0]
		for k, d := range r.depsOf(int32(i)) {
			if sel != nil {
				args = append(args, graph.SelectPart(r.vals[d], sel[k]))
			} else {
				args = append(args, r.vals[d])
			}
		}
		w.args = args
	}
	args := w.args
	var start time.Time
	if r.obs != nil {
		start = w.clock.begin(&r.coarse)
		if r.batch != nil {
			if len(w.done) > 0 && w.clock.tick-w.since >= batchTicks {
				r.flushDone(w)
			}
			r.batch.TaskBegan(int(i), w.id)
		} else {
			r.obs.Observe(Event{Kind: TaskStarted, Key: t.Key, Index: int(i), Label: graph.LabelOf(t.Op), Worker: w.id, Time: start})
		}
	}
	v, err := runOp(r.ctx, t.Op, args)
	clear(args)
	w.args = args[:0]
	if r.mem != nil {
		r.mem.release(tmp)
	}
	if err != nil {
		if r.obs != nil {
			now, d := w.clock.end(start, &r.coarse)
			r.flushDone(w)
			r.obs.Observe(Event{Kind: TaskFailed, Key: t.Key, Index: int(i), Label: graph.LabelOf(t.Op), Worker: w.id, Time: now, Duration: d, Err: err})
		}
		r.fail(int(i), err)
		return
	}
	r.vals[i] = v
	if r.obs != nil {
		now, d := w.clock.end(start, &r.coarse)
		if r.batch != nil {
			if len(w.done) == 0 {
				w.since = w.clock.tick
			}
			w.done = append(w.done, TaskDone{Index: i, End: now.UnixNano(), Duration: d})
			if len(w.done) >= doneBatch || d >= shortTask {
				r.flushDone(w)
			}
		} else {
			r.obs.Observe(Event{Kind: TaskFinished, Key: t.Key, Index: int(i), Label: graph.LabelOf(t.Op), Worker: w.id, Time: now, Duration: d})
		}
	}
	for k, d := range r.depsOf(int32(i)) {
		if r.partRefs != nil && r.partRefs[d] != nil {
			j := r.sel[i][k]
			if last(&r.partRefs[d][j]) {
				r.dropPart(w, d, j)
			}
		}
		lastRef := last(&r.refs[d])
		switch {
		case r.mem == nil:
			if lastRef {
				r.vals[d] = nil
			}
		case lastRef:
			r.mem.free(w, d) // while still pinned, so no spill races the release
			r.mem.unpin(w, d)
		default:
			r.mem.unpin(w, d)
		}
	}
	if r.mem != nil {
		if err := r.mem.add(w, i, v); err != nil {
			r.fail(int(i), err)
			return
		}
	}
	pushed := false
	for _, c := range r.rdeps[r.rdepOff[i]:r.rdepOff[i+1]] {
		if last(&r.wait[c]) {
			w.push(c, r.prio)
			pushed = true
		}
	}
	if pushed {
		r.wakeOne()
	} else if r.rdepOff[i+1] == r.rdepOff[i] && r.sinks.Add(-1) == 0 {
		r.doneOnce.Do(func() { close(r.done) })
	}
}

// dropPart releases part j of value d once every reader of it has run; the
// caller, worker w, has not yet released d.
func (r *run) dropPart(w *worker, d int32, j int) {
	if r.mem != nil {
		r.mem.dropPart(w, d, j)
		return
	}
	if pd, ok := r.vals[d].(graph.PartDropper); ok {
		pd.DropPart(j)
	}
}

// runOp runs op, turning a panic into a *PanicError.
func runOp(ctx context.Context, op graph.Op, args []any) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return op.Run(ctx, args)
}

func (w *worker) push(i int32, prio []int32) {
	w.mu.Lock()
	h := append(w.heap, i)
	j := len(h) - 1
	for j > 0 {
		p := (j - 1) / 2
		if prio[h[p]] <= prio[h[j]] {
			break
		}
		h[p], h[j] = h[j], h[p]
		j = p
	}
	w.heap = h
	w.mu.Unlock()
}

// steal takes, for another worker, the first of w's queue or, if roots
// may start, of its chunk of roots, whichever comes first in priority.
func (w *worker) steal(prio []int32, roots bool, rs []int32) (int32, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if roots && w.rootLo < w.rootHi {
		root := rs[w.rootLo]
		if len(w.heap) == 0 || prio[w.heap[0]] >= prio[root] {
			w.rootLo++
			return root, true
		}
	}
	return w.popLocked(prio)
}

// popLocked takes the top of w's queue; w.mu is held.
func (w *worker) popLocked(prio []int32) (int32, bool) {
	h := w.heap
	if len(h) == 0 {
		return 0, false
	}
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	j := 0
	for {
		l := 2*j + 1
		if l >= last {
			break
		}
		m := l
		if r := l + 1; r < last && prio[h[r]] < prio[h[l]] {
			m = r
		}
		if prio[h[j]] <= prio[h[m]] {
			break
		}
		h[j], h[m] = h[m], h[j]
		j = m
	}
	w.heap = h
	return top, true
}
