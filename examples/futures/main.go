// Command futures shows the futures workflow of Dask's client: a parallel map
// that loads price series from files, then one submitted correlation per pair
// of series (futures as inputs of further submits), collected as they finish
// to find the most correlated pair.
//
//	go run ./examples/futures
package main

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/godask/godask/delayed"
)

const (
	nSeries = 24
	nDays   = 20000
)

// writeSeries makes nSeries random walks, some sharing a common factor, one
// file each.
func writeSeries(dir string) ([]string, error) {
	rng := rand.New(rand.NewSource(1))
	market := make([]float64, nDays)
	for i := range market {
		market[i] = rng.NormFloat64()
	}
	var paths []string
	for s := 0; s < nSeries; s++ {
		beta := rng.Float64()
		p := filepath.Join(dir, fmt.Sprintf("stock-%02d.txt", s))
		f, err := os.Create(p)
		if err != nil {
			return nil, err
		}
		w := bufio.NewWriter(f)
		price := 100.0
		for d := 0; d < nDays; d++ {
			price *= 1 + 0.01*(beta*market[d]+(1-beta)*rng.NormFloat64())
			fmt.Fprintf(w, "%.6f\n", price)
		}
		if err := w.Flush(); err != nil {
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// load reads a price file and returns its daily returns.
func load(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var prices []float64
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		v, err := strconv.ParseFloat(sc.Text(), 64)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		prices = append(prices, v)
	}
	rets := make([]float64, len(prices)-1)
	for i := range rets {
		rets[i] = prices[i+1]/prices[i] - 1
	}
	return rets, sc.Err()
}

type pair struct {
	A, B int
	Corr float64
}

func corr(a, b []float64) float64 {
	n := float64(len(a))
	var sa, sb, saa, sbb, sab float64
	for i := range a {
		sa += a[i]
		sb += b[i]
		saa += a[i] * a[i]
		sbb += b[i] * b[i]
		sab += a[i] * b[i]
	}
	cov := sab/n - sa/n*sb/n
	return cov / math.Sqrt((saa/n-sa/n*sa/n)*(sbb/n-sb/n*sb/n))
}

func main() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "godask-futures-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	paths, err := writeSeries(dir)
	if err != nil {
		log.Fatal(err)
	}

	c := delayed.NewClient()
	defer c.Close()
	t := time.Now()
	series := delayed.MapE(c, load, paths) // starts loading at once
	var pairs []*delayed.Future[pair]
	for i := range series {
		for j := i + 1; j < len(series); j++ {
			i, j := i, j
			pairs = append(pairs, delayed.Submit2(c, func(a, b []float64) pair {
				return pair{i, j, corr(a, b)}
			}, series[i], series[j]))
		}
	}
	best := pair{Corr: -2}
	n := 0
	for f := range delayed.AsCompleted(pairs) {
		p, err := f.Result(ctx)
		if err != nil {
			log.Fatal(err)
		}
		n++
		if p.Corr > best.Corr {
			best = p
		}
	}
	fmt.Printf("loaded %d series of %d days, %d correlations in %.2fs\n", len(series), nDays, n, time.Since(t).Seconds())
	fmt.Printf("most correlated: stock-%02d and stock-%02d, r = %.4f\n", best.A, best.B, best.Corr)
}
