package dash

import (
	"context"
	"fmt"
	"math/rand"
	"testing"
	"time"

	"github.com/godask/godask/graph"
)

type labOp struct{ l string }

func (o labOp) Name() string                            { return "dash_test." + o.l }
func (o labOp) Label() string                           { return o.l }
func (o labOp) Params() ([]byte, error)                 { return []byte(o.l), nil }
func (o labOp) Run(context.Context, []any) (any, error) { return nil, nil }

// randomGraph is a random DAG with tasks labelled from a few op names.
func randomGraph(rng *rand.Rand, n int) *graph.Graph {
	g := graph.WithCapacity(n)
	labels := []string{"read", "map", "sum", "θ-unicode"}
	for i := 0; i < n; i++ {
		var deps []graph.Key
		for j := 0; j < rng.Intn(4) && i > 0; j++ {
			deps = append(deps, graph.Key(fmt.Sprintf("t%d", rng.Intn(i))))
		}
		// no duplicate deps
		seen := map[graph.Key]bool{}
		var ds []graph.Key
		for _, d := range deps {
			if !seen[d] {
				seen[d] = true
				ds = append(ds, d)
			}
		}
		g.Add(&graph.Task{Key: graph.Key(fmt.Sprintf("t%d", i)), Op: labOp{labels[rng.Intn(len(labels))]}, Deps: ds})
	}
	return g
}

// event is one recorded call, replayed into a Run.
type event struct {
	kind   string
	i, w   int
	t      time.Time
	d      time.Duration
	failed bool
}

// TestProgressAgainstReplay replays a recorded event stream (a sequential
// execution in dependency order, cut at a random point, with random worker
// threads) and compares every op group's counts with a naive recount.
func TestProgressAgainstReplay(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 30; trial++ {
		n := 1 + rng.Intn(600)
		g := randomGraph(rng, n)
		tasks := g.Tasks()
		deps := g.DepIndex()
		workers := 1 + rng.Intn(4)
		outputs := []graph.Key{tasks[n-1].Key}
		// Record: start tasks in order, finish some; a few fail.
		var rec []event
		now := time.Now()
		cut := rng.Intn(n + 1)
		done := make([]bool, n)
	tasks:
		for i := 0; i < cut; i++ {
			for _, d := range deps[i] {
				if !done[d] {
					continue tasks // an input is not ready: the task waits
				}
			}
			w := rng.Intn(workers)
			rec = append(rec, event{kind: "start", i: i, w: w, t: now})
			if rng.Intn(10) == 0 {
				continue // still running
			}
			d := time.Duration(rng.Intn(1000)) * time.Microsecond
			now = now.Add(d)
			e := event{kind: "end", i: i, w: w, t: now, d: d, failed: rng.Intn(50) == 0}
			done[i] = !e.failed
			rec = append(rec, e)
		}
		h := NewHub(100000)
		r := h.StartRun(g, outputs, workers, 1<<20)
		for _, e := range rec {
			switch {
			case e.kind == "start":
				r.Started(e.i, e.w, e.t)
			case e.failed:
				r.Failed(e.i, e.w, tasks[e.i].Key, graph.LabelOf(tasks[e.i].Op), e.t, e.d, fmt.Errorf("boom %d", e.i), nil)
			default:
				r.Finished(e.i, e.w, e.t, e.d)
			}
		}
		// Naive recount.
		state := make([]string, n)
		for i := range state {
			state[i] = "waiting"
		}
		for _, e := range rec {
			switch {
			case e.kind == "start":
				state[e.i] = "running"
			case e.failed:
				state[e.i] = "erred"
			default:
				state[e.i] = "done"
			}
		}
		readersLeft := make([]int, n)
		for i := range deps {
			for _, d := range deps[i] {
				readersLeft[d]++
			}
		}
		for i := range deps {
			if state[i] == "done" {
				for _, d := range deps[i] {
					readersLeft[d]--
				}
			}
		}
		want := map[string]*GroupCounts{}
		for i, tk := range tasks {
			l := graph.LabelOf(tk.Op)
			c := want[l]
			if c == nil {
				c = &GroupCounts{Label: l}
				want[l] = c
			}
			c.Total++
			switch state[i] {
			case "waiting":
				c.Waiting++
			case "running":
				c.Running++
			case "erred":
				c.Erred++
			case "done":
				c.Finished++
				hasReaders := false
				for j := range deps {
					for _, d := range deps[j] {
						if int(d) == i {
							hasReaders = true
						}
					}
				}
				if hasReaders && readersLeft[i] == 0 && tk.Key != outputs[0] {
					c.Released++
				} else {
					c.Memory++
				}
			}
		}
		gs, th := r.Progress()
		if len(gs) != len(want) {
			t.Fatalf("trial %d: %d groups, want %d", trial, len(gs), len(want))
		}
		for _, got := range gs {
			w := want[got.Label]
			got.Seconds = 0
			if got != *w {
				t.Fatalf("trial %d (n=%d cut=%d): group %s = %+v, want %+v", trial, n, cut, got.Label, got, *w)
			}
		}
		var tasksDone int64
		for _, x := range th {
			tasksDone += x.Tasks
		}
		var fin int64
		for _, w := range want {
			fin += w.Finished
		}
		if tasksDone != fin {
			t.Fatalf("trial %d: threads ran %d tasks, want %d", trial, tasksDone, fin)
		}
		if n <= SmallGraph {
			st := r.States()
			for i := range tasks {
				wantSt := map[string]byte{"waiting": StWaiting, "running": StRunning, "erred": StErred, "done": StMemory}[state[i]]
				if state[i] == "done" && st[i] == StGone {
					continue // released: checked through the counts
				}
				if st[i] != wantSt {
					t.Fatalf("trial %d: task %d state %c, want %c", trial, i, st[i], wantSt)
				}
			}
		}
		// The stream holds every finished or failed task, in order per thread.
		h.collect()
		boxes, _ := h.boxesSince(-1<<62, 1<<30)
		ends := 0
		for _, e := range rec {
			if e.kind == "end" {
				ends++
			}
		}
		if len(boxes) != ends {
			t.Fatalf("trial %d: %d boxes, want %d", trial, len(boxes), ends)
		}
		errs, nerr := r.Errors()
		if nerr != len(errs) {
			t.Fatalf("trial %d: %d errors listed of %d", trial, len(errs), nerr)
		}
		var wantErr int64
		for _, w := range want {
			wantErr += w.Erred
		}
		if int64(nerr) != wantErr {
			t.Fatalf("trial %d: %d errors, want %d", trial, nerr, wantErr)
		}
		if st := h.Totals(); st.Finished != fin || st.Failed != wantErr {
			t.Fatalf("trial %d: totals %d finished %d failed, want %d, %d", trial, st.Finished, st.Failed, fin, wantErr)
		}
	}
}

// TestBounded: a huge stream stays within the buffers' bounds.
func TestBounded(t *testing.T) {
	g := graph.WithCapacity(20000)
	for i := 0; i < 20000; i++ {
		g.Add(&graph.Task{Key: graph.Key(fmt.Sprint(i)), Op: labOp{fmt.Sprintf("op%d", i)}}) // more labels than MaxGroups
	}
	h := NewHub(1000)
	r := h.StartRun(g, nil, 2, 0)
	if len(r.Labels()) != MaxGroups || r.Labels()[MaxGroups-1] != "other" {
		t.Fatalf("%d groups (last %q), want %d ending in other", len(r.Labels()), r.Labels()[len(r.Labels())-1], MaxGroups)
	}
	now := time.Now()
	for i := 0; i < 20000; i++ {
		r.Started(i, i%2, now)
		r.Finished(i, i%2, now, time.Microsecond)
		r.Memory(int64(i), 0, 0, now.Add(time.Duration(i)*time.Second))
		r.Mark("spill", i, 10, now)
	}
	h.collect()
	if b, _ := h.boxesSince(-1<<62, 1<<30); len(b) != 1000 {
		t.Fatalf("ring holds %d boxes, want 1000", len(b))
	}
	if len(r.mem) > memPoints || len(r.marks) > maxSpills {
		t.Fatalf("memory samples %d, marks %d: unbounded", len(r.mem), len(r.marks))
	}
	if r.States() != "" {
		t.Fatal("a big graph keeps per-task states")
	}
	if gi := r.Graph(); !gi.Summary || len(gi.Nodes) != MaxGroups {
		t.Fatalf("graph of a big run: summary %v with %d nodes", gi.Summary, len(gi.Nodes))
	}
	// Out-of-range indices (an executor bug) are ignored, not a panic.
	r.Started(-1, 0, now)
	r.Finished(1<<30, 99, now, 0)
}
