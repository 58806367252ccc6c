package ml

import (
	"encoding/binary"
	"math"
)

// Small binary encoders for kernel parameters (tasks are data).

func appendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

func appendFloats(b []byte, v []float64) []byte {
	b = appendUvarint(b, uint64(len(v)))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

func appendInt(b []byte, v int) []byte { return binary.AppendVarint(b, int64(v)) }

type preader struct {
	b   []byte
	err bool
}

func newPReader(b []byte) *preader { return &preader{b: b} }

func (p *preader) uvarint() uint64 {
	v, n := binary.Uvarint(p.b)
	if n <= 0 {
		p.err = true
		return 0
	}
	p.b = p.b[n:]
	return v
}

func (p *preader) int() int {
	v, n := binary.Varint(p.b)
	if n <= 0 {
		p.err = true
		return 0
	}
	p.b = p.b[n:]
	return int(v)
}

func (p *preader) floats() []float64 {
	n := p.uvarint()
	if p.err || uint64(len(p.b)) < 8*n {
		p.err = true
		return nil
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(p.b[8*i:]))
	}
	p.b = p.b[8*n:]
	return v
}

func (p *preader) float() float64 {
	if len(p.b) < 8 {
		p.err = true
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(p.b))
	p.b = p.b[8:]
	return v
}

func appendFloat(b []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
}
