package files

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

// TestLinesBefore compares LinesBefore with counting the lines of the
// file's prefix directly, for ranges starting anywhere, including inside a
// line and right after a newline.
func TestLinesBefore(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	var data []byte
	for i := 0; i < 300; i++ {
		data = append(data, bytes.Repeat([]byte("x"), rng.Intn(7))...)
		data = append(data, '\n')
	}
	p := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := LinesBefore(p, 0); got != 0 {
		t.Errorf("start 0: got %d, want 0", got)
	}
	for start := int64(1); start <= int64(len(data)); start++ {
		want := int64(bytes.Count(data[:start-1], []byte{'\n'})) + 1
		if got := LinesBefore(p, start); got != want {
			t.Fatalf("start %d: got %d, want %d", start, got, want)
		}
	}
	if got := LinesBefore(filepath.Join(t.TempDir(), "missing"), 5); got != 0 {
		t.Errorf("missing file: got %d, want 0", got)
	}
}
