// Command quickstart is the first thing to run: it builds a small graph of
// delayed calls on data it makes itself, computes it in parallel and prints
// the result and the time taken.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"log"
	"math/rand"
	"time"

	"github.com/godask/godask/delayed"
)

// chunk makes n pseudo-random amounts from a seed.
func chunk(seed int) []float64 {
	rng := rand.New(rand.NewSource(int64(seed)))
	xs := make([]float64, 1_000_000)
	for i := range xs {
		xs[i] = rng.ExpFloat64() * 100
	}
	return xs
}

type stats struct{ N, Sum, Max float64 }

func summarize(xs []float64) stats {
	s := stats{N: float64(len(xs))}
	for _, x := range xs {
		s.Sum += x
		if x > s.Max {
			s.Max = x
		}
	}
	return s
}

func merge(a, b stats) stats {
	return stats{a.N + b.N, a.Sum + b.Sum, max(a.Max, b.Max)}
}

func main() {
	var parts []*delayed.Value[stats]
	for i := 0; i < 16; i++ {
		data := delayed.Call(chunk, delayed.Lit(i))
		parts = append(parts, delayed.Call(summarize, delayed.In[[]float64](data)))
	}
	for len(parts) > 1 { // a tree reduction
		var next []*delayed.Value[stats]
		for i := 0; i+1 < len(parts); i += 2 {
			next = append(next, delayed.Call2(merge, parts[i], parts[i+1]))
		}
		parts = next
	}
	t := time.Now()
	s, err := parts[0].Compute(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.0f amounts, mean %.3f, max %.3f, computed in %.3fs\n", s.N, s.Sum/s.N, s.Max, time.Since(t).Seconds())
}
