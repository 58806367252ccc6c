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
func (t *packedTable) countFields(s string) {
	var carry uint64
	var sp [maskBatch]uint64
	inWord, start := false, 0
	tab, mask, shift := t.tinyTab()
	for off := 0; off < len(s); off += 64 * maskBatch {
		nb := min(maskBatch, (len(s)-off)/64)
		spaceBlocks(s, off, nb, &carry, &sp)
		if nb < maskBatch && off+64*nb < len(s) {
			sp[nb] = spaceMask(s, off+64*nb, len(s)-off-64*nb, &carry)
			nb++
		}
		for j := 0; j < nb; j++ {
			base := off + 64*j
			n := min(64, len(s)-base)
			word := ^sp[j]
			prev := uint64(0)
			if inWord {
				prev = 1
			}
			tr := word ^ (word<<1 | prev)
			if n < 64 {
				tr &= 1<<n - 1
			}
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
				// tinySlot's probe, inline; a new key goes through it.
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
		}
	}
	if inWord {
		*t.slot(s[start:])++
	}
}

// tinyTab returns the tiny table's slots, its index mask and the shift of
// tinyPos.
func (t *packedTable) tinyTab() (unsafe.Pointer, uint64, uint64) {
	mask := uint64(len(t.tiny) - 1)
	return unsafe.Pointer(unsafe.SliceData(t.tiny)), mask, uint64(64 - bits.OnesCount64(mask))
}
