package frame

// Groupby shuffles sized from the run's memory limit.
//
// A groupby with keys hash-splits every partition's partial result into
// split_out pieces and merges piece j of all of them into output j. Left at
// its default, split_out is half the input partitions (autoSplit), which
// bounds an output's memory even when every row is its own group. Under a
// memory limit the read partitions are small (read_budget.go: at 256 MiB,
// 10^8 rows are 1240 ranges of 4 MiB), so split_out became hundreds and the
// graph (a split of each partition into 620 pieces, a merge tree for each
// piece: 113,000 tasks) took a third of the limit before any data, far more
// than a merge task needs. sizeAggs gives such a groupby the split_out its
// merges need instead: the estimated bytes of its input (the partial
// states are at most that, when every row is a group) times aggWorkFactor,
// over a task's share of the limit (limit / workers), never more than
// autoSplit and at least 2. A groupby of unknown input size keeps its
// default, and so does every groupby of a run whose limit leaves the read
// ranges at their default size (the default limit of most machines): there
// autoSplit is not inflated, and its outputs balance the final merges.

import "math"

// aggWorkFactor is a merge task's working memory per byte of partial
// states it merges, when the states are as many as the input rows: the
// pieces gathered into one record, the hash table over them, and the merged
// output. 6 gives about the default split_out for a groupby reading every
// column of a CSV file (2 input partitions an output at readFactor 12), so
// the widest case keeps its memory, and fewer pieces for narrower inputs.
const aggWorkFactor = 6

// sizeAggs returns plan n with its groupbys of default split_out sized for
// taskMem bytes of working memory per task, or n itself when nothing
// changes (the plan n is never modified).
func sizeAggs(n *node, taskMem int64) *node {
	if taskMem <= 0 {
		return n
	}
	return mapPlan(n, func(c *node) *node {
		if c.op != "agg" || c.split > 0 || len(c.keys) == 0 {
			return nil
		}
		p, ok := aggSplitFor(c, taskMem)
		if !ok {
			return nil
		}
		cp := *c
		cp.split = p
		return &cp
	})
}

// Small groupbys merge in a tree.
//
// autoSplit's default is for the groupby whose every row may be a group.
// When the planner's estimate of a groupby's input is small (TPC-H q21 at
// scale 10: a few hundred thousand rows from a chain of semi and anti
// joins, over 489 partitions), hash-splitting every partial result into
// half as many pieces as partitions (489 × 244 pieces, then a sort of 244
// partitions) costs more than the data: its partial states fit one merge
// whatever the number of groups. Such a groupby (default split_out, keys,
// an estimate whose merge working memory, aggWorkFactor times the input's
// bytes, is at most smallAggBytes, and at most a task's share of the memory
// limit when the run has planned one) merges in a tree into one partition.

// smallAggBytes bounds the merge working memory of a groupby merged in one
// tree.
const smallAggBytes = 64 << 20

// treeSmallAggs returns plan n with the groupbys described above given
// split_out 1, or n itself when nothing changes; taskMem is a task's share
// of the memory limit (0: none planned).
func treeSmallAggs(n *node, taskMem int64) *node {
	bound := float64(smallAggBytes)
	if taskMem > 0 {
		bound = min(bound, float64(taskMem))
	}
	return mapPlan(n, func(c *node) *node {
		if c.op != "agg" || c.split > 0 || len(c.keys) == 0 || autoSplit(partsOf(c.in)) <= 1 {
			return nil
		}
		b, ok := estBytes(c.in)
		if !ok || b*aggWorkFactor > bound {
			return nil
		}
		cp := *c
		cp.split = 1
		return &cp
	})
}

// aggSplitFor is the split_out of groupby n for taskMem bytes a task, and
// whether it is below the default.
func aggSplitFor(n *node, taskMem int64) (int, bool) {
	auto := autoSplit(partsOf(n.in))
	b, ok := estBytes(n.in)
	if !ok || auto <= 1 {
		return 0, false
	}
	p := int(math.Ceil(b * aggWorkFactor / float64(taskMem)))
	if p >= auto {
		return 0, false
	}
	return max(2, p), true
}

// Sorts sized from the run's memory limit.
//
// A sort range-splits every input partition into one piece per output
// partition, and output j gathers piece j of every split: the graph has
// inputs times outputs edges, each costing the scheduler and the fused
// task some 60 bytes it does not account. With one output per input (the
// default) and the small read ranges of a tight limit, 10^8 rows under 256
// MiB are 1240 ranges and 1.5 million edges: 90 MiB of graph and run state
// (a heap profile early in the run), a third of the limit before any data.
// sizeSorts gives such a sort the outputs its tasks need instead: the
// estimated bytes of its input times sortWorkFactor over a task's share of
// the limit, never more than the inputs and at least 2. Like sizeAggs it
// applies only when the limit shrinks the read ranges.

// sortWorkFactor is an output task's working memory per byte of text its
// piece came from: the Arrow columns are up to twice the text of a CSV
// row (string offsets, 8-byte numbers), and the task holds the pieces it
// reads, their gathered copy and the sorted output.
const sortWorkFactor = 6

// sizeSorts returns plan n with its sorts of default output count sized
// for taskMem bytes of working memory per task, or n itself when nothing
// changes (the plan n is never modified).
func sizeSorts(n *node, taskMem int64) *node {
	if taskMem <= 0 {
		return n
	}
	return mapPlan(n, func(c *node) *node {
		if c.op != "sort" || c.sort == nil || c.sort.bounds != nil || c.sort.parts > 0 {
			return nil
		}
		in := partsOf(c.in)
		b, ok := estBytes(c.in)
		if !ok || in <= 2 {
			return nil
		}
		p := int(math.Ceil(b * sortWorkFactor / float64(taskMem)))
		if p >= in {
			return nil
		}
		sp := *c.sort
		sp.parts = max(2, p)
		cp := *c
		cp.sort = &sp
		return &cp
	})
}
