package frame

import (
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/internal/hash"
)

// hashCol is the last column of partial aggregation states: the rowHashes
// of each row's keys, computed once where it is cheap (from the dictionary
// codes of persisted partitions) and then used to split the states by key
// and to group them when merging, instead of hashing or coding the keys
// again.
const hashCol = "#hash"

// hasHashCol says whether the last column of r is hashCol.
func hasHashCol(r arrow.Record) bool {
	n := int(r.NumCols())
	return n > 0 && r.Schema().Field(n-1).Name == hashCol
}

// keyHashes returns rowHashes(r, keyIdx), from r's hashCol when it has one.
func keyHashes(r arrow.Record, keyIdx []int) []uint64 {
	if hasHashCol(r) {
		c := colOf(r.Column(int(r.NumCols()) - 1))
		return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(c.i64))), len(c.i64))
	}
	return rowHashes(r, keyIdx)
}

// withHashCol appends hs to r as hashCol (keeping the schema's metadata).
func withHashCol(r arrow.Record, hs []uint64) arrow.Record {
	fields := append(append([]arrow.Field(nil), r.Schema().Fields()...), arrow.Field{Name: hashCol, Type: Int64})
	md := r.Schema().Metadata()
	vals := unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(hs))), len(hs))
	cols := append(append([]arrow.Array(nil), r.Columns()...), int64Array(vals, nil))
	return array.NewRecord(arrow.NewSchema(fields, &md), cols, r.NumRows())
}

// rowHashesEnc is rowHashes that hashes each distinct value of a string key
// once when enc holds the column's dictionary codes.
func rowHashesEnc(r arrow.Record, keyIdx []int, enc *encCache) []uint64 {
	n := int(r.NumRows())
	coded := false
	for _, ki := range keyIdx {
		coded = coded || enc.cachedCodes(r.Column(ki)) != nil
	}
	if !coded {
		return rowHashes(r, keyIdx)
	}
	hs := make([]uint64, n)
	for j, ki := range keyIdx {
		a := r.Column(ki)
		g := enc.cachedCodes(a)
		if g == nil {
			one := rowHashes(r, []int{ki})
			for i, h := range one {
				if j == 0 {
					hs[i] = h
				} else {
					hs[i] = hash.Combine(hs[i], h)
				}
			}
			continue
		}
		// Each code's hash, from its first row.
		c := colOf(a)
		_, first := enc.strCodes(a, &c)
		dh := make([]uint64, len(first))
		for code, i := range first {
			if c.null(int(i)) {
				dh[code] = 0x51ed27
			} else {
				dh[code] = hash.Bytes(c.str(int(i)))
			}
		}
		g = g[:n]
		if j == 0 {
			for i, x := range g {
				hs[i] = dh[x]
			}
		} else {
			for i, x := range g {
				hs[i] = hash.Combine(hs[i], dh[x])
			}
		}
	}
	return hs
}

// hashGroups groups the rows of r by the keys keyIdx using r's hashCol as
// the group code, when r has one, has many rows and they are nearly all
// distinct (a merge of partial states that hardly repeat): no key is coded or
// hashed again, and rows that share a hash are checked to share their keys
// too. ok is false when that does not apply or two different keys share a
// hash; the caller then groups by the keys.
func hashGroups(r arrow.Record, keyIdx []int) (gids, first []int32, ok bool) {
	n := int(r.NumRows())
	if !hasHashCol(r) || n < radixMinRows {
		return nil, nil, false
	}
	hs := keyHashes(r, keyIdx)
	// Nearly all distinct? A sample spread over the rows tells (merged
	// partials repeat each group once per partition, far apart; checking
	// every repeat's keys would cost more than coding them).
	sample := 1 << 14
	t := newI64Table(sample)
	distinct := 0
	for s := 0; s < sample; s++ {
		h := hs[s*(n/sample)]
		if _, isNew := t.id(int64(h), int32(distinct)); isNew {
			distinct++
		}
	}
	if distinct < sample-sample/32 {
		return nil, nil, false
	}
	gids, first = radixGroups(hs)
	cols := make([]col, len(keyIdx))
	for j, ki := range keyIdx {
		cols[j] = colOf(r.Column(ki))
	}
	for i, g := range gids {
		if f := int(first[g]); f != i && !rowsEqual(cols, f, i) {
			return nil, nil, false
		}
	}
	return gids, first, true
}

// shuffleSource is the record whose rows a split hands on: partial states
// that aggregated rows lose their hashCol (its merge codes the keys: the
// copy would not pay), one-row-per-input-row states keep it.
func shuffleSource(r arrow.Record) arrow.Record {
	if !hasHashCol(r) || isUnmerged(r) {
		return r
	}
	return dropHashCol(r)
}

// dropHashCol returns r without its last column, hashCol (no copy).
func dropHashCol(r arrow.Record) arrow.Record {
	n := int(r.NumCols()) - 1
	md := r.Schema().Metadata()
	return array.NewRecord(arrow.NewSchema(r.Schema().Fields()[:n], &md), r.Columns()[:n], r.NumRows())
}

// alignHashCols drops hashCol from every record unless all have it (the
// pieces of partitions that did and did not aggregate their rows).
func alignHashCols(recs []arrow.Record) []arrow.Record {
	with := 0
	for _, r := range recs {
		if hasHashCol(r) {
			with++
		}
	}
	if with == 0 || with == len(recs) {
		return recs
	}
	out := make([]arrow.Record, len(recs))
	for i, r := range recs {
		out[i] = r
		if hasHashCol(r) {
			out[i] = dropHashCol(r)
		}
	}
	return out
}
