//go:build openblas

package array

import "github.com/godask/godask/array/openblas"

// BLASName reports which BLAS implementation block products use.
func BLASName() string { return "openblas (" + openblas.Config() + ")" }
