package frame

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/ipc"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/graph"
)

// The record codecs' copy-free forms, for the cluster transport
// (graph.EncodeSegments, graph.DecodeValueOwned).
//
// Sending, Arrow's IPC writer writes straight into the outgoing message
// list: the record's column buffers are kept as views (pieces the
// transport sends from their own memory), only the small metadata and
// padding writes are copied. Receiving, message bodies are views of the
// received buffer instead of a copy per message; Arrow v15's reader still
// copies each column buffer out of the body once (its ipcSource reads
// buffers with ReadAt into fresh memory), which is the one copy left.

// segWriter collects what the IPC writer writes: writes of at least
// graph.SegmentMin bytes (column buffers, which the record keeps alive and
// unchanged) as views, the rest copied into runs.
type segWriter struct {
	segs [][]byte
	run  []byte
	n    int
}

func (w *segWriter) Write(p []byte) (int, error) {
	if len(p) >= graph.SegmentMin {
		if len(w.run) > 0 {
			w.segs = append(w.segs, w.run)
			w.run = nil
		}
		w.segs = append(w.segs, p)
	} else {
		w.run = append(w.run, p...)
	}
	w.n += len(p)
	return len(p), nil
}

// recordSegments is encodeRecord(nil, r) as pieces (see graph.Codec's
// Segments), with align the offset of the IPC stream's start: Arrow pads
// every message to 8 bytes, so a receiver that 8-aligns that byte gets
// every column buffer 8-aligned.
func recordSegments(r arrow.Record) ([][]byte, int, error) {
	w := &segWriter{}
	iw := ipc.NewWriter(w, ipc.WithSchema(r.Schema()))
	if err := iw.Write(r); err != nil {
		return nil, -1, err
	}
	if err := iw.Close(); err != nil {
		return nil, -1, err
	}
	if len(w.run) > 0 {
		w.segs = append(w.segs, w.run)
	}
	prefix := binary.AppendUvarint(nil, uint64(w.n))
	return append([][]byte{prefix}, w.segs...), len(prefix), nil
}

// decodeRecordOwned is decodeRecord for a buffer the caller gives away:
// the IPC messages' bodies are read as views of p (see viewMessages).
func decodeRecordOwned(p []byte) (arrow.Record, error) { return readRecord(p, true) }

// decodeRecordValueOwned is decodeRecordValue over an owned buffer.
func decodeRecordValueOwned(b []byte, what string) (arrow.Record, error) {
	return readRecordValue(b, what, true)
}

// readRecord decodes what encodeRecord wrote, with message bodies as views
// of p when owned. The bytes may come from a spill file or the network:
// lengths are checked against the input before anything is allocated
// (ipc_guard.go), and a panic of Arrow's reader is an error.
func readRecord(p []byte, owned bool) (rec arrow.Record, err error) {
	defer func() {
		if e := recover(); e != nil {
			rec, err = nil, fmt.Errorf("frame: malformed IPC stream: %v", e)
		}
	}()
	if err := checkIPCStream(p); err != nil {
		return nil, err
	}
	alloc := ipc.WithAllocator(newBoundedAlloc(ipcBudget(len(p))))
	var mr ipc.MessageReader = &viewMessages{b: p, ref: 1}
	if !owned {
		mr = ipc.NewMessageReader(bytes.NewReader(p), alloc)
	}
	rd, err := ipc.NewReaderFromMessageReader(mr, alloc)
	if err != nil {
		return nil, err
	}
	defer rd.Release()
	if !rd.Next() {
		if rd.Err() != nil {
			return nil, rd.Err()
		}
		return nil, fmt.Errorf("frame: empty IPC stream")
	}
	r := rd.Record()
	if err := checkRecord(r, len(p)); err != nil {
		return nil, err
	}
	r.Retain()
	return r, nil
}

func readRecordValue(b []byte, what string, owned bool) (arrow.Record, error) {
	r := graph.NewReader(b)
	rec, err := readRecord(r.Bytes(), owned)
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("frame: decode %s: %w", what, err)
	}
	return rec, nil
}

// viewMessages is an ipc.MessageReader over an IPC stream in memory whose
// messages' metadata and bodies are views of it (Arrow's own reader copies
// each body into fresh memory first).
type viewMessages struct {
	b   []byte
	msg *ipc.Message
	ref int64
}

func (r *viewMessages) Retain() { r.ref++ }

// Release drops a reference; the last one releases the current message.
func (r *viewMessages) Release() {
	if r.ref--; r.ref == 0 && r.msg != nil {
		r.msg.Release()
		r.msg = nil
	}
}

func (r *viewMessages) Message() (*ipc.Message, error) {
	b := r.b
	if len(b) < 4 {
		return nil, io.EOF
	}
	n, pos := int64(int32(binary.LittleEndian.Uint32(b))), 4
	switch uint32(n) {
	case 0:
		return nil, io.EOF
	case 0xFFFFFFFF:
		if len(b) < 8 {
			return nil, io.ErrUnexpectedEOF
		}
		n, pos = int64(int32(binary.LittleEndian.Uint32(b[4:]))), 8
		if n == 0 {
			return nil, io.EOF
		}
	}
	if n < 0 || n > int64(len(b)-pos) {
		return nil, fmt.Errorf("frame: IPC message metadata of %d bytes past the input's %d", n, len(b)-pos)
	}
	meta := memory.NewBufferBytes(b[pos : pos+int(n)])
	pos += int(n)
	probe := ipc.NewMessage(meta, memory.NewBufferBytes(nil))
	bl := probe.BodyLen()
	probe.Release()
	if bl < 0 || bl > int64(len(b)-pos) {
		return nil, fmt.Errorf("frame: IPC message body of %d bytes past the input's %d", bl, len(b)-pos)
	}
	body := memory.NewBufferBytes(b[pos : pos+int(bl) : pos+int(bl)])
	r.b = b[pos+int(bl):]
	if r.msg != nil {
		r.msg.Release()
	}
	r.msg = ipc.NewMessage(meta, body)
	return r.msg, nil
}
