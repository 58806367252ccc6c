//go:build openblas

package openblas

/*
#cgo LDFLAGS: -lopenblas
extern void openblas_set_num_threads(int);
extern char* openblas_get_config(void);
*/
import "C"

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// OpenBLAS's own thread pool is set to one thread: the scheduler already runs
// one block product per worker, and nested pools would oversubscribe the
// cores.
func init() {
	C.openblas_set_num_threads(1)
	blas64.Use(netlib.Implementation{})
}

// Config is OpenBLAS's build configuration (version, kernels, threads).
func Config() string { return C.GoString(C.openblas_get_config()) }
