package array_test

import (
	"context"
	"fmt"

	"github.com/godask/godask/array"
)

func ExampleEinsum() {
	x := array.Arange(0, 6, 1, 3).Reshape(2, 3) // [[0 1 2] [3 4 5]]
	y := array.Ones([]int{2, 3}, array.Regular{1, 2})
	rows, err := array.Einsum("ij,ij->i", x, y).Compute(context.Background()) // row sums
	if err != nil {
		fmt.Println(err)
	}
	gram, _ := array.Einsum("ij,kj->ik", x, x).Compute(context.Background()) // x @ x.T
	fmt.Println(rows)
	fmt.Println(gram)
	// Output:
	// [3 12]
	// [[5 14]
	//  [14 50]]
}

func init() {
	// A 3-point moving sum along the only axis: the halo gives each block
	// its neighbours' edge elements.
	array.RegisterMapFunc("example.movsum3", func(b []*array.Dense) (*array.Dense, error) {
		x := b[0]
		out := array.NewDense(array.Float64, x.Shape...)
		for i := range out.Data {
			for j := max(i-1, 0); j <= min(i+1, len(x.Data)-1); j++ {
				out.Data[i] += x.Data[j]
			}
		}
		return out, nil
	})
}

func ExampleMapOverlap() {
	x := array.Arange(0, 8, 1, 3) // blocks [0 1 2] [3 4 5] [6 7]
	s := array.MapOverlap("example.movsum3", array.Float64,
		array.OverlapOptions{Depth: []int{1}, Boundary: array.BoundaryPeriodic}, x)
	d, _ := s.Compute(context.Background())
	fmt.Println(d)
	// Output:
	// [8 3 6 9 12 15 18 13]
}

func ExampleArray_Index() {
	x := array.ArangeInt(0, 12, 1, 4).Reshape(3, 4)
	for _, expr := range []string{":, [3, 0, -1]", "[2, 0], 1:3", "None, 1", "0,"} {
		d, err := x.Index(expr).Compute(context.Background())
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("x[%s] shape %v: %v\n", expr, d.Shape, d)
	}
	_, err := x.Index("[0, 5]").Compute(context.Background())
	fmt.Println(err)
	// Output:
	// x[:, [3, 0, -1]] shape [3 3]: [[3 0 3]
	//  [7 4 7]
	//  [11 8 11]]
	// x[[2, 0], 1:3] shape [2 2]: [[9 10]
	//  [1 2]]
	// x[None, 1] shape [1 4]: [[4 5 6 7]]
	// x[0,] shape [4]: [0 1 2 3]
	// array: Index "[0, 5]": index 5 out of range for axis 0 of length 3
}
