package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
)

func init() { suites["strings"] = stringsSuite }

// The TPC-H p_type syllables: 6 × 5 × 5 = 150 types ("STANDARD POLISHED
// BRASS"), as in peers/strings_duckdb.mjs.
var (
	ptype1 = []string{"STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"}
	ptype2 = []string{"ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"}
	ptype3 = []string{"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"}
)

// ptype is row i's type: a multiplicative hash of i picks one of the 150,
// the same formula as the DuckDB script's SQL.
func ptype(i int64) string {
	h := (i * 2654435761) % 150
	return ptype1[h/25] + " " + ptype2[h/5%5] + " " + ptype3[h%5]
}

// stringsQueries are the LIKE shapes measured; each counts matching rows.
var stringsQueries = []struct {
	name string
	e    frame.Expr
}{
	{"like_suffix", frame.Col("p_type").Like("%BRASS")},
	{"like_prefix", frame.Col("p_type").Like("PROMO%")},
	{"like_infix", frame.Col("p_type").Like("%POLISHED%")},
	{"like_general", frame.Col("p_type").Like("%BR_SS")},
	{"ilike_suffix", frame.Col("p_type").ILike("%brass")},
	{"regexp", frame.Col("p_type").Matches("^(SMALL|LARGE) .*STEEL$")},
}

// stringsSuite measures LIKE and regular-expression filters over n
// in-memory strings (persisted first, so only the filter and count are
// timed), printing "strings/NAME seconds=S rows=R" like the peer script.
func stringsSuite(args []string) error {
	fs := flag.NewFlagSet("strings", flag.ExitOnError)
	n := fs.Float64("n", 1e7, "rows")
	parts := fs.Int("parts", 8, "partitions")
	only := fs.String("q", "", "comma-separated query names (default all)")
	reps := fs.Int("reps", 3, "runs per query; the fastest is printed")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the timed runs")
	fs.Parse(args)
	ctx := context.Background()
	rows := int64(*n)
	vals := make([]string, rows)
	for i := range vals {
		vals[i] = ptype(int64(i))
	}
	t0 := time.Now()
	f, err := frame.FromColumns(*parts, frame.Column{Name: "p_type", Values: vals}).Persist(ctx, sched.WithProgress(nil))
	if err != nil {
		return err
	}
	vals = nil
	fmt.Fprintf(os.Stderr, "strings: %d rows in %d partitions, persisted in %.2fs\n", rows, *parts, time.Since(t0).Seconds())
	stop, err := cpuProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()
	for _, q := range stringsQueries {
		if *only != "" && !strings.Contains(","+*only+",", ","+q.name+",") {
			continue
		}
		best := time.Duration(1<<63 - 1)
		var cnt int
		for r := 0; r < *reps; r++ {
			t := time.Now()
			c, err := f.Filter(q.e).Len(ctx, sched.WithProgress(nil))
			if err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			if d := time.Since(t); d < best {
				best = d
			}
			cnt = c
		}
		fmt.Printf("strings/%s seconds=%.4f rows=%d\n", q.name, best.Seconds(), cnt)
	}
	return nil
}
