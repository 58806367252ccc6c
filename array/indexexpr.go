package array

import (
	"fmt"
	"strconv"
	"strings"
)

// An index item of Index: a slice or position (Slice), a new axis, an
// ellipsis, or an integer (or boolean) list.
type indexItem struct {
	kind int
	s    Slice
	list []int
	mask []bool
}

const (
	itemSlice = iota
	itemNewAxis
	itemEllipsis
	itemList
)

// maxIndexItems bounds the items of one index expression (NumPy allows 64
// dimensions).
const maxIndexItems = 64

// Index parses a NumPy index and applies it, as x[expr] in NumPy:
//
//	x.Index("10:1000, :-2")   // slices (negative bounds count from the end)
//	x.Index("::-1, 3")        // a position drops its axis
//	x.Index("..., 0")         // ellipsis
//	x.Index("None, :")        // None or newaxis inserts an axis of length 1
//	x.Index(":, [4, 0, -1]")  // an integer list: fancy indexing on that axis
//	x.Index("[true, false, true]") // a boolean list keeps the true positions
//	x.Index("0,")             // a trailing comma, as x[0,]
//
// Slices and positions cost one task per output block reading one input
// block; a list costs one task per output block (the input's chunk size
// along the axis) reading the input blocks its positions fall in, as
// dask.array. One list per index is supported (NumPy's broadcasting of
// several lists against each other is not: index one axis at a time). As in
// NumPy, when positions and a list are separated by a slice, an ellipsis or a
// new axis, the list's axis comes first in the result.
func (a *Array) Index(expr string) *Array {
	if a.err != nil {
		return a
	}
	items, err := parseIndex(expr)
	if err != nil {
		return errArray("Index %q: %v", expr, err)
	}
	return a.applyIndex(expr, items)
}

// splitTop splits s at commas outside brackets.
func splitTop(s string) ([]string, error) {
	var parts []string
	depth, last := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
			if depth > 1 {
				return nil, fmt.Errorf("nested lists are not supported")
			}
		case ']':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced ']'")
			}
		case ',':
			if depth == 0 {
				parts = append(parts, s[last:i])
				last = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced '['")
	}
	return append(parts, s[last:]), nil
}

func parseIndex(expr string) ([]indexItem, error) {
	e := strings.TrimSpace(expr)
	if e == "" || e == "()" {
		return nil, nil
	}
	parts, err := splitTop(e)
	if err != nil {
		return nil, err
	}
	// x[0,] is the tuple (0,): one trailing empty item is allowed.
	if len(parts) > 1 && strings.TrimSpace(parts[len(parts)-1]) == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > maxIndexItems {
		return nil, fmt.Errorf("%d items, at most %d", len(parts), maxIndexItems)
	}
	var items []indexItem
	ell := false
	for _, p := range parts {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
			return nil, fmt.Errorf("empty item")
		case p == "...":
			if ell {
				return nil, fmt.Errorf("more than one ellipsis")
			}
			ell = true
			items = append(items, indexItem{kind: itemEllipsis})
		case p == "None" || p == "newaxis" || p == "np.newaxis":
			items = append(items, indexItem{kind: itemNewAxis})
		case strings.HasPrefix(p, "["):
			it, err := parseList(p)
			if err != nil {
				return nil, err
			}
			items = append(items, it)
		default:
			s, err := parseSlice(p)
			if err != nil {
				return nil, err
			}
			items = append(items, indexItem{kind: itemSlice, s: s})
		}
	}
	return items, nil
}

func parseList(p string) (indexItem, error) {
	if !strings.HasSuffix(p, "]") {
		return indexItem{}, fmt.Errorf("bad list %q", p)
	}
	body := strings.TrimSpace(p[1 : len(p)-1])
	it := indexItem{kind: itemList, list: []int{}}
	if body == "" {
		return it, nil
	}
	fs := strings.Split(body, ",")
	if strings.TrimSpace(fs[len(fs)-1]) == "" && len(fs) > 1 {
		fs = fs[:len(fs)-1]
	}
	for i, f := range fs {
		f = strings.TrimSpace(f)
		switch f {
		case "true", "True":
			it.mask = append(it.mask, true)
		case "false", "False":
			it.mask = append(it.mask, false)
		default:
			v, err := strconv.Atoi(f)
			if err != nil {
				return it, fmt.Errorf("bad list element %q in %q", f, p)
			}
			it.list = append(it.list, v)
		}
		if len(it.mask) > 0 && len(it.list) > 0 || len(it.mask) != 0 && len(it.mask) != i+1 {
			return it, fmt.Errorf("list %q mixes booleans and integers", p)
		}
	}
	return it, nil
}

func parseSlice(p string) (Slice, error) {
	f := strings.Split(p, ":")
	if len(f) > 3 {
		return Slice{}, fmt.Errorf("bad slice %q", p)
	}
	num := func(s string) (int, bool, error) {
		s = strings.TrimSpace(s)
		if s == "" || s == "None" {
			return 0, false, nil
		}
		v, err := strconv.Atoi(s)
		if err != nil {
			return 0, false, fmt.Errorf("bad number %q", s)
		}
		return v, true, nil
	}
	if len(f) == 1 {
		v, ok, err := num(f[0])
		if err != nil || !ok {
			return Slice{}, fmt.Errorf("bad index %q", p)
		}
		return At(v), nil
	}
	var s Slice
	var err error
	if s.Start, s.HasStart, err = num(f[0]); err != nil {
		return s, err
	}
	if s.Stop, s.HasStop, err = num(f[1]); err != nil {
		return s, err
	}
	s.Step = 1
	if len(f) == 3 {
		v, ok, err := num(f[2])
		if err != nil {
			return s, err
		}
		if ok {
			s.Step = v
		}
	}
	return s, nil
}

func (a *Array) applyIndex(expr string, items []indexItem) *Array {
	nd := len(a.shape)
	consumed := 0
	lists := 0
	for _, it := range items {
		switch it.kind {
		case itemSlice, itemList:
			consumed++
		}
		if it.kind == itemList {
			lists++
		}
	}
	if consumed > nd {
		return errArray("Index %q: %d indices for the %d axes of shape %s", expr, consumed, nd, shapeString(a.shape))
	}
	if lists > 1 {
		return errArray("Index %q: more than one list (NumPy's broadcast fancy indexing) is not supported: index one axis at a time", expr)
	}
	// Expand the ellipsis (or append one at the end).
	var full []indexItem
	hasEll := false
	for _, it := range items {
		if it.kind == itemEllipsis {
			hasEll = true
			for i := 0; i < nd-consumed; i++ {
				full = append(full, indexItem{kind: itemSlice, s: All})
			}
			continue
		}
		full = append(full, it)
	}
	if !hasEll {
		for i := 0; i < nd-consumed; i++ {
			full = append(full, indexItem{kind: itemSlice, s: All})
		}
	}
	// Basic slicing first, a list's axis kept whole.
	var basic []Slice
	var newAxes []int // result positions of new axes
	listAxis, listItem := -1, -1
	out := 0 // result axes so far
	var advanced []int
	for i, it := range full {
		switch it.kind {
		case itemSlice:
			basic = append(basic, it.s)
			if it.s.IsIndex {
				advanced = append(advanced, i)
			} else {
				out++
			}
		case itemList:
			basic = append(basic, All)
			listAxis, listItem = out, i
			advanced = append(advanced, i)
			out++
		case itemNewAxis:
			newAxes = append(newAxes, out)
			out++
		}
	}
	r := a.Slice(basic...)
	if r.err != nil {
		return errArray("Index %q: %v", expr, strings.TrimPrefix(r.err.Error(), "array: "))
	}
	if len(newAxes) > 0 {
		r = r.ExpandDims(newAxes...)
	}
	if listItem < 0 {
		return r
	}
	it := full[listItem]
	pos := it.list
	n := r.shape[listAxis]
	if it.mask != nil {
		if len(it.mask) != n {
			return errArray("Index %q: boolean list of length %d for an axis of length %d", expr, len(it.mask), n)
		}
		pos = nil
		for i, m := range it.mask {
			if m {
				pos = append(pos, i)
			}
		}
	}
	for _, p := range pos {
		if p < -n || p >= n {
			return errArray("Index %q: index %d out of range for axis %d of length %d", expr, p, listItem, n)
		}
	}
	r = r.Take(listAxis, pos)
	// NumPy: advanced indices not next to each other put their axis first.
	if len(advanced) > 1 && advanced[len(advanced)-1]-advanced[0] != len(advanced)-1 && listAxis > 0 {
		perm := []int{listAxis}
		for i := 0; i < len(r.shape); i++ {
			if i != listAxis {
				perm = append(perm, i)
			}
		}
		r = r.Transpose(perm...)
	}
	return r
}
