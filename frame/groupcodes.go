package frame

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"sync"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/frame/internal/listkern"
	"github.com/godask/godask/frame/internal/stats"
)

// encCache holds the dictionary encodings (dense codes per row, first row per
// code) of the string columns of one persisted partition, computed once and
// reused by every groupby over that partition. It is keyed by the column's
// array data, so projections that pass a column through keep the hit.
type encCache struct {
	mu sync.Mutex
	m  map[arrow.ArrayData]*strEnc
	mm map[arrow.ArrayData]intRange
	nc map[narrowKey]*narrowCol
}

// narrowKey names a narrow copy: of a key column (value minus its minimum)
// or of a value column (the values themselves).
type narrowKey struct {
	d   arrow.ArrayData
	key bool
}

// narrowCol is a narrow copy of a null-free integer column of a persisted
// partition, made once on first use by a dense partial sum (denseNarrow),
// which then streams 1, 2 or 4 bytes per row instead of 8. Exactly one of
// the slices is set, or none when the column does not fit. The cost is that
// many extra bytes per persisted row for each column so used (db-benchmark
// q5: id6 4, v1 1, v2 1, so 6 B/row, 60 MB for 1e7 rows).
type narrowCol struct {
	once sync.Once
	u8   []uint8
	u16  []uint16
	u32  []uint32
}

// narrowCopy returns the narrow copy of the null-free integer column c (of
// array a, range lo..hi), from the cache or made now: with key, c minus lo
// as uint32 (when hi-lo < 2^32); else c itself as uint8 or uint16 (when
// 0 <= lo and hi < 2^16). It returns nil when enc is nil, c has nulls or
// does not fit.
func (enc *encCache) narrowCopy(a arrow.Array, c *col, lo, hi int64, key bool) *narrowCol {
	if enc == nil || c.valid != nil || !c.k.intLike() || hi < lo {
		return nil
	}
	if key && uint64(hi)-uint64(lo) > math.MaxUint32 {
		return nil
	}
	if !key && (lo < 0 || hi > math.MaxUint16) {
		return nil
	}
	enc.mu.Lock()
	if enc.nc == nil {
		enc.nc = map[narrowKey]*narrowCol{}
	}
	nk := narrowKey{a.Data(), key}
	e := enc.nc[nk]
	if e == nil {
		e = &narrowCol{}
		enc.nc[nk] = e
	}
	enc.mu.Unlock()
	e.once.Do(func() {
		v := c.i64[:c.n]
		switch {
		case key:
			e.u32 = make([]uint32, len(v))
			for i, x := range v {
				e.u32[i] = uint32(x - lo)
			}
		case hi <= math.MaxUint8:
			e.u8 = make([]uint8, len(v))
			for i, x := range v {
				e.u8[i] = uint8(x)
			}
		default:
			e.u16 = make([]uint16, len(v))
			for i, x := range v {
				e.u16[i] = uint16(x)
			}
		}
	})
	return e
}

// intRange is the smallest and largest non-null value of an integer column;
// any is false when it has none.
type intRange struct {
	lo, hi int64
	any    bool
}

// minMax returns the range of the integer column c (of array a), from the
// cache when enc holds it.
func (enc *encCache) minMax(a arrow.Array, c *col) (lo, hi int64, any bool) {
	if enc == nil {
		return minMaxInt(c)
	}
	enc.mu.Lock()
	r, ok := enc.mm[a.Data()]
	enc.mu.Unlock()
	if ok {
		return r.lo, r.hi, r.any
	}
	lo, hi, any = minMaxInt(c)
	enc.mu.Lock()
	if enc.mm == nil {
		enc.mm = map[arrow.ArrayData]intRange{}
	}
	enc.mm[a.Data()] = intRange{lo, hi, any}
	enc.mu.Unlock()
	return lo, hi, any
}

type strEnc struct {
	once  sync.Once
	gids  []int32
	first []int32
}

// strCodes returns the dictionary codes of the string array a (nulls form a
// code of their own), from the cache when enc holds them.
func (enc *encCache) strCodes(a arrow.Array, c *col) ([]int32, []int32) {
	if enc == nil {
		return keyGroups(c)
	}
	enc.mu.Lock()
	if enc.m == nil {
		enc.m = map[arrow.ArrayData]*strEnc{}
	}
	e := enc.m[a.Data()]
	if e == nil {
		e = &strEnc{}
		enc.m[a.Data()] = e
	}
	enc.mu.Unlock()
	e.once.Do(func() { e.gids, e.first = keyGroups(c) })
	return e.gids, e.first
}

// cachedCodes returns the dictionary codes of the string array a if enc
// holds them (computing nothing otherwise), else nil.
func (enc *encCache) cachedCodes(a arrow.Array) []int32 {
	if enc == nil || a.DataType().ID() != arrow.STRING {
		return nil
	}
	enc.mu.Lock()
	e := enc.m[a.Data()]
	enc.mu.Unlock()
	if e == nil {
		return nil
	}
	e.once.Do(func() { c := colOf(a); e.gids, e.first = keyGroups(&c) })
	return e.gids
}

// warm encodes the string columns of r whose distinct values are at most
// half the rows (the ones worth keeping encoded), notes the range of its
// integer columns, and makes the narrow copies (see narrowCopy) of its
// null-free int64 columns: the value itself as uint8 or uint16 when it lies
// in 0..65535, else its offset from the minimum as uint32 when the range
// fits, the form a dense groupby key takes. Like a database's load into its
// own storage, this costs one pass at Persist and 1, 2 or 4 bytes a row per
// such column, and spares every later dense sum over the column a pass over
// its 8-byte values.
func (enc *encCache) warm(r arrow.Record) {
	for _, a := range r.Columns() {
		if k := kindOf(a.DataType()); k.intLike() {
			c := colOf(a)
			lo, hi, any := enc.minMax(a, &c)
			if k == kInt && any && c.valid == nil {
				if lo >= 0 && hi <= math.MaxUint16 {
					enc.narrowCopy(a, &c, lo, hi, false)
				} else {
					enc.narrowCopy(a, &c, lo, hi, true)
				}
			}
		}
		if kindOf(a.DataType()) != kStr {
			continue
		}
		c := colOf(a)
		if mostlyDistinct(&c) {
			continue // a comment column: not worth a dictionary (nor its garbage)
		}
		_, first := enc.strCodes(a, &c)
		if len(first) > a.Len()/2 {
			enc.mu.Lock()
			delete(enc.m, a.Data())
			enc.mu.Unlock()
		}
	}
}

// mostlyDistinct reports whether more than half of the first rows (up to
// 4096) of the string column c are distinct values: then encoding the whole
// column would give more codes than half its rows and warm would drop the
// encoding again, after a hash pass over every row and a table of every
// distinct string. A groupby by such a column still encodes it on first use
// (strCodes).
func mostlyDistinct(c *col) bool {
	n := min(c.n, 4096)
	if n < 64 {
		return false
	}
	seen := make(map[string]struct{}, n)
	for i := 0; i < n; i++ {
		seen[string(c.data[c.offs[i]:c.offs[i+1]])] = struct{}{}
	}
	return len(seen) > n/2
}

type codeStatus uint8

const (
	codesOK      codeStatus = iota
	codesNoFit              // some key cannot be coded: hash the rows instead
	codesAbandon            // (mayAbandon) too many groups: do not pre-aggregate
)

// groupByCodes groups rows by mapping each key column to a small integer code
// (integers: value minus the minimum; strings: dictionary codes; bools) and
// combining the codes of a row into one uint64. When the combined range is
// small the group of a code is found by direct indexing, otherwise by an
// integer hash table. ok is false when a key does not fit (floats, ranges
// whose product overflows 64 bits), or, with mayAbandon, when a quarter of
// the rows shows that grouping would hardly reduce them.
func groupByCodes(r arrow.Record, keyIdx []int, enc *encCache, mayAbandon bool) (gids, first []int32, st codeStatus) {
	n := int(r.NumRows())
	if len(keyIdx) == 1 {
		a := r.Column(keyIdx[0])
		if a.DataType().ID() == arrow.STRING {
			c := colOf(a)
			g, f := enc.strCodes(a, &c)
			return g, f, codesOK
		}
	}
	// Check the ranges first, so no work is wasted on keys that do not fit.
	type keyRange struct {
		c    col
		lo   int64
		span uint64
	}
	ks := make([]keyRange, len(keyIdx))
	card := uint64(1)
	for j, ki := range keyIdx {
		a := r.Column(ki)
		c := colOf(a)
		kr := keyRange{c: c}
		switch c.k {
		case kInt, kTime, kDate, kDur:
			lo, hi, any := enc.minMax(a, &c)
			if !any {
				kr.span = 1
				break
			}
			d := uint64(hi) - uint64(lo)
			if hi < lo || d >= 1<<62 {
				return nil, nil, codesNoFit
			}
			kr.lo, kr.span = lo, d+1
			if c.valid != nil {
				kr.span++
			}
		case kBool:
			kr.span = 3
		case kStr:
			kr.span = 0 // known after encoding
		default:
			return nil, nil, codesNoFit
		}
		ks[j] = kr
		if kr.span > 0 {
			hi, lo := bits.Mul64(card, kr.span)
			if hi != 0 {
				return nil, nil, codesNoFit
			}
			card = lo
		}
	}
	limit := uint64(2 * n)
	if limit < 1<<16 {
		limit = 1 << 16
	}
	if len(ks) == 1 && ks[0].c.k != kStr && ks[0].c.valid == nil && card <= limit && card <= 1<<27 && ks[0].c.k != kBool {
		// One integer key of a small range: index by value directly.
		base := ks[0].lo
		slot := make([]int32, card)
		gids = make([]int32, n)
		for i, v := range ks[0].c.i64[:n] {
			x := uint64(v - base)
			g := slot[x]
			if g == 0 {
				first = append(first, int32(i))
				g = int32(len(first))
				slot[x] = g
			}
			gids[i] = g - 1
		}
		return gids, first, codesOK
	}
	// Each key's multiplier (strings: after encoding), then the codes,
	// filled by row range: a partial aggregation that gives up after a
	// quarter of the rows codes only those.
	strs := make([][]int32, len(keyIdx))
	for j, ki := range keyIdx {
		kr := &ks[j]
		if kr.c.k != kStr {
			continue
		}
		g, f := enc.strCodes(r.Column(ki), &kr.c)
		kr.span = uint64(len(f))
		hi, lo := bits.Mul64(card, kr.span)
		if hi != 0 {
			return nil, nil, codesNoFit
		}
		card = lo
		strs[j] = g[:n]
	}
	comp := make([]uint64, n)
	fill := func(from, to int) {
		cs := comp[from:to]
		for j := range ks {
			kr := &ks[j]
			c := &kr.c
			switch c.k {
			case kStr:
				d := kr.span
				for i, x := range strs[j][from:to] {
					cs[i] = cs[i]*d + uint64(x)
				}
			case kInt, kTime, kDate, kDur:
				span, base := kr.span, kr.lo
				vs := c.i64[from:to]
				if c.valid == nil {
					for i, v := range vs {
						cs[i] = cs[i]*span + uint64(v-base)
					}
				} else {
					for i, v := range vs {
						x := uint64(0)
						if !c.null(from + i) {
							x = uint64(v-base) + 1
						}
						cs[i] = cs[i]*span + x
					}
				}
			case kBool:
				for i := range cs {
					x := uint64(0)
					if !c.null(from + i) {
						x = 1
						if c.boolAt(from + i) {
							x = 2
						}
					}
					cs[i] = cs[i]*3 + x
				}
			}
		}
	}
	check := -1
	if mayAbandon && n >= 1<<16 && !(card <= limit && card <= 1<<27) {
		check = n / 4
		fill(0, check)
	} else {
		fill(0, n)
	}
	gids = make([]int32, n)
	if card <= limit && card <= 1<<27 {
		slot := make([]int32, card)
		for i, x := range comp {
			g := slot[x]
			if g == 0 {
				first = append(first, int32(i))
				g = int32(len(first))
				slot[x] = g
			}
			gids[i] = g - 1
		}
		return gids, first, codesOK
	}
	// Hash the codes. A sample of the first rows sizes the table: when
	// nearly every sampled row is a new group, reserve room for all rows,
	// or, for many rows, group by radix partitions.
	sample := n
	if sample > 1<<14 {
		sample = 1 << 14
	}
	t := newI64Table(sample)
	for i, x := range comp {
		if i == sample && len(first) > sample/2 {
			if !mayAbandon && n >= radixMinRows {
				gids, first = radixGroups(comp)
				return gids, first, codesOK
			}
			t.reserve(n)
		}
		if i == check {
			if len(first) > check*3/4 {
				return nil, nil, codesAbandon
			}
			fill(check, n)
			x = comp[i]
		}
		g, isNew := t.id(int64(x), int32(len(first)))
		if isNew {
			first = append(first, int32(i))
		}
		gids[i] = g
	}
	return gids, first, codesOK
}

// minMaxInt returns the smallest and largest non-null values of an integer
// column; any is false when it has none.
func minMaxInt(c *col) (lo, hi int64, any bool) {
	vs := c.i64[:c.n]
	if c.valid == nil {
		if len(vs) == 0 {
			return 0, 0, false
		}
		// Four independent running extremes, branch-free.
		l0, l1, l2, l3 := vs[0], vs[0], vs[0], vs[0]
		h0, h1, h2, h3 := l0, l0, l0, l0
		i := 0
		for ; i+4 <= len(vs); i += 4 {
			v := vs[i : i+4 : i+4]
			l0, h0 = min(l0, v[0]), max(h0, v[0])
			l1, h1 = min(l1, v[1]), max(h1, v[1])
			l2, h2 = min(l2, v[2]), max(h2, v[2])
			l3, h3 = min(l3, v[3]), max(h3, v[3])
		}
		for _, v := range vs[i:] {
			l0, h0 = min(l0, v), max(h0, v)
		}
		return min(l0, l1, l2, l3), max(h0, h1, h2, h3), true
	}
	for i, v := range vs {
		if c.null(i) {
			continue
		}
		if !any {
			lo, hi, any = v, v, true
			continue
		}
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi, any
}

// unmergedMeta marks partial-state records that hold one state per row (the
// partial aggregation was skipped): a combine must merge them even alone.
var unmergedMeta = arrow.NewMetadata([]string{"godask.unmerged"}, []string{"1"})

func isUnmerged(r arrow.Record) bool {
	md := r.Schema().Metadata()
	return md.FindKey("godask.unmerged") >= 0
}

// identityOK says whether every aggregation has a one-row state that can be
// made from the input column alone.
func identityOK(aggs []aggSpec) bool {
	for _, a := range aggs {
		if a.k == kBool && a.fn != "size" && a.fn != "count" {
			return false
		}
		switch a.fn {
		case "size", "count", "sum", "mean", "std", "var", "min", "max", "first", "last":
		default:
			return false
		}
	}
	return true
}

// identityPartial is the partial aggregation of rows whose keys hardly
// repeat: each row is its own state (the key columns and values pass through
// uncopied), so the hash work is done once, when the states are merged.
func identityPartial(r arrow.Record, keyIdx []int, aggs []aggSpec) (arrow.Record, error) {
	n := int(r.NumRows())
	fields := make([]arrow.Field, 0, len(keyIdx)+2*len(aggs))
	var cols []arrow.Array
	for _, ki := range keyIdx {
		fields = append(fields, r.Schema().Field(ki))
		cols = append(cols, r.Column(ki))
	}
	var ones arrow.Array
	for _, a := range aggs {
		fields = append(fields, a.stateFields()...)
		if a.fn == "size" {
			if ones == nil {
				v := make([]int64, n)
				for i := range v {
					v[i] = 1
				}
				ones = int64Array(v, nil)
			}
			cols = append(cols, ones)
			continue
		}
		idx := r.Schema().FieldIndices(a.in)
		if len(idx) == 0 {
			return nil, fmt.Errorf("aggregate %s: unknown column %q; the columns are %s", a.fn, a.in, schemaCols(r.Schema()))
		}
		arr := r.Column(idx[0])
		c := colOf(arr)
		cnt := func() arrow.Array {
			v := make([]int64, n)
			for i := range v {
				if !c.null(i) {
					v[i] = 1
				}
			}
			return int64Array(v, nil)
		}
		asFloat := func() arrow.Array {
			if c.k == kFloat {
				return arr
			}
			v := make([]float64, n)
			for i, x := range c.i64[:n] {
				v[i] = float64(x)
			}
			return float64Array(v, nullMask(&c))
		}
		switch a.fn {
		case "count":
			cols = append(cols, cnt())
		case "sum", "min", "max", "first", "last":
			cols = append(cols, arr)
		case "mean":
			cols = append(cols, asFloat(), cnt())
		case "std", "var":
			cols = append(cols, cnt(), asFloat(), float64Array(make([]float64, n), nil))
		}
	}
	return array.NewRecord(arrow.NewSchema(fields, &unmergedMeta), cols, int64(n)), nil
}

// nullMask is the validity of c as bools, nil when it has no nulls.
func nullMask(c *col) []bool {
	if c.valid == nil {
		return nil
	}
	v := make([]bool, c.n)
	for i := range v {
		v[i] = !c.null(i)
	}
	return v
}

// groupMedians computes the median of the non-null values of c per group:
// the values are gathered group by group into one buffer (a counting sort),
// then each group's middle is found by selection, in linear time.
func groupMedians(c *col, gids []int32, ng int) ([]float64, []bool) {
	starts := make([]int, ng+1)
	for i, g := range gids {
		if !c.null(i) {
			starts[g+1]++
		}
	}
	for g := 0; g < ng; g++ {
		starts[g+1] += starts[g]
	}
	pos := append([]int(nil), starts[:ng]...)
	vals := make([]float64, starts[ng])
	for i, g := range gids {
		if !c.null(i) {
			vals[pos[g]] = c.float(i)
			pos[g]++
		}
	}
	out := make([]float64, ng)
	valid := make([]bool, ng)
	for g := 0; g < ng; g++ {
		seg := vals[starts[g]:starts[g+1]]
		if len(seg) == 0 {
			continue
		}
		out[g], valid[g] = median(seg)
	}
	return out, valid
}

// median returns the median of the non-NaN values of v, reordering v, and
// false when v holds none: NaN is skipped, as pandas (SEMANTICS.md).
func median(v []float64) (float64, bool) {
	for i, x := range v {
		if x != x {
			w := v[:i]
			for _, y := range v[i+1:] {
				if y == y {
					w = append(w, y)
				}
			}
			v = w
			break
		}
	}
	if len(v) == 0 {
		return 0, false
	}
	m := len(v) / 2
	stats.Select(v, m)
	if len(v)%2 == 1 {
		return v[m], true
	}
	// v[:m] holds the m smallest: the other middle value is their maximum.
	lo := v[0]
	for _, x := range v[1:m] {
		if x > lo {
			lo = x
		}
	}
	return (lo + v[m]) / 2, true
}

func midOfSorted(v []float64) float64 {
	m := len(v) / 2
	if len(v)%2 == 1 {
		return v[m]
	}
	return (v[m-1] + v[m]) / 2
}

// strSlot is a slot of shortStrGroups' table: a string of at most 16 bytes
// held as two words and its length, so a probe never reads the column data.
type strSlot struct {
	w0, w1 uint64
	n      uint32 // length+1; 0 = empty
	id     int32
}

// shortStrGroups is keyGroups for string columns whose values are all at
// most 16 bytes long (identifiers, codes, categories): each value becomes
// two words and a length, hashed and compared as integers; values of at
// most one byte (flags, one-letter codes: TPC-H's l_returnflag and
// l_linestatus) index a table of 257 ids instead. It fills gids (c.n of
// them); ok is false (and nothing was computed) for longer values.
func shortStrGroups(c *col, gids []int32) (first []int32, ok bool) {
	n := c.n
	offs, data := c.offs[:n+1], c.data
	longest := int32(0)
	for i := 0; i < n; i++ {
		longest = max(longest, offs[i+1]-offs[i])
	}
	if longest > 16 {
		return nil, false
	}
	gids = gids[:n]
	if longest <= 1 {
		return byteStrGroups(c, gids), true
	}
	t := make([]strSlot, 64)
	shift := uint(64 - 6)
	nullID := int32(-1)
	for i := 0; i < n; i++ {
		if c.null(i) {
			gids[i] = nullGroup(&nullID, &first, i)
			continue
		}
		s := data[offs[i]:offs[i+1]]
		w0, w1 := strWords(s)
		ln := uint32(len(s)) + 1
		h := (w0*0x9E3779B97F4A7C15 ^ w1*0xC2B2AE3D27D4EB4F ^ uint64(ln)) * 0x9E3779B97F4A7C15
		mask := len(t) - 1
		p := int(h >> shift)
		for {
			sl := &t[p]
			if sl.n == 0 {
				g := int32(len(first))
				*sl = strSlot{w0: w0, w1: w1, n: ln, id: g}
				first = append(first, int32(i))
				gids[i] = g
				if live := len(first) - btoi(nullID >= 0); live*2 > len(t) {
					t, shift = growStrSlots(t, shift)
				}
				break
			}
			if sl.w0 == w0 && sl.w1 == w1 && sl.n == ln {
				gids[i] = sl.id
				break
			}
			p = (p + 1) & mask
		}
	}
	return first, true
}

// nullGroup is the group id of the nulls of a key column: *id, assigned at
// the first null (row i), which *first records.
func nullGroup(id *int32, first *[]int32, i int) int32 {
	if *id < 0 {
		*id = int32(len(*first))
		*first = append(*first, int32(i))
	}
	return *id
}

// byteStrGroups is shortStrGroups for values of at most one byte: the id
// of the empty string at ids[0], of byte b at ids[1+b], first seen first.
func byteStrGroups(c *col, gids []int32) (first []int32) {
	var ids [257]int32
	for i := range ids {
		ids[i] = -1
	}
	offs, data := c.offs[:c.n+1], c.data
	nullID := int32(-1)
	for i := range gids {
		if c.null(i) {
			gids[i] = nullGroup(&nullID, &first, i)
			continue
		}
		k := 0
		if o := offs[i]; offs[i+1] > o {
			k = 1 + int(data[o])
		}
		g := ids[k]
		if g < 0 {
			g = int32(len(first))
			ids[k] = g
			first = append(first, int32(i))
		}
		gids[i] = g
	}
	return first
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// strWords packs a string of at most 16 bytes into two words (with its
// length, a unique representation).
func strWords(s []byte) (uint64, uint64) {
	switch n := len(s); {
	case n >= 8:
		return binary.LittleEndian.Uint64(s), binary.LittleEndian.Uint64(s[n-8:])
	case n >= 4:
		return uint64(binary.LittleEndian.Uint32(s)) | uint64(binary.LittleEndian.Uint32(s[n-4:]))<<32, 0
	}
	var w uint64
	for j, b := range s {
		w |= uint64(b) << (8 * j)
	}
	return w, 0
}

func growStrSlots(t []strSlot, shift uint) ([]strSlot, uint) {
	nt := make([]strSlot, len(t)*2)
	shift--
	mask := len(nt) - 1
	for _, sl := range t {
		if sl.n == 0 {
			continue
		}
		h := (sl.w0*0x9E3779B97F4A7C15 ^ sl.w1*0xC2B2AE3D27D4EB4F ^ uint64(sl.n)) * 0x9E3779B97F4A7C15
		p := int(h >> shift)
		for nt[p].n != 0 {
			p = (p + 1) & mask
		}
		nt[p] = sl
	}
	return nt, shift
}

// splitIdx hash-partitions the rows of r by its key columns keyIdx into p
// lists of row indices.
func splitIdx(r arrow.Record, keyIdx []int, p int) [][]int32 {
	return splitHashes(keyHashes(r, keyIdx), p)
}

// splitHashes hash-partitions rows by their hashes hs into p lists (piece
// (h>>32) % p, the placement partitioning (copart.go) describes).
func splitHashes(hs []uint64, p int) [][]int32 {
	if p > 256 {
		return splitHashesWide(hs, p)
	}
	dest := make([]uint8, len(hs))
	cnt := make([]int, p)
	// (h>>32) % p by a multiplication (Lemire's fastmod: exact for a 32-bit
	// dividend and p < 2^32).
	m := ^uint64(0)/uint64(p) + 1
	for i, h := range hs {
		hi, _ := bits.Mul64(m*(h>>32), uint64(p))
		dest[i] = uint8(hi)
		cnt[hi]++
	}
	return gatherDest(dest, cnt)
}

// splitHashesWide is splitHashes for more than 256 pieces.
func splitHashesWide(hs []uint64, p int) [][]int32 {
	dest := make([]int32, len(hs))
	cnt := make([]int, p)
	m := ^uint64(0)/uint64(p) + 1
	for i, h := range hs {
		hi, _ := bits.Mul64(m*(h>>32), uint64(p))
		dest[i] = int32(hi)
		cnt[hi]++
	}
	return gatherDest(dest, cnt)
}

// gatherDest turns each row's piece dest (cnt rows per piece) into the row
// indices of each piece. Empty pieces are empty, not nil (nil means every
// row to gatherRecords); make of length 0 allocates nothing.
func gatherDest[D uint8 | int32](dest []D, cnt []int) [][]int32 {
	idx := make([][]int32, len(cnt))
	pos := make([]int, len(cnt))
	for j := range idx {
		idx[j] = make([]int32, cnt[j])
	}
	for i, j := range dest {
		idx[j][pos[j]] = int32(i)
		pos[j]++
	}
	return idx
}

// gatherRecords concatenates the rows idx[k] of srcs[k] (all rows where
// idx[k] is nil), column by column, into one record with the schema of
// srcs[0] (metadata dropped).
func gatherRecords(srcs []arrow.Record, idx [][]int32) (arrow.Record, error) {
	sch := srcs[0].Schema()
	total := 0
	rows := make([]int, len(srcs))
	for k, s := range srcs {
		if !s.Schema().Equal(sch) {
			return nil, fmt.Errorf("gather: schema %s differs from %s", s.Schema(), sch)
		}
		rows[k] = int(s.NumRows())
		if idx[k] != nil {
			rows[k] = len(idx[k])
		}
		total += rows[k]
	}
	at := func(k, j int) int {
		if idx[k] == nil {
			return j
		}
		return int(idx[k][j])
	}
	cols := make([]arrow.Array, sch.NumFields())
	for ci := range cols {
		if isFloatList(sch.Field(ci).Type) {
			a, err := gatherFloatLists(srcs, ci, idx) // stats_qgroup.go
			if err != nil {
				return nil, fmt.Errorf("gather: column %q: %w", sch.Field(ci).Name, err)
			}
			cols[ci] = a
			continue
		}
		if isCategorical(sch.Field(ci).Type) {
			a, err := gatherCategorical(srcs, ci, idx) // categorical.go
			if err != nil {
				return nil, fmt.Errorf("gather: column %q: %w", sch.Field(ci).Name, err)
			}
			cols[ci] = a
			continue
		}
		cs := make([]col, len(srcs))
		hasNull := false
		for k, s := range srcs {
			cs[k] = colOf(s.Column(ci))
			hasNull = hasNull || cs[k].valid != nil
		}
		var valid []bool
		if hasNull {
			valid = make([]bool, 0, total)
			for k := range cs {
				for j := 0; j < rows[k]; j++ {
					valid = append(valid, !cs[k].null(at(k, j)))
				}
			}
		}
		switch cs[0].k {
		case kInt, kTime, kDate, kDur:
			out := make([]int64, total)
			gatherInto(out, cs, idx, rows, func(c *col) []int64 { return c.i64 })
			cols[ci] = intsArray(cs[0].k, out, valid)
		case kFloat:
			out := make([]float64, total)
			gatherInto(out, cs, idx, rows, func(c *col) []float64 { return c.f64 })
			cols[ci] = float64Array(out, valid)
		case kBool:
			out := make([]bool, 0, total)
			for k := range cs {
				for j := 0; j < rows[k]; j++ {
					out = append(out, cs[k].boolAt(at(k, j)))
				}
			}
			cols[ci] = boolArray(out, valid)
		case kStr:
			nb := 0
			for k := range cs {
				c := &cs[k]
				for j := 0; j < rows[k]; j++ {
					i := at(k, j)
					nb += int(c.offs[i+1] - c.offs[i])
				}
			}
			offs := make([]int32, 1, total+1)
			data := make([]byte, 0, nb)
			for k := range cs {
				c := &cs[k]
				for j := 0; j < rows[k]; j++ {
					i := at(k, j)
					data = append(data, c.data[c.offs[i]:c.offs[i+1]]...)
					offs = append(offs, int32(len(data)))
				}
			}
			cols[ci] = strArray(offs, data, valid)
		default:
			// Types without a kernel here (list columns): Arrow slices.
			parts := make([]arrow.Array, len(srcs))
			for k, s := range srcs {
				if idx[k] == nil {
					parts[k] = s.Column(ci)
					continue
				}
				a, err := listkern.Take(s.Column(ci), idx[k])
				if err != nil {
					return nil, fmt.Errorf("gather: column %q: %w", sch.Field(ci).Name, err)
				}
				parts[k] = a
			}
			a, err := array.Concatenate(parts, memory.DefaultAllocator)
			if err != nil {
				return nil, fmt.Errorf("gather: column %q: %w", sch.Field(ci).Name, err)
			}
			cols[ci] = a
		}
	}
	return array.NewRecord(arrow.NewSchema(sch.Fields(), nil), cols, int64(total)), nil
}

// gatherInto writes the rows idx[k] of each column cs[k] (all of its rows
// when idx[k] is nil) one after another into out.
func gatherInto[T int64 | float64](out []T, cs []col, idx [][]int32, rows []int, vals func(*col) []T) {
	at := 0
	for k := range cs {
		vs := vals(&cs[k])
		if idx[k] == nil {
			at += copy(out[at:], vs[:rows[k]])
			continue
		}
		dst := out[at : at+len(idx[k])]
		for j, i := range idx[k] {
			dst[j] = vs[i]
		}
		at += len(dst)
	}
}
