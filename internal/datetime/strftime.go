package datetime

import (
	"fmt"
	"strconv"
	"strings"
)

var monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dayNames = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// Strftime appends the timestamp us (microseconds since the epoch, already
// in the wanted zone) formatted by the strftime-style format, as Python's
// datetime.strftime and pandas' dt.strftime:
//
//	%Y year (4 digits)   %y year % 100   %m month 01-12   %d day 01-31
//	%e day, space-padded  %H hour 00-23  %I hour 01-12    %p AM/PM
//	%M minute            %S second       %f microseconds (6 digits)
//	%j day of year 001-366               %a %A weekday    %b %B month name
//	%u weekday 1-7 (Monday 1)            %w weekday 0-6 (Sunday 0)
//	%F = %Y-%m-%d        %T = %H:%M:%S   %z +hhmm (zoneOffset)  %Z zone name
//	%% a literal %
//
// zoneOffset (seconds east of UTC) and zone only feed %z and %Z. An
// unknown directive is copied as is, as Python does.
func Strftime(dst []byte, us int64, format string, zoneOffset int, zone string) []byte {
	days := FloorDiv(us, 86400e6)
	tod := us - days*86400e6
	y, m, d := CivilFromDays(days)
	h, mi, sec, frac := tod/3600e6, tod/60e6%60, tod/1e6%60, tod%1e6
	wd := ((days+3)%7 + 7) % 7
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			dst = append(dst, c)
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			dst = appendYear(dst, y)
		case 'y':
			dst = pad2(dst, ((y%100)+100)%100)
		case 'm':
			dst = pad2(dst, m)
		case 'd':
			dst = pad2(dst, d)
		case 'e':
			if d < 10 {
				dst = append(dst, ' ')
			}
			dst = strconv.AppendInt(dst, d, 10)
		case 'H':
			dst = pad2(dst, h)
		case 'I':
			dst = pad2(dst, (h+11)%12+1)
		case 'p':
			if h < 12 {
				dst = append(dst, "AM"...)
			} else {
				dst = append(dst, "PM"...)
			}
		case 'M':
			dst = pad2(dst, mi)
		case 'S':
			dst = pad2(dst, sec)
		case 'f':
			dst = append(dst, strconv.FormatInt(frac+1e6, 10)[1:]...)
		case 'j':
			doy := days - DaysFromCivil(y, 1, 1) + 1
			dst = append(dst, strconv.FormatInt(doy+1000, 10)[1:]...)
		case 'a':
			dst = append(dst, dayNames[wd][:3]...)
		case 'A':
			dst = append(dst, dayNames[wd]...)
		case 'b':
			dst = append(dst, monthNames[m-1][:3]...)
		case 'B':
			dst = append(dst, monthNames[m-1]...)
		case 'u':
			dst = strconv.AppendInt(dst, wd+1, 10)
		case 'w':
			dst = strconv.AppendInt(dst, (wd+1)%7, 10)
		case 'F':
			dst = appendYear(dst, y)
			dst = append(dst, '-')
			dst = pad2(dst, m)
			dst = append(dst, '-')
			dst = pad2(dst, d)
		case 'T':
			dst = pad2(dst, h)
			dst = append(dst, ':')
			dst = pad2(dst, mi)
			dst = append(dst, ':')
			dst = pad2(dst, sec)
		case 'z':
			o := zoneOffset
			if o < 0 {
				dst = append(dst, '-')
				o = -o
			} else {
				dst = append(dst, '+')
			}
			dst = pad2(dst, int64(o/3600))
			dst = pad2(dst, int64(o/60%60))
		case 'Z':
			dst = append(dst, zone...)
		case '%':
			dst = append(dst, '%')
		default:
			dst = append(dst, '%', format[i])
		}
	}
	return dst
}

func pad2(dst []byte, v int64) []byte { return append(dst, byte('0'+v/10%10), byte('0'+v%10)) }

func appendYear(dst []byte, y int64) []byte {
	if y < 0 {
		dst = append(dst, '-')
		y = -y
	}
	for p := int64(1000); p > 1 && y < p; p /= 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendInt(dst, y, 10)
}

// Strptime parses s by the strftime-style format (the directives of
// Strftime but %e, %u, %w and %Z; %z accepts Z, ±hhmm and ±hh:mm and makes
// the result UTC; %b/%B/%a/%A match names case-insensitively). Fields not
// in the format default to 1970-01-01 00:00:00. The error names the value,
// the format and where they part.
func Strptime(s []byte, format string) (int64, error) {
	y, m, d := int64(1970), int64(1), int64(1)
	var h, mi, sec, frac, off int64
	pm, hasP := false, false
	j := 0
	fail := func(why string) (int64, error) {
		return 0, fmt.Errorf("value %q does not match DateFormat %q: %s", s, format, why)
	}
	num := func(max int, what string) (int64, bool) {
		p := scanner{s: s, i: j}
		v, n := p.digits(max)
		if n == 0 {
			return 0, false
		}
		j = p.i
		return v, true
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			if j >= len(s) || s[j] != c {
				return fail(fmt.Sprintf("expected %q at byte %d", c, j))
			}
			j++
			continue
		}
		i++
		var ok bool
		switch dir := format[i]; dir {
		case 'Y':
			neg := j < len(s) && s[j] == '-'
			if neg {
				j++
			}
			y, ok = num(4, "year")
			if neg {
				y = -y
			}
		case 'y':
			y, ok = num(2, "year")
			if y < 69 { // Python's pivot: 00-68 are 2000-2068
				y += 2000
			} else {
				y += 1900
			}
		case 'm':
			m, ok = num(2, "month")
		case 'd':
			d, ok = num(2, "day")
		case 'H', 'I':
			h, ok = num(2, "hour")
		case 'M':
			mi, ok = num(2, "minute")
		case 'S':
			sec, ok = num(2, "second")
		case 'f':
			st := j
			frac, ok = num(9, "fraction")
			for n := j - st; n < 6; n++ {
				frac *= 10
			}
			for n := j - st; n > 6; n-- {
				frac /= 10
			}
		case 'j':
			var doy int64
			doy, ok = num(3, "day of year")
			m, d = 1, doy
		case 'p':
			hasP = true
			if j+2 <= len(s) {
				switch string(upper2(s[j : j+2])) {
				case "AM":
					ok = true
				case "PM":
					ok, pm = true, true
				}
			}
			j += 2
		case 'b', 'B', 'a', 'A':
			names := monthNames
			if dir == 'a' || dir == 'A' {
				names = dayNames
			}
			for k, nm := range names {
				if dir == 'b' || dir == 'a' {
					nm = nm[:3]
				}
				if j+len(nm) <= len(s) && equalFold(s[j:j+len(nm)], nm) {
					j += len(nm)
					ok = true
					if names[0] == monthNames[0] {
						m = int64(k + 1)
					}
					break
				}
			}
		case 'z':
			p := scanner{s: s, i: j}
			off, ok = p.offset()
			j = p.i
		case 'F':
			var n int64
			if n, ok = num(4, "year"); ok && j < len(s) && s[j] == '-' {
				y = n
				j++
				if m, ok = num(2, "month"); ok && j < len(s) && s[j] == '-' {
					j++
					d, ok = num(2, "day")
				} else {
					ok = false
				}
			} else {
				ok = false
			}
		case 'T':
			if h, ok = num(2, "hour"); ok && j < len(s) && s[j] == ':' {
				j++
				if mi, ok = num(2, "minute"); ok && j < len(s) && s[j] == ':' {
					j++
					sec, ok = num(2, "second")
				} else {
					ok = false
				}
			} else {
				ok = false
			}
		case '%':
			ok = j < len(s) && s[j] == '%'
			j++
		default:
			return 0, fmt.Errorf("DateFormat %q: unknown directive %%%c", format, dir)
		}
		if !ok {
			return fail(fmt.Sprintf("no %%%c at byte %d", format[i], j))
		}
	}
	if j != len(s) {
		return fail(fmt.Sprintf("unparsed text %q", s[j:]))
	}
	if hasP {
		if h < 1 || h > 12 {
			return fail("hour out of range for %I")
		}
		h %= 12
		if pm {
			h += 12
		}
	}
	if m < 1 || m > 12 || d < 1 || d > DaysIn(y, m) && !(m == 1 && d <= 365+boolDays(IsLeap(y))) || h > 23 || mi > 59 || sec > 59 {
		return fail("field out of range")
	}
	return DaysFromCivil(y, m, 1)*86400e6 + (d-1)*86400e6 + h*3600e6 + mi*60e6 + sec*1e6 + frac - off, nil
}

func boolDays(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func upper2(b []byte) []byte {
	out := []byte{b[0], b[1]}
	for i, c := range out {
		if 'a' <= c && c <= 'z' {
			out[i] = c - 32
		}
	}
	return out
}

func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 32
		}
		if 'A' <= y && y <= 'Z' {
			y += 32
		}
		if x != y {
			return false
		}
	}
	return true
}

// CheckFormat reports an unknown directive in a strftime-style format ("" is
// valid: the default parser).
func CheckFormat(format string) error {
	for i := 0; i+1 < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if !strings.ContainsRune("YymdHIMSfjpbBaAzFT%", rune(format[i])) {
			return fmt.Errorf("DateFormat %q: unknown directive %%%c (known: %%Y %%y %%m %%d %%H %%I %%M %%S %%f %%j %%p %%b %%B %%a %%A %%z %%F %%T %%%%)", format, format[i])
		}
	}
	return nil
}
