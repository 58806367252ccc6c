package hash

import (
	"fmt"
	"testing"
)

func TestBytesSpreads(t *testing.T) {
	seen := map[uint64]string{}
	for i := 0; i < 200000; i++ {
		s := fmt.Sprintf("id%010d", i)
		h := Bytes([]byte(s))
		if o, ok := seen[h]; ok {
			t.Fatalf("collision %q %q", o, s)
		}
		seen[h] = s
	}
	// Low bits (used for table slots and partitions) must be well spread.
	var buckets [16]int
	for i := 0; i < 16000; i++ {
		buckets[Bytes([]byte(fmt.Sprint(i)))&15]++
		_ = Uint64(uint64(i))
	}
	for b, c := range buckets {
		if c < 800 || c > 1200 {
			t.Fatalf("bucket %d has %d of 16000", b, c)
		}
	}
	if Bytes([]byte("ab")) == Bytes([]byte("ba")) || Bytes(nil) == Bytes([]byte{0}) {
		t.Fatal("trivial collision")
	}
}
