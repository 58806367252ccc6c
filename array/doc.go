// Package array is godask's chunked N-dimensional array, the Go counterpart
// of dask.array: NumPy-style arrays split into blocks along every axis, built
// lazily into a task graph and computed in parallel by package sched.
//
// It sits between user code and the scheduler: every operation on an Array
// (creation, elementwise arithmetic, reductions, slicing, products) returns a
// new immutable Array holding one task per output block; nothing runs until
// Compute or Persist, which hand the graph to sched and assemble the blocks
// into a *Dense. Chains of elementwise operations over the same chunks are
// fused into one task per block that streams through small tiles, so no
// intermediate array is materialized. Mistakes (mismatched shapes, axes out of
// range, chunks that do not tile) are recorded in a sticky error returned by
// Err and Compute; builders never panic.
//
// A lazy boolean mask (Mask) selects a number of elements known only once
// the mask is computed: like Dask's NaN chunks, such an axis has Unknown
// chunk lengths. Reductions, elementwise operations and Compute work on it;
// operations that need positions report that the chunk sizes are unknown
// until ComputeChunkSizes learns them.
//
// Blocked linear algebra (TSQR, SVD, solvers) lives in array/linalg; NPY and
// Zarr storage in io/npy and io/zarr.
package array
