package bag

import (
	"fmt"
	"math/rand"
	"strings"
	"syscall"
	"testing"
)

// cpuSeconds is the process's CPU time: on a shared machine a steadier
// measure than the wall clock.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// reportCPU adds the bytes per CPU second since t0 to the benchmark's line.
func reportCPU(b *testing.B, t0 float64, n int) {
	b.ReportMetric(float64(n)*float64(b.N)/(cpuSeconds()-t0)/1e9, "GB/cpu-s")
}

// zipfText is n bytes of lines of 12 Zipf-distributed words out of 50 000,
// the text of the bag bench suite.
func zipfText(n int) string {
	r := rand.New(rand.NewSource(1))
	z := rand.NewZipf(r, 1.05, 1, 49999)
	var sb strings.Builder
	for sb.Len() < n {
		for w := 0; w < 12; w++ {
			fmt.Fprintf(&sb, "w%d ", z.Uint64())
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// BenchmarkSplit is the white-space splitter over a block of text.
func BenchmarkSplit(b *testing.B) {
	s := zipfText(8 << 20)
	b.SetBytes(int64(len(s)))
	b.ResetTimer()
	t0 := cpuSeconds()
	defer func() { reportCPU(b, t0, len(s)) }()
	for i := 0; i < b.N; i++ {
		n := 0
		eachField(s, func(string) bool { n++; return true })
	}
}

// BenchmarkSplitCount is the word count's kernel: split and count.
func BenchmarkSplitCount(b *testing.B) {
	s := zipfText(8 << 20)
	b.SetBytes(int64(len(s)))
	b.ResetTimer()
	t0 := cpuSeconds()
	defer func() { reportCPU(b, t0, len(s)) }()
	for i := 0; i < b.N; i++ {
		t := newStrCounter()
		eachField(s, func(w string) bool { t.add(w, 1); return true })
	}
}
