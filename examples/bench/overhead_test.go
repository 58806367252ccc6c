package main

import (
	"context"
	"testing"

	"github.com/godask/godask/sched"
)

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
