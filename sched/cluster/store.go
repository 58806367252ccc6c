package cluster

import "github.com/godask/godask/graph"

// A worker keeps its values in a sched.Store keyed by vkey: the local
// executor's memory policy and spill files (see sched.Store).

// vkey names a value on a worker: the run that made it, its key, and the
// part (-1 for a whole value; >= 0 for one part of a Parted value fetched
// from a peer).
type vkey struct {
	run  uint64
	key  graph.Key
	part int
}
