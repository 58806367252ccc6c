package frame

import (
	"context"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// pandasText holds pandas 1.x answers (computed with /usr/bin/python3) on
// strings with multi-byte and combining characters.
var pandasText = []string{"Zoë", "  日本 語 ", "e\u0301te\u0301", "abc", ""}

func TestStringFunctionsAgainstPandas(t *testing.T) {
	r := strRecord(pandasText, make([]bool, len(pandasText)))
	for _, c := range []struct {
		e    Expr
		want []any
	}{
		{Col("s").Pad(7, "both", '·'), []any{"··Zoë··", "  日本 語 ", "·e\u0301te\u0301·", "··abc··", "·······"}},
		{Col("s").Pad(5, "left", '*'), []any{"**Zoë", "  日本 語 ", "e\u0301te\u0301", "**abc", "*****"}},
		{Col("s").Pad(6, "right", '-'), []any{"Zoë---", "  日本 語 ", "e\u0301te\u0301-", "abc---", "------"}},
		{Col("s").Slice(1, math.MaxInt, 2), []any{"o", " 本語", "\u0301e", "b", ""}},
		{Col("s").Slice(math.MaxInt, math.MinInt, -1), []any{"ëoZ", " 語 本日  ", "\u0301et\u0301e", "cba", ""}},
		{Col("s").Slice(-2, math.MaxInt, 1), []any{"oë", "語 ", "e\u0301", "bc", ""}},
		{Col("s").Strip(), []any{"Zoë", "日本 語", "e\u0301te\u0301", "abc", ""}},
		{Col("s").Find("e"), []any{int64(-1), int64(-1), int64(0), int64(-1), int64(-1)}},
		{Col("s").Len(), []any{int64(3), int64(7), int64(5), int64(3), int64(0)}},
	} {
		got := evalCells(t, c.e, r)
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("%s of %q: got %q, pandas %q", c.e, pandasText[i], got[i], c.want[i])
			}
		}
	}
}

// sliceRef is Python's slicing of a rune slice, by the definition: the
// indices start, start+step, ... within the adjusted bounds.
func sliceRef(s string, start, stop, step int) string {
	rs := []rune(s)
	n := len(rs)
	adj := func(v int) int {
		if v < 0 {
			v += n
			if v < 0 {
				if step < 0 {
					return -1
				}
				return 0
			}
		}
		if v >= n {
			if step < 0 {
				return n - 1
			}
			return n
		}
		return v
	}
	var out []rune
	for i := adj(start); (step > 0 && i < adj(stop)) || (step < 0 && i > adj(stop)); i += step {
		out = append(out, rs[i])
	}
	return string(out)
}

func padRef(s string, width int, side string, fill rune) string {
	n := utf8.RuneCountInString(s)
	if n >= width {
		return s
	}
	pad := width - n
	left := 0
	switch side {
	case "left":
		left = pad
	case "both":
		left = pad/2 + (pad & width & 1)
	}
	return strings.Repeat(string(fill), left) + s + strings.Repeat(string(fill), pad-left)
}

func TestStringFunctionsAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(21))
	ss, null := randStrings(rng, 300, 9)
	for i := range ss {
		if rng.Intn(4) == 0 {
			ss[i] = " \t" + ss[i] + "\u00a0 "
		}
	}
	r := strRecord(ss, null)
	check := func(e Expr, ref func(s string) any) {
		t.Helper()
		got := evalCells(t, e, r)
		for i, s := range ss {
			if null[i] {
				if got[i] != nil {
					t.Fatalf("%s: null input gave %v", e, got[i])
				}
				continue
			}
			if w := ref(s); got[i] != w {
				t.Fatalf("%s of %q: got %q, want %q", e, s, got[i], w)
			}
		}
	}
	check(Col("s").Len(), func(s string) any { return int64(len([]rune(s))) })
	check(Col("s").ByteLen(), func(s string) any { return int64(len(s)) })
	check(Col("s").Replace("a", "ë"), func(s string) any { return strings.ReplaceAll(s, "a", "ë") })
	check(Col("s").Replace("é\u0301", ""), func(s string) any { return strings.ReplaceAll(s, "é\u0301", "") })
	check(Col("s").Strip(), func(s string) any { return strings.TrimFunc(s, unicode.IsSpace) })
	check(Col("s").LStrip(), func(s string) any { return strings.TrimLeftFunc(s, unicode.IsSpace) })
	check(Col("s").RStrip(), func(s string) any { return strings.TrimRightFunc(s, unicode.IsSpace) })
	check(Col("s").Strip("aé "), func(s string) any { return strings.Trim(s, "aé ") })
	check(Col("s").RStrip("\u0301%"), func(s string) any { return strings.TrimRight(s, "\u0301%") })
	check(Col("s").Find("b"), func(s string) any {
		i := strings.Index(s, "b")
		if i < 0 {
			return int64(-1)
		}
		return int64(len([]rune(s[:i])))
	})
	for _, sep := range []string{"a", "日", "%_"} {
		for _, k := range []int{1, 2, 3, -1, -2} {
			check(Col("s").SplitPart(sep, k), func(s string) any {
				p := strings.Split(s, sep)
				j := k - 1
				if k < 0 {
					j = len(p) + k
				}
				if j < 0 || j >= len(p) {
					return nil
				}
				return p[j]
			})
		}
	}
	for k := 0; k < 30; k++ {
		st, sp, step := rng.Intn(13)-6, rng.Intn(13)-6, []int{1, 2, 3, -1, -2}[rng.Intn(5)]
		check(Col("s").Slice(st, sp, step), func(s string) any { return sliceRef(s, st, sp, step) })
		w := rng.Intn(12)
		side := []string{"left", "right", "both"}[rng.Intn(3)]
		check(Col("s").Pad(w, side, 'ü'), func(s string) any { return padRef(s, w, side, 'ü') })
		a, b := rng.Intn(10)-3, rng.Intn(6)
		check(Col("s").Substr(a, b).Len(), func(s string) any { return int64(len([]rune(substrRef(s, int64(a), int64(b))))) })
	}
	check(Col("s").Slice(math.MinInt, math.MaxInt, math.MaxInt), func(s string) any { return string([]rune(s)[:min(1, len([]rune(s)))]) })
	check(ConcatStr("-", Col("s"), Lit("x"), Col("s").Upper()), func(s string) any { return s + "-x-" + strings.ToUpper(s) })
	// Concat with a null on one side is null.
	got := evalCells(t, ConcatStr("", Col("s"), Lit(nil)), r)
	for i := range got {
		if got[i] != nil {
			t.Fatalf("concat with null: %v", got[i])
		}
	}
	ctx := context.Background()
	f := FromColumns(1, Column{"s", []string{"a"}}, Column{"i", []int64{1}})
	for _, c := range []struct {
		e   Expr
		msg string
	}{
		{Col("s").Slice(0, 1, 0), "step cannot be zero"},
		{Col("s").Pad(3, "middle", ' '), `pad side "middle"`},
		{ConcatStr(",", Col("s"), Col("i")), "Cast(String)"},
	} {
		if _, err := f.Select(c.e).Compute(ctx, opts()...); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Fatalf("%s: want %q, got %v", c.e, c.msg, err)
		}
	}
}

func TestSplitColumnsLikePandas(t *testing.T) {
	ctx := context.Background()
	// pandas: Series(['a,b,,c', 'x', None, ' y, z']).str.split(',', n=2, expand=True)
	f := FromColumns(2, Column{"s", []string{"a,b,,c", "x", "", " y, z"}})
	f = f.WithColumn("s", When(Col("s").Eq(Lit(""))).Then(Lit(nil)).Otherwise(Col("s")))
	tab, err := f.SplitColumns("s", ",", 3).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{{"a", "b", ",c"}, {"x", nil, nil}, {nil, nil, nil}, {" y", " z", nil}}
	for r, w := range want {
		for j, v := range w {
			if got := tab.Value(r, "s_"+string(rune('0'+j))); got != v {
				t.Fatalf("row %d s_%d: got %v, pandas %v", r, j, got, v)
			}
		}
	}
	// Whitespace splitting: Python's 'a b  c '.split(None, 1).
	tab, err = FromColumns(1, Column{"s", []string{"a b  c ", "  x "}}).SplitColumns("s", "", 2).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Value(0, "s_0") != "a" || tab.Value(0, "s_1") != "b  c " || tab.Value(1, "s_0") != "x" || tab.Value(1, "s_1") != nil {
		t.Fatalf("whitespace split: %v %v %v %v", tab.Value(0, "s_0"), tab.Value(0, "s_1"), tab.Value(1, "s_0"), tab.Value(1, "s_1"))
	}
}

func tsRecord(us []int64) arrow.Record {
	return array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "t", Type: Timestamp, Nullable: true}}, nil), []arrow.Array{timeArray(us, nil)}, int64(len(us)))
}

func TestFloorCeilRoundStrftimeAgainstPandas(t *testing.T) {
	in := []string{"2024-03-10 10:07:30", "2024-03-10 10:22:30", "1969-12-31 23:52:30", "2024-02-29 23:59:59.999999"}
	us := make([]int64, len(in))
	for i, s := range in {
		v, err := parseTime(s)
		if err != nil {
			t.Fatal(err)
		}
		us[i] = v
	}
	r := tsRecord(us)
	pandas := map[string][]string{
		"floor15": {"2024-03-10 10:00:00", "2024-03-10 10:15:00", "1969-12-31 23:45:00", "2024-02-29 23:45:00"},
		"ceil15":  {"2024-03-10 10:15:00", "2024-03-10 10:30:00", "1970-01-01 00:00:00", "2024-03-01 00:00:00"},
		"round15": {"2024-03-10 10:00:00", "2024-03-10 10:30:00", "1970-01-01 00:00:00", "2024-03-01 00:00:00"},
		"roundD":  {"2024-03-10 00:00:00", "2024-03-10 00:00:00", "1970-01-01 00:00:00", "2024-03-01 00:00:00"},
		"strf": {"Sun 10 Mar 2024 10:07:30 AM 070 24 000000", "Sun 10 Mar 2024 10:22:30 AM 070 24 000000",
			"Wed 31 Dec 1969 11:52:30 PM 365 69 000000", "Thu 29 Feb 2024 11:59:59 PM 060 24 999999"},
	}
	exprs := map[string]Expr{"floor15": Col("t").Floor("15min"), "ceil15": Col("t").Ceil("15min"), "round15": Col("t").Round("15min"),
		"roundD": Col("t").Round("D"), "strf": Col("t").Strftime("%a %d %b %Y %I:%M:%S %p %j %y %f")}
	for name, e := range exprs {
		got := evalCells(t, e, r)
		for i, w := range pandas[name] {
			g := got[i]
			if tt, ok := g.(time.Time); ok {
				g = tt.Format("2006-01-02 15:04:05")
			}
			if g != w {
				t.Fatalf("%s of %s: got %v, pandas %s", e, in[i], g, w)
			}
		}
	}
	// Random timestamps against time.Truncate and a naive half-even rule.
	rng := rand.New(rand.NewSource(4))
	for i := range us {
		us[i] = rng.Int63n(1<<52) - 1<<51
	}
	for _, n := range []int{5, 6, 7, 8, 9} {
		us = append(us, us[0]/60e6*60e6+int64(n)*7.5e6)
	}
	us = append(us, math.MaxInt64-1, math.MinInt64+1)
	r = tsRecord(us)
	for _, fr := range []struct {
		s string
		d time.Duration
	}{{"15min", 15 * time.Minute}, {"1h", time.Hour}, {"D", 24 * time.Hour}, {"7s", 7 * time.Second}, {"250ms", 250 * time.Millisecond}} {
		fl := evalCells(t, Col("t").Floor(fr.s), tsRecord(us[:len(us)-2]))
		rd := evalCells(t, Col("t").Round(fr.s), tsRecord(us[:len(us)-2]))
		step := fr.d.Microseconds()
		for i, v := range us[:len(us)-2] {
			q := v / step
			if v%step < 0 {
				q--
			}
			fq := q
			rem := v - q*step
			if rem*2 > step || rem*2 == step && q%2 != 0 {
				q++
			}
			if w := time.UnixMicro(fq * step).UTC(); fl[i] != w {
				t.Fatalf("Floor(%s) of %d: got %v, want %v", fr.s, v, fl[i], w)
			}
			if w := time.UnixMicro(q * step).UTC(); rd[i] != w {
				t.Fatalf("Round(%s) of %d: got %v, want %v", fr.s, v, rd[i], w)
			}
		}
	}
	ctx := context.Background()
	if _, err := FromRecords(tsRecord(us)).Select(Col("t").Ceil("D")).Compute(ctx, opts()...); err == nil || !strings.Contains(err.Error(), "out of the") {
		t.Fatalf("Ceil at the maximum: %v", err)
	}
	for _, c := range []struct {
		e   Expr
		msg string
	}{{Col("t").Floor("1M"), `frequency "1M"`}, {Col("t").Strftime("%Q"), "unknown directive %Q"}, {Col("t").Floor("0h"), "bad count"}} {
		if _, err := FromRecords(r).Select(c.e).Compute(ctx, opts()...); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Fatalf("%s: want %q, got %v", c.e, c.msg, err)
		}
	}
	// Strftime then ParseDatetime with the same format gives the value back.
	for _, layout := range []string{"%Y-%m-%d %H:%M:%S.%f", "%d/%m/%Y %I:%M:%S.%f %p", "%j %Y %T.%f", "%B %d %Y %H%M%S %f"} {
		back := evalCells(t, Col("t").Strftime(layout).ParseDatetime(layout).Sub(Col("t")), tsRecord(us[:len(us)-2]))
		for i := range back {
			if back[i] != time.Duration(0) && us[i] > -62135596800e6 {
				t.Fatalf("%q round trip of %d: off by %v", layout, us[i], back[i])
			}
		}
	}
	_, err := FromColumns(1, Column{"s", []string{"2024-01-02", "02.01.2024"}}).Select(Col("s").ParseDatetime("%Y-%m-%d")).Compute(ctx, opts()...)
	if err == nil || !strings.Contains(err.Error(), `"02.01.2024"`) || !strings.Contains(err.Error(), "row 1") {
		t.Fatalf("ParseDatetime mismatch: %v", err)
	}
}

func TestOneDateParser(t *testing.T) {
	ok := map[string]string{
		"2024-01-02":                     "2024-01-02 00:00:00",
		"2024-1-2":                       "2024-01-02 00:00:00",
		"2024/01/02":                     "2024-01-02 00:00:00",
		"01/02/2024":                     "2024-01-02 00:00:00",
		"1/2/2024 13:04":                 "2024-01-02 13:04:00",
		"2024-01-02 10:30":               "2024-01-02 10:30:00",
		"2024-01-02T10:30:15":            "2024-01-02 10:30:15",
		"2024-01-02 10:30:15.5":          "2024-01-02 10:30:15.5",
		"2024-01-02T10:30:15.123456789Z": "2024-01-02 10:30:15.123456",
		"2024-01-02T10:30:00+02:00":      "2024-01-02 08:30:00",
		"2024-01-02 10:30:00-0130":       "2024-01-02 12:00:00",
		"2024-02-29":                     "2024-02-29 00:00:00",
	}
	for in, want := range ok {
		us, err := parseTime(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999"); got != want {
			t.Fatalf("%q: got %s, want %s", in, got, want)
		}
		// Go's own parser agrees where it has the layout.
		for _, l := range []string{"2006-01-02", "2006-01-02 15:04", "2006-01-02T15:04:05", time.RFC3339Nano} {
			if g, err := time.Parse(l, in); err == nil && g.UnixMicro() != us {
				t.Fatalf("%q: %d, time.Parse %d", in, us, g.UnixMicro())
			}
		}
	}
	for _, in := range []string{"2023-02-29", "2024-13-01", "2024-01-02 25:00", "2024-01-02 10:61", "13/01/2024", "2024-01-02x", "24-01-02", "", "2024-01-02 10", "2024-01-02T10:30:00+2"} {
		if _, err := parseTime(in); err == nil {
			t.Fatalf("%q parsed", in)
		}
	}
	ctx := context.Background()
	dir := t.TempDir()
	p := filepath.Join(dir, "t.csv")
	os.WriteFile(p, []byte("a,b,c\n2024-01-02 10:30,13/01/2024,02.01.2024 10:00\n2024-01-03,14/01/2024,03.01.2024 11:30\n"), 0o644)
	tab, err := ReadCSV(p, CSVOptions{ParseDates: []string{"a"}}).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Value(0, "a") != time.Date(2024, 1, 2, 10, 30, 0, 0, time.UTC) {
		t.Fatalf("ParseDates YYYY-MM-DD HH:MM: %v", tab.Value(0, "a"))
	}
	tab, err = ReadCSV(p, CSVOptions{ParseDates: []string{"b"}, DayFirst: true}).Compute(ctx, opts()...)
	if err != nil || tab.Value(1, "b") != time.Date(2024, 1, 14, 0, 0, 0, 0, time.UTC) {
		t.Fatalf("DayFirst: %v %v", err, tab)
	}
	_, err = ReadCSV(p, CSVOptions{ParseDates: []string{"b"}}).Compute(ctx, opts()...)
	if err == nil || !strings.Contains(err.Error(), "t.csv:2") || !strings.Contains(err.Error(), "13/01/2024") {
		t.Fatalf("month-first 13/01/2024: %v", err)
	}
	tab, err = ReadCSV(p, CSVOptions{ParseDates: []string{"c"}, DateFormat: "%d.%m.%Y %H:%M"}).Compute(ctx, opts()...)
	if err != nil || tab.Value(1, "c") != time.Date(2024, 1, 3, 11, 30, 0, 0, time.UTC) {
		t.Fatalf("DateFormat: %v %v", err, tab)
	}
	_, err = ReadCSV(p, CSVOptions{ParseDates: []string{"a"}, DateFormat: "%d.%m.%Y %H:%M"}).Compute(ctx, opts()...)
	if err == nil || !strings.Contains(err.Error(), "t.csv:2") || !strings.Contains(err.Error(), "2024-01-02 10:30") || !strings.Contains(err.Error(), "DateFormat") {
		t.Fatalf("DateFormat mismatch: %v", err)
	}
	if _, err := ReadCSV(p, CSVOptions{DateFormat: "%Y-%q"}).Compute(ctx, opts()...); err == nil || !strings.Contains(err.Error(), "%q") {
		t.Fatalf("bad DateFormat: %v", err)
	}
	// LocRange and Cast use the same parser.
	f := FromColumns(1, Column{"s", []string{"2024-01-02 10:30", "01/02/2024", "nope"}})
	tab, err = f.Select(Col("s").Cast(Timestamp).Alias("t")).Compute(ctx, opts()...)
	if err != nil || tab.Value(0, "t") != time.Date(2024, 1, 2, 10, 30, 0, 0, time.UTC) || tab.Value(1, "t") != time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC) || tab.Value(2, "t") != nil {
		t.Fatalf("Cast: %v %v", err, tab)
	}
}
