package datetime

import (
	"fmt"
	"strings"
)

// Options configures Parse. The zero value accepts the ISO forms and
// month-first US dates.
type Options struct {
	// Format, when set, is the only layout accepted, in strftime style
	// ("%d.%m.%Y %H:%M"; see Strptime for the directives).
	Format string
	// DayFirst reads NN/NN/YYYY as day/month/year (European) instead of
	// month/day/year (US, pandas' default). A value impossible under the
	// chosen order (13/01/2024 month-first) is an error, never swapped.
	DayFirst bool
}

// Parse parses a date or datetime into microseconds since the epoch (UTC).
// Without a Format it accepts
//
//	YYYY-MM-DD and YYYY/MM/DD (month and day may have one digit)
//	MM/DD/YYYY, or DD/MM/YYYY with DayFirst
//
// each optionally followed by a space or T and HH:MM, HH:MM:SS or
// HH:MM:SS.fffffffff (up to nine fraction digits, kept to the
// microsecond), then optionally Z or a ±HH:MM / ±HHMM offset, which is
// applied (the result is UTC). ok is false for anything else, an
// impossible date (2023-02-29) included.
func Parse(s []byte, o *Options) (int64, bool) {
	us, _, ok := ParseOffset(s, o)
	return us, ok
}

// ParseOffset is Parse, and says whether s carried a UTC offset or Z
// (with a Format: whether the format has %z), that is whether the result
// is an instant rather than a wall-clock time read as UTC.
func ParseOffset(s []byte, o *Options) (us int64, offset, ok bool) {
	if o != nil && o.Format != "" {
		us, err := Strptime(s, o.Format)
		return us, strings.Contains(o.Format, "%z"), err == nil
	}
	p := scanner{s: s}
	var y, m, d int64
	a, na := p.digits(4)
	switch {
	case na == 4 && (p.peek() == '-' || p.peek() == '/'):
		sep := p.next()
		y = a
		var n1, n2 int
		m, n1 = p.digits(2)
		if n1 == 0 || p.next() != sep {
			return 0, false, false
		}
		d, n2 = p.digits(2)
		if n2 == 0 {
			return 0, false, false
		}
	case (na == 1 || na == 2) && p.peek() == '/':
		p.next()
		b, nb := p.digits(2)
		if nb == 0 || p.next() != '/' {
			return 0, false, false
		}
		var ny int
		y, ny = p.digits(4)
		if ny != 4 {
			return 0, false, false
		}
		m, d = a, b
		if o != nil && o.DayFirst {
			m, d = b, a
		}
	default:
		return 0, false, false
	}
	if m < 1 || m > 12 || d < 1 || d > DaysIn(y, m) {
		return 0, false, false
	}
	us = DaysFromCivil(y, m, d) * 86400e6
	if p.done() {
		return us, false, true
	}
	if c := p.next(); c != ' ' && c != 'T' {
		return 0, false, false
	}
	h, nh := p.digits(2)
	if nh != 2 || p.next() != ':' {
		return 0, false, false
	}
	mi, nm := p.digits(2)
	if nm != 2 || h > 23 || mi > 59 {
		return 0, false, false
	}
	var sec, frac int64
	if p.peek() == ':' {
		p.next()
		var ns int
		sec, ns = p.digits(2)
		if ns != 2 || sec > 59 {
			return 0, false, false
		}
		if p.peek() == '.' {
			p.next()
			f, nf := p.digits(9)
			if nf == 0 {
				return 0, false, false
			}
			for ; nf < 6; nf++ {
				f *= 10
			}
			for ; nf > 6; nf-- {
				f /= 10
			}
			frac = f
		}
	}
	us += h*3600e6 + mi*60e6 + sec*1e6 + frac
	if p.done() {
		return us, false, true
	}
	off, ok := p.offset()
	if !ok || !p.done() {
		return 0, false, false
	}
	return us - off, true, true
}

// ParseString is Parse of a string, with an error naming the value (and the
// format, when one is set) when it does not parse.
func ParseString(s string, o *Options) (int64, error) {
	if us, ok := Parse([]byte(s), o); ok {
		return us, nil
	}
	if o != nil && o.Format != "" {
		if _, err := Strptime([]byte(s), o.Format); err != nil {
			return 0, err
		}
	}
	return 0, fmt.Errorf("cannot parse %q as a date/time (accepted: YYYY-MM-DD, YYYY/MM/DD, %s, each optionally with [ T]HH:MM[:SS[.fff]][Z|±HH:MM]; or set a DateFormat)", s, usForm(o))
}

func usForm(o *Options) string {
	if o != nil && o.DayFirst {
		return "DD/MM/YYYY"
	}
	return "MM/DD/YYYY"
}

type scanner struct {
	s []byte
	i int
}

func (p *scanner) done() bool { return p.i >= len(p.s) }

func (p *scanner) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *scanner) next() byte {
	c := p.peek()
	p.i++
	return c
}

// digits reads up to max decimal digits.
func (p *scanner) digits(max int) (int64, int) {
	var v int64
	n := 0
	for n < max && p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int64(p.s[p.i]-'0')
		p.i++
		n++
	}
	return v, n
}

// offset reads Z, ±HH, ±HH:MM or ±HHMM as microseconds east of UTC.
func (p *scanner) offset() (int64, bool) {
	c := p.next()
	if c == 'Z' {
		return 0, true
	}
	if c != '+' && c != '-' {
		return 0, false
	}
	h, nh := p.digits(2)
	if nh != 2 {
		return 0, false
	}
	if p.peek() == ':' {
		p.next()
	}
	var m int64
	if !p.done() {
		var nm int
		m, nm = p.digits(2)
		if nm != 2 {
			return 0, false
		}
	}
	if h > 23 || m > 59 {
		return 0, false
	}
	off := h*3600e6 + m*60e6
	if c == '-' {
		off = -off
	}
	return off, true
}
