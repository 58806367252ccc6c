package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/godask/godask/graph"
)

// store holds a worker's values, with the local executor's memory policy:
// every value is accounted at graph.SizeOf; past the target (60% of the
// limit) the least recently used values no task is reading are encoded with
// their codec and written to the worker's spill directory, and read back
// when a task or a peer asks for them; past the pause level (80%) the
// worker starts no new root task while others run. Values whose type has no
// codec cannot spill and stay in memory.
type store struct {
	mu      sync.Mutex
	m       map[vkey]*entry
	limit   int64 // <= 0: no limit, nothing spills
	target  int64
	pause   int64
	held    int64
	spilled int64
	files   int64
	clock   int64
	parent  string
	dir     string // created on the first spill
	spills  int64  // values written, in total
	loads   int64  // values read back, in total
}

// vkey names a value on a worker: the run that made it, its key, and the
// part (-1 for a whole value; >= 0 for one part of a Parted value fetched
// from a peer).
type vkey struct {
	run  uint64
	key  graph.Key
	part int
}

type entry struct {
	v       any
	size    int64
	pins    int32
	lastUse int64
	path    string // spill file while on disk ("" in memory)
	// refs counts the local tasks that will read a copy fetched from a
	// peer; the copy is dropped when it reaches 0. -1 for values this
	// worker computed, which only the scheduler frees.
	refs int32
}

func newStore(limit int64, spillParent string) *store {
	return &store{m: map[vkey]*entry{}, limit: limit, target: limit * 6 / 10, pause: limit * 8 / 10, parent: spillParent}
}

// put stores a value and spills others if memory passed the target.
func (s *store) put(k vkey, v any, refs int32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[k]; ok {
		s.dropLocked(k, old)
	}
	s.clock++
	e := &entry{v: v, size: graph.SizeOf(v), lastUse: s.clock, refs: refs}
	s.m[k] = e
	s.held += e.size
	s.spillLocked()
}

// has reports whether k is held (in memory or on disk).
func (s *store) has(k vkey) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[k]
	return ok
}

// addRef counts one more local reader of a fetched copy; it reports false
// when k is not held.
func (s *store) addRef(k vkey) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if ok && e.refs >= 0 {
		e.refs++
	}
	return ok
}

// get pins k and returns its value, reading it back from disk if spilled.
func (s *store) get(k vkey) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if !ok {
		return nil, fmt.Errorf("value %s (run %d) is not on this worker", k.key, k.run)
	}
	if e.path != "" {
		b, err := os.ReadFile(e.path)
		if err != nil {
			return nil, fmt.Errorf("read back spilled value %s: %w", k.key, err)
		}
		v, err := graph.DecodeValue(b)
		if err != nil {
			return nil, fmt.Errorf("read back spilled value %s: %w", k.key, err)
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

// unpin ends a read of k started by get. A fetched copy no local task
// will read again is dropped once no read is under way.
func (s *store) unpin(k vkey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if !ok {
		return
	}
	e.pins--
	if e.refs == 0 && e.pins <= 0 {
		s.dropLocked(k, e)
	}
}

// deref gives back one local reader's reference to a fetched copy (no-op
// for values this worker computed).
func (s *store) deref(k vkey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[k]
	if !ok || e.refs <= 0 {
		return
	}
	e.refs--
	if e.refs == 0 && e.pins <= 0 {
		s.dropLocked(k, e)
	}
}

// free drops k (the scheduler's word: no task will read it again).
func (s *store) free(k vkey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[k]; ok {
		s.dropLocked(k, e)
	}
}

// releaseRun drops every value of a run.
func (s *store) releaseRun(run uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, e := range s.m {
		if k.run == run {
			s.dropLocked(k, e)
		}
	}
}

func (s *store) dropLocked(k vkey, e *entry) {
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
func (s *store) spillLocked() {
	if s.limit <= 0 || s.held <= s.target {
		return
	}
	for s.held > s.target {
		var victim *entry
		for _, e := range s.m {
			if e.path == "" && e.pins == 0 && e.size > 0 && (victim == nil || e.lastUse < victim.lastUse) {
				if _, ok := graph.Joinable(e.v); ok || canEncode(e.v) {
					victim = e
				}
			}
		}
		if victim == nil {
			return
		}
		b, err := graph.EncodeValue(victim.v)
		if err != nil {
			return
		}
		if s.dir == "" {
			d, err := os.MkdirTemp(s.parent, "godask-worker-spill-")
			if err != nil {
				return
			}
			s.dir = d
		}
		s.spills++
		p := filepath.Join(s.dir, fmt.Sprintf("v%d", s.spills))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return
		}
		victim.path, victim.v = p, nil
		s.held -= victim.size
		s.spilled += victim.size
		s.files++
	}
}

// overPause reports whether memory is past the pause level.
func (s *store) overPause() bool {
	if s.limit <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held > s.pause
}

func (s *store) figures() (held, spilled, files int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held, s.spilled, s.files
}

// close drops everything and removes the spill directory.
func (s *store) close() {
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
