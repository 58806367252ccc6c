// Package delayed builds task graphs out of ordinary Go function calls, the
// Go form of dask.delayed, and runs them at once with futures.
//
// A call is lazy and typed: Call(avg, Lit(l1)) type-checks avg against its
// input at compile time and returns a *Value[float64] that computes nothing
// until Compute. Values feed further calls, so
//
//	a := delayed.Call(avg, delayed.Lit(l1))
//	b := delayed.Call(avg, delayed.Lit(l2))
//	r := delayed.Call2(add, a, b)
//	total, err := r.Compute(ctx)
//
// runs both averages in parallel, then the sum. Values lower to a graph.Graph
// (one task per call, literals stored in the task, keys derived from the
// function and its inputs) and run on any sched.Executor. A function crosses
// to another process only once registered with Register; unregistered ones run
// on the local executor, and a remote executor refuses them by name.
//
// Cost: a call of one or two inputs (Call, Call2, CallE, Call2E) is one
// allocation, its value, node, task and op together, with the function and
// literals kept with their Go types (see cell.go); Graph adds each task with
// the positions of its inputs (graph.AddResolved), so the scheduler's passes
// resolve no keys.
//
// The futures side (Client, Submit, Map, Gather, AsCompleted) starts work as
// soon as it is submitted, like Dask's client.submit.
package delayed
