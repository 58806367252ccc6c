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

// Slice appends Python's s[start:stop:step] over characters to dst
// (pandas' str.slice): negative indices count from the end and
// out-of-range ones clip, so math.MaxInt64 / math.MinInt64 stand for an
// omitted bound. step must not be 0.
func Slice(dst, s []byte, start, stop, step int64) []byte {
	const lim = 1 << 61
	start, stop, step = clamp(start, lim), clamp(stop, lim), clamp(step, lim)
	if step == 1 && start >= 0 && stop >= 0 {
		// The common case needs no character count.
		lo := CharOffset(s, start)
		hi := lo + CharOffset(s[lo:], stop-start)
		if stop <= start {
			return dst
		}
		return append(dst, s[lo:hi]...)
	}
	n := Chars(s)
	adj := func(v int64) int64 { // Python's PySlice_AdjustIndices
		if v < 0 {
			v += n
			if v < 0 {
				if step < 0 {
					return -1
				}
				return 0
			}
		} else if v >= n {
			if step < 0 {
				return n - 1
			}
			return n
		}
		return v
	}
	a, b := adj(start), adj(stop)
	if IsASCII(s) {
		for i := a; step > 0 && i < b || step < 0 && i > b; i += step {
			dst = append(dst, s[i])
		}
		return dst
	}
	starts := make([]int32, 0, n+1) // byte offset of each character
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
