//go:build linux

package array

import (
	"unsafe"

	"github.com/godask/godask/internal/hugeheap"
)

// hugePageMin is the size from which a freshly allocated Dense buffer is
// advised for transparent huge pages (as NumPy does for large arrays).
const hugePageMin = 4 << 20

// adviseHuge asks the kernel to back the n bytes at p, a large buffer
// just allocated and not yet touched, with transparent huge pages
// (MADV_HUGEPAGE), and with it the heap below (hugeheap.Advise): on a VM
// where each 4 KiB first-touch fault is costly this is most of the cost of
// writing a large fresh buffer, and memory the runtime reuses for the next
// large buffer (zeroed, so touched, before it could be advised) is then
// advised already. It is a hint: errors (an old kernel, THP disabled) are
// ignored.
func adviseHuge(p unsafe.Pointer, n int) {
	if n < hugePageMin {
		return
	}
	hugeheap.Advise(p, n)
}
