// Package files holds what the file readers share (io/csv, io/jsonl and
// delayed/bag): expanding the file patterns they take (a glob or
// a single path) to the regular files they match, and line numbers within a
// file for errors. It sits under those readers, before any task is built.
package files

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Glob returns the regular files pattern matches, sorted. It fails when the
// pattern is malformed or matches no file.
func Glob(pattern string) ([]string, error) {
	m, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad pattern %q: %w", pattern, err)
	}
	var out []string
	for _, p := range m {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no files match %q", pattern)
	}
	sort.Strings(out)
	return out, nil
}

// LinesBefore returns the 1-based number, within the file at path, of the
// first line of a byte range that starts at start: 1 for start 0, else one
// more than the newlines in bytes [0, start-1) (the range's first line
// follows the newline at or after byte start-1). Readers call it only on
// error, to turn a line number within a range into one within the file; an
// unreadable file counts from where reading stopped.
func LinesBefore(path string, start int64) int64 {
	if start == 0 {
		return 0
	}
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	var n int64
	b := make([]byte, 1<<20)
	for off := int64(0); off < start-1; {
		k := min(int64(len(b)), start-1-off)
		m, err := f.ReadAt(b[:k], off)
		n += int64(bytes.Count(b[:m], []byte{'\n'}))
		off += int64(m)
		if err != nil || m == 0 {
			break
		}
	}
	return n + 1
}

// BadRow is one row (a CSV record or a JSON line) a reader skipped with
// SkipBad: its 1-based line in the file and why it was skipped.
type BadRow struct {
	Line int64
	Msg  string
}

// MaxBadRows caps the skipped rows one range lists (all are counted).
const MaxBadRows = 100
