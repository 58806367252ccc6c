package frame

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// OpStats is what ExplainAnalyze measured of one op of the lowered plan:
// its tasks, the rows and bytes of the partitions they returned, and their
// time.
type OpStats struct {
	Op    string
	Tasks int
	Rows  int64 // rows of the partitions returned (0 for ops returning other values)
	Bytes int64
	Time  time.Duration
}

// ExplainAnalyze computes f, like Compute, and returns with the table its
// optimized plan (Explain) followed by what each op of the lowered task
// graph did: tasks, rows and bytes out, and task time (DuckDB's EXPLAIN
// ANALYZE, Polars' profile). The ops are those of the plan as lowered to
// tasks (a read, a partial aggregation, a shuffle split, a join…), each
// measured alone even when fusion runs several in one task.
func (f *Frame) ExplainAnalyze(ctx context.Context, opts ...sched.Option) (string, *Table, []OpStats, error) {
	if f.err != nil {
		return "", nil, nil, f.err
	}
	g, err := f.Graph()
	if err != nil {
		return "", nil, nil, err
	}
	rec := &opRecorder{by: map[string]*OpStats{}}
	g2 := graph.WithCapacity(g.Len())
	for _, t := range g.Tasks() {
		op := t.Op
		if _, isConst := op.(graph.Const); !isConst {
			op = statOp{op: op, rec: rec}
		}
		g2.Add(&graph.Task{Key: t.Key, Op: op, Deps: t.Deps})
	}
	t0 := time.Now()
	vals, err := sched.Run(ctx, g2, f.Keys(), opts...)
	if err != nil {
		return "", nil, nil, fmt.Errorf("frame: ExplainAnalyze: %w", err)
	}
	wall := time.Since(t0)
	res, err := f.Finalize(vals)
	if err != nil {
		return "", nil, nil, fmt.Errorf("frame: ExplainAnalyze: %w", err)
	}
	stats := rec.list()
	var b strings.Builder
	b.WriteString(f.Explain())
	fmt.Fprintf(&b, "\n\nanalyzed: %d tasks in %s\n", len(g.Tasks()), wall.Round(time.Microsecond))
	fmt.Fprintf(&b, "%-28s %8s %12s %12s %12s\n", "op", "tasks", "rows", "bytes", "time")
	for _, s := range stats {
		fmt.Fprintf(&b, "%-28s %8d %12d %12d %12s\n", s.Op, s.Tasks, s.Rows, s.Bytes, s.Time.Round(time.Microsecond))
	}
	tab, _ := res.(*Table)
	return strings.TrimRight(b.String(), "\n"), tab, stats, nil
}

type opRecorder struct {
	mu    sync.Mutex
	by    map[string]*OpStats
	order []string
}

func (r *opRecorder) note(op string, d time.Duration, v any) {
	var rows, bytes int64
	if p, ok := v.(*Part); ok && p != nil && p.R != nil {
		rows = p.R.NumRows()
	}
	if v != nil {
		bytes = graph.SizeOf(v)
	}
	r.mu.Lock()
	s := r.by[op]
	if s == nil {
		s = &OpStats{Op: op}
		r.by[op] = s
		r.order = append(r.order, op)
	}
	s.Tasks++
	s.Rows += rows
	s.Bytes += bytes
	s.Time += d
	r.mu.Unlock()
}

// list returns the ops by decreasing time.
func (r *opRecorder) list() []OpStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]OpStats, 0, len(r.order))
	for _, op := range r.order {
		out = append(out, *r.by[op])
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Time > out[b].Time })
	return out
}

// statOp runs an op and notes what it returned; it keeps the op's name,
// label, parameters and the parts it reads, so the graph runs as before.
type statOp struct {
	op  graph.Op
	rec *opRecorder
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
		s.rec.note(graph.LabelOf(s.op), time.Since(t), v)
	}
	return v, err
}
