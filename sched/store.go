package sched

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"

	"github.com/godask/godask/graph"
)

// Store is the memory manager for values kept by key rather than by a run's
// task index: a cluster worker's values, which outlive a task and are read by
// later tasks and by peers. It applies the local executor's policy (see
// memory.go) with the same thresholds and spill files:
//
//   - every value is accounted at graph.SizeOf;
//   - past the target (60% of the limit) the least recently used values that
//     no reader has pinned are encoded with their codec, compressed as an S2
//     block behind a 128-bit checksum (the local executor's whole-value spill
//     file), and written to the store's spill directory; Get reads them back
//     and checks the checksum;
//   - past the pause level (80%) OverPause reports true, so the owner starts
//     no new root task while others run;
//   - a value whose type has no codec cannot spill: it stays in memory and
//     counts.
//
// A value is either owned (Put with readers < 0: it lives until Free) or a
// counted copy (readers >= 0: it is dropped once Done has been called that
// many times and no Get is under way). A Store is safe for concurrent use.
type Store[K comparable] struct {
	mu       sync.Mutex
	m        map[K]*storeEntry
	limit    int64 // <= 0: no limit, nothing spills
	target   int64
	pause    int64
	held     int64
	spilled  int64
	files    int64
	clock    int64
	parent   string
	dir      string // created on the first spill
	spills   int64
	loads    int64
	noGainAt int64 // held bytes at the last spill that freed nothing
	err      error // the last spill failure, reported by Stats
}

type storeEntry struct {
	v       any
	size    int64
	pins    int32
	lastUse int64
	path    string // spill file while on disk ("" in memory)
	refs    int32  // readers left of a counted copy; -1 for an owned value
	noCodec bool   // tried to spill: no codec, stays in memory
}

// StoreStats are a Store's figures.
type StoreStats struct {
	// Held and Spilled are the bytes of values in memory and on disk; Files
	// the spill files; Spills and Loads the values written and read back in
	// total.
	Held, Spilled, Files, Spills, Loads int64
	// Err is the last spill failure (the value stayed in memory), or nil.
	Err error
}

// NewStore returns a store with the given memory limit (<= 0: no limit,
// nothing spills) whose spill directory is created, on the first spill, in
// spillDir ("" for os.TempDir).
func NewStore[K comparable](limit int64, spillDir string) *Store[K] {
	return &Store[K]{m: map[K]*storeEntry{}, limit: limit,
		target: int64(float64(limit) * targetFraction), pause: int64(float64(limit) * pauseFraction),
		parent: spillDir}
}

// Put stores v under k, replacing any value there, with readers counted
// readers (< 0 for an owned value), and spills others if memory passed the
// target.
func (s *Store[K]) Put(k K, v any, readers int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[k]; ok {
		s.dropLocked(k, old)
	}
	s.clock++
	e := &storeEntry{v: v, size: graph.SizeOf(v), lastUse: s.clock, refs: readers}
	if readers < 0 {
		e.refs = -1
	}
	s.m[k] = e
	s.held += e.size
	s.spillLocked()
}

// Has reports whether k is held, in memory or on disk.
func (s *Store[K]) Has(k K) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[k]
	return ok
}

// AddReader counts one more reader of a counted copy (no-op for an owned
// value); it reports false when k is not held.
func (s *Store[K]) AddReader(k K) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if ok && e.refs >= 0 {
		e.refs++
	}
	return ok
}

// Get pins k and returns its value, reading it back from its spill file if
// it was spilled; every successful Get is ended by Unpin.
func (s *Store[K]) Get(k K) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if !ok {
		return nil, fmt.Errorf("sched: value %v is not in the store", k)
	}
	if e.path != "" {
		v, err := readWhole(e.path)
		if err != nil {
			return nil, fmt.Errorf("sched: reload spilled value %v: %w", k, err)
		}
		os.Remove(e.path)
		e.path, e.v = "", v
		s.spilled -= e.size
		s.held += e.size
		s.files--
		s.loads++
	}
	e.pins++
	s.clock++
	e.lastUse = s.clock
	s.spillLocked()
	return e.v, nil
}

// Unpin ends a read of k started by Get. A counted copy with no reader left
// is dropped once no read is under way.
func (s *Store[K]) Unpin(k K) { s.release(k, true) }

// Done gives back one reader of a counted copy (no-op for an owned value).
func (s *Store[K]) Done(k K) { s.release(k, false) }

// release ends a read (unpin) or gives back a reader, and drops a counted
// copy that has neither left.
func (s *Store[K]) release(k K, unpin bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	switch {
	case !ok:
		return
	case unpin:
		e.pins--
	case e.refs <= 0:
		return
	default:
		e.refs--
	}
	if e.refs == 0 && e.pins <= 0 {
		s.dropLocked(k, e)
	}
}

// Free drops k and its spill file.
func (s *Store[K]) Free(k K) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[k]; ok {
		s.dropLocked(k, e)
	}
}

// FreeIf drops every value whose key satisfies drop.
func (s *Store[K]) FreeIf(drop func(K) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, e := range s.m {
		if drop(k) {
			s.dropLocked(k, e)
		}
	}
}

func (s *Store[K]) dropLocked(k K, e *storeEntry) {
	delete(s.m, k)
	if e.path != "" {
		os.Remove(e.path)
		s.spilled -= e.size
		s.files--
	} else {
		s.held -= e.size
	}
	e.v = nil
}

// spillLocked writes least recently used, unpinned values to disk until
// memory is under the target.
func (s *Store[K]) spillLocked() {
	if s.limit <= 0 || s.held <= s.target || s.held <= s.noGainAt {
		return
	}
	type cand struct {
		k K
		e *storeEntry
	}
	var cs []cand
	for k, e := range s.m {
		if e.path == "" && e.pins == 0 && e.size > 0 && !e.noCodec {
			cs = append(cs, cand{k, e})
		}
	}
	sort.Slice(cs, func(a, b int) bool { return cs[a].e.lastUse < cs[b].e.lastUse })
	freed := false
	for _, c := range cs {
		if s.held <= s.target {
			break
		}
		b, err := block(c.e.v)
		if err == errNoCodec {
			c.e.noCodec = true
			continue
		}
		if err == nil && s.dir == "" {
			var d string
			if d, err = os.MkdirTemp(s.parent, "godask-spill-"); err != nil {
				err = fmt.Errorf("sched: spill directory in %q: %w", spillParent(s.parent), err)
			}
			s.dir = d
		}
		var p string
		if err == nil {
			p = filepath.Join(s.dir, strconv.FormatInt(s.spills+1, 10)+".spill")
			a, h := graph.Hash128(b)
			if err = writeFile(p, [][]byte{appendSum(nil, a, h), b}, func() error { return nil }); err != nil {
				os.Remove(p)
				err = fmt.Errorf("sched: spill %v to directory %s: %w", c.k, s.dir, err)
			}
		}
		if err != nil {
			s.err = err
			break
		}
		s.spills++
		c.e.path, c.e.v = p, nil
		s.held -= c.e.size
		s.spilled += c.e.size
		s.files++
		freed = true
	}
	if freed {
		s.noGainAt = 0
	} else {
		s.noGainAt = s.held
	}
}

// readWhole reads a whole-value spill file back and checks its checksum.
func readWhole(path string) (any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 16 {
		return nil, fmt.Errorf("%s: corrupted (%d bytes)", path, len(b))
	}
	v, err := unblock(b[16:], binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// OverPause reports whether memory is past the pause level (80% of the
// limit): the owner should start no new root task while others run.
func (s *Store[K]) OverPause() bool {
	if s.limit <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held > s.pause
}

// Stats returns the store's figures.
func (s *Store[K]) Stats() StoreStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return StoreStats{Held: s.held, Spilled: s.spilled, Files: s.files, Spills: s.spills, Loads: s.loads, Err: s.err}
}

// Close drops every value and removes the spill directory.
func (s *Store[K]) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, e := range s.m {
		s.dropLocked(k, e)
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
		s.dir = ""
	}
}
