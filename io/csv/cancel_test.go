package csv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadRangeCancelled: a range stops parsing soon after its context is
// cancelled, returning the context's error (it used to parse to the end).
func TestReadRangeCancelled(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b,c\n")
	for i := 0; i < 400000; i++ {
		b.WriteString("123456,7.25,hello\n")
	}
	p := filepath.Join(t.TempDir(), "c.csv")
	os.WriteFile(p, []byte(b.String()), 0o644)
	o := &Options{}
	s, err := Infer(p, o)
	if err != nil {
		t.Fatal(err)
	}
	r := Range{p, 0, int64(b.Len())}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadRangeContext(ctx, r, s, []int{0, 1, 2}, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("pre-cancelled: %v", err)
	}
	full := time.Now()
	if _, err := ReadRangeContext(context.Background(), r, s, []int{0, 1, 2}, o); err != nil {
		t.Fatal(err)
	}
	whole := time.Since(full)
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(whole/10, cancel)
	start := time.Now()
	_, err = ReadRangeContext(ctx, r, s, []int{0, 1, 2}, o)
	took := time.Since(start)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled mid-range: err %v after %v (whole range %v)", err, took, whole)
	}
	t.Logf("whole range %v; cancelled after %v, returned after %v", whole, whole/10, took)
}
