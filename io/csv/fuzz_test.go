package csv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// render writes column c's values (null as "∅") one per line.
func render(c *Column) string {
	var b strings.Builder
	for i := 0; i < c.Len(); i++ {
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

// readRanges reads the file in ranges of blockSize and returns every column
// rendered, the rows and the rows skipped, or the first error.
func readRanges(path string, s *Schema, o *Options, blockSize int64) (string, int, int, error) {
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
		res, err := ReadRange(r, s, want, o)
		if err != nil {
			return "", 0, 0, err
		}
		for i, c := range res.Cols {
			if c.Len() != res.Rows {
				return "", 0, 0, fmt.Errorf("range %d-%d: column %d has %d values for %d rows", r.Start, r.End, i, c.Len(), res.Rows)
			}
			cols[i].WriteString(render(c))
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

// FuzzReadRanges: any file that reads as one range reads the same (values,
// rows, skipped rows) in many small ranges, with and without SkipBad, and
// no input panics. A quoted field holding a newline may be refused in small
// ranges (the documented limit: such files need BlockSize -1), never read
// differently.
func FuzzReadRanges(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n3,4\n",
		",\n,0",
		"a,b,a\n1,x,2.5\n,,\n-9223372036854775808,true,1e308\n",
		"id,s,t\n1,\"é,\"\"q\"\"\",2024-01-02\n2,,2024-01-02T03:04:05Z\n3,x,bad\n",
		"x\n1\n2\n\n3\r\n4\n",
		"a;b\n1;2\n",
		"a,b\n1,\"multi\nline\"\n2,3\n",
	} {
		f.Add([]byte(s), uint8(7), false)
		f.Add([]byte(s), uint8(3), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, block uint8, skipBad bool) {
		p := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		o := &Options{SkipBad: skipBad}
		s, err := Infer(p, o)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, n := range s.Names {
			if n == "" || seen[n] {
				t.Fatalf("column names %q: empty or repeated", s.Names)
			}
			seen[n] = true
		}
		one, rows, skipped, err := readRanges(p, s, o, -1)
		if err != nil {
			return
		}
		many, rows2, skipped2, err := readRanges(p, s, o, int64(block%64)+1)
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) && strings.Contains(pe.Msg, "BlockSize: -1") {
				return
			}
			t.Fatalf("one range reads, small ranges fail: %v", err)
		}
		if one != many || rows != rows2 || skipped != skipped2 {
			t.Fatalf("one range: %d rows, %d skipped\n%s\nsmall ranges: %d rows, %d skipped\n%s", rows, skipped, one, rows2, skipped2, many)
		}
	})
}
