package frame

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
)

// NLargest keeps, in every group, the n rows with the largest values of col
// (all columns of those rows), like pandas'
// df.sort_values(col, ascending=False).groupby(keys).head(n), Dask's
// groupby(keys).apply(lambda d: d.nlargest(n, col)), or SQL's
// row_number() over (partition by keys order by col desc) <= n (db-benchmark
// groupby q8). Rows where col is null are never kept; among equal values the
// earlier row (in partition order) wins. Within a group the rows come largest
// first; groups come in order of first appearance per output partition.
//
// Each partition keeps at most n rows per group, then the partial results are
// merged by a tree for few partitions or, like Agg, hash-partitioned by key
// into several output partitions (split_out, see SplitOut) so that many groups
// are never funnelled into one task.
func (g *GroupBy) NLargest(n int, col string) *Frame { return g.top(n, col, true) }

// NSmallest keeps, in every group, the n rows with the smallest values of col,
// smallest first; otherwise as NLargest.
func (g *GroupBy) NSmallest(n int, col string) *Frame { return g.top(n, col, false) }

func (g *GroupBy) top(n int, c string, desc bool) *Frame {
	f := g.f
	if f.err != nil {
		return f
	}
	what := "NLargest"
	if !desc {
		what = "NSmallest"
	}
	fail := func(err error) *Frame {
		return errFrame(fmt.Errorf("frame: GroupBy(%s).%s(%d, %q): %w", strings.Join(g.keys, ", "), what, n, c, err))
	}
	if n < 0 {
		return fail(fmt.Errorf("negative n"))
	}
	if _, err := fieldIndices(f.n.schema, g.keys); err != nil {
		return fail(err)
	}
	for _, k := range g.keys {
		if t := f.n.schema.Field(f.n.schema.FieldIndices(k)[0]).Type; kindOf(t) == kInvalid {
			return fail(keyTypeError(k, t))
		}
	}
	idx, err := fieldIndices(f.n.schema, []string{c})
	if err != nil {
		return fail(err)
	}
	switch kindOf(f.n.schema.Field(idx[0]).Type) {
	case kInt, kFloat, kStr, kTime, kDate, kDur, kBool:
	default:
		return fail(fmt.Errorf("column %q of type %s cannot be ordered", c, f.n.schema.Field(idx[0]).Type))
	}
	return f.derive(&node{op: "gtopn", keys: g.keys, names: []string{c}, n: int64(n), desc: desc, split: g.split, schema: f.n.schema})
}

// lowerGroupTop lowers a gtopn node: a partial top-n per group in every
// partition's pipe, then merges (tree, or hash-split by key into split_out
// pieces, each merged by its own tree).
func (b *builder) lowerGroupTop(n *node, ps []pend) ([]pend, error) {
	s := step{kind: "gtopn", keys: n.keys, names: n.names, n: n.n, desc: n.desc}
	ps = appendStep(ps, s)
	for i := range ps {
		ps[i].label = "partial-topn"
	}
	parts, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	p := n.split
	if p <= 0 {
		p = autoSplit(len(parts))
	}
	if len(n.keys) == 0 {
		p = 1
	}
	merge := func(deps []graph.Key, piece int) (graph.Key, error) {
		for {
			if len(deps) == 1 && piece < 0 {
				return deps[0], nil
			}
			var next []graph.Key
			for i := 0; i < len(deps); i += fanIn {
				j := min(i+fanIn, len(deps))
				k, err := b.add(&groupTopOp{s: s, piece: piece}, deps[i:j]...)
				if err != nil {
					return "", err
				}
				next = append(next, k)
			}
			deps, piece = next, -1
		}
	}
	return b.partitioned(parts, n.keys, p, merge)
}

// groupTopOp merges partial per-group top-n results: it concatenates its
// inputs in order (piece >= 0 picks that piece of hash-split inputs) and
// keeps the top n rows of each group again.
type groupTopOp struct {
	s     step
	piece int
}

func (o *groupTopOp) Name() string  { return "frame.gtopn" }
func (o *groupTopOp) Label() string { return "merge-topn" }
func (o *groupTopOp) Params() ([]byte, error) {
	return appendVarint(o.s.append(nil), int64(o.piece)), nil
}

// InputParts implements graph.PartReader.
func (o *groupTopOp) InputParts(n int) []int { return graph.AllParts(n, o.piece) }

func (o *groupTopOp) Run(_ context.Context, in []any) (any, error) {
	recs := inputRecords(in, o.piece)
	if len(recs) == 0 {
		return nil, fmt.Errorf("merge-topn: no inputs")
	}
	r, err := concatRecords(recs[0].Schema(), recs)
	if err != nil {
		return nil, err
	}
	if r, err = groupTop(r, o.s.keys, o.s.names[0], int(o.s.n), o.s.desc); err != nil {
		return nil, err
	}
	return &Part{R: r}, nil
}

func init() {
	graph.Register("frame.gtopn", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		o := &groupTopOp{s: readStep(r)}
		o.piece = int(r.Varint())
		return o, r.Err()
	})
}

// groupTop keeps the n rows of each group (by keys) with the largest (desc)
// or smallest non-null values of by; groups in order of first appearance,
// each best first, ties to the earlier row.
func groupTop(r arrow.Record, keys []string, by string, n int, desc bool) (arrow.Record, error) {
	keyIdx, err := fieldIndices(r.Schema(), keys)
	if err != nil {
		return nil, err
	}
	bi, err := fieldIndices(r.Schema(), []string{by})
	if err != nil {
		return nil, err
	}
	rows := int(r.NumRows())
	if n == 0 || rows == 0 {
		return settled(r.NewSlice(0, 0)), nil
	}
	c := colOf(r.Column(bi[0]))
	gids, first := groupRows(r, keyIdx)
	ng := len(first)
	// better(i, j): row i ranks strictly before row j.
	var better func(i, j int32) bool
	switch c.k {
	case kFloat:
		better = orderBy(c.f64, desc)
	case kInt, kTime, kDate, kDur:
		better = orderBy(c.i64, desc)
	case kBool:
		better = func(i, j int32) bool {
			a, b := c.boolAt(int(i)), c.boolAt(int(j))
			if desc {
				return a && !b
			}
			return !a && b
		}
	case kStr:
		better = func(i, j int32) bool {
			cmp := bytes.Compare(c.str(int(i)), c.str(int(j)))
			if desc {
				return cmp > 0
			}
			return cmp < 0
		}
	default:
		return nil, fmt.Errorf("column %q of type %s cannot be ordered", by, r.Column(bi[0]).DataType())
	}
	var idx []int32
	switch {
	case int64(ng)*int64(n) > int64(2*rows+1024):
		idx = topSorted(&c, gids, ng, n, better)
	case c.k == kFloat:
		idx = topSlotsOrd(c.f64, &c, gids, ng, n, desc)
	case c.k.intLike():
		idx = topSlotsOrd(c.i64, &c, gids, ng, n, desc)
	default:
		idx = topSlots(&c, gids, ng, n, better)
	}
	for i, j := range idx {
		if int(j) != i {
			return takeRecord(r, idx), nil
		}
	}
	if len(idx) == rows {
		return r, nil
	}
	return settled(r.NewSlice(0, int64(len(idx)))), nil
}

func orderBy[T int64 | float64](v []T, desc bool) func(i, j int32) bool {
	if desc {
		return func(i, j int32) bool { return v[i] > v[j] }
	}
	return func(i, j int32) bool { return v[i] < v[j] }
}

// topSlotsOrd is topSlots for numbers: each group's n slots hold the value
// beside the row (row -1: empty), so a row touches one cache line of slots.
func topSlotsOrd[T int64 | float64](v []T, c *col, gids []int32, ng, n int, desc bool) []int32 {
	type slot struct {
		v T
		r int32
	}
	slots := make([]slot, ng*n)
	for i := range slots {
		slots[i].r = -1
	}
	total := 0
	isFloat := c.k == kFloat
	nulls := c.valid != nil
	for i, g := range gids {
		x := v[i]
		if (nulls && c.null(i)) || (isFloat && x != x) {
			continue
		}
		s := slots[int(g)*n : int(g)*n+n]
		var k int
		if s[n-1].r >= 0 {
			if desc && !(x > s[n-1].v) || !desc && !(x < s[n-1].v) {
				continue
			}
			k = n - 1
		} else {
			for s[k].r >= 0 {
				k++
			}
			total++
		}
		if desc {
			for k > 0 && x > s[k-1].v {
				s[k] = s[k-1]
				k--
			}
		} else {
			for k > 0 && x < s[k-1].v {
				s[k] = s[k-1]
				k--
			}
		}
		s[k] = slot{x, int32(i)}
	}
	idx := make([]int32, 0, total)
	for _, s := range slots {
		if s.r >= 0 {
			idx = append(idx, s.r)
		}
	}
	return idx
}

// topSlots keeps a sorted slot array of at most n rows per group, filled by
// insertion: one pass, n*ng int32s (for small n).
func topSlots(c *col, gids []int32, ng, n int, better func(i, j int32) bool) []int32 {
	slots := make([]int32, ng*n)
	cnt := make([]int32, ng)
	total := 0
	for i, g := range gids {
		if missing(c, i) {
			continue
		}
		s := slots[int(g)*n : int(g)*n+n]
		k := int(cnt[g])
		if k == n {
			if !better(int32(i), s[n-1]) {
				continue
			}
			k = n - 1
		} else {
			cnt[g]++
			total++
		}
		// Insert row i at its place in s[:k+1], after any equal row.
		for k > 0 && better(int32(i), s[k-1]) {
			s[k] = s[k-1]
			k--
		}
		s[k] = int32(i)
	}
	idx := make([]int32, 0, total)
	for g := 0; g < ng; g++ {
		idx = append(idx, slots[g*n:g*n+int(cnt[g])]...)
	}
	return idx
}

// topSorted sorts each group's rows (stable) and keeps the first n: for
// large n where slot arrays would not pay.
func topSorted(c *col, gids []int32, ng, n int, better func(i, j int32) bool) []int32 {
	order, starts := sortByGroup(gids, ng)
	var idx []int32
	for g := 0; g < ng; g++ {
		rs := order[starts[g]:starts[g+1]]
		keep := rs[:0:0]
		for _, i := range rs {
			if !missing(c, int(i)) {
				keep = append(keep, i)
			}
		}
		sort.SliceStable(keep, func(a, b int) bool { return better(keep[a], keep[b]) })
		if len(keep) > n {
			keep = keep[:n]
		}
		idx = append(idx, keep...)
	}
	return idx
}

// missing reports a value that ranks nowhere: null, or NaN (as pandas).
func missing(c *col, i int) bool {
	return c.null(i) || (c.k == kFloat && c.f64[i] != c.f64[i])
}

// groupTopParts is the number of output partitions of a gtopn node.
func groupTopParts(n *node) int {
	switch {
	case len(n.keys) == 0:
		return 1
	case n.split > 0:
		return n.split
	}
	return autoSplit(partsOf(n.in))
}

func explainGroupTop(b *strings.Builder, ind string, n *node) {
	w := "nlargest"
	if !n.desc {
		w = "nsmallest"
	}
	how := "tree-merge"
	if p := groupTopParts(n); p > 1 {
		how = fmt.Sprintf("hash-partitioned split_out=%d", p)
	}
	fmt.Fprintf(b, "%sgroupby [%s] %s %d by %s (at most %d rows per group per partition, %s)\n",
		ind, strings.Join(n.keys, ", "), w, n.n, n.names[0], n.n, how)
}
