package bag

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"unsafe"

	"github.com/klauspost/compress/zstd"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/files"
)

// TextOptions configures ReadText and ReadJSON.
type TextOptions struct {
	// BlockSize is the bytes of a partition: larger files are cut into byte
	// ranges at line boundaries (a line belongs to the range its first byte
	// is in). 0 means 64 MiB; negative means one partition per file.
	// Compressed files (.gz, .zst) are always one partition each.
	BlockSize int64
}

// fileRange is a byte range of a file: the lines that start in [start, end).
type fileRange struct {
	path       string
	start, end int64
}

func (r fileRange) encode() []byte {
	b := graph.AppendBytes(nil, []byte(r.path))
	b = binary.AppendVarint(b, r.start)
	return binary.AppendVarint(b, r.end)
}

func decodeRange(p []byte) (fileRange, error) {
	r := graph.NewReader(p)
	fr := fileRange{path: string(r.Bytes()), start: r.Varint(), end: r.Varint()}
	if r.Err() != nil {
		return fr, fmt.Errorf("bag: decode file range: %w", r.Err())
	}
	return fr, nil
}

func compressed(path string) bool {
	return strings.HasSuffix(path, ".gz") || strings.HasSuffix(path, ".zst")
}

// splitFiles expands pattern and cuts its files into ranges.
func splitFiles(what, pattern string, blockSize int64) ([]fileRange, error) {
	paths, err := files.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("bag: %s: %w", what, err)
	}
	if blockSize == 0 {
		blockSize = 64 << 20
	}
	var out []fileRange
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("bag: %s: %w", what, err)
		}
		size := st.Size()
		if compressed(p) || blockSize < 0 || size <= blockSize {
			out = append(out, fileRange{p, 0, size})
			continue
		}
		for s := int64(0); s < size; s += blockSize {
			out = append(out, fileRange{p, s, min(s+blockSize, size)})
		}
	}
	return out, nil
}

// chunkSize is the size of the pieces ReadText reads a range in: small
// enough that a piece is still in the core's cache when the pipeline scans
// it after the read. A variable for the tests.
var chunkSize = 256 << 10

// eachChunk calls fn with the lines that start in r, in pieces of whole
// lines (the last line of a file may lack its "\n"), each in a fresh buffer
// of about chunkSize bytes, until fn returns false. The pieces are not
// reused, so strings viewing them stay valid.
func eachChunk(r fileRange, fn func([]byte) bool) error { return readChunks(r, false, fn) }

// readChunks is eachChunk; with reuse, every piece is read into the same
// buffer, overwriting the one before: for a pipeline that keeps no string
// of a piece once fn returns (see pipeOp.transient). A fresh buffer per
// piece costs the zeroing, the page faults of memory the runtime gave back
// and a collection every few dozen pieces: about as much as the read.
func readChunks(r fileRange, reuse bool, fn func([]byte) bool) error {
	f, err := os.Open(r.path)
	if err != nil {
		return fmt.Errorf("bag: %w", err)
	}
	defer f.Close()
	if compressed(r.path) {
		var rd io.Reader
		if strings.HasSuffix(r.path, ".gz") {
			z, err := gzip.NewReader(f)
			if err != nil {
				return fmt.Errorf("bag: gunzip %s: %w", r.path, err)
			}
			rd = z
		} else {
			z, err := zstd.NewReader(f)
			if err != nil {
				return fmt.Errorf("bag: unzstd %s: %w", r.path, err)
			}
			defer z.Close()
			rd = z.IOReadCloser()
		}
		if err := lineChunks(rd, false, math.MaxInt64, reuse, fn); err != nil {
			return fmt.Errorf("bag: decompress %s: %w", r.path, err)
		}
		return nil
	}
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("bag: %w", err)
	}
	size := st.Size()
	end := min(r.end, size)
	if r.start >= end {
		return nil
	}
	s0 := max(r.start-1, 0) // a line starts at start iff byte start-1 is a newline
	if err := lineChunks(io.NewSectionReader(f, s0, size-s0), r.start > 0, end-s0, reuse, fn); err != nil {
		return fmt.Errorf("bag: read %s: %w", r.path, err)
	}
	return nil
}

// lineChunks reads rd in pieces of whole lines and calls fn with those that
// start before offset lim of rd; with skipFirst, the bytes through the first
// "\n" (the end of a line that starts before the range) are dropped; with
// reuse, a piece overwrites the one before when its buffer is large enough.
func lineChunks(rd io.Reader, skipFirst bool, lim int64, reuse bool, fn func([]byte) bool) error {
	var carry []byte // the start of a line cut by the previous read
	var last []byte  // reuse: the buffer of the previous piece
	off := int64(0)  // offset in rd of the next byte read
	for {
		want := chunkSize // near the end of the range, only what it lacks
		if rem := lim - off; rem < int64(want) {
			want = int(max(rem, 0)) + 128
		}
		var buf []byte
		if n := len(carry) + max(want, len(carry)); reuse && cap(last) >= n {
			buf = last[:len(carry):n]
		} else {
			buf = make([]byte, len(carry), n)
			last = buf
		}
		copy(buf, carry)                // overlapping when reused: copy moves
		base := off - int64(len(carry)) // offset of buf[0]
		n, err := io.ReadFull(rd, buf[len(carry):cap(buf)])
		buf = buf[:len(carry)+n]
		off += int64(n)
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return err
		}
		carry = nil
		if skipFirst {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				if eof {
					return nil
				}
				continue
			}
			buf, base, skipFirst = buf[i+1:], base+int64(i)+1, false
		}
		if base >= lim || len(buf) == 0 && eof {
			return nil
		}
		if len(buf) == 0 {
			continue
		}
		cut := len(buf)
		if !eof {
			j := bytes.LastIndexByte(buf, '\n')
			if j < 0 {
				carry = buf // one line longer than the buffer: read on
				continue
			}
			cut = j + 1
		}
		piece := buf[:cut]
		if base+int64(cut) >= lim {
			// The range ends in this piece: keep the lines that start
			// before lim, through the end of the one lim-1 is in.
			k := lim - 1 - base
			if j := bytes.IndexByte(piece[k:], '\n'); j >= 0 {
				piece = piece[:k+int64(j)+1]
			}
			fn(piece)
			return nil
		}
		if !fn(piece) || eof {
			return nil
		}
		carry = buf[cut:]
	}
}

// eachLine calls fn with every line of data, without its "\n" or "\r\n",
// until fn returns false, and reports whether it ran to the end. A last line
// without a newline counts.
func eachLine(data []byte, fn func(line []byte) bool) bool {
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if !fn(line) {
			return false
		}
	}
	return true
}

// bytesString views b as a string without copying; b must not change.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// ReadText makes a bag of the lines of the files pattern matches (a glob or
// a path), without their "\n" or "\r\n", like dask.bag.read_text: one
// partition per byte range of opts.BlockSize (cut at line boundaries), and
// one per .gz or .zst file. A pattern matching nothing is the bag's error.
//
// The lines are read in pieces of about 1 MiB and view them (no copy per
// line): a line kept alone for long keeps its piece alive; strings.Clone it.
func ReadText(pattern string, opts TextOptions) *Bag[string] {
	rs, err := splitFiles("read_text", pattern, opts.BlockSize)
	if err != nil {
		return errBag[string](err)
	}
	ensurePart[string]()
	defSrc[string]("text", func(s *spec) (func(context.Context, []any, func(string) bool) error, error) {
		fr, err := decodeRange(s.arg)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, _ []any, emit func(string) bool) error {
			err := readChunks(fr, s.reuse, func(data []byte) bool {
				return ctx.Err() == nil && eachLine(data, func(line []byte) bool { return emit(bytesString(line)) })
			})
			if err == nil {
				err = ctx.Err()
			}
			return err
		}, nil
	})
	ensureTextFields()
	parts := make([]*pipe, len(rs))
	for i, r := range rs {
		parts[i] = &pipe{src: &spec{kind: "text", label: "read-text", arg: r.encode()}}
	}
	return &Bag[string]{parts: parts, name: "read-text"}
}

// ensureTextFields registers the source of ReadText fused with Fields: the
// words of a byte range, split over the whole block.
func ensureTextFields() {
	defSrc[string]("text-fields", func(s *spec) (func(context.Context, []any, func(string) bool) error, error) {
		fr, err := decodeRange(s.arg)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, _ []any, emit func(string) bool) error {
			split := eachField
			if s.blocks {
				split = func(text string, emit func(string) bool) bool { return emit(text) }
			}
			err := readChunks(fr, s.reuse, func(data []byte) bool {
				return ctx.Err() == nil && split(bytesString(data), emit)
			})
			if err == nil {
				err = ctx.Err()
			}
			return err
		}, nil
	})
}
