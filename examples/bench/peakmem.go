package main

import (
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// The peak-memory sampler: with BENCH_PEAKPROF=FILE set, every 20 ms the
// bench reads the runtime's memory classes and the process's RSS (from
// /proc/self/statm); at each new RSS peak (by 2 MiB or more, at most every
// 500 ms) it writes a heap profile to FILE (the live objects of the last
// collection, by allocation site) and, on exit, prints to stderr the
// breakdown at the peak: the RSS, the Go runtime's view of it (heap objects
// live and garbage, free heap spans not returned, stacks, runtime metadata)
// and what the runtime does not know (binary pages, C). It answers "what is
// not accounted" when a run's RSS passes its -mem-limit.

var peakSampleNames = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/metadata/other:bytes",
	"/memory/classes/metadata/mspan/inuse:bytes",
	"/memory/classes/metadata/mcache/inuse:bytes",
	"/memory/classes/os-stacks:bytes",
	"/memory/classes/other:bytes",
	"/memory/classes/profiling/buckets:bytes",
	"/gc/heap/live:bytes",
	"/gc/heap/goal:bytes",
	"/gc/cycles/total:gc-cycles",
}

// startPeakSampler starts the sampler when BENCH_PEAKPROF is set and
// returns the function that stops it and prints the peak.
func startPeakSampler() (stop func()) {
	path := os.Getenv("BENCH_PEAKPROF")
	if path == "" {
		return func() {}
	}
	samples := make([]metrics.Sample, len(peakSampleNames))
	for i, n := range peakSampleNames {
		samples[i].Name = n
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	var peakRSS int64
	var peak []uint64
	var peakAt time.Time
	start := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		var lastProf time.Time
		var profRSS int64
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			rss := readRSS()
			if rss <= peakRSS {
				continue
			}
			peakRSS, peakAt = rss, time.Now()
			metrics.Read(samples)
			peak = peak[:0]
			for _, s := range samples {
				if s.Value.Kind() == metrics.KindUint64 {
					peak = append(peak, s.Value.Uint64())
				} else {
					peak = append(peak, 0)
				}
			}
			if rss-profRSS >= 2<<20 && time.Since(lastProf) >= 500*time.Millisecond {
				if f, err := os.Create(path); err == nil {
					pprof.WriteHeapProfile(f)
					f.Close()
				}
				lastProf, profRSS = time.Now(), rss
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		var b strings.Builder
		fmt.Fprintf(&b, "peakmem: RSS %d MiB at %.1f s;", peakRSS>>20, peakAt.Sub(start).Seconds())
		var goTotal uint64
		for i, n := range peakSampleNames {
			if i < len(peak) {
				if strings.HasPrefix(n, "/memory/classes/") {
					goTotal += peak[i]
				}
				name := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(n, "/memory/classes/"), "/gc/"), ":bytes")
				if strings.HasSuffix(n, ":gc-cycles") {
					fmt.Fprintf(&b, " %s %d;", name, peak[i])
				} else {
					fmt.Fprintf(&b, " %s %d MiB;", name, peak[i]>>20)
				}
			}
		}
		fmt.Fprintf(&b, " go-mapped-not-released %d MiB; outside go %d MiB\n", goTotal>>20, (peakRSS-int64(goTotal))>>20)
		os.Stderr.WriteString(b.String())
	}
}

// readRSS is the process's resident set in bytes (0 if unknown).
func readRSS() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}
