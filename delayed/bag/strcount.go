package bag

import (
	"encoding/binary"
	"math/bits"
	"strings"
	"unsafe"

	"github.com/godask/godask/internal/hash"
)

// strCounter counts strings: the counting core of Frequencies and Distinct
// over strings, fed by the fused pipeline with substrings of a read buffer.
//
// Strings shorter than 16 bytes (words, symbols, codes: nearly every key in
// practice) are their own key: their bytes loaded into two words (the second
// word also holding the length and an occupied bit), kept in a 24-byte slot
// of an open-addressing table with linear probing; strings of at most 8
// bytes in a 16-byte slot of their own table (the word, and the length and
// count packed in another), so that a vocabulary of 50 000 words fits in
// 1 MiB of cache. A lookup is one hash of the words, then word compares; no
// string is compared, cloned or even kept: the keys are rebuilt from the
// words at the end, all in one allocation.
// Longer strings go to a second table that keeps their hash and a clone of
// the string, made when the string is first seen, so that neither table
// holds memory of the buffer a string was sliced from.
type strCounter struct {
	tiny  tinyCounter
	slots []shortSlot
	mask  uint64
	n     int
	long  longCounter
}

type shortSlot struct {
	a, b uint64 // b == 0: empty (b has bit 63 set otherwise)
	c    int64
}

func newStrCounter() *strCounter {
	const n = 1 << 8
	return &strCounter{slots: make([]shortSlot, n), mask: n - 1, tiny: newTinyCounter()}
}

// shortKey packs a string shorter than 16 bytes: a holds bytes 0-7, b bytes
// 8-14, the length in bits 56-59 and bit 63 set.
func shortKey(s string) (a, b uint64) {
	n := len(s)
	p := unsafe.StringData(s)
	if n > 8 {
		a = load8(p, 8)
		b = load8((*byte)(unsafe.Add(unsafe.Pointer(p), 8)), n-8)
	} else {
		a = load8(p, n)
	}
	return a, b | uint64(n)<<56 | 1<<63
}

// load8 returns the n (<= 8) bytes at p as a little-endian word, zero above.
// Where allowed (overRead) and the 8 bytes at p lie in one page, it loads
// them in one read and masks: the bytes past the string are read but never
// used, and a read within a page cannot fault.
func load8(p *byte, n int) uint64 {
	if n == 0 {
		return 0
	}
	if overRead && uintptr(unsafe.Pointer(p))&4095 <= 4096-8 {
		return *(*uint64)(unsafe.Pointer(p)) & (^uint64(0) >> (64 - 8*n))
	}
	b := unsafe.Slice(p, n)
	if n == 8 {
		return binary.LittleEndian.Uint64(b)
	}
	var w uint64
	for i := n - 1; i >= 0; i-- {
		w = w<<8 | uint64(b[i])
	}
	return w
}

// shortHash mixes a packed short key (wyhash's multiply-fold).
func shortHash(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a^0xa0761d6478bd642f, b^0xe7037ed1a0b428db)
	return hi ^ lo
}

func (t *strCounter) add(s string, d int64) {
	if len(s) <= 8 {
		t.tiny.add(load8(unsafe.StringData(s), len(s)), len(s), d)
		return
	}
	if len(s) >= 16 {
		t.long.add(s, d)
		return
	}
	a, b := shortKey(s)
	i := shortHash(a, b) & t.mask
	for {
		sl := &t.slots[i]
		if sl.a == a && sl.b == b {
			sl.c += d
			return
		}
		if sl.b == 0 {
			*sl = shortSlot{a, b, d}
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
	t.slots = make([]shortSlot, 2*len(old))
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

// len is the number of distinct strings counted.
func (t *strCounter) len() int {
	t.tiny.flush()
	return t.tiny.n + t.n + t.long.n
}

// each calls fn for every string and its count. The short strings share
// one allocation.
func (t *strCounter) each(fn func(string, int64)) {
	t.tiny.flush()
	total := 0
	for _, sl := range t.tiny.slots {
		if sl.m != 0 {
			total += int(sl.m >> tinyLenShift & 15)
		}
	}
	for _, sl := range t.slots {
		if sl.b != 0 {
			total += int(sl.b >> 56 & 15)
		}
	}
	buf := make([]byte, 0, total)
	for _, sl := range t.tiny.slots {
		if sl.m != 0 {
			var w [8]byte
			binary.LittleEndian.PutUint64(w[:], sl.a)
			buf = append(buf, w[:sl.m>>tinyLenShift&15]...)
		}
	}
	for _, sl := range t.slots {
		if sl.b == 0 {
			continue
		}
		n := int(sl.b >> 56 & 15)
		var w [16]byte
		binary.LittleEndian.PutUint64(w[:8], sl.a)
		binary.LittleEndian.PutUint64(w[8:], sl.b)
		buf = append(buf, w[:n]...)
	}
	all := bytesString(buf)
	off := 0
	for _, sl := range t.tiny.slots {
		if sl.m != 0 {
			n := int(sl.m >> tinyLenShift & 15)
			fn(all[off:off+n], int64(sl.m&tinyCount))
			off += n
		}
	}
	for _, sl := range t.slots {
		if sl.b == 0 {
			continue
		}
		n := int(sl.b >> 56 & 15)
		fn(all[off:off+n], sl.c)
		off += n
	}
	t.long.each(fn)
}

// longCounter counts strings of 16 bytes or more: the full 64-bit hash kept
// per slot, so that a string compare happens only on a likely match, and a
// clone of each string made when it is first seen.
type longCounter struct {
	slots []longSlot
	mask  uint64
	n     int
}

type longSlot struct {
	h uint64 // 0: empty
	k string
	c int64
}

func (t *longCounter) add(s string, d int64) {
	if t.slots == nil {
		t.slots = make([]longSlot, 64)
		t.mask = 63
	}
	h := hash.Bytes(unsafe.Slice(unsafe.StringData(s), len(s))) | 1
	i := h & t.mask
	for {
		sl := &t.slots[i]
		if sl.h == h && sl.k == s {
			sl.c += d
			return
		}
		if sl.h == 0 {
			*sl = longSlot{h: h, k: strings.Clone(s), c: d}
			t.n++
			if 4*t.n > 3*len(t.slots) {
				t.grow()
			}
			return
		}
		i = (i + 1) & t.mask
	}
}

func (t *longCounter) grow() {
	old := t.slots
	t.slots = make([]longSlot, 2*len(old))
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

func (t *longCounter) each(fn func(string, int64)) {
	for _, sl := range t.slots {
		if sl.h != 0 {
			fn(sl.k, sl.c)
		}
	}
}

// tinyCounter counts strings of at most 8 bytes, each packed in a word: a
// 16-byte slot holds the word and, in m, an occupied bit, the length (bits
// 59-62) and the count (bits 0-58: more than a partition can hold). Open
// addressing with linear probing, indexed by the high bits of a
// multiplicative hash, grown at 13/16 full.
//
// Adds are batched: a batch's slots are first touched all together, so that
// the cache misses of a large vocabulary overlap instead of stalling one
// after the other, then counted.
type tinyCounter struct {
	slots []tinySlot
	shift uint
	n     int
	pend  [32]tinySlot // keys waiting to be counted: the word and tag|count
	np    int
	touch uint64 // what the touching loads read, kept so they stay
}

type tinySlot struct {
	a, m uint64 // m == 0: empty
}

const (
	tinyLenShift = 59
	tinyCount    = 1<<tinyLenShift - 1
)

func newTinyCounter() tinyCounter {
	const bits = 10
	return tinyCounter{slots: make([]tinySlot, 1<<bits), shift: 64 - bits}
}

func (t *tinyCounter) slot(a, tag uint64) uint64 {
	return ((a ^ tag) * 0x9e3779b97f4a7c15) >> t.shift
}

func (t *tinyCounter) add(a uint64, n int, d int64) {
	t.pend[t.np] = tinySlot{a, 1<<63 | uint64(n)<<tinyLenShift | uint64(d)}
	t.np++
	if t.np == len(t.pend) {
		t.flush()
	}
}

// flush counts the pending keys.
func (t *tinyCounter) flush() {
	ps := t.pend[:t.np]
	t.np = 0
	x := uint64(0)
	for _, p := range ps {
		x ^= t.slots[t.slot(p.a, p.m&^tinyCount)].a
	}
	t.touch ^= x
	for _, p := range ps {
		t.count(p.a, p.m&^tinyCount, p.m&tinyCount)
	}
}

func (t *tinyCounter) count(a, tag, d uint64) {
	mask := uint64(len(t.slots) - 1)
	i := t.slot(a, tag)
	for {
		sl := &t.slots[i]
		if sl.a == a && sl.m&^tinyCount == tag {
			sl.m += d
			return
		}
		if sl.m == 0 {
			*sl = tinySlot{a, tag | d}
			t.n++
			if 16*t.n > 13*len(t.slots) {
				t.grow()
			}
			return
		}
		i = (i + 1) & mask
	}
}

func (t *tinyCounter) grow() {
	old := t.slots
	t.slots = make([]tinySlot, 2*len(old))
	t.shift--
	mask := uint64(len(t.slots) - 1)
	for _, sl := range old {
		if sl.m == 0 {
			continue
		}
		i := t.slot(sl.a, sl.m&^tinyCount)
		for t.slots[i].m != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = sl
	}
}
