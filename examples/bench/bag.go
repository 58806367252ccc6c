package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/godask/godask/delayed/bag"
	"github.com/godask/godask/sched"
)

// The bag suite: dask.bag's word count and JSON-lines FoldBy on the files of
// shared/peers/bag_dask.py DIR gen, printing the lines that script prints.
//
//	go run ./examples/bench bag -data DIR                 # wordcount and foldby
//	go run ./examples/bench bag -data DIR -mode distinct -mem 1073741824
//
// The distinct mode folds by timestamp, 10^7 distinct keys, under a memory
// limit (run it under /usr/bin/time -v for the peak RSS).
func init() { suites["bag"] = bagSuite }

// stockRecord is one JSON line of bag_dask.py's records.
type stockRecord struct {
	Symbol string  `json:"symbol"`
	TS     int64   `json:"ts"`
	Open   float64 `json:"open"`
	High   float64 `json:"high"`
	Low    float64 `json:"low"`
	Close  float64 `json:"close"`
	Volume int64   `json:"volume"`
}

func bagSuite(args []string) error {
	fs := flag.NewFlagSet("bag", flag.ExitOnError)
	dir := fs.String("data", "/tmp/bagdata", "directory written by bag_dask.py DIR gen")
	mode := fs.String("mode", "all", "wordcount, foldby, all, or distinct (FoldBy over 10^7 distinct keys)")
	mem := fs.Int64("mem", 0, "memory limit in bytes (0: the default)")
	workers := fs.Int("workers", 0, "workers (0: GOMAXPROCS)")
	prof := fs.String("cpuprofile", "", "write a CPU profile here")
	fs.Parse(args)
	stop, err := cpuProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()
	ctx := context.Background()
	opts := []sched.Option{sched.WithWorkers(*workers), sched.WithProgress(nil)}
	if *mem != 0 {
		opts = append(opts, sched.WithMemoryLimit(*mem))
	}
	if *mode == "all" || *mode == "wordcount" {
		if err := bagWordCount(ctx, *dir, opts); err != nil {
			return err
		}
	}
	if *mode == "all" || *mode == "foldby" {
		if err := bagFoldBy(ctx, *dir, opts); err != nil {
			return err
		}
	}
	if *mode == "distinct" {
		return bagFoldByDistinct(ctx, *dir, opts)
	}
	return nil
}

func bagWordCount(ctx context.Context, dir string, opts []sched.Option) error {
	t := time.Now()
	lines := bag.ReadText(filepath.Join(dir, "text", "*.txt"), bag.TextOptions{BlockSize: 64 << 20})
	words := bag.FlatMap(lines, strings.Fields) // as a user writes it: the Fields kernel

	freq := bag.Frequencies(words)
	top := freq.TopK(10, bag.ByCount[string])
	total := bag.Sum(bag.Pluck(freq, func(p bag.Pair[string, int64]) int64 { return p.Value }))
	res, err := sched.Compute(ctx, []sched.Collection{top, total}, opts...)
	if err != nil {
		return err
	}
	best := res[0].([]bag.Pair[string, int64])
	if len(best) == 0 {
		return fmt.Errorf("bag/wordcount: no words")
	}
	fmt.Printf("bag/wordcount seconds=%.4f words=%d top1=%s top1_count=%d\n", time.Since(t).Seconds(), res[1].(int64), best[0].Key, best[0].Value)
	return nil
}

func addClose(acc float64, r stockRecord) float64 { return acc + r.Close }
func addFloat(a, b float64) float64               { return a + b }

func bagFoldBy(ctx context.Context, dir string, opts []sched.Option) error {
	t := time.Now()
	recs := bag.ReadJSON[stockRecord](filepath.Join(dir, "json", "*.jsonl"), bag.JSONOptions{TextOptions: bag.TextOptions{BlockSize: 64 << 20}})
	big := recs.Filter(func(r stockRecord) bool { return r.Volume > 100 })
	sums := bag.FoldBy(big, func(r stockRecord) string { return r.Symbol }, addClose, 0.0, addFloat)
	res, err := sums.Compute(ctx, opts...)
	if err != nil {
		return err
	}
	chk := 0.0
	for _, p := range res {
		chk += p.Value
	}
	fmt.Printf("bag/foldby seconds=%.4f groups=%d chk=%.6f\n", time.Since(t).Seconds(), len(res), chk)
	return nil
}

func bagFoldByDistinct(ctx context.Context, dir string, opts []sched.Option) error {
	t := time.Now()
	recs := bag.ReadJSON[stockRecord](filepath.Join(dir, "json", "*.jsonl"), bag.JSONOptions{TextOptions: bag.TextOptions{BlockSize: 64 << 20}})
	sums := bag.FoldBy(recs, func(r stockRecord) int64 { return r.TS }, addClose, 0.0, addFloat)
	n := sums.Count()
	chk := bag.Sum(bag.Pluck(sums, func(p bag.Pair[int64, float64]) float64 { return p.Value }))
	res, err := sched.Compute(ctx, []sched.Collection{n, chk}, opts...)
	if err != nil {
		return err
	}
	fmt.Printf("bag/foldby_distinct seconds=%.4f groups=%d chk=%.6f\n", time.Since(t).Seconds(), res[0].(int64), res[1].(float64))
	fmt.Fprintln(os.Stderr, "peak RSS: run under /usr/bin/time -v")
	return nil
}
