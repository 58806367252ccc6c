package frame

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v15/arrow"
)

// Resample over calendar rules against pandas (testdata/issue12,
// gen_resample_cal.py): months, quarters, years and weeks, start and end
// labelled, with counts; NaT rows and NaN values in the input, cut into
// uneven partitions (an empty one among them, and bins cut by boundaries).
func TestResampleRuleCalendarAgainstPandas(t *testing.T) {
	in := compute(t, ReadCSV(filepath.Join("testdata", "issue12", "resample_cal_input.csv"), CSVOptions{ParseDates: []string{"ts"}}))
	r := in.Record()
	var recs []arrow.Record
	cuts := []int64{0, 33, 33, 150, 151, 290, r.NumRows()}
	for i := 0; i+1 < len(cuts); i++ {
		recs = append(recs, r.NewSlice(cuts[i], cuts[i+1]))
	}
	f := FromRecords(recs...)
	for _, rule := range []string{"MS", "M", "W", "W-MON", "QS", "Q", "AS", "A", "2MS", "2M", "3W", "D"} {
		want := compute(t, ReadCSV(filepath.Join("testdata", "issue12", "resample_cal_"+rule+".csv"), CSVOptions{ParseDates: []string{"ts"}}))
		rs := f.ResampleRule(rule).On("ts")
		for _, agg := range []struct {
			name string
			f    *Frame
		}{{"mean", rs.Mean("v")}, {"sum", rs.Sum("v")}, {"count", rs.Count("v")}} {
			got := compute(t, agg.f.Rename(map[string]string{"v": agg.name}))
			sameLoose(t, rule+" "+agg.name, got, compute(t, want.Frame().SelectCols("ts", agg.name)))
		}
	}
	// Rule spelt with the pandas 2.2 names too.
	a := compute(t, f.ResampleRule("ME").On("ts").Sum("v"))
	b := compute(t, f.ResampleRule("M").On("ts").Sum("v"))
	sameLoose(t, "ME", a, b)
	for _, bad := range []string{"", "X", "0MS", "W-XYZ", "M-JAN"} {
		if err := f.ResampleRule(bad).On("ts").Mean("v").Err(); err == nil || !strings.Contains(err.Error(), "ResampleRule") {
			t.Fatalf("rule %q: %v", bad, err)
		}
	}
}
