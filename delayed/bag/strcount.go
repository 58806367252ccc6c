package bag

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"unsafe"

	"github.com/godask/godask/internal/hash"
)

// strCounter counts strings in an open-addressing table with linear probing:
// one probe sequence per word (a Go map costs a lookup and an assignment, each
// hashing and comparing again), the full 64-bit hash kept per slot so that a
// string compare happens only on a likely match. Keys are cloned on insert, so
// the table holds no memory of the buffer a word was sliced from. It is the
// counting core of Frequencies and Distinct over strings.
type strCounter struct {
	slots []strSlot
	mask  uint64
	n     int
}

type strSlot struct {
	h    uint64 // 0: empty
	a, b uint64 // the loads of a string shorter than 16 bytes (see strHash)
	k    string
	c    int64
}

func newStrCounter() *strCounter {
	const n = 1 << 10
	return &strCounter{slots: make([]strSlot, n), mask: n - 1}
}

// strHash hashes a string, short ones with two overlapping loads (wyhash's
// way), and returns those loads: for strings shorter than 16 bytes, equal
// (a, b, length) means equal strings, so a probe compares words, not bytes.
// The hash is never 0.
func strHash(s string) (h, a, b uint64) {
	n := len(s)
	p := unsafe.StringData(s)
	switch {
	case n >= 16:
		return hash.Bytes(unsafe.Slice(p, n)) | 1, 0, 0
	case n >= 8:
		a = binary.LittleEndian.Uint64(unsafe.Slice(p, 8))
		b = binary.LittleEndian.Uint64(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(p), n-8)), 8))
	case n >= 4:
		a = uint64(binary.LittleEndian.Uint32(unsafe.Slice(p, 4)))
		b = uint64(binary.LittleEndian.Uint32(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(p), n-4)), 4)))
	case n > 0:
		a = uint64(s[0])<<16 | uint64(s[n>>1])<<8 | uint64(s[n-1])
	}
	hi, lo := bits.Mul64(a^0xa0761d6478bd642f, b^0xe7037ed1a0b428db^uint64(n))
	h = hi ^ lo
	hi, lo = bits.Mul64(h, 0x8ebc6af09c88c6e3)
	return (hi ^ lo) | 1, a, b
}

func (t *strCounter) add(s string, d int64) {
	h, a, b := strHash(s)
	i := h & t.mask
	short := len(s) < 16
	for {
		sl := &t.slots[i]
		if sl.h == h && len(sl.k) == len(s) && (short && sl.a == a && sl.b == b || !short && sl.k == s) {
			sl.c += d
			return
		}
		if sl.h == 0 {
			*sl = strSlot{h: h, a: a, b: b, k: strings.Clone(s), c: d}
			t.n++
			if 4*t.n > 3*len(t.slots) {
				t.grow()
			}
			return
		}
		i = (i + 1) & t.mask
	}
}

func (t *strCounter) grow() {
	old := t.slots
	t.slots = make([]strSlot, 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	for _, sl := range old {
		if sl.h == 0 {
			continue
		}
		i := sl.h & t.mask
		for t.slots[i].h != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = sl
	}
}

// each calls fn for every string and its count.
func (t *strCounter) each(fn func(string, int64)) {
	for _, sl := range t.slots {
		if sl.h != 0 {
			fn(sl.k, sl.c)
		}
	}
}
