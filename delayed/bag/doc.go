// Package bag holds typed parallel collections of Go values, the Go form of
// dask.bag: the messy start of a pipeline (log lines, JSON records, files)
// before the data is a table.
//
// A Bag[T] is lazy, immutable and split into partitions, one task per
// partition. Element-wise steps (Map, Filter, FlatMap, ...) do not make tasks
// of their own: they are fused into the task that reads the partition, as a
// push pipeline of typed Go functions, so a ReadText → FlatMap → Frequencies
// chain reads each block once and never materialises its words, and no
// element is boxed in an interface. Steps that need whole partitions (Compute,
// reductions, FoldBy and GroupBy shuffles, Zip, Repartition, writers) end the
// pipeline in one task per partition, then tree reductions or a hash shuffle
// (the graph.Parted contract frames use, spilled part by part under memory
// pressure) join the partitions.
//
//	lines := bag.ReadText("logs/*.txt", bag.TextOptions{})
//	words := bag.FlatMap(lines, strings.Fields)
//	top, err := bag.TopK(bag.Frequencies(words), 10, bag.ByCount[string]).Compute(ctx)
//
// Where it sits: bag builds graph.Graph tasks like the other collections and
// runs them on any sched.Executor. A Bag, and the Item a reduction returns,
// carry a sticky error (Err) returned by Compute. Functions passed to a bag are
// Go closures: registered ones (delayed.Register) ship to remote executors;
// unregistered ones run on the local executor, and a remote executor refuses
// them with an error naming the function, as delayed calls do. Partitions and
// partial results have codecs (raw for strings and numbers, gob otherwise) so
// that they spill and ship.
package bag
