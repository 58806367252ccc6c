package graph

import "hash/maphash"

// keyIndex maps the keys of a graph's tasks to their positions: an open
// addressing table with linear probing whose slots hold a task's position
// and 32 bits of its key's hash, so a probe touches a task (to compare
// keys) only when the hash bits match. It costs 8 bytes a slot at a load
// of at most 3/4, a fraction of a Go map's bytes per entry, which matter
// for graphs of millions of tasks (fresh memory is paid in page faults).
// The table reads keys from the graph's task slice, passed to each call.
type keyIndex struct {
	slots []uint64 // 0: empty; else hash>>32<<32 | position+1
	n     int
}

// keySeed seeds the hash of the index; keys are never hashed for anything
// that leaves the process, so a per-process seed is fine.
var keySeed = maphash.MakeSeed()

func hashKey(k Key) uint64 { return maphash.String(keySeed, string(k)) }

// sizeFor returns the table size for n keys.
func sizeFor(n int) int {
	s := 8
	for s*3/4 < n {
		s <<= 1
	}
	return s
}

// reserve makes room for n keys without growing.
func (x *keyIndex) reserve(n int, tasks []*Task) {
	if s := sizeFor(n); s > len(x.slots) {
		x.rehash(s, tasks)
	}
}

// find returns the position of k and true, or the slot where k would go and false.
func (x *keyIndex) find(k Key, h uint64, tasks []*Task) (int, bool) {
	if len(x.slots) == 0 {
		return -1, false
	}
	mask := uint64(len(x.slots) - 1)
	tag := h >> 32
	for i := h & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return int(i), false
		}
		if s>>32 == tag {
			if p := int(uint32(s)) - 1; tasks[p].Key == k {
				return p, true
			}
		}
	}
}

// get returns the position of k.
func (x *keyIndex) get(k Key, tasks []*Task) (int32, bool) {
	p, ok := x.find(k, hashKey(k), tasks)
	if !ok {
		return -1, false
	}
	return int32(p), true
}

// put records tasks[pos] under its key unless the key is present; it
// returns the position the key has and whether it was new. tasks[pos] must
// already hold the task when new (callers append it first or pass the
// slice it will be in); here it is only read for probing older keys.
func (x *keyIndex) put(k Key, pos int, tasks []*Task) (int, bool) {
	h := hashKey(k)
	slot, ok := x.find(k, h, tasks)
	if ok {
		return slot, false
	}
	x.insert(slot, h, pos, tasks)
	return pos, true
}

// insert records position pos under a key of hash h that find did not
// find, at the slot find returned for it (or, when the table must grow,
// at the first free slot of the grown table).
func (x *keyIndex) insert(slot int, h uint64, pos int, tasks []*Task) {
	if slot < 0 || (x.n+1) > len(x.slots)*3/4 {
		x.rehash(sizeFor(x.n+1), tasks)
		mask := uint64(len(x.slots) - 1)
		i := h & mask
		for x.slots[i] != 0 {
			i = (i + 1) & mask
		}
		slot = int(i)
	}
	x.slots[slot] = h>>32<<32 | uint64(uint32(pos+1))
	x.n++
}

// rehash moves the table to size slots (a power of two).
func (x *keyIndex) rehash(size int, tasks []*Task) {
	old := x.slots
	x.slots = make([]uint64, size)
	mask := uint64(size - 1)
	for _, s := range old {
		if s == 0 {
			continue
		}
		h := hashKey(tasks[int(uint32(s))-1].Key)
		i := h & mask
		for x.slots[i] != 0 {
			i = (i + 1) & mask
		}
		x.slots[i] = s
	}
}
