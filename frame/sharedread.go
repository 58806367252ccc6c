package frame

import (
	"encoding/json"
	"sort"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Shared reads of text sources. A Parquet column chunk is its own task, so
// frames computed together read a shared one once by key alone. A CSV or
// JSON range is parsed inside each frame's fused partition task, decoding
// only the columns that frame needs; so when several frames of one run
// read the same files, ShareWith (called by sched.Compute and
// sched.Persist, hence by ComputeAll, Compute2 and Compute3, through the
// sched.Sharer interface) rewrites their plans: each range becomes one read task decoding the
// union of the columns all of them need, and each frame's partitions start
// from it with a projection. A source read by one frame only stays fused.

// ShareWith returns colls with the frames among them replaced by frames
// whose CSV and JSON sources read each range once for all of them (the
// same results, in the same order). It implements sched.Sharer:
// sched.Compute and sched.Persist call it for every run of two or more
// collections.
func (f *Frame) ShareWith(colls []sched.Collection) []sched.Collection {
	type use struct {
		all  bool
		cols map[string]bool
		n    int
	}
	uses := map[string]*use{}
	var frames []int
	for i, c := range colls {
		fr, ok := c.(*Frame)
		if !ok || fr.err != nil {
			continue
		}
		frames = append(frames, i)
		walkSources(optimize(fr.n), func(n *node) {
			id, ok := textSourceID(n.src)
			if !ok {
				return
			}
			u := uses[id]
			if u == nil {
				u = &use{cols: map[string]bool{}}
				uses[id] = u
			}
			u.n++
			if n.cols == nil {
				u.all = true
			}
			for _, c := range n.cols {
				u.cols[c] = true
			}
			if n.pred != nil {
				n.pred.cols(u.cols)
			}
		})
	}
	share := map[string][]string{}
	for id, u := range uses {
		if u.n < 2 {
			continue
		}
		share[id] = nil
		if !u.all {
			cols := make([]string, 0, len(u.cols))
			for c := range u.cols {
				cols = append(cols, c)
			}
			sort.Strings(cols)
			share[id] = cols
		}
	}
	if len(share) == 0 {
		return colls
	}
	out := append([]sched.Collection(nil), colls...)
	for _, i := range frames {
		fr := colls[i].(*Frame)
		out[i] = newFrame(withSharedSources(fr.n, share, map[*node]*node{}))
	}
	return out
}

// walkSources calls fn on every source node of a plan.
func walkSources(n *node, fn func(*node)) {
	if n == nil {
		return
	}
	if n.op == "source" {
		fn(n)
	}
	walkSources(n.in, fn)
	walkSources(n.right, fn)
	for _, in := range n.ins {
		walkSources(in, fn)
	}
}

// withSharedSources copies the plan n with its shared text sources wrapped.
func withSharedSources(n *node, share map[string][]string, done map[*node]*node) *node {
	if n == nil {
		return nil
	}
	if m, ok := done[n]; ok {
		return m
	}
	m := *n
	if n.op == "source" {
		if id, ok := textSourceID(n.src); ok {
			if cols, ok := share[id]; ok {
				m.src = &sharedSource{inner: n.src, union: cols}
			}
		}
	}
	m.in = withSharedSources(n.in, share, done)
	m.right = withSharedSources(n.right, share, done)
	if n.ins != nil {
		m.ins = make([]*node, len(n.ins))
		for i, in := range n.ins {
			m.ins[i] = withSharedSources(in, share, done)
		}
	}
	done[n] = &m
	return &m
}

// textSourceID names a CSV or JSON source by what it reads (pattern and
// options), so two ReadCSV calls of the same files share too.
func textSourceID(s source) (string, bool) {
	switch x := s.(type) {
	case *csvSource:
		b, _ := json.Marshal(x.o)
		return "csv\x00" + x.pattern + "\x00" + string(b), true
	case *jsonSource:
		b, _ := json.Marshal(x.s)
		if x.skipBad {
			b = append(b, '!')
		}
		return "json\x00" + x.pattern + "\x00" + string(b), true
	}
	return "", false
}

// sharedSource reads each range of inner once, decoding the union columns
// (nil: all) in a task of its own; a frame's partition projects its columns
// from it.
type sharedSource struct {
	inner source
	union []string
}

func (s *sharedSource) describe() string {
	return s.inner.describe() + " (each range read once for the frames computed together)"
}
func (s *sharedSource) schema() *arrow.Schema { return s.inner.schema() }
func (s *sharedSource) nparts() int           { return s.inner.nparts() }
func (s *sharedSource) prune(p *enode) source {
	return &sharedSource{inner: s.inner.prune(p), union: s.union}
}

func (s *sharedSource) part(i int, cols []string, pred *enode) ([]*graph.Task, []graph.Key, []step, error) {
	tasks, deps, steps, err := s.inner.part(i, cols, pred)
	if err != nil || len(tasks) > 0 || len(steps) != 1 || steps[0].kind != "read" {
		return tasks, deps, steps, err
	}
	read := steps[0]
	want := read.names // the columns this frame reads (with its filter's)
	// The shared read decodes the union in the schema's order, so every
	// frame builds the same task.
	var union []string
	in := map[string]bool{}
	for _, c := range s.union {
		in[c] = true
	}
	for _, fl := range s.inner.schema().Fields() {
		if s.union == nil || in[fl.Name] {
			union = append(union, fl.Name)
		}
	}
	read.names = union
	t, err := graph.NewTask(&pipeOp{steps: []step{read}, label: "read-" + read.src})
	if err != nil {
		return nil, nil, nil, err
	}
	proj := step{kind: "project", names: want}
	for _, c := range want {
		proj.exprs = append(proj.exprs, &enode{op: "col", name: c})
	}
	return []*graph.Task{t}, []graph.Key{t.Key}, []step{proj}, nil
}
