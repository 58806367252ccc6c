package cluster

import (
	"unsafe"
)

// Values move without encoding copies where their codecs allow
// (graph.EncodeSegments): the sender sends their buffers' memory itself,
// and the receiver lands the bytes in one buffer whose chosen byte (the
// sender's align) sits at an 8-aligned address, so that
// graph.DecodeValueOwned can decode []float64 values, array blocks and
// the like as views of it instead of copies.

// viewMin is the smallest value received into an aligned, prefaulted
// buffer: below it, a plain allocation is cheap.
const viewMin = 64 << 10

// alignedBuffer returns an empty buffer of capacity total whose byte at
// index align sits at an 8-aligned address (align < 0: no preference).
func alignedBuffer(total uint64, align int) []byte {
	if align < 0 || total < viewMin {
		return make([]byte, 0, total)
	}
	raw := recvBuffer(int(total + 7))
	base := uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	pad := int((8 - (base+uintptr(align))%8) % 8)
	return raw[pad : pad : uint64(pad)+total]
}
