//go:build openblas

package array

/*
#cgo LDFLAGS: -lopenblas
extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);
extern char* openblas_get_config(void);
*/
import "C"

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// With the openblas build tag, every BLAS call made through gonum's blas64
// (block products here, QR/SVD/solves in array/linalg, gonum/mat) goes to
// OpenBLAS. Its own thread pool is set to one thread: the scheduler already
// runs one block product per worker, and nested pools would oversubscribe
// the cores.
func init() {
	C.openblas_set_num_threads(1)
	blas64.Use(netlib.Implementation{})
}

// BLASName reports which BLAS implementation block products use.
func BLASName() string { return "openblas (" + C.GoString(C.openblas_get_config()) + ")" }
