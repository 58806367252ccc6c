package bag

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestEachChunkMatchesReadRange reads random byte ranges of random files in
// pieces of random small sizes (lines longer than a piece, "\r\n", a file
// without a final newline, empty lines) and compares the bytes with those
// readRange returns for the range in one read, and the ranges of a file
// together with the whole file.
func TestEachChunkMatchesReadRange(t *testing.T) {
	defer func(n int) { chunkSize = n }(chunkSize)
	r := rand.New(rand.NewSource(5))
	dir := t.TempDir()
	for it := 0; it < 200; it++ {
		var sb strings.Builder
		for n := r.Intn(60); n > 0; n-- {
			sb.WriteString(strings.Repeat("x", r.Intn(3)*r.Intn(30)))
			sb.WriteString([]string{"\n", "\r\n", "\n\n"}[r.Intn(3)])
		}
		if r.Intn(2) == 0 {
			sb.WriteString("tail")
		}
		data := sb.String()
		path := filepath.Join(dir, "f.txt")
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		chunkSize = 1 + r.Intn(40)
		size := int64(len(data))
		var whole []byte
		block := 1 + r.Int63n(size+2)
		for s := int64(0); s < size; s += block {
			fr := fileRange{path, s, min(s+block, size)}
			want, err := readRange(fr)
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			if err := readChunks(fr, it%2 == 0, func(p []byte) bool { got = append(got, p...); return true }); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%q range %d-%d, pieces of %d:\n got %q\nwant %q", data, fr.start, fr.end, chunkSize, got, want)
			}
			whole = append(whole, got...)
		}
		if string(whole) != data {
			t.Fatalf("%q in ranges of %d: %q", data, block, whole)
		}
	}
	// A compressed file, in pieces.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write([]byte("one\ntwo two\nthree\n"))
	zw.Close()
	path := filepath.Join(dir, "z.txt.gz")
	os.WriteFile(path, zb.Bytes(), 0o644)
	chunkSize = 5
	var got []string
	err := eachChunk(fileRange{path, 0, int64(zb.Len())}, func(p []byte) bool {
		eachLine(p, func(l []byte) bool { got = append(got, string(l)); return true })
		return true
	})
	if err != nil || strings.Join(got, "|") != "one|two two|three" {
		t.Fatalf("gzip in pieces: %q, %v", got, err)
	}
}

// TestTransientReuse runs word counts whose source reuses its read buffer
// (Fields, FlatMap(strings.Fields), then Frequencies, Distinct, Count) and
// pipelines that keep the strings (a user's FlatMap, then Compute; TopK),
// all in pieces of 64 bytes, with words long enough to be cloned, against
// strings.Fields of the text.
func TestTransientReuse(t *testing.T) {
	defer func(n int) { chunkSize = n }(chunkSize)
	chunkSize = 64
	r := rand.New(rand.NewSource(9))
	var sb strings.Builder
	for l := 0; l < 400; l++ {
		for w := r.Intn(6); w > 0; w-- {
			fmt.Fprintf(&sb, "%s%d ", strings.Repeat("long", r.Intn(2)*(1+r.Intn(6))), r.Intn(40))
		}
		sb.WriteString("\n")
	}
	path := filepath.Join(t.TempDir(), "t.txt")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ref := strings.Fields(sb.String())
	want := map[string]int64{}
	for _, w := range ref {
		want[w]++
	}
	ctx := context.Background()
	lines := ReadText(path, TextOptions{BlockSize: 1000})
	for name, words := range map[string]*Bag[string]{
		"fields":  Fields(lines),
		"flatmap": FlatMap(lines, strings.Fields),
		"staged":  Fields(Map(lines, func(s string) string { return s })),
	} {
		fr, err := Frequencies(words).Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, p := range fr {
			got[p.Key] = p.Value
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: frequencies differ (%d words, want %d)", name, len(got), len(want))
		}
		d, err := Distinct(words).Compute(ctx)
		if err != nil || len(d) != len(want) {
			t.Fatalf("%s: %d distinct, want %d (%v)", name, len(d), len(want), err)
		}
		n, err := words.Count().Compute(ctx)
		if err != nil || n != int64(len(ref)) {
			t.Fatalf("%s: count %d, want %d (%v)", name, n, len(ref), err)
		}
		all, err := words.Compute(ctx)
		if err != nil || !reflect.DeepEqual(all, ref) {
			t.Fatalf("%s: words differ from strings.Fields (%v)", name, err)
		}
	}
	for name, c := range map[string]struct {
		b    *Bag[string]
		want bool
	}{"fields": {Fields(lines), true}, "flatmap": {FlatMap(lines, strings.Fields), true}, "staged": {Fields(Map(lines, strings.ToLower)), false}} {
		ns, err := c.b.sinkNodes(&spec{kind: kindOf("freq", "string")})
		if err != nil {
			t.Fatal(err)
		}
		if got := ns[0].task.Op.(*pipeOp).transient(); got != c.want {
			t.Fatalf("%s: transient %v, want %v", name, got, c.want)
		}
	}
	own, err := FlatMap(lines, func(s string) []string { return strings.Fields(s) }).Compute(ctx)
	if err != nil || !reflect.DeepEqual(own, ref) {
		t.Fatalf("user FlatMap: words differ (%v)", err)
	}
	top, err := Fields(lines).TopK(5, func(a, b string) bool { return a < b }).Compute(ctx)
	sorted := append([]string(nil), ref...)
	sort.Sort(sort.Reverse(sort.StringSlice(sorted)))
	if err != nil || !reflect.DeepEqual(top, sorted[:5]) {
		t.Fatalf("topk %q, want %q (%v)", top, sorted[:5], err)
	}
}

// readRange, the reference for eachChunk, returns the bytes of the lines that start in r (all of a
// compressed file), in a fresh buffer.
func readRange(r fileRange) ([]byte, error) {
	f, err := os.Open(r.path)
	if err != nil {
		return nil, fmt.Errorf("bag: %w", err)
	}
	defer f.Close()
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
