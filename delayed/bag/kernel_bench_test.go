package bag

import (
	"fmt"
	"math/rand"
	"os"
	"runtime"
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

var zipfTexts = map[int]string{}

// zipfText is n bytes of lines of 12 Zipf-distributed words out of 50 000,
// the text of the bag bench suite (made once per size, then a GC, so that
// making it does not count in the measures).
func zipfText(n int) string {
	if s, ok := zipfTexts[n]; ok {
		return s
	}
	if f := os.Getenv("BAG_BENCH_TEXT"); f != "" {
		// The suite's own text (a file of bag_dask.py DIR gen), n bytes of it.
		b, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		zipfTexts[n] = string(b[:min(n, len(b))])
		return zipfTexts[n]
	}
	r := rand.New(rand.NewSource(1))
	z := rand.NewZipf(r, 1.05, 1, 49999)
	var sb strings.Builder
	for sb.Len() < n {
		for w := 0; w < 12; w++ {
			fmt.Fprintf(&sb, "w%d ", z.Uint64())
		}
		sb.WriteByte('\n')
	}
	zipfTexts[n] = sb.String()
	runtime.GC()
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
		c := newCounts[string](0)
		eachField(s, func(w string) bool { c.add(w, 1); return true })
	}
}

// BenchmarkCountFields is countFields over a block of text, into a table
// sized as the pipeline sizes it (the vocabulary of the partition before).
func BenchmarkCountFields(b *testing.B) {
	s := zipfText(8 << 20)
	b.SetBytes(int64(len(s)))
	b.ResetTimer()
	t0 := cpuSeconds()
	defer func() { reportCPU(b, t0, len(s)) }()
	for i := 0; i < b.N; i++ {
		c := newCounts[string](50000)
		c.tab.countFields(s)
	}
}
