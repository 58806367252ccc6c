package frame

import (
	"context"
	"github.com/apache/arrow/go/v15/arrow"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"
)

func TestTimeZonesAgainstPandasAndGo(t *testing.T) {
	parse := func(ss ...string) []int64 {
		out := make([]int64, len(ss))
		for i, s := range ss {
			v, err := parseTime(s)
			if err != nil {
				t.Fatal(err)
			}
			out[i] = v
		}
		return out
	}
	format := func(v any) string { return v.(time.Time).UTC().Format("2006-01-02 15:04:05") }
	// pandas: s.dt.tz_localize("UTC").dt.tz_convert("America/New_York").dt.tz_localize(None)
	r := tsRecord(parse("2024-03-10 06:59:59", "2024-03-10 07:00:00", "2024-11-03 05:30:00", "2024-11-03 06:30:00", "2024-07-01 12:00:00"))
	want := []string{"2024-03-10 01:59:59", "2024-03-10 03:00:00", "2024-11-03 01:30:00", "2024-11-03 01:30:00", "2024-07-01 08:00:00"}
	for i, g := range frameCells(t, Col("t").TZLocalize("UTC").TZConvert("America/New_York").TZLocalize(""), r) {
		if format(g) != want[i] {
			t.Fatalf("TZConvert row %d: got %s, pandas %s", i, format(g), want[i])
		}
	}
	hours := frameCells(t, Col("t").TZLocalize("UTC").TZConvert("America/New_York").Hour(), r)
	if hours[1] != int64(3) || hours[4] != int64(8) {
		t.Fatalf("hours in New York: %v", hours)
	}
	// pandas: w.dt.tz_localize("America/New_York", ambiguous=True).dt.tz_convert("UTC")
	w := tsRecord(parse("2024-07-01 08:00:00", "2024-01-15 23:30:00", "2024-11-03 01:30:00"))
	want = []string{"2024-07-01 12:00:00", "2024-01-16 04:30:00", "2024-11-03 05:30:00"}
	for i, g := range frameCells(t, Col("t").TZLocalizeWith("America/New_York", TZOptions{Ambiguous: "earliest"}), w) {
		if format(g) != want[i] {
			t.Fatalf("TZLocalize row %d: got %s, pandas %s", i, format(g), want[i])
		}
	}
	// Random instants against Go's time.In, and localize(convert(x)) == x
	// away from ambiguous hours.
	rng := rand.New(rand.NewSource(8))
	us := make([]int64, 300)
	for i := range us {
		us[i] = rng.Int63n(4e15) - 2e15
	}
	r = tsRecord(us)
	for _, zone := range []string{"Europe/Paris", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"} {
		loc, _ := time.LoadLocation(zone)
		conv := frameCells(t, Col("t").TZLocalize("UTC").TZConvert(zone).TZLocalize(""), r)
		back := frameCells(t, Col("t").TZLocalize("UTC").TZConvert(zone).TZLocalize("").TZLocalizeWith(zone, TZOptions{Ambiguous: "earliest", Nonexistent: "shift_forward"}), r)
		for i, v := range us {
			lt := time.UnixMicro(v).In(loc)
			wall := time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), time.UTC)
			if conv[i] != wall {
				t.Fatalf("%s of %d: got %v, want %v", zone, v, conv[i], wall)
			}
			if b := back[i].(time.Time).UnixMicro(); b != v {
				// An ambiguous wall time maps to its first instant.
				if d := v - b; d < 0 || d > 2*3600e6 {
					t.Fatalf("%s round trip of %d: %d", zone, v, b)
				}
			}
		}
	}
	ctx := context.Background()
	f := FromRecords(tsRecord([]int64{0, math.MaxInt64}))
	if _, err := f.Select(Col("t").TZLocalize("UTC").TZConvert("Mars/Olympus")).Compute(ctx, opts()...); err == nil || !strings.Contains(err.Error(), `"Mars/Olympus"`) {
		t.Fatalf("unknown zone: %v", err)
	}
	if _, err := f.Select(Col("t").TZLocalize("UTC")).Compute(ctx, opts()...); err == nil || !strings.Contains(err.Error(), "out of the") {
		t.Fatalf("extreme instant: %v", err)
	}
}

// frameCells computes e over the one-partition frame of r and returns its
// cells (Values), through Select, so the zones are bound as for a user.
func frameCells(t *testing.T, e Expr, r arrow.Record) []any {
	t.Helper()
	tab, err := FromRecords(r).Select(e.Alias("x")).Compute(context.Background(), opts()...)
	if err != nil {
		t.Fatalf("%s: %v", e, err)
	}
	out := make([]any, tab.NumRows())
	for i := range out {
		out[i] = tab.Value(i, "x")
	}
	return out
}
