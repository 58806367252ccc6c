package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godask/godask/delayed"
	"github.com/godask/godask/frame"
	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

func init() {
	suites["cluster"] = clusterSuite
	// The overhead tree's functions, shippable to the workers.
	delayed.Register("bench.inc", inc)
	delayed.Register("bench.add", add)
	graph.Register("bench.ones", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		return onesOp{n: int(r.Uvarint()), salt: int(r.Uvarint())}, r.Err()
	})
	graph.Register("bench.fsum", func([]byte) (graph.Op, error) { return fsumOp{}, nil })
}

// clusterSuite runs workloads on cluster.Local(workers) (2 workers x 1
// thread by default, as shared/peers/distributed_dask.py's LocalCluster):
//
//	overhead  the tree of overhead_dask.py (-n leaves, 2n-1 tasks)
//	transfer  a -mb MiB []float64 made on worker 1, summed on worker 2
//	groupby   q1, q3, q10 on -data persisted on the workers (and, for the
//	          ratio, in this process on the local executor)
//	kill      q10 with worker 1 killed (SIGKILL) a third of the way through
//	steal     200 CPU-bound pairs of tasks with worker 1 straggling (SIGSTOP
//	          9 ms in 10), with work stealing and without (fresh clusters)
func clusterSuite(args []string) error {
	fs := flag.NewFlagSet("cluster", flag.ExitOnError)
	qs := fs.String("q", "overhead,transfer", "workloads: overhead,transfer,groupby,kill,steal")
	n := fs.Int("n", 100000, "overhead: leaf tasks (2n-1 tasks in all)")
	mb := fs.Int("mb", 256, "transfer: MiB moved")
	data := fs.String("data", "", "groupby, kill: the groupby table (.csv or Parquet)")
	workers := fs.Int("workers", 2, "worker processes")
	threads := fs.Int("threads", 1, "threads per worker")
	questions := fs.String("questions", "q1,q3,q10", "groupby: questions")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the client to this file")
	keepRes := fs.Bool("keep-result", false, "groupby: also time each question with its result kept on the workers (Persist, no gather)")
	wargs := fs.String("worker-args", "", "extra worker flags, e.g. --cpuprofile=/tmp/w%d.prof")
	fs.Parse(args)
	stop, err := cpuProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()
	want := map[string]bool{}
	for _, q := range strings.Split(*qs, ",") {
		want[strings.TrimSpace(q)] = true
	}
	t0 := time.Now()
	c, err := cluster.Local(*workers, cluster.WithThreads(*threads), cluster.WithWorkerArgs(strings.Fields(*wargs)...), cluster.WithLog(os.Stderr))
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Fprintf(os.Stderr, "cluster: %d workers x %d threads up in %.2fs\n", *workers, *threads, time.Since(t0).Seconds())
	if want["overhead"] {
		if err := clusterOverhead(c, *n); err != nil {
			return err
		}
	}
	if want["transfer"] {
		if err := clusterTransfer(c, *mb); err != nil {
			return err
		}
	}
	if want["steal"] {
		if err := clusterSteal(cluster.WithThreads(*threads)); err != nil {
			return err
		}
	}
	if want["groupby"] || want["kill"] {
		if *data == "" {
			return fmt.Errorf("cluster: groupby and kill need -data")
		}
		if err := clusterGroupby(c, *data, strings.Split(*questions, ","), want["groupby"], want["kill"], *keepRes); err != nil {
			return err
		}
	}
	return nil
}

func clusterOverhead(c *cluster.Executor, n int) error {
	ctx := context.Background()
	// A small warm-up run: connections, op statistics.
	if _, err := buildTree(100).Compute(ctx, sched.WithExecutor(c), sched.WithProgress(nil)); err != nil {
		return err
	}
	tb := time.Now()
	root := buildTree(n)
	build := time.Since(tb)
	tr := time.Now()
	res, err := root.Compute(ctx, sched.WithExecutor(c), sched.WithProgress(nil))
	if err != nil {
		return err
	}
	run := time.Since(tr)
	if want := n * (n + 1) / 2; res != want {
		return fmt.Errorf("cluster overhead: result %d, want %d", res, want)
	}
	tasks := 2*n - 1
	fmt.Printf("cluster/overhead tasks=%d build_us=%.2f per_task_us=%.2f result=%d\n",
		tasks, build.Seconds()*1e6/float64(tasks), run.Seconds()*1e6/float64(tasks), res)
	return nil
}

// fsumOp sums a []float64.
type fsumOp struct{}

func (fsumOp) Name() string            { return "bench.fsum" }
func (fsumOp) Params() ([]byte, error) { return nil, nil }
func (fsumOp) Run(_ context.Context, in []any) (any, error) {
	s := 0.0
	for _, x := range in[0].([]float64) {
		s += x
	}
	return s, nil
}

// clusterTransfer times a worker-to-worker move of an mb MiB array made on
// worker 1 and summed on worker 2 (median of 3). seconds is the fetch as
// worker 2 timed it (request to the last byte decoded, from its
// heartbeats); run_moved_s and run_local_s are whole runs summing on worker
// 2 and on worker 1, whose difference also estimates it on a quiet machine.
func clusterTransfer(c *cluster.Executor, mb int) error {
	ws := c.Workers()
	if len(ws) < 2 {
		return fmt.Errorf("cluster transfer: need 2 workers, have %d", len(ws))
	}
	n := mb << 20 / 8
	fetchOf := func(id uint64) (int64, time.Duration) {
		for _, w := range c.Workers() {
			if w.ID == id {
				return w.Fetched, w.FetchTime
			}
		}
		return 0, 0
	}
	settle := func() { time.Sleep(1200 * time.Millisecond) } // two heartbeats
	run := func(salt int, on uint64) (float64, time.Duration, error) {
		mk, err := graph.NewTask(onesOp{n: n, salt: salt})
		if err != nil {
			return 0, 0, err
		}
		s, err := graph.NewTask(fsumOp{}, mk.Key)
		if err != nil {
			return 0, 0, err
		}
		c.Restrict(mk.Key, ws[0].ID)
		c.Restrict(s.Key, on)
		defer c.Unrestrict(mk.Key, s.Key)
		t := time.Now()
		// No fusion: the chain make -> sum would become one task.
		out, err := sched.Run(context.Background(), graph.New(mk, s), []graph.Key{s.Key}, sched.WithExecutor(c), sched.WithProgress(nil), sched.WithoutFusion())
		if err != nil {
			return 0, 0, err
		}
		return out[0].(float64), time.Since(t), nil
	}
	var same, moved, fetch []float64
	for r := 0; r < 3; r++ {
		_, a, err := run(2*r, ws[0].ID)
		if err != nil {
			return err
		}
		settle()
		b0, t0 := fetchOf(ws[1].ID)
		sum, b, err := run(2*r+1, ws[1].ID)
		if err != nil {
			return err
		}
		// Wait for the heartbeat that reports the fetch.
		b1, t1 := fetchOf(ws[1].ID)
		for wait := time.Now(); b1-b0 < int64(n)*8 && time.Since(wait) < 10*time.Second; b1, t1 = fetchOf(ws[1].ID) {
			time.Sleep(100 * time.Millisecond)
		}
		if sum != float64(n) {
			return fmt.Errorf("cluster transfer: sum %v, want %d", sum, n)
		}
		if b1-b0 < int64(n)*8 {
			return fmt.Errorf("cluster transfer: worker 2 fetched %d bytes, want %d", b1-b0, n*8)
		}
		same = append(same, a.Seconds())
		moved = append(moved, b.Seconds())
		fetch = append(fetch, (t1 - t0).Seconds())
	}
	d := median(fetch)
	fmt.Printf("cluster/transfer mb=%d seconds=%.4f gb_per_s=%.3f run_moved_s=%.4f run_local_s=%.4f\n",
		mb, d, float64(mb)/1024/d, median(moved), median(same))
	return nil
}

// onesOp makes n float64 ones (np.ones of the peer script); the salt
// makes each run's key fresh.
type onesOp struct{ n, salt int }

func (o onesOp) Name() string { return "bench.ones" }
func (o onesOp) Params() ([]byte, error) {
	return binary.AppendUvarint(binary.AppendUvarint(nil, uint64(o.n)), uint64(o.salt)), nil
}

func (o onesOp) Run(context.Context, []any) (any, error) {
	x := make([]float64, o.n)
	for i := range x {
		x[i] = 1
	}
	return x, nil
}

// clusterGroupby persists the table on the workers (Executor.Persist: the
// partitions stay there, the frame holds references) and in this process
// (Frame.Persist), times each question over both, and q10 with a worker
// killed (that one reads the file in its run, so that lost partitions can be
// recomputed from lineage). With keepResult each question also runs with
// its result persisted on the workers (no gather to the client).
func clusterGroupby(c *cluster.Executor, data string, qs []string, times, kill, keepResult bool) error {
	ctx := context.Background()
	byName := map[string]func(x *frame.Frame) *frame.Frame{}
	for _, q := range groupbyQuestions {
		byName[q.name] = q.q
	}
	for _, q := range qs {
		if byName[q] == nil {
			return fmt.Errorf("cluster groupby: no question %q", q)
		}
	}
	var lastTasks int64
	if times {
		t := time.Now()
		p, err := c.Persist(ctx, []sched.Collection{loadGroupby(data)}, sched.WithProgress(nil))
		if err != nil {
			return fmt.Errorf("cluster groupby: persist on the workers: %w", err)
		}
		defer p.Release()
		var held []string
		for _, w := range c.Workers() {
			held = append(held, fmt.Sprintf("%d:%dMB", w.ID, w.Held>>20))
		}
		fmt.Printf("groupby/load seconds=%.4f executor=cluster held=%s\n", time.Since(t).Seconds(), strings.Join(held, ","))
		onWorkers := p.Collections[0].(*frame.Frame)
		t = time.Now()
		inProc, err := loadGroupby(data).Persist(ctx, sched.WithProgress(nil))
		if err != nil {
			return err
		}
		fmt.Printf("groupby/load seconds=%.4f executor=local\n", time.Since(t).Seconds())
		for _, q := range qs {
			f := byName[q]
			for _, where := range []string{"cluster", "local"} {
				opts := []sched.Option{sched.WithProgress(nil)}
				x := inProc
				busy := &workerBusy{}
				if where == "cluster" {
					opts = append(opts, sched.WithExecutor(c), sched.WithObserver(busy))
					x = onWorkers
				}
				t := time.Now()
				tab, err := f(x).Compute(ctx, opts...)
				if err != nil {
					return fmt.Errorf("groupby %s on %s: %w", q, where, err)
				}
				fmt.Printf("groupby/%s seconds=%.4f rows=%d chk=%.6f executor=%s load=persisted%s\n", q, time.Since(t).Seconds(), tab.NumRows(), chk(tab), where, busy)
				if where == "cluster" && keepResult {
					// The same question with its result kept on the workers
					// (Persist): the run without the gather to the client.
					busy := &workerBusy{}
					t := time.Now()
					p, err := c.Persist(ctx, []sched.Collection{f(x)}, sched.WithProgress(nil), sched.WithObserver(busy))
					if err != nil {
						return fmt.Errorf("groupby %s persisted on the workers: %w", q, err)
					}
					secs := time.Since(t).Seconds()
					p.Release()
					fmt.Printf("groupby/%s seconds=%.4f executor=cluster load=persisted result=persisted%s\n", q, secs, busy)
				}
			}
		}
	}
	if kill {
		// The tasks of q10 reading the file, to kill a third of the way.
		var tasks atomic.Int64
		obs := sched.WithObserver(sched.ObserverFunc(func(e sched.Event) {
			if e.Kind == sched.TaskFinished {
				tasks.Add(1)
			}
		}))
		if _, err := byName["q10"](loadGroupby(data)).Compute(ctx, sched.WithExecutor(c), sched.WithProgress(nil), obs); err != nil {
			return err
		}
		lastTasks = tasks.Load()
	}
	if !kill {
		return nil
	}
	q10 := byName["q10"]
	want, err := q10(loadGroupby(data)).Compute(ctx, sched.WithProgress(nil))
	if err != nil {
		return err
	}
	if lastTasks == 0 {
		lastTasks = 30
	}
	before := c.Stats()
	var done atomic.Int64
	var killed atomic.Bool
	obs := sched.WithObserver(sched.ObserverFunc(func(e sched.Event) {
		if e.Kind == sched.TaskFinished && done.Add(1) == lastTasks/3+1 {
			c.Kill(0)
			killed.Store(true)
		}
	}))
	t := time.Now()
	got, err := q10(loadGroupby(data)).Compute(ctx, sched.WithExecutor(c), sched.WithProgress(nil), obs)
	if err != nil {
		return fmt.Errorf("q10 with a worker killed: %w", err)
	}
	secs := time.Since(t).Seconds()
	after := c.Stats()
	equal := got.NumRows() == want.NumRows() && sameRows(got, want)
	fmt.Printf("cluster/kill_q10 seconds=%.4f rows=%d chk=%.6f equal=%v killed=%v workers_lost=%d recomputed=%d\n",
		secs, got.NumRows(), chk(got), equal, killed.Load(), after.Lost-before.Lost, after.Recomputed-before.Recomputed)
	if !equal {
		return fmt.Errorf("q10 with a worker killed: the answer differs from the local one")
	}
	return nil
}

// sameRows compares two tables row by row after sorting their rendered rows.
func sameRows(a, b *frame.Table) bool {
	ra, rb := renderRows(a), renderRows(b)
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if ra[i] != rb[i] {
			return false
		}
	}
	return true
}

func renderRows(t *frame.Table) []string {
	cols := t.Columns()
	out := make([]string, t.NumRows())
	for r := range out {
		var b strings.Builder
		for _, c := range cols {
			fmt.Fprintf(&b, "%v|", t.Value(r, c))
		}
		out[r] = b.String()
	}
	sort.Strings(out)
	return out
}

// workerBusy sums the task time each worker reported in a run.
type workerBusy struct {
	mu  sync.Mutex
	sum map[int]time.Duration
	n   map[int]int
}

func (b *workerBusy) Observe(e sched.Event) {
	if e.Kind != sched.TaskFinished {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sum == nil {
		b.sum, b.n = map[int]time.Duration{}, map[int]int{}
	}
	b.sum[e.Worker] += e.Duration
	b.n[e.Worker]++
}

// String prints " busy=W:S/N,..." (seconds of task time and tasks per
// worker), or nothing without events.
func (b *workerBusy) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.sum) == 0 {
		return ""
	}
	ids := make([]int, 0, len(b.sum))
	for id := range b.sum {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	var parts []string
	for _, id := range ids {
		parts = append(parts, fmt.Sprintf("%d:%.2fs/%d", id, b.sum[id].Seconds(), b.n[id]))
	}
	return " busy=" + strings.Join(parts, ",")
}
