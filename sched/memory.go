package sched

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/s2"

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
//
// Shuffles (see graph.Parted): a task that reads part j of an input gets
// Part(j) of the value in memory, or, when the value is spilled and its codec
// has a Join, part j decoded alone from the spill file (an offset table and a
// checksum per part), read without holding the manager's lock so workers read
// in parallel; the part counts as held while the task runs. When every reader
// of part j of a value read only by parts has run, the part is dropped
// (graph.PartDropper) and its bytes leave the account, so a shuffle's memory
// drains as its outputs are built. A spill file lives until its value is
// freed: a value read back whole and spilled again is not rewritten.
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
	lastUse []int32      // clock at the last use (atomic); see clock
	holding atomic.Bool  // roots are being held back
	exactAt int64        // held bytes from which uses are stamped exactly (see exact)
	// tick counts the tasks finished, added by workers in batches (see
	// clock), on a cache line away from the fields every task reads.
	_    [64]byte
	tick atomic.Int64
	_    [56]byte

	filed   []int32      // 1 while the value has a spill file (atomic; set under mu)
	written atomic.Int64 // bytes written to spill files
	read    atomic.Int64 // bytes read back from spill files

	mu        sync.Mutex // spilling, whole loads, files, the directory
	dir       string
	files     []*spillFile // each value's spill file, nil if none; nil until the first spill
	closed    bool         // the run is over: write nothing more
	noGainAt  int64        // held bytes at the last spill that freed nothing
	unspilled []bool       // values without a codec; nil until the first spill
}

func newMemory(r *run, limit int64, parent string) *memory {
	n := len(r.tasks)
	m := &memory{r: r, limit: limit, target: int64(float64(limit) * targetFraction),
		pause: int64(float64(limit) * pauseFraction), parent: parent,
		size: r.bufs.i64[:n:n], pins: r.bufs.take(n), state: r.bufs.take(n),
		lastUse: r.bufs.take(n), filed: r.bufs.take(n)}
	for i := range m.size {
		m.size[i] = -1
	}
	m.batch = min(maxBatch, m.target/int64(8*len(r.workers)))
	m.exactAt = m.target / 2
	return m
}

// maxBatch is how many bytes of small values a worker may account locally
// before it adds them to the shared total, so that the shared counter is
// touched once per megabyte rather than once per task. Small limits get a
// smaller batch (see newMemory).
const maxBatch = 1 << 20

// The accounting has two modes. Far below the target (held under exactAt,
// half the target) nothing can spill soon, and a task's bookkeeping touches
// no counter shared with the other workers: bytes are added to memory.held
// in batches (see maxBatch), the LRU clock advances by clockBatch tasks at a
// time, and a value is stamped with the clock when it is made, not at each
// use. From exactAt on, every use stamps the value and the clock advances at
// every task, so that the values a spill chooses among, those made or used
// since, are ordered exactly. Bytes are never under-counted by more than the
// workers' batches (at most an eighth of the target in all), which is why
// the mode can be switched on the shared total alone.
const clockBatch = 64

// exact reports whether uses are stamped exactly (memory is past exactAt).
func (m *memory) exact() bool { return m.held.Load() >= m.exactAt }

// clock orders uses for the LRU choice: about the number of tasks finished,
// as seen by worker w (its own unflushed tasks included).
func (m *memory) clock(w *worker) int32 { return int32(m.tick.Load() + w.ticks) }

// add accounts the value of task i, computed by worker w, and spills if
// memory is past the target.
func (m *memory) add(w *worker, i int32, v any) error {
	s := graph.SizeOf(v)
	atomic.StoreInt64(&m.size[i], s)
	w.ticks++
	if w.ticks >= clockBatch || m.exact() {
		m.tick.Add(w.ticks)
		w.ticks = 0
	}
	atomic.StoreInt32(&m.lastUse[i], m.clock(w))
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
	m.note(h)
	if h > m.target {
		return m.spill()
	}
	return nil
}

// acquire pins the inputs of task i and fills w.args with what the op reads:
// whole values (loaded from disk if spilled) or, for inputs the op reads one
// part of (see graph.PartReader), that part, taken from the value in memory
// or decoded alone from a parted spill file. It returns the bytes of parts
// read from disk, accounted until release, and the first load error.
func (m *memory) acquire(w *worker, i int32) (int64, error) {
	deps := m.r.depsOf(i)
	for _, d := range deps {
		atomic.AddInt32(&m.pins[d], 1)
	}
	var sel []int
	if m.r.sel != nil {
		sel = m.r.sel[i]
	}
	args := w.args[:0]
	var tmp int64
	for k, d := range deps {
		part := -1
		if sel != nil {
			part = sel[k]
		}
		if atomic.LoadInt32(&m.state[d]) != stDisk {
			args = append(args, graph.SelectPart(m.r.vals[d], part))
			continue
		}
		if part >= 0 {
			v, n, err := m.loadPart(d, part)
			if err != nil {
				w.args = args
				m.held.Add(tmp)
				return tmp, err
			}
			tmp += n
			args = append(args, v)
			continue
		}
		if err := m.load(d); err != nil {
			w.args = args
			m.held.Add(tmp)
			return tmp, err
		}
		args = append(args, m.r.vals[d])
	}
	w.args = args
	if tmp > 0 {
		m.note(m.held.Add(tmp))
	}
	return tmp, nil
}

// note records h held bytes in the peak.
func (m *memory) note(h int64) {
	for p := m.peak.Load(); h > p && !m.peak.CompareAndSwap(p, h); p = m.peak.Load() {
	}
}

// release gives back the bytes of parts a task read from disk.
func (m *memory) release(tmp int64) {
	if tmp != 0 {
		m.held.Add(-tmp)
		m.wakeIfBelowPause()
	}
}

// unpin marks an input as no longer read by the task that pinned it, worker
// w's; near the target it stamps the use (see exact).
func (m *memory) unpin(w *worker, d int32) {
	if m.exact() {
		atomic.StoreInt32(&m.lastUse[d], m.clock(w))
	}
	atomic.AddInt32(&m.pins[d], -1)
}

// dropPart releases part j of value d, whose readers of that part have all
// run; the caller, worker w, still pins d. A spilled value keeps its file
// until it is freed.
func (m *memory) dropPart(w *worker, d int32, j int) {
	if atomic.LoadInt32(&m.state[d]) != stMem {
		return
	}
	if pd, ok := m.r.vals[d].(graph.PartDropper); ok {
		freed := pd.DropPart(j)
		atomic.AddInt64(&m.size[d], -freed)
		w.held -= freed
	}
}

// free releases a value nothing will read again, and its spill file; the
// caller, worker w, still pins it.
func (m *memory) free(w *worker, d int32) {
	if atomic.CompareAndSwapInt32(&m.state[d], stMem, stGone) {
		m.r.vals[d] = nil
		w.held -= atomic.LoadInt64(&m.size[d])
		if w.held <= -m.batch {
			m.held.Add(w.held)
			w.held = 0
			m.wakeIfBelowPause()
		}
		if atomic.LoadInt32(&m.filed[d]) != 0 {
			m.mu.Lock()
			m.removeFile(d)
			m.mu.Unlock()
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
	}
	m.removeFile(d)
	m.wakeIfBelowPause()
}

// removeFile deletes the spill file of d, if any; m.mu is held.
func (m *memory) removeFile(d int32) {
	if m.files == nil {
		return
	}
	if f := m.files[d]; f != nil {
		os.Remove(f.path)
		m.files[d] = nil
		atomic.StoreInt32(&m.filed[d], 0)
	}
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
	if m.held.Load() <= m.pause || !m.r.anyBusy() {
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

// spillFile is what the memory manager keeps of a value's spill file: where
// it is and, for a parted file, the codec to join the parts and each part's
// place and checksum (also written at the head of the file).
type spillFile struct {
	path  string
	bytes int64
	join  string // codec name of the parted value; "" for a whole-value file
	off   []int64
	sums  [][2]uint64
}

// Spill files. A whole-value file is the 16-byte hash of the payload, then
// the payload, graph.EncodeValue compressed as an S2 block. A parted file (a
// graph.Parted value whose codec has a Join) is
//
//	magic "GDSKPRT2" | uvarint len(name) | name | uvarint n |
//	n × (uvarint length, 16-byte hash) | part 0 | part 1 | ... | part n-1
//
// where part j is graph.EncodeValue(Part(j)) as an S2 block, empty for a part
// already dropped. A task that reads part j reads just that range. S2 (a
// Snappy successor, gigabytes per second per core) roughly halves the bytes
// of Arrow IPC payloads: a shuffle that spills writes and reads every byte
// once, and disk bandwidth, not the codec, bounds it.
const partedMagic = "GDSKPRT2"

// block encodes v with its codec as an S2 block; errNoCodec when v has no
// codec or its encoding is too large for a block (about 2 GiB): such a value
// stays in memory.
func block(v any) ([]byte, error) {
	b, err := graph.EncodeValue(v)
	if err != nil || s2.MaxEncodedLen(len(b)) < 0 {
		return nil, errNoCodec
	}
	return s2.Encode(nil, b), nil
}

// unblock checks block b against its checksum and decodes the value it
// holds; an empty block (a dropped part) holds nil.
func unblock(b []byte, a, c uint64) (any, error) {
	if x, y := graph.Hash128(b); x != a || y != c {
		return nil, errCorrupt
	}
	if len(b) == 0 {
		return nil, nil
	}
	p, err := s2.Decode(nil, b)
	if err != nil {
		return nil, err
	}
	return graph.DecodeValue(p)
}

// appendSum appends a 128-bit checksum as 16 little-endian bytes.
func appendSum(b []byte, a, c uint64) []byte {
	return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(b, a), c)
}

// createSpill opens a spill file for writing; tests replace it to simulate a
// full disk.
var createSpill = func(path string) (io.WriteCloser, error) { return os.Create(path) }

// spill writes least recently used, unpinned values to disk until memory is
// below the target again.
func (m *memory) spill() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	held := m.held.Load()
	if held <= m.target || held <= m.noGainAt || m.closed {
		return nil
	}
	type cand struct {
		i    int32
		last int32
	}
	if m.files == nil {
		// The first spill of the run: the records only spilling needs.
		m.files = make([]*spillFile, len(m.state))
		m.unspilled = make([]bool, len(m.state))
	}
	var cs []cand
	for i := range m.state {
		if atomic.LoadInt32(&m.state[i]) == stMem && atomic.LoadInt64(&m.size[i]) > 0 &&
			atomic.LoadInt32(&m.pins[i]) == 0 && !m.unspilled[i] {
			cs = append(cs, cand{int32(i), atomic.LoadInt32(&m.lastUse[i])})
		}
	}
	sort.Slice(cs, func(a, b int) bool { return cs[a].last < cs[b].last })
	freed := false
	for _, c := range cs {
		if m.held.Load() <= m.target || m.cancelled() != nil {
			break // a cancelled run's cleanup waits for m.mu: stop now
		}
		i := c.i
		if !atomic.CompareAndSwapInt32(&m.state[i], stMem, stDisk) {
			continue
		}
		if atomic.LoadInt32(&m.pins[i]) != 0 { // a reader got there first
			atomic.StoreInt32(&m.state[i], stMem)
			continue
		}
		if m.files[i] == nil { // a value read back keeps its file
			f, err := m.write(i)
			if err == errNoCodec { // it stays in memory
				m.unspilled[i] = true
				atomic.StoreInt32(&m.state[i], stMem)
				continue
			}
			if err != nil {
				atomic.StoreInt32(&m.state[i], stMem)
				return err
			}
			m.files[i] = f
			atomic.StoreInt32(&m.filed[i], 1)
			m.written.Add(f.bytes)
		}
		s := atomic.LoadInt64(&m.size[i])
		m.r.vals[i] = nil
		m.held.Add(-s)
		m.onDisk.Add(s)
		freed = true
		if m.r.obs != nil {
			m.r.obs.Observe(Event{Kind: ValueSpilled, Key: m.r.tasks[i].Key, Index: int(i), Bytes: s, Time: time.Now()})
		}
	}
	if freed {
		m.noGainAt = 0
	} else {
		m.noGainAt = m.held.Load()
	}
	return nil
}

var (
	errNoCodec = errors.New("no codec")
	errCorrupt = errors.New("corrupted (checksum mismatch)")
)

// write stores value i in its spill file; m.mu is held.
func (m *memory) write(i int32) (*spillFile, error) {
	v := m.r.vals[i]
	var payload [][]byte
	f := &spillFile{}
	if name, ok := graph.Joinable(v); ok {
		pv := v.(graph.Parted)
		n := pv.NumParts()
		var refs []int32
		if m.r.partRefs != nil {
			refs = m.r.partRefs[i]
		}
		payload = make([][]byte, n)
		for j := range payload {
			if refs != nil && j < len(refs) && atomic.LoadInt32(&refs[j]) == 0 {
				continue // dropped: no reader left
			}
			b, err := block(pv.Part(j))
			if err != nil {
				return nil, err
			}
			payload[j] = b
		}
		f.join = name
		f.sums = make([][2]uint64, n)
		f.off = make([]int64, n+1)
		head := []byte(partedMagic)
		head = graph.AppendBytes(head, []byte(name))
		head = binary.AppendUvarint(head, uint64(n))
		for j, b := range payload {
			a, c := graph.Hash128(b)
			f.sums[j] = [2]uint64{a, c}
			head = binary.AppendUvarint(head, uint64(len(b)))
			head = appendSum(head, a, c)
		}
		off := int64(len(head))
		for j, b := range payload {
			f.off[j] = off
			off += int64(len(b))
		}
		f.off[n] = off
		payload = append([][]byte{head}, payload...)
	} else {
		b, err := block(v)
		if err != nil {
			return nil, err
		}
		a, c := graph.Hash128(b)
		payload = [][]byte{appendSum(nil, a, c), b}
	}
	if m.dir == "" {
		d, err := os.MkdirTemp(m.parent, "godask-spill-")
		if err != nil {
			return nil, fmt.Errorf("sched: spill directory in %q: %w", spillParent(m.parent), err)
		}
		m.dir = d
	}
	f.path = m.path(i)
	err := writeFile(f.path, payload, m.cancelled)
	if err != nil {
		os.Remove(f.path)
		return nil, fmt.Errorf("sched: spill %s to directory %s: %w", m.r.tasks[i].Key, m.dir, err)
	}
	for _, b := range payload {
		f.bytes += int64(len(b))
	}
	return f, nil
}

// cancelled returns the run's context error: a spill write or a reload in
// progress stops at the next chunk once the run is cancelled.
func (m *memory) cancelled() error {
	if m.r == nil || m.r.ctx == nil {
		return nil
	}
	return m.r.ctx.Err()
}

// spillChunk is how many bytes a spill write puts out between checks of the
// run's context: 1 MiB, a few milliseconds of a disk, so a cancel during a
// spill returns in milliseconds (4 MiB chunks on a slow disk took 0.6 s).
const spillChunk = 1 << 20

func writeFile(path string, payload [][]byte, stop func() error) error {
	wc, err := createSpill(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(wc, 1<<16)
	for _, b := range payload {
		for len(b) > 0 && err == nil {
			n := min(len(b), spillChunk)
			if _, err = w.Write(b[:n]); err == nil {
				err = stop()
			}
			b = b[n:]
		}
	}
	if err != nil {
		wc.Close()
		return err
	}
	err = w.Flush()
	if cerr := wc.Close(); err == nil {
		err = cerr
	}
	return err
}

// load reads a spilled value back whole; a missing or corrupted file is an
// error. The file stays until the value is freed, so spilling the value again
// costs no write.
func (m *memory) load(d int32) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if atomic.LoadInt32(&m.state[d]) != stDisk {
		return nil // a spill attempt backed off, or another reader loaded it
	}
	f := m.files[d]
	if f == nil {
		return fmt.Errorf("sched: reload spilled %s: %w", m.r.tasks[d].Key, os.ErrNotExist)
	}
	var v any
	if f.join != "" {
		parts := make([]any, len(f.sums))
		for j := range parts {
			var err error
			if parts[j], _, err = m.readPart(d, f, j); err != nil {
				return err
			}
		}
		var err error
		if v, err = graph.JoinParts(f.join, parts); err != nil {
			return fmt.Errorf("sched: reload spilled %s from %s: %w", m.r.tasks[d].Key, f.path, err)
		}
	} else {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return fmt.Errorf("sched: reload spilled %s: %w", m.r.tasks[d].Key, err)
		}
		m.read.Add(int64(len(b)))
		if len(b) < 16 {
			return fmt.Errorf("sched: reload spilled %s from %s: corrupted (%d bytes)", m.r.tasks[d].Key, f.path, len(b))
		}
		v, err = unblock(b[16:], binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]))
		if err != nil {
			return fmt.Errorf("sched: reload spilled %s from %s: %w", m.r.tasks[d].Key, f.path, err)
		}
	}
	s := atomic.LoadInt64(&m.size[d])
	m.r.vals[d] = v
	m.onDisk.Add(-s)
	m.note(m.held.Add(s))
	atomic.StoreInt32(&m.state[d], stMem)
	if m.r.obs != nil {
		m.r.obs.Observe(Event{Kind: ValueLoaded, Key: m.r.tasks[d].Key, Index: int(d), Bytes: s, Time: time.Now()})
	}
	return nil
}

// loadPart returns part j of value d, which was on disk when the caller,
// which pins d, looked: from memory if a spill backed off meanwhile, else
// decoded alone from a parted file (a whole-value file is loaded whole). It
// also returns the bytes the part holds when read from disk. The file is read
// outside m.mu, so workers read parts in parallel.
func (m *memory) loadPart(d int32, j int) (any, int64, error) {
	var f *spillFile
	if atomic.LoadInt32(&m.filed[d]) != 0 {
		// The file is complete and stays until d is freed, which cannot
		// happen while the caller pins d: no lock, so a long spill write of
		// another value does not stall this read.
		f = m.files[d]
	} else {
		// A spill of d may be writing its file: wait for it under the lock.
		m.mu.Lock()
		if atomic.LoadInt32(&m.state[d]) != stDisk {
			v := graph.SelectPart(m.r.vals[d], j)
			m.mu.Unlock()
			return v, 0, nil
		}
		f = m.files[d]
		m.mu.Unlock()
	}
	if f == nil || f.join == "" {
		if err := m.load(d); err != nil {
			return nil, 0, err
		}
		return graph.SelectPart(m.r.vals[d], j), 0, nil
	}
	v, n, err := m.readPart(d, f, j)
	if err != nil {
		return nil, 0, err
	}
	s := graph.SizeOf(v)
	if m.r.obs != nil {
		m.r.obs.Observe(Event{Kind: PartLoaded, Key: m.r.tasks[d].Key, Index: int(d), Part: j, Bytes: n, Time: time.Now()})
	}
	return v, s, nil
}

// readPart reads and decodes part j of a parted spill file, checking its
// checksum; it returns the part and the bytes read.
func (m *memory) readPart(d int32, f *spillFile, j int) (any, int64, error) {
	if j >= len(f.sums) {
		return nil, 0, fmt.Errorf("sched: reload part %d of spilled %s: the value has %d parts", j, m.r.tasks[d].Key, len(f.sums))
	}
	b := make([]byte, f.off[j+1]-f.off[j])
	fh, err := os.Open(f.path)
	if err == nil {
		_, err = fh.ReadAt(b, f.off[j])
		fh.Close()
	}
	if err != nil {
		return nil, 0, fmt.Errorf("sched: reload part %d of spilled %s: %w", j, m.r.tasks[d].Key, err)
	}
	m.read.Add(int64(len(b)))
	v, err := unblock(b, f.sums[j][0], f.sums[j][1])
	if err != nil {
		return nil, 0, fmt.Errorf("sched: reload part %d of spilled %s from %s: %w", j, m.r.tasks[d].Key, f.path, err)
	}
	return v, int64(len(b)), nil
}

// cleanup removes the spill directory; no file is written after it.
func (m *memory) cleanup() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
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
