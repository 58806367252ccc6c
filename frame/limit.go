package frame

import (
	"context"
	"fmt"
	"runtime"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Limit keeps the first n rows of the frame in its order (partitions in
// order, rows in order within each), lazily: SQL's LIMIT and a lazy
// pandas head. The result is one partition. After SortBy or SortValues it
// is a top-n: each input partition keeps its own first n rows in sort
// order (a heap selection, no full sort), and one task merges those into
// the first n overall, so nothing is range-shuffled; ties keep their order
// as in the full stable sort, and nulls and NaN come last as SortBy puts
// them. Otherwise each partition keeps its first n rows and one task
// takes the first n of those; Compute (and Head) of such a frame, when
// every partition is computed from its source alone, computes the
// partitions in order, in growing waves, and stops once it has n rows.
//
// A negative n makes an error frame.
func (f *Frame) Limit(n int) *Frame {
	if f.err != nil {
		return f
	}
	if n < 0 {
		return errFrame(fmt.Errorf("frame: Limit(%d): the number of rows must be at least 0", n))
	}
	return f.derive(&node{op: "limit", n: int64(n), schema: f.n.schema})
}

// limitSort is the sort a limit node's input is, seen through projections
// (a projection keeps rows one for one, so limit(project(sort)) is
// project(limit(sort))); nil when there is none.
func limitSort(n *node) (sort *node, projs []*node) {
	in := n.in
	for in.op == "project" {
		projs = append(projs, in)
		in = in.in
	}
	if in.op == "sort" {
		return in, projs
	}
	return nil, nil
}

// lowerLimit lowers a limit node (n.desc: the last rows, for Tail).
func (b *builder) lowerLimit(n *node) ([]pend, error) {
	if s, projs := limitSort(n); s != nil && !n.desc {
		sp := s.sort
		if sp == nil {
			sp = &sortSpec{by: s.names, desc: make([]bool, len(s.names))}
			for i := range sp.desc {
				sp.desc[i] = s.desc
			}
		}
		ps, err := b.lower(s.in)
		if err != nil {
			return nil, err
		}
		st := step{kind: "topk", names: sp.by, arg: descBytes(sp.desc), n: n.n}
		ps = appendStep(ps, st)
		if len(ps) > 1 {
			if ps, err = b.concatAfter(ps, st); err != nil {
				return nil, err
			}
		}
		for i := len(projs) - 1; i >= 0; i-- {
			ps = appendStep(ps, step{kind: "project", exprs: projs[i].exprs, names: projs[i].names})
		}
		return ps, nil
	}
	ps, err := b.lower(n.in)
	if err != nil {
		return nil, err
	}
	kind := "head"
	if n.desc {
		kind = "tail"
	}
	st := step{kind: kind, n: n.n}
	ps = appendStep(ps, st)
	if len(ps) > 1 {
		return b.concatAfter(ps, st)
	}
	return ps, nil
}

func explainLimit(b *strings.Builder, ind string, n *node) {
	w := "limit"
	if n.desc {
		w = "tail"
	}
	if s, _ := limitSort(n); s != nil && !n.desc {
		sp := s.sort
		by := fmt.Sprint(s.names)
		if sp != nil {
			by = sp.String()
		}
		fmt.Fprintf(b, "%s%s %d: top-n by %s (first %d per partition, then merged; no shuffle)\n", ind, w, n.n, by, n.n)
		return
	}
	fmt.Fprintf(b, "%s%s %d (first %d rows per partition, then merged)\n", ind, w, n.n, n.n)
}

// ends is Head (tail false) and Tail: the first or last n rows. A frame
// whose partitions are each computed from their sources alone is computed
// a wave of partitions at a time from the first (or last), stopping once
// it has n rows; any other frame (a sort, join, groupby, ...) is computed
// once as a limit node, never once per partition.
func (f *Frame) ends(ctx context.Context, n int, tail bool, opts []sched.Option) (*Table, error) {
	if f.err != nil {
		return nil, f.err
	}
	if n < 0 {
		what := "Head"
		if tail {
			what = "Tail"
		}
		return nil, fmt.Errorf("frame: %s(%d): the number of rows must be at least 0", what, n)
	}
	f.lower()
	if f.gerr != nil {
		return nil, f.gerr
	}
	if partitionLocal(f.plan) {
		return f.wavesEnds(ctx, n, tail, opts)
	}
	lim := f.derive(&node{op: "limit", n: int64(n), desc: tail, schema: f.n.schema})
	out, err := sched.Compute(ctx, []sched.Collection{lim}, opts...)
	if err != nil {
		return nil, err
	}
	return out[0].(*Table), nil
}

// wavesEnds computes the partitions of f in waves, from the first or the
// last, until it has n rows: one partition, then as many as the rows seen
// per partition say are still needed.
func (f *Frame) wavesEnds(ctx context.Context, n int, tail bool, opts []sched.Option) (*Table, error) {
	np := len(f.keys)
	var recs []arrow.Record
	got, done, wave := 0, 0, 1
	for done < np && got < n {
		cnt := min(wave, np-done)
		ks := make([]graph.Key, cnt)
		for j := range ks {
			i := done + j
			if tail {
				i = np - 1 - done - j
			}
			ks[j] = f.keys[i]
		}
		vals, err := sched.Run(ctx, f.g, ks, opts...)
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			p, ok := v.(*Part)
			if !ok {
				return nil, fmt.Errorf("frame: partition is a %T, not a *frame.Part", v)
			}
			r := p.R
			if got >= n {
				break
			}
			if need := int64(n - got); r.NumRows() > need {
				if tail {
					r = settled(r.NewSlice(r.NumRows()-need, r.NumRows()))
				} else {
					r = settled(r.NewSlice(0, need))
				}
			}
			got += int(r.NumRows())
			if tail {
				recs = append([]arrow.Record{r}, recs...)
			} else {
				recs = append(recs, r)
			}
		}
		done += cnt
		// The next wave: as many partitions as the rows still needed
		// take at the rows per partition seen so far (twice the
		// partitions done when none had rows), at most four times the
		// partitions done or the cores.
		if got > 0 {
			wave = ((n-got)*done + got - 1) / got
		} else {
			wave = 2 * done
		}
		wave = max(1, min(wave, max(4*done, runtime.GOMAXPROCS(0))))
	}
	schema := f.n.schema
	if len(recs) > 0 {
		schema = recs[0].Schema()
	}
	r, err := concatRecords(schema, recs)
	if err != nil {
		return nil, err
	}
	return &Table{rec: zonedRecord(r, f.n.schema)}, nil
}

// computeLimit is Compute of a frame whose plan ends in a Limit over
// partitions computed from their sources alone: the partitions are
// computed in waves, stopping early (ok false: not such a frame).
func (f *Frame) computeLimit(ctx context.Context, opts []sched.Option) (*Table, bool, error) {
	if f.n.op != "limit" || f.n.desc {
		return nil, false, nil
	}
	if s, _ := limitSort(f.n); s != nil || !partitionLocal(f.n.in) {
		return nil, false, nil
	}
	in := newFrame(f.n.in)
	t, err := in.ends(ctx, int(f.n.n), false, opts)
	return t, true, err
}
