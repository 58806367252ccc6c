//go:build !amd64 || purego

package bag

import "unsafe"

// prefetchTiny does nothing where there is no assembly for it (see
// prefetch_amd64.s): countFields is then correct, only without the
// overlapped misses.
func prefetchTiny(tab unsafe.Pointer, keys *uint64, n int, shift uint64) {}
