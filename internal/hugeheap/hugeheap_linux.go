//go:build linux

package hugeheap

import "golang.org/x/sys/unix"

const supported = true

// advise sets MADV_HUGEPAGE on the mappings in [p, p+n); the parts of the
// range that are not mapped are skipped (madvise reports ENOMEM for them
// after advising the rest), and errors are ignored: it is a hint.
func advise(p, n uintptr) {
	_, _, _ = unix.Syscall(unix.SYS_MADVISE, p, n, unix.MADV_HUGEPAGE)
}

// physMem is the machine's physical memory in bytes (0 if unknown).
func physMem() uint64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}
