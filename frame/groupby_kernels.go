package frame

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/internal/hash"
)

// i64Table maps int64 keys to dense group ids: open addressing, linear
// probing, Fibonacci hashing, key and id side by side in one flat slice (one
// cache line per probe).
type i64Table struct {
	slots []i64Slot
	shift uint
	n     int
}

type i64Slot struct {
	key int64
	id  int32 // id+1; 0 = empty
}

func newI64Table(hint int) *i64Table {
	t := &i64Table{}
	t.alloc(tableSize(hint))
	return t
}

// tableSize is the power of two that holds hint keys at most half full.
func tableSize(hint int) int {
	size := 16
	for size < hint*2 {
		size *= 2
	}
	return size
}

func (t *i64Table) alloc(size int) {
	t.slots = make([]i64Slot, size)
	t.shift = uint(64 - log2(size))
}

func log2(n int) int {
	l := 0
	for 1<<l < n {
		l++
	}
	return l
}

// id returns the group of k, adding it as group next if new.
func (t *i64Table) id(k int64, next int32) (int32, bool) {
	mask := len(t.slots) - 1
	s := int((uint64(k) * 0x9E3779B97F4A7C15) >> t.shift)
	for {
		sl := &t.slots[s]
		if sl.id == 0 {
			sl.key, sl.id = k, next+1
			t.n++
			if t.n*2 > len(t.slots) {
				t.rehash(len(t.slots) * 2)
			}
			return next, true
		}
		if sl.key == k {
			return sl.id - 1, false
		}
		s = (s + 1) & mask
	}
}

// reserve grows the table to hold hint keys without further regrowth.
func (t *i64Table) reserve(hint int) {
	if size := tableSize(hint); size > len(t.slots) {
		t.rehash(size)
	}
}

func (t *i64Table) rehash(size int) {
	old := t.slots
	t.alloc(size)
	mask := len(t.slots) - 1
	for _, o := range old {
		if o.id == 0 {
			continue
		}
		s := int((uint64(o.key) * 0x9E3779B97F4A7C15) >> t.shift)
		for t.slots[s].id != 0 {
			s = (s + 1) & mask
		}
		t.slots[s] = o
	}
}

// keyGroups assigns each row a dense group id from one key column; nulls form
// their own group. It returns the ids, the number of groups, and the first
// row of each group.
func keyGroups(c *col) ([]int32, []int32) {
	n := c.n
	gids := make([]int32, n)
	var first []int32
	nullID := int32(-1)
	switch c.k {
	case kStr:
		if f, ok := shortStrGroups(c, gids); ok {
			return gids, f
		}
		size := 64
		t := struct {
			hs  []uint64
			ids []int32
		}{}
		alloc := func(sz int) {
			t.hs = make([]uint64, sz)
			t.ids = make([]int32, sz)
		}
		alloc(size)
		var hashes []uint64 // hash of each group's key, for regrowth
		for i := 0; i < n; i++ {
			if c.null(i) {
				if nullID < 0 {
					nullID = int32(len(first))
					first = append(first, int32(i))
					hashes = append(hashes, 0)
				}
				gids[i] = nullID
				continue
			}
			s := c.data[c.offs[i]:c.offs[i+1]]
			h := hash.Bytes(s)
			mask := uint64(len(t.ids) - 1)
			p := h & mask
			for {
				v := t.ids[p]
				if v == 0 {
					g := int32(len(first))
					t.ids[p], t.hs[p] = g+1, h
					first = append(first, int32(i))
					hashes = append(hashes, h)
					gids[i] = g
					if len(first)*2 > len(t.ids) {
						alloc(len(t.ids) * 2)
						m2 := uint64(len(t.ids) - 1)
						for g2, h2 := range hashes {
							if int32(g2) == nullID {
								continue
							}
							q := h2 & m2
							for t.ids[q] != 0 {
								q = (q + 1) & m2
							}
							t.ids[q], t.hs[q] = int32(g2)+1, h2
						}
					}
					break
				}
				if t.hs[p] == h {
					f := first[v-1]
					if string(c.data[c.offs[f]:c.offs[f+1]]) == string(s) {
						gids[i] = v - 1
						break
					}
				}
				p = (p + 1) & mask
			}
		}
		return gids, first
	case kInt, kTime, kDate, kDur, kFloat, kBool:
		t := newI64Table(64)
		for i := 0; i < n; i++ {
			if c.null(i) {
				gids[i] = nullGroup(&nullID, &first, i)
				continue
			}
			var k int64
			switch c.k {
			case kFloat:
				f := c.f64[i]
				if f == 0 {
					f = 0
				}
				if f != f {
					f = math.NaN()
				}
				k = int64(math.Float64bits(f))
			case kBool:
				if c.boolAt(i) {
					k = 1
				}
			default:
				k = c.i64[i]
			}
			g, isNew := t.id(k, int32(len(first)))
			if isNew {
				first = append(first, int32(i))
			}
			gids[i] = g
		}
		return gids, first
	}
	panic(fmt.Sprintf("frame: group by a %v column", c.k.dtype()))
}

// groupRows assigns dense group ids to the rows of r by the key columns
// keyIdx; first[g] is the first row of group g.
func groupRows(r arrow.Record, keyIdx []int) ([]int32, []int32) {
	gids, first, _ := groupRowsMaybe(r, keyIdx, nil, false)
	return gids, first
}

// groupRowsMaybe is groupRows that, with mayAbandon, may give up (abandoned
// true) on keys of so many groups that a partial aggregation would not pay.
func groupRowsMaybe(r arrow.Record, keyIdx []int, enc *encCache, mayAbandon bool) ([]int32, []int32, bool) {
	n := int(r.NumRows())
	if len(keyIdx) == 0 {
		gids := make([]int32, n)
		if n == 0 {
			return gids, []int32{-1}, false
		}
		return gids, []int32{0}, false
	}
	switch gids, first, st := groupByCodes(r, keyIdx, enc, mayAbandon); st {
	case codesOK:
		return gids, first, false
	case codesAbandon:
		return nil, nil, true
	}
	if len(keyIdx) == 1 {
		c0 := colOf(r.Column(keyIdx[0]))
		gids, first := keyGroups(&c0)
		return gids, first, false
	}
	// Several keys: one pass over a table of row hashes, comparing the key
	// columns of the group's first row on a hash match.
	cols := make([]col, len(keyIdx))
	for j, ki := range keyIdx {
		cols[j] = colOf(r.Column(ki))
	}
	hs := rowHashes(r, keyIdx)
	gids := make([]int32, n)
	var first []int32
	size := 1024
	for size < n/4 {
		size *= 2
	}
	th := make([]uint64, size)
	ti := make([]int32, size)
	var ghash []uint64
	for i := 0; i < n; i++ {
		h := hs[i]
		mask := uint64(len(ti) - 1)
		p := h & mask
		for {
			v := ti[p]
			if v == 0 {
				g := int32(len(first))
				ti[p], th[p] = g+1, h
				first = append(first, int32(i))
				ghash = append(ghash, h)
				gids[i] = g
				if len(first)*2 > len(ti) {
					th = make([]uint64, len(ti)*2)
					ti = make([]int32, len(ti)*2)
					m2 := uint64(len(ti) - 1)
					for g2, h2 := range ghash {
						q := h2 & m2
						for ti[q] != 0 {
							q = (q + 1) & m2
						}
						ti[q], th[q] = int32(g2)+1, h2
					}
				}
				break
			}
			if th[p] == h && rowsEqual(cols, int(first[v-1]), i) {
				gids[i] = v - 1
				break
			}
			p = (p + 1) & mask
		}
	}
	return gids, first, false
}

func rowsEqual(cols []col, a, b int) bool {
	for j := range cols {
		c := &cols[j]
		na, nb := c.null(a), c.null(b)
		if na || nb {
			if na != nb {
				return false
			}
			continue
		}
		switch c.k {
		case kStr:
			if string(c.str(a)) != string(c.str(b)) {
				return false
			}
		case kFloat:
			if c.f64[a] != c.f64[b] && !(c.f64[a] != c.f64[a] && c.f64[b] != c.f64[b]) {
				return false
			}
		case kBool:
			if c.boolAt(a) != c.boolAt(b) {
				return false
			}
		default:
			if c.i64[a] != c.i64[b] {
				return false
			}
		}
	}
	return true
}

// rowHashes hashes the key columns of each row (stable across processes), for
// hash partitioning.
func rowHashes(r arrow.Record, keyIdx []int) []uint64 {
	n := int(r.NumRows())
	hs := make([]uint64, n)
	for j, ki := range keyIdx {
		c := colOf(r.Column(ki))
		put := func(i int, h uint64) {
			if j == 0 {
				hs[i] = h
			} else {
				hs[i] = hash.Combine(hs[i], h)
			}
		}
		switch {
		case (c.k.intLike()) && c.valid == nil:
			vs := c.i64[:n]
			if j == 0 {
				for i, v := range vs {
					hs[i] = hash.Uint64(uint64(v))
				}
			} else {
				for i, v := range vs {
					hs[i] = hash.Combine(hs[i], hash.Uint64(uint64(v)))
				}
			}
		case c.k == kStr && c.valid == nil:
			offs, data := c.offs[:n+1], c.data
			for i := 0; i < n; i++ {
				put(i, hash.Bytes(data[offs[i]:offs[i+1]]))
			}
		default:
			for i := 0; i < n; i++ {
				var h uint64
				switch {
				case c.null(i):
					h = 0x51ed27
				case c.k == kStr:
					h = hash.Bytes(c.str(i))
				case c.k == kFloat:
					f := c.f64[i]
					if f == 0 {
						f = 0
					}
					h = hash.Uint64(math.Float64bits(f))
				case c.k == kBool:
					if c.boolAt(i) {
						h = hash.Uint64(1)
					} else {
						h = hash.Uint64(0)
					}
				default:
					h = hash.Uint64(uint64(c.i64[i]))
				}
				put(i, h)
			}
		}
	}
	return hs
}

// aggSpec is one aggregation of a groupby: fn over the column in, named out.
type aggSpec struct {
	fn  string
	in  string
	out string
	k   kind // input kind
}

func holistic(fn string) bool { return fn == "nunique" || fn == "median" }

// stateFields are the partial-state columns of an aggregation.
func (a aggSpec) stateFields() []arrow.Field {
	f := func(suffix string, t arrow.DataType) arrow.Field {
		return arrow.Field{Name: a.out + "#" + suffix, Type: t, Nullable: true}
	}
	switch a.fn {
	case "sum":
		if a.k == kFloat {
			return []arrow.Field{f("s", Float64)}
		}
		return []arrow.Field{f("s", Int64)}
	case "count", "size":
		return []arrow.Field{f("c", Int64)}
	case "mean":
		return []arrow.Field{f("s", Float64), f("c", Int64)}
	case "std", "var":
		return []arrow.Field{f("c", Int64), f("m", Float64), f("q", Float64)}
	case "min", "max", "first", "last":
		k := a.k
		if k == kBool {
			k = kInt
		}
		return []arrow.Field{f("v", k.dtype())}
	}
	return nil
}

func (a aggSpec) outType() arrow.DataType {
	switch a.fn {
	case "sum":
		if a.k == kFloat {
			return Float64
		}
		return Int64
	case "count", "size", "nunique":
		return Int64
	case "mean", "std", "var", "median":
		return Float64
	case "min", "max":
		if a.k == kBool {
			return Int64
		}
	}
	return a.k.dtype()
}

// partialAgg computes per-group partial states of r: key columns then state
// columns, one row per group in first-seen order.
func partialAgg(r arrow.Record, keys []string, aggs []aggSpec, enc *encCache) (arrow.Record, error) {
	keyIdx, err := fieldIndices(r.Schema(), keys)
	if err != nil {
		return nil, err
	}
	rec, ok, err := densePartial(r, keyIdx, aggs, enc)
	if err == nil && !ok {
		rec, err = hashPartial(r, keyIdx, keys, aggs, enc)
	}
	if err != nil || len(keys) == 0 {
		return rec, err
	}
	// The states carry their keys' hashes (see hashCol).
	var hs []uint64
	if isUnmerged(rec) {
		hs = rowHashesEnc(r, keyIdx, enc)
	} else {
		own := make([]int, len(keys))
		for j := range own {
			own[j] = j
		}
		hs = rowHashes(rec, own)
	}
	return withHashCol(rec, hs), nil
}

// hashPartial is partialAgg by group ids (codes or hashing).
func hashPartial(r arrow.Record, keyIdx []int, keys []string, aggs []aggSpec, enc *encCache) (arrow.Record, error) {
	gids, first, abandoned := groupRowsMaybe(r, keyIdx, enc, identityOK(aggs))
	if abandoned {
		return identityPartial(r, keyIdx, aggs)
	}
	ng := len(first)
	if r.NumRows() == 0 && len(keys) > 0 {
		ng = 0
	}
	fields := make([]arrow.Field, 0, len(keys)+2*len(aggs))
	var cols []arrow.Array
	for _, ki := range keyIdx {
		fields = append(fields, r.Schema().Field(ki))
		cols = append(cols, takeCol(r.Column(ki), first[:ng]))
	}
	var memo kernelMemo
	for _, a := range aggs {
		var c col
		if a.fn != "size" {
			idx := r.Schema().FieldIndices(a.in)
			if len(idx) == 0 {
				return nil, fmt.Errorf("aggregate %s: unknown column %q; the columns are %s", a.fn, a.in, schemaCols(r.Schema()))
			}
			c = colOf(r.Column(idx[0]))
		}
		fields = append(fields, a.stateFields()...)
		cols = append(cols, partialKernel(a, &c, gids, ng, &memo)...)
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(ng)), nil
}

// kernelMemo keeps, within one partial aggregation (one gids), the float
// sums and counts already computed by column, and the group sizes, so
// sum(x), mean(x) and count(x) of one column (q1's sum and avg of the same
// columns) make one pass each; a column without nulls counts as the sizes.
type kernelMemo struct {
	sums map[string][]float64
	cnts map[string][]int64
	size []int64
}

func (m *kernelMemo) sizes(gids []int32, ng int) []int64 {
	if m != nil && m.size != nil {
		return slices.Clone(m.size)
	}
	cnt := make([]int64, ng)
	for _, g := range gids {
		cnt[g]++
	}
	if m != nil {
		m.size = slices.Clone(cnt)
	}
	return cnt
}

func (m *kernelMemo) counts(name string, c *col, gids []int32, ng int) []int64 {
	if c.valid == nil {
		return m.sizes(gids, ng)
	}
	if m == nil {
		return counts(c, gids, ng)
	}
	if v, ok := m.cnts[name]; ok {
		return slices.Clone(v)
	}
	v := counts(c, gids, ng)
	if m.cnts == nil {
		m.cnts = map[string][]int64{}
	}
	m.cnts[name] = slices.Clone(v)
	return v
}

func (m *kernelMemo) sumF(name string, c *col, gids []int32, ng int) []float64 {
	if m == nil {
		return sumF(c, gids, ng)
	}
	if v, ok := m.sums[name]; ok {
		return slices.Clone(v)
	}
	v := sumF(c, gids, ng)
	if m.sums == nil {
		m.sums = map[string][]float64{}
	}
	m.sums[name] = slices.Clone(v)
	return v
}

// partialKernel computes the state columns of one aggregation over the rows'
// groups gids (ng groups). m, when not nil, shares passes between the
// aggregations of one partial (see kernelMemo).
func partialKernel(a aggSpec, c *col, gids []int32, ng int, m *kernelMemo) []arrow.Array {
	switch a.fn {
	case "size":
		return []arrow.Array{int64Array(m.sizes(gids, ng), nil)}
	case "count":
		return []arrow.Array{int64Array(m.counts(a.in, c, gids, ng), nil)}
	case "sum":
		if c.k == kFloat {
			return []arrow.Array{float64Array(m.sumF(a.in, c, gids, ng), nil)}
		}
		return []arrow.Array{int64Array(sumI(c, gids, ng), nil)}
	case "mean":
		var s []float64
		switch c.k {
		case kFloat:
			s = m.sumF(a.in, c, gids, ng)
		case kBool:
			si := sumI(c, gids, ng)
			s = make([]float64, ng)
			for i, v := range si {
				s[i] = float64(v)
			}
		default:
			// In float64, as pandas: an int64 sum could wrap (SEMANTICS.md).
			s = make([]float64, ng)
			vs := c.i64[:len(gids)]
			for i, g := range gids {
				if !c.null(i) {
					s[g] += float64(vs[i])
				}
			}
		}
		return []arrow.Array{float64Array(s, nil), int64Array(m.counts(a.in, c, gids, ng), nil)}
	case "std", "var":
		cnt := counts(c, gids, ng)
		mean := make([]float64, ng)
		for i := range gids {
			if !c.null(i) {
				mean[gids[i]] += c.float(i)
			}
		}
		for g := range mean {
			if cnt[g] > 0 {
				mean[g] /= float64(cnt[g])
			}
		}
		q := make([]float64, ng)
		for i, g := range gids {
			if !c.null(i) {
				d := c.float(i) - mean[g]
				q[g] += d * d
			}
		}
		return []arrow.Array{int64Array(cnt, nil), float64Array(mean, nil), float64Array(q, nil)}
	case "min", "max", "first", "last":
		return []arrow.Array{pickKernel(a.fn, c, gids, ng)}
	}
	panic("frame: partial of " + a.fn)
}

// intSumsFit reports whether no sum of at most n values in lo..hi can
// leave int64's range, so an int64 accumulator is exact.
func intSumsFit(lo, hi int64, n int) bool {
	m := uint64(hi)
	if hi < 0 {
		m = uint64(-(hi + 1)) + 1
	}
	if lo < 0 {
		if l := uint64(-(lo + 1)) + 1; l > m {
			m = l
		}
	}
	return m == 0 || uint64(n) <= uint64(math.MaxInt64)/m
}

func counts(c *col, gids []int32, ng int) []int64 {
	cnt := make([]int64, ng)
	if c.valid == nil {
		for _, g := range gids {
			cnt[g]++
		}
		return cnt
	}
	for i, g := range gids {
		if !c.null(i) {
			cnt[g]++
		}
	}
	return cnt
}

func sumF(c *col, gids []int32, ng int) []float64 {
	return sumInto(make([]float64, ng), c, c.f64, gids)
}

// sumInto adds vs[i] into s[gids[i]] for every non-null row of c.
func sumInto[T int64 | float64](s []T, c *col, vs []T, gids []int32) []T {
	if c.valid == nil {
		vs = vs[:len(gids)]
		if len(s) <= laneGroups && len(gids) >= 4*sumLanes*len(s) {
			return sumLaned(s, vs, gids)
		}
		for i, g := range gids {
			s[g] += vs[i]
		}
		return s
	}
	for i, g := range gids {
		if !c.null(i) {
			s[g] += vs[i]
		}
	}
	return s
}

// sumLanes is how many running sums sumLaned keeps per group, and
// laneGroups the most groups it is used for.
const (
	sumLanes   = 8
	laneGroups = 16
)

// sumLaned adds vs[i] into s[gids[i]] with sumLanes running sums per group,
// row i going to lane i%sumLanes, then adds the lanes in order. With few
// groups consecutive rows mostly hit the same sum, and one running sum is a
// chain of dependent adds through memory (about 3 ns a row on long runs of
// one group); the lanes are independent chains. The order of a float sum
// changes, deterministically.
func sumLaned[T int64 | float64](s []T, vs []T, gids []int32) []T {
	lanes := make([]T, sumLanes*len(s))
	n := len(gids) &^ (sumLanes - 1)
	for i := 0; i < n; i += sumLanes {
		g := gids[i : i+sumLanes : i+sumLanes]
		v := vs[i : i+sumLanes : i+sumLanes]
		lanes[uint(g[0])*sumLanes+0] += v[0]
		lanes[uint(g[1])*sumLanes+1] += v[1]
		lanes[uint(g[2])*sumLanes+2] += v[2]
		lanes[uint(g[3])*sumLanes+3] += v[3]
		lanes[uint(g[4])*sumLanes+4] += v[4]
		lanes[uint(g[5])*sumLanes+5] += v[5]
		lanes[uint(g[6])*sumLanes+6] += v[6]
		lanes[uint(g[7])*sumLanes+7] += v[7]
	}
	for i := n; i < len(gids); i++ {
		lanes[uint(gids[i])*sumLanes+uint(i-n)] += vs[i]
	}
	for g := range s {
		l := lanes[g*sumLanes : g*sumLanes+sumLanes : g*sumLanes+sumLanes]
		s[g] += ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]))
	}
	return s
}

func sumI(c *col, gids []int32, ng int) []int64 {
	s := make([]int64, ng)
	if c.k == kBool {
		for i, g := range gids {
			if !c.null(i) && c.boolAt(i) {
				s[g]++
			}
		}
		return s
	}
	return sumInto(s, c, c.i64, gids)
}

// pickKernel computes min, max, first or last per group; groups with no
// non-null value are null. Min and max skip NaN (a group of only NaN is
// null), so the answer does not depend on row order.
func pickKernel(fn string, c *col, gids []int32, ng int) arrow.Array {
	if (fn == "min" || fn == "max") && (c.k.intLike()) {
		return minMaxKernel(fn == "min", c, gids, ng)
	}
	seen := make([]bool, ng)
	switch c.k {
	case kFloat:
		out := make([]float64, ng)
		pick := fn == "first" || fn == "last"
		for i, g := range gids {
			if c.null(i) {
				continue
			}
			v := c.f64[i]
			if v != v && !pick {
				// Min and max skip NaN, as pandas (SEMANTICS.md).
				continue
			}
			if !seen[g] || fn == "last" || (fn == "min" && v < out[g]) || (fn == "max" && v > out[g]) {
				out[g] = v
				seen[g] = true
			}
		}
		return float64Array(out, nilIfAll(seen))
	case kStr:
		rows := make([]int32, ng)
		for i, g := range gids {
			if c.null(i) {
				continue
			}
			if !seen[g] || fn == "last" {
				rows[g] = int32(i)
				seen[g] = true
			}
		}
		for g := range rows {
			if !seen[g] {
				rows[g] = -1
			}
		}
		sb := newStrBuilder(ng)
		for _, r := range rows {
			if r < 0 {
				sb.addNull()
			} else {
				sb.add(c.str(int(r)))
			}
		}
		return sb.array()
	default:
		out := make([]int64, ng)
		for i, g := range gids {
			if c.null(i) {
				continue
			}
			var v int64
			if c.k == kBool {
				if c.boolAt(i) {
					v = 1
				}
			} else {
				v = c.i64[i]
			}
			if !seen[g] || fn == "last" || (fn == "min" && v < out[g]) || (fn == "max" && v > out[g]) {
				out[g] = v
				seen[g] = true
			}
		}
		if c.k == kTime || c.k == kDate || c.k == kDur {
			return intsArray(c.k, out, nilIfAll(seen))
		}
		if c.k == kBool && (fn == "first" || fn == "last") {
			b := make([]bool, ng)
			for i, v := range out {
				b[i] = v != 0
			}
			return boolArray(b, nilIfAll(seen))
		}
		return int64Array(out, nilIfAll(seen))
	}
}

// minMaxKernel is pickKernel's min or max of an integer or timestamp
// column: one typed loop per case, no per-row test of which function.
func minMaxKernel(isMin bool, c *col, gids []int32, ng int) arrow.Array {
	out := make([]int64, ng)
	init := int64(math.MinInt64)
	if isMin {
		init = math.MaxInt64
	}
	for g := range out {
		out[g] = init
	}
	vs := c.i64[:len(gids)]
	var seen []bool
	fast := c.valid == nil
	if fast && isMin {
		for i, g := range gids {
			out[g] = min(out[g], vs[i])
		}
	} else if fast {
		for i, g := range gids {
			out[g] = max(out[g], vs[i])
		}
	}
	if fast {
		// A group still at the initial value may have had no rows: count.
		for _, v := range out {
			if v == init {
				fast = false
				break
			}
		}
	}
	if !fast {
		seen = make([]bool, ng)
		for i, g := range gids {
			if c.null(i) {
				continue
			}
			seen[g] = true
			if isMin {
				out[g] = min(out[g], vs[i])
			} else {
				out[g] = max(out[g], vs[i])
			}
		}
		seen = nilIfAll(seen)
		for g := range out {
			if seen != nil && !seen[g] {
				out[g] = 0
			}
		}
	}
	return intsArray(c.k, out, seen)
}

func nilIfAll(b []bool) []bool {
	for _, v := range b {
		if !v {
			return b
		}
	}
	return nil
}

// mergeAgg merges partial states (as partialAgg made them, concatenated in
// partition order) by key.
func mergeAgg(r arrow.Record, nkeys int, aggs []aggSpec) arrow.Record {
	if out, ok := denseMerge(r, nkeys, aggs); ok {
		return out
	}
	keyIdx := make([]int, nkeys)
	for i := range keyIdx {
		keyIdx[i] = i
	}
	withHash := hasHashCol(r)
	gids, first, ok := hashGroups(r, keyIdx)
	if !ok {
		gids, first = groupRows(r, keyIdx)
	}
	if out, ok := mergeDistinct(r, nkeys, aggs, len(first)); ok {
		return out
	}
	ng := len(first)
	if r.NumRows() == 0 {
		ng = 0
		if nkeys == 0 {
			return r
		}
	}
	fields := append([]arrow.Field(nil), r.Schema().Fields()[:nkeys]...)
	var cols []arrow.Array
	for i := 0; i < nkeys; i++ {
		cols = append(cols, takeCol(r.Column(i), first[:ng]))
	}
	pos := nkeys
	for _, a := range aggs {
		sf := a.stateFields()
		fields = append(fields, sf...)
		st := make([]col, len(sf))
		for j := range sf {
			st[j] = colOf(r.Column(pos + j))
		}
		pos += len(sf)
		switch a.fn {
		case "count", "size":
			cols = append(cols, int64Array(sumI(&st[0], gids, ng), nil))
		case "sum":
			if st[0].k == kFloat {
				cols = append(cols, float64Array(sumF(&st[0], gids, ng), nil))
			} else {
				cols = append(cols, int64Array(sumI(&st[0], gids, ng), nil))
			}
		case "mean":
			cols = append(cols, float64Array(sumF(&st[0], gids, ng), nil), int64Array(sumI(&st[1], gids, ng), nil))
		case "std", "var":
			n := make([]int64, ng)
			m := make([]float64, ng)
			q := make([]float64, ng)
			for i, g := range gids {
				nb := st[0].i64[i]
				if nb == 0 {
					continue
				}
				mb, qb := st[1].f64[i], st[2].f64[i]
				na := n[g]
				if na == 0 {
					n[g], m[g], q[g] = nb, mb, qb
					continue
				}
				tot := na + nb
				d := mb - m[g]
				m[g] += d * float64(nb) / float64(tot)
				q[g] += qb + d*d*float64(na)*float64(nb)/float64(tot)
				n[g] = tot
			}
			cols = append(cols, int64Array(n, nil), float64Array(m, nil), float64Array(q, nil))
		default: // min, max, first, last
			cols = append(cols, pickKernel(a.fn, &st[0], gids, ng))
		}
	}
	var out arrow.Record = array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(ng))
	if withHash {
		hs := keyHashes(r, keyIdx)
		kept := make([]uint64, ng)
		for g, i := range first[:ng] {
			kept[g] = hs[i]
		}
		out = withHashCol(out, kept)
	}
	return out
}

// mergeDistinct is mergeAgg of states whose ng groups are all distinct rows
// (first-seen order makes group g row g): every state is already merged, so
// r is the answer as it is, unless a sum state passed through with nulls
// (an unmerged partial's raw column), which merging would make zeros.
func mergeDistinct(r arrow.Record, nkeys int, aggs []aggSpec, ng int) (arrow.Record, bool) {
	if ng != int(r.NumRows()) || ng == 0 {
		return nil, false
	}
	pos := nkeys
	for _, a := range aggs {
		if a.fn == "sum" && r.Column(pos).NullN() > 0 {
			return nil, false
		}
		pos += len(a.stateFields())
	}
	return array.NewRecord(arrow.NewSchema(r.Schema().Fields(), nil), r.Columns(), r.NumRows()), true
}

// finalAgg turns merged states into the aggregation results.
func finalAgg(r arrow.Record, nkeys int, aggs []aggSpec) arrow.Record {
	fields := append([]arrow.Field(nil), r.Schema().Fields()[:nkeys]...)
	cols := append([]arrow.Array(nil), r.Columns()[:nkeys]...)
	n := int(r.NumRows())
	pos := nkeys
	for _, a := range aggs {
		sf := a.stateFields()
		st := make([]col, len(sf))
		for j := range sf {
			st[j] = colOf(r.Column(pos + j))
		}
		fields = append(fields, arrow.Field{Name: a.out, Type: a.outType(), Nullable: true})
		switch a.fn {
		case "mean":
			out := make([]float64, n)
			valid := make([]bool, n)
			for i := range out {
				if c := st[1].i64[i]; c > 0 {
					out[i] = st[0].f64[i] / float64(c)
					valid[i] = true
				}
			}
			cols = append(cols, float64Array(out, valid))
		case "std", "var":
			out := make([]float64, n)
			valid := make([]bool, n)
			for i := range out {
				if c := st[0].i64[i]; c > 1 {
					out[i] = st[2].f64[i] / float64(c-1)
					if a.fn == "std" {
						out[i] = math.Sqrt(out[i])
					}
					valid[i] = true
				}
			}
			cols = append(cols, float64Array(out, valid))
		default:
			cols = append(cols, r.Column(pos))
		}
		pos += len(sf)
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(n))
}

// fullAgg aggregates raw rows in one step (used for holistic aggregations,
// nunique and median, after rows were shuffled by key).
func fullAgg(r arrow.Record, keys []string, aggs []aggSpec) (arrow.Record, error) {
	if out, ok, err := sortedAgg([]arrow.Record{r}, [][]int32{nil}, keys, aggs); ok || err != nil {
		return out, err
	}
	return fullAggRows(r, keys, aggs)
}

// fullAggRows is fullAgg by group ids over any keys.
func fullAggRows(r arrow.Record, keys []string, aggs []aggSpec) (arrow.Record, error) {
	keyIdx, err := fieldIndices(r.Schema(), keys)
	if err != nil {
		return nil, err
	}
	gids, first := groupRows(r, keyIdx)
	ng := len(first)
	if r.NumRows() == 0 && len(keys) > 0 {
		ng = 0
	}
	fields := make([]arrow.Field, 0, len(keys)+len(aggs))
	var cols []arrow.Array
	for _, ki := range keyIdx {
		fields = append(fields, r.Schema().Field(ki))
		cols = append(cols, takeCol(r.Column(ki), first[:ng]))
	}
	// Rows sorted by group, for the holistic aggregations.
	var order []int32
	var starts []int
	for _, a := range aggs {
		var c col
		if a.fn != "size" {
			idx := r.Schema().FieldIndices(a.in)
			if len(idx) == 0 {
				return nil, fmt.Errorf("aggregate %s: unknown column %q; the columns are %s", a.fn, a.in, schemaCols(r.Schema()))
			}
			c = colOf(r.Column(idx[0]))
		}
		fields = append(fields, arrow.Field{Name: a.out, Type: a.outType(), Nullable: true})
		if !holistic(a.fn) {
			st := partialKernel(a, &c, gids, ng, nil)
			stf := a.stateFields()
			sr := array.NewRecord(arrow.NewSchema(stf, nil), st, int64(ng))
			cols = append(cols, finalAgg(sr, 0, []aggSpec{a}).Column(0))
			continue
		}
		if order == nil && a.fn != "median" {
			order, starts = sortByGroup(gids, ng)
		}
		switch a.fn {
		case "nunique":
			out := make([]int64, ng)
			for g := 0; g < ng; g++ {
				seg := order[starts[g]:starts[g+1]]
				seen := map[string]bool{}
				for _, i := range seg {
					if !c.null(int(i)) {
						seen[cellKey(&c, int(i))] = true
					}
				}
				out[g] = int64(len(seen))
			}
			cols = append(cols, int64Array(out, nil))
		case "median":
			out, valid := groupMedians(&c, gids, ng)
			cols = append(cols, float64Array(out, valid))
		}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(ng)), nil
}

func cellKey(c *col, i int) string {
	switch c.k {
	case kStr:
		return string(c.str(i))
	case kFloat:
		// 0.0 and -0.0 are one value, every NaN another, as in DropDuplicates.
		f := c.f64[i]
		if f == 0 {
			f = 0
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	case kBool:
		return strconv.FormatBool(c.boolAt(i))
	}
	return strconv.FormatInt(c.i64[i], 10)
}

// sortByGroup is a counting sort of row indices by group id.
func sortByGroup(gids []int32, ng int) ([]int32, []int) {
	starts := make([]int, ng+1)
	for _, g := range gids {
		starts[g+1]++
	}
	for g := 0; g < ng; g++ {
		starts[g+1] += starts[g]
	}
	pos := append([]int(nil), starts[:ng]...)
	order := make([]int32, len(gids))
	for i, g := range gids {
		order[pos[g]] = int32(i)
		pos[g]++
	}
	return order, starts
}

func fieldIndices(s *arrow.Schema, names []string) ([]int, error) {
	out := make([]int, len(names))
	for i, n := range names {
		idx := s.FieldIndices(n)
		if len(idx) == 0 {
			return nil, fmt.Errorf("unknown column %q; the columns are %s", n, schemaCols(s))
		}
		out[i] = idx[0]
	}
	return out, nil
}
