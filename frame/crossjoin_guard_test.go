package frame

import (
	"context"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

// TestCrossJoinMemoryGuard: a cross join whose output would exceed the
// task's share of the memory limit is refused with an error naming both
// sides' rows before any output is built; one that fits runs under the same
// limit and gives every pair.
func TestCrossJoinMemoryGuard(t *testing.T) {
	ctx := context.Background()
	n := 4000
	a := make([]int64, n)
	for i := range a {
		a[i] = int64(i)
	}
	big := FromColumns(1, Column{"a", a})
	big2 := FromColumns(1, Column{"b", a})
	limit := sched.WithMemoryLimit(64 << 20)
	_, err := big.CrossJoin(big2).Agg(Col("a").Sum().Alias("s")).Compute(ctx, limit)
	if err == nil || !strings.Contains(err.Error(), "CrossJoin") || !strings.Contains(err.Error(), "4000 × 4000") || !strings.Contains(err.Error(), "memory limit") {
		t.Fatalf("16e6-row cross join under 64 MiB: %v", err)
	}
	small := FromColumns(2, Column{"b", []int64{1, 2, 3}})
	tab, err := big.CrossJoin(small).Agg(Col("a").Sum().Alias("s"), Col("b").Sum().Alias("t"), Count().Alias("n")).Compute(ctx, limit)
	if err != nil {
		t.Fatalf("4000 × 3 cross join under 64 MiB: %v", err)
	}
	wantS := int64(3 * n * (n - 1) / 2)
	if tab.Value(0, "s") != wantS || tab.Value(0, "t") != int64(6*n) || tab.Value(0, "n") != int64(3*n) {
		t.Fatalf("4000 × 3: sum a %v (want %d), sum b %v, rows %v", tab.Value(0, "s"), wantS, tab.Value(0, "t"), tab.Value(0, "n"))
	}
	if got := mulSat(1<<40, 1<<40, 8); got != 1<<63-1 {
		t.Fatalf("mulSat overflow: %d", got)
	}
	if got := mulSat(3, 5, 7); got != 105 {
		t.Fatalf("mulSat: %d", got)
	}
}
