// Command ols is the seed's ordinary least squares on a chunked array: X is
// 10000×20 in 1000×20 chunks, y = X w* + noise, and w is found twice — by the
// normal equations w = inv(XᵀX) Xᵀy, then by Lstsq through TSQR — and the two
// printed side by side with their difference.
package main

import (
	"context"
	"fmt"
	"math"
	"os"

	"github.com/godask/godask/array"
	"github.com/godask/godask/array/linalg"
)

func main() {
	ctx := context.Background()
	X := array.Uniform(0, 0, 1, []int{10000, 20}, array.Regular{1000, 20})
	fmt.Println("X =", X)
	wtrue := array.Arange(1, 21, 1, 20) // w* = 1, 2, ..., 20
	y := array.MatMul(X, wtrue).Add(array.Normal(1, 0, 0.01, []int{10000}, array.Regular{1000}))
	wNormal := array.MatMul(linalg.Inv(array.MatMul(X.T(), X)), array.MatMul(X.T(), y))
	wLstsq := linalg.Lstsq(X, y)
	fmt.Println("w (normal equations) =", wNormal)
	ws, err := array.ComputeAll(ctx, []*array.Array{wNormal, wLstsq})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ols:", err)
		os.Exit(1)
	}
	fmt.Println(" i   normal-eq       lstsq          |diff|")
	maxd := 0.0
	for i := range ws[0].Data {
		d := math.Abs(ws[0].Data[i] - ws[1].Data[i])
		maxd = math.Max(maxd, d)
		fmt.Printf("%2d  %12.6f  %12.6f  %10.2e\n", i, ws[0].Data[i], ws[1].Data[i], d)
	}
	fmt.Printf("max |w_normal - w_lstsq| = %.3e\n", maxd)
}
