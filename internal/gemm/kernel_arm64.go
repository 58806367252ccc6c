//go:build arm64 && !purego

package gemm

import "golang.org/x/sys/cpu"

//go:noescape
func dkern4x8(kc int, a, b, c *float64, ldc int, alpha float64)

//go:noescape
func skern4x16(kc int, a, b, c *float32, ldc int, alpha float32)

// asmPlans returns the NEON kernels (ASIMD is part of every arm64 CPU Go
// runs on; the check is for form).
func asmPlans() (plan[float64], plan[float32], bool) {
	if !cpu.ARM64.HasASIMD {
		return plan[float64]{}, plan[float32]{}, false
	}
	d := plan[float64]{name: "neon 4x8 (float64), 4x16 (float32)", mr: 4, nr: 8, mc: 64, kc: 256, nc: 4096,
		kern: func(kc int, a, b, c []float64, ldc int, alpha float64) {
			_ = a[4*kc-1]
			_ = b[8*kc-1]
			_ = c[3*ldc+7]
			dkern4x8(kc, &a[0], &b[0], &c[0], ldc, alpha)
		}}
	s := plan[float32]{name: d.name, mr: 4, nr: 16, mc: 128, kc: 256, nc: 4096,
		kern: func(kc int, a, b, c []float32, ldc int, alpha float32) {
			_ = a[4*kc-1]
			_ = b[16*kc-1]
			_ = c[3*ldc+15]
			skern4x16(kc, &a[0], &b[0], &c[0], ldc, alpha)
		}}
	return d, s, true
}
