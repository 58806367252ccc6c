//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

//go:noescape
func dkern6x8(kc int, a, b, c *float64, ldc int, alpha float64)

//go:noescape
func skern6x16(kc int, a, b, c *float32, ldc int, alpha float32)

// asmPlans returns the AVX2+FMA kernels when the CPU has both.
func asmPlans() (plan[float64], plan[float32], bool) {
	if !cpu.X86.HasAVX2 || !cpu.X86.HasFMA {
		return plan[float64]{}, plan[float32]{}, false
	}
	d := plan[float64]{name: "avx2+fma 6x8 (float64), 6x16 (float32)", mr: 6, nr: 8, mc: 72, kc: 256, nc: 4080,
		kern: func(kc int, a, b, c []float64, ldc int, alpha float64) {
			_ = a[6*kc-1]
			_ = b[8*kc-1]
			_ = c[5*ldc+7]
			dkern6x8(kc, &a[0], &b[0], &c[0], ldc, alpha)
		}}
	s := plan[float32]{name: d.name, mr: 6, nr: 16, mc: 144, kc: 256, nc: 4080,
		kern: func(kc int, a, b, c []float32, ldc int, alpha float32) {
			_ = a[6*kc-1]
			_ = b[16*kc-1]
			_ = c[5*ldc+15]
			skern6x16(kc, &a[0], &b[0], &c[0], ldc, alpha)
		}}
	return d, s, true
}
