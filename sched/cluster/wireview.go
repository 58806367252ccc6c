package cluster

import (
	"encoding/binary"
	"unsafe"

	"github.com/apache/arrow/go/v15/arrow/flight"
	"google.golang.org/grpc/encoding"

	"github.com/godask/godask/graph"
)

// Large flat values ([]float64, []byte) move without encoding copies: the
// sender sends their memory itself after the codec name (what
// graph.EncodeValue would write, byte for byte), and the receiver, which
// lands the bytes in an 8-aligned buffer, decodes a []float64 as a view of
// that buffer instead of copying it. Other values go through their codecs.

// viewMin is the smallest value sent as a view: below it, a copy is cheap.
const viewMin = 64 << 10

var hostLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// wireView returns the encoded form of v as a header and a body that
// aliases v's memory, when v is a flat value of a raw codec; ok is false
// otherwise. header+body equals graph.EncodeValue(v).
func wireView(v any) (header, body []byte, ok bool) {
	switch x := v.(type) {
	case []float64:
		if !hostLittleEndian || 8*len(x) < viewMin {
			return nil, nil, false
		}
		return graph.AppendBytes(nil, []byte("[]float64")), unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), 8*len(x)), true
	case []byte:
		if len(x) < viewMin {
			return nil, nil, false
		}
		return graph.AppendBytes(nil, []byte("[]uint8")), x, true
	}
	return nil, nil, false
}

// headerLen returns the length of the codec-name header at the start of an
// encoded value, or -1 when b is too short to tell.
func headerLen(b []byte) int {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return -1
	}
	return k + int(n)
}

// decodeOwned decodes an encoded value whose buffer the caller gives away:
// a []float64 whose payload is 8-aligned becomes a view of b (no copy);
// anything else goes through graph.DecodeValue.
func decodeOwned(b []byte) (any, error) {
	const name = "[]float64"
	if hl := headerLen(b); hl == 1+len(name) && hostLittleEndian && string(b[1:hl]) == name {
		p := b[hl:]
		if len(p)%8 == 0 && len(p) >= viewMin && uintptr(unsafe.Pointer(unsafe.SliceData(p)))%8 == 0 {
			return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(p))), len(p)/8), nil
		}
	}
	return graph.DecodeValue(b)
}

// alignedBuffer returns an empty buffer of capacity total whose byte at
// index hl sits at an 8-aligned address (hl < 0: no preference).
func alignedBuffer(total uint64, hl int) []byte {
	if hl < 0 || total < viewMin {
		return make([]byte, 0, total)
	}
	raw := make([]byte, total+7)
	prefault(raw)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	pad := int((8 - (base+uintptr(hl))%8) % 8)
	return raw[pad : pad : uint64(pad)+total]
}

// aliasCodec is the client's gRPC codec for fetches: it decodes a
// FlightData's data_body (and app_metadata) as views of the received
// message instead of copies (gRPC hands each received message to the codec
// in a fresh buffer, which nothing reuses), and leaves everything else to
// the registered proto codec. On the wire it is the proto codec.
type aliasCodec struct{ proto encoding.Codec }

var fetchCodec = aliasCodec{proto: encoding.GetCodec("proto")}

func (c aliasCodec) Name() string                  { return c.proto.Name() }
func (c aliasCodec) Marshal(v any) ([]byte, error) { return c.proto.Marshal(v) }

// Unmarshal parses a FlightData that has only data_header (2), app_metadata
// (3) and data_body (1000), all bytes; any other shape goes to proto.
func (c aliasCodec) Unmarshal(data []byte, v any) error {
	fd, ok := v.(*flight.FlightData)
	if !ok {
		return c.proto.Unmarshal(data, v)
	}
	var hdr, meta, body []byte
	b := data
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 || key&7 != 2 {
			return c.proto.Unmarshal(data, v)
		}
		l, m := binary.Uvarint(b[n:])
		if m <= 0 || l > uint64(len(b)-n-m) {
			return c.proto.Unmarshal(data, v)
		}
		f := b[n+m : n+m+int(l) : n+m+int(l)]
		switch key >> 3 {
		case 2:
			hdr = f
		case 3:
			meta = f
		case 1000:
			body = f
		default:
			return c.proto.Unmarshal(data, v)
		}
		b = b[n+m+int(l):]
	}
	fd.Reset()
	fd.DataHeader, fd.AppMetadata, fd.DataBody = hdr, meta, body
	return nil
}
