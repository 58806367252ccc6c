// Package dash is the engine behind sched/dashboard and sched.WithReport: it
// aggregates a run's observer events into bounded summaries (Hub, Run),
// serves them to a browser page over server-sent events (Server), and writes
// them as one offline HTML report (WriteReport).
//
// It sits beside the scheduler, after the executors in the data flow: sched
// turns every observer event into one call on a Run (Started, Finished,
// Failed, Spilled, Loaded, Memory, End), each O(1) (O(inputs) for Finished)
// and touching only the calling worker's shard, so a dashboard costs the
// workers an uncontended lock and a few counters per task. A collector
// drains the shards ten times a second into the hub's bounded buffers.
package dash

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godask/godask/graph"
)

// Bounds of the aggregated state: whatever the size of a run, the hub holds
// at most this much.
const (
	// MaxGroups is the number of op groups tracked per run; further labels
	// count under "other".
	MaxGroups = 256
	// SmallGraph is the largest graph whose tasks the graph page draws one
	// by one (and whose per-task states the hub keeps); above it the page
	// shows a summary by op group.
	SmallGraph = 400
	// shardBoxes is how many finished tasks one worker buffers between two
	// collections (100 ms); past it boxes are counted but not drawn.
	shardBoxes = 1024
	maxErrors  = 100
	maxSpills  = 4096
	memPoints  = 1200
	maxRuns    = 16
)

// Task states, as the graph page shows them.
const (
	StWaiting byte = 'w'
	StRunning byte = 'r'
	StMemory  byte = 'm'
	StGone    byte = 'g'
	StErred   byte = 'e'
)

// Box is one finished task in the task stream: times are nanoseconds since
// the hub started.
type Box struct {
	Run    int    `json:"r"`
	Task   int32  `json:"i"`
	Worker int32  `json:"w"`
	Group  int32  `json:"g"`
	Start  int64  `json:"s"`
	End    int64  `json:"e"`
	Failed bool   `json:"f,omitempty"`
	Label  string `json:"-"`
}

// Mark is a spill or reload of a value, drawn on the task stream.
type Mark struct {
	Kind  string `json:"k"` // "spill", "load", "part"
	Time  int64  `json:"t"`
	Bytes int64  `json:"b"`
	Group int32  `json:"g"`
}

// MemPoint is one memory sample: nanoseconds since the hub started, bytes
// held, spilled and the limit.
type MemPoint struct {
	Run     int   `json:"r,omitempty"`
	Time    int64 `json:"t"`
	Held    int64 `json:"h"`
	Spilled int64 `json:"s"`
	Limit   int64 `json:"l"`
}

// TaskErr is one failed task, as the errors page lists it.
type TaskErr struct {
	Run   int    `json:"run"`
	Key   string `json:"key"`
	Op    string `json:"op"`
	Error string `json:"error"`
	Stack string `json:"stack,omitempty"`
	Time  int64  `json:"t"`
}

// shard is one worker thread's share of a run's counters; only that worker
// and the collector touch it.
type shard struct {
	mu       sync.Mutex
	boxes    []Box
	dropped  int64
	started  []int64 // per group
	finished []int64
	failed   []int64
	released []int64
	nanos    []int64 // task time per group
	busy     int64   // task time of this thread
	tasks    int64
	newFin   int64 // finished and failed since the last drain
	newFail  int64
	_        [64]byte
}

// Run aggregates the events of one scheduler run.
type Run struct {
	hub     *Hub
	ID      int
	start   int64
	n       int
	workers int
	limit   int64
	labels  []string
	group   []int32 // per task
	total   []int64 // tasks per group
	deps    [][]int32
	refs    []int32 // readers not yet finished (atomic); -1: never released
	state   []uint32
	keys    []graph.Key
	shards  []shard

	mu       sync.Mutex
	errs     []TaskErr
	nerr     int
	marks    []Mark
	nmarks   int64
	mem      []MemPoint
	memEvery int64 // keep one sample per memEvery nanoseconds (doubles when full)
	lastMem  MemPoint
	ended    atomic.Bool
	endTime  int64
	endErr   string
	peak     int64
	written  int64
	read     int64
	drained  bool // ended and drained for the last time (hub.mu)
}

// StartRun begins aggregating a run of graph g (the scheduler's job graph,
// whose task positions the events' indices refer to) on the given number of
// worker threads with the given memory limit (0: unlimited). Outputs are
// never counted as released.
func (h *Hub) StartRun(g *graph.Graph, outputs []graph.Key, workers int, limit int64) *Run {
	tasks := g.Tasks()
	n := len(tasks)
	if workers < 1 {
		workers = 1
	}
	r := &Run{hub: h, n: n, workers: workers, limit: limit, start: h.now(),
		group: make([]int32, n), deps: g.DepIndex(), refs: make([]int32, n),
		shards: make([]shard, workers), memEvery: int64(100 * time.Millisecond)}
	ids := map[string]int32{}
	last, lastID := "", int32(-1)
	for i := range tasks {
		l := graph.LabelOf(tasks[i].Op)
		if lastID >= 0 && l == last {
			r.group[i] = lastID // runs of one op are common: skip the map
			continue
		}
		id, ok := ids[l]
		if !ok {
			if len(r.labels) < MaxGroups-1 {
				id = int32(len(r.labels))
				r.labels = append(r.labels, l)
			} else {
				if _, ok := ids["other"]; !ok {
					ids["other"] = int32(len(r.labels))
					r.labels = append(r.labels, "other")
				}
				id = ids["other"]
			}
			ids[l] = id
		}
		r.group[i] = id
		last, lastID = l, id
	}
	r.total = make([]int64, len(r.labels))
	for i := range tasks {
		r.total[r.group[i]]++
	}
	for _, ds := range r.deps {
		for _, d := range ds {
			r.refs[d]++
		}
	}
	for _, k := range outputs {
		if i := g.IndexOf(k); i >= 0 {
			r.refs[i] = -1 << 30
		}
	}
	if n <= SmallGraph {
		r.state = make([]uint32, n)
		r.keys = make([]graph.Key, n)
		for i, t := range tasks {
			r.state[i] = uint32(StWaiting)
			r.keys[i] = t.Key
		}
	}
	ng := len(r.labels)
	for i := range r.shards {
		s := &r.shards[i]
		s.started, s.finished, s.failed = make([]int64, ng), make([]int64, ng), make([]int64, ng)
		s.released, s.nanos = make([]int64, ng), make([]int64, ng)
		s.boxes = make([]Box, 0, 256)
	}
	h.addRun(r)
	return r
}

func (r *Run) shard(worker int) *shard {
	if worker < 0 || worker >= len(r.shards) {
		worker = 0
	}
	return &r.shards[worker]
}

func (r *Run) valid(i int) bool { return i >= 0 && i < r.n }

func (r *Run) setState(i int, s byte) {
	if r.state != nil {
		atomic.StoreUint32(&r.state[i], uint32(s))
	}
}

// Started records that worker began task i at t.
func (r *Run) Started(i, worker int, t time.Time) {
	if !r.valid(i) {
		return
	}
	// Only this worker writes its shard's counter: an atomic add on a line
	// no other worker touches, no lock.
	atomic.AddInt64(&r.shard(worker).started[r.group[i]], 1)
	r.setState(i, StRunning)
}

// Finished records that worker computed task i, ending at t after d.
func (r *Run) Finished(i, worker int, t time.Time, d time.Duration) {
	r.FinishedBatch(worker, 1, func(int) (int, int64, time.Duration) { return i, t.UnixNano(), d })
}

// FinishedBatch records n tasks worker computed, under one lock: task(k)
// gives the k-th one's position, its end (Unix nanoseconds) and duration.
func (r *Run) FinishedBatch(worker, n int, task func(k int) (i int, end int64, d time.Duration)) {
	s := r.shard(worker)
	s.mu.Lock()
	for k := 0; k < n; k++ {
		i, end, d := task(k)
		if !r.valid(i) {
			continue
		}
		end -= r.hub.epoch
		g := r.group[i]
		s.finished[g]++
		s.nanos[g] += int64(d)
		s.busy += int64(d)
		s.tasks++
		s.newFin++
		if len(s.boxes) < shardBoxes {
			s.boxes = append(s.boxes, Box{Run: r.ID, Task: int32(i), Worker: int32(worker), Group: g, Start: end - int64(d), End: end})
		} else {
			s.dropped++
		}
		for _, dep := range r.deps[i] {
			if atomic.AddInt32(&r.refs[dep], -1) == 0 {
				s.released[r.group[dep]]++
				r.setState(int(dep), StGone)
			}
		}
		r.setState(i, StMemory)
	}
	s.mu.Unlock()
}

// Failed records that task i (key, op label) failed on worker at t after d
// with err; stack is the goroutine's stack when the task panicked.
func (r *Run) Failed(i, worker int, key graph.Key, label string, t time.Time, d time.Duration, err error, stack []byte) {
	if !r.valid(i) {
		return
	}
	end := t.UnixNano() - r.hub.epoch
	g := r.group[i]
	s := r.shard(worker)
	s.mu.Lock()
	s.failed[g]++
	s.newFail++
	s.nanos[g] += int64(d)
	s.busy += int64(d)
	if len(s.boxes) < shardBoxes {
		s.boxes = append(s.boxes, Box{Run: r.ID, Task: int32(i), Worker: int32(worker), Group: g, Start: end - int64(d), End: end, Failed: true})
	}
	s.mu.Unlock()
	r.setState(i, StErred)
	te := TaskErr{Run: r.ID, Key: string(key), Op: label, Time: end, Stack: string(stack)}
	if err != nil {
		te.Error = err.Error()
	}
	if len(te.Error) > 16<<10 {
		te.Error = te.Error[:16<<10] + "…"
	}
	if len(te.Stack) > 32<<10 {
		te.Stack = te.Stack[:32<<10] + "…"
	}
	r.mu.Lock()
	r.nerr++
	if len(r.errs) < maxErrors {
		r.errs = append(r.errs, te)
	}
	r.mu.Unlock()
	r.hub.noteError()
}

// Mark records a spill ("spill"), whole reload ("load") or part reload
// ("part") of task i's value, bytes of it, at t.
func (r *Run) Mark(kind string, i int, bytes int64, t time.Time) {
	var g int32 = -1
	if r.valid(i) {
		g = r.group[i]
	}
	r.mu.Lock()
	r.nmarks++
	if len(r.marks) < maxSpills {
		r.marks = append(r.marks, Mark{Kind: kind, Time: t.UnixNano() - r.hub.epoch, Bytes: bytes, Group: g})
	}
	r.mu.Unlock()
	r.hub.noteMark(kind, bytes)
}

// Memory records a memory sample at t: bytes held and spilled, and the limit.
// Samples are kept at one per 100 ms; when the buffer fills, every other one
// is dropped and the spacing doubles, so any run length fits.
func (r *Run) Memory(held, spilled, limit int64, t time.Time) {
	p := MemPoint{Run: r.ID, Time: t.UnixNano() - r.hub.epoch, Held: held, Spilled: spilled, Limit: limit}
	r.mu.Lock()
	r.lastMem = p
	if n := len(r.mem); n == 0 || p.Time-r.mem[n-1].Time >= r.memEvery*9/10 {
		if n == memPoints {
			k := 0
			for j := 0; j < n; j += 2 {
				r.mem[k] = r.mem[j]
				k++
			}
			r.mem = r.mem[:k]
			r.memEvery *= 2
		}
		r.mem = append(r.mem, p)
	}
	r.mu.Unlock()
}

// End closes the run: its error (nil on success), the most bytes held at
// once, and the bytes written to and read from spill files.
func (r *Run) End(err error, peak, written, read int64, t time.Time) {
	r.mu.Lock()
	r.endTime = t.UnixNano() - r.hub.epoch
	if err != nil {
		r.endErr = err.Error()
		if len(r.endErr) > 4096 {
			r.endErr = r.endErr[:4096] + "…"
		}
	}
	r.peak, r.written, r.read = peak, written, read
	r.mu.Unlock()
	r.ended.Store(true)
	r.hub.collect()
}

// Ended reports whether End was called.
func (r *Run) Ended() bool { return r.ended.Load() }

// Labels returns the run's op groups.
func (r *Run) Labels() []string { return r.labels }

// GroupCounts is the progress of one op group.
type GroupCounts struct {
	Label    string  `json:"label"`
	Total    int64   `json:"total"`
	Waiting  int64   `json:"waiting"`
	Running  int64   `json:"running"`
	Memory   int64   `json:"memory"`
	Released int64   `json:"released"`
	Erred    int64   `json:"erred"`
	Finished int64   `json:"finished"`
	Seconds  float64 `json:"seconds"` // task time
}

// ThreadStats is one worker thread's share.
type ThreadStats struct {
	Tasks   int64   `json:"tasks"`
	Seconds float64 `json:"seconds"`
}

// Progress sums the shards: per op group counts, per thread stats.
func (r *Run) Progress() ([]GroupCounts, []ThreadStats) {
	ng := len(r.labels)
	gs := make([]GroupCounts, ng)
	for g := range gs {
		gs[g].Label = r.labels[g]
		gs[g].Total = r.total[g]
	}
	th := make([]ThreadStats, len(r.shards))
	for w := range r.shards {
		s := &r.shards[w]
		s.mu.Lock()
		for g := 0; g < ng; g++ {
			gs[g].Running += atomic.LoadInt64(&s.started[g])
			gs[g].Finished += s.finished[g]
			gs[g].Erred += s.failed[g]
			gs[g].Released += s.released[g]
			gs[g].Seconds += float64(s.nanos[g]) / 1e9
		}
		th[w] = ThreadStats{Tasks: s.tasks, Seconds: float64(s.busy) / 1e9}
		s.mu.Unlock()
	}
	ended := r.Ended()
	for g := range gs {
		c := &gs[g]
		c.Running -= c.Finished + c.Erred // started counts every task begun
		if c.Running < 0 || ended {
			c.Running = 0
		}
		c.Memory = c.Finished - c.Released
		c.Waiting = c.Total - c.Running - c.Finished - c.Erred
		if c.Waiting < 0 {
			c.Waiting = 0
		}
	}
	return gs, th
}

// drain moves the shards' buffered boxes out, returning them, the number
// dropped, and the tasks finished and failed since the last drain.
func (r *Run) drain(into []Box) (out []Box, dropped, fin, fail int64) {
	for w := range r.shards {
		s := &r.shards[w]
		s.mu.Lock()
		into = append(into, s.boxes...)
		s.boxes = s.boxes[:0]
		dropped += s.dropped
		fin += s.newFin
		fail += s.newFail
		s.dropped, s.newFin, s.newFail = 0, 0, 0
		s.mu.Unlock()
	}
	return into, dropped, fin, fail
}

// States returns the per-task states of a small graph ("" above SmallGraph).
func (r *Run) States() string {
	if r.state == nil {
		return ""
	}
	b := make([]byte, len(r.state))
	for i := range r.state {
		b[i] = byte(atomic.LoadUint32(&r.state[i]))
	}
	return string(b)
}

// Errors returns the failed tasks recorded (at most 100) and how many failed.
func (r *Run) Errors() ([]TaskErr, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]TaskErr(nil), r.errs...), r.nerr
}

func (r *Run) String() string { return fmt.Sprintf("run %d (%d tasks)", r.ID, r.n) }
