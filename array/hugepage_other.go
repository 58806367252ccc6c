//go:build !linux

package array

import "unsafe"

// adviseHuge is a no-op outside Linux (see hugepage_linux.go).
func adviseHuge(unsafe.Pointer, int) {}
