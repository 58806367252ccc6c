// Package strkern holds frame's string kernels: SQL LIKE matching, searches,
// character-based slicing, splitting, padding and the like, over the value
// buffer and offsets of an Arrow string array (data[offs[i]:offs[i+1]] is
// row i), with no per-cell Go string. frame's string expressions (Like,
// Substr, Split, ...) call these on each partition; frame owns the null
// bitmaps and builds the Arrow output, this package only reads and writes
// bytes.
//
// Characters are Unicode code points, as in pandas and DuckDB; an invalid
// UTF-8 byte counts as one character (as utf8.RuneCount does), so lengths
// and slices never fail.
package strkern

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// Like is a compiled SQL LIKE pattern: % matches any run of characters
// (none included), _ exactly one character, and the escape character, when
// given, makes the next %, _ or escape character literal.
type Like struct {
	pieces     []piece // the parts between % signs
	startAnch  bool    // the pattern does not start with %
	endAnch    bool    // the pattern does not end with %
	fold       bool    // ILIKE: values are lower-cased before matching
	Shape      Shape
	lit        []byte // the literal of the Exact/Prefix/Suffix/Contains shapes
	pre, suf   []byte // PrefixSuffix
	anyPercent bool
}

// Shape is the form of a LIKE pattern that has a fast path.
type Shape uint8

// The shapes.
const (
	General      Shape = iota // anything else
	Exact                     // no wildcard: equality
	Prefix                    // lit%
	Suffix                    // %lit
	Contains                  // %lit%
	PrefixSuffix              // pre%suf
	MatchAll                  // %, %%, ...
)

// piece is a run of literal bytes and _ wildcards between two % signs.
type piece struct {
	elems []elem
	runes int // characters it matches
}

type elem struct {
	lit []byte // nil for _
}

func (p *piece) literal() ([]byte, bool) {
	if len(p.elems) == 0 {
		return nil, true
	}
	if len(p.elems) == 1 && p.elems[0].lit != nil {
		return p.elems[0].lit, true
	}
	return nil, false
}

// CompileLike compiles pattern. escape is the escape character, or -1 for
// none. With fold (ILIKE) the pattern is lower-cased, and Match expects
// lower-cased values (see Lower). A bad escape (the escape character at the
// end, or before anything but %, _ or itself) is an error naming the
// pattern.
func CompileLike(pattern string, escape rune, fold bool) (*Like, error) {
	if fold {
		pattern = string(Lower(nil, []byte(pattern)))
		if escape >= 0 {
			escape = []rune(string(Lower(nil, []byte(string(escape)))))[0]
		}
	}
	l := &Like{fold: fold}
	var cur piece
	var lit []byte
	flushLit := func() {
		if lit != nil {
			cur.elems = append(cur.elems, elem{lit: lit})
			cur.runes += utf8.RuneCount(lit)
			lit = nil
		}
	}
	percents := 0
	for i := 0; i < len(pattern); {
		r, size := utf8.DecodeRuneInString(pattern[i:])
		switch {
		case escape >= 0 && r == escape:
			if i+size >= len(pattern) {
				return nil, fmt.Errorf("LIKE pattern %q: escape character %q at the end of the pattern", pattern, escape)
			}
			r2, s2 := utf8.DecodeRuneInString(pattern[i+size:])
			if r2 != '%' && r2 != '_' && r2 != escape {
				return nil, fmt.Errorf("LIKE pattern %q: escape character %q at byte %d is followed by %q; it may only precede %%, _ or itself", pattern, escape, i, r2)
			}
			lit = append(lit, pattern[i+size:i+size+s2]...)
			i += size + s2
			continue
		case r == '%':
			flushLit()
			l.pieces = append(l.pieces, cur)
			cur = piece{}
			percents++
		case r == '_':
			flushLit()
			cur.elems = append(cur.elems, elem{})
			cur.runes++
		default:
			lit = append(lit, pattern[i:i+size]...)
		}
		i += size
	}
	flushLit()
	l.pieces = append(l.pieces, cur)
	l.startAnch = len(l.pieces[0].elems) > 0 || percents == 0
	l.endAnch = len(l.pieces[len(l.pieces)-1].elems) > 0 || percents == 0
	l.anyPercent = percents > 0
	// Empty pieces between % signs match anything: drop them (keep the
	// first and last, which say whether the ends are anchored).
	if len(l.pieces) > 2 {
		mid := l.pieces[1 : len(l.pieces)-1]
		kept := []piece{l.pieces[0]}
		for _, p := range mid {
			if len(p.elems) > 0 {
				kept = append(kept, p)
			}
		}
		l.pieces = append(kept, l.pieces[len(l.pieces)-1])
	}
	l.classify()
	return l, nil
}

func (l *Like) classify() {
	np := len(l.pieces)
	allLit := true
	for i := range l.pieces {
		if _, ok := l.pieces[i].literal(); !ok {
			allLit = false
		}
	}
	if !allLit {
		return
	}
	first, _ := l.pieces[0].literal()
	last, _ := l.pieces[np-1].literal()
	switch {
	case !l.anyPercent:
		l.Shape, l.lit = Exact, first
	case np == 2 && len(first) == 0 && len(last) == 0:
		l.Shape = MatchAll
	case np == 2 && len(last) == 0:
		l.Shape, l.lit = Prefix, first
	case np == 2 && len(first) == 0:
		l.Shape, l.lit = Suffix, last
	case np == 2:
		l.Shape, l.pre, l.suf = PrefixSuffix, first, last
	case np == 3 && len(first) == 0 && len(last) == 0:
		mid, _ := l.pieces[1].literal()
		l.Shape, l.lit = Contains, mid
	}
}

// Match reports whether s matches (s lower-cased already for ILIKE).
func (l *Like) Match(s []byte) bool {
	switch l.Shape {
	case Exact:
		return bytes.Equal(s, l.lit)
	case Prefix:
		return bytes.HasPrefix(s, l.lit)
	case Suffix:
		return bytes.HasSuffix(s, l.lit)
	case Contains:
		return bytes.Contains(s, l.lit)
	case PrefixSuffix:
		return len(s) >= len(l.pre)+len(l.suf) && bytes.HasPrefix(s, l.pre) && bytes.HasSuffix(s, l.suf)
	case MatchAll:
		return true
	}
	return l.general(s)
}

// general matches piece by piece: the first anchored at the start, the last
// at the end, the middle ones each at its leftmost place after the previous
// one (leftmost is optimal: every piece matches a fixed number of
// characters, and a % absorbs whatever lies between).
func (l *Like) general(s []byte) bool {
	np := len(l.pieces)
	if !l.anyPercent {
		n, ok := l.pieces[0].matchAt(s)
		return ok && n == len(s)
	}
	pos := 0
	first := &l.pieces[0]
	if n, ok := first.matchAt(s); ok {
		pos = n
	} else {
		return false
	}
	last := &l.pieces[np-1]
	// The last piece matches the final last.runes characters.
	end := len(s)
	start := end
	for k := 0; k < last.runes; k++ {
		if start <= pos {
			return false
		}
		_, size := utf8.DecodeLastRune(s[:start])
		start -= size
	}
	if start < pos {
		return false
	}
	if n, ok := last.matchAt(s[start:]); !ok || start+n != end {
		return false
	}
	lim := start
	for i := 1; i < np-1; i++ {
		p := &l.pieces[i]
		found := false
		for q := pos; q <= lim; {
			if n, ok := p.matchAt(s[q:lim]); ok {
				pos = q + n
				found = true
				break
			}
			if q == lim {
				break
			}
			// Next candidate start: the next occurrence of the piece's
			// first literal, or the next character.
			if e := p.elems[0]; e.lit != nil {
				j := bytes.Index(s[q+1:lim], e.lit)
				if j < 0 {
					return false
				}
				q += 1 + j
				continue
			}
			_, size := utf8.DecodeRune(s[q:lim])
			q += size
		}
		if !found {
			return false
		}
	}
	return true
}

// matchAt matches p at the start of s and returns the bytes it covered.
func (p *piece) matchAt(s []byte) (int, bool) {
	n := 0
	for _, e := range p.elems {
		if e.lit != nil {
			if !bytes.HasPrefix(s[n:], e.lit) {
				return 0, false
			}
			n += len(e.lit)
			continue
		}
		if n >= len(s) {
			return 0, false
		}
		_, size := utf8.DecodeRune(s[n:])
		n += size
	}
	return n, true
}

// MatchRows sets out[i] to whether row i of (offs, data) matches, for the
// n = len(out) rows. ILIKE lower-cases each value into a scratch buffer
// first. The Contains shape searches the whole value buffer at once
// (bytes.Index over data, then maps each hit to its row), which is faster
// than a search per row when hits are rare.
func (l *Like) MatchRows(offs []int32, data []byte, out []bool) {
	n := len(out)
	if l.fold {
		var scratch []byte
		for i := 0; i < n; i++ {
			s := data[offs[i]:offs[i+1]]
			scratch = Lower(scratch[:0], s)
			out[i] = l.Match(scratch)
		}
		return
	}
	switch l.Shape {
	case Contains:
		ContainsRows(offs, data, l.lit, out)
	case Suffix:
		k := int32(len(l.lit))
		lit := l.lit
		for i := 0; i < n; i++ {
			e := offs[i+1]
			out[i] = e-offs[i] >= k && string(data[e-k:e]) == string(lit)
		}
	case Prefix:
		k := int32(len(l.lit))
		lit := l.lit
		for i := 0; i < n; i++ {
			b := offs[i]
			out[i] = offs[i+1]-b >= k && string(data[b:b+k]) == string(lit)
		}
	default:
		for i := 0; i < n; i++ {
			out[i] = l.Match(data[offs[i]:offs[i+1]])
		}
	}
}

// ContainsRows sets out[i] to whether row i contains needle, searching the
// value buffer as one byte string: each hit is mapped to the row it starts
// in and counts when it ends in that row; the search then resumes at the
// next row.
func ContainsRows(offs []int32, data []byte, needle []byte, out []bool) {
	n := len(out)
	for i := range out {
		out[i] = false
	}
	if n == 0 {
		return
	}
	if len(needle) == 0 {
		for i := range out {
			out[i] = true
		}
		return
	}
	end := int(offs[n])
	pos := int(offs[0])
	row := 0
	for pos < end {
		j := bytes.Index(data[pos:end], needle)
		if j < 0 {
			return
		}
		m := pos + j
		for int(offs[row+1]) <= m {
			row++
		}
		if m+len(needle) <= int(offs[row+1]) {
			out[row] = true
		}
		pos = int(offs[row+1])
		row++
		if row >= n {
			return
		}
	}
}

// Lower appends s lower-cased to dst: ASCII byte by byte, anything else by
// bytes.ToLower.
func Lower(dst, s []byte) []byte {
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return append(dst, bytes.ToLower(s)...)
		}
	}
	for _, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
