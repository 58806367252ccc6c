package frame

import (
	"bytes"
	"fmt"
	"reflect"
	"sync/atomic"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/ipc"

	"github.com/godask/godask/graph"
)

// Part is the value of one partition task: an Arrow record batch. It reports
// its size for the scheduler's memory accounting and ships as Arrow IPC.
type Part struct {
	R   arrow.Record
	enc *encCache // dictionary codes of string columns (persisted partitions)
}

// Size implements graph.Sizer: the bytes of the record's buffers.
func (p *Part) Size() int64 { return recordSize(p.R) }

// Pieces is the value of a hash- or range-partitioning task: one record per
// output partition. Made in process, it holds the source record and each
// piece's row indices instead, so the task that takes a piece gathers the
// rows of all its inputs straight into one record (one copy, not two); it
// ships (and Piece returns it) as records.
//
// Pieces is a graph.Parted value: the ops that assemble output partition j
// read only piece j of each split (graph.PartReader), so the scheduler hands
// them a shard, reads a spilled split back one piece at a time, and drops a
// piece once every reader of it has run (graph.PartDropper).
type Pieces struct {
	Rs []arrow.Record

	src     arrow.Record
	idx     [][]int32
	dropped atomic.Int32 // pieces dropped, for the source form
}

// NumParts implements graph.Parted.
func (p *Pieces) NumParts() int { return p.NumPieces() }

// Part implements graph.Parted: piece j as a shard, without copying.
func (p *Pieces) Part(j int) any {
	if p.src != nil {
		return &shard{src: p.src, idx: p.idx[j]}
	}
	return &shard{r: p.Rs[j]}
}

// DropPart implements graph.PartDropper.
func (p *Pieces) DropPart(j int) int64 {
	if p.src == nil {
		r := p.Rs[j]
		p.Rs[j] = nil
		if r == nil {
			return 0
		}
		return recordSize(r)
	}
	n := 4 * int64(len(p.idx[j]))
	p.idx[j] = nil
	if int(p.dropped.Add(1)) == len(p.idx) {
		n += recordSize(p.src)
		p.src = nil
	}
	return n
}

// shard is one piece of a Pieces value: what a task reading part j of a split
// receives. In process it is the split's source record and the piece's row
// indices (the reader gathers the rows of all its shards in one copy); read
// back from disk or the wire, it is a record.
type shard struct {
	r   arrow.Record
	src arrow.Record
	idx []int32
}

// record returns the shard's rows as a record.
func (s *shard) record() arrow.Record {
	if s.src != nil {
		return takeRecord(s.src, s.idx)
	}
	return s.r
}

// Size implements graph.Sizer.
func (s *shard) Size() int64 {
	if s.src != nil {
		return 4 * int64(len(s.idx))
	}
	if s.r == nil {
		return 0
	}
	return recordSize(s.r)
}

// NumPieces returns the number of pieces.
func (p *Pieces) NumPieces() int {
	if p.src != nil {
		return len(p.idx)
	}
	return len(p.Rs)
}

// Piece returns piece j as a record.
func (p *Pieces) Piece(j int) arrow.Record {
	if p.src != nil {
		return takeRecord(p.src, p.idx[j])
	}
	return p.Rs[j]
}

// Size implements graph.Sizer.
func (p *Pieces) Size() int64 {
	if p.src != nil {
		return recordSize(p.src) + 4*p.src.NumRows()
	}
	var n int64
	for _, r := range p.Rs {
		n += recordSize(r)
	}
	return n
}

func encodeRecord(b []byte, r arrow.Record) ([]byte, error) {
	var buf bytes.Buffer
	// Room for the buffers, their padding and the schema up front: a
	// spilled shuffle encodes gigabytes, and growing by doubling copies
	// each record twice more.
	buf.Grow(int(recordSize(r)) + 1024 + 128*int(r.NumCols()))
	w := ipc.NewWriter(&buf, ipc.WithSchema(r.Schema()))
	if err := w.Write(r); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return graph.AppendBytes(b, buf.Bytes()), nil
}

// decodeRecord decodes what encodeRecord wrote. The bytes may come from a
// spill file or the network: lengths are checked against the input before
// anything is allocated (ipc_guard.go), and a panic of Arrow's reader is an
// error.
func decodeRecord(p []byte) (arrow.Record, error) { return readRecord(p, false) }

// decodeRecordValue decodes what encodeRecord wrote for a value; what names
// the value in the error.
func decodeRecordValue(b []byte, what string) (arrow.Record, error) {
	return readRecordValue(b, what, false)
}

func init() {
	graph.RegisterCodec("frame.Part", reflect.TypeOf(&Part{}), graph.Codec{
		Encode: func(v any) ([]byte, error) { return encodeRecord(nil, v.(*Part).R) },
		Decode: func(b []byte) (any, error) {
			rec, err := decodeRecordValue(b, "partition")
			if err != nil {
				return nil, err
			}
			return &Part{R: rec}, nil
		},
		Segments: func(v any) ([][]byte, int, error) { return recordSegments(v.(*Part).R) },
		DecodeOwned: func(b []byte) (any, error) {
			rec, err := decodeRecordValueOwned(b, "partition")
			if err != nil {
				return nil, err
			}
			return &Part{R: rec}, nil
		},
	})
	graph.RegisterCodec("frame.Pieces", reflect.TypeOf(&Pieces{}), graph.Codec{
		Encode: func(v any) ([]byte, error) {
			p := v.(*Pieces)
			b := appendUvarint(nil, uint64(p.NumPieces()))
			var err error
			for j := 0; j < p.NumPieces(); j++ {
				if b, err = encodeRecord(b, p.Piece(j)); err != nil {
					return nil, err
				}
			}
			return b, nil
		},
		Decode: func(b []byte) (any, error) {
			r := graph.NewReader(b)
			n := r.Uvarint()
			p := &Pieces{}
			for i := uint64(0); i < n && r.Err() == nil; i++ {
				rec, err := decodeRecord(r.Bytes())
				if err != nil {
					return nil, fmt.Errorf("frame: decode pieces: %w", err)
				}
				p.Rs = append(p.Rs, rec)
			}
			return p, r.Err()
		},
		Join: func(parts []any) (any, error) {
			p := &Pieces{Rs: make([]arrow.Record, len(parts))}
			for j, v := range parts {
				switch x := v.(type) {
				case *shard:
					p.Rs[j] = x.record()
				case nil: // a piece dropped before the spill
				default:
					return nil, fmt.Errorf("frame: join pieces: piece %d is %T", j, v)
				}
			}
			return p, nil
		},
	})
	graph.RegisterCodec("frame.Shard", reflect.TypeOf(&shard{}), graph.Codec{
		Encode: func(v any) ([]byte, error) { return encodeRecord(nil, v.(*shard).record()) },
		Decode: func(b []byte) (any, error) {
			rec, err := decodeRecordValue(b, "piece")
			if err != nil {
				return nil, err
			}
			return &shard{r: rec}, nil
		},
		Segments: func(v any) ([][]byte, int, error) { return recordSegments(v.(*shard).record()) },
		DecodeOwned: func(b []byte) (any, error) {
			rec, err := decodeRecordValueOwned(b, "piece")
			if err != nil {
				return nil, err
			}
			return &shard{r: rec}, nil
		},
	})
	// Bare records (what users may put in a graph themselves) ship as IPC too;
	// they have no Size, so frame tasks always wrap them in a Part.
	rt := reflect.TypeOf(array.NewRecord(arrow.NewSchema(nil, nil), nil, 0))
	graph.RegisterCodec("arrow.Record", rt, graph.Codec{
		Encode: func(v any) ([]byte, error) { return encodeRecord(nil, v.(arrow.Record)) },
		Decode: func(b []byte) (any, error) {
			r := graph.NewReader(b)
			return decodeRecord(r.Bytes())
		},
		Segments: func(v any) ([][]byte, int, error) { return recordSegments(v.(arrow.Record)) },
		DecodeOwned: func(b []byte) (any, error) {
			r := graph.NewReader(b)
			return decodeRecordOwned(r.Bytes())
		},
	})
}
