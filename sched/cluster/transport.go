package cluster

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v15/arrow/flight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"github.com/godask/godask/graph"
)

// chunkSize is the most value bytes one FlightData carries: values of any
// size travel as a sequence of messages well under gRPC's default 4 MiB
// receive limit.
const chunkSize = 2 << 20

// maxValue is the largest encoded value the transport accepts (a bound on
// what a corrupt header can make a receiver allocate).
const maxValue = 1 << 40

// Window sizes: large, so that one stream moves hundreds of MB/s without
// waiting for flow-control updates on loopback.
const (
	streamWindow = 16 << 20
	connWindow   = 64 << 20
	ioBuffer     = 1 << 20
)

func newServer(sec security) *grpc.Server {
	opts := append(sec.serverOptions(), codecServerOption(),
		grpc.InitialWindowSize(streamWindow),
		grpc.InitialConnWindowSize(connWindow),
		grpc.ReadBufferSize(ioBuffer),
		grpc.WriteBufferSize(ioBuffer),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 10 * time.Second, Timeout: 10 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Second, PermitWithoutStream: true}),
	)
	return grpc.NewServer(opts...)
}

// dial opens a client connection (lazily: errors show on the first call).
func dial(addr string, sec security) (*grpc.ClientConn, error) {
	opts := append(sec.dialOptions(), codecDialOption(),
		grpc.WithInitialWindowSize(streamWindow),
		grpc.WithInitialConnWindowSize(connWindow),
		grpc.WithReadBufferSize(ioBuffer),
		grpc.WithWriteBufferSize(ioBuffer),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 10 * time.Second, Timeout: 10 * time.Second, PermitWithoutStream: true}),
	)
	cc, err := grpc.Dial(addr, opts...)
	if err != nil {
		return nil, fmt.Errorf("cluster: dial %s: %w", addr, err)
	}
	return cc, nil
}

// listen opens a TCP listener, naming the address when it is taken.
func listen(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cluster: listen on %s: %w", addr, err)
	}
	return l, nil
}

// A fetch ticket names values of one run: run, then entries (source run,
// key, part), where source run 0 means the ticket's run.
type item struct {
	run  uint64
	key  graph.Key
	part int
}

func encodeTicket(items []item) []byte {
	var b []byte
	for _, it := range items {
		b = binary.AppendUvarint(b, it.run)
		b = graph.AppendBytes(b, []byte(it.key))
		b = binary.AppendVarint(b, int64(it.part))
	}
	return b
}

func decodeTicket(b []byte) ([]item, error) {
	r := graph.NewReader(b)
	var out []item
	for len(r.Rest()) > 0 && r.Err() == nil {
		it := item{run: r.Uvarint()}
		it.key = graph.Key(r.Bytes())
		it.part = int(r.Varint())
		out = append(out, it)
	}
	return out, r.Err()
}

// Each value of a fetch answer starts with a FlightData whose app_metadata is
// [status][total bytes][align+1] (status 0; align: the offset of the byte
// the receiver should place at an 8-aligned address, 0 for none) or
// [status][message] (status 1: the value cannot be sent); the bodies of it
// and of the FlightData that follow, with empty metadata, are the encoded
// value (graph.EncodeSegments), at most chunkSize bytes per message.

// chunkMsg is one such message, its body a list of pieces sent from their
// own memory (see wireCodec).
type chunkMsg struct {
	meta []byte
	body [][]byte
	n    int
}

// sendAny sends v as one value of a fetch answer, its large buffers from
// their own memory; a value that cannot be encoded is sent as a refusal
// naming what (the returned error is the stream's).
func sendAny(s grpc.ServerStream, v any, what string) error {
	segs, align, err := graph.EncodeSegments(v)
	if err != nil {
		return sendValueError(s, fmt.Sprintf("%s: %v", what, err))
	}
	total := 0
	for _, seg := range segs {
		total += len(seg)
	}
	m := &chunkMsg{meta: binary.AppendUvarint(binary.AppendUvarint([]byte{0}, uint64(total)), uint64(align+1))}
	for _, seg := range segs {
		for len(seg) > 0 {
			k := min(len(seg), chunkSize-m.n)
			m.body, m.n = append(m.body, seg[:k]), m.n+k
			seg = seg[k:]
			if m.n == chunkSize {
				if err := s.SendMsg(m); err != nil {
					return err
				}
				m = &chunkMsg{}
			}
		}
	}
	if m.n > 0 || m.meta != nil {
		return s.SendMsg(m)
	}
	return nil
}

func sendValueError(s grpc.ServerStream, msg string) error {
	return s.SendMsg(&flight.FlightData{AppMetadata: append([]byte{1}, msg...)})
}

// errRemote is wrapped by the error of a value the sender could not send
// (not found, or its encoding failed): retrying the same peer will not help.
var errRemote = errors.New("refused by the peer")

// recvValue reads one value's bytes: its messages' bodies land, copied
// once from gRPC's buffers, in one buffer of the value's length (see
// valueSink).
func recvValue(s grpc.ClientStream) ([]byte, error) {
	var sink valueSink
	for {
		if err := s.RecvMsg(&sink); err != nil {
			if err == io.EOF && sink.started {
				return nil, fmt.Errorf("value cut short at %d of %d bytes", len(sink.buf), sink.total)
			}
			return nil, err
		}
		switch {
		case sink.err != nil:
			return nil, sink.err
		case sink.refused != "":
			return nil, fmt.Errorf("%w: %s", errRemote, sink.refused)
		case sink.complete():
			if sink.buf == nil {
				return []byte{}, nil
			}
			return sink.buf, nil
		}
	}
}

// fetch reads the values of items from a worker, calling got for each in
// order; it stops at the first error. A stall (no bytes for idle) is an
// error too.
func fetch(ctx context.Context, cl flight.FlightServiceClient, items []item, idle time.Duration, got func(i int, b []byte) error, opts ...grpc.CallOption) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s, err := cl.DoGet(ctx, &flight.Ticket{Ticket: encodeTicket(items)}, opts...)
	if err != nil {
		return err
	}
	// A watchdog cancels the call when no value arrives for idle.
	progress := make(chan struct{}, 1)
	done := make(chan struct{})
	defer close(done)
	var stalled atomic.Bool
	go func() {
		t := time.NewTimer(idle)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-progress:
				if !t.Stop() {
					<-t.C
				}
				t.Reset(idle)
			case <-t.C:
				stalled.Store(true)
				cancel()
				return
			}
		}
	}()
	for i := range items {
		b, err := recvValue(s)
		if err != nil {
			if stalled.Load() {
				return fmt.Errorf("stalled: nothing received for %v", idle)
			}
			return err
		}
		select {
		case progress <- struct{}{}:
		default:
		}
		if err := got(i, b); err != nil {
			return err
		}
	}
	return nil
}
