package frame

import (
	"context"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	pqio "github.com/godask/godask/io/parquet"
)

// dateRecord holds a Date column "d", a Timestamp column "t" and a second
// Timestamp "u", with nulls where null[i].
func dateRecord(days []int64, us, us2 []int64, null []bool) arrow.Record {
	valid := make([]bool, len(null))
	for i := range null {
		valid[i] = !null[i]
	}
	cols := []arrow.Array{dateArray(days, valid), timeArray(us, valid), timeArray(us2, nil)}
	return array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "d", Type: Date32, Nullable: true}, {Name: "t", Type: Timestamp, Nullable: true}, {Name: "u", Type: Timestamp, Nullable: true}}, nil), cols, int64(len(days)))
}

func randDates(rng *rand.Rand, n int) ([]int64, []int64, []int64, []bool) {
	days, us, us2 := make([]int64, n), make([]int64, n), make([]int64, n)
	null := make([]bool, n)
	for i := range days {
		days[i] = int64(rng.Intn(200000) - 100000) // about 1696..2243
		if i < 8 {
			// Month ends and leap days.
			days[i] = Date(2024, 1, 31).n.lit.i + int64([]int{0, 29, 30, 59, 60, 365, 366, -365}[i])
		}
		us[i] = days[i]*usPerDay + rng.Int63n(usPerDay)
		us2[i] = rng.Int63n(1<<52) - 1<<51
		null[i] = rng.Intn(7) == 0
	}
	return days, us, us2, null
}

func civil(days int64) time.Time { return time.Unix(days*86400, 0).UTC() }

// addMonthsRef clamps as SQL does, through Go's time package.
func addMonthsRef(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	d := t.Day()
	if d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}

func TestDateArithmeticAndFieldsAgainstTime(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	days, us, us2, null := randDates(rng, 500)
	r := dateRecord(days, us, us2, null)
	for _, n := range []int{0, 1, -1, 13, -25, 1200} {
		ad := evalCells(t, Col("d").AddDays(n), r)
		am := evalCells(t, Col("d").AddMonths(n), r)
		ay := evalCells(t, Col("d").AddYears(n), r)
		tm := evalCells(t, Col("t").AddMonths(n), r)
		td := evalCells(t, Col("t").AddDays(n), r)
		for i := range days {
			if null[i] {
				if ad[i] != nil || am[i] != nil || tm[i] != nil {
					t.Fatal("null input gave a value")
				}
				continue
			}
			c := civil(days[i])
			ts := time.UnixMicro(us[i]).UTC()
			if w := c.AddDate(0, 0, n); ad[i] != w {
				t.Fatalf("%s AddDays(%d): got %v, want %v", c, n, ad[i], w)
			}
			if w := addMonthsRef(c, n); am[i] != w {
				t.Fatalf("%s AddMonths(%d): got %v, want %v", c, n, am[i], w)
			}
			if w := addMonthsRef(c, 12*n); ay[i] != w {
				t.Fatalf("%s AddYears(%d): got %v, want %v", c, n, ay[i], w)
			}
			if w := addMonthsRef(ts, n); tm[i] != w {
				t.Fatalf("%s AddMonths(%d): got %v, want %v", ts, n, tm[i], w)
			}
			if w := ts.AddDate(0, 0, n); td[i] != w {
				t.Fatalf("%s AddDays(%d): got %v, want %v", ts, n, td[i], w)
			}
		}
	}
	fields := map[string]func(time.Time) int64{
		"year": func(t time.Time) int64 { return int64(t.Year()) }, "month": func(t time.Time) int64 { return int64(t.Month()) },
		"day": func(t time.Time) int64 { return int64(t.Day()) }, "dayofyear": func(t time.Time) int64 { return int64(t.YearDay()) },
		"quarter": func(t time.Time) int64 { return int64(t.Month()-1)/3 + 1 }, "weekday": func(t time.Time) int64 { return int64(t.Weekday()+6) % 7 },
		"hour": func(t time.Time) int64 { return int64(t.Hour()) }, "minute": func(t time.Time) int64 { return int64(t.Minute()) },
		"second": func(t time.Time) int64 { return int64(t.Second()) },
	}
	for op, ref := range fields {
		for _, c := range []string{"d", "t", "u"} {
			got := evalCells(t, Col(c).un(op), r)
			for i := range days {
				var tt time.Time
				switch c {
				case "d":
					tt = civil(days[i])
				case "t":
					tt = time.UnixMicro(us[i]).UTC()
				default:
					tt = time.UnixMicro(us2[i]).UTC()
				}
				if c != "u" && null[i] {
					continue
				}
				if got[i] != ref(tt) {
					t.Fatalf("%s of %s %v: got %v, want %d", op, c, tt, got[i], ref(tt))
				}
			}
		}
	}
	// Differences and durations.
	dd := evalCells(t, Col("d").Sub(Col("d").AddDays(-7)), r)
	tt := evalCells(t, Col("t").Sub(Col("u")), r)
	back := evalCells(t, Col("u").Add(Col("t").Sub(Col("u"))), r)
	secs := evalCells(t, Col("t").Sub(Col("u")).TotalSeconds(), r)
	dplus := evalCells(t, Col("d").Add(Lit(36*time.Hour)), r)
	for i := range days {
		if null[i] {
			continue
		}
		if dd[i] != int64(7) {
			t.Fatalf("date - date: got %v", dd[i])
		}
		w := time.Duration(us[i]-us2[i]) * time.Microsecond
		if tt[i] != w {
			t.Fatalf("ts - ts: got %v, want %v", tt[i], w)
		}
		if back[i] != time.UnixMicro(us[i]).UTC() {
			t.Fatalf("u + (t - u): got %v", back[i])
		}
		if math.Abs(secs[i].(float64)-float64(us[i]-us2[i])/1e6) > 1e-6 {
			t.Fatalf("TotalSeconds: got %v", secs[i])
		}
		if dplus[i] != civil(days[i]).Add(36*time.Hour) {
			t.Fatalf("date + 36h: got %v", dplus[i])
		}
	}
}

func TestDateComparisonsAndLiterals(t *testing.T) {
	ctx := context.Background()
	days := []int64{Date(1998, 9, 2).n.lit.i, Date(1998, 12, 1).n.lit.i, Date(1998, 12, 2).n.lit.i, Date(1970, 1, 1).n.lit.i}
	r := dateRecord(days, []int64{0, 0, 0, 0}, []int64{0, 0, 0, 0}, make([]bool, 4))
	f := FromRecords(r)
	for _, c := range []struct {
		e    Expr
		want int
	}{
		{Col("d").Le(Date(1998, 12, 1)), 3},
		{Col("d").Le(Date(1998, 12, 1).AddDays(-90)), 2},
		{Col("d").Lt(Lit("1998-12-02")), 3},
		{Col("d").Ge(Lit(time.Date(1998, 12, 1, 0, 0, 0, 0, time.UTC))), 2},
		{Col("d").Gt(Lit(time.Date(1998, 12, 1, 0, 0, 1, 0, time.UTC))), 1},
		{Col("d").Eq(Date(1970, 1, 1)), 1},
		{Col("d").Sub(Date(1998, 1, 1)).Gt(Lit(240)), 3},
		{Col("d").Cast(Timestamp).Cast(Date32).Eq(Col("d")), 4},
		{Col("d").Cast(String).Cast(Date32).Eq(Col("d")), 4},
	} {
		tab, err := f.Filter(c.e).Compute(ctx, opts()...)
		if err != nil {
			t.Fatalf("%s: %v", c.e, err)
		}
		if tab.NumRows() != c.want {
			t.Fatalf("%s: %d rows, want %d", c.e, tab.NumRows(), c.want)
		}
	}
	if s := Date(1998, 12, 1).AddDays(-90).String(); !strings.Contains(s, "1998-12-01") {
		t.Fatalf("String: %s", s)
	}
	if got := Date(2024, 2, 30).n.lit.i; got != Date(2024, 3, 1).n.lit.i {
		t.Fatalf("Date normalizes: %d", got)
	}
	// A Date column prints as dates and Value gives midnight UTC.
	tab, _ := f.Compute(ctx, opts()...)
	if v := tab.Value(1, "d"); v != time.Date(1998, 12, 1, 0, 0, 0, 0, time.UTC) {
		t.Fatalf("Value: %v", v)
	}
	if !strings.Contains(tab.String(), "1998-12-01") {
		t.Fatalf("printed:\n%s", tab)
	}
	// Type errors.
	for _, e := range []Expr{Col("d").Add(Col("d")), Col("d").Eq(Lit(3)), Col("t").Sub(Col("d")).Mul(Lit(2.5)), Lit(3).AddDays(1)} {
		if _, err := f.Select(e).Compute(ctx, opts()...); err == nil {
			t.Fatalf("%s: want a type error", e)
		}
	}
}

func TestDateArithmeticOverflowIsAnError(t *testing.T) {
	ctx := context.Background()
	r := dateRecord([]int64{math.MaxInt32, math.MinInt32}, []int64{math.MaxInt64, math.MinInt64}, []int64{math.MinInt64, math.MaxInt64}, make([]bool, 2))
	f := FromRecords(r)
	for _, e := range []Expr{Col("d").AddDays(1), Col("d").AddDays(-1), Col("d").AddMonths(1), Col("t").AddDays(1), Col("t").Sub(Col("u")),
		Col("d").Add(Lit(1)), Col("t").AddMonths(-1), Col("d").AddDays(math.MaxInt), Col("d").AddMonths(math.MinInt), Col("d").Cast(Timestamp),
		Col("t").Add(Lit(time.Duration(math.MinInt64)))} {
		_, err := f.Select(e.Alias("x")).Compute(ctx, opts()...)
		if err == nil || !strings.Contains(err.Error(), "out of the") {
			t.Fatalf("%s: want an out-of-range error, got %v", e, err)
		}
	}
	// Extremes that fit are exact.
	tab, err := f.Select(Col("d").Year().Alias("y"), Col("d").AddDays(0).Alias("d0")).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Value(0, "y") != int64(5881580) || tab.Value(1, "y") != int64(-5877641) {
		t.Fatalf("years of the date32 extremes: %v %v", tab.Value(0, "y"), tab.Value(1, "y"))
	}
}

func TestDateReadersKeepDates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	csv := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(csv, []byte("k,d\n1,1998-12-01\n2,1992-01-02\n3,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := ReadCSV(csv, CSVOptions{Types: map[string]CSVType{"d": CSVDate}})
	tab, err := f.Filter(Col("d").Le(Date(1995, 1, 1))).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if tab.NumRows() != 1 || tab.Column("d").DataType().ID() != arrow.DATE32 {
		t.Fatalf("csv date: %d rows, type %s", tab.NumRows(), tab.Column("d").DataType())
	}
	// A value with a time of day is not a date: an error naming file, line and value.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("k,d\n1,1998-12-01\n2,1998-12-01 10:00:00\n"), 0o644)
	_, err = ReadCSV(bad, CSVOptions{Types: map[string]CSVType{"d": CSVDate}}).Compute(ctx, opts()...)
	if err == nil || !strings.Contains(err.Error(), "bad.csv") || !strings.Contains(err.Error(), "bad.csv:3:") || !strings.Contains(err.Error(), "10:00") {
		t.Fatalf("bad date: %v", err)
	}
	// Parquet round trip: date32 stays a Date, row groups prune by date.
	pq := filepath.Join(dir, "pq")
	all, _ := ReadCSV(csv, CSVOptions{Types: map[string]CSVType{"d": CSVDate}}).Compute(ctx, opts()...)
	if err := all.Frame().WriteParquet(ctx, pq, "snappy", opts()...); err != nil {
		t.Fatal(err)
	}
	back, err := ReadParquet(filepath.Join(pq, "*.parquet")).Filter(Col("d").Gt(Date(1995, 1, 1))).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if back.NumRows() != 1 || back.Column("d").DataType().ID() != arrow.DATE32 || back.Value(0, "k") != int64(1) {
		t.Fatalf("parquet date: %d rows, type %s", back.NumRows(), back.Column("d").DataType())
	}
	if mayMatch(Col("d").Gt(Date(1995, 1, 1)).n, map[string]pqio.Stat{"d": {Has: true, Min: int64(0), Max: Date(1994, 1, 1).n.lit.i}}) {
		t.Fatal("a row group of earlier dates was not pruned")
	}
}

func TestTimestampColumnsPrintConsistently(t *testing.T) {
	day := int64(usPerDay)
	tab := &Table{rec: array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "a", Type: Timestamp}, {Name: "b", Type: Timestamp}, {Name: "c", Type: Timestamp}}, nil),
		[]arrow.Array{timeArray([]int64{0, day}, nil), timeArray([]int64{0, day + 3600e6}, nil), timeArray([]int64{0, 1500000}, nil)}, 2)}
	s := tab.String()
	// pandas: a column of midnights prints as dates; one value with a time
	// makes the whole column print times; a fraction gives every value six
	// decimals.
	for _, want := range []string{"1970-01-02", "1970-01-01 00:00:00", "1970-01-02 01:00:00", "1970-01-01 00:00:00.000000", "1970-01-01 00:00:01.500000"} {
		if !strings.Contains(s, want) {
			t.Fatalf("missing %q in\n%s", want, s)
		}
	}
	if strings.Contains(s, "1970-01-02 00:00:00") {
		t.Fatalf("midnight column printed with times:\n%s", s)
	}
}
