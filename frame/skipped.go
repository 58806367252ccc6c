package frame

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/godask/godask/internal/files"
	"github.com/godask/godask/sched"
)

// SkippedRange is the Detail of the sched.Warning event a CSV or JSON-lines
// reader task sends when it skipped malformed rows (CSVOptions.SkipBad,
// JSONOptions.SkipBad): the byte range it read, how many rows it skipped,
// and the first files.MaxBadRows of them (line and reason).
type SkippedRange struct {
	Path       string
	Start, End int64
	Rows       int
	Bad        []files.BadRow
}

// reportSkipped sends the Warning of a range that skipped rows, and keeps
// the process-wide SkippedRows counter.
func reportSkipped(ctx context.Context, path string, start, end int64, n int, bad []files.BadRow) {
	if n == 0 {
		return
	}
	skipped.Add(int64(n))
	msg := fmt.Sprintf("%s: skipped %d malformed rows in bytes [%d, %d)", path, n, start, end)
	if len(bad) > 0 {
		msg += fmt.Sprintf(", first at line %d: %s", bad[0].Line, bad[0].Msg)
	}
	sched.Warn(ctx, msg, &SkippedRange{Path: path, Start: start, End: end, Rows: n, Bad: bad})
}

// SkipReport is a sched.Observer that collects the rows the readers of one
// run skipped: pass a fresh one with sched.WithObserver to Compute. A range
// read by several tasks of the run (two queries computed together reading
// different columns of one file) counts once: with SkipBad every field of a
// row is checked, so each read of a range skips the same rows.
type SkipReport struct {
	mu     sync.Mutex
	ranges map[skipKey]*SkippedRange
}

type skipKey struct {
	path       string
	start, end int64
}

// Observe implements sched.Observer.
func (s *SkipReport) Observe(e sched.Event) {
	r, ok := e.Detail.(*SkippedRange)
	if e.Kind != sched.Warning || !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ranges == nil {
		s.ranges = map[skipKey]*SkippedRange{}
	}
	s.ranges[skipKey{r.Path, r.Start, r.End}] = r
}

// Rows returns the number of rows skipped in the run.
func (s *SkipReport) Rows() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.ranges {
		n += r.Rows
	}
	return n
}

// SkippedRow is one skipped row of a SkipReport.
type SkippedRow struct {
	Path string
	Line int64
	Msg  string
}

// Lines returns the skipped rows the readers listed (at most
// files.MaxBadRows per range, so fewer than Rows() when a range skipped
// more), in file and line order.
func (s *SkipReport) Lines() []SkippedRow {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SkippedRow
	for _, r := range s.ranges {
		for _, b := range r.Bad {
			out = append(out, SkippedRow{Path: r.Path, Line: b.Line, Msg: b.Msg})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Line < out[j].Line
	})
	return out
}
