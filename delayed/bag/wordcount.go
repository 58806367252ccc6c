package bag

import (
	"math/bits"
	"unsafe"
)

// countFields adds 1 to the count of every field of s (the words
// strings.Fields returns) in t: the splitter of eachField and the table's
// lookup fused into one loop, so that each byte is read once, from the
// cache, and a word of up to 7 bytes costs no call. It is the kernel of
// Frequencies right after Fields (and of ReadText → Fields → Frequencies:
// see textBlockSink).
//
// The words are counted a batch behind: the packed keys of the words of
// wcSub blocks of 64 bytes are gathered, their slots are prefetched
// (prefetchTiny), and only then are the keys of the batch before probed, so
// that the misses of a large vocabulary's table overlap instead of
// stalling one word at a time.
func (t *packedTable) countFields(s string) {
	var carry uint64
	var sp [maskBatch]uint64
	var kb [2][wcSub * 32]uint64 // at most 32 words end in a block
	var nk [2]int
	cur := 0
	inWord, start := false, 0
	tab, _, shift := t.tinyTab()
	for off := 0; off < len(s); off += 64 * maskBatch {
		nb := min(maskBatch, (len(s)-off)/64)
		spaceBlocks(s, off, nb, &carry, &sp)
		if nb < maskBatch && off+64*nb < len(s) {
			sp[nb] = spaceMask(s, off+64*nb, len(s)-off-64*nb, &carry)
			nb++
		}
		for j0 := 0; j0 < nb; j0 += wcSub {
			keys := &kb[cur]
			n0 := 0
			for j := j0; j < min(nb, j0+wcSub); j++ {
				base := off + 64*j
				n := min(64, len(s)-base)
				tr := wordEdges(sp[j], inWord, n)
				for tr != 0 {
					i := base + bits.TrailingZeros64(tr)
					tr &= tr - 1
					if !inWord {
						start = i
						inWord = true
						continue
					}
					inWord = false
					n := i - start
					if n >= 8 {
						*t.slot(s[start:i])++
						continue
					}
					var k uint64
					if start+8 <= len(s) {
						k = load64(s, start)&(1<<(8*n)-1) | uint64(n)<<56
					} else {
						k = tinyKey(s[start:i])
					}
					keys[n0&(wcSub*32-1)] = k // n0 < wcSub*32: the mask only drops the bounds check
					n0++
				}
			}
			nk[cur] = n0
			if n0 > 0 {
				prefetchTiny(tab, &keys[0], n0, shift)
			}
			cur ^= 1
			tab, shift = t.countTiny(kb[cur][:nk[cur]])
			nk[cur] = 0
		}
	}
	t.countTiny(kb[cur^1][:nk[cur^1]])
	if inWord {
		*t.slot(s[start:])++
	}
}

// wcSub is the blocks of 64 bytes whose words countFields gathers into a
// batch (a power of two dividing maskBatch).
const wcSub = 8

// countTiny adds 1 to the count of every packed key of keys (words of up to
// 7 bytes): tinySlot's probe, inline; a new key goes through tinySlot. It
// returns the tiny table's slots and shift, which a new key may have
// changed.
func (t *packedTable) countTiny(keys []uint64) (unsafe.Pointer, uint64) {
	tab, mask, shift := t.tinyTab()
	for _, k := range keys {
		p := (k * 0x9e3779b97f4a7c15) >> shift
		for {
			sl := (*tinySlot)(unsafe.Add(tab, p*16))
			if sl.k == k && sl.v != 0 {
				sl.v++
				break
			}
			if sl.v == 0 {
				*t.tinySlot(k)++
				tab, mask, shift = t.tinyTab()
				break
			}
			p = (p + 1) & mask
		}
	}
	return tab, shift
}

// tinyTab returns the tiny table's slots, its index mask and the shift of
// tinyPos.
func (t *packedTable) tinyTab() (unsafe.Pointer, uint64, uint64) {
	mask := uint64(len(t.tiny) - 1)
	return unsafe.Pointer(unsafe.SliceData(t.tiny)), mask, uint64(64 - bits.OnesCount64(mask))
}
