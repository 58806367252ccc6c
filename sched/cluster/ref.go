package cluster

import "github.com/godask/godask/graph"

// Ref is a value kept on the workers of a cluster: what a collection
// persisted with Persist holds instead of the value. A graph holding a Ref
// (in a graph.Const) runs on its Executor without moving the value through
// the client; Release frees it on the workers.
type Ref struct {
	e       *Executor
	run     uint64
	key     graph.Key
	holders []uint64
	size    int64
}

// refOf returns the Ref a Const task of e's holds.
func refOf(t *graph.Task, e *Executor) (*Ref, bool) {
	c, ok := t.Op.(graph.Const)
	if !ok {
		return nil, false
	}
	r, ok := c.V.(*Ref)
	if !ok || r.e != e {
		return nil, false
	}
	return r, true
}
