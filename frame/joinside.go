package frame

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// joinSide is one side of a join task's input left where it is: the rows of
// several source records (partitions, or the rows of a hash piece of each)
// in order, without concatenating them. Only the key columns are gathered
// into contiguous arrays; the output columns are taken straight from the
// sources, so each value is copied once.
type joinSide struct {
	srcs [][]arrow.Array // per source, the side's columns in spec order
	seg  []int32         // per row, its source; nil when there is one source
	row  []int32         // per row, its row in the source; nil for the identity
	n    int
	// first is the first source's record (columns in spec order), for
	// types and for the one-source, all-rows case.
	first arrow.Record
}

// newJoinSide collects the rows of inputs (Parts, shards, or Pieces of which
// piece is taken) with the columns names, in that order.
func newJoinSide(in []any, piece int, names []string) (*joinSide, error) {
	s := &joinSide{}
	type part struct {
		r   arrow.Record
		idx []int32 // nil: all rows
	}
	var parts []part
	for _, v := range in {
		switch x := v.(type) {
		case *Part:
			parts = append(parts, part{r: x.R})
		case *shard: // the piece a PartReader receives
			if x.src != nil {
				parts = append(parts, part{r: x.src, idx: x.idx})
			} else {
				parts = append(parts, part{r: x.r})
			}
		case *Pieces:
			switch {
			case piece < 0:
				for j := 0; j < x.NumPieces(); j++ {
					parts = append(parts, part{r: x.Piece(j)})
				}
			case x.src != nil:
				parts = append(parts, part{r: x.src, idx: x.idx[piece]})
			default:
				parts = append(parts, part{r: x.Rs[piece]})
			}
		default:
			return nil, fmt.Errorf("input is a %T, not a partition", v)
		}
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("no inputs")
	}
	for k, p := range parts {
		idx, err := fieldIndices(p.r.Schema(), names)
		if err != nil {
			return nil, err
		}
		arrs := make([]arrow.Array, len(idx))
		fields := make([]arrow.Field, len(idx))
		for q, i := range idx {
			arrs[q], fields[q] = p.r.Column(i), p.r.Schema().Field(i)
		}
		if k == 0 {
			s.first = array.NewRecord(arrow.NewSchema(fields, nil), arrs, p.r.NumRows())
		} else {
			for q := range arrs {
				if !arrow.TypeEqual(fields[q].Type, s.first.Schema().Field(q).Type) {
					return nil, fmt.Errorf("column %q is %s in one partition and %s in another", names[q], s.first.Schema().Field(q).Type, fields[q].Type)
				}
			}
		}
		s.srcs = append(s.srcs, arrs)
		if p.idx != nil {
			s.n += len(p.idx)
		} else {
			s.n += int(p.r.NumRows())
		}
	}
	if len(parts) == 1 && parts[0].idx == nil {
		return s, nil
	}
	s.row = make([]int32, 0, s.n)
	if len(parts) > 1 {
		s.seg = make([]int32, 0, s.n)
	}
	for k, p := range parts {
		if p.idx != nil {
			s.row = append(s.row, p.idx...)
		} else {
			for i := int32(0); i < int32(p.r.NumRows()); i++ {
				s.row = append(s.row, i)
			}
		}
		if s.seg != nil {
			for len(s.seg) < len(s.row) {
				s.seg = append(s.seg, int32(k))
			}
		}
	}
	return s, nil
}

// column gathers column q of every row into one array.
func (s *joinSide) column(q int) arrow.Array {
	if s.row == nil {
		return s.first.Column(q)
	}
	return s.take(q, s.seg, s.row)
}

// resolve maps rows idx of the side (idx < 0: none) to their sources and
// source rows (row -1: a null), once for all the columns taken.
func (s *joinSide) resolve(idx []int32) (segs, rows []int32) {
	if s.row == nil {
		return nil, idx
	}
	rows = make([]int32, len(idx))
	if s.seg != nil {
		segs = make([]int32, len(idx))
	}
	for j, g := range idx {
		if g < 0 {
			rows[j] = -1
			continue
		}
		rows[j] = s.row[g]
		if segs != nil {
			segs[j] = s.seg[g]
		}
	}
	return segs, rows
}

// take gathers column q at source rows rows of sources segs (segs nil: the
// one source; rows < 0 give nulls), as resolve returns them.
func (s *joinSide) take(q int, segs, rows []int32) arrow.Array {
	if segs == nil {
		return takeCol(s.first.Column(q), rows)
	}
	n := len(rows)
	if s.first.Column(q).DataType().ID() == arrow.DATE32 {
		return s.takeDates(q, segs, rows)
	}
	// Flat views of column q of every source, made only now (a column
	// taken from one source never needs them).
	cs := make([]*col, len(s.srcs))
	hasNull := false
	for k := range s.srcs {
		c := colOf(s.srcs[k][q])
		cs[k] = &c
		hasNull = hasNull || cs[k].valid != nil
	}
	for _, r := range rows {
		if r < 0 {
			hasNull = true
			break
		}
	}
	var valid []bool
	if hasNull {
		valid = make([]bool, n)
		for j, r := range rows {
			valid[j] = r >= 0 && !cs[segs[j]].null(int(r))
		}
	}
	switch k := cs[0].k; k {
	case kInt, kTime, kDate, kDur:
		out := gatherSegs(cs, func(c *col) []int64 { return c.i64 }, segs, rows)
		return intsArray(k, out, valid)
	case kFloat:
		return float64Array(gatherSegs(cs, func(c *col) []float64 { return c.f64 }, segs, rows), valid)
	case kBool:
		out := make([]bool, n)
		for j, r := range rows {
			if r >= 0 {
				out[j] = cs[segs[j]].boolAt(int(r))
			}
		}
		return boolArray(out, valid)
	case kStr:
		offs := make([]int32, n+1)
		total := 0
		for j, r := range rows {
			if r >= 0 {
				o := cs[segs[j]].offs
				total += int(o[r+1] - o[r])
			}
		}
		// Strings of at most 16 bytes (most keys) move as two 8-byte words
		// instead of a copy call; data has 16 bytes of slack for that.
		data := make([]byte, total+16)
		pos := 0
		for j, r := range rows {
			if r >= 0 {
				c := cs[segs[j]]
				a, b := int(c.offs[r]), int(c.offs[r+1])
				if b-a <= 16 && a+16 <= len(c.data) {
					src := c.data[a : a+16]
					dst := data[pos : pos+16]
					binary.LittleEndian.PutUint64(dst[:8], binary.LittleEndian.Uint64(src[:8]))
					binary.LittleEndian.PutUint64(dst[8:], binary.LittleEndian.Uint64(src[8:]))
					pos += b - a
				} else {
					pos += copy(data[pos:], c.data[a:b])
				}
			}
			offs[j+1] = int32(pos)
		}
		return strArray(offs, data[:total], valid)
	}
	panic(fmt.Sprintf("frame: join: take on unsupported type %s", s.first.Schema().Field(q).Type))
}

// gatherSegs gathers the values of(cs[segs[j]])[rows[j]] (zero where rows[j]
// is negative) of typed columns spread over several sources.
func gatherSegs[T any](cs []*col, of func(*col) []T, segs, rows []int32) []T {
	vals := make([][]T, len(cs))
	for i, c := range cs {
		vals[i] = of(c)
	}
	out := make([]T, len(rows))
	for j, r := range rows {
		if r >= 0 {
			out[j] = vals[segs[j]][r]
		}
	}
	return out
}

// takeDates is take for a date32 column: the 32-bit days are gathered as
// they are, not widened to int64 first.
func (s *joinSide) takeDates(q int, segs, rows []int32) arrow.Array {
	vals := make([][]int32, len(s.srcs))
	nulls := make([]arrow.Array, len(s.srcs))
	hasNull := false
	for k := range s.srcs {
		a := s.srcs[k][q].(*array.Date32)
		vs := a.Date32Values()
		vals[k] = unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(vs))), len(vs))
		if a.NullN() > 0 {
			nulls[k], hasNull = a, true
		}
	}
	out := make([]int32, len(rows))
	var valid []bool
	for _, r := range rows {
		if r < 0 {
			hasNull = true
			break
		}
	}
	if hasNull {
		valid = make([]bool, len(rows))
	}
	for j, r := range rows {
		if r < 0 {
			continue
		}
		out[j] = vals[segs[j]][r]
		if valid != nil {
			valid[j] = nulls[segs[j]] == nil || nulls[segs[j]].IsValid(int(r))
		}
	}
	vb, nn := validityBuf(valid)
	d := array.NewData(Date32, len(out), []*memory.Buffer{vb, memory.NewBufferBytes(bytesOf(out))}, nil, nn, 0)
	return array.MakeFromData(d)
}
