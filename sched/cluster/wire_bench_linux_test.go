//go:build linux

package cluster

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/godask/godask/graph"
)

// BenchmarkFetch moves a 256 MiB []float64 over a loopback connection in
// this process (the transport alone: no scheduler, no worker store) and
// decodes it as DecodeValueOwned does on a worker.
func BenchmarkFetch(b *testing.B) {
	const n = 32 << 20
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	cl := serveValues(b, map[graph.Key]any{"v": v})
	b.SetBytes(n * 8)
	cpu0 := cpuTime()
	b.ResetTimer()
	defer func() { b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op") }()
	for i := 0; i < b.N; i++ {
		err := fetch(context.Background(), cl, []item{{run: 1, key: "v", part: -1}}, time.Minute, func(_ int, buf []byte) error {
			x, err := graph.DecodeValueOwned(buf)
			if err != nil {
				return err
			}
			if got := x.([]float64); len(got) != n || got[n-1] != 1 {
				return fmt.Errorf("got %d values", len(got))
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFetchData is BenchmarkFetch over the data plane (a raw
// connection beside gRPC).
func BenchmarkFetchData(b *testing.B) {
	const n = 32 << 20
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	sec := security{token: "t"}
	d, err := dialData(serveData(b, sec, map[graph.Key]any{"v": v}), sec, time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	b.SetBytes(n * 8)
	cpu0 := cpuTime()
	b.ResetTimer()
	defer func() { b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op") }()
	for i := 0; i < b.N; i++ {
		err := d.fetch([]item{{run: 1, key: "v", part: -1}}, time.Minute, func(_ int, buf []byte) error {
			x, err := graph.DecodeValueOwned(buf)
			if err != nil {
				return err
			}
			if got := x.([]float64); len(got) != n || got[n-1] != 1 {
				return fmt.Errorf("got %d values", len(got))
			}
			return nil
		}, func(_ int, err error) { b.Fatal(err) })
		if err != nil {
			b.Fatal(err)
		}
	}
}
