package frame

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Calendar resampling: pandas' rule strings ("MS", "M", "W-MON", "2QS",
// "A", "15min", ...). Months, quarters, years and weeks are not fixed
// durations, so their rows are binned by calendar period (a month index,
// a week index, ...); a partition's states are keyed by period, and the
// final task groups n periods into a bin, anchored at the first period
// with data, as pandas anchors them:
//   - start rules (MS, QS, AS/YS): bins [p0+kn, p0+(k+1)n) of periods,
//     labelled by their first day;
//   - end rules (M, Q, A/Y, W): bins (p0+kn-n, p0+kn], labelled by their
//     last day (midnight), closed on the right by whole days, so the first
//     bin holds only p0's period (pandas' closed="right", label="right").
// All in UTC.

// calUnit is a calendar unit of a rule.
type calUnit int64

const (
	calNone calUnit = iota
	calMonth
	calQuarter
	calYear
	calWeek
)

// calRule is a parsed calendar rule: unit, the periods per bin, whether
// bins are labelled by their end, and for weeks the weekday they end on.
type calRule struct {
	unit    calUnit
	n       int64
	end     bool
	weekEnd time.Weekday
}

var weekdays = map[string]time.Weekday{"SUN": time.Sunday, "MON": time.Monday, "TUE": time.Tuesday, "WED": time.Wednesday,
	"THU": time.Thursday, "FRI": time.Friday, "SAT": time.Saturday}

var fixedRules = map[string]time.Duration{"D": 24 * time.Hour, "H": time.Hour, "h": time.Hour, "T": time.Minute, "min": time.Minute,
	"S": time.Second, "s": time.Second, "L": time.Millisecond, "ms": time.Millisecond, "U": time.Microsecond, "us": time.Microsecond}

// parseRule parses a pandas resample rule: an optional count, then a
// fixed unit (D, H/h, T/min, S/s, L/ms, U/us) or a calendar one (MS, M/ME,
// QS[-JAN], Q/QE[-DEC], AS/YS[-JAN], A/Y/YE[-DEC], W[-SUN..-SAT]).
func parseRule(rule string) (time.Duration, calRule, error) {
	i := 0
	for i < len(rule) && rule[i] >= '0' && rule[i] <= '9' {
		i++
	}
	n := int64(1)
	if i > 0 {
		v, err := strconv.ParseInt(rule[:i], 10, 64)
		if err != nil || v <= 0 || v > 1<<20 {
			return 0, calRule{}, fmt.Errorf("count %q out of range", rule[:i])
		}
		n = v
	}
	u := rule[i:]
	if d, ok := fixedRules[u]; ok {
		return time.Duration(n) * d, calRule{}, nil
	}
	r := calRule{n: n}
	switch u {
	case "MS":
		r.unit = calMonth
	case "M", "ME":
		r.unit, r.end = calMonth, true
	case "QS", "QS-JAN":
		r.unit = calQuarter
	case "Q", "QE", "Q-DEC", "QE-DEC":
		r.unit, r.end = calQuarter, true
	case "AS", "YS", "AS-JAN", "YS-JAN":
		r.unit = calYear
	case "A", "Y", "YE", "A-DEC", "Y-DEC", "YE-DEC":
		r.unit, r.end = calYear, true
	case "W":
		r.unit, r.end, r.weekEnd = calWeek, true, time.Sunday
	default:
		if d, ok := weekdays[strings.TrimPrefix(u, "W-")]; ok && strings.HasPrefix(u, "W-") {
			r.unit, r.end, r.weekEnd = calWeek, true, d
			break
		}
		return 0, calRule{}, fmt.Errorf("unknown unit %q (want D, H, T/min, S, L/ms, U/us, MS, M/ME, QS, Q/QE, AS/YS, A/Y/YE, W or W-SUN..W-SAT, after an optional count)", u)
	}
	return 0, r, nil
}

// ResampleRule is Resample with a pandas rule string: fixed ("15min",
// "2h", "D") or calendar ("MS" month start, "M"/"ME" month end, "W" weeks
// ending Sunday, "W-MON", "QS", "Q", "AS"/"YS", "A"/"Y", each with an
// optional count: "2MS", "3W"), binned and labelled as pandas'
// df.resample(rule) with its defaults (see window_resample_cal.go). A
// rule it does not know is an error naming the rules it does.
func (f *Frame) ResampleRule(rule string) *Resampler {
	d, cal, err := parseRule(rule)
	if err != nil {
		return &Resampler{f: f, what: fmt.Sprintf("ResampleRule(%q)", rule), err: fmt.Errorf("frame: ResampleRule(%q): %w", rule, err)}
	}
	if cal.unit == calNone {
		r := f.Resample(d)
		r.what = fmt.Sprintf("ResampleRule(%q)", rule)
		return r
	}
	return &Resampler{f: f, freq: 1, cal: cal, what: fmt.Sprintf("ResampleRule(%q)", rule)}
}

const dayMicros = int64(24 * time.Hour / time.Microsecond)

// period is the calendar period of the timestamp t (microseconds).
func (r calRule) period(t int64) int64 {
	if r.unit == calWeek {
		day := floorDiv(t, dayMicros)
		// 1970-01-01 was a Thursday; the week holding day ends on the
		// first weekEnd on or after it.
		wd := (day%7 + 7 + 4) % 7
		end := day + (int64(r.weekEnd)-wd+7)%7
		return floorDiv(end, 7)
	}
	tm := time.UnixMicro(t).UTC()
	m := int64(tm.Year())*12 + int64(tm.Month()) - 1
	switch r.unit {
	case calQuarter:
		return floorDiv(m, 3)
	case calYear:
		return floorDiv(m, 12)
	}
	return m
}

// periodBounds are the first microsecond of period p and of p+1.
func (r calRule) periodStart(p int64) int64 {
	if r.unit == calWeek {
		// period p is the week whose last day is the weekEnd day 7p+k.
		end := 7 * p
		for (end%7+7+4)%7 != int64(r.weekEnd) {
			end++
		}
		return (end - 6) * dayMicros
	}
	m := p
	switch r.unit {
	case calQuarter:
		m = 3 * p
	case calYear:
		m = 12 * p
	}
	y, mo := floorDiv(m, 12), m-12*floorDiv(m, 12)
	return time.Date(int(y), time.Month(mo+1), 1, 0, 0, 0, 0, time.UTC).UnixMicro()
}

// binOf is the bin (its first period) of period p, given the first period
// p0 with data.
func (r calRule) binOf(p, p0 int64) int64 {
	if r.end {
		// (p0+kn-n, p0+kn]: the bin is named by its last period.
		return p0 + (p-p0+r.n-1)/r.n*r.n
	}
	return p0 + (p-p0)/r.n*r.n
}

// label is the timestamp naming bin b: its first day, or for end rules
// the last day of its last period.
func (r calRule) label(b int64) int64 {
	if r.end {
		return r.periodStart(b+1) - dayMicros
	}
	return r.periodStart(b)
}
