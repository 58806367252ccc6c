//go:build amd64 && !purego

package array

import "golang.org/x/sys/cpu"

// haveExpAVX2 selects the AVX2 exp loop (gathers need AVX2).
var haveExpAVX2 = cpu.X86.HasAVX2

//go:noescape
func expAffineAVX2(dst, src []float64, mul, add float64, tail *[expN]float64, sbits *[expN]uint64) int

// expAffine writes fastExp(src[i]*mul + add) to dst[i].
func expAffine(dst, src []float64, mul, add float64) {
	src = src[:len(dst)]
	i := 0
	if haveExpAVX2 {
		for i < len(dst) {
			i += expAffineAVX2(dst[i:], src[i:], mul, add, &expTail, &expSbits)
			if i+4 > len(dst) {
				break
			}
			// A group with a lane out of the fast range.
			for e := i + 4; i < e; i++ {
				dst[i] = fastExp(src[i]*mul + add)
			}
		}
	}
	for ; i < len(dst); i++ {
		dst[i] = fastExp(src[i]*mul + add)
	}
}
