package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
)

// Windows and statistics questions of the groupby suite (issue 12): on the
// groupby table G1 a per-group cumulative sum, a quantile by group, q9's
// correlation through GroupBy.Corr and a pivot table (id1 by id4, the sum
// of v1: 100 rows of 100 columns); on the time-series tables of
// `bench gen windows` (a directory given by $TSDATA, default data/ts) a
// rolling mean over 10⁷ sorted rows, a 1-hour resample and an asof merge
// of 10⁷ with 10⁵ rows. The peers' versions are in
// examples/bench/peers/groupby_{duckdb.mjs,polars.js,dask.py}.
func init() {
	groupbyQuestions = append(groupbyQuestions, []struct {
		name string
		q    func(x *frame.Frame) *frame.Frame
	}{
		{"gcumsum", func(x *frame.Frame) *frame.Frame {
			return x.SelectCols("id1", "v1").GroupBy("id1").CumSum("v1").SelectCols("v1")
		}},
		{"gquantile", func(x *frame.Frame) *frame.Frame { return x.GroupBy("id2").Quantile(0.9, "v3") }},
		{"q9corr", func(x *frame.Frame) *frame.Frame {
			c := x.GroupBy("id2", "id4").Corr("v1", "v2")
			return c.Select(C("id2"), C("id4"), C("corr").Mul(C("corr")).Alias("r2"))
		}},
		{"pivot", func(x *frame.Frame) *frame.Frame {
			// Column values found by a first pass, as DuckDB's PIVOT and Polars' pivot do.
			p, err := x.PivotTable(context.Background(), frame.PivotOptions{Index: []string{"id1"}, Columns: "id4", Values: "v1", AggFunc: "sum"})
			if err != nil {
				fmt.Fprintln(os.Stderr, "groupby/pivot:", err)
				os.Exit(1)
			}
			return p
		}},
	}...)
	groupbyRuns = append(groupbyRuns, []struct {
		name string
		run  func(ctx context.Context, x *frame.Frame, opts []sched.Option) (float64, int64, float64, error)
	}{
		{"roll", tsQuestion(func(t, _ *frame.Frame) *frame.Frame { return t.SelectCols("v").Rolling(100).MinPeriods(1).Mean("v") })},
		{"resample", tsQuestion(func(t, _ *frame.Frame) *frame.Frame { return t.Resample(time.Hour).On("ts").Mean("v") })},
		{"asof", tsQuestion(func(t, q *frame.Frame) *frame.Frame {
			return t.MergeAsof(q, frame.AsofOptions{On: "ts"}).SelectCols("g", "v", "q")
		})},
	}...)
}

// tsTables loads and persists the time-series tables of $TSDATA once.
var tsTables struct {
	t, q *frame.Frame
	err  error
}

func loadTS(ctx context.Context, opts []sched.Option) (*frame.Frame, *frame.Frame, error) {
	if tsTables.t != nil || tsTables.err != nil {
		return tsTables.t, tsTables.q, tsTables.err
	}
	dir := os.Getenv("TSDATA")
	if dir == "" {
		dir = "data/ts"
	}
	start := time.Now()
	t, err := frame.ReadParquet(filepath.Join(dir, "ts", "*.parquet")).Persist(ctx, opts...)
	if err == nil {
		tsTables.q, err = frame.ReadParquet(filepath.Join(dir, "quotes", "*.parquet")).Persist(ctx, opts...)
	}
	if err != nil {
		tsTables.err = fmt.Errorf("time-series tables in %s (make them with bench gen windows -dir %s): %w", dir, dir, err)
		return nil, nil, tsTables.err
	}
	tsTables.t = t
	fmt.Printf("groupby/tsload seconds=%.3f\n", time.Since(start).Seconds())
	return tsTables.t, tsTables.q, nil
}

func tsQuestion(q func(t, quotes *frame.Frame) *frame.Frame) func(ctx context.Context, _ *frame.Frame, opts []sched.Option) (float64, int64, float64, error) {
	return func(ctx context.Context, _ *frame.Frame, opts []sched.Option) (float64, int64, float64, error) {
		t, qs, err := loadTS(ctx, opts)
		if err != nil {
			return 0, 0, 0, err
		}
		start, c := time.Now(), cpuSeconds()
		res, err := q(t, qs).Compute(ctx, opts...)
		if err != nil {
			return 0, 0, 0, err
		}
		dt := time.Since(start).Seconds()
		fmt.Fprintf(os.Stderr, "cpu-seconds=%.3f\n", cpuSeconds()-c)
		return dt, int64(res.NumRows()), chk(res), nil
	}
}

// genWindowsMain writes the time-series tables: ts/ (n rows: ts ascending
// from 2024-01-01 by 0–2 s steps, g in 1..100, v normal rounded to 3
// places) and quotes/ (n/100 rows over the same span: ts ascending, q), as
// Parquet, in 16 files each. With -csv it writes CSV copies of the tables
// already in -dir instead (ts_csv/, quotes_csv/), which the Dask peer reads.
func genWindowsMain(args []string) error {
	fs := flag.NewFlagSet("gen windows", flag.ExitOnError)
	nf := fs.String("n", "1e7", "rows of ts")
	dir := fs.String("dir", "data/ts", "output directory")
	seed := fs.Int64("seed", 12, "random seed")
	csvOnly := fs.Bool("csv", false, "write CSV copies (ts_csv/, quotes_csv/) of the Parquet tables already in -dir, for Dask without pyarrow")
	fs.Parse(args)
	ctx := context.Background()
	if *csvOnly {
		for _, t := range []string{"ts", "quotes"} {
			if err := frame.ReadParquet(filepath.Join(*dir, t, "*.parquet")).WriteCSV(ctx, filepath.Join(*dir, t+"_csv")); err != nil {
				return fmt.Errorf("gen windows -csv: %s: %w", t, err)
			}
		}
		return nil
	}
	nfl, err := strconv.ParseFloat(*nf, 64)
	if err != nil {
		return fmt.Errorf("bad -n %q", *nf)
	}
	n := int(nfl)
	rng := rand.New(rand.NewSource(*seed))
	ts := make([]time.Time, n)
	g := make([]int64, n)
	v := make([]float64, n)
	cur := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range ts {
		cur = cur.Add(time.Duration(rng.Intn(2001)) * time.Millisecond)
		ts[i], g[i], v[i] = cur, int64(1+rng.Intn(100)), math.Round(rng.NormFloat64()*1000)/1000
	}
	m := max(n/100, 1)
	qt := make([]time.Time, m)
	qv := make([]float64, m)
	span := cur.Sub(ts[0])
	for i := range qt {
		qt[i] = ts[0].Add(time.Duration(rng.Int63n(int64(span) + 1)))
	}
	sortTimes(qt)
	for i := range qv {
		qv[i] = math.Round(rng.Float64()*1e5) / 1e3
	}
	if err := frame.FromColumns(16, frame.Column{Name: "ts", Values: ts}, frame.Column{Name: "g", Values: g}, frame.Column{Name: "v", Values: v}).
		WriteParquet(ctx, filepath.Join(*dir, "ts"), "snappy"); err != nil {
		return err
	}
	return frame.FromColumns(16, frame.Column{Name: "ts", Values: qt}, frame.Column{Name: "q", Values: qv}).
		WriteParquet(ctx, filepath.Join(*dir, "quotes"), "snappy")
}

func sortTimes(a []time.Time) { sort.Slice(a, func(i, j int) bool { return a[i].Before(a[j]) }) }
