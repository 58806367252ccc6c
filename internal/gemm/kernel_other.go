//go:build !(amd64 || arm64) || purego

package gemm

// asmPlans reports that this build has no assembly kernels.
func asmPlans() (plan[float64], plan[float32], bool) {
	return plan[float64]{}, plan[float32]{}, false
}
