package array_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/godask/godask/array"
)

// x[x > 0.5] with a lazy mask: the length of the selection is unknown until
// computed (nan, as in Dask), reductions work on it, and ComputeChunkSizes
// gives back a known shape for operations that need positions.
func ExampleArray_Mask() {
	ctx := context.Background()
	x := array.FromSlice([]float64{0.1, 0.9, 0.4, 0.7, 0.6, 0.2, 0.8, 0.3}, []int{8}, array.Regular{3})
	sel := x.Mask(x.Gt(array.Scalar(0.5)))
	fmt.Println(sel)
	mean, err := sel.Mean().Compute(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mean %.2f\n", mean.At())
	fmt.Println(sel.Slice(array.To(2)).Err())
	known, err := sel.ComputeChunkSizes(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(known)
	first, _ := known.Slice(array.To(2)).Compute(ctx)
	fmt.Println(first)

	// A 1-d mask over the first axis selects rows.
	m := array.FromSlice([]float64{1, 2, 3, 4, 5, 6}, []int{3, 2}, nil)
	rows := m.Mask(array.FromSlice([]float64{1, 0, 1}, []int{3}, nil).AsType(array.Bool))
	fmt.Println(rows)
	r, _ := rows.Compute(ctx)
	fmt.Println(r)
	// Output:
	// array<shape=(nan,), dtype=float64, chunks=(nan,), tasks=9>
	// mean 0.75
	// array: Slice of shape (nan,): chunk sizes are unknown (chunks (nan,)); call ComputeChunkSizes first
	// array<shape=(4,), dtype=float64, chunks=(1,), tasks=9>
	// [0.9 0.7]
	// array<shape=(nan, 2), dtype=float64, chunks=(nan, 2), tasks=4>
	// [[1 2]
	//  [5 6]]
}

// Reshape works block by block; when the chunking does not allow it, the
// error says which Rechunk does.
func ExampleArray_Reshape() {
	x := array.Arange(0, 24, 1, 5)
	fmt.Println(x.Reshape(6, 4).Err())
	y := x.Rechunk(array.Regular{8}).Reshape(6, 4)
	fmt.Println(y)
	fmt.Println(y.Reshape(-1))
	// Output:
	// array: Reshape (24,) (chunks [[5 5 5 5 4]]) to (6, 4): the chunking does not allow a blockwise reshape (chunks of input axis 0 ([5 5 5 5 4]) must be multiples of 4 to split into output axes [0 1]); rechunk first, e.g. .Rechunk(array.Regular{8})
	// array<shape=(6, 4), dtype=float64, chunks=(2, 4), tasks=11>
	// array<shape=(24,), dtype=float64, chunks=(8,), tasks=14>
}

// A Zarr round trip with python zarr's default compressor (Blosc, lz4, byte
// shuffle): the store opens in python as zarr.open(path); chunks holding
// only the fill value (0) are not written and read back as 0.
func ExampleArray_ToZarr() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "zarr-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "x.zarr")

	x := array.Concatenate(0, array.Zeros([]int{4, 3}, nil), array.Arange(0, 12, 1, 0).Reshape(4, 3))
	x = x.Rechunk(array.Regular{2, 3})
	if err := x.ToZarr(ctx, path, array.ZarrBlosc("lz4", 5, 1)); err != nil {
		fmt.Println(err)
		return
	}
	files, _ := os.ReadDir(path)
	var names []string
	for _, f := range files {
		names = append(names, f.Name())
	}
	fmt.Println(strings.Join(names, " "))
	y := array.FromZarr(path)
	fmt.Println(y)
	d, err := y.Sum(1).Compute(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d)
	// Output:
	// .zarray 2.0 3.0
	// array<shape=(8, 3), dtype=float64, chunks=(2, 3), tasks=4>
	// [0 0 0 0 3 12 21 30]
}

// Int64 arrays compute exactly in int64; ScalarInt is a Python int and
// Scalar a Python float, as in NumPy's promotion.
func ExampleScalarInt() {
	d := array.NewDense(array.Int64, 3)
	copy(d.I64, []int64{1 << 60, 1<<60 + 1, -7})
	x := array.FromDense(d, array.Regular{2})
	y, _ := x.Add(array.ScalarInt(1)).Compute(context.Background())
	m, _ := x.Mod(array.ScalarInt(3)).Compute(context.Background())
	fmt.Println(y, m, x.AddScalar(1).DType())
	// Output: [1152921504606846977 1152921504606846978 -6] [1 2 2] float64
}
