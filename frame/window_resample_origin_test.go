package frame

import (
	"context"
	"math/rand"
	"slices"
	"testing"
	"time"
)

// A naive frequency that does not divide a day (7h, 2D, 5h) bins from the
// midnight of the first timestamp's day, as pandas' default origin
// "start_day" (pandas 1.5.3: the four rows below resample('7h') to
// 00:00 1.0, 07:00 2.0, 14:00 0.0, ...; resample('2D') to 03-09 6.0,
// 03-11 4.0), not from the Unix epoch.
func TestResampleStartDayOrigin(t *testing.T) {
	ctx := context.Background()
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ts := []time.Time{at("2024-03-09 05:00"), at("2024-03-09 13:00"), at("2024-03-10 09:00"), at("2024-03-11 02:00")}
	f := FromColumns(2, Column{"ts", ts}, Column{"v", []float64{1, 2, 3, 4}})
	for _, c := range []struct {
		freq  time.Duration
		first time.Time
		sums  []float64
	}{
		{7 * time.Hour, at("2024-03-09 00:00"), []float64{1, 2, 0, 0, 3, 0, 0, 4}},
		{48 * time.Hour, at("2024-03-09 00:00"), []float64{6, 4}},
	} {
		tab, err := f.Resample(c.freq).On("ts").Sum("v").Compute(ctx)
		if err != nil {
			t.Fatalf("%s: %v", c.freq, err)
		}
		got, err := tab.Float64s("v")
		if err != nil {
			t.Fatal(err)
		}
		tt, err := tab.Times("ts")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.sums) || !tt[0].Equal(c.first) {
			t.Fatalf("%s: first bin %v, sums %v; want %v, %v", c.freq, tt[0], got, c.first, c.sums)
		}
		for i := range got {
			if got[i] != c.sums[i] || !tt[i].Equal(c.first.Add(time.Duration(i)*c.freq)) {
				t.Fatalf("%s: bin %d at %v sum %v; want %v at %v", c.freq, i, tt[i], got[i], c.sums[i], c.first.Add(time.Duration(i)*c.freq))
			}
		}
	}
	// Random timestamps over uneven partitions against the rule written out.
	rng := rand.New(rand.NewSource(7))
	for _, freq := range []time.Duration{7 * time.Hour, 5 * time.Hour, 48 * time.Hour, 72 * time.Hour, 25 * time.Minute * 7} {
		n := 500 + rng.Intn(500)
		start := at("2023-12-30 17:20").UnixMicro()
		us := make([]int64, n)
		for i := range us {
			us[i] = start + rng.Int63n(20*usPerDay)
		}
		slices.Sort(us)
		times := make([]time.Time, n)
		vals := make([]float64, n)
		for i := range us {
			times[i] = time.UnixMicro(us[i]).UTC()
			vals[i] = float64(rng.Intn(100))
		}
		fu := freq.Microseconds()
		origin := floorDiv(us[0], usPerDay) * usPerDay
		want := map[int64]float64{}
		for i, u := range us {
			want[origin+floorDiv(u-origin, fu)*fu] += vals[i]
		}
		fr := FromColumns(1+rng.Intn(5), Column{"ts", times}, Column{"v", vals})
		tab, err := fr.Resample(freq).On("ts").Sum("v").Compute(ctx)
		if err != nil {
			t.Fatalf("%s: %v", freq, err)
		}
		got, _ := tab.Float64s("v")
		tt, _ := tab.Times("ts")
		seen := 0
		for i := range got {
			b := tt[i].UnixMicro()
			if (b-origin)%fu != 0 {
				t.Fatalf("%s: bin %v not on the grid from %v", freq, tt[i], time.UnixMicro(origin).UTC())
			}
			if w, ok := want[b]; ok {
				seen++
				if got[i] != w {
					t.Fatalf("%s: bin %v sum %v, want %v", freq, tt[i], got[i], w)
				}
			} else if got[i] != 0 {
				t.Fatalf("%s: empty bin %v sum %v", freq, tt[i], got[i])
			}
		}
		if seen != len(want) {
			t.Fatalf("%s: %d of %d bins", freq, seen, len(want))
		}
	}
}
