package frame

import (
	"math/rand"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/bitutil"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// concatFixed gives Arrow's Concatenate: sliced pieces (offsets), nulls at
// odd bit positions, empty pieces, timestamps.
func TestConcatFixedMatchesArrow(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for trial := 0; trial < 6; trial++ {
		var parts []arrow.Array
		total := 0
		for total < parConcatMin+1000 {
			n := rng.Intn(300000)
			if rng.Intn(5) == 0 {
				n = 0
			}
			vals := make([]int64, n+7)
			var valid []bool
			if trial%2 == 1 {
				valid = make([]bool, n+7)
			}
			for i := range vals {
				vals[i] = rng.Int63() - rng.Int63()
				if valid != nil {
					valid[i] = rng.Intn(3) > 0
				}
			}
			var a arrow.Array
			if trial%3 == 2 {
				a = timeArray(vals, valid)
			} else {
				a = int64Array(vals, valid)
			}
			off := rng.Intn(7)
			parts = append(parts, array.NewSlice(a, int64(off), int64(off+n)))
			total += n
		}
		got, ok := concatFixed(parts, total)
		if !ok {
			t.Fatal("not taken")
		}
		want, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		if !array.Equal(got, want) || got.NullN() != want.NullN() {
			t.Fatalf("trial %d: concatenation differs from Arrow's", trial)
		}
	}
	if _, ok := concatFixed([]arrow.Array{float64Array(make([]float64, 10), nil), float64Array(make([]float64, 10), nil)}, 20); ok {
		t.Fatal("small columns should take Arrow's path")
	}
}

// validityBuf packs eight bools at a time: every length and pattern gives
// the bits and null count of a bit-by-bit reference.
func TestValidityBufAgainstBits(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for trial := 0; trial < 500; trial++ {
		n := rng.Intn(70)
		valid := make([]bool, n)
		p := rng.Float64()
		for i := range valid {
			valid[i] = rng.Float64() < p
		}
		buf, nulls := validityBuf(valid)
		want := 0
		for _, v := range valid {
			if !v {
				want++
			}
		}
		if nulls != want || (buf == nil) != (want == 0) {
			t.Fatalf("n=%d: %d nulls (buffer %v), want %d", n, nulls, buf != nil, want)
		}
		if buf == nil {
			continue
		}
		for i, v := range valid {
			if bitutil.BitIsSet(buf.Bytes(), i) != v {
				t.Fatalf("n=%d: bit %d is %v, want %v", n, i, !v, v)
			}
		}
	}
}
