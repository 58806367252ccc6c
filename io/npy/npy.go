// Package npy reads and writes NumPy's .npy files, the array interchange
// format of NumPy (np.save / np.load), for package array: Read and Write
// move a *array.Dense, Load and Save a chunked *array.Array (Save computes
// it). Supported element types are float64, float32, int64 and bool
// (little- or big-endian; int32/int16/int8/uint8 and float16 are not);
// Fortran-ordered files are read and converted to C order.
package npy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
)

var magic = []byte("\x93NUMPY")

var (
	reDescr   = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	reFortran = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	reShape   = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// maxBytes caps the data a header may declare (1 TiB): past it the shape is
// refused before anything is allocated.
const maxBytes = 1 << 40

// Read decodes a .npy stream. The header is not trusted: a shape whose
// element count overflows, or that declares more data than the stream holds
// (checked against the file size when r is an *os.File or an io.Seeker, and
// otherwise by reading in bounded pieces), is an error before the array is
// allocated.
func Read(r io.Reader) (*array.Dense, error) {
	avail := int64(-1) // bytes left in r, when known
	if s, ok := r.(io.Seeker); ok {
		if cur, err := s.Seek(0, io.SeekCurrent); err == nil {
			if end, err := s.Seek(0, io.SeekEnd); err == nil {
				if _, err := s.Seek(cur, io.SeekStart); err == nil {
					avail = end - cur
				}
			}
		}
	}
	br := bufio.NewReader(r)
	head := make([]byte, 8)
	if _, err := io.ReadFull(br, head); err != nil {
		return nil, fmt.Errorf("npy: read header: %w", err)
	}
	if !bytes.Equal(head[:6], magic) {
		return nil, fmt.Errorf("npy: not a .npy file (bad magic %q)", head[:6])
	}
	var hlen int
	switch head[6] {
	case 1:
		b := make([]byte, 2)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, fmt.Errorf("npy: read header length: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint16(b))
	case 2, 3:
		b := make([]byte, 4)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, fmt.Errorf("npy: read header length: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint32(b))
	default:
		return nil, fmt.Errorf("npy: unsupported format version %d.%d", head[6], head[7])
	}
	if hlen > 1<<20 {
		return nil, fmt.Errorf("npy: header of %d bytes", hlen)
	}
	h := make([]byte, hlen)
	if avail >= 0 {
		avail -= int64(len(head) + hlen)
		if head[6] == 1 {
			avail -= 2
		} else {
			avail -= 4
		}
	}
	if _, err := io.ReadFull(br, h); err != nil {
		return nil, fmt.Errorf("npy: read header: %w", err)
	}
	hs := string(h)
	md, mf, ms := reDescr.FindStringSubmatch(hs), reFortran.FindStringSubmatch(hs), reShape.FindStringSubmatch(hs)
	if md == nil || mf == nil || ms == nil {
		return nil, fmt.Errorf("npy: malformed header %q", strings.TrimSpace(hs))
	}
	var shape []int
	for _, f := range strings.Split(ms[1], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("npy: bad shape %q", ms[1])
		}
		shape = append(shape, v)
	}
	descr := md[1]
	var order binary.ByteOrder = binary.LittleEndian
	if len(descr) > 0 && descr[0] == '>' {
		order = binary.BigEndian
	}
	kind := strings.TrimLeft(descr, "<>|=")
	var dt array.DType
	switch kind {
	case "f8":
		dt = array.Float64
	case "f4":
		dt = array.Float32
	case "i8":
		dt = array.Int64
	case "b1":
		dt = array.Bool
	default:
		return nil, fmt.Errorf("npy: unsupported dtype %q (float64, float32, int64 and bool are)", descr)
	}
	fortran := mf[1] == "True"
	dshape := shape
	if fortran {
		dshape = make([]int, len(shape))
		for i := range shape {
			dshape[i] = shape[len(shape)-1-i]
		}
	}
	n, ok := elements(shape, dt.ItemSize())
	if !ok {
		return nil, fmt.Errorf("npy: shape %v of %s overflows (more than %d bytes of data)", shape, descr, int64(maxBytes))
	}
	if avail >= 0 && int64(n*dt.ItemSize()) > avail {
		return nil, fmt.Errorf("npy: shape %v of %s needs %d bytes of data, the file holds %d", shape, descr, n*dt.ItemSize(), max(avail, 0))
	}
	buf, err := readBounded(br, n*dt.ItemSize())
	if err != nil {
		return nil, fmt.Errorf("npy: read %d elements of shape %v: %w", n, shape, err)
	}
	d := array.NewDense(dt, dshape...)
	switch dt {
	case array.Float64:
		for i := range d.Data {
			d.Data[i] = math.Float64frombits(order.Uint64(buf[8*i:]))
		}
	case array.Float32:
		for i := range d.F32 {
			d.F32[i] = math.Float32frombits(order.Uint32(buf[4*i:]))
		}
	case array.Int64:
		for i := range d.I64 {
			d.I64[i] = int64(order.Uint64(buf[8*i:]))
		}
	case array.Bool:
		for i := range d.B {
			d.B[i] = buf[i] != 0
		}
	}
	if fortran && len(shape) > 1 {
		perm := make([]int, len(shape))
		for i := range perm {
			perm[i] = len(shape) - 1 - i
		}
		t, err := array.FromDense(d, nil).Transpose(perm...).Compute(context.Background(), sched.WithWorkers(1))
		if err != nil {
			return nil, fmt.Errorf("npy: convert Fortran order: %w", err)
		}
		return t, nil
	}
	return d, nil
}

// elements returns the element count of shape, false when it or its size in
// bytes (items of itemSize) passes maxBytes.
func elements(shape []int, itemSize int) (int, bool) {
	n := int64(1)
	for _, s := range shape {
		if s == 0 {
			return 0, true
		}
	}
	for _, s := range shape {
		if int64(s) > maxBytes/n {
			return 0, false
		}
		n *= int64(s)
	}
	if n > maxBytes/int64(itemSize) {
		return 0, false
	}
	return int(n), true
}

// readBounded reads exactly n bytes, growing its buffer in pieces of at most
// 64 MiB so that a stream shorter than its header claims fails after reading
// what it has, not after allocating what it claims.
func readBounded(r io.Reader, n int) ([]byte, error) {
	const piece = 64 << 20
	if n <= piece {
		buf := make([]byte, n)
		_, err := io.ReadFull(r, buf)
		return buf, err
	}
	buf := make([]byte, 0, piece)
	for len(buf) < n {
		k := min(n-len(buf), piece)
		if cap(buf)-len(buf) < k {
			nb := make([]byte, len(buf), min(n, 2*cap(buf)+k))
			copy(nb, buf)
			buf = nb
		}
		m, err := io.ReadFull(r, buf[len(buf):len(buf)+k])
		buf = buf[:len(buf)+m]
		if err != nil {
			return nil, fmt.Errorf("stream ends after %d of %d bytes: %w", len(buf), n, io.ErrUnexpectedEOF)
		}
	}
	return buf, nil
}

// Write encodes d as a version 1.0 .npy stream (little-endian, C order).
func Write(w io.Writer, d *array.Dense) error {
	descr := map[array.DType]string{array.Float64: "<f8", array.Float32: "<f4", array.Int64: "<i8", array.Bool: "|b1"}[d.DType]
	var sh string
	switch len(d.Shape) {
	case 1:
		sh = fmt.Sprintf("(%d,)", d.Shape[0])
	default:
		parts := make([]string, len(d.Shape))
		for i, s := range d.Shape {
			parts[i] = strconv.Itoa(s)
		}
		sh = "(" + strings.Join(parts, ", ") + ")"
	}
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, sh)
	total := 10 + len(h) + 1
	pad := (64 - total%64) % 64
	h += strings.Repeat(" ", pad) + "\n"
	b := append([]byte{}, magic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	b = append(b, h...)
	switch d.DType {
	case array.Float64:
		for _, v := range d.Data {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	case array.Float32:
		for _, v := range d.F32 {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	case array.Int64:
		for _, v := range d.I64 {
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		}
	case array.Bool:
		for _, v := range d.B {
			if v {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		}
	}
	_, err := w.Write(b)
	return err
}

// Load reads a .npy file into a chunked array.
func Load(path string, chunks array.Chunking) (*array.Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	defer f.Close()
	d, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("npy: %s: %w", path, err)
	}
	a := array.FromDense(d, chunks)
	return a, a.Err()
}

// Save computes a and writes it to path.
func Save(ctx context.Context, path string, a *array.Array, opts ...sched.Option) error {
	d, err := a.Compute(ctx, opts...)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	if err := Write(f, d); err != nil {
		f.Close()
		return fmt.Errorf("npy: write %s: %w", path, err)
	}
	return f.Close()
}
