package cluster

import (
	"bytes"
	"math"
	"math/rand"
	"testing"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow/flight"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"

	"github.com/godask/godask/array"
	"github.com/godask/godask/graph"
)

// TestWireView checks the copy-free forms against the codecs: the pieces
// of graph.EncodeSegments are graph.EncodeValue's bytes, and a value
// received into a buffer aligned as the sender asks decodes
// (graph.DecodeValueOwned) equal to graph.DecodeValue's copy, NaN, -0 and
// extremes included, its elements viewing the buffer when they are large;
// received misaligned, it is copied and still equal. The wire codec reads
// and writes FlightData as protobuf does.
func TestWireView(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, n := range []int{0, 10, viewMin / 8, viewMin/8 + 3, 1 << 17} {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64() * 1e300
		}
		if n > 3 {
			x[0], x[1], x[2] = math.NaN(), math.Copysign(0, -1), math.Inf(-1)
		}
		bs := make([]byte, n*3)
		rng.Read(bs)
		d := array.NewDense(array.Int64, n, 2)
		for i := range d.I64 {
			d.I64[i] = rng.Int63() - rng.Int63()
		}
		if n > 1 {
			d.I64[0], d.I64[1] = math.MinInt64, math.MaxInt64
		}
		f, err := array.NewDenseFloat64(x, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []any{x, bs, d, f} {
			want, err := graph.EncodeValue(v)
			if err != nil {
				t.Fatal(err)
			}
			segs, align, err := graph.EncodeSegments(v)
			if err != nil {
				t.Fatal(err)
			}
			if got := bytes.Join(segs, nil); !bytes.Equal(got, want) {
				t.Fatalf("%T of %d: the segments differ from EncodeValue", v, n)
			}
			for _, shift := range []int{0, 1} {
				buf := alignedBuffer(uint64(len(want)+shift), align)
				buf = append(buf, make([]byte, shift)...)
				buf = append(buf, want...)[shift:]
				got, err := graph.DecodeValueOwned(buf)
				if err != nil {
					t.Fatal(err)
				}
				again, err := graph.EncodeValue(got)
				if err != nil || !bytes.Equal(again, want) {
					t.Fatalf("%T of %d, shift %d: decoded value differs (%v)", v, n, shift, err)
				}
				var p unsafe.Pointer
				switch g := got.(type) {
				case []float64:
					if len(g) > 0 {
						p = unsafe.Pointer(&g[0])
					}
				case *array.Dense:
					switch {
					case len(g.Data) > 0:
						p = unsafe.Pointer(&g.Data[0])
					case len(g.I64) > 0:
						p = unsafe.Pointer(&g.I64[0])
					}
				default:
					continue
				}
				inBuf := p != nil && uintptr(p) >= uintptr(unsafe.Pointer(unsafe.SliceData(buf))) &&
					uintptr(p) < uintptr(unsafe.Pointer(unsafe.SliceData(buf)))+uintptr(len(buf))
				if big := len(want) >= viewMin; big && inBuf != (shift == 0) {
					t.Fatalf("%T of %d, shift %d: viewing the buffer %v", v, n, shift, inBuf)
				}
			}
		}
	}
	// Headers too short or lying are the codecs' errors.
	for _, b := range [][]byte{nil, {0x80}, {200, 1, 2}, append(graph.AppendBytes(nil, []byte("[]float64")), 1, 2, 3),
		append(graph.AppendBytes(nil, []byte("array.Dense")), 0, 1, 200, 1, 2)} {
		if _, err := graph.DecodeValueOwned(b); err == nil && len(b) > 1 {
			t.Fatalf("DecodeValueOwned(%v) gave no error", b)
		}
	}
	// wireCodec writes FlightData byte for byte as protobuf does, and
	// reads what protobuf writes.
	proto := encoding.GetCodecV2("proto")
	for _, fd := range []*flight.FlightData{
		{},
		{AppMetadata: []byte{0, 5}, DataBody: bytes.Repeat([]byte{7}, 3000)},
		{AppMetadata: []byte{0, 5}, DataBody: bytes.Repeat([]byte{9}, bodyCopyMax+1)},
		{DataHeader: []byte("h"), DataBody: []byte("body")},
		{FlightDescriptor: &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{"é"}}, DataBody: []byte{1}},
	} {
		want, err := proto.Marshal(fd)
		if err != nil {
			t.Fatal(err)
		}
		got, err := theCodec.Marshal(fd)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Materialize(), want.Materialize()) {
			t.Fatalf("wireCodec wrote %x, proto %x", got.Materialize(), want.Materialize())
		}
		var a, p flight.FlightData
		if err := theCodec.Unmarshal(want, &a); err != nil {
			t.Fatal(err)
		}
		if err := proto.Unmarshal(want, &p); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.DataBody, p.DataBody) || !bytes.Equal(a.AppMetadata, p.AppMetadata) || !bytes.Equal(a.DataHeader, p.DataHeader) ||
			(a.FlightDescriptor == nil) != (p.FlightDescriptor == nil) {
			t.Fatalf("wireCodec read %v, proto %v", &a, &p)
		}
	}
	var garbage flight.FlightData
	if err := theCodec.Unmarshal(mem.BufferSlice{mem.SliceBuffer{0xc2, 0x3e, 0xff}}, &garbage); err == nil {
		t.Fatal("a cut FlightData decoded")
	}
}
