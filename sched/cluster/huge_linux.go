//go:build linux

package cluster

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// prefault readies the pages of a fresh receive buffer of a large value
// before the bytes land in it: it populates the whole buffer in one call
// (MADV_POPULATE_WRITE, Linux 5.14) instead of taking one first-touch
// fault per 4 KiB page while copying, which is what a fetch into fresh
// memory costs most on a VM. It used to advise transparent huge pages for
// the buffer's interior first: with THP's defrag at "madvise" (this VM's),
// that made populating a 256 MiB buffer stall in compaction for 0.33-0.53 s
// in four of eight tries (15-20 ms in the others), against 42-55 ms for
// 4 KiB pages (a loop of make + madvise, 2026-12-02 21:46, shared machine).
// A hint only: errors (an older kernel) are ignored.
func prefault(b []byte) {
	if cap(b) < 4<<20 {
		return
	}
	b = b[:cap(b)]
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	// Whole pages only: madvise wants a page-aligned start.
	const page = 4 << 10
	ps := (p + page - 1) &^ (page - 1)
	pe := (p + uintptr(len(b))) &^ (page - 1)
	if pe > ps {
		_ = unix.Madvise(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), ps-p)), int(pe-ps)), unix.MADV_POPULATE_WRITE)
	}
}
