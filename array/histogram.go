package array

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/godask/godask/graph"
)

// Counting reductions: Histogram, Bincount and Unique. Each block is
// counted on its own and the counts are added by a tree, so memory per task
// is one block plus the counts.

func init() {
	registerKernel("hist-chunk", histChunkKernel)
	registerKernel("hist-edges", histEdgesKernel)
	registerKernel("bincount-chunk", bincountChunkKernel)
	registerKernel("bincount-combine", bincountCombineKernel)
	registerKernel("bincount-final", bincountFinalKernel)
	registerKernel("unique-chunk", uniqueChunkKernel)
	registerKernel("unique-combine", uniqueCombineKernel)
	registerKernel("unique-final", uniqueFinalKernel)
}

// Histogram counts the elements of a (flattened) in bins equal-width bins
// over rng = [lo, hi] (numpy.histogram with an integer bins): counts is
// int64 of shape (bins,), edges float64 of shape (bins+1,). As in NumPy
// every bin is half-open [e_i, e_i+1) except the last, which is closed;
// elements outside the range (and NaN) are not counted; lo == hi widens the
// range to [lo-0.5, hi+0.5]. Without rng the range is the array's min and
// max, computed lazily first (one more pass; it fails when they are not
// finite, as in NumPy), and [0, 1] for an empty array.
func (a *Array) Histogram(bins int, rng ...float64) (counts, edges *Array) {
	bad := func(format string, args ...any) (*Array, *Array) {
		e := errArray("Histogram: "+format, args...)
		return e, e
	}
	if a.err != nil {
		return a, a
	}
	if err := needKnown("Histogram", a); err != nil {
		return &Array{err: err}, &Array{err: err}
	}
	if bins <= 0 {
		return bad("bins %d must be positive", bins)
	}
	if bins > 1<<28 {
		return bad("bins %d is too many", bins)
	}
	holder := &Array{parents: []*Array{a}}
	p := appendUvarint(nil, uint64(bins))
	var rdeps []graph.Key
	switch {
	case len(rng) == 2:
		lo, hi := rng[0], rng[1]
		if lo > hi {
			return bad("range [%v, %v]: max must be larger than min", lo, hi)
		}
		if math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo != lo || hi != hi {
			return bad("range [%v, %v] is not finite", lo, hi)
		}
		p = append(p, 1)
		p = appendUvarint(p, math.Float64bits(lo))
		p = appendUvarint(p, math.Float64bits(hi))
	case len(rng) != 0:
		return bad("range needs two values (lo, hi), got %d", len(rng))
	case a.Size() == 0:
		p = append(p, 1)
		p = appendUvarint(p, math.Float64bits(0))
		p = appendUvarint(p, math.Float64bits(1))
	default:
		mn, mx := a.Min(), a.Max()
		holder.parents = append(holder.parents, mn, mx)
		rdeps = []graph.Key{mn.keys[0], mx.keys[0]}
		p = append(p, 0)
	}
	hs := make([]graph.Key, len(a.keys))
	for i, k := range a.keys {
		t := newTask("hist-chunk", p, append([]graph.Key{k}, rdeps...)...)
		holder.tasks = append(holder.tasks, t)
		hs[i] = t.Key
	}
	root := sumTree(holder, hs, 8)
	counts = &Array{shape: []int{bins}, chunks: [][]int{{bins}}, dtype: Int64, keys: []graph.Key{root}, parents: []*Array{holder}}
	te := newTask("hist-edges", p, rdeps...)
	edges = &Array{shape: []int{bins + 1}, chunks: [][]int{{bins + 1}}, dtype: Float64, keys: []graph.Key{te.Key}, tasks: []*graph.Task{te}, parents: []*Array{holder}}
	return counts, edges
}

// histRange decodes the bins and the range of a histogram task; ins holds
// the lazily computed min and max when the range was not given.
func histRange(p []byte, ins []*Dense) (bins int, lo, hi float64, err error) {
	r := graph.NewReader(p)
	bins = int(r.Uvarint())
	has := r.Byte()
	if has == 1 {
		lo = math.Float64frombits(r.Uvarint())
		hi = math.Float64frombits(r.Uvarint())
	} else {
		if len(ins) < 2 {
			return 0, 0, 0, fmt.Errorf("histogram: no range")
		}
		lo, hi = ins[0].elem(0), ins[1].elem(0)
		if math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo != lo || hi != hi {
			return 0, 0, 0, fmt.Errorf("Histogram: autodetected range of [%v, %v] is not finite", lo, hi)
		}
	}
	if r.Err() != nil {
		return 0, 0, 0, r.Err()
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	return bins, lo, hi, nil
}

// histEdges is numpy.linspace(lo, hi, bins+1).
func histEdges(bins int, lo, hi float64) []float64 {
	e := make([]float64, bins+1)
	step := (hi - lo) / float64(bins)
	for i := range e {
		if step == 0 {
			e[i] = float64(i)/float64(bins)*(hi-lo) + lo
		} else {
			e[i] = float64(i)*step + lo
		}
	}
	e[bins] = hi
	return e
}

func histEdgesKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	bins, lo, hi, err := histRange(p, in)
	if err != nil {
		return nil, err
	}
	d := NewDense(Float64, bins+1)
	copy(d.Data, histEdges(bins, lo, hi))
	return d, nil
}

func histChunkKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	bins, lo, hi, err := histRange(p, in[1:])
	if err != nil {
		return nil, err
	}
	edges := histEdges(bins, lo, hi)
	norm := float64(bins) / (hi - lo)
	out := NewDense(Int64, bins)
	h := out.I64
	d := in[0]
	n := d.Len()
	buf := make([]float64, min(n, tile))
	for s := 0; s < n; s += tile {
		b := buf[:min(tile, n-s)]
		d.loadF64(b, s)
		for _, v := range b {
			if !(v >= lo && v <= hi) {
				continue
			}
			i := int((v - lo) * norm)
			if i >= bins {
				i = bins - 1
			}
			if v < edges[i] {
				i--
			}
			if i != bins-1 && v >= edges[i+1] {
				i++
			}
			h[i]++
		}
	}
	return out, nil
}

// Bincount counts the occurrences of each value of a 1-d int64 (or bool)
// array of non-negative values (numpy.bincount): the result has length
// max(a)+1, at least minlength, int64; with weights (an array of a's shape,
// or nil) it sums the weights instead, float64. The length is known only
// once computed, so the result has Unknown shape (see Unknown) and one block.
// A negative value fails the computation with an error naming it.
func (a *Array) Bincount(weights *Array, minlength int) *Array {
	if a.err != nil {
		return a
	}
	if err := needKnown("Bincount", a); err != nil {
		return &Array{err: err}
	}
	if len(a.shape) != 1 {
		return errArray("Bincount of shape %s: the input must be 1-d", shapeString(a.shape))
	}
	if a.dtype != Int64 && a.dtype != Bool {
		return errArray("Bincount of %s: the input must be int64 or bool (non-negative integers)", a.dtype)
	}
	if minlength < 0 {
		return errArray("Bincount: minlength %d must be non-negative", minlength)
	}
	odt := Int64
	parents := []*Array{a}
	if weights != nil {
		if weights.err != nil {
			return weights
		}
		if !chunksEqual(weights.shape, a.shape) {
			return errArray("Bincount: weights of shape %s for an input of shape %s", shapeString(weights.shape), shapeString(a.shape))
		}
		weights = weights.Rechunk(Explicit(copyChunks(a.chunks)))
		if weights.err != nil {
			return weights
		}
		odt = Float64
		parents = append(parents, weights)
	}
	holder := &Array{parents: parents}
	hw := byte(0)
	if weights != nil {
		hw = 1
	}
	var parts []graph.Key
	for i, k := range a.keys {
		deps := []graph.Key{k}
		if weights != nil {
			deps = append(deps, weights.keys[i])
		}
		t := newTask("bincount-chunk", []byte{hw}, deps...)
		holder.tasks = append(holder.tasks, t)
		parts = append(parts, t.Key)
	}
	for len(parts) > 1 {
		var next []graph.Key
		for s := 0; s < len(parts); s += 8 {
			grp := parts[s:min(s+8, len(parts))]
			if len(grp) == 1 {
				next = append(next, grp[0])
				continue
			}
			t := newTask("bincount-combine", nil, grp...)
			holder.tasks = append(holder.tasks, t)
			next = append(next, t.Key)
		}
		parts = next
	}
	t := newTask("bincount-final", appendUvarint([]byte{byte(odt)}, uint64(minlength)), parts[0])
	return &Array{shape: []int{Unknown}, chunks: [][]int{{Unknown}}, dtype: odt, keys: []graph.Key{t.Key}, tasks: []*graph.Task{t}, parents: []*Array{holder}}
}

func bincountChunkKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	x := int64s(in[0])
	mx := int64(-1)
	for i, v := range x {
		if v < 0 {
			return nil, fmt.Errorf("Bincount: negative value %d at position %d of a block", v, i)
		}
		mx = max(mx, v)
	}
	if mx >= 1<<31 {
		return nil, fmt.Errorf("Bincount: value %d is too large for a count array", mx)
	}
	if p[0] == 1 {
		w := in[1].Float64s()
		out := NewDense(Float64, int(mx+1))
		for i, v := range x {
			out.Data[v] += w[i]
		}
		return out, nil
	}
	out := NewDense(Int64, int(mx+1))
	for _, v := range x {
		out.I64[v]++
	}
	return out, nil
}

func bincountCombineKernel(_ context.Context, _ []byte, in []*Dense) (*Dense, error) {
	n := 0
	for _, d := range in {
		n = max(n, d.Len())
	}
	out := NewDense(in[0].DType, n)
	for _, d := range in {
		if d.DType == Int64 {
			for i, v := range d.I64 {
				out.I64[i] += v
			}
		} else {
			for i, v := range d.Data {
				out.Data[i] += v
			}
		}
	}
	return out, nil
}

func bincountFinalKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	r := graph.NewReader(p[1:])
	ml := int(r.Uvarint())
	if r.Err() != nil {
		return nil, r.Err()
	}
	d := in[0]
	if d.Len() >= ml {
		return d, nil
	}
	return bincountCombineKernel(context.Background(), nil, []*Dense{d, NewDense(d.DType, ml)})
}

// Unique returns the sorted distinct values of a (flattened) and how many
// times each occurs (numpy.unique with return_counts, NumPy 1.24 rules:
// every NaN is one value, sorted last; -0 and 0 are one value, returned as
// 0). Blocks are deduplicated on their own and merged by a tree of sorted
// merges. Both results have Unknown length (see Unknown).
func (a *Array) Unique() (values, counts *Array) {
	if a.err != nil {
		return a, a
	}
	if err := needKnown("Unique", a); err != nil {
		return &Array{err: err}, &Array{err: err}
	}
	holder := &Array{parents: []*Array{a}}
	var parts []graph.Key
	for _, k := range a.keys {
		t := newTask("unique-chunk", nil, k)
		holder.tasks = append(holder.tasks, t)
		parts = append(parts, t.Key)
	}
	if len(parts) == 0 {
		e := NewDense(Int64, 2, 0)
		parts = append(parts, newConst(holder, e))
	}
	for len(parts) > 1 {
		var next []graph.Key
		for s := 0; s < len(parts); s += 8 {
			grp := parts[s:min(s+8, len(parts))]
			if len(grp) == 1 {
				next = append(next, grp[0])
				continue
			}
			t := newTask("unique-combine", nil, grp...)
			holder.tasks = append(holder.tasks, t)
			next = append(next, t.Key)
		}
		parts = next
	}
	tv := newTask("unique-final", []byte{byte(a.dtype), 0}, parts[0])
	tc := newTask("unique-final", []byte{byte(a.dtype), 1}, parts[0])
	unk := func(t *graph.Task, dt DType) *Array {
		return &Array{shape: []int{Unknown}, chunks: [][]int{{Unknown}}, dtype: dt, keys: []graph.Key{t.Key}, tasks: []*graph.Task{t}, parents: []*Array{holder}}
	}
	return unk(tv, a.dtype), unk(tc, Int64)
}

// uniqueKeys returns the sorted keys of d with -0 as 0.
func uniqueKeys(d *Dense) []uint64 {
	ks := make([]uint64, d.Len())
	keysOf(d, 0, ks)
	if d.DType == Float64 || d.DType == Float32 {
		z := keyF(math.Copysign(0, -1))
		for i, k := range ks {
			if k == z {
				ks[i] = keyF(0)
			}
		}
	}
	radixSortKeys(ks, nil)
	return ks
}

func uniqueChunkKernel(_ context.Context, _ []byte, in []*Dense) (*Dense, error) {
	ks := uniqueKeys(in[0])
	var vals, cnts []int64
	for i := 0; i < len(ks); {
		j := i + 1
		for j < len(ks) && ks[j] == ks[i] {
			j++
		}
		vals = append(vals, int64(ks[i]))
		cnts = append(cnts, int64(j-i))
		i = j
	}
	out := NewDense(Int64, 2, len(vals))
	copy(out.I64, vals)
	copy(out.I64[len(vals):], cnts)
	return out, nil
}

func uniqueCombineKernel(_ context.Context, _ []byte, in []*Dense) (*Dense, error) {
	type vc struct {
		k uint64
		c int64
	}
	var all []vc
	for _, d := range in {
		if len(d.Shape) != 2 || d.Shape[0] != 2 || d.DType != Int64 {
			return nil, fmt.Errorf("unique: partial of shape %v", d.Shape)
		}
		m := d.Shape[1]
		for i := 0; i < m; i++ {
			all = append(all, vc{uint64(d.I64[i]), d.I64[m+i]})
		}
	}
	slices.SortFunc(all, func(a, b vc) int {
		switch {
		case a.k < b.k:
			return -1
		case a.k > b.k:
			return 1
		}
		return 0
	})
	var vals, cnts []int64
	for _, e := range all {
		if n := len(vals); n > 0 && uint64(vals[n-1]) == e.k {
			cnts[n-1] += e.c
			continue
		}
		vals = append(vals, int64(e.k))
		cnts = append(cnts, e.c)
	}
	out := NewDense(Int64, 2, len(vals))
	copy(out.I64, vals)
	copy(out.I64[len(vals):], cnts)
	return out, nil
}

func uniqueFinalKernel(_ context.Context, p []byte, in []*Dense) (*Dense, error) {
	dt, which := DType(p[0]), p[1]
	d := in[0]
	m := d.Shape[1]
	if which == 1 {
		out := NewDense(Int64, m)
		copy(out.I64, d.I64[m:])
		return out, nil
	}
	out := NewDense(dt, m)
	for i, k := range d.I64[:m] {
		switch dt {
		case Int64:
			out.I64[i] = fromKeyI(uint64(k))
		case Bool:
			out.B[i] = fromKeyI(uint64(k)) != 0
		default:
			out.storeF64([]float64{fromKeyF(uint64(k))}, i)
		}
	}
	return out, nil
}
