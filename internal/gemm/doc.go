// Package gemm is godask's own dense matrix product (BLAS GEMM) for
// float64 and float32, in pure Go with assembly micro-kernels, so the
// default build (no cgo, no system library) multiplies matrices at close
// to OpenBLAS speed.
//
// It sits under package array: every block product of array.Dot, MatMul
// and TensorDot (the tensordot kernel), the transposed forms and the
// TSQR/QR/SVD block updates of array/linalg end in Dgemm or Sgemm here.
// Gonum's own BLAS users (gonum/mat, lapack) get it too: package array
// installs [BLAS] with blas64.Use and blas32.Use in the default build, an
// implementation that overrides Dgemm and Sgemm and delegates every other
// routine to gonum's native one. With -tags openblas, package array
// installs OpenBLAS instead and this package is not used for products.
//
// The structure is GotoBLAS/BLIS's: the product is cut into NC-column
// panels of B, KC-deep slices of the contraction and MC-row blocks of A;
// each KC×NC slice of op(B) is packed into NR-wide micro-panels and each
// MC×KC block of op(A) into MR-tall micro-panels (zero-padded at the
// edges, so every transpose and stride packs into the same layout), and a
// register-blocked micro-kernel computes one MR×NR tile of C per call over
// KC steps. Tiles that overhang the edges of C are computed into a small
// buffer and added back. Kernels, chosen once at start-up from the CPU's
// features (golang.org/x/sys/cpu):
//
//   - amd64 with AVX2 and FMA: 6×8 float64 tiles and 6×16 float32 tiles,
//     twelve 256-bit accumulators (the tile layout of BLIS's Haswell
//     kernels). Blocking MC×KC×NC = 72×256×4080 for float64 (a 144 KB
//     A block for L2, a 16 KB B micro-panel for L1) and 144×256×4080
//     for float32 (the same bytes).
//   - arm64 (NEON, tested under qemu-user): 4×8 float64 and 4×16 float32
//     tiles, sixteen 128-bit accumulators, VLD1R broadcasts of A and
//     VFMLA; MC×KC×NC = 64×256×4096 (128 for float32).
//   - everything else (amd64 without AVX2/FMA, other CPUs, -tags purego): a generic Go
//     4×4-tile kernel with the same packing and blocking.
//
// The cache sizes are assumed, not queried (Go has no portable way to read
// them, and the values above fit the L1 ≥ 32 KB, L2 ≥ 256 KB of every
// AVX2 CPU). One call runs on the calling goroutine only: parallelism
// comes from the scheduler running block tasks side by side.
//
// Setting the environment variable GODASK_GEMM=generic at start-up forces
// the generic kernel (for testing the fallback; [Kernel] reports it).
package gemm
