// Package listkern holds the list-column kernels of frame (Split of a
// string column to list<string>, the length and an element of each list,
// and the row repetition of Explode), over Arrow arrays. It sits below
// frame's list operations (frame/list.go), which plan and call it per
// partition.
package listkern

import (
	"fmt"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// StringList is the Arrow type of Split's result: list<utf8>.
var StringList = arrow.ListOf(arrow.BinaryTypes.String)

// Split splits each string of a by sep into a list<string> (pandas'
// str.split(sep)): n > 0 makes at most n splits (n+1 parts), n <= 0 all;
// sep "" splits on runs of whitespace with no empty parts, as Python's
// str.split(). A null string gives a null list.
func Split(a *array.String, sep string, n int) *array.List {
	b := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
	defer b.Release()
	vb := b.ValueBuilder().(*array.StringBuilder)
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			b.AppendNull()
			continue
		}
		b.Append(true)
		s := a.Value(i)
		var parts []string
		switch {
		case sep == "" && n > 0:
			parts = fieldsN(s, n)
		case sep == "":
			parts = strings.Fields(s)
		case n > 0:
			parts = strings.SplitN(s, sep, n+1)
		default:
			parts = strings.Split(s, sep)
		}
		for _, p := range parts {
			vb.Append(p)
		}
	}
	return b.NewListArray()
}

// fieldsN is Python's s.split(None, n): at most n splits on whitespace
// runs, the rest (left-trimmed) as the last part.
func fieldsN(s string, n int) []string {
	var out []string
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	for len(s) > 0 && len(out) < n {
		i := strings.IndexAny(s, " \t\n\r\v\f")
		if i < 0 {
			break
		}
		out = append(out, s[:i])
		s = strings.TrimLeft(s[i:], " \t\n\r\v\f")
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// Len is the number of elements of each list (null for a null list).
func Len(a *array.List) (vals []int64, valid []bool) {
	offs := a.Offsets()
	vals = make([]int64, a.Len())
	for i := range vals {
		if a.IsNull(i) {
			if valid == nil {
				valid = make([]bool, a.Len())
				for j := range valid {
					valid[j] = true
				}
			}
			valid[i] = false
			continue
		}
		vals[i] = int64(offs[i+1] - offs[i])
	}
	return vals, valid
}

// Get is element i of each list of strings (i < 0 counts from the end):
// null for a null list or one too short, as pandas' str.get(i).
func Get(a *array.List, i int) (*array.String, error) {
	vs, ok := a.ListValues().(*array.String)
	if !ok {
		return nil, fmt.Errorf("element of a %s: only lists of strings", a.DataType())
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	offs := a.Offsets()
	for r := 0; r < a.Len(); r++ {
		lo, hi := int(offs[r]), int(offs[r+1])
		k := lo + i
		if i < 0 {
			k = hi + i
		}
		if a.IsNull(r) || k < lo || k >= hi || vs.IsNull(k) {
			b.AppendNull()
			continue
		}
		b.Append(vs.Value(k))
	}
	return b.NewStringArray(), nil
}

// Explode gives, for a list column, the row of the input each output row
// repeats (one per element; one for an empty or null list, as pandas) and
// the output column: the elements, null for the rows of empty or null
// lists.
func Explode(a *array.List) (rows []int32, elems *array.String, err error) {
	vs, ok := a.ListValues().(*array.String)
	if !ok {
		return nil, nil, fmt.Errorf("explode of a %s: only lists of strings", a.DataType())
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	offs := a.Offsets()
	for r := 0; r < a.Len(); r++ {
		lo, hi := int(offs[r]), int(offs[r+1])
		if a.IsNull(r) || lo == hi {
			rows = append(rows, int32(r))
			b.AppendNull()
			continue
		}
		for k := lo; k < hi; k++ {
			rows = append(rows, int32(r))
			if vs.IsNull(k) {
				b.AppendNull()
			} else {
				b.Append(vs.Value(k))
			}
		}
	}
	return rows, b.NewStringArray(), nil
}

// Take gathers rows idx of any array (idx < 0 gives a null), for the
// types frame has no kernel of its own for (lists): one slice per row,
// concatenated.
func Take(a arrow.Array, idx []int32) (arrow.Array, error) {
	if len(idx) == 0 {
		return array.MakeArrayOfNull(memory.DefaultAllocator, a.DataType(), 0), nil
	}
	null := array.MakeArrayOfNull(memory.DefaultAllocator, a.DataType(), 1)
	parts := make([]arrow.Array, len(idx))
	for j, i := range idx {
		if i < 0 || int(i) >= a.Len() {
			parts[j] = null
			continue
		}
		parts[j] = array.NewSlice(a, int64(i), int64(i)+1)
	}
	return array.Concatenate(parts, memory.DefaultAllocator)
}
