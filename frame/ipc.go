package frame

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/ipc"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/io/jsonl"
)

// ipcMagic starts (and ends) an Arrow IPC file; a stream has no magic.
var ipcMagic = []byte("ARROW1")

type ipcPart struct {
	path  string
	batch int // record batch of a file-format file; -1: every batch (streams)
}

type ipcSource struct {
	pattern string
	parts   []ipcPart
	sch     *arrow.Schema
}

// ReadIPC reads Arrow IPC files matching a glob, in the file format (what
// WriteIPC and pyarrow's ipc.new_file write: one partition per record batch)
// or the stream format (one partition per file, its batches concatenated).
// The schema is read now from every file; types are normalized to the frame
// dtypes, and files whose schemas differ are an error. Only the columns a
// query uses are kept from each batch: the IPC layout stores a batch's
// columns together, so a batch is still read whole, but the other columns
// are dropped before conversion and never reach later tasks.
func ReadIPC(pattern string) *Frame {
	fail := func(err error) *Frame { return errFrame(fmt.Errorf("frame: ReadIPC: %w", err)) }
	files, err := jsonl.Files(pattern)
	if err != nil {
		return fail(fmt.Errorf("no files match %q", pattern))
	}
	src := &ipcSource{pattern: pattern}
	for i, p := range files {
		sch, nb, err := ipcMeta(p)
		if err != nil {
			return fail(err)
		}
		var fields []arrow.Field
		for _, f := range sch.Fields() {
			t, err := NormalizeType(f.Type)
			if err != nil {
				return fail(fmt.Errorf("%s column %q: %w", p, f.Name, err))
			}
			fields = append(fields, arrow.Field{Name: f.Name, Type: keepZone(t, f.Type), Nullable: true})
		}
		ns := arrow.NewSchema(fields, nil)
		if i == 0 {
			src.sch = ns
		} else if !ns.Equal(src.sch) {
			return fail(fmt.Errorf("schema of %s\n%s\ndiffers from that of %s\n%s", p, ns, files[0], src.sch))
		}
		if nb <= 0 {
			src.parts = append(src.parts, ipcPart{path: p, batch: -1})
		}
		for b := 0; b < nb; b++ {
			src.parts = append(src.parts, ipcPart{path: p, batch: b})
		}
	}
	return newFrame(&node{op: "source", src: src, schema: src.sch})
}

// ipcMeta returns the schema of an IPC file and its number of record batches
// (-1 for a stream, which has no index).
func ipcMeta(path string) (*arrow.Schema, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	head := make([]byte, len(ipcMagic))
	if _, err := io.ReadFull(f, head); err != nil {
		return nil, 0, fmt.Errorf("%s: not an Arrow IPC file (too short)", path)
	}
	if bytes.Equal(head, ipcMagic) {
		r, err := ipc.NewFileReader(f)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", path, err)
		}
		defer r.Close()
		return r.Schema(), r.NumRecords(), nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, 0, err
	}
	r, err := ipc.NewReader(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: not an Arrow IPC file or stream: %w", path, err)
	}
	defer r.Release()
	return r.Schema(), -1, nil
}

func (s *ipcSource) describe() string      { return "read-ipc " + s.pattern }
func (s *ipcSource) schema() *arrow.Schema { return s.sch }
func (s *ipcSource) nparts() int           { return len(s.parts) }
func (s *ipcSource) prune(*enode) source   { return s }

func (s *ipcSource) part(i int, cols []string, pred *enode) ([]*graph.Task, []graph.Key, []step, error) {
	cols = withPredCols(s.sch, cols, pred)
	p := s.parts[i]
	arg := appendVarint(graph.AppendBytes(nil, []byte(p.path)), int64(p.batch))
	return nil, nil, []step{{kind: "read", src: "ipc", arg: arg, names: cols}}, nil
}

func readIPCPart(_ context.Context, arg []byte, cols []string) (arrow.Record, error) {
	rd := graph.NewReader(arg)
	path := string(rd.Bytes())
	batch := int(rd.Varint())
	if err := rd.Err(); err != nil {
		return nil, fmt.Errorf("ipc reader arguments: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []arrow.Record
	var sch *arrow.Schema
	head := make([]byte, len(ipcMagic))
	if _, err := io.ReadFull(f, head); err == nil && bytes.Equal(head, ipcMagic) {
		r, err := ipc.NewFileReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer r.Close()
		sch = r.Schema()
		lo, hi := batch, batch+1
		if batch < 0 {
			lo, hi = 0, r.NumRecords()
		}
		for b := lo; b < hi; b++ {
			rec, err := r.RecordAt(b)
			if err != nil {
				return nil, fmt.Errorf("%s batch %d: %w", path, b, err)
			}
			recs = append(recs, rec) // never released: frame records live in Go memory, freed by the GC
		}
	} else {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, err
		}
		r, err := ipc.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer r.Release()
		sch = r.Schema()
		for r.Next() {
			rec := r.Record()
			rec.Retain()
			recs = append(recs, rec) // never released: frame records live in Go memory, freed by the GC
		}
		if r.Err() != nil {
			return nil, fmt.Errorf("%s: %w", path, r.Err())
		}
	}
	idx, err := fieldIndices(sch, cols)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// Keep the wanted columns, normalized to frame dtypes, batch by batch.
	var parts []arrow.Record
	var out *arrow.Schema
	for _, rec := range recs {
		arrs := make([]arrow.Array, len(idx))
		fields := make([]arrow.Field, len(idx))
		for j, k := range idx {
			arrs[j], fields[j] = rec.Column(k), sch.Field(k)
		}
		nr, err := normalize(array.NewRecord(arrow.NewSchema(fields, nil), arrs, rec.NumRows()))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = nr.Schema()
		parts = append(parts, nr)
	}
	if out == nil {
		fields := make([]arrow.Field, len(idx))
		for j, k := range idx {
			t, err := NormalizeType(sch.Field(k).Type)
			if err != nil {
				return nil, err
			}
			fields[j] = arrow.Field{Name: cols[j], Type: t, Nullable: true}
		}
		return emptyRecord(arrow.NewSchema(fields, nil)), nil
	}
	return concatRecords(out, parts)
}

func init() { registerReader("ipc", readIPCPart) }
