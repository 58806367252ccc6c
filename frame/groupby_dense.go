package frame

import (
	"math/bits"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// denseBlock is the number of rows whose slots densePartial computes at a
// time: the slot buffer stays in L1 while each value column is added in.
const denseBlock = 16384

// denseMaxSlots bounds the accumulator table of densePartial (the key's
// value range); wider ranges use the general grouping.
const denseMaxSlots = 1 << 21

// denseMaxBytes bounds the accumulator table of densePartial: it must stay
// in L2.
const denseMaxBytes = 1 << 20

// denseMergeBytes bounds the table of a dense merge, which sees far fewer
// rows per group than a partial aggregation.
const denseMergeBytes = 16 << 20

// denseOK says whether densePartial can compute the aggregations: sums,
// means, counts and sizes of integer and float columns.
func denseOK(aggs []aggSpec) bool {
	for _, a := range aggs {
		switch a.fn {
		case "size":
			continue
		case "count", "sum", "mean":
		default:
			return false
		}
		if a.k != kInt && a.k != kFloat {
			return false
		}
	}
	return true
}

// densePartial is partialAgg for one integer (or timestamp) key whose values
// span a small range, with only sum, mean, count and size: the key minus its
// minimum indexes a table of accumulators directly (no hashing, no group id
// per row), and all value columns are added in one pass over the rows, block
// by block. The accumulators of a slot sit side by side, so a row touches
// one cache line however many columns it adds. Groups come out in key order,
// a null key last. ok is false when the partition does not qualify. enc
// (may be nil) caches the key's range for persisted partitions.
func densePartial(r arrow.Record, keyIdx []int, aggs []aggSpec, enc *encCache) (arrow.Record, bool, error) {
	return denseAgg(r, keyIdx, aggs, enc, denseMaxBytes)
}

// denseAgg is densePartial with a table of at most maxBytes laid out slot
// by slot. A wider table whose words, one array each, still fit in L2 is
// filled one column at a time over all the rows instead (when nothing is
// null): random updates then stay in L2, and no group id per row is
// stored.
func denseAgg(r arrow.Record, keyIdx []int, aggs []aggSpec, enc *encCache, maxBytes uint64) (arrow.Record, bool, error) {
	n := int(r.NumRows())
	if len(keyIdx) != 1 || n == 0 || !denseOK(aggs) {
		return nil, false, nil
	}
	ka := r.Column(keyIdx[0])
	kc := colOf(ka)
	if !kc.k.intLike() {
		return nil, false, nil
	}
	lo, hi, any := enc.minMax(ka, &kc)
	span := uint64(0)
	if any {
		span = uint64(hi) - uint64(lo) + 1
		if hi < lo || span == 0 || span > denseMaxSlots {
			return nil, false, nil
		}
	}
	nullSlot := -1
	if kc.valid != nil {
		nullSlot = int(span)
		span++
	}
	limit := uint64(2*n + 1024)
	if span > limit {
		return nil, false, nil
	}

	// The accumulator layout: word 0 counts rows; then, per distinct input
	// column, a sum (int64 or float64) when some aggregation needs it and a
	// non-null count when the column has nulls and some aggregation counts.
	var ins []*denseInput
	byName := map[string]*denseInput{}
	meanChecked := map[*denseInput]bool{}
	w := 1
	for _, a := range aggs {
		if a.fn == "size" {
			continue
		}
		in := byName[a.in]
		if in == nil {
			idx := r.Schema().FieldIndices(a.in)
			if len(idx) == 0 {
				return nil, false, nil // partialAgg reports the error
			}
			in = &denseInput{name: a.in, idx: idx[0], c: colOf(r.Column(idx[0])), sum: -1, cnt: -1}
			if in.c.k != a.k {
				return nil, false, nil
			}
			byName[a.in] = in
			ins = append(ins, in)
		}
		if a.fn == "mean" && in.c.k == kInt && !meanChecked[in] {
			// An int64 sum that could wrap goes the general way, where
			// means add in float64 (SEMANTICS.md).
			if lo, hi, any := enc.minMax(r.Column(in.idx), &in.c); any && !intSumsFit(lo, hi, n) {
				return nil, false, nil
			}
			meanChecked[in] = true
		}
		if (a.fn == "sum" || a.fn == "mean") && in.sum < 0 {
			in.sum = w
			w++
		}
		if (a.fn == "count" || a.fn == "mean") && in.c.valid != nil && in.cnt < 0 {
			in.cnt = w
			w++
		}
	}
	// Slot sl's word j is acc[sl*stride+j*wstride].
	stride, wstride := w, 1
	columnar := span*uint64(w)*8 > maxBytes
	if columnar {
		// A table beyond L2 misses the cache on nearly every row.
		if span*8 > denseMaxBytes || !denseColumnarOK(&kc, ins) {
			return nil, false, nil
		}
		stride, wstride = 1, int(span)
	}
	needRows := false
	for _, a := range aggs {
		needRows = needRows || a.fn == "size" || a.fn == "count" || a.fn == "mean"
	}
	var nt *narrowTable // sums only, in one pass over an L2-sized table
	if columnar && !needRows {
		nt, _ = denseNarrow(r, ka, &kc, lo, int(span), ins, enc)
	}
	var acc []int64
	var seen []uint64 // columnar without row counts: the non-empty slots
	switch {
	case nt != nil:
		stride, seen = 1, nt.seen
	case columnar:
		acc = make([]int64, int(span)*w)
		seen = denseColumnar(&kc, lo, int(span), acc, ins, needRows)
	default:
		acc = make([]int64, int(span)*w)
		if !denseFused(&kc, lo, w, acc, ins) {
			denseBlocks(&kc, lo, nullSlot, w, acc, ins)
		}
	}
	accF := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(acc))), len(acc))

	// One output row per non-empty slot.
	used := func(sl int) bool {
		if seen != nil {
			return seen[sl>>6]&(1<<(sl&63)) != 0
		}
		return acc[sl*stride] > 0
	}
	ng := 0
	if seen != nil {
		for _, b := range seen {
			ng += bits.OnesCount64(b)
		}
	} else {
		for sl := 0; sl < int(span); sl++ {
			if used(sl) {
				ng++
			}
		}
	}
	keys := make([]int64, 0, ng)
	occupied := make([]int32, 0, ng)
	var kvalid []bool
	for sl := 0; sl < int(span); sl++ {
		if !used(sl) {
			continue
		}
		occupied = append(occupied, int32(sl*stride))
		if sl == nullSlot {
			keys = append(keys, 0)
			kvalid = make([]bool, ng)
			for i := range kvalid {
				kvalid[i] = true
			}
			kvalid[len(keys)-1] = false
		} else {
			keys = append(keys, lo+int64(sl))
		}
	}
	fields := []arrow.Field{r.Schema().Field(keyIdx[0])}
	kArr := intsArray(kc.k, keys, kvalid)
	cols := []arrow.Array{kArr}
	wordI := func(o int) []int64 {
		if nt != nil {
			return nt.word(o, occupied)
		}
		out := make([]int64, ng)
		for g, x := range occupied {
			out[g] = acc[int(x)+o*wstride]
		}
		return out
	}
	wordF := func(o int) []float64 {
		if nt != nil {
			b := nt.word(o, occupied)
			return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(b))), len(b))
		}
		out := make([]float64, ng)
		for g, x := range occupied {
			out[g] = accF[int(x)+o*wstride]
		}
		return out
	}
	count := func(in *denseInput) []int64 {
		if in.cnt >= 0 {
			return wordI(in.cnt)
		}
		return wordI(0)
	}
	for _, a := range aggs {
		fields = append(fields, a.stateFields()...)
		in := byName[a.in]
		switch a.fn {
		case "size":
			cols = append(cols, int64Array(wordI(0), nil))
		case "count":
			cols = append(cols, int64Array(count(in), nil))
		case "sum":
			if a.k == kFloat {
				cols = append(cols, float64Array(wordF(in.sum), nil))
			} else {
				cols = append(cols, int64Array(wordI(in.sum), nil))
			}
		case "mean":
			var s []float64
			if a.k == kFloat {
				s = wordF(in.sum)
			} else {
				s = make([]float64, ng)
				for g, v := range wordI(in.sum) {
					s[g] = float64(v)
				}
			}
			cols = append(cols, float64Array(s, nil), int64Array(count(in), nil))
		}
	}
	if nt != nil {
		nt.release()
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(ng)), true, nil
}

// denseInput is a value column of densePartial and the offsets of its
// accumulator words in a slot.
type denseInput struct {
	name     string
	idx      int // in the record
	c        col
	sum, cnt int // word offsets, -1 if none
}

// denseBlocks adds the rows into the accumulators block by block: the slots
// of a block first, then each column over them (any nulls, any number of
// columns).
func denseBlocks(kc *col, lo int64, nullSlot, w int, acc []int64, ins []*denseInput) {
	accF := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(acc))), len(acc))
	n := kc.n
	slots := make([]int32, min(denseBlock, n))
	for b := 0; b < n; b += denseBlock {
		e := b + denseBlock
		if e > n {
			e = n
		}
		s := slots[:e-b]
		ks := kc.i64[b:e]
		if kc.valid == nil {
			for i, v := range ks {
				s[i] = int32(v-lo) * int32(w)
			}
		} else {
			for i, v := range ks {
				if kc.null(b + i) {
					s[i] = int32(nullSlot * w)
				} else {
					s[i] = int32(v-lo) * int32(w)
				}
			}
		}
		for _, x := range s {
			acc[x]++
		}
		for _, in := range ins {
			c := &in.c
			if in.sum >= 0 {
				o := int32(in.sum)
				switch {
				case c.k == kFloat && c.valid == nil:
					vs := c.f64[b:e]
					vs = vs[:len(s)]
					for i, x := range s {
						accF[x+o] += vs[i]
					}
				case c.k == kFloat:
					vs := c.f64[b:e]
					for i, x := range s {
						if !c.null(b + i) {
							accF[x+o] += vs[i]
						}
					}
				case c.valid == nil:
					vs := c.i64[b:e]
					vs = vs[:len(s)]
					for i, x := range s {
						acc[x+o] += vs[i]
					}
				default:
					vs := c.i64[b:e]
					for i, x := range s {
						if !c.null(b + i) {
							acc[x+o] += vs[i]
						}
					}
				}
			}
			if in.cnt >= 0 {
				o := int32(in.cnt)
				for i, x := range s {
					if !c.null(b + i) {
						acc[x+o]++
					}
				}
			}
		}
	}

}

// denseFused adds the rows into the accumulators in one loop over the rows
// when no key or value is null and at most three columns are summed (the
// common case, at memory speed). It reports false, having done nothing,
// otherwise.
func denseFused(kc *col, lo int64, w int, acc []int64, ins []*denseInput) bool {
	if kc.valid != nil {
		return false
	}
	var ints, floats []*denseInput
	for _, in := range ins {
		if in.c.valid != nil {
			return false
		}
		if in.sum < 0 {
			continue
		}
		if in.c.k == kFloat {
			floats = append(floats, in)
		} else {
			ints = append(ints, in)
		}
	}
	cs := append(ints, floats...)
	if len(cs) > 3 {
		return false
	}
	ks := kc.i64[:kc.n]
	var o [3]int
	for j, in := range cs {
		o[j] = in.sum
	}
	i64 := func(j int) []int64 {
		if j < len(cs) && cs[j].c.k != kFloat {
			return cs[j].c.i64[:len(ks)]
		}
		return nil
	}
	f64 := func(j int) []float64 {
		if j < len(cs) && cs[j].c.k == kFloat {
			return cs[j].c.f64[:len(ks)]
		}
		return nil
	}
	switch len(ints) {
	case 3:
		fusedSums(ks, lo, w, acc, i64(0), i64(1), i64(2), o, len(cs))
	case 2:
		fusedSums(ks, lo, w, acc, i64(0), i64(1), f64(2), o, len(cs))
	case 1:
		fusedSums(ks, lo, w, acc, i64(0), f64(1), f64(2), o, len(cs))
	default:
		fusedSums(ks, lo, w, acc, f64(0), f64(1), f64(2), o, len(cs))
	}
	return true
}

// fusedSums counts the rows of each slot (word 0) and adds a, b and c (the
// first nc of them) into words o[0], o[1], o[2], reading every column once.
func fusedSums[A, B, C int64 | float64](ks []int64, lo int64, w int, acc []int64, a []A, b []B, c []C, o [3]int, nc int) {
	p := unsafe.Pointer(unsafe.SliceData(acc))
	accA := unsafe.Slice((*A)(p), len(acc))
	accB := unsafe.Slice((*B)(p), len(acc))
	accC := unsafe.Slice((*C)(p), len(acc))
	switch nc {
	case 0:
		for _, v := range ks {
			acc[int(v-lo)*w]++
		}
	case 1:
		a = a[:len(ks)]
		for i, v := range ks {
			x := int(v-lo) * w
			acc[x]++
			accA[x+o[0]] += a[i]
		}
	case 2:
		a, b = a[:len(ks)], b[:len(ks)]
		for i, v := range ks {
			x := int(v-lo) * w
			acc[x]++
			accA[x+o[0]] += a[i]
			accB[x+o[1]] += b[i]
		}
	default:
		a, b, c = a[:len(ks)], b[:len(ks)], c[:len(ks)]
		for i, v := range ks {
			x := int(v-lo) * w
			acc[x]++
			accA[x+o[0]] += a[i]
			accB[x+o[1]] += b[i]
			accC[x+o[2]] += c[i]
		}
	}
}

// denseMerge is mergeAgg by densePartial when the states are all sums (of
// sum, count, size and mean) and the one key spans a small range: merging
// them is summing each state column by key.
func denseMerge(r arrow.Record, nkeys int, aggs []aggSpec) (arrow.Record, bool) {
	if nkeys != 1 {
		return nil, false
	}
	var specs []aggSpec
	for _, a := range aggs {
		switch a.fn {
		case "sum", "count", "size", "mean":
		default:
			return nil, false
		}
	}
	fields := r.Schema().Fields()
	withHash := hasHashCol(r)
	if withHash {
		fields = fields[:len(fields)-1]
	}
	for _, f := range fields[1:] {
		specs = append(specs, aggSpec{fn: "sum", in: f.Name, out: f.Name, k: kindOf(f.Type)})
	}
	out, ok, err := denseAgg(r, []int{0}, specs, nil, denseMergeBytes)
	if !ok || err != nil {
		return nil, false
	}
	out = array.NewRecord(arrow.NewSchema(fields, nil), out.Columns(), out.NumRows())
	if withHash {
		out = withHashCol(out, rowHashes(out, []int{0}))
	}
	return out, true
}

// denseColumnarOK says whether denseColumnar applies: no nulls anywhere.
func denseColumnarOK(kc *col, ins []*denseInput) bool {
	if kc.valid != nil {
		return false
	}
	for _, in := range ins {
		if in.c.valid != nil {
			return false
		}
	}
	return true
}

// denseColumnar fills a table of one array of span words per accumulator
// (word j of slot sl at acc[j*span+sl]), a column at a time over all the
// rows: the row counts along with the first sum. Without needRows it marks
// the non-empty slots in a bitmap instead (one bit per slot, in L1, rather
// than a word per slot) and returns it.
func denseColumnar(kc *col, lo int64, span int, acc []int64, ins []*denseInput, needRows bool) []uint64 {
	ks := kc.i64[:kc.n]
	if !needRows {
		seen := make([]uint64, (span+63)/64)
		marked := false
		for _, in := range ins {
			if in.sum < 0 {
				continue
			}
			w := acc[in.sum*span : (in.sum+1)*span]
			switch {
			case marked && in.c.k == kFloat:
				wf := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(w))), span)
				vs := in.c.f64[:len(ks)]
				for i, k := range ks {
					wf[k-lo] += vs[i]
				}
			case marked:
				vs := in.c.i64[:len(ks)]
				for i, k := range ks {
					w[k-lo] += vs[i]
				}
			case in.c.k == kFloat:
				wf := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(w))), span)
				vs := in.c.f64[:len(ks)]
				for i, k := range ks {
					x := k - lo
					seen[x>>6] |= 1 << (x & 63)
					wf[x] += vs[i]
				}
			default:
				vs := in.c.i64[:len(ks)]
				for i, k := range ks {
					x := k - lo
					seen[x>>6] |= 1 << (x & 63)
					w[x] += vs[i]
				}
			}
			marked = true
		}
		if !marked {
			for _, k := range ks {
				x := k - lo
				seen[x>>6] |= 1 << (x & 63)
			}
		}
		return seen
	}
	cnt := acc[:span]
	counted := false
	for _, in := range ins {
		if in.sum < 0 {
			continue
		}
		w := acc[in.sum*span : (in.sum+1)*span]
		if in.c.k == kFloat {
			wf := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(w))), span)
			vs := in.c.f64[:len(ks)]
			if !counted {
				for i, k := range ks {
					x := k - lo
					cnt[x]++
					wf[x] += vs[i]
				}
			} else {
				for i, k := range ks {
					wf[k-lo] += vs[i]
				}
			}
		} else {
			vs := in.c.i64[:len(ks)]
			if !counted {
				for i, k := range ks {
					x := k - lo
					cnt[x]++
					w[x] += vs[i]
				}
			} else {
				for i, k := range ks {
					w[k-lo] += vs[i]
				}
			}
		}
		counted = true
	}
	if !counted {
		for _, k := range ks {
			cnt[k-lo]++
		}
	}
	return nil
}
