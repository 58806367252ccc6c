package frame

import (
	"context"
	"testing"
)

// TestJoinZeroPartitionSide: a side whose row groups are all pruned by
// statistics (it had no partitions and failed with "no inputs"); every kind
// of join with it answers as the same join with a side that has partitions
// but no rows, and so does a count.
func TestJoinZeroPartitionSide(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	f := floatFrame(t, []int64{1, 2, 3, 2}, []float64{1, 2, 3, 4}, []bool{true, false, true, true}, 2, 2)
	if err := f.WriteParquet(ctx, dir, ""); err != nil {
		t.Fatal(err)
	}
	none := Col("k").Gt(Lit(100))
	pruned := ReadParquet(dir).Filter(none)
	if n := pruned.NPartitions(); n > 1 {
		t.Fatalf("pruned side has %d partitions, want at most one (empty)", n)
	}
	if n, err := pruned.Len(ctx); err != nil || n != 0 {
		t.Fatalf("every row group pruned: Len %d, %v", n, err)
	}
	empty := f.Filter(none) // partitions, no rows
	for _, how := range []How{Inner, Left, Right, Outer, Semi, Anti} {
		for _, zeroLeft := range []bool{false, true} {
			var got, want *Frame
			if zeroLeft {
				got = pruned.Merge(f, MergeOptions{On: []string{"k"}, How: how})
				want = empty.Merge(f, MergeOptions{On: []string{"k"}, How: how})
			} else {
				got = f.Merge(pruned, MergeOptions{On: []string{"k"}, How: how})
				want = f.Merge(empty, MergeOptions{On: []string{"k"}, How: how})
			}
			gt, err := got.SortBy(Asc("k")).Compute(ctx)
			if err != nil {
				t.Fatalf("%s join, zero-partition side left=%v: %v", how, zeroLeft, err)
			}
			wt, err := want.SortBy(Asc("k")).Compute(ctx)
			if err != nil {
				t.Fatalf("%s join reference: %v", how, err)
			}
			if gt.String() != wt.String() {
				t.Fatalf("%s join, zero-partition side left=%v:\n%s\nwant\n%s", how, zeroLeft, gt, wt)
			}
			if (how == Inner || how == Semi) && gt.NumRows() != 0 || how == Left && !zeroLeft && gt.NumRows() != 4 {
				t.Fatalf("%s join, zero-partition side left=%v: %d rows", how, zeroLeft, gt.NumRows())
			}
		}
	}
}
