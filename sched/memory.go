package sched

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godask/godask/graph"
)

// Memory management of the local executor.
//
// Every value a task returns is accounted at graph.SizeOf. Past the target
// (60% of the limit) the least recently used values that no running task is
// reading are encoded with their codec and written to the spill directory,
// then read back when a task needs them. Past the pause level (80%) no new
// root task (a read, a generator) starts while other tasks run, so consumers
// catch up with producers. Values whose type has no codec cannot spill; they
// stay in memory and count.
const (
	targetFraction = 0.6
	pauseFraction  = 0.8
	// DefaultMemoryFraction of physical memory (or of the cgroup's limit) is
	// the default memory limit.
	DefaultMemoryFraction = 0.75
)

const (
	stMem  int32 = iota // in memory (or not computed yet)
	stDisk              // spilled, or being spilled (then mu is held)
	stGone              // released
)

type memory struct {
	r      *run
	limit  int64
	target int64
	pause  int64
	parent string // where to create the spill directory; "" for os.TempDir
	batch  int64  // see maxBatch

	held    atomic.Int64 // bytes of values in memory
	peak    atomic.Int64 // most bytes held at once
	onDisk  atomic.Int64 // bytes of values on disk
	size    []int64      // bytes of each value, -1 until computed (atomic)
	pins    []int32      // running tasks reading the value (atomic)
	state   []int32      // stMem, stDisk or stGone (atomic)
	lastUse []int64      // clock at the last use (atomic); see clock
	holding atomic.Bool  // roots are being held back

	mu        sync.Mutex // spilling, loading, the directory
	dir       string
	noGainAt  int64 // held bytes at the last spill that freed nothing
	unspilled []bool
}

func newMemory(r *run, limit int64, parent string) *memory {
	n := len(r.tasks)
	m := &memory{r: r, limit: limit, target: int64(float64(limit) * targetFraction),
		pause: int64(float64(limit) * pauseFraction), parent: parent,
		size: make([]int64, n), pins: make([]int32, n), state: make([]int32, n),
		lastUse: make([]int64, n), unspilled: make([]bool, n)}
	for i := range m.size {
		m.size[i] = -1
	}
	m.batch = min(maxBatch, m.target/int64(8*len(r.workers)))
	return m
}

// maxBatch is how many bytes of small values a worker may account locally
// before it adds them to the shared total, so that the shared counter is
// touched once per megabyte rather than once per task. Small limits get a
// smaller batch (see newMemory).
const maxBatch = 1 << 20

// clock orders uses for the LRU choice: the number of tasks finished, read
// from a counter the run keeps anyway.
func (m *memory) clock() int64 { return int64(len(m.size)) - m.r.remaining.Load() }

// add accounts the value of task i, computed by worker w, and spills if
// memory is past the target.
func (m *memory) add(w *worker, i int32, v any) error {
	s := graph.SizeOf(v)
	atomic.StoreInt64(&m.size[i], s)
	atomic.StoreInt64(&m.lastUse[i], m.clock())
	w.held += s
	if w.held < m.batch {
		return nil
	}
	return m.flush(w)
}

// flush adds a worker's pending bytes to the shared total.
func (m *memory) flush(w *worker) error {
	h := m.held.Add(w.held)
	w.held = 0
	for p := m.peak.Load(); h > p && !m.peak.CompareAndSwap(p, h); p = m.peak.Load() {
	}
	if h > m.target {
		return m.spill()
	}
	return nil
}

// acquire pins the inputs of a task and loads those on disk; it returns the
// first load error.
func (m *memory) acquire(deps []int32) error {
	for _, d := range deps {
		atomic.AddInt32(&m.pins[d], 1)
	}
	for _, d := range deps {
		if atomic.LoadInt32(&m.state[d]) == stDisk {
			if err := m.load(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// unpin marks an input as no longer read by the task that pinned it.
func (m *memory) unpin(d int32) {
	atomic.StoreInt64(&m.lastUse[d], m.clock())
	atomic.AddInt32(&m.pins[d], -1)
}

// free releases a value nothing will read again; the caller, worker w, still
// pins it.
func (m *memory) free(w *worker, d int32) {
	if atomic.CompareAndSwapInt32(&m.state[d], stMem, stGone) {
		m.r.vals[d] = nil
		w.held -= atomic.LoadInt64(&m.size[d])
		if w.held <= -m.batch {
			m.held.Add(w.held)
			w.held = 0
			m.wakeIfBelowPause()
		}
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	switch atomic.LoadInt32(&m.state[d]) {
	case stMem: // a spill attempt backed off
		atomic.StoreInt32(&m.state[d], stGone)
		m.held.Add(-atomic.LoadInt64(&m.size[d]))
		m.r.vals[d] = nil
	case stDisk:
		atomic.StoreInt32(&m.state[d], stGone)
		m.onDisk.Add(-atomic.LoadInt64(&m.size[d]))
		os.Remove(m.path(d))
	}
	m.wakeIfBelowPause()
}

func (m *memory) wakeIfBelowPause() {
	if m.holding.Load() && m.held.Load() <= m.pause {
		m.holding.Store(false)
		m.r.wakeOne()
	}
}

// holdRoots reports whether a new root should wait: memory is past the pause
// level and some task is running that may free memory.
func (m *memory) holdRoots() bool {
	if m.held.Load() <= m.pause || m.r.running.Load() == 0 {
		return false
	}
	if !m.holding.Swap(true) && m.r.obs != nil {
		m.r.obs.Observe(Event{Kind: RootsHeld, Bytes: m.held.Load(), Time: time.Now()})
	}
	return true
}

func (m *memory) path(i int32) string {
	return filepath.Join(m.dir, strconv.Itoa(int(i))+".spill")
}

// spill writes least recently used, unpinned values to disk until memory is
// below the target again.
func (m *memory) spill() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	held := m.held.Load()
	if held <= m.target || held <= m.noGainAt {
		return nil
	}
	type cand struct {
		i    int32
		last int64
	}
	var cs []cand
	for i := range m.state {
		if atomic.LoadInt32(&m.state[i]) == stMem && atomic.LoadInt64(&m.size[i]) > 0 &&
			atomic.LoadInt32(&m.pins[i]) == 0 && !m.unspilled[i] {
			cs = append(cs, cand{int32(i), atomic.LoadInt64(&m.lastUse[i])})
		}
	}
	sort.Slice(cs, func(a, b int) bool { return cs[a].last < cs[b].last })
	freed := false
	for _, c := range cs {
		if m.held.Load() <= m.target {
			break
		}
		i := c.i
		if !atomic.CompareAndSwapInt32(&m.state[i], stMem, stDisk) {
			continue
		}
		if atomic.LoadInt32(&m.pins[i]) != 0 { // a reader got there first
			atomic.StoreInt32(&m.state[i], stMem)
			continue
		}
		payload, err := graph.EncodeValue(m.r.vals[i])
		if err != nil { // no codec: it stays in memory
			m.unspilled[i] = true
			atomic.StoreInt32(&m.state[i], stMem)
			continue
		}
		if err := m.write(i, payload); err != nil {
			atomic.StoreInt32(&m.state[i], stMem)
			return err
		}
		s := atomic.LoadInt64(&m.size[i])
		m.r.vals[i] = nil
		m.held.Add(-s)
		m.onDisk.Add(s)
		freed = true
		if m.r.obs != nil {
			m.r.obs.Observe(Event{Kind: ValueSpilled, Key: m.r.tasks[i].Key, Bytes: s, Time: time.Now()})
		}
	}
	if freed {
		m.noGainAt = 0
	} else {
		m.noGainAt = m.held.Load()
	}
	return nil
}

// write stores a spilled value: a 16-byte hash of the payload, then the payload.
func (m *memory) write(i int32, payload []byte) error {
	if m.dir == "" {
		d, err := os.MkdirTemp(m.parent, "godask-spill-")
		if err != nil {
			return fmt.Errorf("sched: spill directory in %q: %w", spillParent(m.parent), err)
		}
		m.dir = d
	}
	p := m.path(i)
	f, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("sched: spill %s to %s: %w", m.r.tasks[i].Key, p, err)
	}
	a, b := graph.Hash128(payload)
	var h [16]byte
	binary.LittleEndian.PutUint64(h[:], a)
	binary.LittleEndian.PutUint64(h[8:], b)
	w := bufio.NewWriterSize(f, 1<<16)
	w.Write(h[:])
	w.Write(payload)
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(p)
		return fmt.Errorf("sched: spill %s to %s: %w", m.r.tasks[i].Key, p, err)
	}
	return nil
}

// load reads a spilled value back; a missing or corrupted file is an error.
func (m *memory) load(d int32) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if atomic.LoadInt32(&m.state[d]) != stDisk {
		return nil // a spill attempt backed off, or another reader loaded it
	}
	p := m.path(d)
	b, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("sched: reload spilled %s: %w", m.r.tasks[d].Key, err)
	}
	if len(b) < 16 {
		return fmt.Errorf("sched: reload spilled %s from %s: corrupted (%d bytes)", m.r.tasks[d].Key, p, len(b))
	}
	a, c := graph.Hash128(b[16:])
	if binary.LittleEndian.Uint64(b) != a || binary.LittleEndian.Uint64(b[8:]) != c {
		return fmt.Errorf("sched: reload spilled %s from %s: corrupted (checksum mismatch)", m.r.tasks[d].Key, p)
	}
	v, err := graph.DecodeValue(b[16:])
	if err != nil {
		return fmt.Errorf("sched: reload spilled %s from %s: %w", m.r.tasks[d].Key, p, err)
	}
	os.Remove(p)
	s := atomic.LoadInt64(&m.size[d])
	m.r.vals[d] = v
	m.onDisk.Add(-s)
	m.held.Add(s)
	atomic.StoreInt32(&m.state[d], stMem)
	if m.r.obs != nil {
		m.r.obs.Observe(Event{Kind: ValueLoaded, Key: m.r.tasks[d].Key, Bytes: s, Time: time.Now()})
	}
	return nil
}

// cleanup removes the spill directory.
func (m *memory) cleanup() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dir != "" {
		os.RemoveAll(m.dir)
		m.dir = ""
	}
}

func spillParent(p string) string {
	if p == "" {
		return os.TempDir()
	}
	return p
}

var (
	physOnce sync.Once
	physMem  int64
)

// PhysicalMemory returns the machine's memory in bytes, or the cgroup's limit
// when that is smaller; 0 if unknown.
func PhysicalMemory() int64 {
	physOnce.Do(func() {
		if b, err := os.ReadFile("/proc/meminfo"); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
					if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
						physMem = kb << 10
					}
				}
			}
		}
		for _, p := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
			if b, err := os.ReadFile(p); err == nil {
				if v, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64); err == nil && v > 0 && (physMem == 0 || v < physMem) {
					physMem = v
				}
			}
		}
	})
	return physMem
}

// DefaultMemoryLimit is the limit used when none is set:
// DefaultMemoryFraction of PhysicalMemory, or 8 GiB when that is unknown.
func DefaultMemoryLimit() int64 {
	if p := PhysicalMemory(); p > 0 {
		return int64(float64(p) * DefaultMemoryFraction)
	}
	return 8 << 30
}
