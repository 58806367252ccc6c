package csv

import (
	"bytes"
	"io"
	"os"
	"strings"
)

// Inference beyond the head of a file. With the default SampleRows, Infer
// reads the first rows and, for an uncompressed file larger than its head
// sample, the rows of inferWindows windows spread evenly through it (a
// window starts at the line after its offset; a row whose field count is
// not the header's, as a line inside a quoted field would give, is left
// out), so that a column turning float or string in the middle or at the
// end of a file widens at plan time. With SampleRows < 0 it reads every
// row: exact, at the cost of one pass over the file.

const (
	inferWindows    = 32
	inferWindowSize = 64 << 10
)

// widenType is t widened as far as v needs: int64 → float64 → bool →
// string (each step is taken when v does not parse as the narrower one).
func widenType(t Type, v string) Type {
	if t == Int64 {
		if _, ok := parseInt([]byte(v)); !ok {
			t = Float64
		}
	}
	if t == Float64 {
		if _, ok := parseFloat([]byte(v)); !ok {
			t = Bool
		}
	}
	if t == Bool {
		if _, ok := parseBool([]byte(v)); !ok {
			t = String
		}
	}
	return t
}

// eachRecord calls fn with every non-blank record of r (the header too),
// reading it in blocks.
func eachRecord(r io.Reader, delim byte, fn func(line []byte)) error {
	buf := make([]byte, 0, 4<<20)
	for {
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return err
		}
		data := buf
		for len(data) > 0 {
			line, rest, _, open := nextRecord(data, delim)
			if (rest == nil || open) && !eof {
				break // the record goes on past the block
			}
			if len(bytes.TrimSpace(line)) > 0 {
				fn(line)
			}
			data = rest
		}
		if eof {
			return nil
		}
		m := copy(buf, data)
		buf = buf[:m]
		if m == cap(buf) {
			buf = append(buf, make([]byte, m)...)[:m]
		}
	}
}

// windowRecords calls fn with the complete records of inferWindows
// windows spread through the file path (uncompressed, of size bytes).
func windowRecords(path string, size int64, delim byte, fn func(line []byte)) error {
	if strings.HasSuffix(path, ".gz") || strings.HasSuffix(path, ".zst") {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, inferWindowSize)
	for k := 1; k <= inferWindows; k++ {
		off := size * int64(k) / int64(inferWindows+1)
		n, err := f.ReadAt(buf, off)
		if err != nil && err != io.EOF {
			return err
		}
		data := buf[:n]
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			continue
		}
		data = data[i+1:]
		last := off+int64(n) >= size
		for len(data) > 0 {
			line, rest, _, open := nextRecord(data, delim)
			if open || (rest == nil && !last) {
				break
			}
			if len(bytes.TrimSpace(line)) > 0 {
				fn(line)
			}
			data = rest
		}
	}
	return nil
}
