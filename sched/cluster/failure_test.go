package cluster_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/godask/godask/array"
	"github.com/godask/godask/frame"
	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

// killAfter is an observer option that SIGKILLs Local worker slot 0 once n
// tasks have finished, and reports whether it did.
func killAfter(t *testing.T, c *cluster.Executor, n int64) (sched.Option, *atomic.Bool) {
	var done atomic.Int64
	var killed atomic.Bool
	return sched.WithObserver(sched.ObserverFunc(func(e sched.Event) {
		if e.Kind == sched.TaskFinished && done.Add(1) == n {
			if _, err := c.Kill(0); err != nil {
				t.Errorf("kill: %v", err)
			}
			killed.Store(true)
		}
	})), &killed
}

func rows(t *testing.T, tab *frame.Table, sorted bool) []string {
	t.Helper()
	var out []string
	cols := tab.Columns()
	for r := 0; r < tab.NumRows(); r++ {
		var b strings.Builder
		for _, c := range cols {
			fmt.Fprintf(&b, "%v|", tab.Value(r, c))
		}
		out = append(out, b.String())
	}
	if sorted {
		sort.Strings(out)
	}
	return out
}

func testFrames(n int) (*frame.Frame, *frame.Frame) {
	rng := rand.New(rand.NewSource(7))
	k := make([]int64, n)
	v := make([]float64, n)
	s := make([]string, n)
	for i := range k {
		k[i] = int64(rng.Intn(300))
		v[i] = float64(i) + 0.25 // distinct, so a sort has one answer
		s[i] = fmt.Sprintf("é%d", rng.Intn(5))
	}
	k2 := make([]int64, 300)
	w := make([]float64, 300)
	for i := range k2 {
		k2[i] = int64(i)
		w[i] = float64(i * i)
	}
	return frame.FromColumns(12, frame.Column{Name: "k", Values: k}, frame.Column{Name: "v", Values: v}, frame.Column{Name: "s", Values: s}),
		frame.FromColumns(6, frame.Column{Name: "k", Values: k2}, frame.Column{Name: "w", Values: w})
}

// TestKillWorkerMidRun kills a worker with SIGKILL in the middle of a
// groupby with a shuffle, a shuffle join, a sort and an array reduction: the
// answers equal the local executor's, and the recomputations are counted.
func TestKillWorkerMidRun(t *testing.T) {
	c, err := cluster.Local(2, cluster.WithThreads(1), cluster.WithRestarts(8))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, g := testFrames(6000)
	cases := []struct {
		name   string
		f      *frame.Frame
		sorted bool
	}{
		{"groupby-shuffle", f.GroupBy("k", "s").SplitOut(4).Agg(frame.Col("v").Sum(), frame.Col("v").Size().Alias("n")), true},
		{"join", f.Merge(g, frame.MergeOptions{On: []string{"k"}, Broadcast: -1, Partitions: 4}), true},
		{"sort", f.SortValues(false, "v"), false},
	}
	for _, tc := range cases {
		want, err := tc.f.Compute(context.Background(), sched.WithExecutor(sched.NewLocal()))
		if err != nil {
			t.Fatalf("%s locally: %v", tc.name, err)
		}
		before := c.Stats()
		kill, killed := killAfter(t, c, 3)
		got, err := tc.f.Compute(context.Background(), sched.WithExecutor(c), kill)
		if err != nil {
			t.Fatalf("%s on the cluster with a worker killed: %v", tc.name, err)
		}
		if !killed.Load() {
			t.Fatalf("%s: no worker was killed", tc.name)
		}
		a, b := rows(t, got, tc.sorted), rows(t, want, tc.sorted)
		if strings.Join(a, "\n") != strings.Join(b, "\n") {
			t.Fatalf("%s: %d rows on the cluster differ from the %d local ones", tc.name, len(a), len(b))
		}
		after := c.Stats()
		t.Logf("%s: %d rows, same answer; workers lost %d, tasks recomputed %d", tc.name, len(a), after.Lost-before.Lost, after.Recomputed-before.Recomputed)
		if err := c.WaitWorkers(context.Background(), 2); err != nil {
			t.Fatal(err)
		}
	}
	// An array reduction.
	data := make([]float64, 200*50)
	for i := range data {
		data[i] = float64(i%97) - 30.5
	}
	x := array.FromSlice(data, []int{200, 50}, array.Explicit{{30, 20, 20, 20, 20, 20, 20, 20, 20, 10}, {25, 25}})
	red := x.Mul(x).Sum(0)
	want, err := red.Compute(context.Background(), sched.WithExecutor(sched.NewLocal()))
	if err != nil {
		t.Fatal(err)
	}
	kill, killed := killAfter(t, c, 3)
	before := c.Stats()
	got, err := red.Compute(context.Background(), sched.WithExecutor(c), kill)
	if err != nil {
		t.Fatalf("array reduction with a worker killed: %v", err)
	}
	if !killed.Load() {
		t.Fatal("array: no worker was killed")
	}
	if fmt.Sprint(got.Data) != fmt.Sprint(want.Data) {
		t.Fatalf("array reduction on the cluster %v, local %v", got.Data[:3], want.Data[:3])
	}
	after := c.Stats()
	t.Logf("array reduction: same answer; workers lost %d, tasks recomputed %d", after.Lost-before.Lost, after.Recomputed-before.Recomputed)
}

// TestKilledWorkerError: a task that kills every worker it runs on fails
// the run with a KilledWorkerError naming it, after three deaths.
func TestKilledWorkerError(t *testing.T) {
	c, err := cluster.Local(2, cluster.WithThreads(1), cluster.WithRestarts(6))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a := task(t, litOp(5))
	k := task(t, killOp{})
	s := task(t, sumOp{}, a.Key, k.Key)
	_, err = sched.Run(context.Background(), graph.New(a, k, s), []graph.Key{s.Key}, sched.WithExecutor(c))
	var kw *cluster.KilledWorkerError
	if !errors.As(err, &kw) || kw.Key != k.Key || kw.Op != "clustertest.kill" || len(kw.Workers) != 3 {
		t.Fatalf("error %v: want a KilledWorkerError naming %s and clustertest.kill after 3 workers", err, k.Key)
	}
	// The cluster recovers: restarted workers run the next job.
	if err := c.WaitWorkers(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	got, err := sched.Run(context.Background(), graph.New(a), []graph.Key{a.Key}, sched.WithExecutor(c))
	if err != nil || got[0] != int64(5) {
		t.Fatalf("after KilledWorkerError: %v %v", got, err)
	}
}

// TestSilentWorkerRemoved: a worker stopped with SIGSTOP sends no
// heartbeat; it is removed after the silence timeout and its tasks run
// elsewhere.
func TestSilentWorkerRemoved(t *testing.T) {
	c, err := cluster.Local(2, cluster.WithThreads(1), cluster.WithHeartbeat(100*time.Millisecond, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer c.Signal(0, syscall.SIGCONT)
	if err := c.Signal(0, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	g := &graph.Graph{}
	var ks []graph.Key
	for i := 0; i < 6; i++ {
		tk := task(t, sumOp{salt: int64(i), sleep: 20 * time.Millisecond})
		g.Add(tk)
		ks = append(ks, tk.Key)
	}
	start := time.Now()
	got, err := sched.Run(context.Background(), g, ks, sched.WithExecutor(c))
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if got[i] != int64(i) {
			t.Fatalf("output %d = %v", i, got[i])
		}
	}
	if st := c.Stats(); st.Lost < 1 {
		t.Fatalf("the silent worker was not removed (stats %+v, run took %v)", st, time.Since(start))
	}
}

// TestWorkerExitsWithoutScheduler: a worker whose scheduler cannot be
// reached exits after its death timeout, naming the address.
func TestWorkerExitsWithoutScheduler(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), cluster.EnvWorker+"=--scheduler=127.0.0.1:1 --death-timeout=400ms", cluster.EnvToken+"=x")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "127.0.0.1:1") || !strings.Contains(string(out), "lost the scheduler") {
		t.Fatalf("worker exited with %v: %s", err, out)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("took %v to exit", d)
	}
}

// TestConnectHandStartedWorker starts a worker by hand (prog worker
// --scheduler ADDR --token-file F) and connects to it.
func TestConnectHandStartedWorker(t *testing.T) {
	dir := t.TempDir()
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte(cluster.NewToken()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "worker", "--scheduler", addr, "--token-file", tok, "--nthreads", "2", "--memory-limit", "256MiB", "--death-timeout", "20s")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	c, err := cluster.Connect(addr, cluster.WithTokenFile(tok), cluster.WithMinWorkers(1), cluster.WithJoinTimeout(20*time.Second))
	if err != nil {
		t.Fatalf("%v (worker output: %s)", err, out.String())
	}
	ws := c.Workers()
	if len(ws) != 1 || ws[0].Threads != 2 || ws[0].MemoryLimit != 256<<20 || ws[0].PID != cmd.Process.Pid {
		t.Fatalf("workers %+v", ws)
	}
	a, b := task(t, litOp(40), nil...), task(t, litOp(2))
	s := task(t, sumOp{}, a.Key, b.Key)
	got, err := sched.Run(context.Background(), graph.New(a, b, s), []graph.Key{s.Key}, sched.WithExecutor(c))
	if err != nil || got[0] != int64(42) {
		t.Fatalf("run on a hand-started worker: %v %v", got, err)
	}
	c.Close()
	// Told to stop, the worker exits.
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("worker exit: %v: %s", err, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the worker did not exit after Close")
	}
	cmd = exec.Command("true") // the deferred Kill/Wait act on a finished process
	cmd.Start()
}

func freeAddr(t *testing.T) string {
	l, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	a := l.Addr().String()
	l.Close()
	return a
}
