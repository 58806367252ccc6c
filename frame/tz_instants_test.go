package frame

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
)

// TestZonedInputsAreInstants: timestamps with a UTC offset in a CSV, and
// Arrow timestamp[unit, tz] columns of different units and zones, are read
// as the instants they name (UTC), so columns of different zones compare
// by instant; the zone is kept on the column's type (tz_type.go).
func TestZonedInputsAreInstants(t *testing.T) {
	ctx := context.Background()
	// pandas 1.5.3: pd.to_datetime(vals, utc=True).tz_localize(None)
	vals := []string{"2024-03-10T01:30:00-05:00", "2024-03-10T03:30:00-04:00", "2024-11-03T01:30:00-04:00", "2024-11-03T01:30:00-05:00", "2024-07-01T12:00:00Z", "2024-07-01T17:30:00+05:30", ""}
	want := []string{"2024-03-10 06:30:00", "2024-03-10 07:30:00", "2024-11-03 05:30:00", "2024-11-03 06:30:00", "2024-07-01 12:00:00", "2024-07-01 12:00:00", ""}
	dir := t.TempDir()
	body := "t\n"
	for _, v := range vals {
		body += v + "\n"
	}
	if err := os.WriteFile(filepath.Join(dir, "z.csv"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	tab, err := ReadCSV(filepath.Join(dir, "*.csv"), CSVOptions{ParseDates: []string{"t"}}).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		g := tab.Value(i, "t")
		if w == "" {
			if g != nil {
				t.Fatalf("row %d: got %v, want null", i, g)
			}
			continue
		}
		if s := g.(time.Time).UTC().Format("2006-01-02 15:04:05"); s != w {
			t.Fatalf("row %d (%s): got %s, pandas %s", i, vals[i], s, w)
		}
	}

	// The same instants as timestamp[ms, Europe/Paris] and timestamp[s,
	// Asia/Tokyo] (Arrow stores zoned timestamps as UTC): equal row by row.
	inst := []int64{-86400, 0, 1710052200, 1730615400, 1719835200}
	mem := memory.NewGoAllocator()
	paris := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "Europe/Paris"})
	tokyo := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Second, TimeZone: "Asia/Tokyo"})
	for _, s := range inst {
		paris.Append(arrow.Timestamp(s * 1000))
		tokyo.Append(arrow.Timestamp(s))
	}
	paris.AppendNull()
	tokyo.AppendNull()
	pa, ta := paris.NewArray(), tokyo.NewArray()
	r := array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "p", Type: pa.DataType(), Nullable: true}, {Name: "k", Type: ta.DataType(), Nullable: true}}, nil), []arrow.Array{pa, ta}, int64(pa.Len()))
	tab, err = FromRecords(r).Select(Col("p").Eq(Col("k")).Alias("eq"), Col("p"), Col("p").Hour().Alias("h")).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	parisLoc, _ := time.LoadLocation("Europe/Paris")
	for i, s := range inst {
		if tab.Value(i, "eq") != true {
			t.Fatalf("row %d: Paris and Tokyo columns of the same instant differ", i)
		}
		if g := tab.Value(i, "p").(time.Time).UnixMicro(); g != s*1e6 {
			t.Fatalf("row %d: instant %d, want %d", i, g, s*1e6)
		}
		if h := tab.Value(i, "h"); h != int64(time.Unix(s, 0).In(parisLoc).Hour()) {
			t.Fatalf("row %d: hour %v (the hour in Paris wanted: the zone is kept)", i, h)
		}
	}
	if tab.Value(len(inst), "eq") != nil || tab.Value(len(inst), "p") != nil {
		t.Fatalf("null row: %v %v", tab.Value(len(inst), "eq"), tab.Value(len(inst), "p"))
	}
}
