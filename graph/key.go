package graph

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// Key names a task and the value it produces. Keys are deterministic: they
// are derived from the op's name, its encoded parameters and the keys of its
// inputs, so the same computation built twice has the same keys and shared
// sub-graphs merge. A key reads "label-<32 hex digits>".
type Key string

// Label returns the human part of the key, before the hash.
func (k Key) Label() string {
	s := string(k)
	if len(s) > 33 && s[len(s)-33] == '-' {
		return s[:len(s)-33]
	}
	return s
}

// NewKey derives the key of a task from a label (the op's display name), the
// op's name, its encoded parameters and the keys of its dependencies, in order.
func NewKey(label, op string, params []byte, deps []Key) Key {
	buf := AppendKey(make([]byte, 0, len(label)+33), label, op, params, deps)
	return Key(unsafe.String(unsafe.SliceData(buf), len(buf)))
}

// AppendKey appends the text of NewKey(label, op, params, deps) to dst:
// len(label)+33 bytes. params and deps are read before dst is written, so
// params may lie in dst's array just past len(dst)+len(label)+33 (a builder
// keeping a task's key and parameters in one allocation).
func AppendKey(dst []byte, label, op string, params []byte, deps []Key) []byte {
	var h hasher
	h.init()
	h.writeString(op)
	h.writeBytes(params)
	return h.appendKey(dst, label, deps)
}

// appendKey hashes deps into h, which holds the op and the parameters, and
// appends the key's text to dst.
func (h *hasher) appendKey(dst []byte, label string, deps []Key) []byte {
	for _, d := range deps {
		h.writeString(string(d))
	}
	a, b := h.sum()
	dst = append(dst, label...)
	var t [33]byte
	t[0] = '-'
	putHex(t[1:17], a)
	putHex(t[17:33], b)
	return append(dst, t[:]...)
}

// A KeyPrefix is the hash of the start of a key's stream (its op's name,
// its parameters' length and their first bytes), kept to derive the keys of
// many tasks that share them (calls of one function: their parameters begin
// with its name) without hashing that start again. A KeyPrefix is immutable
// and safe for concurrent use.
type KeyPrefix struct {
	op   string
	plen int
	head []byte // the first bytes of the parameters, a multiple of 8 long
	h    hasher
}

// NewKeyPrefix returns the prefix of the keys of op whose parameters are
// len(params) bytes long and begin with params[:n] (at least the bytes of
// params[:n] that fill whole 8-byte words).
func NewKeyPrefix(op string, params []byte, n int) *KeyPrefix {
	n = min(max(n, 0), len(params)) &^ 7
	p := &KeyPrefix{op: op, plen: len(params), head: append([]byte(nil), params[:n]...)}
	p.h.init()
	p.h.writeString(op)
	p.h.word(uint64(len(params)) ^ 0x9e3779b97f4a7c15)
	p.h.body(p.head)
	return p
}

// Fits reports whether p is a prefix of the keys of op with these
// parameters.
func (p *KeyPrefix) Fits(op string, params []byte) bool {
	return p != nil && len(params) == p.plen && op == p.op && string(params[:len(p.head)]) == string(p.head)
}

// AppendKey is AppendKey(dst, label, op, params, deps): the same text,
// hashing only what follows p's start when p fits op and params.
func (p *KeyPrefix) AppendKey(dst []byte, label, op string, params []byte, deps []Key) []byte {
	if !p.Fits(op, params) {
		return AppendKey(dst, label, op, params, deps)
	}
	h := p.h
	h.body(params[len(p.head):])
	return h.appendKey(dst, label, deps)
}

// putHex writes the 16 hex digits of v to t, a byte pair at a time.
func putHex(t []byte, v uint64) {
	_ = t[15]
	for i := 14; i >= 0; i -= 2 {
		d := hexPairs[v&0xff]
		t[i], t[i+1] = d[0], d[1]
		v >>= 8
	}
}

// hexPairs holds the two hex digits of every byte.
var hexPairs = func() (p [256][2]byte) {
	for i := range p {
		p[i] = [2]byte{hexDigits[i>>4], hexDigits[i&15]}
	}
	return p
}()

// Hash128 returns a 128-bit non-cryptographic hash of b, stable across
// processes and platforms (unlike hash/maphash). It is the hash behind NewKey.
func Hash128(b []byte) (uint64, uint64) {
	var h hasher
	h.init()
	h.writeBytes(b)
	return h.sum()
}

const hexDigits = "0123456789abcdef"

// hasher is a two-lane multiply-mix hash (in the style of wyhash) over a
// length-prefixed stream, so that ("ab","c") and ("a","bc") differ.
type hasher struct {
	a, b uint64
	n    uint64
}

const (
	p0 = 0xa0761d6478bd642f
	p1 = 0xe7037ed1a0b428db
	p2 = 0x8ebc6af09c88c6e3
	p3 = 0x589965cc75374cc3
)

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

func (h *hasher) init() { h.a, h.b = p0, p1 }

func (h *hasher) word(w uint64) {
	h.a = mix(h.a^w, p2)
	h.b = mix(h.b^bits.RotateLeft64(w, 29), p3) + h.a
	h.n++
}

func (h *hasher) writeBytes(p []byte) {
	h.word(uint64(len(p)) ^ 0x9e3779b97f4a7c15)
	h.body(p)
}

// body hashes p's bytes, a word at a time: writeBytes after the length.
// Split at a multiple of 8 bytes, the halves hash as the whole.
func (h *hasher) body(p []byte) {
	for len(p) >= 8 {
		h.word(binary.LittleEndian.Uint64(p))
		p = p[8:]
	}
	if len(p) > 0 {
		var t [8]byte
		copy(t[:], p)
		h.word(binary.LittleEndian.Uint64(t[:]) ^ uint64(len(p))<<56)
	}
}

func (h *hasher) writeString(s string) {
	h.word(uint64(len(s)) ^ 0x9e3779b97f4a7c15)
	for len(s) >= 8 {
		h.word(uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56)
		s = s[8:]
	}
	if len(s) > 0 {
		var w uint64
		for i := 0; i < len(s); i++ {
			w |= uint64(s[i]) << (8 * uint(i))
		}
		h.word(w ^ uint64(len(s))<<56)
	}
}

func (h *hasher) sum() (uint64, uint64) {
	a := mix(h.a^h.n, p1^h.b)
	b := mix(h.b^p0, a^p3)
	return a, b
}
