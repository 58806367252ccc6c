package array

import "testing"

func BenchmarkPercentile(b *testing.B) {
	x, err := Uniform(0, 0, 1, []int{10_000_000}, Regular{2_500_000}).Persist(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := x.Percentile([]float64{50, 90, 99}).Compute(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSort(b *testing.B) {
	x, err := Uniform(0, 0, 1, []int{10_000_000}, Regular{1_000_000}).Persist(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := x.Sort(0).Persist(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
