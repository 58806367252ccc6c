package frame

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// csvParsing counts the goroutines whose stack is inside the CSV reader.
func csvParsing() int {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "godask/io/csv.") {
			n++
		}
	}
	return n
}

// TestCancelStopsCSVParsing: after a run reading large CSV ranges is
// cancelled, Compute returns with the cancel and the workers stop parsing
// within a small fraction of a range's parse time (they used to parse
// their ranges to the end, for seconds after Compute had returned).
func TestCancelStopsCSVParsing(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b,s\n")
	for i := 0; i < 2000000; i++ { // large ranges: a cancel lands far from their ends, and the bound below stays far above the check interval even under -race on a loaded machine
		fmt.Fprintf(&b, "%d,%d.25,é%d\n", i, i%1000, i%77)
	}
	p := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// The bound below is against a whole run timed just before; on a
	// loaded machine (CI runs other packages' tests beside this one, under
	// -race) the load can change between the two runs, so a miss is
	// measured again, twice, before it fails: a parser that does not stop
	// misses every time (it parses to the end: about 0.9 of a run).
	var miss string
	for attempt := 0; attempt < 3; attempt++ {
		var ok bool
		if ok, miss = cancelStopsCSVParsing(t, p, int64(b.Len()/2+1)); ok {
			return
		}
		t.Logf("attempt %d: %s", attempt, miss)
	}
	t.Fatal(miss)
}

// cancelStopsCSVParsing times a whole run of a sum over the CSV file p in
// ranges of block bytes, then cancels a second run at a tenth of that and
// reports whether the parsers stopped within 0.6 of a whole run (or why
// not).
func cancelStopsCSVParsing(t *testing.T, p string, block int64) (bool, string) {
	// Two ranges, one per worker.
	f := ReadCSV(p, CSVOptions{BlockSize: block})
	start := time.Now()
	if _, err := f.Sum("a").Compute(context.Background()); err != nil {
		t.Fatal(err)
	}
	whole := time.Since(start)
	g := ReadCSV(p, CSVOptions{BlockSize: block}).Sum("a")
	ctx, cancel := context.WithCancel(context.Background())
	var atNs atomic.Int64
	time.AfterFunc(whole/10, func() { atNs.Store(time.Now().UnixNano()); cancel() })
	_, err := g.Compute(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Skipf("the run finished before the cancel (%v, whole run %v)", err, whole)
	}
	at := time.Unix(0, atNs.Load())
	returned := time.Since(at)
	// Parsing to the end of the ranges, as before, takes about 0.9 of a
	// whole run after a cancel at a tenth of it; the parser checks for a
	// cancel between chunks, measured at 0.02-0.36 of a run (the high end
	// under -race with other packages' tests on 2 cores). 0.6 separates them.
	bound := max(whole*6/10, 100*time.Millisecond)
	for csvParsing() > 0 {
		if time.Since(at) > bound {
			miss := fmt.Sprintf("workers still parsing CSV %v after the cancel (a whole run takes %v)", time.Since(at), whole)
			for csvParsing() > 0 { // let them end before the next attempt
				time.Sleep(time.Millisecond)
			}
			return false, miss
		}
		time.Sleep(time.Millisecond)
	}
	t.Logf("whole run %v; Compute returned %v and parsing had stopped %v after the cancel", whole, returned, time.Since(at))
	return true, ""
}
