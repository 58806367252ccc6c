// Command bags runs the everyday dask.bag workflows on data it makes itself:
// a directory of JSON-lines stock records (the seed's symbol, timestamp,
// open/high/low/close/volume) read as a bag of structs, filtered, folded by
// symbol, then turned into a dataframe and aggregated; and a word count over
// generated text files.
//
//	go run ./examples/bags
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/godask/godask/delayed/bag"
	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
)

// Record is one line of the stock files.
type Record struct {
	Symbol string  `json:"symbol" frame:"symbol"`
	TS     int64   `json:"timestamp" frame:"timestamp"`
	Open   float64 `json:"open" frame:"open"`
	High   float64 `json:"high" frame:"high"`
	Low    float64 `json:"low" frame:"low"`
	Close  float64 `json:"close" frame:"close"`
	Volume int64   `json:"volume" frame:"volume"`
}

// Stats is what the fold keeps per symbol.
type Stats struct {
	N          int64
	Sum, Range float64
}

func addRecord(s Stats, r Record) Stats {
	return Stats{N: s.N + 1, Sum: s.Sum + r.Close, Range: max(s.Range, r.High-r.Low)}
}

func mergeStats(a, b Stats) Stats {
	return Stats{N: a.N + b.N, Sum: a.Sum + b.Sum, Range: max(a.Range, b.Range)}
}

func main() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "godask-bags-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := writeStocks(filepath.Join(dir, "stocks"), 8, 50_000); err != nil {
		log.Fatal(err)
	}
	if err := writeText(filepath.Join(dir, "text"), 4, 20_000); err != nil {
		log.Fatal(err)
	}
	opts := []sched.Option{sched.WithProgress(nil)}

	t := time.Now()
	recs := bag.ReadJSON[Record](filepath.Join(dir, "stocks", "*.jsonl"), bag.JSONOptions{})
	busy := recs.Filter(func(r Record) bool { return r.Volume > 100 })
	fmt.Println(busy)
	bySymbol, err := bag.FoldBy(busy, func(r Record) string { return r.Symbol }, addRecord, Stats{}, mergeStats).Compute(ctx, opts...)
	if err != nil {
		log.Fatal(err)
	}
	sort.Slice(bySymbol, func(i, j int) bool { return bySymbol[i].Key < bySymbol[j].Key })
	for _, p := range bySymbol[:min(3, len(bySymbol))] {
		fmt.Printf("  %s: %d trades, mean close %.2f, widest day %.2f\n", p.Key, p.Value.N, p.Value.Sum/float64(p.Value.N), p.Value.Range)
	}
	fmt.Printf("FoldBy over %d symbols in %v\n\n", len(bySymbol), time.Since(t).Round(time.Millisecond))

	df, err := bag.ToFrame(ctx, busy, opts...)
	if err != nil {
		log.Fatal(err)
	}
	top, err := df.GroupBy("symbol").Agg(frame.Col("volume").Sum()).NLargest(5, "volume").Compute(ctx, opts...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("the five most traded symbols, through a dataframe:")
	fmt.Println(top)

	t = time.Now()
	words := bag.Fields(bag.ReadText(filepath.Join(dir, "text", "*.txt"), bag.TextOptions{}))
	freq := bag.Frequencies(words)
	res, err := sched.Compute(ctx, []sched.Collection{freq.TopK(5, bag.ByCount[string]), words.Count()}, opts...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nword count: %d words in %v; the five most common:\n", res[1].(int64), time.Since(t).Round(time.Millisecond))
	for _, p := range res[0].([]bag.Pair[string, int64]) {
		fmt.Printf("  %-8s %d\n", p.Key, p.Value)
	}
}

func writeStocks(dir string, files, per int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r := rand.New(rand.NewSource(1))
	for f := 0; f < files; f++ {
		var sb strings.Builder
		enc := json.NewEncoder(&sb)
		for i := 0; i < per; i++ {
			base := 10 + r.Float64()*490
			rec := Record{Symbol: fmt.Sprintf("S%03d", r.Intn(200)), TS: 1_600_000_000 + int64(f*per+i),
				Open: base, High: base * 1.01, Low: base * 0.99, Close: base * (0.995 + r.Float64()/100), Volume: int64(r.Intn(1000))}
			if err := enc.Encode(rec); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("part-%02d.jsonl", f)), []byte(sb.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writeText(dir string, files, lines int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	r := rand.New(rand.NewSource(2))
	z := rand.NewZipf(r, 1.1, 1, 9999)
	for f := 0; f < files; f++ {
		var sb strings.Builder
		for l := 0; l < lines; l++ {
			for w := 0; w < 12; w++ {
				if w > 0 {
					sb.WriteByte(' ')
				}
				fmt.Fprintf(&sb, "w%d", z.Uint64())
			}
			sb.WriteByte('\n')
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("part-%02d.txt", f)), []byte(sb.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
