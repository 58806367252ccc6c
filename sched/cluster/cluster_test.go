package cluster_test

import (
	"context"
	"errors"
	"math/rand"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

// shared is one Local(2) cluster for the tests that do not break it.
var (
	sharedOnce sync.Once
	sharedExec *cluster.Executor
	sharedErr  error
)

func shared(t *testing.T) *cluster.Executor {
	t.Helper()
	sharedOnce.Do(func() {
		sharedExec, sharedErr = cluster.Local(2, cluster.WithThreads(2), cluster.WithWorkerArgs(strings.Fields(os.Getenv("CLUSTER_TEST_WORKER_ARGS"))...))
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedExec
}

func task(t testing.TB, op graph.Op, deps ...graph.Key) *graph.Task {
	t.Helper()
	tk, err := graph.NewTask(op, deps...)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// randomGraph builds a random DAG of lits and sums; its reference value is
// computed by a sequential walk.
func randomGraph(t testing.TB, rng *rand.Rand, n int) (*graph.Graph, []graph.Key) {
	g := &graph.Graph{}
	var keys []graph.Key
	for i := 0; i < n; i++ {
		var tk *graph.Task
		if i < 3 || rng.Intn(4) == 0 {
			tk = task(t, litOp(rng.Int63n(1000)-500))
		} else {
			nd := 1 + rng.Intn(4)
			var deps []graph.Key
			for j := 0; j < nd; j++ {
				deps = append(deps, keys[rng.Intn(len(keys))])
			}
			tk = task(t, sumOp{salt: int64(i)}, deps...)
		}
		if g.Add(tk) {
			keys = append(keys, tk.Key)
		}
	}
	var outs []graph.Key
	for j := 0; j < 3; j++ {
		outs = append(outs, keys[rng.Intn(len(keys))])
	}
	return g, outs
}

func reference(g *graph.Graph, k graph.Key, memo map[graph.Key]int64) int64 {
	if v, ok := memo[k]; ok {
		return v
	}
	tk := g.Get(k)
	var in []any
	for _, d := range tk.Deps {
		in = append(in, reference(g, d, memo))
	}
	v, _ := tk.Op.Run(context.Background(), in)
	memo[k] = v.(int64)
	return v.(int64)
}

func TestRandomGraphsMatchSequentialEvaluation(t *testing.T) {
	c := shared(t)
	rng := rand.New(rand.NewSource(1))
	for round := 0; round < 20; round++ {
		g, outs := randomGraph(t, rng, 5+rng.Intn(200))
		got, err := sched.Run(context.Background(), g, outs, sched.WithExecutor(c))
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		memo := map[graph.Key]int64{}
		for j, k := range outs {
			if want := reference(g, k, memo); got[j] != want {
				t.Fatalf("round %d: output %s = %v, want %d", round, k, got[j], want)
			}
		}
		local, err := sched.Run(context.Background(), g, outs)
		if err != nil {
			t.Fatal(err)
		}
		for j := range outs {
			if local[j] != got[j] {
				t.Fatalf("round %d: cluster %v, local %v", round, got[j], local[j])
			}
		}
	}
}

func TestTreeReduction(t *testing.T) {
	c := shared(t)
	g := &graph.Graph{}
	var level []graph.Key
	n := 2000
	for i := 0; i < n; i++ {
		tk := task(t, litOp(i+1))
		g.Add(tk)
		level = append(level, tk.Key)
	}
	for len(level) > 1 {
		var next []graph.Key
		for i := 0; i+1 < len(level); i += 2 {
			tk := task(t, sumOp{}, level[i], level[i+1])
			g.Add(tk)
			next = append(next, tk.Key)
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1])
		}
		level = next
	}
	got, err := sched.Run(context.Background(), g, level, sched.WithExecutor(c))
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(n * (n + 1) / 2); got[0] != want {
		t.Fatalf("tree sum %v, want %d", got[0], want)
	}
}

func TestTaskErrorNamesKeyAndOp(t *testing.T) {
	c := shared(t)
	a := task(t, litOp(1))
	bad := task(t, failOp("boom at the worker"), a.Key)
	g := graph.New(a, bad)
	_, err := sched.Run(context.Background(), g, []graph.Key{bad.Key}, sched.WithExecutor(c))
	var te *sched.TaskError
	if !errors.As(err, &te) || te.Key != bad.Key || !strings.Contains(err.Error(), "boom at the worker") {
		t.Fatalf("error %v: want a TaskError naming %s and the message", err, bad.Key)
	}
	// The cluster still works.
	got, err := sched.Run(context.Background(), g, []graph.Key{a.Key}, sched.WithExecutor(c))
	if err != nil || got[0] != int64(1) {
		t.Fatalf("after a failure: %v %v", got, err)
	}
}

func TestUnregisteredOpRefusedByName(t *testing.T) {
	c := shared(t)
	u := task(t, unregOp{})
	_, err := sched.Run(context.Background(), graph.New(u), []graph.Key{u.Key}, sched.WithExecutor(c))
	if err == nil || !strings.Contains(err.Error(), "clustertest.unregistered") || !errors.Is(err, graph.ErrUnregistered) {
		t.Fatalf("error %v: want one naming the unregistered op", err)
	}
}

func TestUnencodableResult(t *testing.T) {
	c := shared(t)
	o := task(t, opaqueOp{})
	_, err := sched.Run(context.Background(), graph.New(o), []graph.Key{o.Key}, sched.WithExecutor(c))
	if err == nil || !strings.Contains(err.Error(), "cannot be encoded") || !strings.Contains(err.Error(), "opaque") {
		t.Fatalf("error %v: want one naming the type that cannot be encoded", err)
	}
}

func TestCancelStopsPromptly(t *testing.T) {
	c := shared(t)
	var ks []graph.Key
	g := &graph.Graph{}
	for i := 0; i < 8; i++ {
		tk := task(t, sumOp{salt: int64(i), sleep: 10 * time.Second})
		g.Add(tk)
		ks = append(ks, tk.Key)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := sched.Run(ctx, g, ks, sched.WithExecutor(c))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("cancel took %v", d)
	}
}

func TestLargeValues(t *testing.T) {
	c := shared(t)
	// 9 Mi float64s = 72 MiB, far over gRPC's 4 MiB message limit, made on
	// a worker and gathered by the client (TestTLSCluster and
	// TestFaultProxyBetweenWorkers move values worker to worker).
	n := 9 << 20
	if testing.Short() || raceEnabled {
		n = 1 << 20
	}
	a := task(t, floatsOp{n: n, scale: 0.5})
	s := task(t, fsumOp{}, a.Key)
	got, err := sched.Run(context.Background(), graph.New(a, s), []graph.Key{s.Key, a.Key}, sched.WithExecutor(c))
	if err != nil {
		t.Fatal(err)
	}
	fn := float64(n)
	if want := 0.5 * fn * (fn - 1) / 2; got[0] != want {
		t.Fatalf("sum %v, want %v", got[0], want)
	}
	x := got[1].([]float64)
	if len(x) != n || x[n-1] != float64(n-1)*0.5 || x[7] != 3.5 {
		t.Fatalf("gathered value: len %d", len(x))
	}
}
