package strkern

import (
	"unicode/utf8"
)

// IsASCII reports whether s holds only ASCII bytes.
func IsASCII(s []byte) bool {
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// CharOffset is the byte offset of the k-th character (0-based) of s, or
// len(s) when s has k characters or fewer.
func CharOffset(s []byte, k int64) int {
	if k <= 0 {
		return 0
	}
	if IsASCII(s) {
		if k >= int64(len(s)) {
			return len(s)
		}
		return int(k)
	}
	i := 0
	for ; k > 0 && i < len(s); k-- {
		_, size := utf8.DecodeRune(s[i:])
		i += size
	}
	return i
}

// Chars is the number of characters of s.
func Chars(s []byte) int64 {
	if IsASCII(s) {
		return int64(len(s))
	}
	return int64(utf8.RuneCount(s))
}

// Substr is SQL's substring(s, start, length) as DuckDB computes it:
// characters are numbered from 1; a negative start counts from the end (-1
// is the last character); a negative length takes the characters before
// start; the range is clipped to the string. It returns the byte range.
func Substr(s []byte, start, length int64) (lo, hi int) {
	const lim = 1 << 61 // start+length cannot overflow
	start, length = clamp(start, lim), clamp(length, lim)
	n := int64(-1)
	if start < 0 {
		n = Chars(s)
		start = n + start + 1
	}
	a, b := start, start+length
	if length < 0 {
		a, b = start+length, start
	}
	if a < 1 {
		a = 1
	}
	if b <= a {
		return 0, 0
	}
	lo = CharOffset(s, a-1)
	hi = lo + CharOffset(s[lo:], b-a)
	return lo, hi
}

// Slice is Python's s[start:stop:step] over characters (pandas'
// str.slice): negative indices count from the end, hasStart/hasStop false
// mean "omitted", step must not be 0. It appends the result to dst.
func Slice(dst, s []byte, start, stop int64, hasStart, hasStop bool, step int64) []byte {
	const lim = 1 << 62
	start, stop = clamp(start, lim), clamp(stop, lim)
	if step == 1 && (!hasStart || start >= 0) && (!hasStop || stop >= 0) {
		// The common case needs no character count.
		lo := 0
		if hasStart {
			lo = CharOffset(s, start)
		}
		hi := len(s)
		if hasStop {
			hi = CharOffset(s, stop)
		}
		if hi <= lo {
			return dst
		}
		return append(dst, s[lo:hi]...)
	}
	n := Chars(s)
	norm := func(v int64, has bool, def int64, lo, hi int64) int64 {
		if !has {
			return def
		}
		if v < 0 {
			v += n
			if v < lo {
				v = lo
			}
		} else if v > hi {
			v = hi
		}
		return v
	}
	var a, b int64
	if step > 0 {
		a, b = norm(start, hasStart, 0, 0, n), norm(stop, hasStop, n, 0, n)
	} else {
		a, b = norm(start, hasStart, n-1, -1, n-1), norm(stop, hasStop, -1, -1, n-1)
	}
	if IsASCII(s) {
		for i := a; step > 0 && i < b || step < 0 && i > b; i += step {
			dst = append(dst, s[i])
		}
		return dst
	}
	var starts []int32 // byte offset of each character
	for i := 0; i < len(s); {
		starts = append(starts, int32(i))
		_, size := utf8.DecodeRune(s[i:])
		i += size
	}
	starts = append(starts, int32(len(s)))
	for i := a; step > 0 && i < b || step < 0 && i > b; i += step {
		dst = append(dst, s[starts[i]:starts[i+1]]...)
	}
	return dst
}

func clamp(v, lim int64) int64 {
	if v > lim {
		return lim
	}
	if v < -lim {
		return -lim
	}
	return v
}
