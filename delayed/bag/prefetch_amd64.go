//go:build amd64 && !purego

package bag

import "unsafe"

// prefetchTiny asks the CPU to bring the home slots of n packed keys at
// keys, in the tiny table at tab (shift as tinyTab returns it), into the
// cache; it changes nothing (prefetch_amd64.s).
//
//go:noescape
func prefetchTiny(tab unsafe.Pointer, keys *uint64, n int, shift uint64)
