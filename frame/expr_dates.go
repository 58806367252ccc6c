package frame

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"
	_ "time/tzdata" // zones for TZConvert/TZLocalize without a system zoneinfo

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/frame/internal/timekern"
	"github.com/godask/godask/internal/datetime"
)

// Dates, durations and date arithmetic.
//
// A Date column (Arrow date32, what Parquet DATE and CSVOptions.Types
// CSVDate read as) holds days since 1970-01-01; a Timestamp holds
// microseconds since the epoch (UTC unless the column has a zone); a
// Duration holds signed microseconds. The arithmetic follows SQL (DuckDB):
//
//	date ± int       → date (days)          date − date      → int (days)
//	date ± duration  → timestamp            timestamp − timestamp → duration
//	timestamp ± duration → timestamp        duration ± duration  → duration
//	duration × int   → duration
//
// and AddDays, AddMonths and AddYears add calendar intervals (months clamp
// to the end of the month, as SQL: 2024-01-31 + 1 month = 2024-02-29). A
// result outside the type's range (a date past ±5.8 million years, a
// timestamp past ±292,000 years) is an error naming the row, never a
// wrapped value. Dates compare with dates, with timestamps (as midnight)
// and with string literals ("1998-12-01").

const usPerDay = 86400e6

// Date is the date constant year-month-day, e.g. Date(1998, 12, 1); out of
// range months and days normalize as time.Date does (Date(2024, 2, 30) is
// 2024-03-01).
func Date(year, month, day int) Expr {
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	d := datetime.DaysFromCivil(int64(t.Year()), int64(t.Month()), int64(t.Day()))
	return Expr{&enode{op: "lit", lit: litVal{k: kDate, i: d}}}
}

// AddDays adds n days to a Date or Timestamp e (n may be negative).
func (e Expr) AddDays(n int) Expr { return e.intArg("adddays", int64(n)) }

// AddMonths adds n calendar months to a Date or Timestamp e, clamping the
// day to the last day of the month reached (SQL's date + interval 'n' month;
// pandas' DateOffset(months=n)). The time of day is kept.
func (e Expr) AddMonths(n int) Expr { return e.intArg("addmonths", int64(n)) }

// AddYears adds n calendar years (12·n months, clamped as AddMonths: Feb 29
// + 1 year is Feb 28).
func (e Expr) AddYears(n int) Expr { return e.intArg("addmonths", 12*int64(n)) }

// Minute is the minute (0-59) of the timestamp e.
func (e Expr) Minute() Expr { return e.un("minute") }

// Second is the second (0-59) of the timestamp e.
func (e Expr) Second() Expr { return e.un("second") }

// DayOfYear is the day of the year (1-366) of the date or timestamp e.
func (e Expr) DayOfYear() Expr { return e.un("dayofyear") }

// Quarter is the quarter (1-4) of the date or timestamp e.
func (e Expr) Quarter() Expr { return e.un("quarter") }

// TotalSeconds is the Duration e in seconds, as a float (pandas'
// Timedelta.total_seconds()).
func (e Expr) TotalSeconds() Expr { return e.un("totalseconds") }

// DurationDays is the whole days of the Duration e, rounded toward negative
// infinity (pandas' Timedelta.days: -1 s is -1 day).
func (e Expr) DurationDays() Expr { return e.un("durdays") }

func (e Expr) intArg(op string, v int64) Expr {
	return Expr{&enode{op: op, lits: []litVal{{k: kInt, i: v}}, args: []*enode{e.n}}}
}

// datePartOps are the field accessors that work on dates and timestamps.
var datePartOps = map[string]bool{"year": true, "month": true, "day": true, "hour": true, "weekday": true,
	"minute": true, "second": true, "dayofyear": true, "quarter": true}

func isTemporal(k kind) bool { return k == kTime || k == kDate || k == kDur }

// typeOfDates types the date and duration operations; ok is false for
// operations it leaves to typeOf.
func typeOfDates(n *enode, ks []kind) (kind, bool, error) {
	if k, ok, err := typeOfTZ(n, ks); ok { // tz_type.go
		return k, ok, err
	}
	switch n.op {
	case "+", "-":
		a, b := ks[0], ks[1]
		if !isTemporal(a) && !isTemporal(b) {
			return 0, false, nil
		}
		k := arithKind(n.op, a, b)
		if k == kInvalid {
			return 0, true, fmt.Errorf("arithmetic %s on %s and %s", n.op, a.dtype(), b.dtype())
		}
		return k, true, nil
	case "*":
		if ks[0] == kDur && ks[1] == kInt || ks[0] == kInt && ks[1] == kDur {
			return kDur, true, nil
		}
		if isTemporal(ks[0]) || isTemporal(ks[1]) {
			return 0, true, fmt.Errorf("arithmetic * on %s and %s", ks[0].dtype(), ks[1].dtype())
		}
	case "==", "!=", "<", "<=", ">", ">=":
		a, b := ks[0], ks[1]
		if a != kDate && b != kDate && a != kDur && b != kDur {
			return 0, false, nil
		}
		switch {
		case a == b, isNullLit(n.args[0]) || isNullLit(n.args[1]):
		case a == kDate && b == kTime || a == kTime && b == kDate:
		case a == kDate && n.args[1].op == "lit" && n.args[1].lit.k == kStr,
			b == kDate && n.args[0].op == "lit" && n.args[0].lit.k == kStr:
		default:
			return 0, true, fmt.Errorf("comparison of %s with %s", a.dtype(), b.dtype())
		}
		return kBool, true, nil
	case "adddays", "addmonths":
		if ks[0] != kDate && ks[0] != kTime {
			return 0, true, fmt.Errorf("%s of %s (a Date or Timestamp is needed)", n.op, ks[0].dtype())
		}
		return ks[0], true, nil
	case "totalseconds", "durdays":
		if ks[0] != kDur {
			return 0, true, fmt.Errorf("%s of %s (a Duration is needed)", n.op, ks[0].dtype())
		}
		if n.op == "durdays" {
			return kInt, true, nil
		}
		return kFloat, true, nil
	case "cast":
		to := castKind(n.name)
		if to == kDate || to == kDur || ks[0] == kDate || ks[0] == kDur {
			if !castOK(ks[0], to) {
				return 0, true, fmt.Errorf("cannot cast %s to %s", ks[0].dtype(), to.dtype())
			}
			return to, true, nil
		}
	case "min", "max", "first", "last":
		if ks[0] == kDate || ks[0] == kDur {
			return ks[0], true, nil
		}
	case "dtfloor", "dtceil", "dtround":
		if ks[0] != kTime {
			return 0, true, fmt.Errorf("%s of %s (a Timestamp is needed)", n.op[2:], ks[0].dtype())
		}
		if _, err := timekern.ParseFreq(n.name); err != nil {
			return 0, true, err
		}
		return kTime, true, nil
	case "strftime":
		if ks[0] != kTime && ks[0] != kDate {
			return 0, true, fmt.Errorf("strftime of %s (a Timestamp or Date is needed)", ks[0].dtype())
		}
		if err := datetime.CheckFormat(n.name); err != nil {
			return 0, true, err
		}
		return kStr, true, nil
	case "tzconvert", "tzlocalize":
		if ks[0] != kTime {
			return 0, true, fmt.Errorf("%s of %s (a Timestamp is needed)", n.op, ks[0].dtype())
		}
		if _, err := loadZone(n.name); err != nil {
			return 0, true, err
		}
		return kTime, true, nil
	case "parsedt":
		if ks[0] != kStr {
			return 0, true, fmt.Errorf("ParseDatetime of %s (a String is needed)", ks[0].dtype())
		}
		if err := datetime.CheckFormat(n.name); err != nil {
			return 0, true, err
		}
		return kTime, true, nil
	}
	if datePartOps[n.op] {
		if ks[0] != kTime && ks[0] != kDate {
			return 0, true, fmt.Errorf("datetime part of %s", ks[0].dtype())
		}
		return kInt, true, nil
	}
	return 0, false, nil
}

// arithKind is the result kind of a ± b with a temporal side (kInvalid when
// not allowed).
func arithKind(op string, a, b kind) kind {
	switch {
	case a == kDate && b == kInt:
		return kDate
	case a == kInt && b == kDate && op == "+":
		return kDate
	case a == kDate && b == kDate && op == "-":
		return kInt
	case a == kTime && b == kTime && op == "-":
		return kDur
	case (a == kTime || a == kDate) && b == kDur:
		return kTime
	case a == kDur && (b == kTime || b == kDate) && op == "+":
		return kTime
	case a == kDur && b == kDur:
		return kDur
	}
	return kInvalid
}

func castOK(from, to kind) bool {
	switch to {
	case kDate:
		return from == kDate || from == kTime || from == kStr
	case kDur:
		return from == kDur || from == kInt || from == kStr
	case kTime:
		return from == kDate || from == kTime || from == kInt || from == kStr
	case kInt:
		return from == kDur || from == kDate || from == kInt
	case kStr:
		return true
	case kFloat:
		return from == kDur || from == kDate
	}
	return false
}

// applyDates evaluates what typeOfDates typed; ok is false for the rest.
func applyDates(n *enode, a []*val, rows int) (*val, bool, error) {
	if v, ok, err := applyTZ(n, a, rows); ok { // tz_type.go
		return v, ok, err
	}
	switch n.op {
	case "+", "-":
		if !isTemporal(a[0].k) && !isTemporal(a[1].k) {
			return nil, false, nil
		}
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) { return temporalArith(n.op, a[0], a[1], rows) })
		return v, true, err
	case "*":
		if a[0].k != kDur && a[1].k != kDur {
			return nil, false, nil
		}
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) {
			return intOp(kDur, rows, a, func(i int, x []int64) (int64, bool) { return timekern.MulChecked(x[0], x[1]) })
		})
		return v, true, err
	case "==", "!=", "<", "<=", ">", ">=":
		x, y := a[0], a[1]
		if x.k != kDate && y.k != kDate && x.k != kDur && y.k != kDur {
			return nil, false, nil
		}
		x, y = dateOperand(x, y.k), dateOperand(y, x.k)
		v, err := compare(n.op, x, y, rows)
		return v, true, err
	case "adddays", "addmonths":
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) { return addCalendar(n.op, a[0], n.lits[0].i, rows) })
		return v, true, err
	case "totalseconds":
		x := a[0]
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) {
			out := &val{k: kFloat, n: rows, f: make([]float64, rows), valid: andValid(rows, x)}
			for i := range out.f {
				out.f[i] = float64(x.intAt(i)) / 1e6
			}
			return out, nil
		})
		return v, true, err
	case "durdays":
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) {
			return intOp(kInt, rows, a, func(i int, x []int64) (int64, bool) { return datetime.FloorDiv(x[0], usPerDay), true })
		})
		return v, true, err
	case "cast":
		to := castKind(n.name)
		if to == kDate || to == kDur || a[0].k == kDate || a[0].k == kDur {
			v, err := fold(a, rows, func(a []*val, rows int) (*val, error) { return castTemporal(a[0], to, rows) })
			return v, true, err
		}
	case "dtfloor", "dtceil", "dtround":
		step, err := timekern.ParseFreq(n.name)
		if err != nil {
			return nil, true, err
		}
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) {
			return intOp(kTime, rows, a, func(i int, x []int64) (int64, bool) {
				switch n.op {
				case "dtfloor":
					return timekern.Floor(x[0], step)
				case "dtceil":
					return timekern.Ceil(x[0], step)
				}
				return timekern.Round(x[0], step)
			})
		})
		return v, true, err
	case "strftime":
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) {
			x := a[0]
			sb := newStrBuilder(rows)
			var buf []byte
			for i := 0; i < rows; i++ {
				buf = buf[:0]
				if !x.isNull(i) {
					us, ok := asMicros(x, i)
					if !ok {
						return nil, fmt.Errorf("row %d: date out of the timestamp range", i)
					}
					buf = datetime.Strftime(buf, us, n.name, 0, "UTC")
				}
				sb.add(buf)
			}
			return &val{k: kStr, n: rows, offs: sb.offs, data: sb.data, valid: andValid(rows, x)}, nil
		})
		return v, true, err
	case "tzconvert", "tzlocalize":
		loc, err := loadZone(n.name)
		if err != nil {
			return nil, true, err
		}
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) {
			return intOp(kTime, rows, a, func(i int, x []int64) (int64, bool) {
				if n.op == "tzconvert" {
					return toWall(x[0], loc)
				}
				return fromWall(x[0], loc)
			})
		})
		return v, true, err
	case "parsedt":
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) {
			x := a[0]
			o := &datetime.Options{Format: n.name}
			out := &val{k: kTime, n: rows, i: make([]int64, rows), valid: andValid(rows, x)}
			for i := range out.i {
				if x.isNull(i) {
					continue
				}
				s := x.strAt(i)
				us, ok := datetime.Parse(s, o)
				if !ok {
					_, err := datetime.ParseString(string(s), o)
					return nil, fmt.Errorf("row %d: %w", i, err)
				}
				out.i[i] = us
			}
			return out, nil
		})
		return v, true, err
	}
	if datePartOps[n.op] && (a[0].k == kDate || a[0].k == kTime) {
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) { return dateField(n.op, a[0], rows), nil })
		return v, true, err
	}
	return nil, false, nil
}

// dateOperand converts x for a comparison with a value of kind other: a
// date compared with a timestamp becomes its midnight, a string literal
// compared with a date becomes a date.
func dateOperand(x *val, other kind) *val {
	switch {
	case x.k == kDate && other == kTime:
		out, err := castTemporal(x, kTime, x.n)
		if err == nil {
			return out
		}
	case x.scalar && x.lit.k == kStr && other == kDate:
		if d, err := parseDateDays(x.lit.s); err == nil {
			return &val{scalar: true, k: kDate, lit: litVal{k: kDate, i: d}}
		}
	}
	return x
}

// fold evaluates f once on scalars when every argument is a scalar, so that
// Date(1998, 12, 1).AddDays(-90) stays a constant (and comparisons with it
// take the scalar fast paths); otherwise over all rows.
func fold(a []*val, rows int, f func(a []*val, rows int) (*val, error)) (*val, error) {
	for _, v := range a {
		if !v.scalar {
			return f(a, rows)
		}
	}
	v, err := f(a, 1)
	if err != nil {
		return nil, err
	}
	return scalarOf(v, rows), nil
}

// scalarOf turns the one-row value v into a scalar of rows rows.
func scalarOf(v *val, rows int) *val {
	if v.scalar {
		return v
	}
	l := litVal{k: v.k}
	switch {
	case v.isNull(0):
		l = litVal{null: true}
	case v.k == kFloat:
		l.f = v.f[0]
	case v.k == kStr:
		l.s = string(v.strAt(0))
	case v.k == kBool:
		l.b = v.b[0]
	default:
		l.i = v.i[0]
	}
	return &val{scalar: true, lit: l, k: v.k, n: rows}
}

// intOp builds an int-like result of kind k row by row from the int64
// values of the arguments; f's ok false is an out-of-range error.
func intOp(k kind, rows int, a []*val, f func(i int, x []int64) (int64, bool)) (*val, error) {
	out := &val{k: k, n: rows, i: make([]int64, rows), valid: andValid(rows, a...)}
	x := make([]int64, len(a))
	for i := range out.i {
		if out.valid != nil && !out.valid[i] {
			continue
		}
		for j, v := range a {
			x[j] = v.intAt(i)
		}
		r, ok := f(i, x)
		if !ok || k == kDate && (r > math.MaxInt32 || r < math.MinInt32) {
			return nil, fmt.Errorf("row %d: result out of the %s range", i, k.dtype())
		}
		out.i[i] = r
	}
	return out, nil
}

// asMicros is the value of a date or timestamp at row i in microseconds.
func asMicros(v *val, i int) (int64, bool) {
	x := v.intAt(i)
	if v.k == kDate {
		return timekern.MulChecked(x, usPerDay)
	}
	return x, true
}

func temporalArith(op string, x, y *val, rows int) (*val, error) {
	k := arithKind(op, x.k, y.k)
	sign := int64(1)
	if op == "-" {
		sign = -1
	}
	switch {
	case k == kDate || k == kInt && x.k == kDate, k == kDur && x.k == kDur:
		// days ± days, date − date, duration ± duration: plain checked
		// integer arithmetic in the same unit.
		return intOp(k, rows, []*val{x, y}, func(i int, v []int64) (int64, bool) {
			if sign < 0 {
				if v[1] == math.MinInt64 {
					return 0, false
				}
				return timekern.AddChecked(v[0], -v[1])
			}
			return timekern.AddChecked(v[0], v[1])
		})
	case k == kDur: // timestamp − timestamp
		return intOp(k, rows, []*val{x, y}, func(i int, v []int64) (int64, bool) {
			if v[1] == math.MinInt64 {
				return 0, false
			}
			return timekern.AddChecked(v[0], -v[1])
		})
	}
	// k == kTime: (timestamp or date) ± duration, or duration + (timestamp or date).
	return intOp(k, rows, []*val{x, y}, func(i int, _ []int64) (int64, bool) {
		p, ok1 := asMicros(x, i)
		q, ok2 := asMicros(y, i)
		if !ok1 || !ok2 || q == math.MinInt64 {
			return 0, false
		}
		return timekern.AddChecked(p, sign*q)
	})
}

func addCalendar(op string, x *val, n int64, rows int) (*val, error) {
	return intOp(x.k, rows, []*val{x}, func(i int, v []int64) (int64, bool) {
		if op == "adddays" {
			if x.k == kDate {
				return timekern.AddChecked(v[0], n)
			}
			d, ok := timekern.MulChecked(n, usPerDay)
			if !ok {
				return 0, false
			}
			return timekern.AddChecked(v[0], d)
		}
		if x.k == kDate {
			return timekern.AddMonths(v[0], n)
		}
		days := datetime.FloorDiv(v[0], usPerDay)
		tod := v[0] - days*usPerDay
		nd, ok := timekern.AddMonths(days, n)
		if !ok {
			return 0, false
		}
		us, ok := timekern.MulChecked(nd, usPerDay)
		if !ok {
			return 0, false
		}
		return timekern.AddChecked(us, tod)
	})
}

func castTemporal(x *val, to kind, rows int) (*val, error) {
	switch {
	case x.k == to:
		return x, nil
	case to == kStr:
		sb := newStrBuilder(rows)
		var buf []byte
		for i := 0; i < rows; i++ {
			buf = buf[:0]
			if !x.isNull(i) {
				if x.k == kDate {
					buf = appendDate(buf, x.intAt(i))
				} else {
					buf = appendDuration(buf, x.intAt(i))
				}
			}
			sb.add(buf)
		}
		return &val{k: kStr, n: rows, offs: sb.offs, data: sb.data, valid: andValid(rows, x)}, nil
	case to == kFloat:
		out := &val{k: kFloat, n: rows, f: make([]float64, rows), valid: andValid(rows, x)}
		for i := range out.f {
			out.f[i] = float64(x.intAt(i))
		}
		return out, nil
	case x.k == kStr:
		// Strings that do not parse become null, as Cast does for numbers.
		out := &val{k: to, n: rows, i: make([]int64, rows)}
		valid := make([]bool, rows)
		for i := range valid {
			if x.isNull(i) {
				continue
			}
			var err error
			if to == kDate {
				out.i[i], err = parseDateDays(string(x.strAt(i)))
			} else {
				var d time.Duration
				d, err = time.ParseDuration(string(x.strAt(i)))
				out.i[i] = d.Microseconds()
			}
			valid[i] = err == nil
		}
		out.valid = valid
		return out, nil
	case to == kDate: // from a timestamp: its day
		return intOp(kDate, rows, []*val{x}, func(i int, v []int64) (int64, bool) { return datetime.FloorDiv(v[0], usPerDay), true })
	case to == kTime && x.k == kDate:
		return intOp(kTime, rows, []*val{x}, func(i int, v []int64) (int64, bool) { return timekern.MulChecked(v[0], usPerDay) })
	}
	// Int64 ⇄ Duration (microseconds), Date → Int64 (days), Int64 →
	// Timestamp (microseconds).
	return intOp(to, rows, []*val{x}, func(i int, v []int64) (int64, bool) { return v[0], true })
}

// parseDateDays parses a date (a timestamp at midnight is accepted) into
// days since the epoch.
func parseDateDays(s string) (int64, error) {
	us, err := parseTime(s)
	if err != nil {
		return 0, err
	}
	if us%usPerDay != 0 {
		return 0, fmt.Errorf("%q is not a date (it has a time of day)", s)
	}
	return us / usPerDay, nil
}

func dateField(op string, x *val, rows int) *val {
	out := &val{k: kInt, n: rows, i: make([]int64, rows), valid: andValid(rows, x)}
	isDate := x.k == kDate
	var xs []int64
	if !x.scalar {
		xs = x.i
	} else {
		xs = []int64{x.lit.i}
	}
	for i := range out.i {
		v := xs[0]
		if !x.scalar {
			v = xs[i]
		}
		days, tod := v, int64(0)
		if !isDate {
			days = datetime.FloorDiv(v, usPerDay)
			tod = v - days*usPerDay
		}
		switch op {
		case "hour":
			out.i[i] = tod / 3600e6
		case "minute":
			out.i[i] = tod / 60e6 % 60
		case "second":
			out.i[i] = tod / 1e6 % 60
		case "weekday":
			out.i[i] = datetime.Weekday(days)
		case "dayofyear":
			out.i[i] = datetime.DayOfYear(days)
		default:
			y, m, d := datetime.CivilFromDays(days)
			switch op {
			case "year":
				out.i[i] = y
			case "month":
				out.i[i] = m
			case "day":
				out.i[i] = d
			case "quarter":
				out.i[i] = (m-1)/3 + 1
			}
		}
	}
	return out
}

// appendDate formats days since the epoch as YYYY-MM-DD (years outside
// 0..9999 with a sign or more digits, as DuckDB).
func appendDate(b []byte, days int64) []byte {
	y, m, d := datetime.CivilFromDays(days)
	if y < 0 {
		b = append(b, '-')
		y = -y
	}
	for p := int64(1000); p > 1 && y < p; p /= 10 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, y, 10)
	b = append(b, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	return b
}

// appendDuration formats microseconds as pandas prints a Timedelta:
// "1 days 02:03:04", "0 days 00:00:01.500000", "-1 days +23:59:59".
func appendDuration(b []byte, us int64) []byte {
	days := datetime.FloorDiv(us, usPerDay)
	rem := us - days*usPerDay
	b = strconv.AppendInt(b, days, 10)
	b = append(b, " days "...)
	if days < 0 {
		b = append(b, '+')
	}
	h, mi, s, f := rem/3600e6, rem/60e6%60, rem/1e6%60, rem%1e6
	b = append(b, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':', byte('0'+s/10), byte('0'+s%10))
	if f != 0 {
		b = append(b, '.')
		fs := strconv.FormatInt(f+1e6, 10)
		b = append(b, fs[1:]...)
	}
	return b
}

// dateTime is days since the epoch as a time.Time at midnight UTC.
func dateTime(days int64) time.Time {
	y, m, d := datetime.CivilFromDays(days)
	return time.Date(int(y), time.Month(m), int(d), 0, 0, 0, 0, time.UTC)
}

// toMicros converts a count of unit to microseconds (nanoseconds floor).
func toMicros(v int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return v * 1e6
	case arrow.Millisecond:
		return v * 1e3
	case arrow.Nanosecond:
		return datetime.FloorDiv(v, 1e3)
	}
	return v
}

// Floor rounds the timestamp e down to a multiple of the fixed frequency
// freq ("1h", "15min", "D", "30s"; pandas' dt.floor), counted from the
// epoch.
func (e Expr) Floor(freq string) Expr { return e.str("dtfloor", freq) }

// Ceil rounds the timestamp e up to a multiple of freq (pandas' dt.ceil).
func (e Expr) Ceil(freq string) Expr { return e.str("dtceil", freq) }

// Round rounds the timestamp e to the nearest multiple of freq, halves to
// the even multiple (pandas' dt.round).
func (e Expr) Round(freq string) Expr { return e.str("dtround", freq) }

// Strftime formats the timestamp or date e with a strftime-style format
// ("%Y-%m-%d %H:%M", pandas' dt.strftime; the directives are listed in
// DateFormat's doc).
func (e Expr) Strftime(format string) Expr { return e.str("strftime", format) }

// ParseDatetime parses the string e as a timestamp with the strftime-style
// format (pandas' to_datetime(format=...)), or, with format "", by the
// parser ParseDates uses. A value that does not parse is an error naming
// it, as pandas' errors="raise"; Cast(Timestamp) makes such values null
// instead.
func (e Expr) ParseDatetime(format string) Expr { return e.str("parsedt", format) }

// timeLayouts gives each Timestamp column of a printed table one layout for
// all its printed rows, as pandas does: a date when every value is at
// midnight, else seconds, with six decimals when any value has a fraction.
// Other columns get "".
func timeLayouts(cols []col, rows []int) []string {
	out := make([]string, len(cols))
	for j := range cols {
		c := &cols[j]
		if c.k != kTime {
			continue
		}
		midnight, whole := true, true
		for _, i := range rows {
			if i < 0 || c.null(i) {
				continue
			}
			v := c.i64[i]
			if v%usPerDay != 0 {
				midnight = false
			}
			if v%1e6 != 0 {
				whole = false
			}
		}
		switch {
		case midnight:
			out[j] = "2006-01-02"
		case whole:
			out[j] = "2006-01-02 15:04:05"
		default:
			out[j] = "2006-01-02 15:04:05.000000"
		}
	}
	return out
}

// TZConvert gives the wall-clock time in zone (an IANA name such as
// "America/New_York") of the UTC timestamp e, as a timestamp without zone:
// Col("t").TZConvert("Europe/Paris").Hour() is the hour in Paris (pandas'
// dt.tz_convert(zone).dt.tz_localize(None)). Fields, Floor and Strftime of
// the result are then computed in that zone.
func (e Expr) TZConvert(zone string) Expr { return e.str("tzconvert", zone) }

// TZLocalize reads the timestamp e as wall-clock time in zone and gives the
// UTC instant (pandas' dt.tz_localize(zone).dt.tz_convert("UTC")). A wall
// time repeated when clocks go back takes the first (daylight-saving)
// offset; one skipped when they go forward is moved forward by the gap, as
// Go's time.Date does.
func (e Expr) TZLocalize(zone string) Expr { return e.str("tzlocalize", zone) }

var zones sync.Map

func loadZone(name string) (*time.Location, error) {
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	zones.Store(name, loc)
	return loc, nil
}

// maxZoned bounds the instants the zone conversions accept: those Go's
// time package represents (about ±292,000 years is int64 microseconds;
// time.Time covers it, offsets are at most a day).
const maxZoned = math.MaxInt64 - 2*usPerDay

func toWall(us int64, loc *time.Location) (int64, bool) {
	if us > maxZoned || us < -maxZoned {
		return 0, false
	}
	_, off := time.UnixMicro(us).In(loc).Zone()
	return us + int64(off)*1e6, true
}

func fromWall(us int64, loc *time.Location) (int64, bool) {
	if us > maxZoned || us < -maxZoned {
		return 0, false
	}
	days := datetime.FloorDiv(us, usPerDay)
	tod := us - days*usPerDay
	y, m, d := datetime.CivilFromDays(days)
	t := time.Date(int(y), time.Month(m), int(d), int(tod/3600e6), int(tod/60e6%60), int(tod/1e6%60), int(tod%1e6)*1000, loc)
	return t.UnixMicro(), true
}
