package main

import (
	"context"
	"testing"

	"github.com/godask/godask/delayed"
	"github.com/godask/godask/sched"
)

func buildTree(n int) *delayed.Value[int] {
	xs := make([]*delayed.Value[int], n)
	for i := range xs {
		xs[i] = delayed.Call(inc, delayed.Lit(i))
	}
	for len(xs) > 1 {
		next := make([]*delayed.Value[int], 0, (len(xs)+1)/2)
		for i := 0; i < len(xs); i += 2 {
			if i+1 < len(xs) {
				next = append(next, delayed.Call2(add, delayed.In[int](xs[i]), delayed.In[int](xs[i+1])))
			} else {
				next = append(next, xs[i])
			}
		}
		xs = next
	}
	return xs[0]
}

func BenchmarkOverheadBuild(b *testing.B) {
	for i := 0; i < b.N; i++ {
		buildTree(100000)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/199999, "ns/task")
}

func BenchmarkOverheadRun(b *testing.B) {
	v := buildTree(100000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Compute(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/199999, "ns/task")
}

func BenchmarkOverheadRunNoMemoryLimit(b *testing.B) {
	v := buildTree(100000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := v.Compute(context.Background(), sched.WithMemoryLimit(-1)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/199999, "ns/task")
}
