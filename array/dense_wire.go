package array

import (
	"fmt"

	"github.com/godask/godask/graph"
)

// The block codec's copy-free forms, for the cluster transport
// (graph.EncodeSegments, graph.DecodeValueOwned): a block goes out as its
// header (dtype, shape) and its elements' own memory, and a received
// block's elements are a view of the received buffer when it is aligned.

// denseSegments is the block codec's Segments: the header, then the raw
// elements as a view of d's memory (a copy on a big-endian host or for a
// small block).
func denseSegments(v any) ([][]byte, int, error) {
	d := v.(*Dense)
	raw, ok := rawView(d)
	if !ok || len(raw) < graph.SegmentMin {
		b, err := d.MarshalBinary()
		return [][]byte{b}, -1, err
	}
	h := denseHeader(d, 0)
	return [][]byte{h, raw}, len(h), nil
}

// rawView returns d's elements' memory, which is their little-endian
// encoding on a little-endian host (a Go bool is one byte, 0 or 1).
func rawView(d *Dense) ([]byte, bool) {
	switch d.DType {
	case Float32:
		return graph.ViewBytes(d.F32)
	case Int64:
		return graph.ViewBytes(d.I64)
	case Bool:
		return graph.ViewBytes(d.B)
	default:
		return graph.ViewBytes(d.Data)
	}
}

// decodeDenseOwned is the block codec's DecodeOwned: the elements view b
// when the host and b's alignment allow, else they are copied; a bool
// block is always copied (its bytes need checking to be 0 or 1).
func decodeDenseOwned(b []byte) (any, error) {
	dt, shape, raw, err := parseDense(b)
	if err != nil {
		return nil, err
	}
	if n := prod(shape); len(raw) == n*dt.ItemSize() {
		d := &Dense{DType: dt, Shape: shape, Strides: cStrides(shape)}
		var ok bool
		switch dt {
		case Float32:
			d.F32, ok = graph.ViewAs[float32](raw)
		case Int64:
			d.I64, ok = graph.ViewAs[int64](raw)
		case Float64:
			d.Data, ok = graph.ViewAs[float64](raw)
		}
		if ok {
			return d, nil
		}
	}
	d, err := decodeRaw(dt, shape, raw)
	if err != nil {
		return nil, fmt.Errorf("array: decode Dense: %w", err)
	}
	return d, nil
}
