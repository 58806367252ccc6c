// Package leak checks tests for leaked goroutines. It sits beside the data
// flow: the tests of graph, sched, delayed and the collections call Check to
// prove that a run, a failure or a cancellation leaves no goroutine behind.
package leak

import (
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// Check snapshots the running goroutines and registers a cleanup that fails
// t if, within two seconds after the test, goroutines remain that were not
// there at the start. Call it first in a test (not in parallel tests).
func Check(t testing.TB) {
	t.Helper()
	before := map[string]bool{}
	for _, g := range goroutines() {
		before[g.id] = true
	}
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for {
			var extra []string
			for _, g := range goroutines() {
				if !before[g.id] && !ignored(g.stack) {
					extra = append(extra, g.stack)
				}
			}
			if len(extra) == 0 {
				return
			}
			if time.Now().After(deadline) {
				sort.Strings(extra)
				t.Errorf("leak: %d goroutine(s) left after the test:\n\n%s", len(extra), strings.Join(extra, "\n\n"))
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

type goroutine struct{ id, stack string }

func goroutines() []goroutine {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []goroutine
	self := ""
	for i, s := range strings.Split(string(buf), "\n\n") {
		head, _, _ := strings.Cut(s, "\n")
		// "goroutine 12 [running]:"
		f := strings.Fields(head)
		if len(f) < 2 {
			continue
		}
		if i == 0 {
			self = f[1]
			continue
		}
		if f[1] == self {
			continue
		}
		out = append(out, goroutine{id: f[1], stack: s})
	}
	return out
}

// ignored reports goroutines that belong to the runtime or the test harness.
func ignored(stack string) bool {
	for _, s := range []string{
		"testing.(*T).Run", "testing.(*M).", "testing.tRunner.func1", "runtime.goexit0",
		"os/signal.signal_recv", "runtime.ensureSigM", "created by runtime.gc", "runtime.MHeap_Scavenger",
		"testing.runFuzzTests", "testing.(*F).Fuzz",
	} {
		if strings.Contains(stack, s) {
			return true
		}
	}
	// A finished subtest's tRunner may linger briefly.
	return strings.Contains(stack, "testing.tRunner") && !strings.Contains(stack, "_test.go")
}
