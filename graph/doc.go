// Package graph is the bottom of godask's data flow: the task graph that every
// collection (array, frame, delayed) lowers to and every executor in sched runs.
//
// A Task is data, not a closure: a deterministic Key, an Op (a registered name
// plus parameters that encode to bytes) and the keys of the tasks it reads.
// Because ops are registered by name, any task can be encoded to bytes and
// rebuilt in another process running the same binary; that is what lets a
// remote executor exist.
//
// The package also holds the graph passes that run between a collection and an
// executor: Cull (keep what the outputs need), Fuse (linear chains become one
// task), and Order (a memory-friendly priority for every task), plus DOT output.
//
// Shuffles read values by part: a value made of shards implements Parted and
// an op that reads one shard of each input implements PartReader, so the
// executor hands it only that shard, from memory or from disk (see parts.go).
// Nothing here runs a task; see package sched for that.
package graph
