package array

import "fmt"

// DType is the element type of an array.
type DType uint8

// The supported element types. Elementwise int64 arithmetic is exact (int64
// kernels, wrapping on overflow as NumPy's); float32 is computed in float64
// and rounded per operation. Result dtypes follow NumPy's promotion table
// (see the package README).
const (
	Float64 DType = iota
	Float32
	Int64
	Bool
)

// String returns the NumPy name of the dtype.
func (d DType) String() string {
	switch d {
	case Float64:
		return "float64"
	case Float32:
		return "float32"
	case Int64:
		return "int64"
	case Bool:
		return "bool"
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// ItemSize returns the bytes per element.
func (d DType) ItemSize() int {
	switch d {
	case Float32:
		return 4
	case Bool:
		return 1
	}
	return 8
}

func (d DType) valid() bool { return d <= Bool }

// promote returns the dtype of a binary arithmetic result, NumPy style.
func promote(a, b DType) DType {
	rank := func(d DType) int {
		switch d {
		case Bool:
			return 0
		case Int64:
			return 1
		case Float32:
			return 2
		}
		return 3
	}
	if a == Int64 && b == Float32 || a == Float32 && b == Int64 {
		return Float64
	}
	if rank(a) >= rank(b) {
		return a
	}
	return b
}
