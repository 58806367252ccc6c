// Command delayed runs the seed example of dask.delayed: two averages that
// take a second each and a sum that takes a second. Sequentially that is 3 s;
// as a graph the averages run in parallel, so it takes 2 s.
//
//	go run ./examples/delayed
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/godask/godask/delayed"
)

func avg(xs []float64) float64 {
	time.Sleep(time.Second)
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func add(a, b float64) float64 {
	time.Sleep(time.Second)
	return a + b
}

func main() {
	l1 := []float64{1, 2, 3, 4}
	l2 := []float64{10, 20, 30}

	t := time.Now()
	seq := add(avg(l1), avg(l2))
	fmt.Printf("sequential: %.4g in %.1fs\n", seq, time.Since(t).Seconds())

	a := delayed.Call(avg, delayed.Lit(l1))
	b := delayed.Call(avg, delayed.Lit(l2))
	r := delayed.Call2(add, a, b)
	fmt.Println("lazy:", r)
	t = time.Now()
	v, err := r.Compute(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("delayed:    %.4g in %.1fs\n", v, time.Since(t).Seconds())

	dot := os.TempDir() + "/godask-delayed.dot"
	if err := r.Visualize(dot); err != nil {
		log.Fatal(err)
	}
	fmt.Println("graph written to", dot)
}
