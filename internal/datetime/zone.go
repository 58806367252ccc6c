package datetime

import (
	"fmt"
	"math"
	"time"
)

const usPerDay = 86400e6

// maxZoned bounds the wall-clock times a Zone localizes: those Go's time
// package represents, with a margin for offsets (at most a day).
const maxZoned = math.MaxInt64 - 2*usPerDay

// ZoneStatus is what Localize made of a wall-clock time.
type ZoneStatus int

// The results of Localize.
const (
	ZoneOK          ZoneStatus = iota
	ZoneAmbiguous              // the clocks go back over it: two instants read as it
	ZoneNonexistent            // the clocks go forward over it: no instant reads as it
	ZoneRange                  // outside the range a zone is applied to
)

func (s ZoneStatus) String() string {
	switch s {
	case ZoneAmbiguous:
		return "ambiguous (the clocks go back over it)"
	case ZoneNonexistent:
		return "nonexistent (the clocks go forward over it)"
	case ZoneRange:
		return "out of the range a zone is applied to"
	}
	return "ok"
}

// Zone localizes wall-clock times (microseconds, read as if UTC) in one
// time zone: the instant whose local time they are. It remembers the last
// period of constant offset it found, so a run of nearby times costs a
// subtraction each. A Zone is not safe for concurrent use.
type Zone struct {
	Name string
	Loc  *time.Location
	// lo, hi, off: instants in [lo, hi) have the offset off; hi <= lo: none
	// cached yet.
	lo, hi, off int64
}

// LoadZone is the Zone of an IANA name ("America/New_York", "UTC").
func LoadZone(name string) (*Zone, error) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return &Zone{Name: name, Loc: loc}, nil
}

func (z *Zone) offsetAt(us int64) int64 {
	_, off := time.UnixMicro(us).In(z.Loc).Zone()
	return int64(off) * 1e6
}

// Wall is the wall-clock time in z of the instant us (microseconds, read
// as if UTC); us must be within the range a zone is applied to.
func (z *Zone) Wall(us int64) int64 {
	if z.hi > z.lo && us >= z.lo && us < z.hi {
		return us + z.off
	}
	t := time.UnixMicro(us).In(z.Loc)
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	z.lo, z.hi, z.off = math.MinInt64/2, math.MaxInt64/2, int64(off)*1e6
	if !start.IsZero() {
		z.lo = start.UnixMicro()
	}
	if !end.IsZero() {
		z.hi = end.UnixMicro()
	}
	return us + z.off
}

// Localize is the instant whose wall-clock time in z is wall, or a status
// saying why there is no single one (pandas' tz_localize with
// ambiguous="raise" and nonexistent="raise").
func (z *Zone) Localize(wall int64) (int64, ZoneStatus) {
	if wall > maxZoned || wall < -maxZoned {
		return 0, ZoneRange
	}
	if z.hi > z.lo {
		// More than a day inside the cached period, no other offset of
		// the zone (they differ by less than a day) can read as wall.
		if u := wall - z.off; u-z.lo >= usPerDay && z.hi-u > usPerDay {
			return u, ZoneOK
		}
	}
	o1, o2 := z.offsetAt(wall-usPerDay), z.offsetAt(wall+usPerDay)
	var cands [2]int64
	nc := 0
	for _, o := range []int64{o1, o2} {
		u := wall - o
		if z.offsetAt(u) == o && (nc == 0 || cands[0] != u) {
			cands[nc] = u
			nc++
		}
	}
	switch nc {
	case 1:
		u := cands[0]
		start, end := time.UnixMicro(u).In(z.Loc).ZoneBounds()
		z.lo, z.hi, z.off = math.MinInt64/2, math.MaxInt64/2, z.offsetAt(u)
		if !start.IsZero() {
			z.lo = start.UnixMicro()
		}
		if !end.IsZero() {
			z.hi = end.UnixMicro()
		}
		return u, ZoneOK
	case 2:
		return 0, ZoneAmbiguous
	}
	return 0, ZoneNonexistent
}
