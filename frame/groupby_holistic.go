package frame

import (
	"math"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// inputSources is the rows a combine of piece reads, as source records and
// row lists (nil: all rows), without gathering them.
func inputSources(in []any, piece int) (srcs []arrow.Record, idx [][]int32) {
	for _, v := range in {
		switch x := v.(type) {
		case *Part:
			srcs, idx = append(srcs, x.R), append(idx, nil)
		case *shard:
			if x.src != nil {
				srcs, idx = append(srcs, x.src), append(idx, x.idx)
			} else if x.r != nil {
				srcs, idx = append(srcs, x.r), append(idx, nil)
			}
		case *Pieces:
			for j := 0; j < x.NumPieces(); j++ {
				switch {
				case piece >= 0 && j != piece:
				case x.src != nil:
					srcs, idx = append(srcs, x.src), append(idx, x.idx[j])
				default:
					srcs, idx = append(srcs, x.Piece(j)), append(idx, nil)
				}
			}
		}
	}
	return srcs, idx
}

// sortedAggOK says whether sortedAgg computes every aggregation: median,
// std, var, mean, sum and count of int or float columns, and size.
func sortedAggOK(aggs []aggSpec) bool {
	for _, a := range aggs {
		switch a.fn {
		case "size":
			continue
		case "median", "std", "var", "mean", "sum", "count":
		default:
			return false
		}
		if a.k != kInt && a.k != kFloat {
			return false
		}
	}
	return true
}

// sortedMaxSlots bounds the code table of sortedAgg.
const sortedMaxSlots = 1 << 24

// sortedAgg aggregates the rows idx[k] of srcs[k] (all rows where idx[k] is
// nil) in one step, as fullAgg does, when every key is an integer (or
// timestamp) column and the keys' combined range is small, and every
// aggregation is one sortedAggOK accepts. It reads the rows where they are
// (no gathered copy of the keys): each row's keys make a code that indexes
// a table of groups directly; then each value column is scattered into
// group order once, and every aggregation of a group is computed on its
// contiguous values (the median by selection). Groups come out in
// first-seen order. ok is false when the input does not qualify.
func sortedAgg(srcs []arrow.Record, idx [][]int32, keys []string, aggs []aggSpec) (arrow.Record, bool, error) {
	if len(srcs) == 0 || len(keys) == 0 || !sortedAggOK(aggs) {
		return nil, false, nil
	}
	sch := srcs[0].Schema()
	keyIdx, err := fieldIndices(sch, keys)
	if err != nil {
		return nil, false, nil
	}
	total := 0
	for k, s := range srcs {
		if k > 0 && !s.Schema().Equal(sch) {
			return nil, false, nil
		}
		if idx[k] == nil {
			total += int(s.NumRows())
		} else {
			total += len(idx[k])
		}
	}
	if total == 0 || total > math.MaxInt32 {
		return nil, false, nil
	}
	kcols := make([][]col, len(srcs))
	for k, s := range srcs {
		kcols[k] = make([]col, len(keyIdx))
		for j, ki := range keyIdx {
			c := colOf(s.Column(ki))
			if !c.k.intLike() {
				return nil, false, nil
			}
			kcols[k][j] = c
		}
	}
	// The key ranges of the first source usually hold the others' too (the
	// rows of one key space, split by hash): code with them, and only if a
	// row falls outside, take the ranges of all sources and code again.
	var kr []keyRange
	var spans []uint64
	var gids []int32
	var codes []uint64 // the code of each group
	var size []int64   // rows per group
	for _, all := range []bool{false, true} {
		n := 1
		if all {
			n = len(srcs)
		}
		kr = keyRanges(kcols[:n])
		var ok bool
		if spans, ok = keySpans(kr, total); !ok {
			return nil, false, nil
		}
		if gids, codes, size, ok = codeRows(kcols, idx, kr, spans, total); ok {
			break
		}
		if all {
			return nil, false, nil
		}
	}
	ng := len(codes)

	// The key columns, decoded from the codes.
	fields := make([]arrow.Field, 0, len(keys)+len(aggs))
	var cols []arrow.Array
	for j := len(keyIdx) - 1; j >= 0; j-- {
		vals := make([]int64, ng)
		var valid []bool
		if kr[j].nulls {
			valid = make([]bool, ng)
		}
		for g, code := range codes {
			x := code % spans[j]
			codes[g] = code / spans[j]
			if kr[j].nulls {
				if x == 0 {
					continue
				}
				valid[g] = true
				x--
			}
			vals[g] = kr[j].lo + int64(x)
		}
		a := intsArray(kcols[0][j].k, vals, nilIfAll(valid))
		cols = append([]arrow.Array{a}, cols...)
	}
	for _, ki := range keyIdx {
		fields = append(fields, sch.Field(ki))
	}

	// Each value column once in group order, then every aggregation of it.
	type sorted struct {
		starts []int
		vals   []float64
		ivals  []int64 // int columns: the values as they are, for exact sums
		// sumsFit: no mean's int64 sum of ivals can wrap (else means add vals)
		sumsFit bool
		picked  bool // a median reordered vals
	}
	byCol := map[string]*sorted{}
	group := func(name string) (*sorted, error) {
		if s := byCol[name]; s != nil {
			return s, nil
		}
		ci := sch.FieldIndices(name)
		if len(ci) == 0 {
			return nil, nil
		}
		vc := make([]col, len(srcs))
		for k, s := range srcs {
			vc[k] = colOf(s.Column(ci[0]))
		}
		s := &sorted{starts: make([]int, ng+1)}
		nulls := false
		for k := range vc {
			nulls = nulls || vc[k].valid != nil
		}
		p := 0
		if !nulls {
			// Every row counts: the group sizes.
			for g, n := range size {
				s.starts[g+1] = int(n)
			}
		}
		for k := 0; nulls && k < len(srcs); k++ {
			c := &vc[k]
			rows := idx[k]
			n := len(rows)
			if rows == nil {
				n = int(srcs[k].NumRows())
			}
			for t := 0; t < n; t++ {
				i := t
				if rows != nil {
					i = int(rows[t])
				}
				if !c.null(i) {
					s.starts[gids[p]+1]++
				}
				p++
			}
		}
		for g := 0; g < ng; g++ {
			s.starts[g+1] += s.starts[g]
		}
		at := append([]int(nil), s.starts[:ng]...)
		s.vals = make([]float64, s.starts[ng])
		isInt := vc[0].k == kInt
		if isInt {
			s.ivals = make([]int64, s.starts[ng])
		}
		p = 0
		for k := range srcs {
			c := &vc[k]
			rows := idx[k]
			n := len(rows)
			if rows == nil {
				n = int(srcs[k].NumRows())
			}
			for t := 0; t < n; t++ {
				i := t
				if rows != nil {
					i = int(rows[t])
				}
				g := gids[p]
				p++
				if c.null(i) {
					continue
				}
				q := at[g]
				at[g] = q + 1
				if isInt {
					s.ivals[q] = c.i64[i]
					s.vals[q] = float64(c.i64[i])
				} else {
					s.vals[q] = c.f64[i]
				}
			}
		}
		if isInt {
			lo, hi := int64(0), int64(0)
			for _, x := range s.ivals {
				lo, hi = min(lo, x), max(hi, x)
			}
			s.sumsFit = intSumsFit(lo, hi, len(s.ivals))
		}
		byCol[name] = s
		return s, nil
	}
	// Medians reorder the values: compute them after everything else.
	order := make([]int, 0, len(aggs))
	for i, a := range aggs {
		if a.fn != "median" {
			order = append(order, i)
		}
	}
	for i, a := range aggs {
		if a.fn == "median" {
			order = append(order, i)
		}
	}
	out := make([]arrow.Array, len(aggs))
	for _, ai := range order {
		a := aggs[ai]
		if a.fn == "size" {
			out[ai] = int64Array(append([]int64(nil), size...), nil)
			continue
		}
		s, err := group(a.in)
		if err != nil {
			return nil, false, err
		}
		if s == nil {
			return nil, false, nil // fullAgg reports the unknown column
		}
		seg := func(g int) []float64 { return s.vals[s.starts[g]:s.starts[g+1]] }
		switch a.fn {
		case "count":
			v := make([]int64, ng)
			for g := range v {
				v[g] = int64(s.starts[g+1] - s.starts[g])
			}
			out[ai] = int64Array(v, nil)
		case "sum":
			if s.ivals != nil {
				v := make([]int64, ng)
				for g := range v {
					for _, x := range s.ivals[s.starts[g]:s.starts[g+1]] {
						v[g] += x
					}
				}
				out[ai] = int64Array(v, nil)
				break
			}
			v := make([]float64, ng)
			for g := range v {
				for _, x := range seg(g) {
					v[g] += x
				}
			}
			out[ai] = float64Array(v, nil)
		case "mean", "std", "var":
			v := make([]float64, ng)
			valid := make([]bool, ng)
			for g := range v {
				vs := seg(g)
				var m float64
				if s.ivals != nil && s.sumsFit {
					var si int64
					for _, x := range s.ivals[s.starts[g]:s.starts[g+1]] {
						si += x
					}
					m = float64(si)
				} else {
					for _, x := range vs {
						m += x
					}
				}
				if len(vs) == 0 {
					continue
				}
				m /= float64(len(vs))
				if a.fn == "mean" {
					v[g], valid[g] = m, true
					continue
				}
				if len(vs) < 2 {
					continue
				}
				var q float64
				for _, x := range vs {
					d := x - m
					q += d * d
				}
				q /= float64(len(vs) - 1)
				if a.fn == "std" {
					q = math.Sqrt(q)
				}
				v[g], valid[g] = q, true
			}
			out[ai] = float64Array(v, valid)
		case "median":
			v := make([]float64, ng)
			valid := make([]bool, ng)
			for g := range v {
				if vs := seg(g); len(vs) > 0 {
					v[g], valid[g] = median(vs)
				}
			}
			out[ai] = float64Array(v, valid)
		}
	}
	for i, a := range aggs {
		fields = append(fields, arrow.Field{Name: a.out, Type: a.outType(), Nullable: true})
		cols = append(cols, out[i])
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(ng)), true, nil
}

// keyRange is the range of an integer key over some sources.
type keyRange struct {
	lo    int64
	span  uint64
	nulls bool
	any   bool
}

// keyRanges returns the range of each key column over the sources kcols.
func keyRanges(kcols [][]col) []keyRange {
	kr := make([]keyRange, len(kcols[0]))
	for _, cs := range kcols {
		for j := range cs {
			c := &cs[j]
			lo, hi, any := minMaxInt(c)
			r := &kr[j]
			r.nulls = r.nulls || c.valid != nil
			if !any {
				continue
			}
			if !r.any {
				r.lo, r.span, r.any = lo, uint64(hi)-uint64(lo)+1, true
				continue
			}
			cur := r.lo + int64(r.span-1)
			r.lo, cur = min(r.lo, lo), max(cur, hi)
			r.span = uint64(cur) - uint64(r.lo) + 1
		}
	}
	return kr
}

// keySpans returns the number of codes of each key (its range, and one for
// null), ok false when their product is too large for sortedAgg's table.
func keySpans(kr []keyRange, total int) ([]uint64, bool) {
	card := uint64(1)
	spans := make([]uint64, len(kr))
	for j, r := range kr {
		s := r.span
		if r.any && (s == 0 || s > sortedMaxSlots) {
			return nil, false
		}
		if r.nulls {
			s++
		}
		spans[j] = s
		card *= s
		if card > sortedMaxSlots || card > uint64(2*total+1024) {
			return nil, false
		}
	}
	return spans, true
}

// codeRows gives each row of the sources a group by the code of its keys
// (a table of groups indexed by code). ok is false when a key is outside
// its range kr or null where kr has none.
func codeRows(kcols [][]col, idx [][]int32, kr []keyRange, spans []uint64, total int) (gids []int32, codes []uint64, size []int64, ok bool) {
	card := uint64(1)
	for _, s := range spans {
		card *= s
	}
	slot := make([]int32, card)
	gids = make([]int32, total)
	pos := 0
	for k, kc := range kcols {
		for j := range kc {
			if kc[j].valid != nil && !kr[j].nulls {
				return nil, nil, nil, false
			}
		}
		rows := idx[k]
		n := len(rows)
		if rows == nil && len(kc) > 0 {
			n = kc[0].n
		}
		for t := 0; t < n; t++ {
			i := t
			if rows != nil {
				i = int(rows[t])
			}
			code := uint64(0)
			for j := range kc {
				c := &kc[j]
				var x uint64
				if !kr[j].nulls || !c.null(i) {
					x = uint64(c.i64[i] - kr[j].lo)
					if x >= kr[j].span {
						return nil, nil, nil, false
					}
					if kr[j].nulls {
						x++
					}
				}
				code = code*spans[j] + x
			}
			g := slot[code]
			if g == 0 {
				codes = append(codes, code)
				size = append(size, 0)
				g = int32(len(codes))
				slot[code] = g
			}
			size[g-1]++
			gids[pos] = g - 1
			pos++
		}
	}
	return gids, codes, size, true
}
