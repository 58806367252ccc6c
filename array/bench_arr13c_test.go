package array

import "testing"

func init() {
	RegisterMapFunc("test.box3f", func(b []*Dense) (*Dense, error) {
		x := b[0]
		r, c := x.Shape[0], x.Shape[1]
		out := NewDense(Float64, r, c)
		v := make([]float64, c+2)
		for i := 0; i < r; i++ {
			vv := v[1 : c+1]
			copy(vv, x.Data[i*c:(i+1)*c])
			if i > 0 {
				for j, u := range x.Data[(i-1)*c : i*c] {
					vv[j] += u
				}
			}
			if i+1 < r {
				for j, u := range x.Data[(i+1)*c : (i+2)*c] {
					vv[j] += u
				}
			}
			o := out.Data[i*c : (i+1)*c]
			for j := range o {
				o[j] = v[j] + v[j+1] + v[j+2]
			}
		}
		return out, nil
	})
}

func BenchmarkEinsumRowDot(b *testing.B) {
	x, _ := Uniform(1, 0, 1, []int{400_000, 20}, Regular{100_000, 20}).Persist(ctx)
	y, _ := Uniform(2, 0, 1, []int{400_000, 20}, Regular{100_000, 20}).Persist(ctx)
	b.SetBytes(2 * 8 * 400_000 * 20)
	for i := 0; i < b.N; i++ {
		if _, err := Einsum("ij,ij->i", x, y).Compute(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMapOverlapStencil(b *testing.B) {
	x, _ := Uniform(1, 0, 1, []int{2000, 2000}, Regular{500, 500}).Persist(ctx)
	b.SetBytes(8 * 2000 * 2000)
	for i := 0; i < b.N; i++ {
		if _, err := MapOverlap("test.box3f", Float64, OverlapOptions{Depth: []int{1, 1}, Boundary: BoundaryConstant}, x).Compute(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
