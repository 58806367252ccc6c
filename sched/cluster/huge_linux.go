//go:build linux

package cluster

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// prefault readies the pages of a fresh receive buffer of a large value
// before the bytes land in it: it advises transparent huge pages for the
// 2 MiB-aligned interior and then populates the whole buffer in one call
// (MADV_POPULATE_WRITE, Linux 5.14), instead of taking one first-touch
// fault per 4 KiB page while copying, which is what a fetch into fresh
// memory costs most on a VM. Hints only: errors (an older kernel, THP off)
// are ignored.
func prefault(b []byte) {
	const huge = 2 << 20
	if cap(b) < 2*huge {
		return
	}
	b = b[:cap(b)]
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	start := (p + huge - 1) &^ (huge - 1)
	end := (p + uintptr(len(b))) &^ (huge - 1)
	if end > start {
		_ = unix.Madvise(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), start-p)), int(end-start)), unix.MADV_HUGEPAGE)
	}
	// Whole pages only: madvise wants a page-aligned start.
	const page = 4 << 10
	ps := (p + page - 1) &^ (page - 1)
	pe := (p + uintptr(len(b))) &^ (page - 1)
	if pe > ps {
		_ = unix.Madvise(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), ps-p)), int(pe-ps)), unix.MADV_POPULATE_WRITE)
	}
}
