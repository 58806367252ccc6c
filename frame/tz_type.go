package frame

import (
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/godask/godask/internal/datetime"
)

// Time zones on the Arrow type (issue 12): a pandas datetime64[ns, zone]
// column is an Arrow timestamp[us, zone] here. Its values are instants
// (microseconds since the epoch, UTC), as Arrow defines them; the zone is
// only how they read as wall-clock time.
//
// The zone lives on the plan's schemas: a reader keeps a file's zone in the
// frame's schema, TZLocalize and TZConvert set it, and Dtypes, Compute's
// Table and Persist show it. Inside a partition the kernels work on the
// instants and never look at the zone (a sort, a join key, a min or a
// comparison is by instant, whatever the zones); the zone is put back on
// the arrays where they leave (Finalize). What does depend on the zone is
// bound when the expression is typed against the schema (bindZones): a
// field accessor (Hour, Day, DayOfWeek, ...), Floor/Ceil/Round and
// Strftime of a zoned column work on its wall-clock time in that zone.

// TimestampTZ is the frame dtype of timestamps in zone (an IANA name such
// as "Europe/Paris"): Arrow timestamp[us, zone], pandas'
// datetime64[ns, zone].
func TimestampTZ(zone string) arrow.DataType {
	return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: zone}
}

// TZOptions says what TZLocalizeWith does with wall-clock times that a
// zone's clock change skips or repeats, as pandas' tz_localize arguments.
type TZOptions struct {
	// Ambiguous is for a wall time repeated when clocks go back:
	// "raise" (the default, pandas' ambiguous="raise"), "earliest" (the
	// first, daylight-saving reading: pandas' ambiguous=True), "latest"
	// (the second: ambiguous=False) or "NaT" (null).
	Ambiguous string
	// Nonexistent is for a wall time skipped when clocks go forward:
	// "raise" (the default), "shift_forward" (the first instant after the
	// gap), "shift_backward" (the last instant before it) or "NaT".
	Nonexistent string
}

var (
	tzAmbiguous   = []string{"raise", "earliest", "latest", "NaT"}
	tzNonexistent = []string{"raise", "shift_forward", "shift_backward", "NaT"}
)

func tzOptIndex(opts []string, s string) int64 {
	if s == "" {
		return 0
	}
	for i, o := range opts {
		if o == s {
			return int64(i)
		}
	}
	return -1
}

// TZLocalizeWith is TZLocalize with pandas' ambiguous= and nonexistent=
// choices for the wall times a clock change repeats or skips.
func (e Expr) TZLocalizeWith(zone string, o TZOptions) Expr {
	return Expr{&enode{op: "tzlocalize", name: zone, args: []*enode{e.n},
		lits: []litVal{{k: kInt, i: tzOptIndex(tzAmbiguous, o.Ambiguous)}, {k: kInt, i: tzOptIndex(tzNonexistent, o.Nonexistent)}}}}
}

// typeZone is the zone of a timestamp type ("" for naive timestamps and
// other types).
func typeZone(t arrow.DataType) string {
	if ts, ok := t.(*arrow.TimestampType); ok {
		return ts.TimeZone
	}
	return ""
}

// keepZone is the frame dtype t (from NormalizeType) of a column read as
// type from: timestamps keep from's zone.
func keepZone(t, from arrow.DataType) arrow.DataType {
	if z := typeZone(from); z != "" && t.ID() == arrow.TIMESTAMP {
		return TimestampTZ(z)
	}
	return t
}

// schemaWithZones is s with the zones of like's timestamp fields of the
// same names.
func schemaWithZones(s, like *arrow.Schema) *arrow.Schema {
	var fields []arrow.Field
	for i, f := range s.Fields() {
		ix := like.FieldIndices(f.Name)
		if len(ix) == 0 || f.Type.ID() != arrow.TIMESTAMP {
			continue
		}
		z := typeZone(like.Field(ix[0]).Type)
		if z == typeZone(f.Type) {
			continue
		}
		if fields == nil {
			fields = append([]arrow.Field(nil), s.Fields()...)
		}
		fields[i].Type = keepZone(f.Type, like.Field(ix[0]).Type)
		if z == "" {
			fields[i].Type = Timestamp
		}
	}
	if fields == nil {
		return s
	}
	md := s.Metadata()
	return arrow.NewSchema(fields, &md)
}

func schemaZoned(s *arrow.Schema) bool {
	for _, f := range s.Fields() {
		if typeZone(f.Type) != "" {
			return true
		}
	}
	return false
}

// zonedRecord is r with its timestamp columns typed as the fields of the
// same names in s (the plan's schema) say: the kernels' naive arrays get
// their column's zone back. No values are copied.
func zonedRecord(r arrow.Record, s *arrow.Schema) arrow.Record {
	if r == nil || !schemaZoned(s) {
		return r
	}
	var fields []arrow.Field
	var cols []arrow.Array
	for i, a := range r.Columns() {
		ix := s.FieldIndices(r.Schema().Field(i).Name)
		if len(ix) == 0 || a.DataType().ID() != arrow.TIMESTAMP {
			continue
		}
		t := s.Field(ix[0]).Type
		if t.ID() != arrow.TIMESTAMP || arrow.TypeEqual(t, a.DataType()) {
			continue
		}
		if fields == nil {
			fields = append([]arrow.Field(nil), r.Schema().Fields()...)
			cols = append([]arrow.Array(nil), r.Columns()...)
		}
		fields[i].Type = t
		cols[i] = retype(a, t)
	}
	if fields == nil {
		return r
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, r.NumRows())
}

// retype is a (a fixed-width array) typed as t, sharing its buffers.
func retype(a arrow.Array, t arrow.DataType) arrow.Array {
	d := a.Data()
	return array.MakeFromData(array.NewData(t, d.Len(), d.Buffers(), nil, d.NullN(), d.Offset()))
}

// exprZone is the zone of the timestamp expression n over schema s ("" for
// naive). An expression computed from timestamps (FillNull, When, Min,
// Shift, t + duration, ...) keeps the zone of its first zoned timestamp
// argument.
func exprZone(n *enode, s *arrow.Schema) string {
	switch n.op {
	case "col":
		if ix := s.FieldIndices(n.name); len(ix) > 0 {
			return typeZone(s.Field(ix[0]).Type)
		}
		return ""
	case "lit", "parsedt", "tzwall":
		return ""
	case "tzlocalize", "tzconvert", "tzunwall":
		return n.name
	}
	for _, a := range n.args {
		if k, err := typeOf(a, s); err == nil && k == kTime {
			if z := exprZone(a, s); z != "" {
				return z
			}
		}
	}
	return ""
}

// exprType is the frame dtype of n, of kind k, over s: passType with the
// zone of a zoned timestamp.
func exprType(n *enode, s *arrow.Schema, k kind) arrow.DataType {
	if k == kTime {
		if z := exprZone(n, s); z != "" {
			return TimestampTZ(z)
		}
	}
	return passType(n, s, k)
}

func usesTZ(n *enode) bool {
	if n.op == "tzconvert" || n.op == "tzlocalize" {
		return true
	}
	for _, a := range n.args {
		if usesTZ(a) {
			return true
		}
	}
	return false
}

// zoneDependent are the operations computed on the wall-clock time of a
// zoned timestamp.
var zoneDependent = map[string]bool{"dtfloor": true, "dtceil": true, "dtround": true, "strftime": true}

// bindZones rewrites the expression n, typed over schema s, so that what
// depends on a zone gets it explicitly: a field accessor, Floor or
// Strftime of a zoned timestamp reads its wall-clock time (tzwall), a
// Floor's result is localized back (tzunwall), a string literal compared
// with a zoned timestamp is read as wall-clock time in its zone (as pandas
// does). It checks TZConvert/TZLocalize as pandas does: converting naive
// timestamps, localizing zoned ones and comparing or subtracting naive and
// zoned timestamps are errors. An expression over a schema without zones
// and without TZConvert/TZLocalize is returned as it is.
func bindZones(n *enode, s *arrow.Schema) (*enode, error) {
	if n == nil || (!schemaZoned(s) && !usesTZ(n)) {
		return n, nil
	}
	return bindZonesRec(n, s)
}

func bindZonesRec(n *enode, s *arrow.Schema) (*enode, error) {
	if n.op == "col" || n.op == "lit" || n.sub != nil {
		return n, nil
	}
	m := *n
	m.args = make([]*enode, len(n.args))
	for i, a := range n.args {
		b, err := bindZonesRec(a, s)
		if err != nil {
			return nil, err
		}
		m.args[i] = b
	}
	timeArg := func(i int) (string, bool) {
		if i >= len(m.args) {
			return "", false
		}
		k, err := typeOf(m.args[i], s)
		if err != nil || k != kTime {
			return "", false
		}
		return exprZone(m.args[i], s), true
	}
	z, isTime := timeArg(0)
	switch {
	case m.op == "tzconvert":
		if isTime && z == "" {
			return nil, fmt.Errorf("%s: cannot convert tz-naive timestamps, use TZLocalize to localize", n)
		}
		if m.name == "" { // pandas' tz_convert(None): UTC, naive
			return &enode{op: "tzwall", name: "UTC", args: m.args[:1]}, nil
		}
	case m.op == "tzlocalize":
		if isTime && z != "" {
			if m.name == "" { // pandas' tz_localize(None): the wall-clock time, naive
				return &enode{op: "tzwall", name: z, args: m.args[:1]}, nil
			}
			return nil, fmt.Errorf("%s: the timestamps are already tz-aware (%s), use TZConvert to convert", n, z)
		}
	case isTime && z != "" && (datePartOps[m.op] || zoneDependent[m.op]):
		wall := &enode{op: "tzwall", name: z, args: []*enode{m.args[0]}}
		switch m.op {
		case "strftime":
			return &enode{op: "tzstrftime", name: z + "\x00" + m.name, args: m.args[:1]}, nil
		case "dtfloor", "dtceil", "dtround":
			m.args[0] = wall
			return &enode{op: "tzunwall", name: z, args: []*enode{&m}}, nil
		}
		m.args[0] = wall
	case m.op == "==" || m.op == "!=" || m.op == "<" || m.op == "<=" || m.op == ">" || m.op == ">=" || m.op == "-":
		z1, t1 := timeArg(1)
		if !isTime && !t1 {
			break
		}
		if isTime && t1 {
			if (z == "") != (z1 == "") && !isTimeLit(m.args[0]) && !isTimeLit(m.args[1]) {
				what := "compare"
				if m.op == "-" {
					what = "subtract"
				}
				return nil, fmt.Errorf("%s: cannot %s tz-naive and tz-aware timestamps (zone %s): localize the naive side first (TZLocalize)", n, what, z+z1)
			}
			break
		}
		if m.op == "-" {
			break
		}
		// A zoned timestamp against a string literal: the string is
		// wall-clock time in the column's zone unless it has an offset.
		zt, li := z, 1
		if t1 {
			zt, li = z1, 0
		}
		l := m.args[li]
		if zt == "" || l.op != "lit" || l.lit.k != kStr || l.lit.null {
			break
		}
		us, err := zonedLiteral(l.lit.s, zt)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		m.args[li] = &enode{op: "lit", lit: litVal{k: kTime, i: us}}
	}
	return &m, nil
}

func isTimeLit(n *enode) bool { return n.op == "lit" }

// zonedLiteral reads s as an instant: with an offset or Z as written, else
// as wall-clock time in zone (an error when the zone's clocks skip or
// repeat it, as pandas raises).
func zonedLiteral(s, zone string) (int64, error) {
	loc, err := loadZone(zone)
	if err != nil {
		return 0, err
	}
	t := strings.TrimSpace(s)
	if n := len(t); n > 0 && (t[n-1] == 'Z' || strings.ContainsAny(t[min(n, 10):], "+") || (n > 19 && strings.Contains(t[19:], "-"))) {
		if us, err := parseTime(t); err == nil {
			return us, nil
		}
	}
	wall, err := parseTime(t)
	if err != nil {
		return 0, fmt.Errorf("timestamp literal %q: %w", s, err)
	}
	us, st := localize(wall, loc, 0, 0)
	if st != tzOK {
		return 0, fmt.Errorf("timestamp literal %q in %s: %s", s, zone, st)
	}
	return us, nil
}

type tzStatus int

const (
	tzOK tzStatus = iota
	tzNull
	tzAmbiguousErr
	tzNonexistentErr
	tzRange
)

func (s tzStatus) String() string {
	switch s {
	case tzAmbiguousErr:
		return "the wall-clock time is ambiguous (clocks go back over it): pass TZOptions{Ambiguous: \"earliest\"|\"latest\"|\"NaT\"} to TZLocalizeWith"
	case tzNonexistentErr:
		return "the wall-clock time does not exist (clocks go forward over it): pass TZOptions{Nonexistent: \"shift_forward\"|\"shift_backward\"|\"NaT\"} to TZLocalizeWith"
	case tzRange:
		return "out of the range a zone is applied to"
	}
	return "ok"
}

// offsetAt is the zone's UTC offset in microseconds at the instant us.
func offsetAt(us int64, loc *time.Location) int64 {
	_, off := time.UnixMicro(us).In(loc).Zone()
	return int64(off) * 1e6
}

// localize is the instant whose wall-clock time in loc is wall. amb and
// nonex index tzAmbiguous and tzNonexistent.
func localize(wall int64, loc *time.Location, amb, nonex int64) (int64, tzStatus) {
	if wall > maxZoned || wall < -maxZoned {
		return 0, tzRange
	}
	// The offsets a day before and after: a clock change moves between
	// them (no zone changes its clock twice within two days).
	o1, o2 := offsetAt(wall-usPerDay, loc), offsetAt(wall+usPerDay, loc)
	var cands [2]int64
	nc := 0
	for _, o := range []int64{o1, o2} {
		u := wall - o
		if offsetAt(u, loc) == o && (nc == 0 || cands[0] != u) {
			cands[nc] = u
			nc++
		}
	}
	switch nc {
	case 1:
		return cands[0], tzOK
	case 2:
		lo, hi := min(cands[0], cands[1]), max(cands[0], cands[1])
		switch tzAmbiguous[amb] {
		case "earliest":
			return lo, tzOK
		case "latest":
			return hi, tzOK
		case "NaT":
			return 0, tzNull
		}
		return 0, tzAmbiguousErr
	}
	// In the gap: the clock change is the start of the period wall-o1 falls in.
	start, _ := time.UnixMicro(wall - o1).In(loc).ZoneBounds()
	switch tzNonexistent[nonex] {
	case "shift_forward":
		return start.UnixMicro(), tzOK
	case "shift_backward":
		return start.UnixMicro() - 1, tzOK
	case "NaT":
		return 0, tzNull
	}
	return 0, tzNonexistentErr
}

// typeOfTZ types the zone operations bindZones makes; ok is false for the
// rest.
func typeOfTZ(n *enode, ks []kind) (kind, bool, error) {
	switch n.op {
	case "tzwall", "tzunwall", "tzstrftime":
		if len(ks) != 1 || ks[0] != kTime {
			return 0, true, fmt.Errorf("%s of %v (a Timestamp is needed)", n.op, ks)
		}
		zone, format, _ := strings.Cut(n.name, "\x00")
		if _, err := loadZone(zone); err != nil {
			return 0, true, err
		}
		if n.op == "tzstrftime" {
			if err := datetime.CheckFormat(format); err != nil {
				return 0, true, err
			}
			return kStr, true, nil
		}
		return kTime, true, nil
	case "tzlocalize":
		if len(n.lits) == 2 && (n.lits[0].i < 0 || n.lits[1].i < 0 || n.lits[0].i >= int64(len(tzAmbiguous)) || n.lits[1].i >= int64(len(tzNonexistent))) {
			return 0, true, fmt.Errorf("TZLocalizeWith: Ambiguous is one of %s and Nonexistent one of %s", strings.Join(tzAmbiguous, ", "), strings.Join(tzNonexistent, ", "))
		}
	}
	return 0, false, nil
}

// applyTZ evaluates the zone operations; ok is false for the rest.
func applyTZ(n *enode, a []*val, rows int) (*val, bool, error) {
	switch n.op {
	case "tzconvert": // the zone is on the type; the instants are unchanged
		return a[0], true, nil
	case "tzwall":
		loc, err := loadZone(n.name)
		if err != nil {
			return nil, true, err
		}
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) {
			return intOp(kTime, rows, a, func(i int, x []int64) (int64, bool) { return toWall(x[0], loc) })
		})
		return v, true, err
	case "tzlocalize", "tzunwall":
		loc, err := loadZone(n.name)
		if err != nil {
			return nil, true, err
		}
		var amb, nonex int64
		if len(n.lits) == 2 {
			amb, nonex = n.lits[0].i, n.lits[1].i
		}
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) {
			x := a[0]
			out := &val{k: kTime, n: rows, i: make([]int64, rows), valid: andValid(rows, x)}
			for i := range out.i {
				if x.isNull(i) {
					continue
				}
				w := x.intAt(i)
				us, st := localize(w, loc, amb, nonex)
				switch st {
				case tzOK:
					out.i[i] = us
					continue
				case tzNull:
					if out.valid == nil {
						out.valid = make([]bool, rows)
						for j := range out.valid {
							out.valid[j] = true
						}
					}
					out.valid[i] = false
					continue
				}
				return nil, fmt.Errorf("row %d: %s in %s: %s", i, time.UnixMicro(w).UTC().Format("2006-01-02 15:04:05.999999"), n.name, st)
			}
			return out, nil
		})
		return v, true, err
	case "tzstrftime":
		zone, format, _ := strings.Cut(n.name, "\x00")
		loc, err := loadZone(zone)
		if err != nil {
			return nil, true, err
		}
		v, err := fold(a, rows, func(a []*val, rows int) (*val, error) {
			x := a[0]
			sb := newStrBuilder(rows)
			var buf []byte
			for i := 0; i < rows; i++ {
				buf = buf[:0]
				if !x.isNull(i) {
					us := x.intAt(i)
					if us > maxZoned || us < -maxZoned {
						return nil, fmt.Errorf("row %d: %s", i, tzRange)
					}
					name, off := time.UnixMicro(us).In(loc).Zone()
					buf = datetime.Strftime(buf, us+int64(off)*1e6, format, off, name)
				}
				sb.add(buf)
			}
			return &val{k: kStr, n: rows, offs: sb.offs, data: sb.data, valid: andValid(rows, x)}, nil
		})
		return v, true, err
	}
	return nil, false, nil
}

// zoneList is the name, zone pairs of s's zoned timestamp fields, for ops
// (the writers) that put the zones back on their input's arrays.
func zoneList(s *arrow.Schema) []string {
	var out []string
	for _, f := range s.Fields() {
		if z := typeZone(f.Type); z != "" {
			out = append(out, f.Name, z)
		}
	}
	return out
}

// withZoneList is zonedRecord with the zones of a zoneList.
func withZoneList(r arrow.Record, zones []string) arrow.Record {
	if len(zones) == 0 {
		return r
	}
	var fields []arrow.Field
	for i := 0; i+1 < len(zones); i += 2 {
		fields = append(fields, arrow.Field{Name: zones[i], Type: TimestampTZ(zones[i+1]), Nullable: true})
	}
	return zonedRecord(r, arrow.NewSchema(fields, nil))
}

// zoneLoc is the location of a zoned timestamp type (nil for naive ones
// and zones Go does not know).
func zoneLoc(t arrow.DataType) *time.Location {
	z := typeZone(t)
	if z == "" {
		return nil
	}
	loc, err := loadZone(z)
	if err != nil {
		return nil
	}
	return loc
}

// timeAt is the timestamp at i as a time.Time in the column's zone (UTC
// for naive columns).
func (c *col) timeAt(i int) time.Time {
	t := time.UnixMicro(c.i64[i])
	if c.loc != nil {
		return t.In(c.loc)
	}
	return t.UTC()
}

// timeLayout is how the CSV writer writes the column's timestamps: with
// the UTC offset for a zoned column, as pandas' to_csv does
// (2024-03-31 03:30:00+02:00).
func (c *col) timeLayout() string {
	if c.loc != nil {
		return "2006-01-02 15:04:05.999999-07:00"
	}
	return "2006-01-02 15:04:05.999999"
}

// zonedCell prints a zoned timestamp as pandas does: wall-clock time and
// offset.
func zonedCell(c *col, i int) string {
	t := c.timeAt(i)
	if t.Nanosecond() != 0 {
		return t.Format("2006-01-02 15:04:05.000000-07:00")
	}
	return t.Format("2006-01-02 15:04:05-07:00")
}

// zonedLayout is the printing layout of a column's timestamps: a zoned
// column's show the time and the offset (pandas: 2024-03-31
// 03:30:00+02:00).
func zonedLayout(c *col, layout string) string {
	if c.loc == nil {
		return layout
	}
	if len(layout) == len("2006-01-02") {
		layout += " 15:04:05"
	}
	return layout + "-07:00"
}

// bothZoned: t and u are timestamps with zones (join keys of different
// zones match by instant; naive with zoned is refused, as pandas does).
func bothZoned(t, u arrow.DataType) bool { return typeZone(t) != "" && typeZone(u) != "" }
