// Package openblas routes gonum's BLAS (and so godask's block products, the
// factorizations of array/linalg and gonum/mat) to OpenBLAS through cgo. It
// is compiled only with the openblas build tag, which makes package array
// import it; without the tag it is empty and the build stays pure Go. It
// lives apart from package array because a package may not mix cgo with Go
// assembly, and array has assembly kernels.
package openblas
