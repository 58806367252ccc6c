package frame

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// Sorting kernels. Order is pandas' sort_values(kind="stable",
// na_position="last"): nulls and float NaN (both NA) go after every value,
// whatever the direction; ties on one key are broken by the next; rows equal
// on every key keep their input order.

// sortKeyCols returns the key columns of r and checks that each can be
// sorted.
func sortKeyCols(r arrow.Record, by []string) ([]col, error) {
	idx, err := fieldIndices(r.Schema(), by)
	if err != nil {
		return nil, err
	}
	cs := make([]col, len(idx))
	for i, j := range idx {
		if kindOf(r.Schema().Field(j).Type) == kInvalid {
			return nil, fmt.Errorf("cannot sort by column %q of type %s", by[i], r.Schema().Field(j).Type)
		}
		cs[i] = sortCol(r.Column(j)) // categorical.go: codes for a categorical
	}
	return cs, nil
}

// isNA reports whether row i of c is null or NaN.
func isNA(c *col, i int) bool {
	return c.null(i) || (c.k == kFloat && c.f64[i] != c.f64[i])
}

// cmpVal compares the non-NA values a[i] and b[j] of one kind.
func cmpVal(a *col, i int, b *col, j int) int {
	switch a.k {
	case kStr:
		return bytes.Compare(a.str(i), b.str(j))
	case kFloat:
		return cmp.Compare(a.f64[i], b.f64[j])
	case kBool:
		x, y := a.boolAt(i), b.boolAt(j)
		if x == y {
			return 0
		}
		if y {
			return -1
		}
		return 1
	default:
		return cmp.Compare(a.i64[i], b.i64[j])
	}
}

// cmpRows compares row i of the key columns a with row j of b in sort
// order (desc per key, NA last).
func cmpRows(a []col, i int, b []col, j int, desc []bool) int {
	for k := range a {
		na, nb := isNA(&a[k], i), isNA(&b[k], j)
		if na || nb {
			if na && nb {
				continue
			}
			if na {
				return 1
			}
			return -1
		}
		if c := cmpVal(&a[k], i, &b[k], j); c != 0 {
			if desc[k] {
				return -c
			}
			return c
		}
	}
	return 0
}

// sortPerm returns the stable sorting permutation of the rows of the key
// columns cs (all of n rows): one stable radix pass per key, last key
// first, so no row comparison runs except between strings that agree on
// their first distinguishing bytes.
func sortPerm(cs []col, desc []bool, n int) []int32 {
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	for k := len(cs) - 1; k >= 0; k-- {
		perm = stableBy(&cs[k], desc[k], perm)
	}
	return perm
}

// stableBy reorders perm stably by the values of c (NA last, in their
// order in perm): numbers by their order-preserving 64-bit keys; strings by
// the 8 bytes after the prefix all of them share, then, within runs that
// agree on those, by comparing the strings.
func stableBy(c *col, desc bool, perm []int32) []int32 {
	keys := make([]uint64, 0, len(perm))
	out := make([]int32, 0, len(perm))
	var na []int32
	flip := uint64(0)
	if desc {
		flip = math.MaxUint64
	}
	str := c.k == kStr
	pre := 0
	if str {
		pre = commonPrefix(c, perm)
	}
	for _, i := range perm {
		if isNA(c, int(i)) {
			na = append(na, i)
			continue
		}
		var u uint64
		if str {
			u = strKey(c.str(int(i)), pre)
		} else {
			u = orderKey(c, int(i))
		}
		keys = append(keys, u^flip)
		out = append(out, i)
	}
	radixSort(keys, out)
	if str {
		fixStringRuns(c, desc, keys, out, pre)
	}
	return append(out, na...)
}

// commonPrefix is the length of the prefix every non-null string of c at
// perm shares.
func commonPrefix(c *col, perm []int32) int {
	var first []byte
	l := -1
	for _, i := range perm {
		if c.null(int(i)) {
			continue
		}
		s := c.str(int(i))
		if l < 0 {
			first, l = s, len(s)
			continue
		}
		if len(s) < l {
			l = len(s)
		}
		for k := 0; k < l; k++ {
			if s[k] != first[k] {
				l = k
				break
			}
		}
		if l == 0 {
			return 0
		}
	}
	if l < 0 {
		return 0
	}
	return l
}

// strKey is the big-endian word of s[pre:pre+8], zero-padded.
func strKey(s []byte, pre int) uint64 {
	if len(s) >= pre+8 {
		return binary.BigEndian.Uint64(s[pre:])
	}
	var b [8]byte
	copy(b[:], s[pre:])
	return binary.BigEndian.Uint64(b[:])
}

// fixStringRuns sorts, by comparing the strings, each run of rows whose
// keys agree but whose strings may differ (longer than the key covers, or
// of different lengths: zero padding hides trailing zero bytes).
func fixStringRuns(c *col, desc bool, keys []uint64, rows []int32, pre int) {
	for a := 0; a < len(keys); {
		b := a + 1
		for b < len(keys) && keys[b] == keys[a] {
			b++
		}
		if b-a > 1 {
			n0 := len(c.str(int(rows[a])))
			need := false
			for _, i := range rows[a:b] {
				if l := len(c.str(int(i))); l > pre+8 || l != n0 {
					need = true
					break
				}
			}
			if need {
				slices.SortStableFunc(rows[a:b], func(x, y int32) int {
					r := bytes.Compare(c.str(int(x)), c.str(int(y)))
					if desc {
						return -r
					}
					return r
				})
			}
		}
		a = b
	}
}

// orderKey maps the non-NA value c[i] to a uint64 whose unsigned order is
// the values' ascending order.
func orderKey(c *col, i int) uint64 {
	switch c.k {
	case kFloat:
		x := c.f64[i]
		if x == 0 {
			x = 0 // -0 sorts with +0
		}
		b := math.Float64bits(x)
		if b>>63 != 0 {
			return ^b
		}
		return b | 1<<63
	case kBool:
		if c.boolAt(i) {
			return 1
		}
		return 0
	default:
		return uint64(c.i64[i]) ^ 1<<63
	}
}

// radixSort sorts keys ascending, carrying vals along, stably; byte
// positions on which all keys agree are skipped.
func radixSort(keys []uint64, vals []int32) {
	n := len(keys)
	if n < 2 {
		return
	}
	if n < 256 {
		type kv struct {
			k uint64
			v int32
		}
		s := make([]kv, n)
		for i := range s {
			s[i] = kv{keys[i], vals[i]}
		}
		slices.SortStableFunc(s, func(a, b kv) int {
			if a.k < b.k {
				return -1
			}
			if a.k > b.k {
				return 1
			}
			return 0
		})
		for i := range s {
			keys[i], vals[i] = s[i].k, s[i].v
		}
		return
	}
	var counts [8][256]int
	for _, k := range keys {
		for b := 0; b < 8; b++ {
			counts[b][byte(k>>(8*b))]++
		}
	}
	k2 := make([]uint64, n)
	v2 := make([]int32, n)
	src, dst := keys, k2
	sv, dv := vals, v2
	for b := 0; b < 8; b++ {
		cnt := &counts[b]
		if cnt[byte(keys[0]>>(8*b))] == n {
			continue // every key has this byte
		}
		var offs [256]int
		sum := 0
		for d := 0; d < 256; d++ {
			offs[d] = sum
			sum += cnt[d]
		}
		shift := uint(8 * b)
		for i, k := range src {
			d := byte(k >> shift)
			o := offs[d]
			dst[o], dv[o] = k, sv[i]
			offs[d] = o + 1
		}
		src, dst = dst, src
		sv, dv = dv, sv
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
		copy(vals, sv)
	}
}

// sortRecordBy sorts r by the columns by, descending where desc says.
func sortRecordBy(r arrow.Record, by []string, desc []bool) (arrow.Record, error) {
	cs, err := sortKeyCols(r, by)
	if err != nil {
		return nil, err
	}
	perm := sortPerm(cs, desc, int(r.NumRows()))
	cols := make([]arrow.Array, r.NumCols())
	for i := range cols {
		if kindOf(r.Column(i).DataType()) == kStr && !isCategorical(r.Column(i).DataType()) {
			cols[i] = takeStrings(r.Column(i), perm)
		} else {
			cols[i] = takeCol(r.Column(i), perm)
		}
	}
	return array.NewRecord(r.Schema(), cols, int64(len(perm))), nil
}

// takeStrings is takeCol for a string column and valid indices: strings of
// up to 16 bytes move as two machine words (the destination has room to
// spare; the next string overwrites the excess), not by a memmove call each.
func takeStrings(a arrow.Array, idx []int32) arrow.Array {
	c := colOf(a)
	var valid []bool
	if c.valid != nil {
		valid = make([]bool, len(idx))
		for j, i := range idx {
			valid[j] = !c.null(int(i))
		}
	}
	offs := make([]int32, len(idx)+1)
	total := int32(0)
	for j, i := range idx {
		total += c.offs[i+1] - c.offs[i]
		offs[j+1] = total
	}
	data := make([]byte, total+16)
	src := c.data
	for j, i := range idx {
		s, e, d := c.offs[i], c.offs[i+1], offs[j]
		if e-s <= 16 && int(s)+16 <= len(src) {
			le.PutUint64(data[d:], le.Uint64(src[s:]))
			le.PutUint64(data[d+8:], le.Uint64(src[s+8:]))
		} else {
			copy(data[d:], src[s:e])
		}
	}
	return strArray(offs, data[:total], valid)
}

var le = binary.LittleEndian
