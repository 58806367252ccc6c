//go:build !amd64 || purego

package array

var haveTN44 = false

func tn44(t []float64, n, i, j int, a []float64, lda int, b []float64, ldb int, l0, l1 int) bool {
	return false
}
