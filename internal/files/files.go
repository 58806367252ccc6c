// Package files expands the file patterns the readers in io take: a glob or
// a single path, to the regular files it matches. It sits under io/csv and
// io/jsonl, before any task is built.
package files

import (
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
