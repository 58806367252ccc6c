// Package cluster runs task graphs on a cluster of worker processes: the
// remote executor of the design, dask.distributed for Go. It sits under
// sched: an *Executor implements sched.Executor, so
// sched.WithExecutor(c) (or sched.SetDefault(c)) moves any program's
// Compute and Persist calls onto the cluster unchanged.
//
// A worker is the user's own binary: cluster.Main at the top of main turns a
// process started as "prog worker --scheduler ADDR ..." (or with
// GODASK_WORKER set) into a worker, so every op and codec the program
// registered is there. No code travels: tasks are op names and parameter
// bytes (graph.EncodeTask), values travel by their codecs. At the handshake
// a worker sends a fingerprint of its registered ops and codecs; a worker
// of another binary is refused with the ops that differ.
//
// Transport is Arrow Flight over gRPC: each worker opens one DoExchange
// control stream to the scheduler (batched task assignments one way, batched
// completions and heartbeats the other), and serves its values with DoGet,
// chunked into 2 MiB messages, to its peers (inputs move worker to worker,
// never through the client) and to the client (outputs). Every call carries
// the cluster token, compared in constant time; mutual TLS from a cluster CA
// (NewCA) is one option away; workers listen on loopback unless told
// otherwise.
//
// The scheduler (in the client process) queues root tasks and hands them out
// a few per worker thread, places every other task on the worker that
// minimises its queued work plus the bytes it would fetch over the measured
// bandwidth, frees values as soon as their last reader ran, and repairs
// failures: a worker whose connection drops is removed at once, a silent one
// after a timeout; the values only it held are recomputed from their lineage
// (only those that are still needed) and the run goes on; a task that was
// running on three workers that died fails the run with a
// KilledWorkerError.
//
// Local(n) starts n worker processes of the running binary on this machine;
// SSH(hosts, cfg) copies the binary to other machines over SSH and starts
// workers there (they exit when the client closes or disappears);
// Connect(addr) waits for hand-started workers. See README.md.
package cluster
