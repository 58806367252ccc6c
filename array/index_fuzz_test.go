package array

import (
	"fmt"
	"testing"
)

// refSlice is Python's slice semantics by enumeration: the positions of
// range(n)[start:stop:step], without the arithmetic that can overflow.
func refSlice(n int, start, stop, step int, hasStart, hasStop bool) []int {
	norm := func(v, lo, hi int) int {
		if v < 0 {
			v += n
		}
		return max(lo, min(v, hi))
	}
	var out []int
	if step > 0 {
		lo, hi := 0, n
		if hasStart {
			lo = norm(start, 0, n)
		}
		if hasStop {
			hi = norm(stop, 0, n)
		}
		for i := lo; i < hi; i++ {
			if (i-lo)%step == 0 {
				out = append(out, i)
			}
		}
		return out
	}
	lo, hi := n-1, -1
	if hasStart {
		lo = norm(start, -1, n-1)
	}
	if hasStop {
		hi = norm(stop, -1, n-1)
	}
	for i := lo; i > hi; i-- {
		if (lo-i)%step == 0 {
			out = append(out, i)
		}
	}
	return out
}

func FuzzIndexSlice(f *testing.F) {
	f.Add(int64(0), int64(0), int64(9223372036854775807), false, false, uint8(5), uint8(2))
	f.Add(int64(-9223372036854775808), int64(9223372036854775807), int64(-9223372036854775808), true, true, uint8(7), uint8(3))
	f.Add(int64(3), int64(-1), int64(-2), true, false, uint8(9), uint8(4))
	f.Fuzz(func(t *testing.T, start, stop, step int64, hasStart, hasStop bool, n, chunk uint8) {
		if step == 0 {
			return
		}
		expr := ""
		if hasStart {
			expr += fmt.Sprint(start)
		}
		expr += ":"
		if hasStop {
			expr += fmt.Sprint(stop)
		}
		expr += ":" + fmt.Sprint(step)
		d := offsetDense([]int{int(n)})
		x := FromDense(d, Regular{int(chunk)})
		y := x.Index(expr)
		if y.Err() != nil {
			t.Fatalf("Index %q of length %d: %v", expr, n, y.Err())
		}
		got := mustCompute(t, y)
		want := refSlice(int(n), int(start), int(stop), int(step), hasStart, hasStop)
		if got.Len() != len(want) {
			t.Fatalf("Index %q of length %d: %d elements, want %d", expr, n, got.Len(), len(want))
		}
		for i, w := range want {
			if got.I64[i] != fixtureOffset+int64(w) {
				t.Fatalf("Index %q of length %d: element %d is %d, want position %d", expr, n, i, got.I64[i]-fixtureOffset, w)
			}
		}
	})
}

// FuzzIndexExpr feeds any string to Index: it must return an error or an
// array whose computed block shapes agree with its declared shape, and
// never panic.
func FuzzIndexExpr(f *testing.F) {
	for _, s := range []string{"0,", "::9223372036854775807", "None, :, [1, -1]", "..., [true, false, true]", "1:, ::-1, 2", "[[1]]", ",", "::0", "[3], [1]", "...,...", "-9223372036854775808"} {
		f.Add(s)
	}
	d := offsetDense([]int{2, 3, 4})
	x := FromDense(d, Regular{1, 2, 3})
	f.Fuzz(func(t *testing.T, expr string) {
		y := x.Index(expr)
		if y.Err() != nil {
			return
		}
		got, err := y.Compute(ctx)
		if err != nil {
			t.Fatalf("Index %q: built but failed: %v", expr, err)
		}
		if !chunksEqual(got.Shape, y.Shape()) {
			t.Fatalf("Index %q: computed shape %v, declared %v", expr, got.Shape, y.Shape())
		}
	})
}
