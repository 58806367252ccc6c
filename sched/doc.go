// Package sched runs task graphs: it sits between the collections (array,
// frame, delayed), which lower themselves to a graph.Graph, and the executors
// that compute it.
//
// The front end is written once here: Compute and Persist take one or more
// collections, merge their graphs so shared work runs once, cull, fuse linear
// chains, order the tasks for low memory, and hand the result to an Executor.
// Options (WithWorkers, WithProgress, WithObserver, WithExecutor) apply to one
// call. An Executor implements only what differs between back ends: run this
// job, hand back these keys. Local, the default, is a goroutine pool with a
// priority deque per worker and work stealing; Loopback runs every task and
// value through its byte encoding, as a remote worker pool would.
package sched
