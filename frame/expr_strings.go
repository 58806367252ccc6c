package frame

import (
	"bytes"
	"fmt"
	"regexp"
	"sync"

	"github.com/godask/godask/frame/internal/strkern"
)

// String expressions. Every one propagates nulls (a null string gives a
// null result), counts characters as Unicode code points (pandas' and
// DuckDB's rule: "Zoë" has 3), and runs over the partition's Arrow value
// buffer without a Go string per cell.

// Like is SQL's e LIKE pattern: % matches any run of characters, _ exactly
// one. An optional escape character makes the next %, _ or escape
// character literal (Like("100\\%", '\\') matches "100%"); a pattern with a
// bad escape is an error naming it. Prefix%, %suffix, %infix% and
// prefix%suffix patterns take fast paths (%infix% searches the whole value
// buffer at once).
func (e Expr) Like(pattern string, escape ...rune) Expr { return e.like("like", pattern, escape) }

// ILike is Like ignoring case (both sides lower-cased, Unicode-aware).
func (e Expr) ILike(pattern string, escape ...rune) Expr { return e.like("ilike", pattern, escape) }

func (e Expr) like(op, pattern string, escape []rune) Expr {
	esc := int64(-1)
	if len(escape) > 0 {
		esc = int64(escape[0])
	}
	return Expr{&enode{op: op, name: pattern, lits: []litVal{{k: kInt, i: esc}}, args: []*enode{e.n}}}
}

// Matches is true where the regular expression re (Go's RE2 syntax) matches
// somewhere in the string e (pandas' str.contains(re), DuckDB's
// regexp_matches). An invalid re is an error naming it.
func (e Expr) Matches(re string) Expr { return e.str("matches", re) }

// Extract is the text of capture group (0: the whole match) of the first
// match of re in e, null where re does not match (pandas' str.extract,
// DuckDB's regexp_extract gives "" instead).
func (e Expr) Extract(re string, group int) Expr {
	return Expr{&enode{op: "extract", name: re, lits: []litVal{{k: kInt, i: int64(group)}}, args: []*enode{e.n}}}
}

// ReplaceAll replaces every match of re in e by repl, where $1 or ${name}
// stand for capture groups (Go's regexp.Expand syntax; pandas'
// str.replace(regex=True)).
func (e Expr) ReplaceAll(re, repl string) Expr {
	return Expr{&enode{op: "replaceall", name: re, lits: []litVal{{k: kStr, s: repl}}, args: []*enode{e.n}}}
}

// Substr is SQL's substring(e, start, length) over characters, 1-based as
// in SQL and DuckDB: Substr(1, 3) of "Zoë!" is "Zoë". A negative start
// counts from the end (-1 is the last character), a negative length takes
// the characters before start, and the range is clipped to the string
// (Substr(0, 2) is the first character). Slice is the 0-based, Python-style
// alternative.
func (e Expr) Substr(start, length int) Expr {
	return Expr{&enode{op: "substr", lits: []litVal{{k: kInt, i: int64(start)}, {k: kInt, i: int64(length)}}, args: []*enode{e.n}}}
}

// compiled caches compiled LIKE patterns and regular expressions by
// operation and pattern: a query compiles each once, not once per
// partition.
var compiled sync.Map

type likeKey struct {
	op, pattern string
	esc         int64
}

func compileLike(n *enode) (*strkern.Like, error) {
	k := likeKey{n.op, n.name, n.lits[0].i}
	if v, ok := compiled.Load(k); ok {
		return v.(*strkern.Like), nil
	}
	l, err := strkern.CompileLike(n.name, rune(n.lits[0].i), n.op == "ilike")
	if err != nil {
		return nil, err
	}
	compiled.Store(k, l)
	return l, nil
}

func compileRe(re string) (*regexp.Regexp, error) {
	if v, ok := compiled.Load(re); ok {
		return v.(*regexp.Regexp), nil
	}
	r, err := regexp.Compile(re)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %w", re, err)
	}
	compiled.Store(re, r)
	return r, nil
}

// strOps are the string operations of this file with their result kinds.
var strOps = map[string]kind{"like": kBool, "ilike": kBool, "matches": kBool, "extract": kStr, "replaceall": kStr, "substr": kStr,
	"bytelen": kInt, "find": kInt, "replace": kStr, "strip": kStr, "lstrip": kStr, "rstrip": kStr, "pad": kStr, "slice": kStr,
	"splitpart": kStr, "splitn": kStr, "concat": kStr}

func typeOfStrings(n *enode, ks []kind) (kind, bool, error) {
	out, ok := strOps[n.op]
	if !ok {
		return 0, false, nil
	}
	for i, k := range ks {
		if k != kStr && !isNullLit(n.args[i]) {
			return 0, true, fmt.Errorf("string function %s on %s (Cast(String) it first)", n.op, k.dtype())
		}
	}
	switch n.op {
	case "slice":
		if n.lits[2].i == 0 {
			return 0, true, fmt.Errorf("slice step cannot be zero")
		}
	case "pad":
		if padSide(n.name) == 0 {
			return 0, true, fmt.Errorf("pad side %q (want \"left\", \"right\" or \"both\")", n.name)
		}
	case "concat":
		if len(ks) == 0 {
			return 0, true, fmt.Errorf("Concat of nothing")
		}
	case "like", "ilike":
		if _, err := compileLike(n); err != nil {
			return 0, true, err
		}
	case "matches", "extract", "replaceall":
		re, err := compileRe(n.name)
		if err != nil {
			return 0, true, err
		}
		if n.op == "extract" {
			if g := n.lits[0].i; g < 0 || g > int64(re.NumSubexp()) {
				return 0, true, fmt.Errorf("group %d of %q, which has %d groups", g, n.name, re.NumSubexp())
			}
		}
	}
	return out, true, nil
}

func applyStrings(n *enode, a []*val, rows int) (*val, bool, error) {
	if _, ok := strOps[n.op]; !ok {
		return nil, false, nil
	}
	v, err := fold(a, rows, func(a []*val, rows int) (*val, error) {
		if n.op == "concat" {
			return concat(n.name, a, rows), nil
		}
		return strOp(n, a[0], rows)
	})
	return v, true, err
}

func padSide(side string) byte {
	switch side {
	case "", "left":
		return 'l'
	case "right":
		return 'r'
	case "both":
		return 'b'
	}
	return 0
}

func concat(sep string, a []*val, rows int) *val {
	valid := andValid(rows, a...)
	sb := newStrBuilder(rows)
	var buf []byte
	for i := 0; i < rows; i++ {
		buf = buf[:0]
		if valid == nil || valid[i] {
			for j, x := range a {
				if j > 0 {
					buf = append(buf, sep...)
				}
				buf = append(buf, x.strAt(i)...)
			}
		}
		sb.add(buf)
	}
	return &val{k: kStr, n: rows, offs: sb.offs, data: sb.data, valid: valid}
}

// strRows gives the offsets and data of x over rows (a scalar is one row).
func strRows(x *val, rows int) ([]int32, []byte) {
	if x.scalar {
		x = broadcast(x, rows)
	}
	return x.offs, x.data
}

func strOp(n *enode, x *val, rows int) (*val, error) {
	valid := andValid(rows, x)
	offs, data := strRows(x, rows)
	switch n.op {
	case "like", "ilike":
		l, err := compileLike(n)
		if err != nil {
			return nil, err
		}
		out := &val{k: kBool, n: rows, b: make([]bool, rows), valid: valid}
		l.MatchRows(offs, data, out.b)
		return out, nil
	case "matches":
		re, err := compileRe(n.name)
		if err != nil {
			return nil, err
		}
		out := &val{k: kBool, n: rows, b: make([]bool, rows), valid: valid}
		if lit, complete := re.LiteralPrefix(); complete {
			strkern.ContainsRows(offs, data, []byte(lit), out.b)
			return out, nil
		}
		for i := range out.b {
			out.b[i] = re.Match(data[offs[i]:offs[i+1]])
		}
		return out, nil
	case "extract":
		re, err := compileRe(n.name)
		if err != nil {
			return nil, err
		}
		g := int(n.lits[0].i)
		sb := newStrBuilder(rows)
		for i := 0; i < rows; i++ {
			s := data[offs[i]:offs[i+1]]
			m := re.FindSubmatchIndex(s)
			if x.isNull(i) || m == nil || m[2*g] < 0 {
				sb.addNull()
				continue
			}
			sb.add(s[m[2*g]:m[2*g+1]])
		}
		return &val{k: kStr, n: rows, offs: sb.offs, data: sb.data, valid: sb.valid}, nil
	case "replaceall":
		re, err := compileRe(n.name)
		if err != nil {
			return nil, err
		}
		repl := []byte(n.lits[0].s)
		sb := newStrBuilder(rows)
		for i := 0; i < rows; i++ {
			sb.add(re.ReplaceAll(data[offs[i]:offs[i+1]], repl))
		}
		return &val{k: kStr, n: rows, offs: sb.offs, data: sb.data, valid: valid}, nil
	case "substr":
		start, length := n.lits[0].i, n.lits[1].i
		sb := newStrBuilder(rows)
		for i := 0; i < rows; i++ {
			s := data[offs[i]:offs[i+1]]
			lo, hi := strkern.Substr(s, start, length)
			sb.add(s[lo:hi])
		}
		return &val{k: kStr, n: rows, offs: sb.offs, data: sb.data, valid: valid}, nil
	case "bytelen", "find":
		out := &val{k: kInt, n: rows, i: make([]int64, rows), valid: valid}
		sub := []byte(n.name)
		for i := range out.i {
			s := data[offs[i]:offs[i+1]]
			if n.op == "bytelen" {
				out.i[i] = int64(len(s))
			} else {
				out.i[i] = strkern.Find(s, sub)
			}
		}
		return out, nil
	case "replace":
		old, repl := []byte(n.name), []byte(n.lits[0].s)
		sb := newStrBuilder(rows)
		for i := 0; i < rows; i++ {
			s := data[offs[i]:offs[i+1]]
			if len(old) > 0 && bytes.Contains(s, old) {
				s = bytes.ReplaceAll(s, old, repl)
			}
			sb.add(s)
		}
		return &val{k: kStr, n: rows, offs: sb.offs, data: sb.data, valid: valid}, nil
	case "strip", "lstrip", "rstrip":
		chars := n.lits[0].s
		sb := newStrBuilder(rows)
		for i := 0; i < rows; i++ {
			sb.add(strkern.Strip(data[offs[i]:offs[i+1]], chars, n.op != "rstrip", n.op != "lstrip"))
		}
		return &val{k: kStr, n: rows, offs: sb.offs, data: sb.data, valid: valid}, nil
	case "pad", "slice":
		sb := newStrBuilder(rows)
		var buf []byte
		side := padSide(n.name)
		for i := 0; i < rows; i++ {
			s := data[offs[i]:offs[i+1]]
			if n.op == "pad" {
				buf = strkern.Pad(buf[:0], s, n.lits[0].i, side, rune(n.lits[1].i))
			} else {
				buf = strkern.Slice(buf[:0], s, n.lits[0].i, n.lits[1].i, n.lits[2].i)
			}
			sb.add(buf)
		}
		return &val{k: kStr, n: rows, offs: sb.offs, data: sb.data, valid: valid}, nil
	case "splitpart", "splitn":
		sb := newStrBuilder(rows)
		for i := 0; i < rows; i++ {
			s := data[offs[i]:offs[i+1]]
			var part []byte
			var ok bool
			if n.op == "splitpart" {
				part, ok = strkern.SplitPart(s, n.name, n.lits[0].i)
			} else {
				part, ok = strkern.SplitN(s, n.name, n.lits[0].i, n.lits[1].i)
			}
			if x.isNull(i) || !ok {
				sb.addNull()
				continue
			}
			sb.add(part)
		}
		return &val{k: kStr, n: rows, offs: sb.offs, data: sb.data, valid: sb.valid}, nil
	}
	return nil, fmt.Errorf("unknown string operation %q", n.op)
}

// ByteLen is the length of the string e in bytes of UTF-8 (Len counts
// characters).
func (e Expr) ByteLen() Expr { return e.un("bytelen") }

// Replace replaces every occurrence of the literal old in e by new (pandas'
// str.replace(old, new, regex=False); ReplaceAll takes a regular
// expression).
func (e Expr) Replace(old, new string) Expr {
	return Expr{&enode{op: "replace", name: old, lits: []litVal{{k: kStr, s: new}}, args: []*enode{e.n}}}
}

// Strip removes leading and trailing white space (Unicode), or, given
// chars, any of those characters (pandas' str.strip(to_strip)).
func (e Expr) Strip(chars ...string) Expr { return e.strip("strip", chars) }

// LStrip is Strip at the start only.
func (e Expr) LStrip(chars ...string) Expr { return e.strip("lstrip", chars) }

// RStrip is Strip at the end only.
func (e Expr) RStrip(chars ...string) Expr { return e.strip("rstrip", chars) }

func (e Expr) strip(op string, chars []string) Expr {
	c := ""
	if len(chars) > 0 {
		c = chars[0]
	}
	return Expr{&enode{op: op, lits: []litVal{{k: kStr, s: c}}, args: []*enode{e.n}}}
}

// Pad pads e with fill to width characters (pandas' str.pad): side
// "left" (fill before, the default when side is ""), "right" or "both"
// (centred as Python's str.center). Longer strings are kept whole.
func (e Expr) Pad(width int, side string, fill rune) Expr {
	return Expr{&enode{op: "pad", name: side, lits: []litVal{{k: kInt, i: int64(width)}, {k: kInt, i: int64(fill)}}, args: []*enode{e.n}}}
}

// Slice is Python's s[start:stop:step] over characters, 0-based (pandas'
// str.slice): negative indices count from the end, and out-of-range bounds
// clip, so math.MaxInt and math.MinInt stand for an omitted bound:
// Slice(1, math.MaxInt, 1) is s[1:], Slice(math.MaxInt, math.MinInt, -1)
// the reversed string. step 0 is an error.
func (e Expr) Slice(start, stop, step int) Expr {
	return Expr{&enode{op: "slice", lits: []litVal{{k: kInt, i: int64(start)}, {k: kInt, i: int64(stop)}, {k: kInt, i: int64(step)}}, args: []*enode{e.n}}}
}

// Find is the character index (0-based) of the first occurrence of sub in
// e, or -1 (pandas' str.find).
func (e Expr) Find(sub string) Expr { return e.str("find", sub) }

// SplitPart is field n of e split at sep: 1-based, negative counts from the
// end (DuckDB's split_part), null when e has fewer fields (pandas'
// str.split(expand=True) fills with None). An empty sep splits at runs of
// white space, dropping empty fields (pandas' str.split() with no sep).
func (e Expr) SplitPart(sep string, n int) Expr {
	return Expr{&enode{op: "splitpart", name: sep, lits: []litVal{{k: kInt, i: int64(n)}}, args: []*enode{e.n}}}
}

// ConcatStr joins the strings es with sep between them (pandas'
// str.cat(sep=...), DuckDB's concat_ws), null where any of them is null.
// Arguments must be strings: Cast(String) others.
func ConcatStr(sep string, es ...Expr) Expr {
	n := &enode{op: "concat", name: sep}
	for _, e := range es {
		n.args = append(n.args, e.n)
	}
	return Expr{n}
}

// SplitColumns splits the string column col at sep into n new columns
// col_0 … col_{n-1} (pandas' str.split(sep, n-1, expand=True) naming
// with the column as prefix): the first n-1 fields, and the rest of the
// string, separators included, in the last; null where there are fewer
// fields. An empty sep splits at white space.
func (f *Frame) SplitColumns(col, sep string, n int) *Frame {
	if n < 1 {
		return errFrame(fmt.Errorf("frame: SplitColumns(%q): n = %d, want at least 1", col, n))
	}
	out := f
	for i := 0; i < n; i++ {
		e := Expr{&enode{op: "splitn", name: sep, lits: []litVal{{k: kInt, i: int64(i)}, {k: kInt, i: int64(n)}}, args: []*enode{Col(col).n}}}
		out = out.WithColumn(fmt.Sprintf("%s_%d", col, i), e)
	}
	return out
}
