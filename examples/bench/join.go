package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
)

func init() { suites["join"] = joinSuite }

// joinTables are db-benchmark's join inputs: the left table x and the right
// tables small, medium and big.
type joinTables struct{ x, small, medium, big *frame.Frame }

// joinQuestions are q1..q5 of db-benchmark's join task (and of
// peers/join_duckdb.mjs): x.* and the right side's columns but the key, the
// ones named as in x prefixed by the right table's name.
var joinQuestions = []struct {
	name string
	q    func(t joinTables) *frame.Frame
}{
	{"q1", func(t joinTables) *frame.Frame { return joinPrefixed(t.x, t.small, "small", frame.Inner, "id1") }},
	{"q2", func(t joinTables) *frame.Frame { return joinPrefixed(t.x, t.medium, "medium", frame.Inner, "id2") }},
	{"q3", func(t joinTables) *frame.Frame { return joinPrefixed(t.x, t.medium, "medium", frame.Left, "id2") }},
	{"q4", func(t joinTables) *frame.Frame { return joinPrefixed(t.x, t.medium, "medium", frame.Inner, "id5") }},
	{"q5", func(t joinTables) *frame.Frame { return joinPrefixed(t.x, t.big, "big", frame.Inner, "id3") }},
}

// joinPrefixed joins x with right on key, renaming right's columns that x
// also has to name_col (db-benchmark's "small.id4 AS small_id4").
func joinPrefixed(x, right *frame.Frame, name string, how frame.How, key string) *frame.Frame {
	have := map[string]bool{}
	for _, c := range x.Columns() {
		have[c] = true
	}
	ren := map[string]string{}
	for _, c := range right.Columns() {
		if c != key && have[c] {
			ren[c] = name + "_" + c
		}
	}
	return x.Join(right.Rename(ren), how, key)
}

func loadJoinTable(path string) *frame.Frame {
	if strings.HasSuffix(path, ".csv") {
		types := map[string]frame.CSVType{}
		for _, c := range []string{"id1", "id2", "id3"} {
			types[c] = frame.CSVInt64
		}
		for _, c := range []string{"id4", "id5", "id6"} {
			types[c] = frame.CSVString
		}
		types["v1"], types["v2"] = frame.CSVFloat64, frame.CSVFloat64
		return frame.ReadCSV(path, frame.CSVOptions{Types: types})
	}
	return frame.ReadParquet(path)
}

// joinPaths finds the four tables of one size in dir, as "gen join" names
// them: J1_<n>_NA_0_0 (x) and J1_<n>_<rows>_0_0 for the three right tables,
// smallest first.
func joinPaths(dir, ext string) ([4]string, error) {
	var out [4]string
	xs, _ := filepath.Glob(filepath.Join(dir, "J1_*_NA_0_0"+ext))
	if len(xs) != 1 {
		return out, fmt.Errorf("join: want one J1_*_NA_0_0%s in %s, found %d", ext, dir, len(xs))
	}
	out[0] = xs[0]
	n := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(xs[0]), "J1_"), "_NA_0_0"+ext)
	nf, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return out, fmt.Errorf("join: bad table name %s", xs[0])
	}
	for i, d := range []float64{1e6, 1e3, 1} {
		rows := max(1, int(nf/d))
		label := strconv.Itoa(rows)
		if s := strconv.FormatFloat(float64(rows), 'e', -1, 64); strings.HasPrefix(s, "1e+") {
			label = "1e" + strings.TrimLeft(s[3:], "0")
			if label == "1e" {
				label = "1e0"
			}
		}
		out[i+1] = filepath.Join(dir, "J1_"+n+"_"+label+"_0_0"+ext)
	}
	return out, nil
}

// joinSuite runs db-benchmark's join questions. In mem mode the four tables
// are read and persisted once; each question's timed part is computing the
// join into persisted partitions (the answer stays in memory, as DuckDB's
// "create table ans as select ..."); rows and chk (the sum of every numeric
// cell) are computed from them afterwards, untimed, as the peer scripts do.
func joinSuite(args []string) error {
	fs := flag.NewFlagSet("join", flag.ExitOnError)
	data := fs.String("data", "", "directory of the join tables written by 'bench gen join'")
	format := fs.String("format", "parquet", "parquet or csv")
	mode := fs.String("mode", "mem", "mem: load and persist once, then time each question; e2e: every question reads the files")
	only := fs.String("q", "", "comma-separated questions (default all)")
	memLimit := fs.String("mem-limit", "", "memory limit in bytes (2GiB, 2e9): the scheduler spills and the Go runtime collects to stay under it")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the questions to this file")
	persist := fs.Bool("persist", true, "persist each answer in memory (as DuckDB's create table); false: compute rows and chk from the lazy join in one run, so the answer is never held whole (the memory-limit table: an answer larger than the limit cannot be held under it)")
	fs.Parse(args)
	if *data == "" {
		return fmt.Errorf("join: -data is required")
	}
	paths, err := joinPaths(*data, "."+*format)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, q := range strings.Split(*only, ",") {
		if q != "" {
			want[q] = true
		}
	}
	ctx := context.Background()
	limitOpts, err := memoryLimit(*memLimit)
	if err != nil {
		return err
	}
	opts := append([]sched.Option{sched.WithProgress(nil)}, limitOpts...)
	load := func() joinTables {
		return joinTables{loadJoinTable(paths[0]), loadJoinTable(paths[1]), loadJoinTable(paths[2]), loadJoinTable(paths[3])}
	}
	var tabs joinTables
	if *mode == "mem" {
		t := time.Now()
		tabs = load()
		fs := []*frame.Frame{tabs.x, tabs.small, tabs.medium, tabs.big}
		for i, f := range fs {
			p, err := f.Persist(ctx, opts...)
			if err != nil {
				return err
			}
			fs[i] = p
		}
		tabs = joinTables{fs[0], fs[1], fs[2], fs[3]}
		fmt.Printf("join/load seconds=%.3f\n", time.Since(t).Seconds())
	}
	stop, err := cpuProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()
	for _, q := range joinQuestions {
		if len(want) > 0 && !want[q.name] {
			continue
		}
		src := tabs
		if *mode != "mem" {
			src = load()
		}
		j := q.q(src)
		t := time.Now()
		if !*persist {
			rows, sum, err := joinChk(ctx, j, opts)
			if err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			fmt.Printf("join/%s seconds=%.3f rows=%d chk=%s\n", q.name, time.Since(t).Seconds(), rows, strconv.FormatFloat(sum, 'g', 10, 64))
			continue
		}
		cs, err := sched.Persist(ctx, []sched.Collection{j}, opts...)
		if err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
		dt := time.Since(t).Seconds()
		rows, sum, err := joinChk(ctx, cs[0].(*frame.Frame), opts)
		if err != nil {
			return fmt.Errorf("%s: chk: %w", q.name, err)
		}
		fmt.Printf("join/%s seconds=%.3f rows=%d chk=%s\n", q.name, dt, rows, strconv.FormatFloat(sum, 'g', 10, 64))
	}
	return nil
}

// joinChk returns the rows of ans and the sum of its numeric cells (nulls
// skipped).
func joinChk(ctx context.Context, ans *frame.Frame, opts []sched.Option) (int, float64, error) {
	aggs := []frame.Expr{frame.Lit(1).Size().Alias("__rows")}
	for _, f := range ans.Schema().Fields() {
		if f.Type.ID() == arrow.INT64 || f.Type.ID() == arrow.FLOAT64 {
			aggs = append(aggs, frame.Col(f.Name).Cast(frame.Float64).Sum().Alias("__s_"+f.Name))
		}
	}
	t, err := ans.Agg(aggs...).Compute(ctx, opts...)
	if err != nil {
		return 0, 0, err
	}
	var s float64
	rows := 0
	for _, c := range t.Columns() {
		v, _ := t.Float64s(c)
		if c == "__rows" {
			rows = int(v[0])
			continue
		}
		s += v[0]
	}
	return rows, s, nil
}
