package cluster

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/godask/godask/graph"
)

// The data plane. Values move worker to worker on a connection of their
// own beside gRPC: a length-prefixed stream on the worker's own port
// (muxListener tells its connections from gRPC's by their first bytes),
// written from the values' memory with writev (net.Buffers) and read
// straight into one buffer of the value's length, with no HTTP/2 framing,
// no frame-buffer copy and no flow-control round trips. Control stays on
// gRPC; the client's gathers still use DoGet.
//
// A connection:
//
//	client: dataMagic, then (TLS clusters) a TLS handshake with the same
//	        certificates as gRPC, then [uvarint n][token, n bytes]
//	server: [0] accepted, or [1][uvarint n][message] refused (naming the peer)
//	client: requests [uvarint n][ticket, n bytes] (encodeTicket), one after another
//	server: per item of a request, [0][uvarint total][uvarint align+1] and
//	        the value's total bytes (graph.EncodeSegments), or
//	        [1][uvarint n][message] when that value cannot be sent
//
// A request is answered in full before the next is read. Any error ends the
// connection; the fetcher then treats the items not received as it treats a
// failed DoGet (other holders, then missing: recomputed).

// dataMagic opens a data connection. Its first byte is neither a TLS
// record's (0x16) nor HTTP/2's preface ('P').
const dataMagic = "GDKDATA1"

// dataWrite is the most bytes one write of a value hands the kernel, so
// that a write deadline bounds a stalled reader.
const dataWrite = 8 << 20

// dataPlaneEnv, set to "grpc", makes workers fetch over gRPC's DoGet
// instead (for comparison).
const dataPlaneEnv = "GODASK_CLUSTER_DATA"

func dataPlaneOn() bool { return os.Getenv(dataPlaneEnv) != "grpc" }

// muxListener hands gRPC the connections of its listener that do not start
// with dataMagic and serves the others with data.
type muxListener struct {
	net.Listener
	data  func(net.Conn)
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	mu    sync.Mutex
	err   error // why the listener stopped accepting (nil: closed)
}

func newMuxListener(l net.Listener, data func(net.Conn)) *muxListener {
	m := &muxListener{Listener: l, data: data, conns: make(chan net.Conn), done: make(chan struct{})}
	go m.loop()
	return m
}

func (m *muxListener) loop() {
	for {
		c, err := m.Listener.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			m.mu.Lock()
			m.err = err
			m.mu.Unlock()
			m.Close()
			return
		}
		go m.classify(c)
	}
}

// classify reads the first byte (and the magic's rest when it may be one):
// every client speaks first, gRPC's with its preface or TLS hello.
func (m *muxListener) classify(c net.Conn) {
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	head := make([]byte, len(dataMagic))
	if _, err := io.ReadFull(c, head[:1]); err != nil {
		c.Close()
		return
	}
	n := 1
	if head[0] == dataMagic[0] {
		k, err := io.ReadFull(c, head[1:])
		n += k
		if err == nil && string(head) == dataMagic {
			c.SetReadDeadline(time.Time{})
			m.data(c)
			return
		}
		if err != nil {
			c.Close()
			return
		}
	}
	c.SetReadDeadline(time.Time{})
	select {
	case m.conns <- &peekedConn{Conn: c, head: head[:n]}:
	case <-m.done:
		c.Close()
	}
}

// Accept returns the next connection for gRPC.
func (m *muxListener) Accept() (net.Conn, error) {
	select {
	case c := <-m.conns:
		return c, nil
	case <-m.done:
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.err != nil {
			return nil, m.err
		}
		return nil, net.ErrClosed
	}
}

func (m *muxListener) Close() error {
	var err error
	m.once.Do(func() {
		close(m.done)
		err = m.Listener.Close()
	})
	return err
}

// peekedConn gives back the bytes classify read before the rest.
type peekedConn struct {
	net.Conn
	head []byte
}

func (c *peekedConn) Read(p []byte) (int, error) {
	if len(c.head) > 0 {
		n := copy(p, c.head)
		c.head = c.head[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// dataServer answers data connections from a worker's values.
type dataServer struct {
	sec   security
	where string // "worker ADDR", for messages
	idle  time.Duration
	// get returns an item's value and a release to call once it is sent.
	get func(it item) (v any, release func(), err error)
	// track registers an open connection (closed when the worker stops);
	// it returns false when the worker is stopping.
	track func(c net.Conn, open bool) bool
}

func (s *dataServer) serve(c net.Conn) {
	if s.track != nil {
		if !s.track(c, true) {
			c.Close()
			return
		}
		defer s.track(c, false)
	}
	defer c.Close()
	who := c.RemoteAddr().String()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if s.sec.tls != nil {
		tc := tls.Server(c, s.sec.tls)
		if err := tc.Handshake(); err != nil {
			return
		}
		c = tc
	}
	br := bufio.NewReaderSize(c, 64<<10)
	tok, err := readFrame(br, 4<<10)
	if err != nil {
		return
	}
	a, b := sha256.Sum256(tok), sha256.Sum256([]byte(s.sec.token))
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		msg := fmt.Sprintf("godask cluster: peer %s refused by %s: wrong cluster token", who, s.where)
		if len(tok) == 0 {
			msg = fmt.Sprintf("godask cluster: peer %s refused by %s: no cluster token", who, s.where)
		}
		c.Write(appendRefusal(nil, msg))
		return
	}
	if _, err := c.Write([]byte{0}); err != nil {
		return
	}
	c.SetDeadline(time.Time{})
	for {
		t, err := readFrame(br, 64<<20)
		if err != nil {
			return
		}
		items, err := decodeTicket(t)
		if err != nil {
			c.Write(appendRefusal(nil, fmt.Sprintf("%s: bad ticket: %v", s.where, err)))
			return
		}
		for _, it := range items {
			if err := s.send(c, it); err != nil {
				return
			}
		}
	}
}

// send writes one value of an answer: its header, then its segments from
// their memory.
func (s *dataServer) send(c net.Conn, it item) error {
	v, release, err := s.get(it)
	if err != nil {
		return s.write(c, net.Buffers{appendRefusal(nil, fmt.Sprintf("%s: %v", s.where, err))})
	}
	defer release()
	segs, align, err := graph.EncodeSegments(graph.SelectPart(v, it.part))
	if err != nil {
		return s.write(c, net.Buffers{appendRefusal(nil, fmt.Sprintf("%s: value %s: %v", s.where, it.key, err))})
	}
	total := 0
	for _, seg := range segs {
		total += len(seg)
	}
	bufs := net.Buffers{binary.AppendUvarint(binary.AppendUvarint([]byte{0}, uint64(total)), uint64(align+1))}
	n := len(bufs[0])
	for _, seg := range segs {
		for len(seg) > 0 {
			k := min(len(seg), dataWrite-n)
			bufs, n = append(bufs, seg[:k]), n+k
			seg = seg[k:]
			if n == dataWrite {
				if err := s.write(c, bufs); err != nil {
					return err
				}
				bufs, n = bufs[:0], 0
			}
		}
	}
	if len(bufs) > 0 {
		return s.write(c, bufs)
	}
	return nil
}

// write sends bufs (writev on a plain connection) within the idle bound.
func (s *dataServer) write(c net.Conn, bufs net.Buffers) error {
	c.SetWriteDeadline(time.Now().Add(s.idle))
	_, err := bufs.WriteTo(c)
	return err
}

func appendRefusal(b []byte, msg string) []byte {
	return append(binary.AppendUvarint(append(b, 1), uint64(len(msg))), msg...)
}

// readFrame reads [uvarint n][n bytes], n at most max.
func readFrame(br *bufio.Reader, max int) ([]byte, error) {
	n, err := binary.ReadUvarint(br)
	if err != nil {
		return nil, err
	}
	if n > uint64(max) {
		return nil, fmt.Errorf("%w: frame of %d bytes (at most %d)", errProtocol, n, max)
	}
	b := make([]byte, n)
	_, err = io.ReadFull(br, b)
	return b, err
}

// dataConn is a client's data connection to one worker.
type dataConn struct {
	c    net.Conn
	br   *bufio.Reader
	addr string
}

// dialData opens a data connection to addr and authenticates, within idle.
func dialData(addr string, sec security, idle time.Duration) (*dataConn, error) {
	raw, err := net.DialTimeout("tcp", addr, idle)
	if err != nil {
		return nil, fmt.Errorf("data connection to %s: %w", addr, err)
	}
	c := raw
	c.SetDeadline(time.Now().Add(idle))
	if _, err := c.Write([]byte(dataMagic)); err != nil {
		c.Close()
		return nil, fmt.Errorf("data connection to %s: %w", addr, err)
	}
	if sec.tls != nil {
		cfg := sec.tls.Clone()
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		cfg.ServerName = host
		tc := tls.Client(c, cfg)
		if err := tc.Handshake(); err != nil {
			c.Close()
			return nil, fmt.Errorf("data connection to %s: TLS: %w", addr, err)
		}
		c = tc
	}
	hello := append(binary.AppendUvarint(nil, uint64(len(sec.token))), sec.token...)
	if _, err := c.Write(hello); err != nil {
		c.Close()
		return nil, fmt.Errorf("data connection to %s: %w", addr, err)
	}
	d := &dataConn{c: c, br: bufio.NewReaderSize(c, 64<<10), addr: addr}
	st, err := d.br.ReadByte()
	if err == nil && st != 0 {
		var msg []byte
		if msg, err = readFrame(d.br, 4<<10); err == nil {
			err = fmt.Errorf("%w: %s", errRemote, msg)
		}
	}
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("data connection to %s: %w", addr, err)
	}
	c.SetDeadline(time.Time{})
	return d, nil
}

func (d *dataConn) Close() error { return d.c.Close() }

// fetch reads the values of items, calling got for each in order, or
// refused for one the peer could not send (its error wraps errRemote; the
// others still come). It stops at the first other error (got's included):
// a read that gets nothing for idle, a cut or malformed answer. The
// connection must then be closed.
func (d *dataConn) fetch(items []item, idle time.Duration, got func(i int, b []byte) error, refused func(i int, err error)) error {
	t := encodeTicket(items)
	d.c.SetWriteDeadline(time.Now().Add(idle))
	if _, err := d.c.Write(append(binary.AppendUvarint(nil, uint64(len(t))), t...)); err != nil {
		return err
	}
	for i := range items {
		b, err := d.recv(idle)
		if err != nil && errors.Is(err, errRemote) {
			refused(i, err)
			continue
		}
		if err != nil {
			return err
		}
		if err := got(i, b); err != nil {
			return err
		}
	}
	return nil
}

// recv reads one value into a buffer of its length (aligned as the sender
// asked, so that graph.DecodeValueOwned can view it).
func (d *dataConn) recv(idle time.Duration) ([]byte, error) {
	d.c.SetReadDeadline(time.Now().Add(idle))
	st, err := d.br.ReadByte()
	if err != nil {
		return nil, d.cut(err, 0, 0, idle)
	}
	switch st {
	case 1:
		msg, err := readFrame(d.br, 1<<20)
		if err != nil {
			return nil, d.cut(err, 0, 0, idle)
		}
		return nil, fmt.Errorf("%w: %s", errRemote, msg)
	case 0:
	default:
		return nil, fmt.Errorf("%w: bad value status %d", errProtocol, st)
	}
	total, err := binary.ReadUvarint(d.br)
	if err != nil {
		return nil, d.cut(err, 0, 0, idle)
	}
	align, err := binary.ReadUvarint(d.br)
	if err != nil {
		return nil, d.cut(err, 0, 0, idle)
	}
	if total > maxValue || align > total+1 {
		return nil, fmt.Errorf("%w: bad value header (%d bytes, align %d)", errProtocol, total, align)
	}
	buf := alignedBuffer(total, int(align)-1)[:total]
	for n := 0; n < len(buf); {
		d.c.SetReadDeadline(time.Now().Add(idle))
		k, err := io.ReadFull(d.br, buf[n:min(len(buf), n+dataWrite)])
		n += k
		if err != nil {
			return nil, d.cut(err, n, len(buf), idle)
		}
	}
	return buf, nil
}

// cut describes a read that failed after n of total bytes of a value.
func (d *dataConn) cut(err error, n, total int, idle time.Duration) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("stalled: nothing received for %v (%d of %d bytes of a value)", idle, n, total)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("value cut short at %d of %d bytes: connection closed", n, total)
	}
	return err
}
