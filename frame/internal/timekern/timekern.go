// Package timekern holds frame's date and time kernels: calendar arithmetic
// on days since 1970-01-01 (Arrow date32) and on microseconds since the
// epoch (Arrow timestamp[us]), over flat []int64 slices with no per-cell
// time.Time. frame's date expressions (AddDays, AddMonths, Year, Floor, ...)
// call these on the values of a partition; frame owns nulls and Arrow
// buffers, this package only the arithmetic.
//
// Calendar conversions come from internal/datetime.
package timekern

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/godask/godask/internal/datetime"
)

// MaxDays bounds the day numbers the kernels accept (about ±2.5e15 years);
// beyond it the civil arithmetic could overflow, and callers report the
// value as out of range.
const MaxDays = 1 << 60

// AddMonths adds n calendar months to a day number, clamping the day of the
// month to the last day of the target month as SQL and pandas do
// (2024-01-31 + 1 month = 2024-02-29). ok is false when the result leaves
// the supported range.
func AddMonths(days, n int64) (int64, bool) {
	if days > MaxDays || days < -MaxDays || n > 1<<50 || n < -(1<<50) {
		return 0, false
	}
	y, m, d := datetime.CivilFromDays(days)
	t := y*12 + (m - 1) + n
	ny, nm := datetime.FloorDiv(t, 12), t%12
	if nm < 0 {
		nm += 12
	}
	nm++
	if dim := datetime.DaysIn(ny, nm); d > dim {
		d = dim
	}
	out := datetime.DaysFromCivil(ny, nm, d)
	if out > MaxDays || out < -MaxDays {
		return 0, false
	}
	return out, true
}

// AddChecked returns a + b, or ok false on int64 overflow.
func AddChecked(a, b int64) (int64, bool) {
	s := a + b
	if (s > a) != (b > 0) {
		return 0, false
	}
	return s, true
}

// MulChecked returns a * b, or ok false on int64 overflow.
func MulChecked(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return p, true
}

// FloorDiv is a / b rounded toward negative infinity (b > 0).
func FloorDiv(a, b int64) int64 { return datetime.FloorDiv(a, b) }

// ParseFreq parses a fixed frequency in pandas' notation, an optional
// count and a unit: "D" (day), "h" or "H" (hour), "min" or "T" (minute),
// "s" or "S" (second), "ms" or "L", "us" or "U"; e.g. "15min", "1h", "D".
// It returns the length in microseconds. Calendar frequencies (weeks
// anchored to a weekday, months, years) are not fixed and are refused.
func ParseFreq(f string) (int64, error) {
	s := strings.TrimSpace(f)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n := int64(1)
	if i > 0 {
		v, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil || v <= 0 {
			return 0, fmt.Errorf("frequency %q: bad count", f)
		}
		n = v
	}
	var unit int64
	switch s[i:] {
	case "D", "d":
		unit = 86400e6
	case "h", "H":
		unit = 3600e6
	case "min", "T":
		unit = 60e6
	case "s", "S":
		unit = 1e6
	case "ms", "L":
		unit = 1e3
	case "us", "U":
		unit = 1
	default:
		return 0, fmt.Errorf("frequency %q: unknown or non-fixed unit %q (use D, h, min, s, ms or us with an optional count, e.g. \"15min\")", f, s[i:])
	}
	p, ok := MulChecked(n, unit)
	if !ok || p <= 0 {
		return 0, fmt.Errorf("frequency %q is too long", f)
	}
	return p, nil
}

// Floor rounds us down to a multiple of step (counted from the epoch, as
// pandas does); ok is false on overflow.
func Floor(us, step int64) (int64, bool) { return MulChecked(datetime.FloorDiv(us, step), step) }

// Ceil rounds us up to a multiple of step; ok is false on overflow.
func Ceil(us, step int64) (int64, bool) {
	f, ok := Floor(us, step)
	if !ok || f == us {
		return f, ok
	}
	if f == us {
		return us, true
	}
	return AddChecked(f, step)
}

// Round rounds us to the nearest multiple of step, halves to the even
// multiple (pandas' dt.round); ok is false on overflow.
func Round(us, step int64) (int64, bool) {
	q := datetime.FloorDiv(us, step)
	r := us - q*step // [0, step)
	switch {
	case r > step-r:
		q++
	case r == step-r:
		if q%2 != 0 {
			q++
		}
	}
	return MulChecked(q, step)
}
