// Command quickstart is the main job of godask, the seed workflow of
// dask.dataframe in Go:
//
//	indiv = dd.read_parquet("data/indiv-*.parq/")
//	total_by_employee = indiv.groupby('employer').transaction_amt.sum().nlargest(10)
//	avg_by_occupation = indiv.groupby("occupation").transaction_amt.mean().nlargest(10)
//	results = dask.compute(total_by_employee, avg_by_occupation)
//
// It writes a sample contributions dataset (a few million rows over several
// Parquet files) to a temporary directory, computes both results in one
// sched.Compute that reads the data once, and prints them, the optimized
// plans and the time taken.
//
//	go run ./examples/quickstart [-rows 3000000] [-files 6]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"time"

	"github.com/godask/godask/frame"
	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

func main() {
	rows := flag.Int("rows", 3_000_000, "rows of the sample dataset")
	files := flag.Int("files", 6, "Parquet files")
	flag.Parse()
	if err := run(*rows, *files); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(rows, files int) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "godask-quickstart-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	t0 := time.Now()
	if err := makeData(ctx, filepath.Join(dir, "indiv"), rows, files); err != nil {
		return err
	}
	fmt.Printf("wrote %d rows in %d Parquet files to %s in %.2fs\n\n", rows, files, dir, time.Since(t0).Seconds())

	indiv := frame.ReadParquet(filepath.Join(dir, "indiv", "*.parquet"))
	fmt.Println(indiv)
	fmt.Println()
	amt := frame.Col("transaction_amt")
	totalByEmployee := indiv.GroupBy("employer").Agg(amt.Sum()).NLargest(10, "transaction_amt")
	avgByOccupation := indiv.GroupBy("occupation").Agg(amt.Mean()).NLargest(10, "transaction_amt")

	// Count the tasks that read the data, to show that the shared column is
	// read once.
	reads := map[graph.Key]bool{}
	total := 0
	for _, f := range []*frame.Frame{totalByEmployee, avgByOccupation} {
		g, err := f.Graph()
		if err != nil {
			return err
		}
		for _, t := range g.Tasks() {
			if t.Op.Name() == "frame.pqcol" {
				reads[t.Key] = true
				total++
			}
		}
	}

	t1 := time.Now()
	res, err := sched.Compute(ctx, []sched.Collection{totalByEmployee, avgByOccupation})
	if err != nil {
		return err
	}
	dt := time.Since(t1)
	fmt.Println("total_by_employee:")
	fmt.Println(res[0])
	fmt.Println()
	fmt.Println("avg_by_occupation:")
	fmt.Println(res[1])
	fmt.Println()
	fmt.Println("plan of total_by_employee:")
	fmt.Println(totalByEmployee.Explain())
	fmt.Println("plan of avg_by_occupation:")
	fmt.Println(avgByOccupation.Explain())
	fmt.Printf("\ncolumn-chunk reads: %d distinct in one run (the two plans name %d; transaction_amt is shared)\n", len(reads), total)
	fmt.Printf("computed both in one sched.Compute in %.3fs\n", dt.Seconds())
	return nil
}

var employers = []string{"NOT EMPLOYED", "RETIRED", "SELF-EMPLOYED", "SELF", "NONE", "HOMEMAKER", "UNIVERSITY OF CALIFORNIA",
	"GOOGLE", "MICROSOFT", "APPLE", "KAISER PERMANENTE", "STANFORD UNIVERSITY", "US ARMY", "HARVARD UNIVERSITY", "AMAZON"}
var occupations = []string{"RETIRED", "NOT EMPLOYED", "ATTORNEY", "PHYSICIAN", "HOMEMAKER", "PROFESSOR", "CEO", "ENGINEER",
	"TEACHER", "CONSULTANT", "SALES", "OWNER", "PRESIDENT", "WRITER", "NURSE", "INVESTOR", "SOFTWARE ENGINEER", "LAWYER"}

// makeData writes the sample dataset: employer and occupation with skewed
// (Zipf) popularity over a long tail of synthetic names, and log-normal
// contribution amounts.
func makeData(ctx context.Context, dir string, rows, files int) error {
	rng := rand.New(rand.NewSource(2016))
	zEmp := rand.NewZipf(rng, 1.2, 4, 49_999)
	zOcc := rand.NewZipf(rng, 1.3, 3, 4_999)
	emp := make([]string, rows)
	occ := make([]string, rows)
	amt := make([]float64, rows)
	for i := range emp {
		e := int(zEmp.Uint64())
		if e < len(employers) {
			emp[i] = employers[e]
		} else {
			emp[i] = fmt.Sprintf("EMPLOYER %05d", e)
		}
		o := int(zOcc.Uint64())
		if o < len(occupations) {
			occ[i] = occupations[o]
		} else {
			occ[i] = fmt.Sprintf("OCCUPATION %04d", o)
		}
		amt[i] = float64(int(rng.ExpFloat64()*150*100)) / 100
		if rng.Intn(1000) == 0 {
			amt[i] *= 1000 // a few large donors
		}
	}
	df := frame.FromColumns(files, frame.Column{Name: "employer", Values: emp},
		frame.Column{Name: "occupation", Values: occ}, frame.Column{Name: "transaction_amt", Values: amt})
	return df.WriteParquet(ctx, dir, "snappy", sched.WithProgress(nil))
}
