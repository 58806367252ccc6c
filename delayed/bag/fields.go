package bag

import (
	"encoding/binary"
	"math/bits"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// load64 reads the little-endian word at s[i:i+8]; the bytes must be in s.
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
}

// The white-space splitter of Fields. It cuts s exactly where strings.Fields
// does (at the runes unicode.IsSpace reports), without a slice of words and
// without a branch per byte: for each block of 64 bytes it builds a bit mask
// of the space bytes (eight bytes at a time with word arithmetic when the
// block is ASCII, rune by rune otherwise), then walks the transitions
// between space and non-space with TrailingZeros. A word costs two loop
// turns whose branches alternate predictably, whatever its length, where a
// byte loop mispredicts at the end of every word.

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// geBytes sets the high bit of every byte of w that is >= n; the bytes of w
// must be ASCII (high bit clear), so no subtraction borrows across bytes.
func geBytes(w uint64, n byte) uint64 { return ((w | hi8) - uint64(n)*lo8) & hi8 }

// spaceBits8 is the mask (bit i for byte i) of the ASCII white space
// ('\t', '\n', '\v', '\f', '\r', ' ') among the 8 ASCII bytes of w.
func spaceBits8(w uint64) uint64 {
	m := (geBytes(w, '\t') &^ geBytes(w, '\r'+1)) | (geBytes(w, ' ') &^ geBytes(w, ' '+1))
	return ((m >> 7) * 0x0102040810204080) >> 56
}

// spaceMask returns the mask of the space bytes of s[base:base+n] (n <= 64):
// bit i is set when byte base+i is part of a white-space rune. A space rune
// that runs past the block sets its remaining bits in *carry, which the next
// block takes in.
func spaceMask(s string, base, n int, carry *uint64) uint64 {
	m := *carry
	*carry = 0
	if n == 64 {
		blk := s[base : base+64]
		var w [8]uint64
		var any8 uint64
		for k := range w {
			w[k] = load64(blk, 8*k)
			any8 |= w[k]
		}
		if any8&hi8 == 0 {
			for k := range w {
				m |= spaceBits8(w[k]) << (8 * k)
			}
			return m
		}
	}
	for i := 0; i < n; i++ {
		c := s[base+i]
		if c < utf8.RuneSelf {
			m |= uint64(asciiSpace[c]) << i
			continue
		}
		if !utf8.RuneStart(c) {
			continue
		}
		r, size := utf8.DecodeRuneInString(s[base+i:])
		if !unicode.IsSpace(r) {
			continue
		}
		run := uint64(1)<<size - 1
		m |= run << i
		if i+size > 64 {
			*carry = run >> (64 - i)
		}
	}
	return m
}

// asciiSpace marks the ASCII bytes strings.Fields splits at.
var asciiSpace = [256]uint8{'\t': 1, '\n': 1, '\v': 1, '\f': 1, '\r': 1, ' ': 1}

// maskBatch is the blocks of 64 bytes whose masks spaceBlocks makes at a
// time (4 KiB of text, 1 KiB of masks on the stack).
const maskBatch = 64

// spaceBlocks makes the space masks of s[off:off+64*nb] (nb <= maskBatch
// whole blocks) into sp, with the AVX2 kernel where the CPU has it (the
// ASCII masks and the high-bit masks of 64 bytes in a dozen instructions),
// else eight bytes at a time with word arithmetic. A block with a byte >=
// 0x80, or one a space rune of the block before runs into (*carry), is
// redone rune by rune. The bits past the masks are the same as spaceMask's.
func spaceBlocks(s string, off, nb int, carry *uint64, sp *[maskBatch]uint64) {
	if haveSpaceAVX2 {
		var hi [maskBatch]uint64
		spaceMasksAVX2(unsafe.StringData(s[off:]), nb, &sp[0], &hi[0])
		for j := 0; j < nb; j++ {
			if hi[j]|*carry != 0 {
				sp[j] = spaceMask(s, off+64*j, 64, carry)
			}
		}
		return
	}
	for j := 0; j < nb; j++ {
		sp[j] = spaceMask(s, off+64*j, 64, carry)
	}
}

// eachField calls emit with every field of s (the substrings strings.Fields
// returns, sharing s's memory) until emit returns false; it reports whether
// it ran to the end.
func eachField(s string, emit func(string) bool) bool {
	var carry uint64
	var sp [maskBatch]uint64
	inWord, start := false, 0
	for off := 0; off < len(s); off += 64 * maskBatch {
		nb := min(maskBatch, (len(s)-off)/64)
		spaceBlocks(s, off, nb, &carry, &sp)
		if nb < maskBatch && off+64*nb < len(s) {
			// The last, short block.
			sp[nb] = spaceMask(s, off+64*nb, len(s)-off-64*nb, &carry)
			nb++
		}
		for j := 0; j < nb; j++ {
			base := off + 64*j
			n := min(64, len(s)-base)
			t := wordEdges(sp[j], inWord, n)
			for t != 0 {
				i := base + bits.TrailingZeros64(t)
				t &= t - 1
				if inWord {
					if !emit(s[start:i]) {
						return false
					}
				} else {
					start = i
				}
				inWord = !inWord
			}
		}
	}
	if inWord {
		return emit(s[start:])
	}
	return true
}

// wordEdges turns space, the white-space mask of 64 bytes (bit i set where
// byte i is white space), into the mask of word edges: bit i is set where
// byte i starts a word or ends one, given whether the byte before the 64 is
// inside a word; only the first n bytes count. The fused word count and
// Fields share it.
func wordEdges(space uint64, inWord bool, n int) uint64 {
	word := ^space
	prev := uint64(0)
	if inWord {
		prev = 1
	}
	t := word ^ (word<<1 | prev)
	if n < 64 {
		t &= 1<<n - 1
	}
	return t
}
