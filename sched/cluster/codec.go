package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v15/arrow/flight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/proto" // registers the "proto" codec wireCodec falls back to
	"google.golang.org/grpc/mem"
)

// The data path's gRPC codec. On the wire it is protobuf, so any Flight
// peer can talk to a worker; what differs is how FlightData, the message
// every value and control message travels in, is turned into bytes:
//
//   - Sending a value (chunkMsg), the body is not copied: the message is a
//     small buffer with the field tags, lengths and app_metadata, then the
//     pieces graph.EncodeSegments gave, views of the value's own memory
//     (values are immutable once stored, so gRPC may write them after
//     SendMsg returns). Protobuf marshalling allocated and filled a fresh
//     buffer per 2 MiB message, after the codec had copied the value once.
//     A FlightData's large body goes out from its memory too.
//   - Receiving a fetch answer (valueSink), the body is copied once, from
//     gRPC's pooled frame buffers straight into the value's final buffer.
//     Other FlightData are read as views of one copy of the message.
//
// Any other message, and a FlightData with a descriptor, goes to the
// registered proto codec.
type wireCodec struct{ proto encoding.CodecV2 }

var theCodec = wireCodec{proto: encoding.GetCodecV2("proto")}

// Protobuf tags of FlightData's bytes fields (field<<3 | wire type 2).
const (
	tagHeader = 2<<3 | 2
	tagMeta   = 3<<3 | 2
	tagBody   = 1000<<3 | 2
)

// bodyCopyMax is the largest body copied into the message's first buffer
// rather than sent from its own memory.
const bodyCopyMax = 16 << 10

// codecServerOption and codecDialOption put wireCodec on every call.
func codecServerOption() grpc.ServerOption { return grpc.ForceServerCodecV2(theCodec) }
func codecDialOption() grpc.DialOption {
	return grpc.WithDefaultCallOptions(grpc.ForceCodecV2(theCodec))
}

func (c wireCodec) Name() string { return c.proto.Name() }

func (c wireCodec) Marshal(v any) (mem.BufferSlice, error) {
	if m, ok := v.(*chunkMsg); ok {
		return m.marshal(), nil
	}
	fd, ok := v.(*flight.FlightData)
	if !ok || fd.FlightDescriptor != nil {
		return c.proto.Marshal(v)
	}
	n := 0
	for _, f := range [][]byte{fd.DataHeader, fd.AppMetadata} {
		if len(f) > 0 {
			n += 1 + binary.MaxVarintLen64 + len(f)
		}
	}
	inline := len(fd.DataBody) <= bodyCopyMax
	if len(fd.DataBody) > 0 {
		n += 2 + binary.MaxVarintLen64
		if inline {
			n += len(fd.DataBody)
		}
	}
	b := make([]byte, 0, n)
	if len(fd.DataHeader) > 0 {
		b = append(binary.AppendUvarint(append(b, tagHeader), uint64(len(fd.DataHeader))), fd.DataHeader...)
	}
	if len(fd.AppMetadata) > 0 {
		b = append(binary.AppendUvarint(append(b, tagMeta), uint64(len(fd.AppMetadata))), fd.AppMetadata...)
	}
	if len(fd.DataBody) == 0 {
		return mem.BufferSlice{mem.SliceBuffer(b)}, nil
	}
	b = binary.AppendUvarint(binary.AppendUvarint(b, tagBody), uint64(len(fd.DataBody)))
	if inline {
		return mem.BufferSlice{mem.SliceBuffer(append(b, fd.DataBody...))}, nil
	}
	return mem.BufferSlice{mem.SliceBuffer(b), mem.SliceBuffer(fd.DataBody)}, nil
}

// marshal writes m as a FlightData: a buffer with the fields' tags and
// lengths and the metadata, then the body's pieces as they are.
func (m *chunkMsg) marshal() mem.BufferSlice {
	b := make([]byte, 0, 3+2*binary.MaxVarintLen64+len(m.meta))
	if len(m.meta) > 0 {
		b = append(binary.AppendUvarint(append(b, tagMeta), uint64(len(m.meta))), m.meta...)
	}
	if m.n > 0 {
		b = binary.AppendUvarint(binary.AppendUvarint(b, tagBody), uint64(m.n))
	}
	out := make(mem.BufferSlice, 0, 1+len(m.body))
	out = append(out, mem.SliceBuffer(b))
	for _, p := range m.body {
		out = append(out, mem.SliceBuffer(p))
	}
	return out
}

func (c wireCodec) Unmarshal(data mem.BufferSlice, v any) error {
	switch x := v.(type) {
	case *valueSink:
		return x.unmarshal(data)
	case *flight.FlightData:
		// One copy (gRPC frees data on return), then views of it.
		b := data.Materialize()
		hdr, meta, body, ok := parseFlightData(b)
		if !ok {
			return c.proto.Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, v)
		}
		x.Reset()
		x.DataHeader, x.AppMetadata, x.DataBody = hdr, meta, body
		return nil
	}
	return c.proto.Unmarshal(data, v)
}

// parseFlightData splits a FlightData made of data_header, app_metadata
// and data_body only into views of b; ok is false for any other shape.
func parseFlightData(b []byte) (hdr, meta, body []byte, ok bool) {
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 || key&7 != 2 {
			return nil, nil, nil, false
		}
		l, m := binary.Uvarint(b[n:])
		if m <= 0 || l > uint64(len(b)-n-m) {
			return nil, nil, nil, false
		}
		f := b[n+m : n+m+int(l) : n+m+int(l)]
		switch key {
		case tagHeader:
			hdr = f
		case tagMeta:
			meta = f
		case tagBody:
			body = f
		default:
			return nil, nil, nil, false
		}
		b = b[n+m+int(l):]
	}
	return hdr, meta, body, true
}

// valueSink receives the FlightData of one value of a fetch answer (see
// sendValue), one message per RecvMsg: the first one's app_metadata gives
// the value's length (or the sender's refusal), and every body is copied
// from gRPC's buffers straight into buf, allocated once at that length.
type valueSink struct {
	buf     []byte // the value so far; cap(buf) is its length
	total   uint64
	align   int // the offset in the value to place 8-aligned, -1 for none
	started bool
	refused string // the sender's message when it could not send the value
	err     error  // a protocol error
}

// errProtocol is wrapped by the errors of malformed fetch answers.
var errProtocol = errors.New("protocol error")

// unmarshal reads one FlightData. A malformed message sets s.err (the
// caller ends the call) rather than failing the decode.
func (s *valueSink) unmarshal(data mem.BufferSlice) error {
	r := data.Reader()
	defer r.Close()
	var meta []byte
	for r.Remaining() > 0 && s.err == nil {
		key, err := binary.ReadUvarint(r)
		if err != nil {
			s.err = fmt.Errorf("%w: cut field tag", errProtocol)
			break
		}
		l, err := binary.ReadUvarint(r)
		if err != nil || key&7 != 2 || l > uint64(r.Remaining()) {
			s.err = fmt.Errorf("%w: field %d of a fetch answer", errProtocol, key>>3)
			break
		}
		switch key {
		case tagMeta:
			meta = make([]byte, l)
			r.Read(meta)
			s.head(meta)
		case tagBody:
			s.body(r, int(l))
		default:
			r.Discard(int(l))
		}
	}
	if !s.started && s.err == nil && s.refused == "" {
		s.err = fmt.Errorf("%w: value without a header", errProtocol)
	}
	return nil
}

// head reads a message's app_metadata: [0][length] starts a value,
// [1][message] refuses it.
func (s *valueSink) head(meta []byte) {
	switch {
	case s.started:
		s.err = fmt.Errorf("%w: chunk out of place", errProtocol)
	case len(meta) > 0 && meta[0] == 1:
		s.refused = string(meta[1:])
	case len(meta) > 0 && meta[0] == 0:
		total, n := binary.Uvarint(meta[1:])
		if n <= 0 || total > maxValue {
			s.err = fmt.Errorf("%w: bad value header", errProtocol)
			return
		}
		align, k := binary.Uvarint(meta[1+n:])
		if k <= 0 || align > total+1 {
			s.err = fmt.Errorf("%w: bad value header", errProtocol)
			return
		}
		s.started, s.total, s.align = true, total, int(align)-1
	default:
		s.err = fmt.Errorf("%w: bad value header", errProtocol)
	}
}

// body copies l bytes of a message's data_body from r into the value.
func (s *valueSink) body(r *mem.Reader, l int) {
	if !s.started || s.refused != "" {
		s.err = fmt.Errorf("%w: value without a header", errProtocol)
		return
	}
	if uint64(len(s.buf)+l) > s.total {
		s.err = fmt.Errorf("%w: chunk out of place", errProtocol)
		return
	}
	if s.buf == nil {
		s.buf = alignedBuffer(s.total, s.align)
	}
	n := len(s.buf)
	s.buf = s.buf[:n+l]
	r.Read(s.buf[n:])
}

// complete reports whether the whole value has arrived.
func (s *valueSink) complete() bool { return s.started && uint64(len(s.buf)) == s.total }
