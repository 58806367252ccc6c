//go:build !amd64 || purego

package array

var haveExpAVX2 = false

// expAffine writes fastExp(src[i]*mul + add) to dst[i].
func expAffine(dst, src []float64, mul, add float64) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = fastExp(v*mul + add)
	}
}
