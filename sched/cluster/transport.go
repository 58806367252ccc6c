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
	opts := append(sec.serverOptions(),
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
	opts := append(sec.dialOptions(),
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
// [status][total bytes] (status 0) or [status][message] (status 1: the
// value cannot be sent), and whose body is the first chunk of the encoded
// value; FlightData with empty metadata carry the rest.
func sendValue(s flight.FlightService_DoGetServer, b []byte) error {
	meta := binary.AppendUvarint([]byte{0}, uint64(len(b)))
	first := b[:min(len(b), chunkSize)]
	if err := s.Send(&flight.FlightData{AppMetadata: meta, DataBody: first}); err != nil {
		return err
	}
	for off := len(first); off < len(b); off += chunkSize {
		if err := s.Send(&flight.FlightData{DataBody: b[off:min(len(b), off+chunkSize)]}); err != nil {
			return err
		}
	}
	return nil
}

// sendView sends a value given as a header and a body (see wireView): the
// body's chunks go out straight from its memory.
func sendView(s flight.FlightService_DoGetServer, header, body []byte) error {
	meta := binary.AppendUvarint([]byte{0}, uint64(len(header)+len(body)))
	if err := s.Send(&flight.FlightData{AppMetadata: meta, DataBody: header}); err != nil {
		return err
	}
	for off := 0; off < len(body); off += chunkSize {
		if err := s.Send(&flight.FlightData{DataBody: body[off:min(len(body), off+chunkSize)]}); err != nil {
			return err
		}
	}
	return nil
}

func sendValueError(s flight.FlightService_DoGetServer, msg string) error {
	return s.Send(&flight.FlightData{AppMetadata: append([]byte{1}, msg...)})
}

// errRemote is wrapped by the error of a value the sender could not send
// (not found, or its encoding failed): retrying the same peer will not help.
var errRemote = errors.New("refused by the peer")

// recvValue reads one value's bytes.
func recvValue(s flight.FlightService_DoGetClient) ([]byte, error) {
	fd, err := s.Recv()
	if err != nil {
		return nil, err
	}
	if len(fd.AppMetadata) == 0 {
		return nil, errors.New("protocol error: value without a header")
	}
	if fd.AppMetadata[0] == 1 {
		return nil, fmt.Errorf("%w: %s", errRemote, fd.AppMetadata[1:])
	}
	total, n := binary.Uvarint(fd.AppMetadata[1:])
	if n <= 0 || total > maxValue {
		return nil, errors.New("protocol error: bad value header")
	}
	if uint64(len(fd.DataBody)) == total {
		return fd.DataBody, nil
	}
	buf := alignedBuffer(total, headerLen(fd.DataBody))
	buf = append(buf, fd.DataBody...)
	for uint64(len(buf)) < total {
		fd, err := s.Recv()
		if err == io.EOF {
			return nil, fmt.Errorf("value cut short at %d of %d bytes", len(buf), total)
		}
		if err != nil {
			return nil, err
		}
		if len(fd.AppMetadata) != 0 || uint64(len(buf)+len(fd.DataBody)) > total {
			return nil, errors.New("protocol error: chunk out of place")
		}
		buf = append(buf, fd.DataBody...)
	}
	return buf, nil
}

// fetch reads the values of items from a worker, calling got for each in
// order; it stops at the first error. A stall (no bytes for idle) is an
// error too.
func fetch(ctx context.Context, cl flight.FlightServiceClient, items []item, idle time.Duration, got func(i int, b []byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s, err := cl.DoGet(ctx, &flight.Ticket{Ticket: encodeTicket(items)}, grpc.ForceCodec(fetchCodec))
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
