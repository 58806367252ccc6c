package frame

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/godask/godask/sched"
)

// badRowsData writes the same n rows (id, x, s) as CSV and as JSON lines,
// with a malformed x (or a short row) on every line index in bad, and
// returns the paths and the reference sum of id over the good rows.
func badRowsData(t *testing.T, n int, bad map[int]bool) (string, string, int64) {
	t.Helper()
	var c, j strings.Builder
	c.WriteString("id,x,s\n")
	var want int64
	for i := 0; i < n; i++ {
		switch {
		case bad[i] && i%2 == 0:
			fmt.Fprintf(&c, "%d,oops,é%d\n", i, i)
			fmt.Fprintf(&j, "{\"id\": %d, \"x\": \"oops\", \"s\": \"é%d\"}\n", i, i)
		case bad[i]:
			fmt.Fprintf(&c, "%d,%d.5,e%d,extra\n", i, i, i)
			fmt.Fprintf(&j, "{\"id\": %d, \"x\": true, \"s\": \"e%d\"}\n", i, i)
		default:
			want += int64(i)
			fmt.Fprintf(&c, "%d,%d.5,e%d\n", i, i, i)
			fmt.Fprintf(&j, "{\"id\": %d, \"x\": %d.5, \"s\": \"e%d\"}\n", i, i, i)
		}
	}
	dir := t.TempDir()
	cp, jp := filepath.Join(dir, "d.csv"), filepath.Join(dir, "d.jsonl")
	os.WriteFile(cp, []byte(c.String()), 0o644)
	os.WriteFile(jp, []byte(j.String()), 0o644)
	return cp, jp, want
}

// TestSkipBadWholeRow: with SkipBad a row with a bad value in a column the
// query does not read is still skipped, so sum(id) is the same alone and
// next to sum(x) (it was 6 alone and 4 with sum(x) in the example),
// and a SkipReport counts each skipped row once, with its line.
func TestSkipBadWholeRow(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	n := 3000
	bad := map[int]bool{21: true}
	for len(bad) < 40 {
		bad[20+rng.Intn(n-20)] = true
	}
	cp, jp, want := badRowsData(t, n, bad)
	readers := map[string]func(int64) *Frame{
		"csv": func(bs int64) *Frame {
			return ReadCSV(cp, CSVOptions{SkipBad: true, BlockSize: bs, Types: map[string]CSVType{"x": CSVFloat64}})
		},
		"jsonl": func(bs int64) *Frame {
			return ReadJSON(jp, JSONOptions{SkipBad: true, BlockSize: bs, SampleRows: 20})
		},
	}
	for name, read := range readers {
		for _, bs := range []int64{-1, 1024} {
			f := read(bs)
			if f.Err() != nil {
				t.Fatal(f.Err())
			}
			alone, err := f.Sum("id").Compute(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := alone.Value(0, "id"); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s block %d: sum(id) alone = %v, want %d", name, bs, got, want)
			}
			var rep SkipReport
			res, err := sched.Compute(context.Background(), []sched.Collection{f.Sum("id"), f.Sum("x"), f.SelectCols("s")}, sched.WithObserver(&rep))
			if err != nil {
				t.Fatal(err)
			}
			if got := res[0].(*Table).Value(0, "id"); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s block %d: sum(id) with sum(x) = %v, want %d", name, bs, got, want)
			}
			if got := res[2].(*Table).NumRows(); got != n-len(bad) {
				t.Errorf("%s block %d: %d rows of s, want %d", name, bs, got, n-len(bad))
			}
			if rep.Rows() != len(bad) {
				t.Errorf("%s block %d: SkipReport counts %d rows, want %d", name, bs, rep.Rows(), len(bad))
			}
			lines := rep.Lines()
			if len(lines) != len(bad) {
				t.Fatalf("%s block %d: %d lines listed, want %d", name, bs, len(lines), len(bad))
			}
			for _, l := range lines {
				row := int(l.Line) - 1 // 0-based data row
				if name == "csv" {
					row-- // the header
				}
				if !bad[row] || l.Path == "" || l.Msg == "" {
					t.Errorf("%s block %d: listed %s:%d (%s), not a bad row", name, bs, l.Path, l.Line, l.Msg)
				}
			}
		}
	}
}

// TestSkipReportCapped: a range skipping more rows than files.MaxBadRows
// counts them all and lists the first MaxBadRows.
func TestSkipReportCapped(t *testing.T) {
	bad := map[int]bool{}
	for i := 0; i < 500; i += 2 {
		bad[i] = true
	}
	cp, _, _ := badRowsData(t, 500, bad)
	var rep SkipReport
	tab, err := ReadCSV(cp, CSVOptions{SkipBad: true, BlockSize: -1, Types: map[string]CSVType{"x": CSVFloat64}}).Compute(context.Background(), sched.WithObserver(&rep))
	if err != nil || tab.NumRows() != 250 {
		t.Fatalf("%v %v", tab, err)
	}
	if rep.Rows() != 250 || len(rep.Lines()) != 100 || rep.Lines()[0].Line != 2 {
		t.Fatalf("rows %d lines %d first %v", rep.Rows(), len(rep.Lines()), rep.Lines()[0])
	}
}
