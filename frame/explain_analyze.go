package frame

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// NodeStats is what ExplainAnalyze measured of one node of the optimized
// plan (one line of Explain): the rows and bytes of its output partitions,
// the tasks that did its work and their time.
type NodeStats struct {
	// Node is the node's line of Explain, without its indentation; Depth is
	// its depth in the plan tree (0 for the root).
	Node  string
	Depth int
	Rows  int64 // rows of the node's output, summed over its partitions
	Bytes int64 // bytes of those partitions (graph.SizeOf)
	// Tasks counts the tasks that did some of the node's work: a fused task
	// (a read, a filter and a partial aggregation in one pipeline) counts
	// for every node it contains.
	Tasks int
	// Time is the node's share of task time: each step of a fused pipeline
	// is timed alone and its time goes to the step's node; a task that is
	// not a pipeline gives all its time to its node.
	Time time.Duration
}

// ExplainAnalyze computes f, like Compute, and returns with the table its
// optimized plan (Explain) annotated, node by node, with what each did: the
// rows and bytes of its output, its tasks and their time (DuckDB's EXPLAIN
// ANALYZE, Polars' profile). The stats come in Explain's order. The plan is
// lowered again with every task and fused step tagged by its plan node, and
// every task and step is timed, so this run is a little slower than Compute.
func (f *Frame) ExplainAnalyze(ctx context.Context, opts ...sched.Option) (string, *Table, []NodeStats, error) {
	if f.err != nil {
		return "", nil, nil, f.err
	}
	if _, err := f.Graph(); err != nil {
		return "", nil, nil, err
	}
	// Number the plan's nodes in Explain's order.
	var nodes []*node
	var depths []int
	tags := &planTags{ids: map[*node]int32{}, out: map[graph.Key][]int32{}}
	var walk func(n *node, d int)
	walk = func(n *node, d int) {
		if n == nil {
			return
		}
		if _, ok := tags.ids[n]; !ok {
			nodes, depths = append(nodes, n), append(depths, d)
			tags.ids[n] = int32(len(nodes))
		}
		walk(n.in, d+1)
		walk(n.right, d+1)
		for _, c := range n.ins {
			walk(c, d+1)
		}
	}
	walk(f.plan, 0)
	b := &builder{g: &graph.Graph{}, tags: tags}
	ps, err := b.lower(f.plan)
	var keys []graph.Key
	for _, p := range ps {
		if err != nil {
			break
		}
		var k graph.Key
		k, err = b.mat(p)
		keys = append(keys, k)
	}
	if err != nil {
		return "", nil, nil, fmt.Errorf("frame: ExplainAnalyze: lowering: %w", err)
	}
	for len(tags.task) < b.g.Len() {
		tags.task = append(tags.task, 1) // made by the last mat: the root's
	}
	stats := make([]NodeStats, len(nodes))
	for i, n := range nodes {
		var sb strings.Builder
		explain(&sb, n, 0)
		line, _, _ := strings.Cut(sb.String(), "\n")
		stats[i] = NodeStats{Node: line, Depth: depths[i]}
	}
	rec := &nodeRecorder{stats: stats}
	g := graph.WithCapacity(b.g.Len())
	for i, t := range b.g.Tasks() {
		id, outs := tags.task[i], tags.out[t.Key]
		op := t.Op
		if c, ok := op.(graph.Const); ok {
			// Data already in memory: its rows are its node's output.
			rec.output(outs, c.V)
			if len(outs) > 0 {
				rec.add(outs[0], 0, 1)
			}
		} else if p, ok := op.(*pipeOp); ok {
			op = statPipe{pipeOp: p, rec: rec, node: id, outs: outs}
		} else {
			op = statOp{op: op, rec: rec, node: id, outs: outs}
		}
		g.Add(&graph.Task{Key: t.Key, Op: op, Deps: t.Deps})
	}
	if g, err = graph.Cull(g, keys); err != nil {
		return "", nil, nil, fmt.Errorf("frame: ExplainAnalyze: %w", err)
	}
	t0 := time.Now()
	vals, err := sched.Run(ctx, g, keys, opts...)
	if err != nil {
		return "", nil, nil, fmt.Errorf("frame: ExplainAnalyze: %w", err)
	}
	wall := time.Since(t0)
	res, err := f.Finalize(vals)
	if err != nil {
		return "", nil, nil, fmt.Errorf("frame: ExplainAnalyze: %w", err)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%10s %12s %6s %12s  %s\n", "rows", "bytes", "tasks", "time", "plan node")
	for _, s := range stats {
		fmt.Fprintf(&sb, "%10d %12d %6d %12s  %s%s\n", s.Rows, s.Bytes, s.Tasks, s.Time.Round(time.Microsecond), strings.Repeat("  ", s.Depth), s.Node)
	}
	fmt.Fprintf(&sb, "analyzed: %d tasks in %s", g.Len(), wall.Round(time.Microsecond))
	tab, _ := res.(*Table)
	return f.Explain() + "\n\n" + sb.String(), tab, stats, nil
}

// nodeRecorder sums the measurements by plan node (ids are 1-based).
type nodeRecorder struct {
	mu    sync.Mutex
	stats []NodeStats
}

func (r *nodeRecorder) add(id int32, d time.Duration, tasks int) {
	if id < 1 || int(id) > len(r.stats) {
		return
	}
	r.mu.Lock()
	r.stats[id-1].Time += d
	r.stats[id-1].Tasks += tasks
	r.mu.Unlock()
}

// output counts v as output of each node of outs.
func (r *nodeRecorder) output(outs []int32, v any) {
	if len(outs) == 0 || v == nil {
		return
	}
	var rows int64
	if p, ok := v.(*Part); ok && p != nil && p.R != nil {
		rows = p.R.NumRows()
	}
	bytes := graph.SizeOf(v)
	r.mu.Lock()
	for k, id := range outs {
		if id < 1 || int(id) > len(r.stats) || hasID(outs[:k], id) {
			continue
		}
		r.stats[id-1].Rows += rows
		r.stats[id-1].Bytes += bytes
	}
	r.mu.Unlock()
}

func hasID(ids []int32, id int32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// statOp runs a task that is not a pipeline and gives its time to its plan
// node; it keeps the op's name, label, parameters and the parts it reads,
// so the graph runs as before.
type statOp struct {
	op   graph.Op
	rec  *nodeRecorder
	node int32
	outs []int32
}

func (s statOp) Name() string            { return s.op.Name() }
func (s statOp) Label() string           { return graph.LabelOf(s.op) }
func (s statOp) Params() ([]byte, error) { return s.op.Params() }

// InputParts implements graph.PartReader with the wrapped op's selectors.
func (s statOp) InputParts(n int) []int { return graph.InputPartsOf(s.op, n) }

func (s statOp) Run(ctx context.Context, in []any) (any, error) {
	t := time.Now()
	v, err := s.op.Run(ctx, in)
	if err == nil {
		s.rec.add(s.node, time.Since(t), 1)
		s.rec.output(s.outs, v)
	}
	return v, err
}

// statPipe runs a fused pipeline step by step, giving each step's time to
// the step's plan node and each node's output rows to it.
type statPipe struct {
	*pipeOp
	rec  *nodeRecorder
	node int32 // the task's node, for steps not tagged
	outs []int32
}

// InputParts implements graph.PartReader with the pipeline's selectors.
func (s statPipe) InputParts(n int) []int { return graph.InputPartsOf(s.pipeOp, n) }

func (s statPipe) Run(ctx context.Context, in []any) (any, error) {
	var seen [8]int32
	nodes := seen[:0]
	v, err := s.run(ctx, in, func(st *step, r arrow.Record, d time.Duration) {
		id := st.node
		if id == 0 {
			id = s.node
		}
		n := 0
		if !hasID(nodes, id) {
			nodes, n = append(nodes, id), 1
		}
		s.rec.add(id, d, n)
		if len(st.outs) > 0 {
			s.rec.output(st.outs, &Part{R: r})
		}
	})
	if err != nil {
		return v, err
	}
	if len(nodes) == 0 {
		s.rec.add(s.node, 0, 1)
	}
	s.rec.output(s.outs, v)
	return v, nil
}
