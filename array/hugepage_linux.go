//go:build linux

package array

import (
	"unsafe"

	"github.com/godask/godask/internal/hugeheap"

	"golang.org/x/sys/unix"
)

// hugePageMin is the size from which a freshly allocated Dense buffer is
// advised for transparent huge pages (as NumPy does for large arrays).
const hugePageMin = 4 << 20

// adviseHuge asks the kernel to back the 2 MiB-aligned interior of the n
// bytes at p with transparent huge pages (MADV_HUGEPAGE), before they are
// first touched: on a VM where each 4 KiB first-touch fault is costly this
// roughly halves the cost of writing a large fresh buffer. It is a hint:
// errors (an old kernel, THP disabled) are ignored.
func adviseHuge(p unsafe.Pointer, n int) {
	if n < hugePageMin {
		return
	}
	const huge = 2 << 20
	start := (uintptr(p) + huge - 1) &^ (huge - 1)
	end := (uintptr(p) + uintptr(n)) &^ (huge - 1)
	if end <= start {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(p, start-uintptr(p))), int(end-start))
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
}

// roomFor asks, before a large buffer of n bytes is allocated, that the
// heap's room for it be advised for huge pages (hugeheap.Ensure): memory the
// runtime reuses is zeroed, so touched, before adviseHuge could advise it.
func roomFor(n int) {
	if n >= hugePageMin {
		hugeheap.Ensure(n)
	}
}
