package strkern

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// Strip trims s at the ends chosen (left, right): Unicode white space when
// chars is empty, else any of the characters of chars (Python's
// str.strip(chars), pandas' str.strip).
func Strip(s []byte, chars string, left, right bool) []byte {
	in := func(r rune) bool { return unicode.IsSpace(r) }
	if chars != "" {
		in = func(r rune) bool { return containsRune(chars, r) }
	}
	if left {
		s = bytes.TrimLeftFunc(s, in)
	}
	if right {
		s = bytes.TrimRightFunc(s, in)
	}
	return s
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

// Pad appends s padded with fill to width characters to dst: side 'l'
// (fill on the left, pandas' side="left"), 'r' or 'b' (both, as Python's
// str.center: the extra character of an odd padding goes left when width is
// odd and the padding is odd). Strings of width characters or more are kept.
func Pad(dst, s []byte, width int64, side byte, fill rune) []byte {
	n := Chars(s)
	if n >= width {
		return append(dst, s...)
	}
	pad := width - n
	var left int64
	switch side {
	case 'l':
		left = pad
	case 'b':
		left = pad/2 + (pad & width & 1)
	}
	dst = appendRepeat(dst, fill, left)
	dst = append(dst, s...)
	return appendRepeat(dst, fill, pad-left)
}

func appendRepeat(dst []byte, r rune, n int64) []byte {
	for ; n > 0; n-- {
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// Find is the character index of the first occurrence of sub in s, or -1
// (Python's str.find).
func Find(s, sub []byte) int64 {
	i := bytes.Index(s, sub)
	if i < 0 {
		return -1
	}
	return Chars(s[:i])
}

// SplitPart is the n-th field (1-based; negative counts from the end) of s
// split at sep, as DuckDB's split_part; ok is false when there is no such
// field. An empty sep splits at runs of white space, dropping empty fields
// (Python's str.split()).
func SplitPart(s []byte, sep string, n int64) ([]byte, bool) {
	if n == 0 {
		return nil, false
	}
	var fields [][]byte
	if sep == "" {
		fields = bytes.Fields(s)
	} else {
		fields = bytes.Split(s, []byte(sep))
	}
	if n < 0 {
		n += int64(len(fields)) + 1
	}
	if n < 1 || n > int64(len(fields)) {
		return nil, false
	}
	return fields[n-1], true
}

// SplitN is field i (0-based) of s split at sep into at most n fields
// (Python's s.split(sep, n-1)): the last field holds the rest of the
// string. ok is false when s has fewer than i+1 fields. An empty sep splits
// at runs of white space, ignoring leading white space (Python's
// s.split(None, n-1)).
func SplitN(s []byte, sep string, i, n int64) ([]byte, bool) {
	if i < 0 || i >= n {
		return nil, false
	}
	ws := sep == ""
	for k := int64(0); ; k++ {
		if ws {
			s = bytes.TrimLeftFunc(s, unicode.IsSpace)
			if len(s) == 0 {
				return nil, false
			}
		}
		if k == n-1 {
			return s, k == i
		}
		var j, w int
		if ws {
			j = bytes.IndexFunc(s, unicode.IsSpace)
			if j >= 0 {
				_, w = utf8.DecodeRune(s[j:])
			}
		} else {
			j, w = bytes.Index(s, []byte(sep)), len(sep)
		}
		if k == i {
			if j < 0 {
				return s, true
			}
			return s[:j], true
		}
		if j < 0 {
			return nil, false
		}
		s = s[j+w:]
	}
}
