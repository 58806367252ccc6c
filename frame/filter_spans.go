package frame

import (
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// Filtering by runs of kept rows.
//
// A filter that keeps most rows (TPC-H q1 keeps 98% of lineitem) keeps
// them in long runs. Gathering row by row (takeCol) costs an index load
// and a bounds check per value; copying each run of a fixed-width or
// string column whole is a memmove. filterRecord copies by runs when the
// runs average at least spanMinRun rows, for the columns without nulls of
// fixed byte width or of strings; other columns are gathered as before.

// spanMinRun is the average run length from which runs are copied whole.
const spanMinRun = 8

// keptSpans is the runs [start, end) of true in mask, or nil when they
// average fewer than spanMinRun rows; kept is the number of true.
func keptSpans(mask []bool, kept int) [][2]int32 {
	var spans [][2]int32
	limit := kept / spanMinRun
	for i := 0; i < len(mask); {
		if !mask[i] {
			i++
			continue
		}
		j := i + 1
		for j < len(mask) && mask[j] {
			j++
		}
		if len(spans) >= limit {
			return nil
		}
		spans = append(spans, [2]int32{int32(i), int32(j)})
		i = j
	}
	return spans
}

// spanCol copies the rows spans (kept rows in all) of a; ok is false for
// a column it does not take (nulls, a bit-packed, nested or dictionary
// type), to be gathered instead.
func spanCol(a arrow.Array, spans [][2]int32, kept int) (arrow.Array, bool) {
	if a.NullN() > 0 {
		return nil, false
	}
	d := a.Data()
	switch t := a.DataType().(type) {
	case *arrow.StringType:
		s := a.(*array.String)
		offs := s.ValueOffsets()
		var data []byte
		if b := d.Buffers()[2]; b != nil {
			data = b.Bytes()
		}
		total := 0
		for _, sp := range spans {
			total += int(offs[sp[1]] - offs[sp[0]])
		}
		outOffs := make([]int32, kept+1)
		outData := make([]byte, 0, total)
		k := 0
		for _, sp := range spans {
			shift := int32(len(outData)) - offs[sp[0]]
			for i := sp[0]; i < sp[1]; i++ {
				outOffs[k] = offs[i] + shift
				k++
			}
			outData = append(outData, data[offs[sp[0]]:offs[sp[1]]]...)
		}
		outOffs[kept] = int32(len(outData))
		nd := array.NewData(t, kept, []*memory.Buffer{nil, memory.NewBufferBytes(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(outOffs))), 4*len(outOffs))), memory.NewBufferBytes(outData)}, nil, 0, 0)
		return array.MakeFromData(nd), true
	case arrow.FixedWidthDataType:
		if len(d.Buffers()) != 2 || d.Buffers()[1] == nil || len(d.Children()) > 0 || t.BitWidth() < 8 || t.BitWidth()%8 != 0 {
			return nil, false
		}
		if _, isDict := t.(*arrow.DictionaryType); isDict {
			return nil, false
		}
		w := t.BitWidth() / 8
		src := d.Buffers()[1].Bytes()[d.Offset()*w:]
		out := make([]byte, kept*w)
		k := 0
		for _, sp := range spans {
			k += copy(out[k:], src[int(sp[0])*w:int(sp[1])*w])
		}
		nd := array.NewData(t, kept, []*memory.Buffer{nil, memory.NewBufferBytes(out)}, nil, 0, 0)
		return array.MakeFromData(nd), true
	}
	return nil, false
}
