//go:build !openblas

package array

// BLASName reports which BLAS implementation block products use: gonum's
// pure-Go BLAS by default, OpenBLAS when built with -tags openblas (see
// README.md, "Products and BLAS").
func BLASName() string { return "gonum (pure Go)" }
