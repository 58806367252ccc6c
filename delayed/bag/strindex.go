package bag

import (
	"strings"
	"unsafe"

	"github.com/godask/godask/internal/hash"
)

// strIndex numbers distinct strings 0, 1, 2, ... in the order first seen:
// the per-partition table of FoldBy over string keys, whose accumulators
// sit in a slice beside it. Strings shorter than 16 bytes are found by their
// packed words (shortKey), longer ones by hash and compare; a key is cloned
// only when first seen, so the table holds no memory of a read buffer.
type strIndex struct {
	slots []indexSlot
	mask  uint64
	keys  []string
}

type indexSlot struct {
	a, b uint64 // b == 0: empty; for long strings a is the hash, b 1
	i    int
}

func newStrIndex() *strIndex {
	const n = 1 << 8
	return &strIndex{slots: make([]indexSlot, n), mask: n - 1}
}

// index returns s's number, and whether s is new (numbered len(keys)-1).
func (t *strIndex) index(s string) (int, bool) {
	var a, b uint64
	long := len(s) >= 16
	if long {
		a, b = hash.Bytes(unsafe.Slice(unsafe.StringData(s), len(s))), 1
	} else {
		a, b = shortKey(s)
	}
	i := shortHash(a, b) & t.mask
	for {
		sl := &t.slots[i]
		if sl.a == a && sl.b == b && (!long || t.keys[sl.i] == s) {
			return sl.i, false
		}
		if sl.b == 0 {
			*sl = indexSlot{a, b, len(t.keys)}
			t.keys = append(t.keys, strings.Clone(s))
			if 4*len(t.keys) > 3*len(t.slots) {
				t.grow()
			}
			return len(t.keys) - 1, true
		}
		i = (i + 1) & t.mask
	}
}

func (t *strIndex) grow() {
	old := t.slots
	t.slots = make([]indexSlot, 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	for _, sl := range old {
		if sl.b == 0 {
			continue
		}
		i := shortHash(sl.a, sl.b) & t.mask
		for t.slots[i].b != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = sl
	}
}
