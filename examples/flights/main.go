// Command flights is the seed's CSV workflow on generated flight records:
// read many CSV files lazily, inspect columns, dtypes and partitions, take
// head and tail, and compute the mean departure delay by origin, the
// maximum delay, and filtered sums.
//
//	go run ./examples/flights
package main

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "flights:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "godask-flights-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := gen(dir, 10, 50_000); err != nil {
		return err
	}
	df := frame.ReadCSV(filepath.Join(dir, "*.csv"), frame.CSVOptions{ParseDates: []string{"date"}})
	if df.Err() != nil {
		return df.Err()
	}
	fmt.Println(df)
	fmt.Println("columns:", df.Columns(), "npartitions:", df.NPartitions())
	head, err := df.Head(ctx, 5)
	if err != nil {
		return err
	}
	fmt.Printf("head:\n%v\n", head)
	tail, err := df.Tail(ctx, 3)
	if err != nil {
		return err
	}
	fmt.Printf("tail:\n%v\n", tail)
	t0 := time.Now()
	byOrigin := df.GroupBy("origin").Agg(frame.Col("dep_delay").Mean()).SortValues(false, "origin")
	maxDelay := df.Max("dep_delay")
	// "sum of fares where tip == 0" in this dataset: distance of on-time flights.
	onTime := df.Filter(frame.Col("dep_delay").Le(frame.Lit(0)).And(frame.Col("origin").IsIn("JFK", "LGA"))).Sum("distance")
	winter := df.Filter(frame.Col("date").Month().IsIn(12, 1, 2)).Agg(frame.Col("dep_delay").Mean().Alias("winter_mean_delay"))
	res, err := sched.Compute(ctx, []sched.Collection{byOrigin, maxDelay, onTime, winter})
	if err != nil {
		return err
	}
	for i, name := range []string{"mean dep_delay by origin", "max dep_delay", "distance of on-time JFK/LGA flights", "winter"} {
		fmt.Printf("\n%s:\n%v\n", name, res[i])
	}
	fmt.Printf("\nplan of the filtered sum:\n%s\n", onTime.Explain())
	fmt.Printf("computed in %.3fs\n", time.Since(t0).Seconds())
	return nil
}

func gen(dir string, files, rows int) error {
	rng := rand.New(rand.NewSource(1))
	origins := []string{"EWR", "JFK", "LGA"}
	dests := []string{"ATL", "BOS", "ORD", "LAX", "SFO", "MIA", "DEN", "SEA"}
	for f := 0; f < files; f++ {
		var b strings.Builder
		b.WriteString("date,origin,dest,dep_delay,distance,carrier\n")
		for i := 0; i < rows; i++ {
			d := time.Date(1990+f, time.Month(1+rng.Intn(12)), 1+rng.Intn(28), 0, 0, 0, 0, time.UTC)
			delay := fmt.Sprint(int(rng.NormFloat64()*20 + 5))
			if rng.Intn(50) == 0 {
				delay = "" // cancelled: null
			}
			fmt.Fprintf(&b, "%s,%s,%s,%s,%d,%s\n", d.Format("2006-01-02"), origins[rng.Intn(3)], dests[rng.Intn(len(dests))],
				delay, 200+rng.Intn(2500), []string{"AA", "DL", "UA", "B6"}[rng.Intn(4)])
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%d.csv", 1990+f)), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
