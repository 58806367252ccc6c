// Command arrays is a tour of package array: random arrays, slicing,
// reductions, x + x.T, and an SVD through TSQR.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/godask/godask/array"
	"github.com/godask/godask/array/linalg"
)

func main() {
	ctx := context.Background()
	check := func(err error) {
		if err != nil {
			fmt.Fprintln(os.Stderr, "arrays:", err)
			os.Exit(1)
		}
	}
	x := array.Uniform(42, 0, 1, []int{2000, 2000}, array.Regular{500, 500})
	fmt.Println("x             =", x)
	s := x.Index("10:1000, :-2")
	fmt.Println("x[10:1000, :-2] =", s)
	r, err := array.ComputeAll(ctx, []*array.Array{s.Sum(), x.Mean(), x.Std(), x.Max(0).Slice(array.S(0, 5))})
	check(err)
	fmt.Printf("sum of slice %.3f, mean %.4f, std %.4f, max over axis 0 (first 5) %v\n", r[0].Data[0], r[1].Data[0], r[2].Data[0], r[3])
	sym := x.Add(x.T())
	d, err := array.Abs(sym.Sub(sym.T())).Max().Compute(ctx)
	check(err)
	fmt.Println("x + x.T       =", sym, " max |sym - sym.T| =", d.Data[0])
	tall := array.Normal(7, 0, 1, []int{100000, 8}, array.Regular{10000, 8})
	_, sv, _ := linalg.SVD(tall)
	sd, err := sv.Compute(ctx)
	check(err)
	fmt.Println("singular values of a 100000x8 normal matrix:", sd)
}
