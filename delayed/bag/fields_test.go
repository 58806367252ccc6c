package bag

import (
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// fieldsOf collects eachField's words.
func fieldsOf(s string) []string {
	var out []string
	eachField(s, func(w string) bool { out = append(out, w); return true })
	return out
}

func TestSpaceBits8(t *testing.T) {
	for c := 0; c < 128; c++ {
		for pos := 0; pos < 8; pos++ {
			w := uint64(c) << (8 * pos)
			for k := 0; k < 8; k++ {
				if k != pos {
					w |= uint64('a') << (8 * k)
				}
			}
			want := uint64(asciiSpace[c]) << pos
			if got := spaceBits8(w); got != want {
				t.Fatalf("byte %#x at %d: mask %08b, want %08b", c, pos, got, want)
			}
		}
	}
}

// TestEachFieldMatchesStringsFields compares the splitter with strings.Fields
// on random texts of ASCII words, every ASCII control byte, Unicode spaces
// (also across the 64-byte blocks), other multi-byte runes and invalid UTF-8.
func TestEachFieldMatchesStringsFields(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	pieces := []string{"a", "bc", "w123", "longerword", " ", "  ", "\t", "\n", "\r\n", "\v", "\f",
		"\x00", "\x01", "\x1f", "\x7f", "\u0085", "\u00a0", "\u2003", "\u3000", "é", "日本", "\xff", "\xc2", "\x80", "\xe2\x80"}
	for it := 0; it < 3000; it++ {
		var sb strings.Builder
		n := r.Intn(300)
		for sb.Len() < n {
			sb.WriteString(pieces[r.Intn(len(pieces))])
		}
		s := sb.String()
		got, want := fieldsOf(s), strings.Fields(s)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("%q:\n got %q\nwant %q", s, got, want)
		}
	}
	// A space rune straddling every block boundary position.
	for _, sp := range []string{"\u0085", "\u2003", "\u3000"} {
		for pre := 50; pre < 70; pre++ {
			s := strings.Repeat("x", pre) + sp + "yz" + strings.Repeat(" q", 40)
			if got, want := fieldsOf(s), strings.Fields(s); !slices.Equal(got, want) {
				t.Fatalf("%d x then %q: got %q, want %q", pre, sp, got, want)
			}
		}
	}
	if !utf8.ValidString("\u3000") {
		t.Fatal("bad fixture")
	}
}

func TestEachFieldStops(t *testing.T) {
	s := strings.Repeat("ab cd ", 100)
	n := 0
	if eachField(s, func(string) bool { n++; return n < 37 }) || n != 37 {
		t.Fatalf("stopped after %d words", n)
	}
}

// TestStrCounter counts strings of every length from 0 to 40 that differ only
// in trailing NUL bytes, at every offset of a buffer (so some short keys are
// read near its end), against a map.
func TestStrCounter(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	buf := make([]byte, 5000)
	for i := range buf {
		buf[i] = "ab\x00"[r.Intn(3)]
	}
	s := string(buf)
	c := newCounts[string](0)
	want := map[string]int64{}
	for it := 0; it < 40000; it++ {
		n := r.Intn(41)
		i := r.Intn(len(s) - n + 1)
		if it%5 == 0 {
			i = len(s) - n
		}
		w := s[i : i+n]
		c.add(w, int64(it%3+1))
		want[w] += int64(it%3 + 1)
	}
	for _, w := range []string{"", "\x00", "a", "a\x00", "a\x00\x00\x00\x00\x00\x00\x00", "a\x00\x00\x00\x00\x00\x00\x00\x00"} {
		c.add(w, 1)
		want[w]++
	}
	// Merged into another table by packed keys, twice: every count doubles.
	m := newCounts[string](3)
	m.merge(c)
	m.merge(c)
	for k := range want {
		want[k] *= 2
	}
	got := map[string]int64{}
	m.each(func(k string, n int64) {
		if _, dup := got[k]; dup {
			t.Fatalf("%q twice", k)
		}
		got[k] = n
	})
	if m.len() != len(want) || len(got) != len(want) {
		t.Fatalf("%d (%d) distinct, want %d", m.len(), len(got), len(want))
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("%q: %d, want %d", k, got[k], n)
		}
	}
}

// TestStrIndex numbers strings of every length from 0 to 40 (short ones
// differing only in NUL bytes, long ones sharing prefixes) in order of first
// sight, against a map.
func TestStrIndex(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	ix := newKeyIndex[string](0)
	want := map[string]int{}
	for it := 0; it < 30000; it++ {
		n := r.Intn(41)
		b := make([]byte, n)
		for i := range b {
			b[i] = "a\x00"[r.Intn(2)]
		}
		s := string(b)
		i, isNew := ix.index(s)
		w, seen := want[s]
		if !seen {
			w = len(want)
			want[s] = w
		}
		if i != w || isNew == seen {
			t.Fatalf("%q: index %d new %v, want %d new %v", s, i, isNew, w, !seen)
		}
	}
	for i, k := range ix.keys() {
		if want[k] != i {
			t.Fatalf("key %d is %q, numbered %d", i, k, want[k])
		}
	}
}

// TestKeyIndexKinds numbers integer keys of 4 and 8 bytes (packed words,
// extremes included) and struct keys (a map) against a map.
func TestKeyIndexKinds(t *testing.T) {
	type sym int32
	type pt struct {
		X int8
		S string
	}
	r := rand.New(rand.NewSource(5))
	checkKeyIndex(t, func() int64 {
		return []int64{math.MinInt64, math.MaxInt64, 0, -1, r.Int63n(500) - 250}[r.Intn(5)]
	})
	checkKeyIndex(t, func() uint64 { return []uint64{math.MaxUint64, 0, uint64(r.Intn(300)) << 40}[r.Intn(3)] })
	checkKeyIndex(t, func() sym { return sym(r.Int31n(700) - 350) })
	checkKeyIndex(t, func() int { return r.Intn(1000) - 500 })
	checkKeyIndex(t, func() pt { return pt{int8(r.Intn(20)), "ab"[:r.Intn(3)]} })
}

func checkKeyIndex[K comparable](t *testing.T, gen func() K) {
	t.Helper()
	ix := newKeyIndex[K](0)
	want := map[K]int{}
	for it := 0; it < 5000; it++ {
		k := gen()
		i, isNew := ix.index(k)
		w, seen := want[k]
		if !seen {
			w = len(want)
			want[k] = w
		}
		if i != w || isNew == seen {
			t.Fatalf("%T %v: index %d new %v, want %d new %v", k, k, i, isNew, w, !seen)
		}
	}
	ks := ix.keys()
	if len(ks) != len(want) {
		t.Fatalf("%T: %d keys, want %d", ks, len(ks), len(want))
	}
	for i, k := range ks {
		if want[k] != i {
			t.Fatalf("%T: key %d is %v, numbered %d", k, i, k, want[k])
		}
	}
}
