package sched

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/godask/godask/graph"
)

// cpuNow is the process's CPU time (user and system, all threads).
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLocalTree times the local executor alone (the job culled, fused
// and ordered once) on a tree reduction of trivial tasks, with and without
// the memory manager: ns/task is wall time, cpu-ns/task the process's CPU
// time, a steadier figure on a shared machine.
func BenchmarkLocalTree(b *testing.B) {
	g, level, _ := treeGraph(b, 1<<16)
	prio, err := graph.Order(g, level)
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range []int{1, 2} {
		for _, lim := range []int64{0, -1} {
			b.Run(fmt.Sprintf("workers=%d/limit=%d", w, lim), func(b *testing.B) {
				job := &Job{Graph: g, Outputs: level, Priority: prio, Workers: w, MemoryLimit: lim}
				c0 := cpuNow()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := NewLocal().Run(context.Background(), job); err != nil {
						b.Fatal(err)
					}
				}
				n := float64(b.N) * float64(g.Len())
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/task")
				b.ReportMetric(float64((cpuNow()-c0).Nanoseconds())/n, "cpu-ns/task")
			})
		}
	}
}
