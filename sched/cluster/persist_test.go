package cluster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/godask/godask/array"
	"github.com/godask/godask/delayed"
	"github.com/godask/godask/sched"
)

// TestPersistKeepsValuesOnWorkers persists an array on the cluster: its
// blocks stay on the workers (references), later computations start from
// them and equal the local answer, and Release frees them.
func TestPersistKeepsValuesOnWorkers(t *testing.T) {
	c := shared(t)
	ctx := context.Background()
	data := make([]float64, 120*40)
	for i := range data {
		data[i] = float64(i%13) - 6
	}
	x := array.FromSlice(data, []int{120, 40}, array.Regular{25, 40})
	y := x.Mul(x).Add(x)
	p, err := c.Persist(ctx, []sched.Collection{y})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Refs) != 5 {
		t.Fatalf("%d references, want one per block (5)", len(p.Refs))
	}
	for _, r := range p.Refs {
		if r.Size() < 20*40*8 {
			t.Fatalf("reference %s: size %d", r.Key(), r.Size())
		}
	}
	py := p.Collections[0].(*array.Array)
	want, err := y.Sum(0).Compute(ctx, sched.WithExecutor(sched.NewLocal()))
	if err != nil {
		t.Fatal(err)
	}
	before := c.Stats().Tasks
	got, err := py.Sum(0).Compute(ctx, sched.WithExecutor(c))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Data) != fmt.Sprint(want.Data) {
		t.Fatalf("sum of the persisted array %v, want %v", got.Data[:4], want.Data[:4])
	}
	// Only the reduction ran: the persisted blocks were not recomputed.
	if ran := c.Stats().Tasks - before; ran > 8 {
		t.Fatalf("%d tasks ran for a sum of 5 persisted blocks", ran)
	}
	whole, err := py.Compute(ctx, sched.WithExecutor(c))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range data {
		if whole.Data[i] != d*d+d {
			t.Fatalf("gathered persisted array: element %d = %v, want %v", i, whole.Data[i], d*d+d)
		}
	}
	// A delayed value too.
	v := delayed.Call2(addInts, delayed.Lit(20), delayed.Lit(22))
	pv, err := c.Persist(ctx, []sched.Collection{v})
	if err != nil {
		t.Fatal(err)
	}
	sq := delayed.Call(square, delayed.In[int](pv.Collections[0].(*delayed.Value[int])))
	if r, err := sq.Compute(ctx, sched.WithExecutor(c)); err != nil || r != 42*42 {
		t.Fatalf("square of a persisted value: %v %v", r, err)
	}
	// A frame inspects its partitions when persisted: refused by name.
	f, _ := testFrames(100)
	if _, err := c.Persist(ctx, []sched.Collection{f}); err == nil || !strings.Contains(err.Error(), "*frame.Frame cannot hold values kept on the workers") {
		t.Fatalf("persist of a frame on the workers: %v", err)
	}
	// Released, the values are gone from the workers.
	p.Release()
	pv.Release()
	time.Sleep(50 * time.Millisecond)
	_, err = py.Sum(0).Compute(ctx, sched.WithExecutor(c))
	if err == nil || !strings.Contains(err.Error(), "not on this worker") && !strings.Contains(err.Error(), "released") {
		t.Fatalf("a released persisted array computed: %v", err)
	}
}
