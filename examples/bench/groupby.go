package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
)

func init() {
	suites["groupby"] = groupbySuite
	suites["gen"] = genSuite
}

// genSuite dispatches "gen groupby ..." and "gen join ...".
func genSuite(args []string) error {
	if len(args) > 0 && args[0] == "join" {
		return genJoinMain(args[1:])
	}
	if len(args) > 0 && args[0] == "tpch" {
		return genTpchMain(args[1:])
	}
	if len(args) > 0 && args[0] == "windows" {
		return genWindowsMain(args[1:])
	}
	if len(args) == 0 || args[0] != "groupby" {
		return fmt.Errorf("usage: bench gen groupby|join|windows -n 1e7 -dir DIR, or bench gen tpch -sf 1 -dir DIR")
	}
	fs := flag.NewFlagSet("gen groupby", flag.ExitOnError)
	nf := fs.String("n", "1e7", "rows")
	dir := fs.String("dir", ".", "output directory")
	seed := fs.Int64("seed", 108, "random seed")
	csvOnly := fs.Bool("csv-only", false, "write only the CSV file, streaming (no Parquet copy, no columns held in memory: for 1e8 rows)")
	fs.Parse(args[1:])
	nfl, err := strconv.ParseFloat(*nf, 64)
	if err != nil {
		return fmt.Errorf("bad -n %q", *nf)
	}
	return genGroupby(int(nfl), *dir, *seed, *nf, *csvOnly)
}

// genGroupby writes the db-benchmark groupby table G1_<n>_1e2_0_0 with the
// distributions of shared/peers/gen_groupby.py: id1, id2 of 100 "id%03d"
// strings, id3 of n/100 "id%010d" strings, id4, id5 in 1..100, id6 in
// 1..n/100, v1 in 1..5, v2 in 1..15, v3 uniform [0,100) rounded to 6 places;
// as CSV and as a directory of Parquet files (csvOnly: the CSV alone, rows
// written as drawn, so 1e8 rows need no 8 GB of columns; the same rows).
func genGroupby(n int, dir string, seed int64, label string, csvOnly bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	K := 100
	rng := rand.New(rand.NewSource(seed))
	big := n / K
	if big < 1 {
		big = 1
	}
	name := fmt.Sprintf("G1_%s_1e2_0_0", label)
	csvPath := filepath.Join(dir, name+".csv")
	f, err := os.Create(csvPath)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 4<<20)
	w.WriteString("id1,id2,id3,id4,id5,id6,v1,v2,v3\n")
	cols := n
	if csvOnly {
		cols = 1 // every row is drawn into row 0
	}
	id1 := make([]string, cols)
	id2 := make([]string, cols)
	id3 := make([]string, cols)
	id4 := make([]int64, cols)
	id5 := make([]int64, cols)
	id6 := make([]int64, cols)
	v1 := make([]int64, cols)
	v2 := make([]int64, cols)
	v3 := make([]float64, cols)
	small := make([]string, K)
	for i := range small {
		small[i] = fmt.Sprintf("id%03d", i+1)
	}
	var buf []byte
	for r := 0; r < n; r++ {
		i := r
		if csvOnly {
			i = 0
		}
		id1[i] = small[rng.Intn(K)]
		id2[i] = small[rng.Intn(K)]
		id3[i] = fmt.Sprintf("id%010d", rng.Intn(big)+1)
		id4[i] = int64(rng.Intn(K) + 1)
		id5[i] = int64(rng.Intn(K) + 1)
		id6[i] = int64(rng.Intn(big) + 1)
		v1[i] = int64(rng.Intn(5) + 1)
		v2[i] = int64(rng.Intn(15) + 1)
		v3[i] = math.Round(rng.Float64()*100*1e6) / 1e6
		buf = buf[:0]
		buf = append(buf, id1[i]...)
		buf = append(buf, ',')
		buf = append(buf, id2[i]...)
		buf = append(buf, ',')
		buf = append(buf, id3[i]...)
		for _, x := range []int64{id4[i], id5[i], id6[i], v1[i], v2[i]} {
			buf = append(buf, ',')
			buf = strconv.AppendInt(buf, x, 10)
		}
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, v3[i], 'f', -1, 64)
		buf = append(buf, '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s\n", csvPath)
	if csvOnly {
		return nil
	}
	nparts := (n + (1<<20 - 1)) / (1 << 20)
	df := frame.FromColumns(nparts,
		frame.Column{Name: "id1", Values: id1}, frame.Column{Name: "id2", Values: id2}, frame.Column{Name: "id3", Values: id3},
		frame.Column{Name: "id4", Values: id4}, frame.Column{Name: "id5", Values: id5}, frame.Column{Name: "id6", Values: id6},
		frame.Column{Name: "v1", Values: v1}, frame.Column{Name: "v2", Values: v2}, frame.Column{Name: "v3", Values: v3})
	pq := filepath.Join(dir, name+".parquet")
	if err := df.WriteParquet(context.Background(), pq, "snappy", sched.WithProgress(nil)); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s/\n", pq)
	return nil
}

var C = frame.Col

// groupbyQuestions are q1..q10 of shared/peers/groupby_duckdb.mjs.
var groupbyQuestions = []struct {
	name string
	q    func(x *frame.Frame) *frame.Frame
}{
	{"q1", func(x *frame.Frame) *frame.Frame { return x.GroupBy("id1").Agg(C("v1").Sum()) }},
	{"q2", func(x *frame.Frame) *frame.Frame { return x.GroupBy("id1", "id2").Agg(C("v1").Sum()) }},
	{"q3", func(x *frame.Frame) *frame.Frame { return x.GroupBy("id3").Agg(C("v1").Sum(), C("v3").Mean()) }},
	{"q4", func(x *frame.Frame) *frame.Frame {
		return x.GroupBy("id4").Agg(C("v1").Mean(), C("v2").Mean(), C("v3").Mean())
	}},
	{"q5", func(x *frame.Frame) *frame.Frame {
		return x.GroupBy("id6").Agg(C("v1").Sum(), C("v2").Sum(), C("v3").Sum())
	}},
	{"q6", func(x *frame.Frame) *frame.Frame {
		return x.GroupBy("id4", "id5").Agg(C("v3").Median().Alias("median_v3"), C("v3").Std().Alias("sd_v3"))
	}},
	{"q7", func(x *frame.Frame) *frame.Frame {
		return x.GroupBy("id3").Agg(C("v1").Max().Sub(C("v2").Min()).Alias("range_v1_v2"))
	}},
	{"q8", func(x *frame.Frame) *frame.Frame {
		// row_number() over (partition by id6 order by v3 desc) <= 2, nulls excluded.
		return x.SelectCols("id6", "v3").GroupBy("id6").NLargest(2, "v3")
	}},
	{"q9", func(x *frame.Frame) *frame.Frame {
		// corr(v1, v2)^2 from sums: (n Sxy - Sx Sy)^2 / ((n Sxx - Sx^2)(n Syy - Sy^2)).
		v1, v2 := C("v1").Cast(frame.Float64), C("v2").Cast(frame.Float64)
		n := v1.Count()
		sx, sy := v1.Sum(), v2.Sum()
		sxy, sxx, syy := v1.Mul(v2).Sum(), v1.Mul(v1).Sum(), v2.Mul(v2).Sum()
		num := n.Mul(sxy).Sub(sx.Mul(sy))
		den := n.Mul(sxx).Sub(sx.Mul(sx)).Mul(n.Mul(syy).Sub(sy.Mul(sy)))
		return x.GroupBy("id2", "id4").Agg(num.Mul(num).Div(den).Alias("r2"))
	}},
	{"q10", func(x *frame.Frame) *frame.Frame {
		return x.GroupBy("id1", "id2", "id3", "id4", "id5", "id6").Agg(C("v3").Sum(), C("v1").Size().Alias("cnt"))
	}},
}

func loadGroupby(path string) *frame.Frame {
	if strings.HasSuffix(path, ".csv") || strings.HasSuffix(path, ".csv.gz") || strings.HasSuffix(path, ".csv.zst") {
		return frame.ReadCSV(path, frame.CSVOptions{Types: map[string]frame.CSVType{
			"id4": frame.CSVInt64, "id5": frame.CSVInt64, "id6": frame.CSVInt64,
			"v1": frame.CSVInt64, "v2": frame.CSVInt64, "v3": frame.CSVFloat64}})
	}
	return frame.ReadParquet(path)
}

// chk is the sum of every numeric cell of t (keys included), as the peer
// scripts compute it.
func chk(t *frame.Table) float64 {
	var s float64
	for _, f := range t.Schema().Fields() {
		if f.Type.ID() != arrow.INT64 && f.Type.ID() != arrow.FLOAT64 {
			continue
		}
		vals, _ := t.Float64s(f.Name)
		for _, v := range vals {
			if !math.IsNaN(v) {
				s += v
			}
		}
	}
	return s
}

func groupbySuite(args []string) error {
	fs := flag.NewFlagSet("groupby", flag.ExitOnError)
	data := fs.String("data", "", "the groupby table: a .csv file or a Parquet file/dir/glob")
	mode := fs.String("mode", "mem", "mem: load and persist once, then time each question; e2e: every question reads the file")
	only := fs.String("q", "", "comma-separated questions (default all)")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the questions to this file")
	memLimit := fs.String("mem-limit", "", "memory limit in bytes (2GiB, 2e9): the scheduler spills and the Go runtime collects to stay under it")
	chkMode := fs.String("chk", "", "table: compute each answer as one table, then rows and chk; stream: rows and chk reduced in the same run, "+
		"partition by partition, so an answer larger than memory is never held whole (default: stream under -mem-limit, else table)")
	repeat := fs.Int("repeat", 1, "run each question this many times and report the median time (of the last run's rows and chk)")
	gcBetween := fs.Bool("gc-between", true, "with -repeat, collect garbage before each run after the first, outside the timed region: the previous answer is freed "+
		"before the next is computed, as the peers' scripts free theirs (without it a run's output lands in fresh pages until the collector next runs, 2-3 ms per MB on these VMs)")
	fs.Parse(args)
	if *data == "" {
		return fmt.Errorf("groupby: -data is required")
	}
	limitOpts, err := memoryLimit(*memLimit)
	if err != nil {
		return err
	}
	if *chkMode == "" {
		*chkMode = "table"
		if limitOpts != nil {
			*chkMode = "stream"
		}
	}
	if *chkMode != "table" && *chkMode != "stream" {
		return fmt.Errorf("groupby: -chk %q: want table or stream", *chkMode)
	}
	want := map[string]bool{}
	for _, q := range strings.Split(*only, ",") {
		if q != "" {
			want[q] = true
		}
	}
	ctx := context.Background()
	opts := append([]sched.Option{sched.WithProgress(nil)}, limitOpts...)
	stats := &spillStats{}
	opts = append(opts, sched.WithObserver(stats))
	var x *frame.Frame
	if *mode == "mem" {
		t := time.Now()
		var err error
		x, err = loadGroupby(*data).Persist(ctx, opts...)
		if err != nil {
			return err
		}
		fmt.Printf("groupby/load seconds=%.3f\n", time.Since(t).Seconds())
	}
	stop, err := cpuProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()
	for _, q := range groupbyQuestions {
		if len(want) > 0 && !want[q.name] {
			continue
		}
		var times, cpus []float64
		var rows int
		var sum float64
		for r := 0; r < *repeat || r == 0; r++ {
			if r > 0 && *gcBetween {
				runtime.GC() // the previous answer freed, as the peers free theirs (and as testing.B collects)
			}
			t, c := time.Now(), cpuSeconds()
			src := x
			if *mode != "mem" {
				src = loadGroupby(*data)
			}
			if *chkMode == "stream" {
				if rows, sum, err = joinChk(ctx, q.q(src), opts); err != nil {
					return fmt.Errorf("%s: %w", q.name, err)
				}
				times, cpus = append(times, time.Since(t).Seconds()), append(cpus, cpuSeconds()-c)
				continue
			}
			res, err := q.q(src).Compute(ctx, opts...)
			if err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			times, cpus = append(times, time.Since(t).Seconds()), append(cpus, cpuSeconds()-c)
			rows, sum = res.NumRows(), chk(res)
		}
		sort.Float64s(times)
		sort.Float64s(cpus)
		// CPU time is steadier than wall time on a shared machine.
		fmt.Fprintf(os.Stderr, "groupby/%s cpu-seconds=%.3f (median of %d)\n", q.name, cpus[len(cpus)/2], len(cpus))
		fmt.Printf("groupby/%s seconds=%.3f rows=%d chk=%s\n", q.name, times[len(times)/2], rows, strconv.FormatFloat(sum, 'g', 10, 64))
		stats.report(q.name)
	}
	for _, q := range groupbyRuns {
		if len(want) == 0 || !want[q.name] {
			continue // asked for by name only
		}
		var times []float64
		var rows int64
		var sum float64
		for r := 0; r < *repeat || r == 0; r++ {
			if r > 0 && *gcBetween {
				runtime.GC()
			}
			src := x
			if *mode != "mem" {
				src = loadGroupby(*data)
			}
			var dt float64
			if dt, rows, sum, err = q.run(ctx, src, opts); err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			times = append(times, dt)
		}
		sort.Float64s(times)
		fmt.Printf("groupby/%s seconds=%.3f rows=%d chk=%s\n", q.name, times[len(times)/2], rows, strconv.FormatFloat(sum, 'g', 10, 64))
		stats.report(q.name)
	}
	return nil
}

// cpuSeconds is the user and system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
