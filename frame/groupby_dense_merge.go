package frame

import (
	"math/bits"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// denseMergeSources is denseMerge over the rows idx[k] of srcs[k] (all
// rows when idx[k] is nil) read in place: the pieces of a split are summed
// straight into a table indexed by key minus its minimum, with no gathered
// copy of them first. Sums run source by source in order, so float sums
// match those of denseMerge over the concatenation. ok is false (nothing
// done) unless there is one integer or timestamp key, every state is a
// sum, nothing is null, all sources share the states' schema and the keys
// span a small range.
func denseMergeSources(srcs []arrow.Record, idx [][]int32, nkeys int, aggs []aggSpec) (arrow.Record, bool) {
	if nkeys != 1 || len(srcs) < 2 {
		return nil, false
	}
	for _, a := range aggs {
		switch a.fn {
		case "sum", "count", "size", "mean":
		default:
			return nil, false
		}
	}
	withHash := false
	var fields []arrow.Field
	for k, s := range srcs {
		fs := s.Schema().Fields()
		if hasHashCol(s) {
			withHash = true
			fs = fs[:len(fs)-1]
		}
		if k == 0 {
			fields = fs
		} else if len(fs) != len(fields) {
			return nil, false
		} else {
			for j := range fs {
				if fs[j].Name != fields[j].Name || !arrow.TypeEqual(fs[j].Type, fields[j].Type) {
					return nil, false
				}
			}
		}
	}
	if len(fields) < 1 {
		return nil, false
	}
	kk := kindOf(fields[0].Type)
	if !arrow.TypeEqual(fields[0].Type, Int64) && !arrow.TypeEqual(fields[0].Type, Timestamp) {
		return nil, false // the key column is rebuilt as one of these
	}
	nv := len(fields) - 1
	for _, f := range fields[1:] {
		if k := kindOf(f.Type); k != kInt && k != kFloat {
			return nil, false
		}
	}
	// The columns, the key range and the number of rows.
	keys := make([][]int64, len(srcs))
	vals := make([][]col, len(srcs))
	lo, hi := int64(0), int64(-1)
	total := 0
	first := true
	for k, s := range srcs {
		kc := colOf(s.Column(0))
		if kc.valid != nil {
			return nil, false
		}
		keys[k] = kc.i64[:kc.n]
		vals[k] = make([]col, nv)
		for j := range vals[k] {
			vals[k][j] = colOf(s.Column(j + 1))
			if vals[k][j].valid != nil {
				return nil, false
			}
		}
		if idx[k] == nil {
			total += kc.n
			for _, v := range keys[k] {
				if first {
					lo, hi, first = v, v, false
				}
				lo, hi = min(lo, v), max(hi, v)
			}
			continue
		}
		total += len(idx[k])
		ks := keys[k]
		for _, i := range idx[k] {
			v := ks[i]
			if first {
				lo, hi, first = v, v, false
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	span := uint64(0)
	if !first {
		span = uint64(hi) - uint64(lo) + 1
		if hi < lo || span == 0 || span > denseMaxSlots || span > uint64(2*total+1024) {
			return nil, false
		}
	}
	// One array of span words per state column (word j of slot sl at
	// acc[j*span+sl]), each filled source by source over its rows: a
	// column's words stay in L2.
	sp := int(span)
	acc := make([]int64, sp*nv)
	seen := make([]uint64, (sp+63)/64)
	// Word j of slot sl is acc[j*cs+sl*rs]: three states (q5's sums) sit
	// side by side and are summed in one pass over each source's rows;
	// otherwise one array per state, filled a state at a time.
	cs, rs := sp, 1
	if nv == 3 {
		cs, rs = 1, 3
	}
	for k := range srcs {
		ks := keys[k]
		if nv == 3 {
			vs := vals[k]
			mergeRows3Pick(ks, lo, idx[k], acc, seen, &vs[0], &vs[1], &vs[2])
			continue
		}
		// Source by source, so its keys stay in cache from one column to
		// the next.
		if idx[k] == nil {
			for _, v := range ks {
				x := v - lo
				seen[x>>6] |= 1 << (x & 63)
			}
		} else {
			for _, i := range idx[k] {
				x := ks[i] - lo
				seen[x>>6] |= 1 << (x & 63)
			}
		}
		for j := 0; j < nv; j++ {
			w := acc[j*sp : (j+1)*sp]
			c := &vals[k][j]
			if c.k == kFloat {
				wf := unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(w))), sp)
				denseAddAt(keys[k], lo, idx[k], wf, c.f64[:c.n])
			} else {
				denseAddAt(keys[k], lo, idx[k], w, c.i64[:c.n])
			}
		}
	}
	ng := 0
	for _, b := range seen {
		ng += bits.OnesCount64(b)
	}
	occupied := make([]int32, 0, ng)
	outKeys := make([]int64, 0, ng)
	for sl := 0; sl < sp; sl++ {
		if seen[sl>>6]&(1<<(sl&63)) != 0 {
			occupied = append(occupied, int32(sl))
			outKeys = append(outKeys, lo+int64(sl))
		}
	}
	cols := make([]arrow.Array, 0, len(fields))
	cols = append(cols, intsArray(kk, outKeys, nil))
	for j, f := range fields[1:] {
		out := make([]int64, ng)
		for g, sl := range occupied {
			out[g] = acc[j*cs+int(sl)*rs]
		}
		if kindOf(f.Type) == kFloat {
			cols = append(cols, float64Array(unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(out))), ng), nil))
		} else {
			cols = append(cols, int64Array(out, nil))
		}
	}
	var out arrow.Record = array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(ng))
	if withHash {
		out = withHashCol(out, rowHashes(out, []int{0}))
	}
	return out, true
}

// denseAddAt adds vs[i] into w[ks[i]-lo] for the rows i of idx (all rows
// when idx is nil).
func denseAddAt[T int64 | float64](ks []int64, lo int64, idx []int32, w []T, vs []T) {
	if idx == nil {
		vs = vs[:len(ks)]
		for i, k := range ks {
			w[k-lo] += vs[i]
		}
		return
	}
	for _, i := range idx {
		w[ks[i]-lo] += vs[i]
	}
}

// mergeRows3Pick runs mergeRows3 with the types of columns a, b and c.
func mergeRows3Pick(ks []int64, lo int64, idx []int32, acc []int64, seen []uint64, a, b, c *col) {
	switch {
	case a.k != kFloat && b.k != kFloat && c.k != kFloat:
		mergeRows3(ks, lo, idx, acc, seen, a.i64, b.i64, c.i64)
	case a.k != kFloat && b.k != kFloat:
		mergeRows3(ks, lo, idx, acc, seen, a.i64, b.i64, c.f64)
	case a.k != kFloat && c.k != kFloat:
		mergeRows3(ks, lo, idx, acc, seen, a.i64, b.f64, c.i64)
	case b.k != kFloat && c.k != kFloat:
		mergeRows3(ks, lo, idx, acc, seen, a.f64, b.i64, c.i64)
	case a.k != kFloat:
		mergeRows3(ks, lo, idx, acc, seen, a.i64, b.f64, c.f64)
	case b.k != kFloat:
		mergeRows3(ks, lo, idx, acc, seen, a.f64, b.i64, c.f64)
	case c.k != kFloat:
		mergeRows3(ks, lo, idx, acc, seen, a.f64, b.f64, c.i64)
	default:
		mergeRows3(ks, lo, idx, acc, seen, a.f64, b.f64, c.f64)
	}
}

// mergeRows3 adds a, b and c of the rows idx (all rows when idx is nil)
// into words 0, 1 and 2 of slot key-lo of acc (three words a slot) and
// marks the slots in seen.
func mergeRows3[A, B, C int64 | float64](ks []int64, lo int64, idx []int32, acc []int64, seen []uint64, a []A, b []B, c []C) {
	p := unsafe.Pointer(unsafe.SliceData(acc))
	accA := unsafe.Slice((*A)(p), len(acc))
	accB := unsafe.Slice((*B)(p), len(acc))
	accC := unsafe.Slice((*C)(p), len(acc))
	add := func(i int) {
		x := ks[i] - lo
		seen[x>>6] |= 1 << (x & 63)
		s := int(x) * 3
		accA[s] += a[i]
		accB[s+1] += b[i]
		accC[s+2] += c[i]
	}
	if idx == nil {
		for i := range ks {
			add(i)
		}
		return
	}
	for _, i := range idx {
		add(int(i))
	}
}
