package bag

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
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

// readRange returns the bytes of the lines that start in r (all of a
// compressed file), in a fresh buffer.
func readRange(r fileRange) ([]byte, error) {
	f, err := os.Open(r.path)
	if err != nil {
		return nil, fmt.Errorf("bag: %w", err)
	}
	defer f.Close()
	if compressed(r.path) {
		var rd io.Reader
		if strings.HasSuffix(r.path, ".gz") {
			z, err := gzip.NewReader(f)
			if err != nil {
				return nil, fmt.Errorf("bag: gunzip %s: %w", r.path, err)
			}
			rd = z
		} else {
			z, err := zstd.NewReader(f)
			if err != nil {
				return nil, fmt.Errorf("bag: unzstd %s: %w", r.path, err)
			}
			defer z.Close()
			rd = z
		}
		b, err := io.ReadAll(rd)
		if err != nil {
			return nil, fmt.Errorf("bag: decompress %s: %w", r.path, err)
		}
		return b, nil
	}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("bag: %w", err)
	}
	size := st.Size()
	end := min(r.end, size)
	if r.start >= end {
		return nil, nil
	}
	s0 := max(r.start-1, 0) // a line starts at start iff byte start-1 is a newline
	tail := int64(64 << 10)
	for {
		stop := min(size, end+tail)
		buf := make([]byte, stop-s0)
		if _, err := f.ReadAt(buf, s0); err != nil && err != io.EOF {
			return nil, fmt.Errorf("bag: read %s: %w", r.path, err)
		}
		atEOF := stop == size
		first := int64(0)
		if r.start > 0 {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				if atEOF {
					return nil, nil
				}
				tail *= 4
				continue
			}
			first = int64(i) + 1
			if s0+first >= end {
				return nil, nil // no line starts in the range
			}
		}
		from := end - 1 - s0
		j := bytes.IndexByte(buf[from:], '\n')
		if j >= 0 {
			return buf[first : from+int64(j)+1], nil
		}
		if atEOF {
			return buf[first:], nil
		}
		tail *= 4
	}
}

// eachLine calls fn with every line of data, without its "\n" or "\r\n",
// until fn returns false. A last line without a newline counts.
func eachLine(data []byte, fn func(line []byte) bool) {
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
			return
		}
	}
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
// The lines of a partition share one buffer (no copy per line): a line kept
// alone for long, away from its partition, keeps the buffer; strings.Clone it.
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
			data, err := readRange(fr)
			if err != nil {
				return err
			}
			eachLine(data, func(line []byte) bool { return emit(bytesString(line)) })
			return nil
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
			data, err := readRange(fr)
			if err != nil {
				return err
			}
			eachField(bytesString(data), emit)
			return nil
		}, nil
	})
}
