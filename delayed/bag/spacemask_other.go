//go:build !amd64 || purego

package bag

var haveSpaceAVX2 = false

func spaceMasksAVX2(p *byte, n int, sp, hi *uint64) { panic("bag: no AVX2 space masks") }
