package cluster_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

// TestWorkerSpillsUnderSmallLimit runs a graph holding 12 MiB of arrays on
// workers limited to 4 MiB each: the workers' memory managers spill to disk
// and read back, and the answer equals the reference.
func TestWorkerSpillsUnderSmallLimit(t *testing.T) {
	dir := t.TempDir()
	c, err := cluster.Local(2, cluster.WithThreads(1), cluster.WithMemoryLimit(4<<20),
		cluster.WithSpillDir(dir), cluster.WithHeartbeat(50*time.Millisecond, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const n, parts = 128 << 10, 12 // 1 MiB each
	g := &graph.Graph{}
	var keys []graph.Key
	want := 0.0
	for i := 0; i < parts; i++ {
		a := task(t, floatsOp{n: n, scale: float64(i + 1)})
		g.Add(a)
		keys = append(keys, a.Key)
		want += float64(i+1) * float64(n) * float64(n-1) / 2
	}
	s := task(t, fsumOp{}, keys...)
	g.Add(s)
	got, err := sched.Run(context.Background(), g, []graph.Key{s.Key}, sched.WithExecutor(c))
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != want {
		t.Fatalf("sum %v, want %v", got[0], want)
	}
	var spills, loads int64
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		spills, loads = 0, 0
		for _, w := range c.Workers() {
			spills += w.Spills
			loads += w.Loads
		}
		if spills > 0 && loads > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if spills == 0 || loads == 0 {
		t.Fatalf("workers under a 4 MiB limit holding 12 MiB: %d values spilled, %d read back", spills, loads)
	}
	c.Close()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("spill directories left after Close: %v", ents)
	}
}
