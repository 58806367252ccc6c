package frame

// Read partitions sized from the run's memory limit.
//
// ReadCSV and ReadJSON cut files into ranges when they are called, before
// any run and its sched.WithMemoryLimit are known, so by then they can only
// size ranges from the Go soft memory limit (defaultBlockSize). A frame is
// lowered to tasks when it is first computed; sched.Compute and
// sched.Persist tell it the run's memory limit and workers first
// (PlanMemory, the sched.MemoryPlanner interface), and a source whose
// BlockSize was left to the default is cut again into the smaller ranges
// that limit allows (blockSizeFor). A range that still needs more than its
// task's share of the limit (an explicit BlockSize, a compressed file) gets
// a Warning when it is read (warnRange).

import (
	csvio "github.com/godask/godask/io/csv"
	"github.com/godask/godask/io/jsonl"
)

// PlanMemory implements sched.MemoryPlanner: it records the memory limit
// and worker count of the run about to compute f, so that its CSV and JSON
// sources with a default BlockSize are cut into ranges whose parsing fits a
// worker's share of that limit. It takes effect only before f is first
// lowered (by Compute, Graph, Keys, Explain or NPartitions); a frame keeps
// the partitions of its first lowering. A limit <= 0 (no limit) changes
// nothing.
func (f *Frame) PlanMemory(limit int64, workers int) {
	if f == nil || f.err != nil || limit <= 0 {
		return
	}
	f.readBlock.Store(blockSizeFor(limit, workers))
	f.taskMem.Store(limit / int64(max(workers, 1)))
}

// resizer is a source that can cut its files into smaller ranges; resized
// returns nil when it keeps its own (an explicit BlockSize, or ranges
// already no larger than block).
type resizer interface {
	resized(block int64) source
}

// resizeReads returns the plan n with its default-sized text sources cut
// into ranges of block bytes, or n itself when there are none or when a
// node of the plan depends on its input's partitions (a LocRange's kept
// partitions, a Repartition's layout, known index divisions, an extension
// node), which new ranges would invalidate.
func resizeReads(n *node, block int64) *node {
	fixed, any := false, false
	srcs := map[source]source{}
	var walk func(*node)
	seen := map[*node]bool{}
	walk = func(m *node) {
		if m == nil || seen[m] {
			return
		}
		seen[m] = true
		if m.parts != nil || m.rep != nil || m.idx != nil || m.ext != nil {
			fixed = true
		}
		if m.op == "source" {
			if r, ok := m.src.(resizer); ok {
				if _, done := srcs[m.src]; !done {
					srcs[m.src] = r.resized(block)
					any = any || srcs[m.src] != nil
				}
			}
		}
		walk(m.in)
		walk(m.right)
		for _, in := range m.ins {
			walk(in)
		}
	}
	walk(n)
	if fixed || !any {
		return n
	}
	done := map[*node]*node{}
	var cp func(*node) *node
	cp = func(m *node) *node {
		if m == nil {
			return nil
		}
		if c, ok := done[m]; ok {
			return c
		}
		c := *m
		done[m] = &c
		if m.op == "source" {
			if s := srcs[m.src]; s != nil {
				c.src = s
			}
		}
		c.in, c.right = cp(m.in), cp(m.right)
		if m.ins != nil {
			c.ins = make([]*node, len(m.ins))
			for i, in := range m.ins {
				c.ins[i] = cp(in)
			}
		}
		return &c
	}
	return cp(n)
}

// rangeFiles returns the files of consecutive ranges, in order.
func rangeFiles[R any](rs []R, path func(R) string) []string {
	var out []string
	for _, r := range rs {
		if p := path(r); len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	return out
}

func (s *csvSource) resized(block int64) source {
	if !s.autoBlock || block >= s.o.BlockSize {
		return nil
	}
	out := *s
	out.o.BlockSize = block
	out.ranges = nil
	for _, p := range rangeFiles(s.ranges, func(r csvio.Range) string { return r.Path }) {
		rs, err := csvio.Split(p, block)
		if err != nil {
			return nil // the read reports it
		}
		out.ranges = append(out.ranges, rs...)
	}
	if len(out.ranges) <= len(s.ranges) {
		return nil
	}
	return &out
}

func (s *jsonSource) resized(block int64) source {
	if !s.autoBlock || block >= s.block {
		return nil
	}
	out := *s
	out.block = block
	out.ranges = nil
	for _, p := range rangeFiles(s.ranges, func(r jsonl.Range) string { return r.Path }) {
		rs, err := jsonl.Split(p, block)
		if err != nil {
			return nil
		}
		out.ranges = append(out.ranges, rs...)
	}
	if len(out.ranges) <= len(s.ranges) {
		return nil
	}
	return &out
}

func (s *sharedSource) resized(block int64) source {
	r, ok := s.inner.(resizer)
	if !ok {
		return nil
	}
	in := r.resized(block)
	if in == nil {
		return nil
	}
	return &sharedSource{inner: in, union: s.union}
}
