package bag

import (
	"encoding/binary"
	"math/bits"
	"reflect"
	"strings"
	"unsafe"

	"github.com/godask/godask/internal/hash"
)

// packedTable maps strings (and 4- or 8-byte integers) to a uint64: a count
// (Frequencies, Distinct) or a key's number + 1 (keyIndex: FoldBy,
// GroupBy). It is the table of the fused pipelines, fed with strings sliced
// from a read buffer, and keeps none of them.
//
// A string shorter than 16 bytes (words, symbols, codes: nearly every key in
// practice) is its own key, its bytes loaded into one or two words. Up to 7
// bytes the key is one word with the length in the top byte, in a 16-byte
// slot beside its value, so that a vocabulary of 50 000 words fits in 1 MiB;
// 8 to 15 bytes take two words (the second also holding the length and bit
// 63) in a 24-byte slot. A lookup is one hash of the words, then word
// compares; no string is compared or cloned: the strings are rebuilt from the
// words at the end, all in one allocation. Longer strings go to a third table
// that keeps their hash and a clone made when the string is first seen.
// An integer key (keyIndex of a 4- or 8-byte integer type: a table then
// holds no strings) is its word in a slot of the first table, the slot's
// value marking it used. Each table is open addressing with linear probing, at most 3/4 full; a
// value of 0 marks an empty slot (counts and numbers + 1 are never 0).
type packedTable struct {
	tiny  []tinySlot
	short []shortSlot
	long  []longSlot
	// the number of keys in each table
	nt, ns, nl int
	// tinyLoad is the tiny table's highest load in eighths: 6 (3/4), or 7
	// for a table of counts, which a word count probes far more often than
	// it inserts into, so that a vocabulary of 50 000 words takes 1 MiB
	// (the L2 cache of many cores), not 2.
	tinyLoad int
}

type tinySlot struct{ k, v uint64 }

type shortSlot struct{ a, b, v uint64 }

type longSlot struct {
	h uint64
	s string
	v uint64
}

func newPackedTable(hint int) *packedTable { return newTableLoad(hint, 6) }

// newCountTable is a packedTable of counts: its tiny table fills to 7/8.
func newCountTable(hint int) *packedTable { return newTableLoad(hint, 7) }

func newTableLoad(hint, load int) *packedTable {
	n := 256
	for load*n < 8*hint {
		n *= 2
	}
	return &packedTable{tiny: make([]tinySlot, n), tinyLoad: load}
}

// shortKey packs a string of 8 to 15 bytes: a holds bytes 0-7, b bytes
// 8-14, the length in bits 56-59 and bit 63 set.
func shortKey(s string) (a, b uint64) {
	p := unsafe.StringData(s)
	b = uint64(len(s))<<56 | 1<<63
	if len(s) > 8 {
		b |= load8((*byte)(unsafe.Add(unsafe.Pointer(p), 8)), len(s)-8)
	}
	return load8(p, 8), b
}

// tinyKey packs a string of at most 7 bytes, its length in the top byte.
func tinyKey(s string) uint64 { return load8(unsafe.StringData(s), len(s)) | uint64(len(s))<<56 }

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

// shortHash mixes a two-word key (wyhash's multiply-fold).
func shortHash(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a^0xa0761d6478bd642f, b^0xe7037ed1a0b428db)
	return hi ^ lo
}

func longHash(s string) uint64 { return hash.Bytes(unsafe.Slice(unsafe.StringData(s), len(s))) }

func (t *packedTable) len() int { return t.nt + t.ns + t.nl }

// slot returns the value of s's slot, set to 0 when s is new; the caller
// sets it (to a nonzero value) before the next call.
func (t *packedTable) slot(s string) *uint64 {
	switch {
	case len(s) < 8:
		return t.tinySlot(tinyKey(s))
	case len(s) < 16:
		return t.shortSlot(shortKey(s))
	}
	return t.longSlot(s, longHash(s))
}

// tinySlot is slot of a packed key of at most 7 bytes.
func (t *packedTable) tinySlot(k uint64) *uint64 {
	mask := uint64(len(t.tiny) - 1)
	i := tinyPos(tinySlot{k: k}, mask)
	for {
		sl := &t.tiny[i]
		if sl.k == k && sl.v != 0 {
			return &sl.v
		}
		if sl.v == 0 {
			if 8*(t.nt+1) > t.tinyLoad*len(t.tiny) {
				t.tiny = regrow(t.tiny, func(sl tinySlot) bool { return sl.v != 0 }, tinyPos)
				return t.tinySlot(k)
			}
			sl.k = k
			t.nt++
			return &sl.v
		}
		i = (i + 1) & mask
	}
}

// shortSlot is slot of a packed key of two words.
func (t *packedTable) shortSlot(a, b uint64) *uint64 {
	if t.short == nil {
		t.short = make([]shortSlot, 64)
	}
	mask := uint64(len(t.short) - 1)
	i := shortHash(a, b) & mask
	for {
		sl := &t.short[i]
		if sl.a == a && sl.b == b {
			return &sl.v
		}
		if sl.b == 0 {
			if 4*(t.ns+1) > 3*len(t.short) {
				t.short = regrow(t.short, func(sl shortSlot) bool { return sl.b != 0 },
					func(sl shortSlot, _ uint64) uint64 { return shortHash(sl.a, sl.b) })
				return t.shortSlot(a, b)
			}
			sl.a, sl.b = a, b
			t.ns++
			return &sl.v
		}
		i = (i + 1) & mask
	}
}

// longSlot is slot of a string of 16 bytes or more whose hash is h.
func (t *packedTable) longSlot(s string, h uint64) *uint64 {
	h |= 1 // 0: empty
	if t.long == nil {
		t.long = make([]longSlot, 64)
	}
	mask := uint64(len(t.long) - 1)
	i := h & mask
	for {
		sl := &t.long[i]
		if sl.h == h && sl.s == s {
			return &sl.v
		}
		if sl.h == 0 {
			if 4*(t.nl+1) > 3*len(t.long) {
				t.long = regrow(t.long, func(sl longSlot) bool { return sl.h != 0 },
					func(sl longSlot, _ uint64) uint64 { return sl.h })
				return t.longSlot(s, h)
			}
			sl.h, sl.s = h, strings.Clone(s)
			t.nl++
			return &sl.v
		}
		i = (i + 1) & mask
	}
}

// tinyPos is the home slot of a tiny key in a table of mask+1 slots: the
// high bits of a multiplicative hash.
func tinyPos(sl tinySlot, mask uint64) uint64 {
	return (sl.k * 0x9e3779b97f4a7c15) >> (64 - bits.OnesCount64(mask))
}

// regrow returns the used slots of old rehashed into a table twice its
// size: at slot pos(sl, mask) & mask, then probing on.
func regrow[S any](old []S, used func(S) bool, pos func(S, uint64) uint64) []S {
	out := make([]S, 2*len(old))
	mask := uint64(len(out) - 1)
	for _, sl := range old {
		if !used(sl) {
			continue
		}
		i := pos(sl, mask) & mask
		for used(out[i]) {
			i = (i + 1) & mask
		}
		out[i] = sl
	}
	return out
}

// merge adds the values of o's keys to t's (counts into counts).
func (t *packedTable) merge(o *packedTable) {
	for _, sl := range o.tiny {
		if sl.v != 0 {
			*t.tinySlot(sl.k) += sl.v
		}
	}
	for _, sl := range o.short {
		if sl.b != 0 {
			*t.shortSlot(sl.a, sl.b) += sl.v
		}
	}
	for _, sl := range o.long {
		if sl.h != 0 {
			*t.longSlot(sl.s, sl.h) += sl.v
		}
	}
}

// each calls fn with every key and its value, in table order; the short
// strings share one allocation.
func (t *packedTable) each(fn func(string, uint64)) {
	total := 0
	for _, sl := range t.tiny {
		if sl.v != 0 {
			total += int(sl.k >> 56)
		}
	}
	for _, sl := range t.short {
		if sl.b != 0 {
			total += int(sl.b >> 56 & 15)
		}
	}
	buf := make([]byte, 0, total)
	var w [16]byte
	for _, sl := range t.tiny {
		if sl.v != 0 {
			binary.LittleEndian.PutUint64(w[:8], sl.k)
			buf = append(buf, w[:sl.k>>56]...)
		}
	}
	for _, sl := range t.short {
		if sl.b != 0 {
			binary.LittleEndian.PutUint64(w[:8], sl.a)
			binary.LittleEndian.PutUint64(w[8:], sl.b)
			buf = append(buf, w[:sl.b>>56&15]...)
		}
	}
	all := bytesString(buf)
	off := 0
	for _, sl := range t.tiny {
		if sl.v != 0 {
			n := int(sl.k >> 56)
			fn(all[off:off+n], sl.v)
			off += n
		}
	}
	for _, sl := range t.short {
		if sl.b != 0 {
			n := int(sl.b >> 56 & 15)
			fn(all[off:off+n], sl.v)
			off += n
		}
	}
	for _, sl := range t.long {
		if sl.h != 0 {
			fn(sl.s, sl.v)
		}
	}
}

// words calls fn with every one-word key (integer keys, put with
// tinySlot) and its value.
func (t *packedTable) words(fn func(k, v uint64)) {
	for _, sl := range t.tiny {
		if sl.v != 0 {
			fn(sl.k, sl.v)
		}
	}
}

// size is the bytes the table holds.
func (t *packedTable) size() int64 {
	n := int64(len(t.tiny))*16 + int64(len(t.short))*24 + int64(len(t.long))*32
	for _, sl := range t.long {
		n += int64(len(sl.s))
	}
	return n
}

// keyIndex numbers the distinct keys of type K in the order first seen:
// through a packedTable (holding number + 1) for strings and 4- or 8-byte
// integers, through a map for other keys.
type keyIndex[K comparable] struct {
	mode  byte // keyStr, keyWord or keyMap
	width int  // keyWord: the key's bytes
	tab   *packedTable
	n     int
	m     map[K]int
	ks    []K // keyMap: the keys by number
}

const (
	keyMap byte = iota
	keyStr
	keyWord
)

// keyMode says how keyIndex[K] numbers its keys.
func keyMode[K comparable]() (byte, int) {
	var zero K
	if _, ok := any(zero).(string); ok {
		return keyStr, 0
	}
	t := reflect.TypeOf(zero)
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint64, reflect.Uintptr, reflect.Int32, reflect.Uint32:
		if w := int(t.Size()); w == 8 || w == 4 {
			return keyWord, w
		}
	}
	return keyMap, 0
}

func newKeyIndex[K comparable](hint int) *keyIndex[K] {
	x := &keyIndex[K]{}
	x.mode, x.width = keyMode[K]()
	if x.mode == keyMap {
		x.m = make(map[K]int, hint)
	} else {
		x.tab = newPackedTable(hint)
	}
	return x
}

func (x *keyIndex[K]) len() int {
	if x.mode == keyMap {
		return len(x.ks)
	}
	return x.n
}

// index returns k's number, and whether k is new (numbered len()-1).
func (x *keyIndex[K]) index(k K) (int, bool) {
	var v *uint64
	switch x.mode {
	case keyStr:
		v = x.tab.slot(*(*string)(unsafe.Pointer(&k)))
	case keyWord:
		w := uint64(*(*uint32)(unsafe.Pointer(&k)))
		if x.width == 8 {
			w = *(*uint64)(unsafe.Pointer(&k))
		}
		v = x.tab.tinySlot(w) // a slot's value tells it used, not its key
	default:
		if i, ok := x.m[k]; ok {
			return i, false
		}
		x.m[k] = len(x.ks)
		x.ks = append(x.ks, k)
		return len(x.ks) - 1, true
	}
	if *v != 0 {
		return int(*v - 1), false
	}
	x.n++
	*v = uint64(x.n)
	return x.n - 1, true
}

// keys returns the keys, by number.
func (x *keyIndex[K]) keys() []K {
	if x.mode == keyMap {
		return x.ks
	}
	out := make([]K, x.n)
	if x.mode == keyStr {
		ss := *(*[]string)(unsafe.Pointer(&out))
		x.tab.each(func(s string, v uint64) { ss[v-1] = s })
		return out
	}
	x.tab.words(func(a, v uint64) {
		if x.width == 8 {
			out[v-1] = *(*K)(unsafe.Pointer(&a))
		} else {
			w := uint32(a)
			out[v-1] = *(*K)(unsafe.Pointer(&w))
		}
	})
	return out
}
