package frame

import (
	"context"
	"math/rand"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/godask/godask/graph"
)

// Issue #11 optimizer: a side small by its known row count is broadcast
// even when it has several partitions; the answer equals the shuffle
// join's, and Explain shows the estimates and the build side.
func TestJoinBroadcastBySize(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewSource(5))
	big, small := randRows(r, 4000, 50), randRows(r, 40, 60)
	bf, sf := jframe(big, 8), jframe(small, 3)
	for _, how := range []How{Inner, Left, Right, Outer, Semi, Anti} {
		j := bf.Merge(sf, MergeOptions{How: how, On: []string{"k1", "k2"}})
		ref := bf.Merge(sf, MergeOptions{How: how, On: []string{"k1", "k2"}, Broadcast: -1})
		ex := j.Explain()
		wantBcast := how == Inner || how == Left || how == Semi || how == Anti
		if got := strings.Contains(ex, "broadcast right"); got != wantBcast {
			t.Fatalf("%s join: broadcast right = %v, want %v\n%s", how, got, wantBcast, ex)
		}
		if wantBcast && countOps(t, j, "frame.split") != 0 {
			t.Fatalf("%s join: splits in a broadcast join\n%s", how, ex)
		}
		if !strings.Contains(ex, "rows left ~4000 right ~40") {
			t.Fatalf("%s join: no estimates in\n%s", how, ex)
		}
		got, want := compute(t, j), compute(t, ref)
		if g, w := tableRows(t, got), tableRows(t, want); !reflect.DeepEqual(g, w) {
			t.Fatalf("%s join: %d rows, shuffle join %d", how, len(g), len(w))
		}
		// Small on the left: inner and right joins broadcast it, semi and
		// anti joins build it once (join_semibuild.go).
		jl := sf.Merge(bf, MergeOptions{How: how, On: []string{"k1", "k2"}})
		if got := strings.Contains(jl.Explain(), "broadcast left"); got != (how == Inner || how == Right || how == Semi || how == Anti) {
			t.Fatalf("%s join, small left: broadcast left = %v\n%s", how, got, jl.Explain())
		}
		gl, err := jl.Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wl := compute(t, sf.Merge(bf, MergeOptions{How: how, On: []string{"k1", "k2"}, Broadcast: -1}))
		if g, w := tableRows(t, gl), tableRows(t, wl); !reflect.DeepEqual(g, w) {
			t.Fatalf("%s join, small left: %d rows, shuffle join %d", how, len(g), len(w))
		}
	}
	// A user's Broadcast setting is kept as given.
	if ex := bf.Merge(sf, MergeOptions{On: []string{"k1", "k2"}, Broadcast: 1}).Explain(); strings.Contains(ex, "broadcast") {
		t.Fatalf("Broadcast: 1 with 3 partitions on the right broadcast:\n%s", ex)
	}
}

// Issue #11 optimizer: the same scan and filter used by two joins of one
// query is computed once (deterministic task keys make the two uses one
// task).
func TestSharedScanComputedOnce(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "pq")
	r := rand.New(rand.NewSource(2))
	if err := jframe(randRows(r, 3000, 40), 3).WriteParquet(ctx, dir, ""); err != nil {
		t.Fatal(err)
	}
	scan := func() *Frame { return ReadParquet(dir).Filter(Col("v").Gt(Lit(100.0))) }
	other := jframe(randRows(r, 50, 40), 2)
	q := scan().Merge(other, MergeOptions{On: []string{"k1", "k2"}}).
		Merge(scan().Rename(map[string]string{"v": "w"}), MergeOptions{On: []string{"k1", "k2"}})
	g, err := q.Graph()
	if err != nil {
		t.Fatal(err)
	}
	reads := map[graph.Key]int{}
	for _, tk := range g.Tasks() {
		if tk.Op.Name() == "frame.pqcol" {
			reads[tk.Key]++
		}
	}
	if len(reads) != 9 { // k1, k2, v of 3 files
		t.Fatalf("%d column reads for a scan used twice, want 9 (3 columns of 3 row groups)\n%s", len(reads), q.Explain())
	}
	if _, err := q.Compute(ctx); err != nil {
		t.Fatal(err)
	}
}
