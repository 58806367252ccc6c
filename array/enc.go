package array

import (
	"encoding/binary"
	"math"

	"github.com/godask/godask/graph"
)

func appendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }
func appendVarint(b []byte, v int64) []byte   { return binary.AppendVarint(b, v) }
func appendF64(b []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}

func readF64(r *graph.Reader) float64 {
	var u uint64
	for i := 0; i < 8; i++ {
		u |= uint64(r.Byte()) << (8 * i)
	}
	return math.Float64frombits(u)
}
