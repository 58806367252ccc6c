package nozero

import (
	"runtime"
	"testing"
)

// TestSlice: the slice has its length and capacity, holds what is written
// through a collection (the collector keeps it and does not scan it), and
// small and empty requests are zeroed makes.
func TestSlice(t *testing.T) {
	for _, n := range []int{0, 1, 100, MinBytes / 8, 1 << 20, 3<<20 + 7} {
		s := Slice[float64](n)
		if len(s) != n || cap(s) < n {
			t.Fatalf("n=%d: len %d cap %d", n, len(s), cap(s))
		}
		if n*8 < MinBytes {
			for i, v := range s {
				if v != 0 {
					t.Fatalf("n=%d: small slice not zeroed at %d", n, i)
				}
			}
		}
		for i := range s {
			s[i] = float64(i) * 0.5
		}
		runtime.GC()
		_ = Slice[int64](n) // may reuse freed memory, never s's
		runtime.GC()
		for i, v := range s {
			if v != float64(i)*0.5 {
				t.Fatalf("n=%d: element %d is %v after collections", n, i, v)
			}
		}
	}
	i32 := Slice[int32](1 << 18)
	i32[len(i32)-1] = -7
	if i32[len(i32)-1] != -7 {
		t.Fatal("int32 slice")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a negative length did not panic")
		}
	}()
	_ = Slice[uint8](-1)
}
