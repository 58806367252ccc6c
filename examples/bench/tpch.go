package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
)

func init() { suites["tpch"] = tpchSuite }

// tpchSuite runs "tpch -data DIR -mode e2e|mem [-q q1,q5] [-answers DIR]":
// the 22 TPC-H queries (tpchQueries) over the Parquet tables that
// "gen tpch" writes, one line per query in the format of
// peers/tpch_duckdb.mjs; with -answers, each answer is compared with the
// CSV the DuckDB peer wrote for it (match=true|false).
func tpchSuite(args []string) error {
	fs := flag.NewFlagSet("tpch", flag.ExitOnError)
	data := fs.String("data", "", "folder of the eight TPC-H Parquet tables")
	mode := fs.String("mode", "e2e", "e2e: every query reads Parquet; mem: Persist the tables first")
	only := fs.String("q", "", "comma-separated queries (default all 22)")
	answers := fs.String("answers", "", "folder of DuckDB's answers (qN.csv) to compare with")
	sfFlag := fs.Float64("sf", 0, "scale factor (q11's fraction); default from the size of supplier")
	prof := fs.String("cpuprofile", "", "write a CPU profile here")
	heapProf := fs.String("heapprofile", "", "write a heap profile of the live data here after loading (mem: the persisted tables)")
	memLimit := fs.Int64("memlimit", 0, "memory limit of every run in bytes (sched.WithMemoryLimit); 0: the default")
	explainOnly := fs.Bool("explain", false, "print each query's optimized plan (Frame.Explain) instead of running it")
	fs.Parse(args)
	if *data == "" || (*mode != "e2e" && *mode != "mem") {
		return fmt.Errorf("usage: bench tpch -data DIR -mode e2e|mem [-q q1,q5] [-answers DIR]")
	}
	ctx := context.Background()
	t0, c0 := time.Now(), cpuSeconds()
	var opts []sched.Option
	if *memLimit != 0 {
		opts = append(opts, sched.WithMemoryLimit(*memLimit))
	}
	db, err := openTPCH(ctx, *data, *mode == "mem", opts...)
	if err != nil {
		return err
	}
	if *mode == "mem" {
		fmt.Printf("tpch/load seconds=%.3f cpu=%.3f\n", time.Since(t0).Seconds(), cpuSeconds()-c0)
	}
	if *heapProf != "" {
		if err := writeHeapProfile(*heapProf); err != nil {
			return err
		}
	}
	if *sfFlag > 0 {
		db.sf = *sfFlag
	}
	names := tpchNames()
	if *only != "" {
		names = strings.Split(*only, ",")
	}
	stop, err := cpuProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()
	var failed []string
	for _, name := range names {
		q, ok := tpchQueries[name]
		if !ok {
			return fmt.Errorf("tpch: no query %q (want q1..q22)", name)
		}
		if *explainOnly {
			fmt.Printf("tpch/%s plan:\n%s\n", name, q(db).Explain())
			continue
		}
		t0, c0 := time.Now(), cpuSeconds()
		tab, err := runTPCH(ctx, db, q, opts...)
		if err != nil {
			return fmt.Errorf("tpch/%s: %w", name, err)
		}
		dt, dc := time.Since(t0).Seconds(), cpuSeconds()-c0
		line := fmt.Sprintf("tpch/%s seconds=%.3f cpu=%.3f rows=%d chk=%s", name, dt, dc, tab.NumRows(), strconv.FormatFloat(tpchChecksum(tab), 'g', 12, 64))
		if *answers != "" {
			err := compareAnswer(tab, filepath.Join(*answers, name+".csv"))
			line += fmt.Sprintf(" match=%v", err == nil)
			if err != nil {
				failed = append(failed, name)
				fmt.Fprintf(os.Stderr, "tpch/%s: %v\n", name, err)
			}
		}
		fmt.Println(line)
	}
	if len(failed) > 0 {
		return fmt.Errorf("tpch: answers differ from DuckDB's on %s", strings.Join(failed, ","))
	}
	return nil
}

// runTPCH builds and computes a query.
func runTPCH(ctx context.Context, db *tpchDB, q tpchQuery, opts ...sched.Option) (*frame.Table, error) {
	f := q(db)
	if f.Err() != nil {
		return nil, f.Err()
	}
	return f.Compute(ctx, opts...)
}

// tpchDB holds the eight tables, each a frame over its Parquet file (e2e) or
// persisted (mem), and the scale factor.
type tpchDB struct {
	region, nation, supplier, customer, part, partsupp, orders, lineitem *frame.Frame
	sf                                                                   float64
}

func openTPCH(ctx context.Context, dir string, persist bool, opts ...sched.Option) (*tpchDB, error) {
	db := &tpchDB{}
	for _, t := range []struct {
		name string
		dst  **frame.Frame
	}{{"region", &db.region}, {"nation", &db.nation}, {"supplier", &db.supplier}, {"customer", &db.customer},
		{"part", &db.part}, {"partsupp", &db.partsupp}, {"orders", &db.orders}, {"lineitem", &db.lineitem}} {
		path := filepath.Join(dir, t.name+".parquet")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("tpch: table %s: %w (write the tables with: bench gen tpch -sf 1 -dir %s)", t.name, err, dir)
		}
		f := frame.ReadParquet(path)
		if f.Err() != nil {
			return nil, fmt.Errorf("tpch: reading %s: %w", path, f.Err())
		}
		if persist {
			p, err := f.Persist(ctx, opts...)
			if err != nil {
				return nil, fmt.Errorf("tpch: persisting %s: %w", t.name, err)
			}
			f = p
		}
		*t.dst = f
	}
	// supplier has 10,000 rows per unit of scale.
	n, err := db.supplier.Len(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("tpch: counting supplier: %w", err)
	}
	db.sf = float64(n) / 10000
	return db, nil
}

// tpchChecksum is the sum of every numeric cell of t, dates and timestamps
// as days since 1970-01-01 (peers/tpch_duckdb.mjs's chk).
func tpchChecksum(t *frame.Table) float64 {
	sum := 0.0
	for _, c := range t.Columns() {
		for i := 0; i < t.NumRows(); i++ {
			switch v := t.Value(i, c).(type) {
			case int64:
				sum += float64(v)
			case float64:
				sum += v
			case time.Time:
				sum += float64(v.Unix()) / 86400
			}
		}
	}
	return sum
}

// compareAnswer checks t against DuckDB's CSV answer: the same number of
// rows and columns, in order, strings equal, numbers within 1e-6 (relative
// for large ones), dates as YYYY-MM-DD.
func compareAnswer(t *frame.Table, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return fmt.Errorf("answer %s: %w", path, err)
	}
	if len(rows) == 0 {
		return fmt.Errorf("answer %s: empty file", path)
	}
	if len(rows[0]) == 1 {
		// encoding/csv skips empty lines: in a one-column answer they are
		// nulls. Split the lines instead.
		b, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("answer: %w", err)
		}
		rows = rows[:1]
		for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")[1:] {
			rows = append(rows, []string{strings.Trim(line, `"`)})
		}
	}
	head, rows := rows[0], rows[1:]
	cols := t.Columns()
	if len(cols) != len(head) {
		return fmt.Errorf("%d columns %v, DuckDB has %d %v", len(cols), cols, len(head), head)
	}
	if len(rows) != t.NumRows() {
		return fmt.Errorf("%d rows, DuckDB has %d", t.NumRows(), len(rows))
	}
	var errs []error
	for i, row := range rows {
		for j, want := range row {
			got := t.Value(i, cols[j])
			if !cellEqual(got, want) {
				errs = append(errs, fmt.Errorf("row %d column %s: got %v, DuckDB %q", i, cols[j], got, want))
				if len(errs) == 5 {
					return errors.Join(errs...)
				}
			}
		}
	}
	return errors.Join(errs...)
}

func cellEqual(got any, want string) bool {
	switch v := got.(type) {
	case nil:
		return want == ""
	case string:
		return v == want
	case time.Time:
		return v.Format("2006-01-02") == want
	case int64:
		w, err := strconv.ParseFloat(want, 64)
		return err == nil && closeTo(float64(v), w)
	case float64:
		w, err := strconv.ParseFloat(want, 64)
		return err == nil && closeTo(v, w)
	case bool:
		return strconv.FormatBool(v) == want
	}
	return fmt.Sprint(got) == want
}

func closeTo(a, b float64) bool {
	d := math.Abs(a - b)
	return d <= 1e-6 || d <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}
