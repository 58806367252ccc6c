package array

import (
	"fmt"
	"testing"
)

// TestIndexInt64ExtremesAgainstNumPy: slice bounds and steps at the int64
// extremes give NumPy 1.24's shapes and elements (the step arithmetic of
// "::9223372036854775807" overflowed to shape (0, 4); "0," was refused).
// The wants are x[expr] for x = np.arange(24).reshape(2, 3, 4) (a) and
// np.arange(20).reshape(5, 4) (b), printed by /usr/bin/python3.
func TestIndexInt64ExtremesAgainstNumPy(t *testing.T) {
	cases := []struct {
		arr   string
		expr  string
		shape []int
		vals  []int
	}{
		{"a", "::9223372036854775807", []int{1, 3, 4}, seq(0, 12)},
		{"b", "::9223372036854775807", []int{1, 4}, seq(0, 4)},
		{"a", "0,", []int{3, 4}, seq(0, 12)},
		{"b", "0,", []int{4}, seq(0, 4)},
		{"a", "::-9223372036854775807", []int{1, 3, 4}, seq(12, 24)},
		{"b", "::-9223372036854775807", []int{1, 4}, seq(16, 20)},
		{"b", "-9223372036854775808:", []int{5, 4}, seq(0, 20)},
		{"b", "9223372036854775807:", []int{0, 4}, nil},
		{"b", "1:9223372036854775807:2", []int{2, 4}, []int{4, 5, 6, 7, 12, 13, 14, 15}},
		{"b", "::-1, 0", []int{5}, []int{16, 12, 8, 4, 0}},
		{"a", ":, ::4611686018427387904", []int{2, 1, 4}, []int{0, 1, 2, 3, 12, 13, 14, 15}},
		{"b", ":, ::4611686018427387904", []int{5, 1}, []int{0, 4, 8, 12, 16}},
		{"b", ":-9223372036854775808:-1", []int{5, 4}, []int{16, 17, 18, 19, 12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3}},
	}
	arrs := map[string]*Array{}
	for name, shape := range map[string][]int{"a": {2, 3, 4}, "b": {5, 4}} {
		d := NewDense(Int64, shape...)
		for i := range d.I64 {
			d.I64[i] = int64(i)
		}
		chunks := make(Regular, len(shape))
		for i := range chunks {
			chunks[i] = 2
		}
		arrs[name] = FromDense(d, chunks)
	}
	for _, c := range cases {
		y := arrs[c.arr].Index(c.expr)
		if y.Err() != nil {
			t.Errorf("%s[%s]: %v", c.arr, c.expr, y.Err())
			continue
		}
		got, err := y.Compute(ctx)
		if err != nil {
			t.Errorf("%s[%s]: %v", c.arr, c.expr, err)
			continue
		}
		if !chunksEqual(got.Shape, c.shape) || !chunksEqual(y.Shape(), c.shape) {
			t.Errorf("%s[%s]: shape %v (declared %v), NumPy %v", c.arr, c.expr, got.Shape, y.Shape(), c.shape)
			continue
		}
		vals := make([]int, 0, got.Len())
		for _, v := range got.Float64s() {
			vals = append(vals, int(v))
		}
		if fmt.Sprint(vals) != fmt.Sprint(append([]int{}, c.vals...)) {
			t.Errorf("%s[%s]: %v, NumPy %v", c.arr, c.expr, vals, c.vals)
		}
	}
}

func seq(a, b int) []int {
	out := make([]int, 0, b-a)
	for i := a; i < b; i++ {
		out = append(out, i)
	}
	return out
}
