package frame

import (
	"container/heap"
	"sort"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// topKPerm returns the rows of the first k rows of the stable sort of the
// key columns cs (n rows) by desc, in that order, without sorting all n:
// a bounded heap of the k best rows so far (O(n log k) comparisons, most of
// them rejected against the heap's worst), then a sort of the k. Ties go to
// the earlier row, as in the stable sort.
func topKPerm(cs []col, desc []bool, n, k int) []int32 {
	if k <= 0 || n == 0 {
		return nil
	}
	if k*4 >= n {
		p := sortPerm(cs, desc, n)
		return p[:min(k, n)]
	}
	less := func(i, j int32) bool { // i before j in the stable order
		if c := cmpRows(cs, int(i), cs, int(j), desc); c != 0 {
			return c < 0
		}
		return i < j
	}
	h := &worstHeap{less: less, rows: make([]int32, 0, k)}
	for i := 0; i < n; i++ {
		r := int32(i)
		if len(h.rows) < k {
			heap.Push(h, r)
			continue
		}
		// Later rows lose ties, so only a strictly better row gets in.
		if less(r, h.rows[0]) {
			h.rows[0] = r
			heap.Fix(h, 0)
		}
	}
	out := h.rows
	sort.Slice(out, func(a, b int) bool { return less(out[a], out[b]) })
	return out
}

// worstHeap keeps its worst row (last in the order) on top.
type worstHeap struct {
	less func(i, j int32) bool
	rows []int32
}

func (h *worstHeap) Len() int           { return len(h.rows) }
func (h *worstHeap) Less(a, b int) bool { return h.less(h.rows[b], h.rows[a]) }
func (h *worstHeap) Swap(a, b int)      { h.rows[a], h.rows[b] = h.rows[b], h.rows[a] }
func (h *worstHeap) Push(x any)         { h.rows = append(h.rows, x.(int32)) }
func (h *worstHeap) Pop() any {
	x := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return x
}

// topKRecord is the first k rows of r sorted stably by the columns by (NA
// last in either direction, as SortBy): only those k rows are gathered.
func topKRecord(r arrow.Record, by []string, desc []bool, k int) (arrow.Record, error) {
	cs, err := sortKeyCols(r, by)
	if err != nil {
		return nil, err
	}
	perm := topKPerm(cs, desc, int(r.NumRows()), k)
	if perm == nil {
		perm = []int32{}
	}
	cols := make([]arrow.Array, r.NumCols())
	for i := range cols {
		cols[i] = takeCol(r.Column(i), perm)
	}
	return array.NewRecord(r.Schema(), cols, int64(len(perm))), nil
}
