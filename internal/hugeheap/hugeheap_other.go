//go:build !linux

package hugeheap

const supported = false

func advise(p, n uintptr) {}

func physMem() uint64 { return 0 }
