package array

import (
	"context"
	"fmt"
	"slices"

	"github.com/godask/godask/graph"
)

func init() { registerKernel("rank-values", rankValuesKernel) }

// RankValues returns the elements of the given ranks of the flattened
// array in sorted order (rank 0 is the smallest; NaN sorts last, as in
// NumPy), as a 1-D float64 array of len(ranks), in the order asked. It is
// exact: the radix selection across blocks of Percentile, which keeps only
// histograms between passes. Ranks outside [0, Size()) are an error. It is
// what a caller needs for statistics Percentile does not give directly,
// such as the median of the non-NaN elements (ranks (m-1)/2 and m/2 of m
// counted first).
func (a *Array) RankValues(ranks []int64) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("RankValues", a); err != nil {
		return &Array{err: err}
	}
	n := a.Size()
	if len(ranks) == 0 {
		return errArray("RankValues: no ranks given")
	}
	for i, r := range ranks {
		if r < 0 || r >= int64(n) {
			return errArray("RankValues: rank[%d] = %d is outside [0, %d) of an array of shape %s", i, r, n, shapeString(a.shape))
		}
	}
	sorted := slices.Clone(ranks)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	holder := &Array{parents: []*Array{a}}
	st := selectRanks(a, holder, sorted)
	p := []byte{byte(a.dtype)}
	p = appendUvarint(p, uint64(len(ranks)))
	for _, r := range ranks {
		p = appendVarint(p, r)
	}
	t := newTask("rank-values", p, st)
	return &Array{shape: []int{len(ranks)}, chunks: [][]int{{len(ranks)}}, dtype: Float64, keys: []graph.Key{t.Key}, tasks: []*graph.Task{t}, parents: []*Array{holder}}
}

func rankValuesKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	if len(p) < 1 || len(in) != 1 {
		return nil, fmt.Errorf("rank-values: bad parameters")
	}
	dt := DType(p[0])
	r := graph.NewReader(p[1:])
	nr := r.Uvarint()
	if nr > 1<<24 {
		return nil, fmt.Errorf("rank-values: %d ranks", nr)
	}
	ranks := make([]int64, 0, nr)
	for range nr {
		ranks = append(ranks, r.Varint())
	}
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("rank-values: %w", err)
	}
	st, err := stateOf(in[0])
	if err != nil {
		return nil, err
	}
	sorted := slices.Clone(ranks)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	if len(sorted) != len(st.prefix) {
		return nil, fmt.Errorf("rank-values: %d selected ranks, want %d", len(st.prefix), len(sorted))
	}
	out := NewDense(Float64, len(ranks))
	for i, rk := range ranks {
		j, _ := slices.BinarySearch(sorted, rk)
		out.Data[i] = valueOfKey(dt, st.prefix[j])
	}
	return out, nil
}
