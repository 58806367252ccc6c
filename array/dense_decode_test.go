package array

import (
	"encoding/binary"
	"strings"
	"testing"
)

// TestDenseDecodeRefusesImpliedSizes: a shape whose product overflows, or
// whose dimensions (an empty one counted as 1) imply more elements than
// the input can describe, is an error, not a block of 0 elements with a
// huge shape; a real block round-trips.
func TestDenseDecodeRefusesImpliedSizes(t *testing.T) {
	enc := func(shape ...uint64) []byte {
		b := []byte{byte(Float64)}
		b = binary.AppendUvarint(b, uint64(len(shape)))
		for _, s := range shape {
			b = binary.AppendUvarint(b, s)
		}
		return b
	}
	for _, shape := range [][]uint64{{1 << 32, 1 << 32}, {0, 1 << 40}, {1 << 63, 2}, {3, 1 << 62, 4}} {
		var d Dense
		err := d.UnmarshalBinary(enc(shape...))
		if err == nil || !strings.Contains(err.Error(), "more than") {
			t.Errorf("shape %v: err %v, shape decoded %v", shape, err, d.Shape)
		}
	}
	src := NewDense(Float64, 0, 5)
	b, err := src.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var d Dense
	if err := d.UnmarshalBinary(b); err != nil || len(d.Shape) != 2 || d.Shape[1] != 5 {
		t.Fatalf("empty (0, 5) block: %v %v", err, d.Shape)
	}
}
