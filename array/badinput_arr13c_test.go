package array

import (
	"strings"
	"testing"
)

func TestArr13cBadInput(t *testing.T) {
	x := FromDense(offsetDense([]int{4, 5}), Regular{2, 2})
	v := FromDense(offsetDense([]int{3}), nil)
	for _, c := range []struct {
		y    *Array
		want []string
	}{
		{x.Index("[0, 4]"), []string{"Index", "index 4 out of range"}},
		{x.Index(":, [-6]"), []string{"Index", "index -6 out of range"}},
		{x.Index("[0], [1]"), []string{"Index", "more than one list"}},
		{x.Index("[true, false]"), []string{"Index", "boolean list of length 2"}},
		{x.Index("[1, true]"), []string{"Index", "mixes"}},
		{x.Index("0, 0, 0"), []string{"Index", "3 indices"}},
		{x.Index("[[0]]"), []string{"Index", "nested"}},
		{x.Index("0,,"), []string{"Index", "empty item"}},
		{x.Index("::0"), []string{"step cannot be zero"}},
		{x.Index("99999999999999999999"), []string{"Index", "bad"}},
		{x.Pad([][2]int{{-1, 0}}, PadEdge, 0), []string{"Pad", "negative width"}},
		{x.Pad([][2]int{{1, 0}, {0, 0}, {0, 0}}, PadEdge, 0), []string{"Pad", "3 width pairs"}},
		{x.Pad([][2]int{{1, 1}}, "mirror", 0), []string{"Pad", "unknown mode"}},
		{FromDense(NewDense(Int64, 0), nil).Pad([][2]int{{1, 1}}, PadReflect, 0), []string{"Pad", "empty axis"}},
		{x.Tile(2, -1), []string{"Tile", "negative"}},
		{x.Repeat(-2, 0), []string{"Repeat", "negative repeats"}},
		{x.Repeat(2, 3), []string{"Repeat", "axis 3"}},
		{x.Repeat(1<<62, 0), []string{"Repeat", "overflow"}},
		{x.Squeeze(0), []string{"Squeeze", "not 1"}},
		{x.ExpandDims(0, 0), []string{"ExpandDims", "twice"}},
		{x.ExpandDims(5), []string{"ExpandDims", "out of range"}},
		{x.BroadcastTo([]int{3, 5}, nil), []string{"BroadcastTo", "cannot broadcast"}},
		{x.BroadcastTo([]int{5}, nil), []string{"BroadcastTo", "fewer axes"}},
		{v.Tril(0), []string{"Tril", "2 axes"}},
		{FromDense(offsetDense([]int{2, 2, 2}), nil).Diag(0), []string{"Diag", "1-d or 2-d"}},
		{ArangeInt(0, 5, 0, 1), []string{"ArangeInt", "step"}},
		{FromArray(nil, nil), []string{"FromArray", "nil"}},
		{FromArray(&Dense{DType: Float64, Shape: []int{3}, Strides: []int{1}, Data: []float64{1}}, nil), []string{"FromArray", "holds 1"}},
		{Einsum("ij,jk->ik", x, x), []string{"Einsum", "length"}},
		{Einsum("ij->ik", x), []string{"Einsum", "not in any operand"}},
		{Einsum("i", x), []string{"Einsum", "2 axes"}},
		{Einsum("ij,jk", x), []string{"Einsum", "2 operand subscripts for 1"}},
		{Einsum("i->ii", v), []string{"Einsum", "repeated"}},
		{Einsum("i#->i", x), []string{"Einsum", "bad subscript"}},
		{Einsum("ii->i", x), []string{"Einsum", "length 4", "and 5"}},
		{Einsum("...ij->ij", FromDense(offsetDense([]int{2, 2, 2}), nil)), []string{"Einsum", "no \"...\""}},
		{Einsum("i->i->i", v), []string{"Einsum", "more than one"}},
		{Einsum("i"), []string{"Einsum", "no operands"}},
	} {
		err := c.y.Err()
		if err == nil {
			t.Errorf("no error, want %q", c.want)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
	}
	// No panic on nil operands.
	if Einsum("i,i", v, nil).Err() == nil || Outer(nil, v).Err() == nil {
		t.Error("nil operand: no error")
	}
}

func TestArr13cUnknownChunks(t *testing.T) {
	x := FromDense(offsetDense([]int{6}), Regular{4})
	m := x.Mask(x.Gt(Scalar(0)))
	for _, y := range []*Array{m.Squeeze(), m.ExpandDims(0), m.Tile(2), Outer(m, x), m.Pad([][2]int{{1, 1}}, PadEdge, 0),
		m.Repeat(2, 0), m.Diag(0), m.BroadcastTo([]int{2, 6}, nil), m.Index("[0]"), Einsum("i->", m),
		MapOverlap("test.boxsum1", Int64, OverlapOptions{Depth: []int{1}}, m), m.ArgWhere()} {
		if y.Err() == nil || !strings.Contains(y.Err().Error(), "unknown") {
			t.Errorf("on unknown chunks: %v", y.Err())
		}
	}
}
