package frame

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
)

// utcOf is the instant s (RFC 3339-ish, UTC) in microseconds.
func utcOf(t *testing.T, s string) int64 {
	t.Helper()
	v, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UnixMicro()
}

// refLocalize is the reference for a wall-clock time in loc: the instants
// within a day whose wall-clock time it is (searched by Go's time.In over
// the offsets the zone has around it).
func refLocalize(wall time.Time, loc *time.Location) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, d := range []time.Duration{-26 * time.Hour, 0, 26 * time.Hour} {
		_, off := wall.Add(d).In(loc).Zone()
		u := wall.Add(-time.Duration(off) * time.Second)
		lt := u.In(loc)
		if time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), time.UTC).Equal(wall) && !seen[u.UnixMicro()] {
			seen[u.UnixMicro()] = true
			out = append(out, u.UnixMicro())
		}
	}
	return out
}

func TestReadCSVTimeZone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Hand-computed: New York is UTC-5 (EST) until 2024-03-10 02:00 local,
	// UTC-4 (EDT) until 2024-11-03 02:00 local.
	p := write("ny.csv", "ts,v\n"+
		"2024-03-09 12:00,1\n"+ // EST: 17:00Z
		"2024-03-10 01:59:59,2\n"+ // EST: 06:59:59Z
		"2024-03-10 03:00,3\n"+ // EDT: 07:00Z
		",4\n"+ // null
		"2024-11-03 01:30-04:00,5\n"+ // the first 01:30: 05:30Z
		"2024-11-03 01:30:00-05:00,6\n"+ // the second: 06:30Z
		"2024-11-03 02:00,7\n"+ // EST again: 07:00Z
		"2024-07-01T00:00:00Z,8\n") // converted
	want := []string{"2024-03-09 17:00:00", "2024-03-10 06:59:59", "2024-03-10 07:00:00", "", "2024-11-03 05:30:00", "2024-11-03 06:30:00", "2024-11-03 07:00:00", "2024-07-01 00:00:00"}
	f := ReadCSV(p, CSVOptions{ParseDates: []string{"ts"}, TimeZone: "America/New_York"})
	if z := typeZone(f.Schema().Field(0).Type); z != "America/New_York" {
		t.Fatalf("dtype %s", f.Schema().Field(0).Type)
	}
	tab, err := f.Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if z := typeZone(tab.Record().Schema().Field(0).Type); z != "America/New_York" {
		t.Fatalf("result dtype %s", tab.Record().Schema().Field(0).Type)
	}
	got, _ := tab.Times("ts")
	valid, _ := tab.Valid("ts")
	for i, w := range want {
		if w == "" {
			if valid[i] {
				t.Fatalf("row %d: want null, got %v", i, got[i])
			}
			continue
		}
		if !valid[i] || got[i].UnixMicro() != utcOf(t, w) {
			t.Fatalf("row %d: got %v, want %s UTC", i, got[i], w)
		}
	}
	// The wall-clock field reads in the zone.
	hours, err := f.Select(Col("ts").Hour().Alias("h")).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := hours.Int64s("h"); h[0] != 12 || h[2] != 3 || h[4] != 1 || h[5] != 1 || h[6] != 2 {
		t.Fatalf("hours %v", h)
	}

	// Wall-clock times the zone skips or repeats fail, naming file, line, value.
	for _, c := range []struct{ text, what string }{
		{"ts\n2024-01-01 00:00\n2024-03-10 02:30\n", "nonexistent"},
		{"ts\n2024-11-03 01:30\n", "ambiguous"},
	} {
		p := write("bad.csv", c.text)
		_, err := ReadCSV(p, CSVOptions{ParseDates: []string{"ts"}, TimeZone: "America/New_York"}).Compute(ctx, opts()...)
		if err == nil || !strings.Contains(err.Error(), c.what) || !strings.Contains(err.Error(), "bad.csv") || !strings.Contains(err.Error(), "America/New_York") {
			t.Fatalf("%q: %v", c.text, err)
		}
	}
	if _, err := ReadCSV(p, CSVOptions{ParseDates: []string{"ts"}, TimeZone: "Mars/Olympus"}).Compute(ctx, opts()...); err == nil || !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Fatalf("unknown zone: %v", err)
	}

	// Random wall-clock times (DST days included) against the reference.
	rng := rand.New(rand.NewSource(12))
	for _, zone := range []string{"America/New_York", "Europe/Paris", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC"} {
		loc, _ := time.LoadLocation(zone)
		var sb strings.Builder
		sb.WriteString("ts,v\n")
		var wants []int64 // -1: null
		base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for len(wants) < 400 {
			w := base.Add(time.Duration(rng.Int63n(5*366*24*60)) * time.Minute)
			if rng.Intn(20) == 0 {
				// Around the clock changes, minute by minute.
				w = time.Date(2024, []time.Month{3, 10, 11, 4}[rng.Intn(4)], 1+rng.Intn(31), rng.Intn(4), rng.Intn(60), 0, 0, time.UTC)
			}
			if rng.Intn(15) == 0 {
				sb.WriteString(",0\n")
				wants = append(wants, -1)
				continue
			}
			ref := refLocalize(w, loc)
			if len(ref) != 1 {
				continue // skipped or repeated: the errors above
			}
			if rng.Intn(4) == 0 { // with an explicit offset: converted
				u := time.UnixMicro(ref[0]).In(loc)
				sb.WriteString(u.Format("2006-01-02T15:04:05-07:00") + ",1\n")
			} else {
				sb.WriteString(w.Format("2006-01-02 15:04:05") + ",2\n")
			}
			wants = append(wants, ref[0])
		}
		p := write("rand.csv", sb.String())
		tab, err := ReadCSV(p, CSVOptions{Types: map[string]CSVType{"ts": CSVTimestamp}, TimeZone: zone, BlockSize: 997}).Compute(ctx, opts()...)
		if err != nil {
			t.Fatalf("%s: %v", zone, err)
		}
		got, _ := tab.Times("ts")
		valid, _ := tab.Valid("ts")
		for i, w := range wants {
			if (w < 0) == valid[i] || (w >= 0 && got[i].UnixMicro() != w) {
				t.Fatalf("%s row %d: got %v (valid %v), want %d", zone, i, got[i], valid[i], w)
			}
		}
	}
}

func TestReadJSONTimeZone(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "a.jsonl")
	lines := []string{`{"ts": "2024-03-10 03:00:00", "v": 1}`, `{"ts": null, "v": 2}`, `{"ts": "2024-11-03T01:30:00-05:00", "v": 3}`, `{"ts": "2024-01-15 23:30:00", "v": 4}`}
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := []string{"2024-03-10 07:00:00", "", "2024-11-03 06:30:00", "2024-01-16 04:30:00"}
	check := func(f *Frame) {
		t.Helper()
		tab, err := f.Compute(ctx, opts()...)
		if err != nil {
			t.Fatal(err)
		}
		if z := typeZone(tab.Record().Schema().Field(tab.Record().Schema().FieldIndices("ts")[0]).Type); z != "America/New_York" {
			t.Fatalf("zone %q", z)
		}
		got, _ := tab.Times("ts")
		valid, _ := tab.Valid("ts")
		for i, w := range want {
			if (w == "") == valid[i] || (w != "" && got[i].UnixMicro() != utcOf(t, w)) {
				t.Fatalf("row %d: got %v, want %q", i, got[i], w)
			}
		}
	}
	check(ReadJSON(p, JSONOptions{TimeZone: "America/New_York"}))
	sch := arrow.NewSchema([]arrow.Field{{Name: "ts", Type: TimestampTZ("America/New_York")}, {Name: "v", Type: Int64}}, nil)
	check(ReadJSON(p, JSONOptions{Schema: sch}))
	bad := filepath.Join(t.TempDir(), "b.jsonl")
	if err := os.WriteFile(bad, []byte(`{"ts": "2024-03-10 02:30:00"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJSON(bad, JSONOptions{TimeZone: "America/New_York"}).Compute(ctx, opts()...); err == nil || !strings.Contains(err.Error(), "nonexistent") {
		t.Fatalf("nonexistent: %v", err)
	}
	if _, err := ReadJSON(p, JSONOptions{Schema: sch, TimeZone: "Europe/Paris"}).Compute(ctx, opts()...); err == nil || !strings.Contains(err.Error(), "Europe/Paris") {
		t.Fatalf("two zones: %v", err)
	}
	_ = fmt.Sprint
}
