package array

import (
	"fmt"

	"github.com/godask/godask/graph"
)

// FromTasks makes an array whose blocks are the values of keys (one per
// block, C order over the block grid), computed by tasks: a bridge for
// packages that build blocks from other collections (ml.Matrix turns frame
// partitions into row blocks). Every key's value must be a *Dense of the
// block's shape and dtype dt. tasks must hold the keys' tasks and all they
// depend on; the chunks must be known and match the number of keys.
func FromTasks(dt DType, shape []int, chunks Explicit, tasks []*graph.Task, keys []graph.Key) *Array {
	if len(chunks) != len(shape) {
		return errArray("FromTasks: %d chunk lists for %d dimensions", len(chunks), len(shape))
	}
	nb := 1
	for d, c := range chunks {
		s := 0
		for _, v := range c {
			if v < 0 {
				return errArray("FromTasks: unknown chunk size in dimension %d", d)
			}
			s += v
		}
		if s != shape[d] {
			return errArray("FromTasks: chunks of dimension %d sum to %d, the shape says %d", d, s, shape[d])
		}
		nb *= len(c)
	}
	if nb != len(keys) {
		return errArray("FromTasks: %d keys for %d blocks", len(keys), nb)
	}
	have := make(map[graph.Key]bool, len(tasks))
	for _, t := range tasks {
		have[t.Key] = true
	}
	for i, k := range keys {
		if !have[k] {
			return &Array{err: fmt.Errorf("array: FromTasks: block %d's key %v has no task", i, k)}
		}
	}
	return &Array{shape: append([]int(nil), shape...), chunks: copyChunks(chunks), dtype: dt,
		keys: append([]graph.Key(nil), keys...), tasks: append([]*graph.Task(nil), tasks...)}
}
