package main

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/godask/godask/sched"
)

// parseBytes reads a byte count: a number ("2147483648", "2e9") with an
// optional unit, decimal (kB, MB, GB, TB; K, M, G, T) or binary (KiB, MiB,
// GiB, TiB), case-insensitive.
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{
		{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
		{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
		{"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"t", 1e12}, {"b", 1},
	}
	mult := 1.0
	lower := strings.ToLower(t)
	for _, u := range units {
		if strings.HasSuffix(lower, u.suffix) {
			mult = u.mult
			t = strings.TrimSpace(t[:len(t)-len(u.suffix)])
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("bad byte count %q (want e.g. 2GiB, 2e9, 512MiB)", s)
	}
	return int64(v * mult), nil
}

// Shares of a -mem-limit L. The scheduler accounts only the values between
// tasks; a task's own working memory (parse buffers, hash tables, the
// concatenation of its inputs) and garbage not yet collected come on top.
// So the scheduler gets 40% of L (it spills past 60% of that and holds back
// reads past 80%), and the Go runtime's soft limit is 1.15 L: the collector
// runs harder as the heap nears it instead of letting garbage double the
// heap, yet the live heap stays well under it, so it does not collect
// continuously (with the soft limit at L and the scheduler at half of L, the
// 1e8-row q10 spent more than half its time collecting).
//
// Peak RSS is the soft limit plus what the runtime does not count: the
// binary's code and data paged in, and heap pages freed but not yet returned
// to the system. That is about nonHeapRSS whatever L is (48 MiB measured on a
// join under 256 MiB: RSS 319 MiB at a heap peak of 271 MiB), so for small
// limits the soft limit is lowered to keep RSS within rssBound L (the
// issue's bound), but never below L. The runtime also passes its soft limit
// by some MiB before the scavenger returns pages: under 256 MiB
// (BENCH_PEAKPROF, 2026-12-02) the runtime's mapped memory stayed at the
// soft limit (275-276 MiB) with 29-34 MiB outside it, and a 10^8-row sort
// still reached 326 MiB RSS (1.27 L); nonHeapRSS 56 MiB leaves room for both.
const (
	schedShare   = 0.4
	runtimeShare = 1.15
	rssBound     = 1.25
	nonHeapRSS   = 56 << 20
)

// runtimeSoftLimit is the Go soft memory limit for a -mem-limit of n bytes.
func runtimeSoftLimit(n int64) int64 {
	soft := min(float64(n)*runtimeShare, float64(n)*rssBound-nonHeapRSS)
	return int64(max(soft, float64(n)))
}

// memoryLimit applies a -mem-limit flag value: "" or "0" means no limit
// (the scheduler's default and no runtime soft limit). It returns the
// scheduler options to add to every run.
func memoryLimit(flagValue string) ([]sched.Option, error) {
	if flagValue == "" {
		return nil, nil
	}
	n, err := parseBytes(flagValue)
	if err != nil {
		return nil, fmt.Errorf("-mem-limit: %w", err)
	}
	if n == 0 {
		return nil, nil
	}
	debug.SetMemoryLimit(runtimeSoftLimit(n))
	return []sched.Option{sched.WithMemoryLimit(int64(float64(n) * schedShare))}, nil
}

// spillStats observes runs for the bytes their memory manager spilled and
// read back, reported on stderr after each question.
type spillStats struct{ written, read, peak atomic.Int64 }

// Observe implements sched.Observer.
func (s *spillStats) Observe(e sched.Event) {
	if e.Kind == sched.JobFinished {
		s.written.Add(e.Written)
		s.read.Add(e.Read)
		if e.Bytes > s.peak.Load() {
			s.peak.Store(e.Bytes)
		}
	}
}

// report prints and resets the totals.
func (s *spillStats) report(name string) {
	fmt.Fprintf(os.Stderr, "%s: spill wrote %.2f GB, read %.2f GB; peak scheduler-held %.2f GB\n", name,
		float64(s.written.Swap(0))/1e9, float64(s.read.Swap(0))/1e9, float64(s.peak.Swap(0))/1e9)
}
