package cluster

import (
	"bytes"
	"math"
	"math/rand"
	"reflect"
	"testing"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow/flight"
	"google.golang.org/grpc/encoding"

	"github.com/godask/godask/graph"
)

// TestWireView checks the copy-free paths against the codecs: a view's
// header and body are graph.EncodeValue's bytes, an aligned received
// []float64 decodes as a view equal to graph.DecodeValue's copy (NaN, -0,
// extremes included), a misaligned or small one is copied, and the alias
// codec reads FlightData as the proto codec does.
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
		for _, v := range []any{x, bs} {
			want, err := graph.EncodeValue(v)
			if err != nil {
				t.Fatal(err)
			}
			h, body, ok := wireView(v)
			if ok != (len(want) > viewMin) && n != viewMin/8 {
				t.Fatalf("%T of %d: view %v", v, n, ok)
			}
			if ok && !bytes.Equal(append(append([]byte(nil), h...), body...), want) {
				t.Fatalf("%T of %d: the view differs from EncodeValue", v, n)
			}
			// Received into an aligned buffer, and into a misaligned one.
			for _, shift := range []int{0, 1} {
				buf := alignedBuffer(uint64(len(want)+shift), headerLen(want))
				buf = append(buf, make([]byte, shift)...)
				buf = append(buf, want...)[shift:]
				got, err := decodeOwned(buf)
				if err != nil {
					t.Fatal(err)
				}
				ref, _ := graph.DecodeValue(want)
				if f, ok := got.([]float64); ok {
					r := ref.([]float64)
					if len(f) != len(r) {
						t.Fatalf("decoded %d floats, want %d", len(f), len(r))
					}
					for i := range f {
						if math.Float64bits(f[i]) != math.Float64bits(r[i]) {
							t.Fatalf("float %d: %v, want %v", i, f[i], r[i])
						}
					}
					aliased := len(f) > 0 && unsafe.Pointer(&f[0]) == unsafe.Pointer(&buf[headerLen(buf)])
					if aliased != (shift == 0 && len(want) > viewMin) && n != viewMin/8 {
						t.Fatalf("%d floats, shift %d: aliased %v", n, shift, aliased)
					}
				} else if !reflect.DeepEqual(got, ref) {
					t.Fatalf("%T of %d: decoded value differs", v, n)
				}
			}
		}
	}
	// Headers too short or lying are left to the codec's errors.
	for _, b := range [][]byte{nil, {0x80}, {200, 1, 2}, append(graph.AppendBytes(nil, []byte("[]float64")), 1, 2, 3)} {
		if _, err := decodeOwned(b); err == nil && len(b) > 1 {
			t.Fatalf("decodeOwned(%v) gave no error", b)
		}
	}
	proto := encoding.GetCodec("proto")
	for _, fd := range []*flight.FlightData{
		{},
		{AppMetadata: []byte{0, 5}, DataBody: bytes.Repeat([]byte{7}, 3000)},
		{DataHeader: []byte("h"), DataBody: []byte("body")},
		{FlightDescriptor: &flight.FlightDescriptor{Type: flight.DescriptorPATH, Path: []string{"é"}}, DataBody: []byte{1}},
	} {
		b, err := proto.Marshal(fd)
		if err != nil {
			t.Fatal(err)
		}
		var a, p flight.FlightData
		if err := fetchCodec.Unmarshal(b, &a); err != nil {
			t.Fatal(err)
		}
		if err := proto.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.DataBody, p.DataBody) || !bytes.Equal(a.AppMetadata, p.AppMetadata) || !bytes.Equal(a.DataHeader, p.DataHeader) ||
			(a.FlightDescriptor == nil) != (p.FlightDescriptor == nil) {
			t.Fatalf("alias codec read %v, proto %v", &a, &p)
		}
	}
	var garbage flight.FlightData
	if err := fetchCodec.Unmarshal([]byte{0xc2, 0x3e, 0xff}, &garbage); err == nil {
		t.Fatal("a cut FlightData decoded")
	}
}
