// Package timekern holds frame's date and time kernels: calendar arithmetic
// on days since 1970-01-01 (Arrow date32) and on microseconds since the
// epoch (Arrow timestamp[us]), over flat []int64 slices with no per-cell
// time.Time. frame's date expressions (AddDays, AddMonths, Year, Floor, ...)
// call these on the values of a partition; frame owns nulls and Arrow
// buffers, this package only the arithmetic.
//
// The civil-date conversions are Howard Hinnant's days_from_civil and
// civil_from_days algorithms (proleptic Gregorian calendar), exact over the
// whole int64 day range that does not overflow the intermediate products
// (|days| < 2^60), so extreme values give an error from the caller's range
// check, never a wrong date.
package timekern

import "math"

// DaysFromCivil returns the days since 1970-01-01 of year y, month m
// (1-12), day d (1-31), proleptic Gregorian.
func DaysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400 // [0, 399]
	mp := (m + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// CivilFromDays is the inverse of DaysFromCivil.
func CivilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// IsLeap reports whether y is a Gregorian leap year.
func IsLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// DaysIn is the number of days of month m of year y.
func DaysIn(y, m int64) int64 {
	switch m {
	case 2:
		if IsLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// DayOfYear is the 1-based day of the year of days since the epoch.
func DayOfYear(days int64) int64 {
	y, _, _ := CivilFromDays(days)
	return days - DaysFromCivil(y, 1, 1) + 1
}

// Weekday is the day of the week, Monday = 0 as in pandas.
func Weekday(days int64) int64 { return ((days+3)%7 + 7) % 7 }

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
	y, m, d := CivilFromDays(days)
	t := y*12 + (m - 1) + n
	ny, nm := floorDiv(t, 12), t%12
	if nm < 0 {
		nm += 12
	}
	nm++
	if dim := DaysIn(ny, nm); d > dim {
		d = dim
	}
	out := DaysFromCivil(ny, nm, d)
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

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// FloorDiv is a / b rounded toward negative infinity (b > 0).
func FloorDiv(a, b int64) int64 { return floorDiv(a, b) }
