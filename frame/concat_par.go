package frame

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/bitutil"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// Large results (a rolling window, a cumulative sum, an asof merge over
// 10⁷ rows) end in one copy of every partition into the table's columns.
// Arrow's Concatenate copies a column's pieces one after another on one
// core, and the first touch of a fresh output buffer costs a page fault a
// page: concatFixed copies the pieces of an 8-byte column on every core,
// each into its own range of one output buffer.

// parConcatMin is the rows from which a column is copied in parallel.
const parConcatMin = 1 << 20

// concatFixed concatenates pieces of one 8-byte fixed-width type (int64,
// float64, timestamp, duration) with n rows in total; ok is false for other
// types or small columns, which Arrow's Concatenate takes.
func concatFixed(parts []arrow.Array, n int) (arrow.Array, bool) {
	if n < parConcatMin || len(parts) < 2 {
		return nil, false
	}
	t := parts[0].DataType()
	switch t.ID() {
	case arrow.INT64, arrow.FLOAT64, arrow.TIMESTAMP, arrow.DURATION:
	default:
		return nil, false
	}
	nulls := 0
	for _, p := range parts {
		if !arrow.TypeEqual(p.DataType(), t) {
			return nil, false
		}
		nulls += p.NullN()
	}
	out := make([]byte, 8*n)
	starts := make([]int, len(parts)+1)
	for i, p := range parts {
		starts[i+1] = starts[i] + p.Len()
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(parts))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(parts); i = int(next.Add(1) - 1) {
				d := parts[i].Data()
				if len(d.Buffers()) < 2 || d.Buffers()[1] == nil {
					continue // an empty piece from a codec
				}
				src := d.Buffers()[1].Bytes()[8*d.Offset():]
				copy(out[8*starts[i]:8*starts[i+1]], src[:8*parts[i].Len()])
			}
		}()
	}
	var vb *memory.Buffer
	if nulls > 0 {
		// Bits of neighbouring pieces share bytes: one pass, after the values.
		bm := make([]byte, bitutil.BytesForBits(int64(n)))
		for i, p := range parts {
			d := p.Data()
			if p.NullN() == 0 {
				bitutil.SetBitsTo(bm, int64(starts[i]), int64(p.Len()), true)
				continue
			}
			bitutil.CopyBitmap(d.Buffers()[0].Bytes(), d.Offset(), p.Len(), bm, starts[i])
		}
		vb = memory.NewBufferBytes(bm)
	}
	wg.Wait()
	d := array.NewData(t, n, []*memory.Buffer{vb, memory.NewBufferBytes(out)}, nil, nulls, 0)
	return array.MakeFromData(d), true
}
