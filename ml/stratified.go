package ml

import (
	"fmt"
	"math/rand/v2"
	"sort"
)

// StratifiedKFold is scikit-learn's StratifiedKFold: NSplits (default 5)
// folds that each hold about the same share of every class. Classes are
// numbered in order of first appearance, the per-fold counts of each class
// come from a round robin over the sorted labels, and each class's rows get
// their folds in row order (so, without Shuffle, the folds are those of
// scikit-learn exactly); with Shuffle each class's fold list is shuffled
// from Seed. It needs the labels: GridSearchCV and RandomizedSearchCV
// compute y once (n float64 values on the driver) to build the folds.
type StratifiedKFold struct {
	NSplits int
	Shuffle bool
	Seed    uint64
}

// labelSplitter is a Splitter whose folds depend on the labels.
type labelSplitter interface {
	Splitter
	foldsY(y []float64) ([]foldSpec, error)
}

func (s StratifiedKFold) folds(n int) ([]foldSpec, error) {
	return nil, fmt.Errorf("StratifiedKFold needs the labels y")
}

// TestFolds returns the test fold of every row for labels y.
func (s StratifiedKFold) TestFolds(y []float64) ([]int32, error) {
	k := s.NSplits
	if k == 0 {
		k = 5
	}
	if k < 2 {
		return nil, fmt.Errorf("StratifiedKFold: NSplits = %d: want >= 2", k)
	}
	enc := map[float64]int{}
	code := make([]int, len(y))
	var counts []int
	for i, v := range y {
		if v != v {
			return nil, fmt.Errorf("StratifiedKFold: y holds NaN at row %d", i)
		}
		c, ok := enc[v]
		if !ok {
			c = len(enc)
			enc[v] = c
			counts = append(counts, 0)
		}
		code[i] = c
		counts[c]++
	}
	all := true
	for _, c := range counts {
		if c >= k {
			all = false
		}
	}
	if all {
		return nil, fmt.Errorf("StratifiedKFold: NSplits = %d is greater than the number of members of every class (%v)", k, counts)
	}
	// allocation[f][c]: the rows of class c in y_order[f::k], y_order the
	// sorted class codes
	order := append([]int(nil), code...)
	sort.Ints(order)
	alloc := make([][]int, k)
	for f := range alloc {
		alloc[f] = make([]int, len(counts))
		for i := f; i < len(order); i += k {
			alloc[f][order[i]]++
		}
	}
	rng := rand.New(rand.NewPCG(s.Seed, 0x57a7))
	lists := make([][]int32, len(counts))
	for c := range counts {
		for f := range k {
			for range alloc[f][c] {
				lists[c] = append(lists[c], int32(f))
			}
		}
		if s.Shuffle {
			l := lists[c]
			rng.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
		}
	}
	out := make([]int32, len(y))
	next := make([]int, len(counts))
	for i, c := range code {
		out[i] = lists[c][next[c]]
		next[c]++
	}
	return out, nil
}

func (s StratifiedKFold) foldsY(y []float64) ([]foldSpec, error) {
	tf, err := s.TestFolds(y)
	if err != nil {
		return nil, err
	}
	k := s.NSplits
	if k == 0 {
		k = 5
	}
	out := make([]foldSpec, k)
	for f := range out {
		out[f] = foldSpec{Fold: tf, Rem: f}
	}
	return out, nil
}
