// Package datetime is godask's one date/time parser and formatter, shared
// by the CSV reader (ParseDates, CSVDate, DateFormat), frame's Cast,
// comparisons with string literals and LocRange, and Strftime; and the
// civil-calendar conversions they need (days since 1970-01-01 to and from
// year, month, day; proleptic Gregorian). It sits below io/csv and frame
// and works on []byte and int64 microseconds or days, never time.Time, so a
// column parses without a Go value per cell.
//
// The civil-date conversions are Howard Hinnant's days_from_civil and
// civil_from_days algorithms, exact over every day number whose year fits
// an int64 without overflowing the intermediate products (|days| < 2^60).
package datetime

// DaysFromCivil returns the days since 1970-01-01 of year y, month m
// (1-12), day d (1-31), proleptic Gregorian.
func DaysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := FloorDiv(y, 400)
	yoe := y - era*400 // [0, 399]
	mp := (m + 9) % 12 // March = 0
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// CivilFromDays is the inverse of DaysFromCivil.
func CivilFromDays(z int64) (y, m, d int64) {
	z += 719468
	era := FloorDiv(z, 146097)
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

// FloorDiv is a / b rounded toward negative infinity.
func FloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
