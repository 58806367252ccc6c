package frame

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/frame/internal/stats"
)

// Grouped exact quantiles (GroupBy(k).Quantile): every partition first
// groups its rows (a persisted partition by its cached string codes) and
// sorts its present values by group (a counting sort), giving one row per
// group: the keys and, per column, a list<float64> of the group's values.
// The shuffle then moves whole groups (a hash of a few rows per partition,
// the values as one slice per group) instead of hashing and copying every
// row with its key strings, and the final task regroups a few rows and
// selects each group's quantile from its gathered lists.

// qListType is the type of a group's values.
var qListType = arrow.ListOf(arrow.PrimitiveTypes.Float64)

// groupedQuantilePrep is the partition-side step of a grouped quantile.
func (s *statSpec) groupedQuantilePrep(r arrow.Record, enc *encCache) (arrow.Record, error) {
	gids, first, err := s.groups(r, enc)
	if err != nil {
		return nil, err
	}
	ng := len(first)
	keys, kf := s.keyColumns(r, first)
	fields, arrs := kf, keys
	for _, c := range s.cols {
		cc := colOf(r.Column(r.Schema().FieldIndices(c)[0]))
		cnt := make([]int32, ng+1)
		for i, g := range gids {
			if _, ok := presentAt(&cc, i); ok {
				cnt[g+1]++
			}
		}
		for g := 0; g < ng; g++ {
			cnt[g+1] += cnt[g]
		}
		vals := make([]float64, cnt[ng])
		fill := append([]int32(nil), cnt[:ng]...)
		if cc.k == kFloat && cc.valid == nil {
			for i, g := range gids {
				if v := cc.f64[i]; v == v {
					vals[fill[g]] = v
					fill[g]++
				}
			}
		} else {
			for i, g := range gids {
				if v, ok := presentAt(&cc, i); ok {
					vals[fill[g]] = v
					fill[g]++
				}
			}
		}
		fields = append(fields, arrow.Field{Name: c, Type: qListType, Nullable: true})
		arrs = append(arrs, floatList(cnt, vals))
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(ng)), nil
}

// floatList is a list<float64> array of offsets (len rows+1) into vals.
func floatList(offs []int32, vals []float64) arrow.Array {
	child := float64Array(vals, nil)
	d := array.NewData(qListType, len(offs)-1, []*memory.Buffer{nil, memory.NewBufferBytes(bytesOf(offs))}, []arrow.ArrayData{child.Data()}, 0, 0)
	return array.MakeFromData(d)
}

// finalGroupedQuantile regroups the prepared rows of its inputs (keys,
// then a list column per column; pieces of split outputs read from their
// sources) and selects each group's quantile. Only the key columns are
// gathered; each group's values are copied once, from the sources'
// lists into the group's run of one buffer.
func (s *statSpec) finalGroupedQuantile(in []any, piece int) (any, error) {
	var srcs []arrow.Record
	var idx [][]int32
	for _, v := range in {
		switch x := v.(type) {
		case *Part:
			srcs, idx = append(srcs, x.R), append(idx, nil)
		case *shard:
			if x.src == nil {
				srcs, idx = append(srcs, x.r), append(idx, nil)
			} else {
				srcs, idx = append(srcs, x.src), append(idx, x.idx)
			}
		case *Pieces:
			if piece < 0 {
				for j := 0; j < x.NumPieces(); j++ {
					srcs, idx = append(srcs, x.Piece(j)), append(idx, nil)
				}
			} else if x.src == nil {
				srcs, idx = append(srcs, x.Piece(piece)), append(idx, nil)
			} else {
				srcs, idx = append(srcs, x.src), append(idx, x.idx[piece])
			}
		}
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("frame: %s: no inputs", s.what)
	}
	keyRecs := make([]arrow.Record, len(srcs))
	lists := make([][]*array.List, len(s.cols))
	for k, r := range srcs {
		kr, err := projectConcat(s.keys, []arrow.Record{r})
		if err != nil {
			return nil, fmt.Errorf("frame: %s: %w", s.what, err)
		}
		keyRecs[k] = kr
		for j, c := range s.cols {
			ix := r.Schema().FieldIndices(c)
			if len(ix) == 0 {
				return nil, fmt.Errorf("frame: %s: prepared input has no column %q", s.what, c)
			}
			l, ok := r.Column(ix[0]).(*array.List)
			if !ok || !isFloatList(l.DataType()) {
				return nil, fmt.Errorf("frame: %s: column %q is %s, not the prepared value lists", s.what, c, r.Column(ix[0]).DataType())
			}
			lists[j] = append(lists[j], l)
		}
	}
	kr, err := gatherRecords(keyRecs, idx)
	if err != nil {
		return nil, fmt.Errorf("frame: %s: %w", s.what, err)
	}
	gids, first, err := s.groups(kr, nil)
	if err != nil {
		return nil, err
	}
	ng := len(first)
	keys, kf := s.keyColumns(kr, first)
	fields, arrs := kf, keys
	// each visits the gathered rows in order: source k, row i, gathered row at.
	each := func(f func(k, i, at int)) {
		at := 0
		for k, r := range srcs {
			n := int(r.NumRows())
			if idx[k] != nil {
				n = len(idx[k])
			}
			for j := 0; j < n; j++ {
				i := j
				if idx[k] != nil {
					i = int(idx[k][j])
				}
				f(k, i, at)
				at++
			}
		}
	}
	for j, c := range s.cols {
		ls := lists[j]
		start := make([]int, ng+1)
		each(func(k, i, at int) {
			if i >= 0 {
				o := ls[k].Offsets()
				start[gids[at]+1] += int(o[i+1] - o[i])
			}
		})
		for g := 0; g < ng; g++ {
			start[g+1] += start[g]
		}
		buf := make([]float64, start[ng])
		fill := append([]int(nil), start[:ng]...)
		each(func(k, i, at int) {
			if i >= 0 {
				o := ls[k].Offsets()
				xs := ls[k].ListValues().(*array.Float64).Float64Values()
				g := gids[at]
				fill[g] += copy(buf[fill[g]:], xs[o[i]:o[i+1]])
			}
		})
		vals, valid := make([]float64, ng), make([]bool, ng)
		for g := 0; g < ng; g++ {
			v := stats.Quantile(buf[start[g]:start[g+1]], s.qs[0])
			vals[g], valid[g] = v, !math.IsNaN(v)
		}
		fields = append(fields, arrow.Field{Name: c, Type: Float64, Nullable: true})
		arrs = append(arrs, float64Array(vals, allTrueNil(valid)))
	}
	return &Part{R: array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(ng))}, nil
}

// groupedQuantile is true where the grouped path runs: one quantile per
// group (Quantiles of several qs and the frame-level quantile gather the
// values as before).
func (s *statSpec) groupedQuantile() bool {
	return s.fn == "quantile" && len(s.keys) > 0 && len(s.qs) == 1
}

func runStatQPrep(o *winOp, in []any) (any, error) {
	s := statOpSpec(o)
	r := partRecord(in[0])
	if r == nil {
		return nil, fmt.Errorf("frame: %s: input is not a partition", s.what)
	}
	var enc *encCache
	if p, ok := in[0].(*Part); ok {
		enc = p.enc
	}
	out, err := s.groupedQuantilePrep(r, enc)
	if err != nil {
		return nil, fmt.Errorf("frame: %s: %w", s.what, err)
	}
	return &Part{R: out}, nil
}

func init() { winKinds["stqprep"] = runStatQPrep }

// isFloatList is true for list<float64> arrays (the prepared values).
func isFloatList(t arrow.DataType) bool {
	l, ok := t.(*arrow.ListType)
	return ok && l.Elem().ID() == arrow.FLOAT64
}

// gatherFloatLists concatenates rows idx[k] (all where nil) of the
// list<float64> column ci of srcs in one copy of their values (Arrow's
// slices and Concatenate would copy them twice). Null lists read as empty.
func gatherFloatLists(srcs []arrow.Record, ci int, idx [][]int32) (arrow.Array, error) {
	rows, total := 0, 0
	for k, s := range srcs {
		l, ok := s.Column(ci).(*array.List)
		if !ok {
			continue // an error below
		}
		lo := l.Offsets()
		if idx[k] == nil {
			rows += l.Len()
			total += int(lo[l.Len()] - lo[0])
			continue
		}
		rows += len(idx[k])
		for _, i := range idx[k] {
			if i >= 0 {
				total += int(lo[i+1] - lo[i])
			}
		}
	}
	offs := make([]int32, 1, rows+1)
	vals := make([]float64, 0, total)
	for k, s := range srcs {
		l, ok := s.Column(ci).(*array.List)
		if !ok {
			return nil, fmt.Errorf("%s among list pieces", s.Column(ci).DataType())
		}
		lv, ok := l.ListValues().(*array.Float64)
		if !ok {
			return nil, fmt.Errorf("list of %s, not float64", l.ListValues().DataType())
		}
		xs, lo := lv.Float64Values(), l.Offsets()
		n := l.Len()
		if idx[k] != nil {
			n = len(idx[k])
		}
		for j := 0; j < n; j++ {
			i := j
			if idx[k] != nil {
				i = int(idx[k][j])
			}
			if i >= 0 && l.IsValid(i) {
				vals = append(vals, xs[lo[i]:lo[i+1]]...)
			}
			offs = append(offs, int32(len(vals)))
		}
	}
	return floatList(offs, vals), nil
}
