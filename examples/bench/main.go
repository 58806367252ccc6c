// Command bench is godask's benchmark program: one line per workload on
// stdout, "<suite>/<name> key=value ...", in the format of the peer scripts
// in shared/peers, so ours and the peers' figures can be set side by side.
// Progress and notes go to stderr.
//
//	go run ./examples/bench overhead -sizes 1e4,1e5,1e6,1e7
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/godask/godask/sched/cluster"
)

// suites maps a suite name to its entry point, which parses its own flags.
var suites = map[string]func(args []string) error{
	"overhead": overhead,
}

func main() {
	freeWithMadvFree()
	// A worker of "bench cluster" is this binary started by cluster.Local.
	cluster.Main()
	if len(os.Args) < 2 || suites[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: bench SUITE [flags]; suites:")
		for name := range suites {
			fmt.Fprintln(os.Stderr, "  ", name)
		}
		os.Exit(2)
	}
	stopPeak := startPeakSampler()
	err := suites[os.Args[1]](os.Args[2:])
	stopPeak()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// cpuProfile starts a CPU profile written to path ("" for none) and returns
// the function that stops it.
// writeHeapProfile writes a heap profile of the live data (after a GC).
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("heap profile %s: %w", path, err)
	}
	return f.Close()
}

func cpuProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
