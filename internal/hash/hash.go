// Package hash holds the stable, non-cryptographic hashes that frame uses to
// build hash tables and to hash-partition rows across tasks (groupby
// split_out). The values are the same in every process and on every platform,
// unlike hash/maphash, so a row lands in the same partition on any worker.
package hash

import (
	"encoding/binary"
	"math/bits"
)

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

// Uint64 hashes one 64-bit word.
func Uint64(x uint64) uint64 {
	return mix(x^p0, p1^0x9e3779b97f4a7c15)
}

// Combine folds the hash h2 into h1 (for multi-column keys).
func Combine(h1, h2 uint64) uint64 {
	return mix(h1^p2, h2^p3)
}

// Bytes hashes a byte string (wyhash-style: 8 bytes at a time).
func Bytes(b []byte) uint64 {
	n := len(b)
	seed := uint64(p0) ^ uint64(n)*p1
	for len(b) >= 16 {
		seed = mix(binary.LittleEndian.Uint64(b)^p1, binary.LittleEndian.Uint64(b[8:])^seed)
		b = b[16:]
	}
	var a, c uint64
	switch {
	case len(b) >= 8:
		a = binary.LittleEndian.Uint64(b)
		c = binary.LittleEndian.Uint64(b[len(b)-8:])
	case len(b) >= 4:
		a = uint64(binary.LittleEndian.Uint32(b))
		c = uint64(binary.LittleEndian.Uint32(b[len(b)-4:]))
	case len(b) > 0:
		a = uint64(b[0])<<16 | uint64(b[len(b)>>1])<<8 | uint64(b[len(b)-1])
	}
	return mix(a^p2^uint64(n), mix(c^p3, seed))
}
