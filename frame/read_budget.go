package frame

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"

	"github.com/godask/godask/sched"
)

// readFactor is the working memory of a read task per byte of text it reads:
// the text itself, the parsed columns, and what the steps fused into the
// read (a partial aggregation's hash table, a filter's copy) build from
// them. 12 keeps the groupby q10 on 10^7 rows (the widest question, every
// group distinct) at 1.24 times a 256 MiB -mem-limit, where 8 gave 1.31.
const readFactor = 12

// defaultBlockSize is the range size ReadCSV and ReadJSON cut files into when
// the options leave it 0: 64 MB, or less when the memory the program allows
// (the Go soft memory limit when one is set, by GOMEMLIMIT or
// debug.SetMemoryLimit, else sched.DefaultMemoryLimit()) shared by
// GOMAXPROCS running tasks does not hold readFactor times a range; never
// less than 1 MiB.
func defaultBlockSize() int64 {
	return blockSizeFor(memoryAllowed(), runtime.GOMAXPROCS(0))
}

func memoryAllowed() int64 {
	if l := debug.SetMemoryLimit(-1); l > 0 && l < math.MaxInt64 {
		return l
	}
	return sched.DefaultMemoryLimit()
}

// blockSizeFor is the range size for a memory limit shared by workers.
func blockSizeFor(limit int64, workers int) int64 {
	const least = 1 << 20
	b := limit / int64(max(workers, 1)) / readFactor
	b = b &^ (least - 1) // whole MiB
	return max(least, min(maxBlockSize, b))
}

// maxBlockSize is the largest range blockSizeFor gives: the default
// BlockSize of a run whose limit is not tight.
const maxBlockSize = 64 << 20

// warnRange sends a Warning when a read task's range needs more working
// memory than its share of the run's memory limit: the limit cannot hold,
// and a smaller BlockSize (or a larger limit) is the fix.
func warnRange(ctx context.Context, path string, start, end int64) {
	budget, ok := sched.TaskMemory(ctx)
	if !ok {
		return
	}
	if need := (end - start) * readFactor; need > budget {
		sched.Warn(ctx, fmt.Sprintf("reading %s bytes [%d, %d) needs about %d MiB of working memory, more than this task's share of the memory limit (%d MiB); pass a BlockSize of at most %d MiB to hold the limit",
			path, start, end, need>>20, budget>>20, max(1, budget/readFactor>>20)), nil)
	}
}
