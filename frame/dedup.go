package frame

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
)

// DropDuplicates keeps one row per distinct combination of the subset
// columns (all columns when none are named), like pandas' drop_duplicates
// with keep="first": the row kept is the first occurrence in the frame's
// order (partition order, then row order), and nulls equal each other.
//
// Each partition is deduplicated, hash-split on the subset and piece j of
// every partition deduplicated again into output partition j, so any number
// of distinct rows is handled in partition-sized tasks. The output has as
// many partitions as the input; rows are placed by hash, in their original
// order within a partition (unlike pandas, the global order is not kept).
func (f *Frame) DropDuplicates(subset ...string) *Frame {
	if f.err != nil {
		return f
	}
	if len(subset) == 0 {
		subset = f.Columns()
	}
	for _, c := range subset {
		if len(f.n.schema.FieldIndices(c)) == 0 {
			return errFrame(fmt.Errorf("frame: DropDuplicates: unknown column %q; the columns are %s", c, schemaCols(f.n.schema)))
		}
		if t := f.n.schema.Field(f.n.schema.FieldIndices(c)[0]).Type; kindOf(t) == kInvalid {
			return errFrame(fmt.Errorf("frame: DropDuplicates: %w", keyTypeError(c, t)))
		}
	}
	return f.derive(&node{op: "dedup", in: f.n, keys: subset, schema: f.n.schema})
}

// Unique returns the distinct values of col (nulls included once) as a
// one-column frame, hash-partitioned like DropDuplicates: unsorted, each
// value where it first occurs within its output partition.
func (f *Frame) Unique(col string) *Frame { return f.SelectCols(col).DropDuplicates(col) }

// NUnique counts the distinct non-null values of each named column (all
// when none): a one-row frame of int64 counts. Each column is deduplicated
// by a hash shuffle (see DropDuplicates), so many distinct values never meet
// in one task.
func (f *Frame) NUnique(cols ...string) *Frame {
	if f.err != nil {
		return f
	}
	if len(cols) == 0 {
		cols = f.Columns()
	}
	var out *Frame
	for _, c := range cols {
		n := f.Unique(c).Agg(Col(c).Count().Alias(c))
		if n.err != nil {
			return errFrame(fmt.Errorf("frame: NUnique: %w", n.err))
		}
		if out == nil {
			out = n
			continue
		}
		// One-row frames side by side: a join on a constant.
		const k = "__nunique_row"
		out = out.WithColumn(k, Lit(int64(0))).Join(n.WithColumn(k, Lit(int64(0))), Inner, k).Drop(k)
	}
	if out == nil {
		return errFrame(fmt.Errorf("frame: NUnique: no columns"))
	}
	return out
}

func dedupKeys(n *node) []string { return n.keys }

func dedupParts(n *node) int { return partsOf(n.in) }

func (b *builder) lowerDedup(n *node, ps []pend) ([]pend, error) {
	parts, err := b.matAll(ps)
	if err != nil {
		return nil, err
	}
	p := len(parts)
	if p == 1 {
		k, err := b.add(&dedupOp{keys: n.keys, piece: -1}, parts[0])
		if err != nil {
			return nil, err
		}
		return []pend{{deps: []graph.Key{k}}}, nil
	}
	// Deduplicating before the split sends each partition's distinct rows
	// only.
	pre := make([]graph.Key, len(parts))
	for i, k := range parts {
		if pre[i], err = b.add(&dedupOp{keys: n.keys, piece: -1}, k); err != nil {
			return nil, err
		}
	}
	return b.partitioned(pre, n.keys, p, func(deps []graph.Key, piece int) (graph.Key, error) {
		return b.add(&dedupOp{keys: n.keys, piece: piece}, deps...)
	})
}

// dedupOp keeps the first row of each distinct key combination of its
// inputs (piece piece of each, for hash pieces), concatenated in order.
type dedupOp struct {
	keys  []string
	piece int
}

func (d *dedupOp) Name() string  { return "frame.dedup" }
func (d *dedupOp) Label() string { return "drop-duplicates" }
func (d *dedupOp) Params() ([]byte, error) {
	return appendVarint(appendStrings(nil, d.keys), int64(d.piece)), nil
}

func init() {
	graph.Register("frame.dedup", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		d := &dedupOp{keys: readStrings(r)}
		d.piece = int(r.Varint())
		return d, r.Err()
	})
}

// InputParts implements graph.PartReader: piece d.piece of every split.
func (d *dedupOp) InputParts(n int) []int { return graph.AllParts(n, d.piece) }

func (d *dedupOp) Run(_ context.Context, in []any) (any, error) {
	r, _, _, err := inputRecord(in, d.piece)
	if err != nil {
		return nil, fmt.Errorf("frame: drop duplicates: %w", err)
	}
	out, err := dropDuplicates(r, d.keys)
	if err != nil {
		return nil, fmt.Errorf("frame: drop duplicates: %w", err)
	}
	return &Part{R: out}, nil
}

// dropDuplicates keeps the first row of each distinct combination of keys
// (nulls equal), in row order.
func dropDuplicates(r arrow.Record, keys []string) (arrow.Record, error) {
	idx, err := fieldIndices(r.Schema(), keys)
	if err != nil {
		return nil, err
	}
	n := int(r.NumRows())
	if n == 0 {
		return r, nil
	}
	cols := make([]col, len(idx))
	for k, i := range idx {
		cols[k] = colOf(r.Column(i))
	}
	hs := rowHashes(r, idx)
	size := 1
	for size < 2*n {
		size <<= 1
	}
	mask := uint64(size - 1)
	table := make([]int32, size) // row+1 of a kept row, 0 empty
	keep := make([]int32, 0, n)
	for i := 0; i < n; i++ {
		h := hs[i]
		p := h & mask
		for {
			j := table[p]
			if j == 0 {
				table[p] = int32(i) + 1
				keep = append(keep, int32(i))
				break
			}
			if hs[j-1] == h && rowsEqual(cols, int(j-1), i) {
				break
			}
			p = (p + 1) & mask
		}
	}
	if len(keep) == n {
		return r, nil
	}
	return takeRecord(r, keep), nil
}

func explainDedup(b *strings.Builder, ind string, n *node) {
	how := "per partition, then hash-partitioned"
	if partsOf(n.in) == 1 {
		how = "one partition"
	}
	fmt.Fprintf(b, "%sdrop duplicates on [%s] (%s, partitions=%d)\n", ind, strings.Join(n.keys, ", "), how, dedupParts(n))
}
