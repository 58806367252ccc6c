package array

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"strings"
	"unsafe"

	"github.com/godask/godask/graph"
	"gonum.org/v1/gonum/mat"
)

// Dense is an in-memory N-d array in C (row-major) order: what Compute
// returns and what every block of an Array is. Exactly one of the data slices
// is set, the one of DType; its length is the product of Shape. Strides are in
// elements (not bytes) and always describe C order: Strides[i] is the product
// of Shape[i+1:]. A Dense must not be modified once it is handed to a graph.
type Dense struct {
	DType   DType
	Shape   []int
	Strides []int
	// Data holds float64 elements.
	Data []float64
	// F32 holds float32 elements.
	F32 []float32
	// I64 holds int64 elements.
	I64 []int64
	// B holds bool elements.
	B []bool
}

func init() {
	graph.RegisterCodec("array.Dense", reflect.TypeOf(&Dense{}), graph.Codec{
		Encode: func(v any) ([]byte, error) { return v.(*Dense).MarshalBinary() },
		Decode: func(b []byte) (any, error) {
			d := &Dense{}
			return d, d.UnmarshalBinary(b)
		},
		Segments:    denseSegments,
		DecodeOwned: decodeDenseOwned,
	})
}

func prod(s []int) int {
	n := 1
	for _, v := range s {
		n *= v
	}
	return n
}

func cStrides(shape []int) []int {
	st := make([]int, len(shape))
	n := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = n
		n *= shape[i]
	}
	return st
}

// NewDense returns a zeroed dense array of the given dtype and shape. It
// panics on a negative dimension (a programming error; Array builders check).
func NewDense(dt DType, shape ...int) *Dense {
	for _, s := range shape {
		if s < 0 {
			panic(fmt.Sprintf("array: NewDense with negative shape %v", shape))
		}
	}
	d := &Dense{DType: dt, Shape: append([]int{}, shape...), Strides: cStrides(shape)}
	n := prod(shape)
	switch dt {
	case Float32:
		d.F32 = make([]float32, n)
		if n > 0 {
			adviseHuge(unsafe.Pointer(&d.F32[0]), n*4)
		}
	case Int64:
		d.I64 = make([]int64, n)
		if n > 0 {
			adviseHuge(unsafe.Pointer(&d.I64[0]), n*8)
		}
	case Bool:
		d.B = make([]bool, n)
		if n > 0 {
			adviseHuge(unsafe.Pointer(&d.B[0]), n)
		}
	default:
		if n >= recycleMin {
			if b, ok := reusedF64Buf(n); ok {
				clear(b)
				d.Data = b
				return d
			}
		}
		d.Data = make([]float64, n)
		if n > 0 {
			adviseHuge(unsafe.Pointer(&d.Data[0]), n*8)
		}
	}
	return d
}

// NewDenseFloat64 wraps data (not copied) as a float64 array of the given
// shape; len(data) must equal the product of shape.
func NewDenseFloat64(data []float64, shape ...int) (*Dense, error) {
	if prod(shape) != len(data) {
		return nil, fmt.Errorf("array: NewDenseFloat64: %d elements do not fill shape %v", len(data), shape)
	}
	for _, s := range shape {
		if s < 0 {
			return nil, fmt.Errorf("array: NewDenseFloat64: negative shape %v", shape)
		}
	}
	return &Dense{DType: Float64, Shape: append([]int{}, shape...), Strides: cStrides(shape), Data: data}, nil
}

// Len returns the number of elements.
func (d *Dense) Len() int { return prod(d.Shape) }

// Size implements graph.Sizer: the bytes of the data.
func (d *Dense) Size() int64 { return int64(d.Len()*d.DType.ItemSize()) + 64 }

// Float64s returns the elements as float64: the Data slice itself for a
// float64 array (do not modify it), a converted copy otherwise.
func (d *Dense) Float64s() []float64 {
	switch d.DType {
	case Float32:
		out := make([]float64, len(d.F32))
		for i, v := range d.F32 {
			out[i] = float64(v)
		}
		return out
	case Int64:
		out := make([]float64, len(d.I64))
		for i, v := range d.I64 {
			out[i] = float64(v)
		}
		return out
	case Bool:
		out := make([]float64, len(d.B))
		for i, v := range d.B {
			if v {
				out[i] = 1
			}
		}
		return out
	}
	return d.Data
}

// loadF64 writes elements [off, off+len(dst)) as float64 into dst.
func (d *Dense) loadF64(dst []float64, off int) {
	switch d.DType {
	case Float32:
		for i, v := range d.F32[off : off+len(dst)] {
			dst[i] = float64(v)
		}
	case Int64:
		for i, v := range d.I64[off : off+len(dst)] {
			dst[i] = float64(v)
		}
	case Bool:
		for i, v := range d.B[off : off+len(dst)] {
			if v {
				dst[i] = 1
			} else {
				dst[i] = 0
			}
		}
	default:
		copy(dst, d.Data[off:off+len(dst)])
	}
}

// storeF64 stores src (float64) at elements [off, off+len(src)), converting.
func (d *Dense) storeF64(src []float64, off int) {
	switch d.DType {
	case Float32:
		o := d.F32[off : off+len(src)]
		for i, v := range src {
			o[i] = float32(v)
		}
	case Int64:
		o := d.I64[off : off+len(src)]
		for i, v := range src {
			o[i] = int64(v)
		}
	case Bool:
		o := d.B[off : off+len(src)]
		for i, v := range src {
			o[i] = v != 0
		}
	default:
		copy(d.Data[off:], src)
	}
}

// At returns the element at the given index as a float64. It panics when the
// index is out of range, like slice indexing.
func (d *Dense) At(idx ...int) float64 {
	if len(idx) != len(d.Shape) {
		panic(fmt.Sprintf("array: Dense.At with %d indices on shape %v", len(idx), d.Shape))
	}
	off := 0
	for i, v := range idx {
		if v < 0 || v >= d.Shape[i] {
			panic(fmt.Sprintf("array: Dense.At index %v out of range for shape %v", idx, d.Shape))
		}
		off += v * d.Strides[i]
	}
	return d.elem(off)
}

func (d *Dense) elem(off int) float64 {
	switch d.DType {
	case Float32:
		return float64(d.F32[off])
	case Int64:
		return float64(d.I64[off])
	case Bool:
		if d.B[off] {
			return 1
		}
		return 0
	}
	return d.Data[off]
}

// reshaped returns a view of d with another shape of the same size.
func (d *Dense) reshaped(shape []int) *Dense {
	e := *d
	e.Shape = append([]int{}, shape...)
	e.Strides = cStrides(shape)
	return &e
}

// convert returns d in dtype dt (d itself when it already is).
func (d *Dense) convert(dt DType) *Dense {
	if d.DType == dt {
		return d
	}
	out := NewDense(dt, d.Shape...)
	out.storeF64(d.Float64s(), 0)
	return out
}

// ToMat returns a 2-D array (or a 1-D one, as a column) as a gonum matrix
// sharing the data when it is float64.
func (d *Dense) ToMat() (*mat.Dense, error) {
	r, c := 0, 0
	switch len(d.Shape) {
	case 1:
		r, c = d.Shape[0], 1
	case 2:
		r, c = d.Shape[0], d.Shape[1]
	default:
		return nil, fmt.Errorf("array: ToMat of a %d-d array of shape %v: want 1-d or 2-d", len(d.Shape), d.Shape)
	}
	if r == 0 || c == 0 {
		return nil, fmt.Errorf("array: ToMat of an empty array of shape %v: gonum has no empty matrices", d.Shape)
	}
	return mat.NewDense(r, c, d.Float64s()), nil
}

// FromMat copies a gonum matrix into a 2-D float64 Dense.
func FromMat(m mat.Matrix) *Dense {
	r, c := m.Dims()
	d := NewDense(Float64, r, c)
	if md, ok := m.(*mat.Dense); ok {
		raw := md.RawMatrix()
		for i := 0; i < r; i++ {
			copy(d.Data[i*c:(i+1)*c], raw.Data[i*raw.Stride:i*raw.Stride+c])
		}
		return d
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			d.Data[i*c+j] = m.At(i, j)
		}
	}
	return d
}

// MarshalBinary encodes the array as its dtype, shape and raw little-endian
// data: the codec blocks travel and spill with.
func (d *Dense) MarshalBinary() ([]byte, error) {
	return appendRaw(denseHeader(d, d.Len()*d.DType.ItemSize()), d), nil
}

// denseHeader returns the codec's header (dtype, shape) in a buffer with
// room for extra more bytes.
func denseHeader(d *Dense, extra int) []byte {
	b := make([]byte, 0, 16+8*len(d.Shape)+extra)
	b = append(b, byte(d.DType))
	b = binary.AppendUvarint(b, uint64(len(d.Shape)))
	for _, s := range d.Shape {
		b = binary.AppendUvarint(b, uint64(s))
	}
	return b
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (d *Dense) UnmarshalBinary(b []byte) error {
	dt, shape, raw, err := parseDense(b)
	if err != nil {
		return err
	}
	x, err := decodeRaw(dt, shape, raw)
	if err != nil {
		return fmt.Errorf("array: decode Dense: %w", err)
	}
	*d = *x
	return nil
}

// parseDense reads the codec's header, returning the raw elements' bytes.
func parseDense(b []byte) (dt DType, shape []int, raw []byte, err error) {
	if len(b) < 1 {
		return 0, nil, nil, errors.New("array: decode Dense: empty input")
	}
	dt = DType(b[0])
	if !dt.valid() {
		return 0, nil, nil, fmt.Errorf("array: decode Dense: bad dtype %d", b[0])
	}
	r := graph.NewReader(b[1:])
	nd := r.Uvarint()
	if nd > 64 {
		return 0, nil, nil, fmt.Errorf("array: decode Dense: %d dimensions", nd)
	}
	shape = make([]int, nd)
	// The elements the shape implies, with empty dimensions counted as 1:
	// an empty block's other dimensions still size what is computed from
	// it, so they too must be what a few bytes can describe.
	implied := uint64(1)
	bound := 8*uint64(len(b)) + 1<<20
	for i := range shape {
		u := r.Uvarint()
		hi, lo := bits.Mul64(implied, max(u, 1))
		if hi != 0 || lo > bound {
			return 0, nil, nil, fmt.Errorf("array: decode Dense: shape dimension %d of %d is more than %d bytes can hold", i, u, len(b))
		}
		implied = lo
		shape[i] = int(u)
	}
	if r.Err() != nil {
		return 0, nil, nil, fmt.Errorf("array: decode Dense: %w", r.Err())
	}
	return dt, shape, r.Rest(), nil
}

// appendRaw appends d's elements to b as raw little-endian values in C order
// (a bool as one byte): the payload of the block codec and of Zarr chunks.
func appendRaw(b []byte, d *Dense) []byte {
	switch d.DType {
	case Float32:
		for _, v := range d.F32 {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	case Int64:
		for _, v := range d.I64 {
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	case Bool:
		for _, v := range d.B {
			if v {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		}
	default:
		b = append(b, graph.Float64Bytes(d.Data)...)
	}
	return b
}

// decodeRaw reads what appendRaw wrote into a new block of the given dtype
// and shape; raw must hold exactly its elements.
func decodeRaw(dt DType, shape []int, raw []byte) (*Dense, error) {
	n := prod(shape)
	if len(raw) != n*dt.ItemSize() {
		return nil, fmt.Errorf("%d data bytes for shape %v of %s", len(raw), shape, dt)
	}
	d := &Dense{DType: dt, Shape: shape, Strides: cStrides(shape)}
	switch dt {
	case Float32:
		d.F32 = make([]float32, n)
		for i := range d.F32 {
			d.F32[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case Int64:
		d.I64 = make([]int64, n)
		for i := range d.I64 {
			d.I64[i] = int64(binary.LittleEndian.Uint64(raw[8*i:]))
		}
	case Bool:
		d.B = make([]bool, n)
		for i := range d.B {
			d.B[i] = raw[i] != 0
		}
	default:
		x, err := graph.BytesFloat64(raw)
		if err != nil {
			return nil, err
		}
		d.Data = x
	}
	return d, nil
}

// String prints the array like NumPy for small arrays, and its shape and
// dtype with the first elements for large ones.
func (d *Dense) String() string {
	var sb strings.Builder
	n := d.Len()
	if n > 1000 {
		fmt.Fprintf(&sb, "Dense<shape=%s, dtype=%s> ", shapeString(d.Shape), d.DType)
		var parts []string
		for i := 0; i < 6; i++ {
			parts = append(parts, fmtElem(d, i))
		}
		sb.WriteString("[" + strings.Join(parts, " ") + " ...]")
		return sb.String()
	}
	var rec func(dim, off int)
	rec = func(dim, off int) {
		if dim == len(d.Shape) {
			sb.WriteString(fmtElem(d, off))
			return
		}
		sb.WriteByte('[')
		for i := 0; i < d.Shape[dim]; i++ {
			if i > 0 {
				if dim == len(d.Shape)-1 {
					sb.WriteByte(' ')
				} else {
					sb.WriteString("\n" + strings.Repeat(" ", dim+1))
				}
			}
			rec(dim+1, off+i*d.Strides[dim])
		}
		sb.WriteByte(']')
	}
	rec(0, 0)
	return sb.String()
}

func fmtElem(d *Dense, off int) string {
	switch d.DType {
	case Bool:
		if d.B[off] {
			return "true"
		}
		return "false"
	case Int64:
		return fmt.Sprint(d.I64[off])
	}
	return fmt.Sprintf("%.6g", d.elem(off))
}

func shapeString(s []int) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = lenString(v)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
