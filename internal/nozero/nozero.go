// Package nozero allocates large slices of plain numbers without zeroing
// them, for the kernels that write every element of their output before
// anything reads it: the Parquet decoder's value buffers (io/parquet) and
// the results of frame's element-wise arithmetic.
//
// It sits under io and frame, beside the allocator: make zeroes every large
// allocation the heap reuses, and for a column decoded or computed in one
// pass that zeroing is a second full write of the buffer (TPC-H q1 from
// Parquet: 15% of its CPU in memclr). The runtime's own allocator is asked
// for memory it need not clear, as strings.Builder and bytes.Buffer do
// through the runtime's internal MakeNoZero; runtime.mallocgc is reached by
// linkname, which the runtime keeps for that use (go.dev/issue/67401).
//
// The slices hold whatever the memory held before: a caller that does not
// write every element gets garbage, not zeros. Small requests (below
// MinBytes) are plain makes, as their zeroing costs nothing that matters.
package nozero

import "unsafe"

// MinBytes is the size below which Slice is make.
const MinBytes = 64 << 10

//go:linkname mallocgc runtime.mallocgc
func mallocgc(size uintptr, typ unsafe.Pointer, needzero bool) unsafe.Pointer

// Number is the element types Slice allocates: types without pointers,
// which the collector need not scan.
type Number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// Slice returns a slice of n elements whose contents are undefined (the
// caller writes each before reading it). n < 0 panics, as make does.
func Slice[T Number](n int) []T {
	var z T
	w := unsafe.Sizeof(z)
	if n < 0 || uintptr(n) > (1<<62)/w || uintptr(n)*w < MinBytes {
		return make([]T, n)
	}
	return unsafe.Slice((*T)(mallocgc(uintptr(n)*w, nil, false)), n)
}
