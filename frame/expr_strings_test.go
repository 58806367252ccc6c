package frame

import (
	"context"
	"math/rand"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// strAlphabet mixes ASCII, multi-byte letters, a combining accent, CJK and
// the LIKE wildcards themselves.
var strAlphabet = []string{"a", "b", "A", "B", "z", " ", "é", "ë", "Ω", "\u0301", "日", "%", "_", "\\", "x"}

func randStr(rng *rand.Rand, max int) string {
	var b strings.Builder
	for k := rng.Intn(max + 1); k > 0; k-- {
		b.WriteString(strAlphabet[rng.Intn(len(strAlphabet))])
	}
	return b.String()
}

// strRecord is a one-column record "s" of the strings, null where null[i].
func strRecord(ss []string, null []bool) arrow.Record {
	sb := newStrBuilder(len(ss))
	for i, s := range ss {
		if null[i] {
			sb.addNull()
		} else {
			sb.add([]byte(s))
		}
	}
	a := sb.array()
	return array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "s", Type: String, Nullable: true}}, nil), []arrow.Array{a}, int64(len(ss)))
}

func randStrings(rng *rand.Rand, n, max int) ([]string, []bool) {
	ss := make([]string, n)
	null := make([]bool, n)
	for i := range ss {
		ss[i] = randStr(rng, max)
		null[i] = rng.Intn(9) == 0
	}
	return ss, null
}

// evalCells evaluates e over r (typed first, as a plan would) and returns
// the cells as Go values (nil for null).
func evalCells(t *testing.T, e Expr, r arrow.Record) []any {
	t.Helper()
	if _, err := typeOf(e.n, r.Schema()); err != nil {
		t.Fatalf("%s: %v", e, err)
	}
	v, err := evalExpr(e.n, r)
	if err != nil {
		t.Fatalf("%s: %v", e, err)
	}
	a := v.toArray(int(r.NumRows()))
	rec := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "x", Type: a.DataType(), Nullable: true}}, nil), []arrow.Array{a}, int64(a.Len()))
	tab := &Table{rec: rec}
	out := make([]any, a.Len())
	for i := range out {
		out[i] = tab.Value(i, "x")
	}
	return out
}

// likeRef turns a LIKE pattern into an anchored regexp, the reference.
func likeRef(pattern string, esc rune, fold bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^(?s)")
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case esc >= 0 && r == esc:
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case r == '%':
			b.WriteString(".*")
		case r == '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func TestLikeAgainstRegexpReference(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	ss, null := randStrings(rng, 400, 8)
	r := strRecord(ss, null)
	shapes := []string{"%ab", "ab%", "%ab%", "a%b", "ab", "%", "%%", "", "_", "%_", "a_%b_", "%é%Ω", "%a%b%", "_%_%_", "%日_", "a%%b"}
	for k := 0; k < 60; k++ {
		p := ""
		for j := rng.Intn(6); j > 0; j-- {
			p += []string{"a", "b", "é", "%", "_", "日", "\u0301", "A"}[rng.Intn(8)]
		}
		shapes = append(shapes, p)
	}
	for _, p := range shapes {
		for _, fold := range []bool{false, true} {
			var e Expr
			if fold {
				e = Col("s").ILike(p)
			} else {
				e = Col("s").Like(p)
			}
			got := evalCells(t, e, r)
			var re *regexp.Regexp
			if fold {
				re = likeRef(strings.ToLower(p), -1, true)
			} else {
				re = likeRef(p, -1, false)
			}
			for i, s := range ss {
				if null[i] {
					if got[i] != nil {
						t.Fatalf("%s row %d: null input gave %v", e, i, got[i])
					}
					continue
				}
				if fold {
					s = strings.ToLower(s)
				}
				if want := re.MatchString(s); got[i] != want {
					t.Fatalf("%s of %q: got %v, want %v", e, ss[i], got[i], want)
				}
			}
		}
	}
}

func TestLikeEscapeAndErrors(t *testing.T) {
	r := strRecord([]string{"100%", "100x", "a_b", "axb", `a\b`, "50%off"}, make([]bool, 6))
	cases := []struct {
		pat  string
		esc  rune
		want []bool
	}{
		{`100\%`, '\\', []bool{true, false, false, false, false, false}},
		{`a\_b`, '\\', []bool{false, false, true, false, false, false}},
		{`a\\b`, '\\', []bool{false, false, false, false, true, false}},
		{`%!%%`, '!', []bool{true, false, false, false, false, true}},
	}
	for _, c := range cases {
		got := evalCells(t, Col("s").Like(c.pat, c.esc), r)
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("LIKE %q ESCAPE %q row %d: got %v, want %v", c.pat, c.esc, i, got[i], c.want[i])
			}
		}
	}
	ctx := context.Background()
	f := FromColumns(1, Column{"s", []string{"a"}})
	for _, e := range []Expr{Col("s").Like(`ab\`, '\\'), Col("s").Like(`a\b`, '\\')} {
		_, err := f.Filter(e).Compute(ctx, opts()...)
		if err == nil || !strings.Contains(err.Error(), "LIKE pattern") || !strings.Contains(err.Error(), "escape") {
			t.Fatalf("%s: want a bad-escape error naming the pattern, got %v", e, err)
		}
	}
	_, err := f.Filter(Col("s").Matches("a(b")).Compute(ctx, opts()...)
	if err == nil || !strings.Contains(err.Error(), `"a(b"`) {
		t.Fatalf("invalid regexp: got %v", err)
	}
	_, err = f.Select(Col("s").Extract("(a)", 2)).Compute(ctx, opts()...)
	if err == nil || !strings.Contains(err.Error(), "group 2") {
		t.Fatalf("extract group out of range: got %v", err)
	}
	_, err = FromColumns(1, Column{"i", []int64{1}}).Filter(Col("i").Like("1%")).Compute(ctx, opts()...)
	if err == nil || !strings.Contains(err.Error(), "string function like on int64") {
		t.Fatalf("like on int: got %v", err)
	}
}

func TestRegexpAgainstGo(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	ss, null := randStrings(rng, 300, 10)
	r := strRecord(ss, null)
	for _, p := range []string{"ab+", "^a", "é$", "(a|b)(Ω|日)", "x", `\\`, "(?i)AB", "a(b)?"} {
		re := regexp.MustCompile(p)
		m := evalCells(t, Col("s").Matches(p), r)
		x := evalCells(t, Col("s").Extract(p, re.NumSubexp()), r)
		rp := evalCells(t, Col("s").ReplaceAll(p, "<$0>"), r)
		for i, s := range ss {
			if null[i] {
				if m[i] != nil || x[i] != nil || rp[i] != nil {
					t.Fatalf("%q row %d: null input gave %v %v %v", p, i, m[i], x[i], rp[i])
				}
				continue
			}
			if m[i] != re.MatchString(s) {
				t.Fatalf("Matches(%q) of %q: got %v", p, s, m[i])
			}
			var want any
			if sm := re.FindStringSubmatchIndex(s); sm != nil && sm[2*re.NumSubexp()] >= 0 {
				g := re.NumSubexp()
				want = s[sm[2*g]:sm[2*g+1]]
			}
			if x[i] != want {
				t.Fatalf("Extract(%q) of %q: got %v, want %v", p, s, x[i], want)
			}
			if w := re.ReplaceAllString(s, "<$0>"); rp[i] != w {
				t.Fatalf("ReplaceAll(%q) of %q: got %v, want %v", p, s, rp[i], w)
			}
		}
	}
}

// substrRef is DuckDB's substring over a rune slice, written the slow way.
func substrRef(s string, start, length int64) string {
	rs := []rune(s)
	n := int64(len(rs))
	if start < 0 {
		start = n + start + 1
	}
	var out []rune
	for p := int64(1); p <= n; p++ {
		in := p >= start && p < start+length
		if length < 0 {
			in = p >= start+length && p < start
		}
		if in {
			out = append(out, rs[p-1])
		}
	}
	return string(out)
}

func TestSubstrAgainstReference(t *testing.T) {
	// Answers from DuckDB 1.x: select substring('hello', s, l).
	duck := []struct {
		s, l int
		want string
	}{{0, 2, "h"}, {-3, 2, "ll"}, {2, 100, "ello"}, {-10, 3, ""}, {3, -1, "e"}, {6, 1, ""}, {-5, 2, "he"}, {0, 1, ""}, {-6, 2, "h"}}
	hello := strRecord([]string{"hello"}, []bool{false})
	for _, c := range duck {
		if got := evalCells(t, Col("s").Substr(c.s, c.l), hello)[0]; got != c.want {
			t.Fatalf("substring('hello', %d, %d): got %q, DuckDB %q", c.s, c.l, got, c.want)
		}
	}
	rng := rand.New(rand.NewSource(3))
	ss, null := randStrings(rng, 200, 9)
	r := strRecord(ss, null)
	for k := 0; k < 40; k++ {
		st, ln := rng.Intn(15)-7, rng.Intn(15)-5
		got := evalCells(t, Col("s").Substr(st, ln), r)
		for i, s := range ss {
			if null[i] {
				if got[i] != nil {
					t.Fatal("null input gave a value")
				}
				continue
			}
			if w := substrRef(s, int64(st), int64(ln)); got[i] != w {
				t.Fatalf("Substr(%d, %d) of %q: got %q, want %q", st, ln, s, got[i], w)
			}
		}
	}
	// Extremes do not overflow.
	for _, c := range [][2]int{{1 << 62, 5}, {-1 << 62, 1 << 62}, {1, 1<<63 - 1}, {-(1 << 63), 1<<63 - 1}, {1<<63 - 1, 1<<63 - 1}, {-5, -(1 << 63)}} {
		got := evalCells(t, Col("s").Substr(c[0], c[1]), hello)[0]
		if w := substrRef("hello", max(min(int64(c[0]), 1<<61), -1<<61), max(min(int64(c[1]), 1<<61), -1<<61)); got != w {
			t.Fatalf("Substr(%d, %d): got %q, want %q", c[0], c[1], got, w)
		}
	}
	if utf8.RuneCountInString(evalCells(t, Col("s").Substr(1, 3), strRecord([]string{"Zoë!"}, []bool{false}))[0].(string)) != 3 {
		t.Fatal("Substr is not character-based")
	}
}
