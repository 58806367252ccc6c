package jsonl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// render writes column c's n values (null as "∅") one per line.
func render(c *Column, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if c.Valid != nil && !c.Valid[i] {
			b.WriteString("∅\n")
			continue
		}
		switch c.Type {
		case Int64, Timestamp:
			fmt.Fprintln(&b, c.I64[i])
		case Float64:
			fmt.Fprintln(&b, c.F64[i])
		case Bool:
			fmt.Fprintln(&b, c.Bools[i])
		default:
			fmt.Fprintf(&b, "%q\n", c.Data[c.Offs[i]:c.Offs[i+1]])
		}
	}
	return b.String()
}

// readRanges reads the file in ranges of blockSize: every column rendered,
// the rows and the lines skipped, or the first error.
func readRanges(path string, s *Schema, skipBad bool, blockSize int64) (string, int, int, error) {
	rs, err := Split(path, blockSize)
	if err != nil {
		return "", 0, 0, err
	}
	want := make([]int, len(s.Names))
	for i := range want {
		want[i] = i
	}
	cols := make([]strings.Builder, len(want))
	rows, skipped := 0, 0
	for _, r := range rs {
		res, err := ReadRange(r, s, want, skipBad)
		if err != nil {
			return "", 0, 0, err
		}
		for i, c := range res.Cols {
			cols[i].WriteString(render(c, res.Rows))
		}
		rows += res.Rows
		skipped += res.Skipped
	}
	var b strings.Builder
	for i := range cols {
		b.WriteString(cols[i].String())
		b.WriteString("|\n")
	}
	return b.String(), rows, skipped, nil
}

// FuzzReadRanges: a file that reads as one range reads the same (values,
// rows, skipped lines) in many small ranges, with and without skipBad; no
// input panics.
func FuzzReadRanges(f *testing.F) {
	for _, s := range []string{
		`{"a": 1, "b": "x"}` + "\n" + `{"a": 2, "b": null}` + "\n",
		`{"a": 1.5}` + "\n" + `{"a": "oops"}` + "\n" + `{"a": -9223372036854775808}` + "\n",
		`{"t": "2024-01-02", "s": "é\"\\u00e9", "f": true}` + "\n\n" + `{"t": "2024-01-02T03:04:05Z", "f": false, "extra": [1, {"x": 2}]}` + "\n",
		`{"a": 1}` + "\n" + `not json` + "\n" + `{"a": 2,}` + "\n" + `{"a": 3}`,
		`[1, 2]` + "\n" + `{"a": {"b": 1}}` + "\n",
	} {
		f.Add([]byte(s), uint8(5), false)
		f.Add([]byte(s), uint8(2), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, block uint8, skipBad bool) {
		p := filepath.Join(t.TempDir(), "f.jsonl")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Infer(p, 1000, skipBad)
		if err != nil {
			return
		}
		one, rows, skipped, err := readRanges(p, s, skipBad, -1)
		if err != nil {
			return
		}
		many, rows2, skipped2, err := readRanges(p, s, skipBad, int64(block%64)+1)
		if err != nil {
			t.Fatalf("one range reads, small ranges fail: %v", err)
		}
		if one != many || rows != rows2 || skipped != skipped2 {
			t.Fatalf("one range: %d rows, %d skipped\n%s\nsmall ranges: %d rows, %d skipped\n%s", rows, skipped, one, rows2, skipped2, many)
		}
	})
}
