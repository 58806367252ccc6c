package main

import (
	"context"
	"fmt"
	"os"

	"github.com/godask/godask/array"
)

// The einsum and stencil workloads of issue 13, the same in
// peers/array_dask.py: deterministic inputs (x[i,j] = ((a·i + b·j) mod m)/m)
// so the answers can be compared; each line carries the sum of the result.

func init() {
	array.RegisterFunc("bench.pattern", func(off, shape []int) (*array.Dense, error) { return patternBlock(off, shape, 7, 13, 101), nil })
	array.RegisterFunc("bench.pattern2", func(off, shape []int) (*array.Dense, error) { return patternBlock(off, shape, 3, 5, 37), nil })
	array.RegisterMapFunc("bench.box3", func(b []*array.Dense) (*array.Dense, error) { return box3(b[0]), nil })
	arrayExtra = append(arrayExtra, einsumStencilWorkloads)
}

// patternBlock fills x[i,j] = ((a·i + b·j) mod m)/m.
func patternBlock(off, shape []int, a, b, m int) *array.Dense {
	d := array.NewDense(array.Float64, shape...)
	r, c := shape[0], shape[1]
	for i := 0; i < r; i++ {
		gi := off[0] + i
		row := d.Data[i*c : (i+1)*c]
		for j := range row {
			row[j] = float64((a*gi+b*(off[1]+j))%m) / float64(m)
		}
	}
	return d
}

// box3 is the 3×3 box sum of a block, zero outside it: a vertical sum of
// three rows, then a horizontal sum of three columns.
func box3(x *array.Dense) *array.Dense {
	r, c := x.Shape[0], x.Shape[1]
	out := array.NewDense(array.Float64, r, c)
	v := make([]float64, c+2)
	X := x.Data
	for i := 0; i < r; i++ {
		cur := X[i*c : (i+1)*c]
		vv := v[1 : c+1]
		copy(vv, cur)
		if i > 0 {
			up := X[(i-1)*c : i*c]
			for j := range vv {
				vv[j] += up[j]
			}
		}
		if i+1 < r {
			dn := X[(i+1)*c : (i+2)*c]
			for j := range vv {
				vv[j] += dn[j]
			}
		}
		o := out.Data[i*c : (i+1)*c]
		for j := range o {
			o[j] = v[j] + v[j+1] + v[j+2]
		}
	}
	return out
}

func einsumStencilWorkloads(ctx context.Context) []arrayWorkload {
	var X, Y, S *array.Array
	prep := func() error {
		if X != nil {
			return nil
		}
		var err error
		if X, err = array.FromFunc("bench.pattern", []int{2_000_000, 20}, array.Float64, array.Regular{200_000, 20}).Persist(ctx); err != nil {
			return err
		}
		if Y, err = array.FromFunc("bench.pattern2", []int{2_000_000, 20}, array.Float64, array.Regular{200_000, 20}).Persist(ctx); err != nil {
			return err
		}
		S, err = array.FromFunc("bench.pattern", []int{10_000, 10_000}, array.Float64, array.Regular{2500, 2500}).Persist(ctx)
		return err
	}
	// run computes the workload; the first (warm-up) run also prints the sum
	// of the answer on stderr, to compare with the peers'.
	run := func(name string, build func() *array.Array) func() error {
		first := true
		return func() error {
			if err := prep(); err != nil {
				return err
			}
			d, err := build().Compute(ctx)
			if err != nil {
				return err
			}
			if first {
				first = false
				s := 0.0
				for _, v := range d.Data {
					s += v
				}
				fmt.Fprintf(os.Stderr, "array/%s sum=%.10g\n", name, s)
			}
			return nil
		}
	}
	return []arrayWorkload{
		{name: "einsum_rowdot", run: run("einsum_rowdot", func() *array.Array { return array.Einsum("ij,ij->i", X, Y) })},
		{name: "stencil3x3", run: run("stencil3x3", func() *array.Array {
			return array.MapOverlap("bench.box3", array.Float64, array.OverlapOptions{Depth: []int{1, 1}, Boundary: array.BoundaryConstant}, S)
		})},
	}
}

// arrayWorkload is a workload another file adds to the array suite (see
// arrayExtra): its name, one run, and the bytes it must read at least (0:
// not memory-bound).
type arrayWorkload struct {
	name  string
	run   func() error
	bytes float64
}

// arrayExtra lists functions that return more array workloads; their
// inputs are built on the first run, so an -only selection skips them.
var arrayExtra []func(ctx context.Context) []arrayWorkload
