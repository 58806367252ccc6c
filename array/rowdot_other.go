//go:build !amd64 || purego

package array

var haveRowdot = false

func rowdotFast(c, a, b []float64, k int) bool { return false }
