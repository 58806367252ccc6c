package frame

import (
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
var strOps = map[string]kind{"like": kBool, "ilike": kBool, "matches": kBool, "extract": kStr, "replaceall": kStr, "substr": kStr}

func typeOfStrings(n *enode, ks []kind) (kind, bool, error) {
	out, ok := strOps[n.op]
	if !ok {
		return 0, false, nil
	}
	if ks[0] != kStr {
		return 0, true, fmt.Errorf("string function %s on %s", n.op, ks[0].dtype())
	}
	switch n.op {
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
	v, err := fold(a, rows, func(a []*val, rows int) (*val, error) { return strOp(n, a[0], rows) })
	return v, true, err
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
	}
	return nil, fmt.Errorf("unknown string operation %q", n.op)
}
