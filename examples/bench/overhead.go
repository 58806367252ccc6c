package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/godask/godask/delayed"
)

func inc(x int) int    { return x + 1 }
func add(a, b int) int { return a + b }

// overhead is the graph of peers/overhead_dask.py: n trivial tasks summed by
// a binary tree of adds, 2n-1 tasks, timed to build and to run, at each of
// the sizes asked for (counted in tasks). One line per size:
//
//	overhead/tree tasks=199999 seconds=S build_us=B run_us=R per_task_us=R cpu_build_us=… cpu_run_us=… faults_build_per_ktask=… faults_run_per_ktask=… gc_run=… result=…
//
// build_us and run_us are wall microseconds per task (medians over -runs);
// cpu_* are the process's CPU microseconds per task (user+system, all
// threads), a steadier figure on a busy machine; faults_* are the minor
// page faults per thousand tasks (fresh memory is what costs on a VM);
// gc_run is the collections completed during the run (median).
func overhead(args []string) error {
	fs := flag.NewFlagSet("overhead", flag.ExitOnError)
	n := fs.Int("n", 0, "number of leaf tasks (2n-1 tasks); overrides -sizes")
	sizes := fs.String("sizes", "2e5", "comma-separated task counts, e.g. 1e4,1e5,1e6,1e7")
	runs := fs.Int("runs", 1, "repetitions per size; the medians are printed")
	prof := fs.String("cpuprofile", "", "write a CPU profile to this file")
	dash := fs.Bool("dashboard", false, "run with sched/dashboard serving and a page (an event-stream reader) open; the lines say tree_dashboard")
	fs.Parse(args)
	name := "tree"
	if *dash {
		name = "tree_dashboard"
		stop, err := openDashboard()
		if err != nil {
			return err
		}
		defer stop()
	}
	var leaves []int
	if *n > 0 {
		leaves = []int{*n}
	} else {
		for _, s := range strings.Split(*sizes, ",") {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || f < 1 {
				return fmt.Errorf("overhead: bad size %q in -sizes", s)
			}
			leaves = append(leaves, max(1, (int(f)+1)/2))
		}
	}
	stop, err := cpuProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()
	for _, nl := range leaves {
		if err := overheadOnce(name, nl, *runs); err != nil {
			return err
		}
	}
	return nil
}

func overheadOnce(name string, n, runs int) error {
	var builds, runsT, cpuB, cpuR, fltB, fltR, gcR []float64
	tasks := 2*n - 1
	var result int
	for r := 0; r < runs; r++ {
		runtime.GC() // the previous round's garbage is not this round's cost
		f0, c0, t0 := minorFaults(), cpuTime(), time.Now()
		root := buildTree(n)
		tb, c1, f1 := time.Since(t0), cpuTime(), minorFaults()
		g1, t1 := gcCycles(), time.Now()
		res, err := root.Compute(context.Background())
		if err != nil {
			return err
		}
		tc, c2, f2, g2 := time.Since(t1), cpuTime(), minorFaults(), gcCycles()
		if want := n * (n + 1) / 2; res != want {
			return fmt.Errorf("overhead: n=%d: result %d, want %d", n, res, want)
		}
		result = res
		builds = append(builds, tb.Seconds())
		runsT = append(runsT, tc.Seconds())
		cpuB = append(cpuB, (c1 - c0).Seconds())
		cpuR = append(cpuR, (c2 - c1).Seconds())
		fltB = append(fltB, float64(f1-f0))
		fltR = append(fltR, float64(f2-f1))
		gcR = append(gcR, float64(g2-g1))
	}
	per := func(xs []float64) float64 { return median(xs) / float64(tasks) * 1e6 }
	perK := func(xs []float64) float64 { return median(xs) / float64(tasks) * 1000 }
	fmt.Printf("overhead/%s tasks=%d seconds=%.4f build_us=%.3f run_us=%.3f per_task_us=%.3f cpu_build_us=%.3f cpu_run_us=%.3f faults_build_per_ktask=%.1f faults_run_per_ktask=%.1f gc_run=%g result=%d\n",
		name, tasks, median(builds)+median(runsT), per(builds), per(runsT), per(runsT), per(cpuB), per(cpuR), perK(fltB), perK(fltR), median(gcR), result)
	fmt.Fprintf(os.Stderr, "overhead: %d tasks, %d runs\n", tasks, runs)
	return nil
}

// buildTree builds n calls of inc on literals summed pairwise by add, as
// the peer script does.
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

// gcCycles is the number of garbage collections the runtime has completed.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// minorFaults is the process's minor page faults so far: on a VM each
// fault on fresh memory is a large part of the engine's cost.
func minorFaults() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Minflt
}

// cpuTime is the CPU time (user and system) of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
