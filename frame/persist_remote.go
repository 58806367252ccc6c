package frame

import (
	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
)

// Kept implements the cluster workers' Keeper: a partition persisted on a
// worker (cluster.Executor.Persist) is kept with its string columns
// dictionary-encoded and its small integer columns narrowed once, as
// Frame.Persist does in process, so later groupbys over it on that worker
// work on codes.
func (p *Part) Kept() any {
	if p == nil || p.R == nil {
		return p
	}
	enc := p.enc
	if enc == nil {
		enc = &encCache{}
	}
	enc.warm(p.R)
	return &Part{R: p.R, enc: enc}
}

// refSource is a frame persisted by another executor: each partition is a
// value that executor keeps (a cluster's workers: a *cluster.Ref), in a
// const task only that executor can run. It knows the schema and the hash
// partitioning the partitions came with, not their rows.
type refSource struct {
	keys   []graph.Key
	vals   []any
	sch    *arrow.Schema
	hashed *partitioning
}

func (m *refSource) describe() string      { return "persisted-on-executor" }
func (m *refSource) schema() *arrow.Schema { return m.sch }
func (m *refSource) nparts() int           { return len(m.vals) }
func (m *refSource) prune(*enode) source   { return m }
func (m *refSource) part(i int, cols []string, pred *enode) ([]*graph.Task, []graph.Key, []step, error) {
	t := graph.ConstTask(m.keys[i], m.vals[i])
	return []*graph.Task{t}, []graph.Key{m.keys[i]}, memColumns(m.sch, cols, pred), nil
}

// persistedElsewhere is Persisted for values that are not partitions but
// references to them, kept by the executor that computed them.
func (f *Frame) persistedElsewhere(vals []any) *Frame {
	src := &refSource{keys: append([]graph.Key(nil), f.keys...), vals: append([]any(nil), vals...), sch: f.n.schema, hashed: partitioningOf(f.plan)}
	return newFrame(&node{op: "source", src: src, schema: f.n.schema, idx: f.n.idx})
}
