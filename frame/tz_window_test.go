package frame

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// zonedFrame is a frame of instants ts (UTC microseconds; null where
// tsNull) and values v, cut into partitions at cuts, with ts in zone.
func zonedFrame(t *testing.T, ts []int64, tsNull []bool, v []float64, cuts []int, zone string) *Frame {
	t.Helper()
	var recs []arrow.Record
	for k := 0; k+1 < len(cuts); k++ {
		lo, hi := cuts[k], cuts[k+1]
		tb := array.NewTimestampBuilder(memory.DefaultAllocator, &arrow.TimestampType{Unit: arrow.Microsecond})
		fb := array.NewFloat64Builder(memory.DefaultAllocator)
		for i := lo; i < hi; i++ {
			if tsNull != nil && tsNull[i] {
				tb.AppendNull()
			} else {
				tb.Append(arrow.Timestamp(ts[i]))
			}
			fb.Append(v[i])
		}
		sch := arrow.NewSchema([]arrow.Field{{Name: "t0", Type: Timestamp, Nullable: true}, {Name: "v", Type: Float64}}, nil)
		recs = append(recs, array.NewRecord(sch, []arrow.Array{tb.NewArray(), fb.NewArray()}, int64(hi-lo)))
	}
	f := FromRecords(recs...).WithColumn("ts", Col("t0").TZLocalize("UTC").TZConvert(zone)).SelectCols("ts", "v")
	if f.Err() != nil {
		t.Fatal(f.Err())
	}
	return f
}

func mustUTC(t *testing.T, s string) int64 {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UnixMicro()
}

func TestResampleZonedDaysAcrossDST(t *testing.T) {
	ctx := context.Background()
	// Every 30 minutes over three New York days around each clock change:
	// 2024-03-10 has 23 hours, 2024-11-03 has 25.
	for _, c := range []struct {
		from, to string
		sizes    []int64
		labels   []string
	}{
		{"2024-03-09T05:00:00Z", "2024-03-12T04:00:00Z", []int64{48, 46, 48}, []string{"2024-03-09T05:00:00Z", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z"}},
		{"2024-11-02T04:00:00Z", "2024-11-05T05:00:00Z", []int64{48, 50, 48}, []string{"2024-11-02T04:00:00Z", "2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z"}},
	} {
		var ts []int64
		var v []float64
		var null []bool
		for u := mustUTC(t, c.from); u < mustUTC(t, c.to); u += 30 * 60e6 {
			ts, v, null = append(ts, u), append(v, 1), append(null, false)
			if len(ts) == 40 { // a row without a timestamp: in no bin
				ts, v, null = append(ts, 0), append(v, 1000), append(null, true)
			}
		}
		for _, cuts := range [][]int{{0, len(ts)}, {0, 7, 7, 60, 100, len(ts)}} {
			f := zonedFrame(t, ts, null, v, cuts, "America/New_York")
			for _, r := range []*Resampler{f.Resample(24 * time.Hour).On("ts"), f.ResampleRule("D").On("ts")} {
				tab, err := r.Sum("v").Compute(ctx, opts()...)
				if err != nil {
					t.Fatal(err)
				}
				if z := typeZone(tab.Record().Schema().Field(0).Type); z != "America/New_York" {
					t.Fatalf("zone %q", z)
				}
				got, _ := tab.Times("ts")
				sums, _ := tab.Float64s("v")
				if len(got) != len(c.labels) {
					t.Fatalf("%s: %d bins %v, want %v", c.from, len(got), got, c.labels)
				}
				for i, l := range c.labels {
					if got[i].UnixMicro() != mustUTC(t, l) || sums[i] != float64(c.sizes[i]) {
						t.Fatalf("%s bin %d: %v sum %v, want %s sum %d", c.from, i, got[i], sums[i], l, c.sizes[i])
					}
				}
			}
			// Hourly bins are the instants' hours: the two 01:00 hours of
			// 2024-11-03 are two bins, and the day has 25.
			tab, err := f.Resample(time.Hour).On("ts").Size().Compute(ctx, opts()...)
			if err != nil {
				t.Fatal(err)
			}
			if want := (mustUTC(t, c.to) - mustUTC(t, c.from)) / 3600e6; int64(tab.NumRows()) != want {
				t.Fatalf("%s hourly: %d bins, want %d", c.from, tab.NumRows(), want)
			}
			sz, _ := tab.Int64s("size")
			for i, n := range sz {
				if n != 2 {
					t.Fatalf("%s hourly bin %d: %d rows", c.from, i, n)
				}
			}
		}
	}
}

func TestResampleZonedAgainstReference(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(12))
	for _, zone := range []string{"America/New_York", "Europe/Paris", "Asia/Kathmandu", "Australia/Lord_Howe"} {
		loc, _ := time.LoadLocation(zone)
		n := 600
		ts, v, null := make([]int64, n), make([]float64, n), make([]bool, n)
		cur := mustUTC(t, "2024-03-01T00:00:00Z")
		for i := range ts {
			cur += rng.Int63n(6 * 3600e6)
			ts[i], v[i], null[i] = cur, float64(rng.Intn(100)), rng.Intn(25) == 0
		}
		if rng.Intn(2) == 0 { // not sorted: bins by table
			rng.Shuffle(n, func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
		}
		cuts := []int{0, rng.Intn(n), n}
		sortInts(cuts)
		f := zonedFrame(t, ts, null, v, cuts, zone)
		first := int64(math.MaxInt64)
		for i, u := range ts {
			if !null[i] {
				first = min(first, u)
			}
		}
		for _, freq := range []time.Duration{24 * time.Hour, 48 * time.Hour, time.Hour, 3 * time.Hour, 40 * time.Minute, 7 * time.Hour} {
			fu := freq.Microseconds()
			// The reference: pandas' bins.
			binOf := func(u int64) int64 {
				lt := time.UnixMicro(u).In(loc)
				if fu%usPerDay == 0 {
					days := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, time.UTC).UnixMicro() / usPerDay
					d := floorDiv(days, fu/usPerDay) * (fu / usPerDay)
					y, m, dd := time.UnixMicro(d * usPerDay).UTC().Date()
					return time.Date(y, m, dd, 0, 0, 0, 0, loc).UnixMicro()
				}
				fl := time.UnixMicro(first).In(loc)
				origin := time.Date(fl.Year(), fl.Month(), fl.Day(), 0, 0, 0, 0, loc).UnixMicro()
				return origin + floorDiv(u-origin, fu)*fu
			}
			sums := map[int64]float64{}
			for i, u := range ts {
				if !null[i] {
					sums[binOf(u)] += v[i]
				}
			}
			tab, err := f.Resample(freq).On("ts").Sum("v").Compute(ctx, opts()...)
			if err != nil {
				t.Fatalf("%s %s: %v", zone, freq, err)
			}
			got, _ := tab.Times("ts")
			gs, _ := tab.Float64s("v")
			seen := 0
			for i, g := range got {
				if i > 0 && !g.After(got[i-1]) {
					t.Fatalf("%s %s: bins not ascending at %d", zone, freq, i)
				}
				w, ok := sums[g.UnixMicro()]
				if ok {
					seen++
				}
				if w != gs[i] {
					t.Fatalf("%s %s: bin %v sum %v, want %v", zone, freq, g.In(loc), gs[i], w)
				}
			}
			if seen != len(sums) {
				t.Fatalf("%s %s: %d bins with rows, want %d", zone, freq, seen, len(sums))
			}
		}
	}
}

// RollingTime is a fixed duration of instants, as pandas' rolling("1D")
// (a Tick of 24 hours, whatever the zone's clock changes); the zone is
// kept on the timestamps.
func TestRollingTimeZoned(t *testing.T) {
	ctx := context.Background()
	var ts []int64
	var v []float64
	for u := mustUTC(t, "2024-11-02T04:00:00Z"); u < mustUTC(t, "2024-11-05T05:00:00Z"); u += 3600e6 {
		ts, v = append(ts, u), append(v, 1)
	}
	f := zonedFrame(t, ts, nil, v, []int{0, 10, 30, len(ts)}, "America/New_York")
	tab, err := f.RollingTime(24*time.Hour).On("ts").Sum("v").Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if z := typeZone(tab.Record().Schema().Field(0).Type); z != "America/New_York" {
		t.Fatalf("zone %q", z)
	}
	s, _ := tab.Float64s("v")
	for i, x := range s {
		if want := float64(min(i+1, 24)); x != want {
			t.Fatalf("row %d: %v, want %v", i, x, want)
		}
	}
}

func TestMergeAsofZonedKeys(t *testing.T) {
	ctx := context.Background()
	// Left in New York, right in Tokyo: matched by instant.
	lts := []int64{mustUTC(t, "2024-11-03T05:30:00Z"), mustUTC(t, "2024-11-03T06:30:00Z"), mustUTC(t, "2024-11-03T07:00:00Z")}
	rts := []int64{mustUTC(t, "2024-11-03T05:00:00Z"), mustUTC(t, "2024-11-03T06:00:00Z"), mustUTC(t, "2024-11-03T06:45:00Z")}
	l := zonedFrame(t, lts, nil, []float64{1, 2, 3}, []int{0, 1, 3}, "America/New_York")
	r := zonedFrame(t, rts, nil, []float64{10, 20, 30}, []int{0, 3}, "Asia/Tokyo").Rename(map[string]string{"v": "q"})
	tab, err := l.MergeAsof(r, AsofOptions{On: "ts"}).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	q, _ := tab.Float64s("q")
	if q[0] != 10 || q[1] != 20 || q[2] != 30 {
		t.Fatalf("q %v", q)
	}
	if z := typeZone(tab.Record().Schema().Field(0).Type); z != "America/New_York" {
		t.Fatalf("the key keeps the left's zone: %q", z)
	}
	tab, err = l.MergeAsof(r.Rename(map[string]string{"ts": "rts"}), AsofOptions{LeftOn: "ts", RightOn: "rts", Direction: "forward"}).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	q, _ = tab.Float64s("q")
	if q[0] != 20 || q[1] != 30 || !math.IsNaN(q[2]) {
		t.Fatalf("forward q %v", q)
	}
	if z := typeZone(tab.Record().Schema().Field(tab.Record().Schema().FieldIndices("rts")[0]).Type); z != "Asia/Tokyo" {
		t.Fatalf("the right key keeps its zone: %q", z)
	}
	// Naive against zoned: an error naming both.
	naive := l.WithColumn("ts", Col("ts").TZLocalize(""))
	_, err = naive.MergeAsof(r, AsofOptions{On: "ts"}).Compute(ctx, opts()...)
	if err == nil || !strings.Contains(err.Error(), "Asia/Tokyo") || !strings.Contains(err.Error(), "naive") {
		t.Fatalf("naive with zoned: %v", err)
	}
}
