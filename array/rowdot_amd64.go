//go:build amd64 && !purego

package array

import "golang.org/x/sys/cpu"

// haveRowdot says whether rowdot uses the AVX2+FMA kernel; tests turn it
// off to check the Go loop.
var haveRowdot = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func rowdotAVX2(a, b []float64, k, rows int, c []float64)

//go:noescape
func rowdot4AVX2(a, b []float64, k, groups int, c []float64)

// rowdotFast runs the AVX2 kernels (four rows at a time, then the last
// rows one by one) when the CPU has it; it reports false
// (and does nothing) otherwise. The caller checks the lengths.
func rowdotFast(c, a, b []float64, k int) bool {
	if !haveRowdot {
		return false
	}
	nb := len(c)
	g := nb / 4
	if g > 0 {
		rowdot4AVX2(a, b, k, g, c)
	}
	if r := 4 * g; r < nb {
		rowdotAVX2(a[r*k:], b[r*k:], k, nb-r, c[r:])
	}
	return true
}
