//go:build amd64 && !purego

package bag

import "golang.org/x/sys/cpu"

var haveSpaceAVX2 = cpu.X86.HasAVX2

//go:noescape
func spaceMasksAVX2(p *byte, n int, sp, hi *uint64)
