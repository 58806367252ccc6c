package cluster_test

import (
	"context"
	"strings"
	"testing"

	"github.com/godask/godask/delayed"
	"github.com/godask/godask/sched"
)

func square(x int) int { return x * x }

func addInts(a, b int) int { return a + b }

func init() {
	delayed.Register("clustertest.square", square)
	delayed.Register("clustertest.addInts", addInts)
}

// TestFuturesOnCluster: a futures client whose executor is the cluster runs
// submitted calls on the workers (results come back to the client when
// each future is done).
func TestFuturesOnCluster(t *testing.T) {
	c := shared(t)
	cl := delayed.NewClient(sched.WithExecutor(c), sched.WithWorkers(4))
	defer cl.Close()
	fs := delayed.Map(cl, square, []int{1, 2, 3, 4, 5, 6, 7, 8})
	total := delayed.Submit2(cl, addInts, delayed.In[int](fs[2]), delayed.In[int](fs[7]))
	for i, f := range fs {
		v, err := f.Result(context.Background())
		if err != nil || v != (i+1)*(i+1) {
			t.Fatalf("future %d: %v %v", i, v, err)
		}
	}
	v, err := total.Result(context.Background())
	if err != nil || v != 9+64 {
		t.Fatalf("dependent future: %v %v", v, err)
	}
	// An unregistered function is refused by name.
	bad := delayed.Submit(cl, func(x int) int { return x }, delayed.Lit(1))
	if _, err := bad.Result(context.Background()); err == nil || !strings.Contains(err.Error(), "TestFuturesOnCluster.func1") || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("unregistered function: %v", err)
	}
}
