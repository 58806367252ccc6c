package bag

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// randomText is a text of about n bytes from pieces: ASCII words (some
// long), every ASCII space and some control bytes, Unicode spaces, other
// multi-byte runes and invalid UTF-8, with runs of spaces and empty lines.
func randomText(r *rand.Rand, n int) string {
	pieces := []string{"a", "bc", "w123", "w45678", "sevenxx", "eightxyz", "longerword", "fifteen-bytes-x",
		"sixteen-bytes-xy", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\v", "\f", "\x00", "\x01", "\x1f", "\x7f",
		"\u0085", "\u00a0", "\u1680", "\u2003", "\u2028", "\u202f", "\u3000", "é", "日本", "\xff", "\xc2", "\x80", "\xe2\x80"}
	var sb strings.Builder
	for sb.Len() < n {
		switch r.Intn(200) {
		case 0: // a very long word, across several blocks and batches
			sb.WriteString(strings.Repeat("x", 1+r.Intn(9000)))
		case 1: // a long ASCII stretch: the vector path
			for k := r.Intn(3000); k > 0; k-- {
				sb.WriteString([]string{"w1", "w22 ", "w333\n", " "}[r.Intn(4)])
			}
		default:
			sb.WriteString(pieces[r.Intn(len(pieces))])
		}
	}
	return sb.String()
}

// TestFieldsKernels compares eachField and countFields with strings.Fields
// and a map on random texts up to 40 KB (several batches of blocks), with
// the AVX2 masks and without them, and every suffix of a text (so texts end
// with or without a newline, inside a word or a rune).
func TestFieldsKernels(t *testing.T) {
	orig := haveSpaceAVX2
	defer func() { haveSpaceAVX2 = orig }()
	r := rand.New(rand.NewSource(11))
	var texts []string
	for it := 0; it < 60; it++ {
		texts = append(texts, randomText(r, r.Intn(40000)))
	}
	base := randomText(r, 9000)
	for cut := len(base) - 300; cut <= len(base); cut++ {
		texts = append(texts, base[:cut], base[len(base)-cut:])
	}
	texts = append(texts, "", " ", "\n", "a", "a\n", strings.Repeat(" ", 5000), strings.Repeat("ab", 5000))
	for _, avx := range []bool{false, true} {
		haveSpaceAVX2 = avx && orig
		for _, s := range texts {
			want := strings.Fields(s)
			if got := fieldsOf(s); !slices.Equal(got, want) && len(got)+len(want) > 0 {
				t.Fatalf("avx %v: eachField of %d bytes: %d words, want %d", avx, len(s), len(got), len(want))
			}
			ref := map[string]uint64{}
			for _, w := range want {
				ref[w]++
			}
			tab := newCountTable(r.Intn(100))
			tab.countFields(s)
			got := map[string]uint64{}
			tab.each(func(k string, v uint64) { got[k] = v })
			if len(got) != len(ref) || tab.len() != len(ref) {
				t.Fatalf("avx %v: countFields of %d bytes: %d keys, want %d", avx, len(s), len(got), len(ref))
			}
			for k, v := range ref {
				if got[k] != v {
					t.Fatalf("avx %v: countFields: %q counted %d, want %d", avx, k, got[k], v)
				}
			}
		}
	}
}

// TestCountFieldsGrows counts 100 000 distinct words into a table made for
// few, through every growth of the tiny and short tables, then once more.
func TestCountFieldsGrows(t *testing.T) {
	var sb strings.Builder
	for i := 0; i < 100000; i++ {
		sb.WriteString("w")
		sb.WriteString(strings.Repeat("z", i%12))
		sb.WriteString(string(rune('a' + i%26)))
		sb.WriteString(string(rune('a' + i/26%26)))
		sb.WriteString(string(rune('a' + i/676%26)))
		sb.WriteString(string(rune('a' + i/17576%26)))
		sb.WriteString(" ")
	}
	s := sb.String()
	ref := map[string]uint64{}
	for _, w := range strings.Fields(s) {
		ref[w] += 2
	}
	tab := newCountTable(0)
	tab.countFields(s)
	tab.countFields(s)
	if tab.len() != len(ref) {
		t.Fatalf("%d keys, want %d", tab.len(), len(ref))
	}
	tab.each(func(k string, v uint64) {
		if ref[k] != v {
			t.Fatalf("%q: %d, want %d", k, v, ref[k])
		}
	})
}
