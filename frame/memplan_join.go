package frame

// Shuffle joins sized from the run's memory limit.
//
// A shuffle join task holds its piece of both sides, the hash table on one
// of them and the joined output at once, so its working memory is about
// joinWorkFactor times the piece's bytes. With the default partition count
// (the larger side's partitions) a join of two 10^7-row tables under a 256
// MiB limit gave each task a million rows of both sides and the run peaked
// at 1.6 times the limit. When a run's memory limit is known before the
// frame is lowered (PlanMemory), sizeJoins raises the partition count of
// every shuffle join whose Partitions option was left at 0 until a piece of
// both sides fits a task's share of the limit (limit / workers), from the
// sides' estimated bytes (estBytes), and stops broadcasting a side chosen
// by its size (the automatic broadcast) that would not fit. A join whose
// sizes are unknown keeps its partitions; a piece that still cannot fit is
// reported by the join task (warnJoin).

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
	csvio "github.com/godask/godask/io/csv"
	"github.com/godask/godask/io/jsonl"
	"github.com/godask/godask/sched"
)

// joinWorkFactor is a join task's working memory per byte of its inputs:
// the inputs, their concatenation per side, the hash table and chains, the
// output (up to both sides' widths per matched row).
const joinWorkFactor = 4

// maxMemJoinParts caps the partitions sizeJoins gives a join (each input
// partition is split into that many pieces).
const maxMemJoinParts = 4096

// maxJoinSlices caps the row ranges a broadcast join's left partition is
// joined in.
const maxJoinSlices = 64

// sliceJoin adds a rowSplit of the left partition lk into k row ranges and
// one join task per range against the whole right side (rkeys), and
// returns the join tasks' keys, in row order.
func (b *builder) sliceJoin(op joinOp, lk graph.Key, rkeys []graph.Key, k int) ([]graph.Key, error) {
	sk, err := b.add(&rowSplitOp{n: k}, lk)
	if err != nil {
		return nil, err
	}
	out := make([]graph.Key, 0, k)
	for j := 0; j < k; j++ {
		o := op
		o.nl, o.piece = 1, j
		key, err := b.add(&o, append([]graph.Key{sk}, rkeys...)...)
		if err != nil {
			return nil, err
		}
		out = append(out, key)
	}
	return out, nil
}

// rowSplitOp cuts its input partition into n consecutive row ranges of
// about equal size, as Pieces that index the partition (no copy): a task
// reading piece j gets rows [j·m, (j+1)·m).
type rowSplitOp struct{ n int }

func (o *rowSplitOp) Name() string  { return "frame.rowsplit" }
func (o *rowSplitOp) Label() string { return "split-rows" }
func (o *rowSplitOp) Params() ([]byte, error) {
	return appendUvarint(nil, uint64(o.n)), nil
}

func (o *rowSplitOp) Run(_ context.Context, in []any) (any, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("frame: split-rows: %d inputs, want 1", len(in))
	}
	p, ok := in[0].(*Part)
	if !ok {
		return nil, fmt.Errorf("frame: split-rows: input is a %T, not a partition", in[0])
	}
	r := p.R
	rows := int(r.NumRows())
	idx := make([][]int32, o.n)
	for j := range idx {
		a, b := rows*j/o.n, rows*(j+1)/o.n
		idx[j] = make([]int32, b-a)
		for i := range idx[j] {
			idx[j][i] = int32(a + i)
		}
	}
	return &Pieces{src: shuffleSource(r), idx: idx}, nil
}

func init() {
	graph.Register("frame.rowsplit", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		n := r.Uvarint()
		if err := r.Err(); err != nil {
			return nil, err
		}
		if n < 1 || n > maxJoinSlices {
			return nil, fmt.Errorf("frame.rowsplit: %d ranges, want 1 to %d", n, maxJoinSlices)
		}
		return &rowSplitOp{n: int(n)}, nil
	})
}

// estBytes estimates the bytes of the values plan n produces: estimated rows
// times the schema's row width, or, for a CSV or JSON source (no row
// counts), the text bytes of its ranges scaled by the share of columns read.
func estBytes(n *node) (float64, bool) {
	if n == nil {
		return 0, false
	}
	if r, ok := estRows(n); ok {
		return r * rowWidth(n.schema), true
	}
	switch n.op {
	case "source":
		var text float64
		full := 0
		switch s := n.src.(type) {
		case *csvSource:
			for _, r := range s.ranges {
				text += float64(rangeLen(r))
			}
			full = s.sch.NumFields()
		case *jsonSource:
			for _, r := range s.ranges {
				text += float64(jsonRangeLen(r))
			}
			full = s.sch.NumFields()
		case *sharedSource:
			return estBytes(&node{op: "source", src: s.inner, schema: n.schema, pred: n.pred})
		default:
			return 0, false
		}
		if full > 0 && n.schema != nil && n.schema.NumFields() < full {
			text *= float64(n.schema.NumFields()) / float64(full)
		}
		if n.pred != nil {
			text *= filterSelectivity
		}
		return text, true
	case "filter":
		b, ok := estBytes(n.in)
		return b * filterSelectivity, ok
	case "project", "sort", "repartition", "setindex", "parts":
		b, ok := estBytes(n.in)
		if ok && n.in != nil && n.in.schema != nil && n.schema != nil {
			if w := rowWidth(n.in.schema); w > 0 {
				b *= rowWidth(n.schema) / w
			}
		}
		return b, ok
	}
	return 0, false
}

func rangeLen(r csvio.Range) int64     { return max(0, r.End-r.Start) }
func jsonRangeLen(r jsonl.Range) int64 { return max(0, r.End-r.Start) }

// rowWidth is the estimated in-memory bytes of one row of s: fixed-width
// columns by their width, strings and binaries an offset and 12 bytes, and
// 16 bytes for anything else, plus a validity bit per column.
func rowWidth(s *arrow.Schema) float64 {
	if s == nil {
		return 0
	}
	w := 0.0
	for _, f := range s.Fields() {
		w += 0.125
		switch t := f.Type.(type) {
		case arrow.FixedWidthDataType:
			w += math.Max(1, float64(t.BitWidth())/8)
		case *arrow.StringType, *arrow.BinaryType:
			w += 16
		case *arrow.LargeStringType, *arrow.LargeBinaryType:
			w += 20
		default:
			w += 16
		}
	}
	return w
}

// sizeJoins returns plan n with the shuffle joins of default partition
// count sized for taskMem bytes of working memory per task (see the file
// comment), or n itself when nothing changes. Nodes on the way to a changed
// join are copied; the plan n is never modified.
func sizeJoins(n *node, taskMem int64) *node {
	if taskMem <= 0 {
		return n
	}
	return mapPlan(n, func(c *node) *node {
		if c.op == "join" && c.join != nil {
			if spec := joinSpecFor(c, taskMem); spec != nil {
				cp := *c
				cp.join = spec
				return &cp
			}
		}
		return nil
	})
}

// mapPlan returns plan n with fn applied to every node, inputs first: fn
// gets the node (a copy when one of its inputs changed) and returns its
// replacement, or nil to keep it. Nodes on the way to a changed one are
// copied; the plan n is never modified, and a node shared by several
// parents is rewritten once.
func mapPlan(n *node, fn func(*node) *node) *node {
	done := map[*node]*node{}
	var walk func(*node) *node
	walk = func(m *node) *node {
		if m == nil {
			return nil
		}
		if c, ok := done[m]; ok {
			return c
		}
		done[m] = m
		in, right := walk(m.in), walk(m.right)
		var ins []*node
		changed := in != m.in || right != m.right
		for i, x := range m.ins {
			y := walk(x)
			if y != x && ins == nil {
				ins = append([]*node(nil), m.ins[:i]...)
			}
			if ins != nil {
				ins = append(ins, y)
			}
		}
		changed = changed || ins != nil
		c := m
		if changed {
			cp := *m
			cp.in, cp.right = in, right
			if ins != nil {
				cp.ins = ins
			}
			c = &cp
		}
		if r := fn(c); r != nil {
			c = r
		}
		done[m] = c
		return c
	}
	return walk(n)
}

// joinSpecFor returns the join spec of n sized for taskMem, or nil to keep
// n's.
func joinSpecFor(n *node, taskMem int64) *joinSpec {
	s := n.join
	if s.parts > 0 {
		return nil // the user's Partitions
	}
	if _, ok := coPartitioned(n); ok {
		return nil
	}
	lb, okl := estBytes(n.in)
	rb, okr := estBytes(n.right)
	fits := func(b float64) bool { return b*joinWorkFactor <= float64(taskMem) }
	l, r := partsOf(n.in), partsOf(n.right)
	out := *s
	changed := false
	switch side := bcastSide(n, l, r); {
	case side > 0 && s.autoBroadcast && okr && !fits(rb) && r > 1:
		// The broadcast side would not fit each task: shuffle instead.
		out.broadcast, changed = -1, true
	case side < 0 && s.autoBroadcast && okl && !fits(lb) && l > 1:
		out.broadcast, changed = -1, true
	case side > 0:
		// Each left partition joins the whole right side: when one
		// partition's join would not fit, join it in row ranges (kept in
		// order, so the output is the same rows in the same order). Not
		// where the left's partitioning is relied on downstream.
		if !okl || !okr || l == 0 || partitioningOf(n.in) != nil {
			return nil
		}
		room := float64(taskMem) - rb*joinWorkFactor
		per := lb / float64(l) * joinWorkFactor
		if room <= 0 || per <= room {
			return nil
		}
		out.slices = min(maxJoinSlices, int(math.Ceil(per/room)))
		if out.slices < 2 {
			return nil
		}
		return &out
	case side != 0:
		return nil
	}
	if !okl || !okr {
		if changed {
			return &out
		}
		return nil
	}
	need := int(math.Ceil((lb + rb) * joinWorkFactor / float64(taskMem)))
	need = min(need, maxMemJoinParts)
	if need > max(l, r) {
		out.parts, changed = need, true
	}
	if !changed {
		return nil
	}
	return &out
}

// warnJoin sends a Warning when one join task's inputs, times
// joinWorkFactor, exceed its share of the run's memory limit: the limit
// cannot hold for this task (a skewed key, a side of unknown size); more
// Partitions in MergeOptions, or a larger limit, is the fix.
func warnJoin(ctx context.Context, l, r *joinSide) {
	budget, ok := sched.TaskMemory(ctx)
	if !ok || l == nil || r == nil {
		return
	}
	need := (sideBytes(l) + sideBytes(r)) * joinWorkFactor
	if need > budget {
		sched.Warn(ctx, fmt.Sprintf("a join task holds %d left and %d right rows and needs about %d MiB of working memory, more than its share of the memory limit (%d MiB); pass more MergeOptions.Partitions (or a larger limit) to hold the limit",
			l.n, r.n, need>>20, budget>>20), nil)
	}
}

// sideBytes estimates the bytes of one join side's rows.
func sideBytes(s *joinSide) int64 {
	if s.first == nil {
		return 0
	}
	return int64(float64(s.n) * rowWidth(s.first.Schema()))
}
