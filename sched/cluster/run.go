package cluster

import (
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Task states on the scheduler.
const (
	sWaiting  uint8 = iota // inputs not all computed
	sQueued                // a ready root, on the scheduler's queue
	sAssigned              // sent to a worker
	sMemory                // computed, held by one or more workers
	sReleased              // computed and freed (no reader left)
)

// allowedFailures is how many workers may die while running a task before
// the run fails with a KilledWorkerError (dask's distributed.scheduler.
// allowed-failures + 1).
const allowedFailures = 3

// KilledWorkerError fails a run when a task was running on allowedFailures
// workers that died: the task itself is likely what kills them.
type KilledWorkerError struct {
	Key     graph.Key
	Op      string
	Workers []string // the workers that died, as "id addr (pid)"
}

func (e *KilledWorkerError) Error() string {
	return fmt.Sprintf("cluster: task %s (op %s) was running on %d workers that died (%v): it is probably what kills them", e.Key, e.Op, len(e.Workers), e.Workers)
}

// RemoteError is a task's error as its worker reported it (errors do not
// keep their Go types across processes; the message is kept whole).
type RemoteError struct{ Msg string }

func (e *RemoteError) Error() string { return e.Msg }

// runState is one run on the scheduler.
type runState struct {
	e     *Executor
	id    uint64
	job   *sched.Job
	tasks []*graph.Task
	enc   [][]byte
	deps  [][]int32
	rdeps [][]int32
	sel   [][]int
	prio  []int32
	root  []bool

	st      []uint8
	where   []uint64
	attempt []uint32
	began   []bool
	holders [][]uint64
	size    []int64
	nparts  []int32
	waiting []int32
	needed  []int32
	kills   [][]string
	fails   []uint8
	est     []float64
	inBytes []float64 // bytes of its inputs, as of its last assignment
	srcRun  []uint64
	pinned  map[int32]uint64 // tasks restricted to one worker

	outIdx    []int32 // task of each output
	isOut     []bool
	rootQ     prioQueue
	remaining int
	rootDone  int
	rootBytes int64

	obs      sched.Observer
	keep     bool // Persist: outputs stay on the workers, as Refs
	lineage  bool // KeepOutputs: the Refs keep the graph as their lineage
	finished bool
	err      error
	results  []any
	done     chan struct{}
	wake     chan struct{}
	started  time.Time
}

// newRun encodes the job's tasks (refusing, before anything runs, a task
// whose op or function is not registered) and builds the run's state.
func (e *Executor) newRun(job *sched.Job) (*runState, error) {
	e.mu.Lock()
	var restrict map[graph.Key]uint64
	if len(e.restrict) > 0 {
		restrict = make(map[graph.Key]uint64, len(e.restrict))
		for k, w := range e.restrict {
			restrict[k] = w
		}
	}
	e.mu.Unlock()
	g, err := unfuse(job.Graph, e)
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	tasks := g.Tasks()
	n := len(tasks)
	rs := &runState{e: e, job: job, tasks: tasks, enc: make([][]byte, n), deps: g.DepIndex(),
		rdeps: make([][]int32, n), sel: make([][]int, n), prio: job.Priority, root: make([]bool, n),
		st: make([]uint8, n), where: make([]uint64, n), attempt: make([]uint32, n), began: make([]bool, n),
		holders: make([][]uint64, n), size: make([]int64, n), nparts: make([]int32, n),
		waiting: make([]int32, n), needed: make([]int32, n), kills: make([][]string, n), fails: make([]uint8, n),
		est: make([]float64, n), inBytes: make([]float64, n), srcRun: make([]uint64, n), isOut: make([]bool, n),
		obs: job.Observer, done: make(chan struct{}), wake: make(chan struct{}, 1), started: time.Now()}
	if g != job.Graph {
		if rs.prio, err = graph.Order(g, job.Outputs); err != nil {
			return nil, fmt.Errorf("cluster: %w", err)
		}
	}
	if len(rs.prio) != n {
		rs.prio = make([]int32, n)
		for i := range rs.prio {
			rs.prio[i] = int32(i)
		}
	}
	for i, t := range tasks {
		if ref, ok := refOf(t, e); ok {
			rs.st[i] = sMemory
			e.mu.Lock()
			rs.holders[i] = append([]uint64(nil), ref.holders...)
			rs.size[i] = ref.size
			rs.srcRun[i] = ref.run
			e.mu.Unlock()
			continue
		}
		b, err := graph.EncodeTask(t)
		if err != nil {
			return nil, fmt.Errorf("cluster: %w", err)
		}
		rs.enc[i] = b
		rs.sel[i] = graph.InputPartsOf(t.Op, len(t.Deps))
		rs.root[i] = len(t.Deps) == 0
		if w, ok := restrict[t.Key]; ok {
			if rs.pinned == nil {
				rs.pinned = map[int32]uint64{}
			}
			rs.pinned[int32(i)] = w
		}
	}
	// Readers of every task (CSR would be leaner; a slice per task is
	// simple and the graphs here are of moderate size).
	cnt := make([]int32, n)
	for _, ds := range rs.deps {
		for _, d := range ds {
			cnt[d]++
		}
	}
	off := 0
	for i := range cnt {
		off += int(cnt[i])
	}
	all := make([]int32, off)
	off = 0
	for i := range cnt {
		rs.rdeps[i] = all[off : off : off+int(cnt[i])]
		off += int(cnt[i])
	}
	for i, ds := range rs.deps {
		for _, d := range ds {
			rs.rdeps[d] = append(rs.rdeps[d], int32(i))
			rs.needed[d]++
		}
	}
	rs.outIdx = make([]int32, len(job.Outputs))
	for j, k := range job.Outputs {
		i := g.IndexOf(k)
		if i < 0 {
			return nil, fmt.Errorf("cluster: output %s is not in the graph", k)
		}
		rs.outIdx[j] = int32(i)
		if !rs.isOut[i] {
			rs.isOut[i] = true
			rs.needed[i]++
		}
	}
	rs.results = make([]any, len(job.Outputs))
	return rs, nil
}

// start makes the ready tasks ready and hands out the first roots.
func (rs *runState) start() {
	if rs.obs != nil {
		rs.obs.Observe(sched.Event{Kind: sched.JobStarted, Total: len(rs.tasks), Time: time.Now()})
	}
	for i, t := range rs.tasks {
		if rs.srcRun[i] != 0 {
			// A value kept by Persist: on the workers that still hold it.
			hs := rs.holders[i][:0]
			for _, h := range rs.holders[i] {
				if rs.e.workers[h] != nil {
					hs = append(hs, h)
				}
			}
			rs.holders[i] = hs
			if len(hs) == 0 {
				rs.e.failLocked(rs, fmt.Errorf("cluster: value %s kept on the workers was released or lost with its worker", t.Key))
				return
			}
		}
	}
	for i := range rs.tasks {
		if rs.st[i] == sMemory {
			continue
		}
		rs.remaining++
		rs.waiting[i] = rs.countWaiting(int32(i))
	}
	for i := range rs.tasks {
		if rs.st[i] == sWaiting && rs.waiting[i] == 0 {
			rs.ready(int32(i))
		}
	}
	rs.e.pumpRootsLocked(rs)
	rs.checkDone()
}

func (rs *runState) countWaiting(i int32) int32 {
	n := int32(0)
	for _, d := range rs.deps[i] {
		if rs.st[d] != sMemory {
			n++
		}
	}
	return n
}

// ready queues a root or places a task whose inputs are all computed.
func (rs *runState) ready(i int32) {
	if rs.finished {
		return
	}
	if id, ok := rs.pinned[i]; ok {
		if w := rs.e.workers[id]; w != nil {
			rs.assign(i, w)
			return
		}
	}
	if rs.root[i] {
		rs.st[i] = sQueued
		heap.Push(&rs.rootQ, prioItem{i, rs.prio[i]})
		return
	}
	w := rs.place(i)
	if w == nil {
		for _, d := range rs.deps[i] {
			if rs.srcRun[d] != 0 && len(rs.holders[d]) == 0 {
				rs.e.failLocked(rs, fmt.Errorf("cluster: task %s reads persisted value %s, which was lost with its workers", rs.tasks[i].Key, rs.tasks[d].Key))
				return
			}
		}
		// No holder is alive (the loss is being processed): it will be
		// made ready again when its inputs are back.
		rs.st[i] = sWaiting
		rs.waiting[i] = rs.countWaiting(i)
		return
	}
	rs.assign(i, w)
}

// defaultBandwidth is the assumed fetch bandwidth before one is measured.
const defaultBandwidth = 500e6

// place picks the worker that minimises its assigned work plus the bytes
// the task would fetch over the measured bandwidth; the candidates are the
// workers holding its inputs, and an idle worker when all of them are busy.
func (rs *runState) place(i int32) *wconn {
	e := rs.e
	type cand struct {
		w    *wconn
		held float64
	}
	var cs [8]cand
	cands := cs[:0]
	var total float64
	for k, d := range rs.deps[i] {
		b := rs.inputBytes(i, k, d)
		total += b
		for _, h := range rs.holders[d] {
			found := false
			for c := range cands {
				if cands[c].w.id == h {
					cands[c].held += b
					found = true
					break
				}
			}
			if !found {
				if w := e.workers[h]; w != nil {
					cands = append(cands, cand{w, b})
				}
			}
		}
	}
	var best *wconn
	bestCost := math.Inf(1)
	for _, c := range cands {
		cost := c.w.occ + (total-c.held)/bandwidth(c.w)
		if cost < bestCost {
			best, bestCost = c.w, cost
		}
	}
	if best != nil && best.occ > 0 && len(e.workers) <= 64 && rs.mayOffload(i, total) {
		for _, w := range e.workers {
			if w.occ == 0 && w.roots == 0 {
				if cost := total / bandwidth(w); cost < bestCost {
					best, bestCost = w, cost
				}
				break
			}
		}
	}
	return best
}

// offloadUnmeasured is the input bytes up to which a task of an op not
// measured yet may still go to an idle worker that holds none of them.
const offloadUnmeasured = 1 << 20

// mayOffload reports whether task i, reading total bytes, may be sent to
// an idle worker that holds none of its inputs. Not when its op has not
// been measured and its inputs are large: the holders' queued work is then
// made of guesses (input bytes at unknownRate), and a guess that is two
// orders too long, for a partial groupby over a persisted 40 MB
// partition that takes 2 ms, used to move whole partitions at the start
// of a first query (0.7 s to fetch 80 MB for a 20 ms question). The move
// is a certain cost; the queue it would avoid is not known yet. Once the
// op's first tasks have finished, its estimates are measured and the
// offload is weighed again; stealing moves work off a holder that does
// turn out to be slow.
func (rs *runState) mayOffload(i int32, total float64) bool {
	if total <= offloadUnmeasured {
		return true
	}
	s := rs.e.opStats[graph.LabelOf(rs.tasks[i].Op)]
	return s != nil && s.n > 0
}

func bandwidth(w *wconn) float64 {
	if w.bw > 0 {
		return w.bw
	}
	return defaultBandwidth
}

// inputBytes estimates the bytes task i reads of its k-th input d: the
// whole value, or one part of a Parted value.
func (rs *runState) inputBytes(i int32, k int, d int32) float64 {
	b := float64(rs.size[d])
	if s := rs.sel[i]; s != nil && s[k] >= 0 && rs.nparts[d] > 0 {
		b /= float64(rs.nparts[d])
	}
	return b
}

// unknownRate is the bytes per second a task of an op not measured yet is
// expected to read (a first guess; a 1 ms guess for a merge of 200 MB of
// partial states sent every merge of a first q10 to one worker).
const unknownRate = 100e6

// estimate is the expected duration of task i: its input bytes at its op's
// measured seconds per input byte when both are known (the partial states
// of a groupby over ten rows and over a million take the same op), else the
// mean of the op's measured durations; before any, its input bytes at
// unknownRate, at least 1 ms.
func (rs *runState) estimate(i int32) float64 {
	s := rs.e.opStats[graph.LabelOf(rs.tasks[i].Op)]
	if s == nil || s.n == 0 {
		return max(1e-3, rs.inBytes[i]/unknownRate)
	}
	if in := rs.inBytes[i]; in > 0 && s.bytes > 0 {
		return 1e-6 + in*s.sizedSum/s.bytes
	}
	return s.sum / float64(s.n)
}

// inputTotal is the bytes task i reads of all its inputs.
func (rs *runState) inputTotal(i int32) float64 {
	var b float64
	for k, d := range rs.deps[i] {
		b += rs.inputBytes(i, k, d)
	}
	return b
}

// assign sends task i to worker w.
func (rs *runState) assign(i int32, w *wconn) {
	rs.st[i] = sAssigned
	rs.where[i] = w.id
	rs.attempt[i]++
	rs.began[i] = false
	rs.inBytes[i] = rs.inputTotal(i)
	rs.est[i] = rs.estimate(i)
	w.occ += rs.est[i]
	w.nassigned++
	if rs.root[i] {
		w.roots++
	}
	att := rs.attempt[i]
	var flags uint64
	if rs.keep && rs.isOut[i] {
		flags |= flagKeep
	}
	w.out.entry(eCompute, rs.id, func(b []byte) []byte {
		b = binary.AppendUvarint(b, uint64(i))
		b = binary.AppendUvarint(b, uint64(att))
		b = binary.AppendUvarint(b, flags)
		b = binary.AppendVarint(b, int64(rs.prio[i]))
		b = appendTaskRef(b, w.out, rs.enc[i])
		b = binary.AppendUvarint(b, uint64(len(rs.deps[i])))
		for _, d := range rs.deps[i] {
			b = binary.AppendUvarint(b, rs.srcRun[d])
			b = binary.AppendUvarint(b, uint64(len(rs.holders[d])))
			for _, h := range rs.holders[d] {
				b = binary.AppendUvarint(b, h)
			}
		}
		return b
	})
}

// unassign takes task i back from its worker (bookkeeping only).
func (rs *runState) unassign(i int32) {
	if w := rs.e.workers[rs.where[i]]; w != nil {
		w.occ = math.Max(0, w.occ-rs.est[i])
		w.nassigned--
		if rs.root[i] {
			w.roots--
		}
	}
	rs.where[i] = 0
}

// rootSlots is how many roots a worker may have assigned at once: one per
// thread while their output size is unknown or large; for small outputs
// more, up to 256 per thread, so that round trips do not starve the
// workers and the roots in flight hold at most a few MiB per thread.
func (rs *runState) rootSlots(w *wconn) int {
	f := 1
	if rs.rootDone > 0 {
		avg := float64(rs.rootBytes)/float64(rs.rootDone) + 64
		budget := 4.0 * (1 << 20)
		if w.memLimit > 0 {
			budget = math.Min(budget, float64(w.memLimit)/float64(64*w.nthreads))
		}
		f = int(math.Max(1, math.Min(256, budget/avg)))
	}
	return f * w.nthreads
}

// pumpRootsLocked hands out queued roots to the workers with free slots,
// consecutive roots (in priority order) to the same worker, so siblings of
// a reduction meet where they were made.
func (e *Executor) pumpRootsLocked(rs *runState) {
	for rs.rootQ.Len() > 0 && !rs.finished {
		var best *wconn
		free := 0
		for _, w := range e.workers {
			if f := rs.rootSlots(w) - w.roots; f > free || (f == free && best != nil && w.id < best.id && f > 0) {
				best, free = w, f
			}
		}
		if best == nil || free <= 0 {
			return
		}
		for ; free > 0 && rs.rootQ.Len() > 0; free-- {
			it := heap.Pop(&rs.rootQ).(prioItem)
			rs.assign(it.i, best)
		}
	}
}

// doneLocked takes a batch of reports from worker w.
func (e *Executor) doneLocked(w *wconn, r *graph.Reader) {
	touched := map[*runState]bool{}
	for len(r.Rest()) > 0 && r.Err() == nil {
		run, tid, att := r.Uvarint(), r.Uvarint(), uint32(r.Uvarint())
		st := r.Byte()
		var size int64
		var nparts, dur uint64
		var msg []byte
		var dep uint64
		switch st {
		case stOK:
			size, nparts, dur = r.Varint(), r.Uvarint(), r.Uvarint()
		case stErr:
			msg = r.Bytes()
		case stMissing:
			dep, msg = r.Uvarint(), r.Bytes()
		}
		if r.Err() != nil {
			return
		}
		rs := e.runs[run]
		if rs == nil || rs.finished || tid >= uint64(len(rs.tasks)) {
			continue
		}
		i := int32(tid)
		if rs.st[i] != sAssigned || rs.where[i] != w.id || rs.attempt[i] != att {
			if st == stOK && !rs.wantedOn(i, w.id) {
				if rs.st[i] == sMemory && rs.srcRun[i] == 0 {
					// An attempt that began before its move reached w
					// finished after the moved one: the same value (keys
					// are deterministic), and a task since placed on w
					// may already be reading w's copy, so w becomes one
					// more holder (freed with the others) instead of
					// being told to drop it under that task.
					rs.holders[i] = append(rs.holders[i], w.id)
					continue
				}
				// A result no longer wanted (the task was moved). Not
				// when w holds or is computing a newer attempt: that
				// one is stored under the same key, and a free would
				// drop it.
				k := rs.tasks[i].Key
				w.out.entry(eFree, run, func(b []byte) []byte { return graph.AppendBytes(b, []byte(k)) })
			}
			continue
		}
		switch st {
		case stBegan:
			rs.began[i] = true
		case stOK:
			e.stats.Tasks++
			touched[rs] = true
			rs.unassign(i)
			if rs.root[i] {
				rs.rootDone++
				rs.rootBytes += size
			}
			label := graph.LabelOf(rs.tasks[i].Op)
			s := e.opStats[label]
			if s == nil {
				s = &opStat{}
				e.opStats[label] = s
			}
			s.n++
			s.sum += float64(dur) / 1e9
			if in := rs.inBytes[i]; in > 0 {
				s.sized++
				s.sizedSum += float64(dur) / 1e9
				s.bytes += in
			}
			rs.computed(i, w, size, int32(nparts), time.Duration(dur))
		case stErr:
			t := rs.tasks[i]
			err := &sched.TaskError{Key: t.Key, Op: graph.LabelOf(t.Op), Err: &RemoteError{Msg: string(msg)}}
			if rs.obs != nil {
				rs.obs.Observe(sched.Event{Kind: sched.TaskFailed, Key: t.Key, Index: int(i), Label: err.Op, Worker: int(w.id), Err: err, Time: time.Now()})
			}
			e.failLocked(rs, err)
		case stMissing:
			touched[rs] = true
			rs.unassign(i)
			rs.fails[i]++
			if int(dep) >= len(rs.deps[i]) {
				continue
			}
			d := rs.deps[i][dep]
			if rs.fails[i] > 8 {
				e.failLocked(rs, fmt.Errorf("cluster: task %s: input %s could not be fetched from its holders (tried %d times): %s",
					rs.tasks[i].Key, rs.tasks[d].Key, rs.fails[i], msg))
				continue
			}
			rs.st[i] = sWaiting
			rs.waiting[i] = rs.countWaiting(i)
			if rs.waiting[i] == 0 {
				rs.retryLater(i)
			}
		}
	}
	for rs := range touched {
		e.pumpRootsLocked(rs)
		rs.checkDone()
	}
	if w.nassigned == 0 && !w.gone {
		// Nothing left on w: take queued work from the busiest worker now,
		// not at w's next heartbeat; at most every 20 ms (a steal scans
		// the run's tasks).
		if now := time.Now(); now.Sub(w.lastSteal) > 20*time.Millisecond {
			w.lastSteal = now
			e.stealLocked(w)
		}
	}
}

// wantedOn reports whether worker id is assigned task i or holds its value.
func (rs *runState) wantedOn(i int32, id uint64) bool {
	if rs.st[i] == sAssigned && rs.where[i] == id {
		return true
	}
	for _, h := range rs.holders[i] {
		if h == id {
			return true
		}
	}
	return false
}

// retryLater readies task i again after a backoff that doubles with its
// failed fetches (50 ms, 100 ms, ... at most 2 s), unless something else
// readied it first.
func (rs *runState) retryLater(i int32) {
	d := 50 * time.Millisecond << min(rs.fails[i], 6)
	d = min(d, 2*time.Second)
	e := rs.e
	time.AfterFunc(d, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if rs.finished || rs.st[i] != sWaiting || rs.countWaiting(i) != 0 {
			return
		}
		rs.waiting[i] = 0
		rs.ready(i)
		e.pumpRootsLocked(rs)
	})
}

// computed records task i's value on worker w.
func (rs *runState) computed(i int32, w *wconn, size int64, nparts int32, dur time.Duration) {
	rs.st[i] = sMemory
	rs.holders[i] = append(rs.holders[i][:0], w.id)
	rs.size[i] = size
	rs.nparts[i] = nparts
	rs.remaining--
	if rs.obs != nil {
		t := rs.tasks[i]
		rs.obs.Observe(sched.Event{Kind: sched.TaskFinished, Key: t.Key, Index: int(i), Label: graph.LabelOf(t.Op), Worker: int(w.id), Duration: dur, Time: time.Now()})
	}
	for _, d := range rs.deps[i] {
		rs.needed[d]--
		if rs.needed[d] == 0 {
			rs.release(d)
		}
	}
	for _, r := range rs.rdeps[i] {
		if rs.st[r] == sWaiting {
			rs.waiting[r]--
			if rs.waiting[r] == 0 {
				rs.ready(r)
			}
		}
	}
	if rs.needed[i] == 0 {
		rs.release(i)
	}
}

// release frees a value no task will read again.
func (rs *runState) release(d int32) {
	if rs.st[d] != sMemory || rs.srcRun[d] != 0 {
		return
	}
	rs.st[d] = sReleased
	k := rs.tasks[d].Key
	for _, h := range rs.holders[d] {
		if w := rs.e.workers[h]; w != nil {
			w.out.entry(eFree, rs.id, func(b []byte) []byte { return graph.AppendBytes(b, []byte(k)) })
		}
	}
	rs.holders[d] = rs.holders[d][:0]
}

// workerLost repairs the run after worker w is gone.
func (rs *runState) workerLost(w *wconn) {
	if rs.finished {
		return
	}
	e := rs.e
	var again []int32
	anyBegan := false
	for i := range rs.tasks {
		if rs.st[i] == sAssigned && rs.where[i] == w.id && rs.began[i] {
			anyBegan = true
			break
		}
	}
	who := fmt.Sprintf("%d %s (pid %d)", w.id, w.addr, w.pid)
	var lost []int32
	for i := range rs.tasks {
		i32 := int32(i)
		switch rs.st[i] {
		case sAssigned:
			if rs.where[i] != w.id {
				continue
			}
			if rs.began[i] || !anyBegan {
				rs.kills[i] = append(rs.kills[i], who)
				if len(rs.kills[i]) >= allowedFailures {
					t := rs.tasks[i]
					e.failLocked(rs, &KilledWorkerError{Key: t.Key, Op: graph.LabelOf(t.Op), Workers: rs.kills[i]})
					return
				}
			}
			rs.where[i] = 0
			rs.st[i] = sWaiting
			again = append(again, i32)
		case sMemory:
			if rs.srcRun[i] != 0 {
				hs := rs.holders[i][:0]
				for _, h := range rs.holders[i] {
					if h != w.id {
						hs = append(hs, h)
					}
				}
				rs.holders[i] = hs
				if len(hs) == 0 && rs.needed[i] > 0 {
					e.failLocked(rs, fmt.Errorf("cluster: persisted value %s was lost with worker %s", rs.tasks[i].Key, who))
					return
				}
				continue
			}
			hs := rs.holders[i][:0]
			for _, h := range rs.holders[i] {
				if h != w.id {
					hs = append(hs, h)
				}
			}
			rs.holders[i] = hs
			if len(hs) == 0 {
				lost = append(lost, i32)
			}
		}
	}
	for _, i := range lost {
		if rs.needed[i] > 0 {
			again = rs.revive(i, again)
		} else {
			rs.st[i] = sReleased
		}
	}
	for _, i := range again {
		// A value to recompute reads a persisted one that went with w: it
		// has no lineage here, so the run cannot go on (it used to wait
		// for holders that never come back).
		for _, d := range rs.deps[i] {
			if rs.srcRun[d] != 0 && len(rs.holders[d]) == 0 {
				e.failLocked(rs, fmt.Errorf("cluster: persisted value %s, needed again to recompute %s, was lost with worker %s", rs.tasks[d].Key, rs.tasks[i].Key, who))
				return
			}
		}
	}
	for _, i := range again {
		if rs.st[i] == sWaiting {
			rs.waiting[i] = rs.countWaiting(i)
			if rs.waiting[i] == 0 {
				rs.ready(i)
			}
		}
	}
	e.pumpRootsLocked(rs)
	rs.checkDone()
}

// revive makes a lost or released value be computed again: its readers
// that were handed out go back to waiting, and its own released inputs are
// revived in turn (lineage).
func (rs *runState) revive(i int32, again []int32) []int32 {
	rs.st[i] = sWaiting
	rs.remaining++
	rs.e.stats.Recomputed++
	for _, r := range rs.rdeps[i] {
		if rs.st[r] == sWaiting {
			rs.waiting[r]++ // i is no longer computed
		}
		if rs.st[r] == sAssigned {
			if w := rs.e.workers[rs.where[r]]; w != nil {
				att := rs.attempt[r]
				w.out.entry(eCancel, rs.id, func(b []byte) []byte {
					b = binary.AppendUvarint(b, uint64(r))
					return binary.AppendUvarint(b, uint64(att))
				})
			}
			rs.unassign(r)
			rs.st[r] = sWaiting
			again = append(again, r)
		}
	}
	for _, d := range rs.deps[i] {
		rs.needed[d]++
		if rs.st[d] == sReleased && rs.srcRun[d] == 0 {
			again = rs.revive(d, again)
		}
	}
	return append(again, i)
}

// steal moves up to w's thread count of not-yet-started tasks from the
// busiest worker to the idle w, when moving their inputs costs less than
// waiting behind the victim's queue.
func (rs *runState) steal(w *wconn) {
	e := rs.e
	var victim *wconn
	for _, o := range e.workers {
		// Only a worker with more non-root tasks than threads has some
		// waiting (roots are not stolen: they wait on the scheduler).
		if o != w && o.nassigned-o.roots > o.nthreads && (victim == nil || o.occ > victim.occ) {
			victim = o
		}
	}
	if victim == nil {
		return
	}
	moved := 0
	for i := range rs.tasks {
		if moved >= w.nthreads {
			break
		}
		i32 := int32(i)
		if rs.st[i] != sAssigned || rs.where[i] != victim.id || rs.began[i] || rs.root[i] {
			continue
		}
		if _, ok := rs.pinned[i32]; ok {
			continue
		}
		if rs.inputTotal(i32)/bandwidth(w) > victim.occ {
			continue
		}
		att := rs.attempt[i]
		victim.out.entry(eCancel, rs.id, func(b []byte) []byte {
			b = binary.AppendUvarint(b, uint64(i))
			return binary.AppendUvarint(b, uint64(att))
		})
		rs.unassign(i32)
		rs.assign(i32, w)
		e.stats.Stolen++
		moved++
	}
}

// checkDone wakes the gatherer when every task is computed.
func (rs *runState) checkDone() {
	if rs.remaining == 0 && !rs.finished {
		select {
		case rs.wake <- struct{}{}:
		default:
		}
	}
}

// finish ends the run: every worker drops its values, the waiter wakes.
func (rs *runState) finish() {
	rs.finished = true
	e := rs.e
	delete(e.runs, rs.id)
	for i := range rs.tasks {
		if rs.st[i] == sAssigned {
			rs.unassign(int32(i))
		}
	}
	if !rs.keep || rs.err != nil {
		for _, w := range e.workers {
			w.out.send(binary.AppendUvarint([]byte{mRelease}, rs.id))
		}
	}
	if rs.obs != nil {
		rs.obs.Observe(sched.Event{Kind: sched.JobFinished, Err: rs.err, Time: time.Now()})
	}
	close(rs.done)
	select {
	case rs.wake <- struct{}{}:
	default:
	}
}

// gatherStreams is how many calls fetch one worker's outputs at once.
const gatherStreams = 4

// gatherer fetches the outputs once every task is computed, straight from
// the workers holding them; if a holder dies meanwhile, the lost outputs
// are recomputed and it tries again.
func (rs *runState) gatherer() {
	e := rs.e
	got := make([]bool, len(rs.outIdx))
	tries := 0
	for {
		<-rs.wake
		for {
			e.mu.Lock()
			if rs.finished {
				e.mu.Unlock()
				return
			}
			if rs.remaining > 0 {
				e.mu.Unlock()
				break
			}
			if rs.keep {
				for j, i := range rs.outIdx {
					src := rs.srcRun[i]
					if src == 0 {
						src = rs.id
					}
					r := &Ref{e: e, run: src, key: rs.tasks[i].Key, holders: append([]uint64(nil), rs.holders[i]...), size: rs.size[i]}
					if rs.lineage {
						r.lineage = rs.job.Graph
					}
					rs.results[j] = r
				}
				rs.finish()
				e.mu.Unlock()
				return
			}
			groups := map[string][]int{}
			gw := map[string]uint64{} // the worker behind each address
			for j, i := range rs.outIdx {
				if got[j] {
					continue
				}
				var w *wconn
				for _, h := range rs.holders[i] {
					if w = e.workers[h]; w != nil {
						break
					}
				}
				if w == nil {
					continue
				}
				groups[w.addr] = append(groups[w.addr], j)
				gw[w.addr] = w.id
			}
			e.mu.Unlock()
			// Every worker's outputs at once, each worker's in up to
			// gatherStreams calls, so that the workers encode and the
			// client decodes in parallel (a q10 result of 10^7 rows
			// came one output after another).
			var ferr error
			lostHolder := false
			var fmu sync.Mutex
			var wg sync.WaitGroup
			for addr, js := range groups {
				k := min(gatherStreams, len(js))
				for b := 0; b < k; b++ {
					var sub []int
					for n := b; n < len(js); n += k {
						sub = append(sub, js[n])
					}
					wg.Add(1)
					go func(addr string, js []int) {
						defer wg.Done()
						items := make([]item, len(js))
						for n, j := range js {
							i := rs.outIdx[j]
							src := rs.srcRun[i]
							if src == 0 {
								src = rs.id
							}
							items[n] = item{run: src, key: rs.tasks[i].Key, part: -1}
						}
						err := e.gather(context.Background(), addr, items, func(n int, v any) {
							rs.results[js[n]] = v
							got[js[n]] = true
						})
						if err == nil {
							return
						}
						e.mu.Lock()
						// The holder was removed meanwhile (a process at the
						// same address may already serve an empty store):
						// its outputs are being recomputed.
						lost := e.workers[gw[addr]] == nil
						e.mu.Unlock()
						fmu.Lock()
						ferr = fmt.Errorf("cluster: gather outputs from worker %s: %w", addr, err)
						lostHolder = lostHolder || lost
						fmu.Unlock()
					}(addr, sub)
				}
			}
			wg.Wait()
			all := true
			for _, g := range got {
				all = all && g
			}
			e.mu.Lock()
			if all {
				if !rs.finished {
					rs.finish()
				}
				e.mu.Unlock()
				return
			}
			tries++
			if tries > 20 || errors.Is(ferr, errRemote) && !lostHolder {
				e.failLocked(rs, ferr)
				e.mu.Unlock()
				return
			}
			e.mu.Unlock()
			time.Sleep(50 * time.Millisecond)
		}
	}
}

type prioItem struct {
	i int32
	p int32
}

type prioQueue []prioItem

func (q prioQueue) Len() int           { return len(q) }
func (q prioQueue) Less(a, b int) bool { return q[a].p < q[b].p }
func (q prioQueue) Swap(a, b int)      { q[a], q[b] = q[b], q[a] }
func (q *prioQueue) Push(x any)        { *q = append(*q, x.(prioItem)) }
func (q *prioQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
