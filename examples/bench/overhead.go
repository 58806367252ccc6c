package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/godask/godask/delayed"
)

func inc(x int) int    { return x + 1 }
func add(a, b int) int { return a + b }

// overhead is the graph of shared/peers/overhead_dask.py: n trivial tasks
// summed by a binary tree of adds, 2n-1 tasks, timed to build and to run.
func overhead(args []string) error {
	fs := flag.NewFlagSet("overhead", flag.ExitOnError)
	n := fs.Int("n", 100000, "number of leaf tasks")
	runs := fs.Int("runs", 1, "repetitions; the median is printed")
	fs.Parse(args)
	var builds, runsT []float64
	var tasks, result int
	for r := 0; r < *runs; r++ {
		t0 := time.Now()
		xs := make([]*delayed.Value[int], *n)
		for i := range xs {
			xs[i] = delayed.Call(inc, delayed.Lit(i))
		}
		for len(xs) > 1 {
			next := xs[:0:0]
			next = make([]*delayed.Value[int], 0, (len(xs)+1)/2)
			for i := 0; i < len(xs); i += 2 {
				if i+1 < len(xs) {
					next = append(next, delayed.Call2(add, delayed.In[int](xs[i]), delayed.In[int](xs[i+1])))
				} else {
					next = append(next, xs[i])
				}
			}
			xs = next
		}
		tb := time.Since(t0)
		t1 := time.Now()
		res, err := xs[0].Compute(context.Background())
		if err != nil {
			return err
		}
		tc := time.Since(t1)
		tasks = 2**n - 1
		result = res
		builds = append(builds, tb.Seconds())
		runsT = append(runsT, tc.Seconds())
	}
	fmt.Printf("overhead/tree tasks=%d build_us=%.3f per_task_us=%.3f result=%d\n",
		tasks, median(builds)/float64(tasks)*1e6, median(runsT)/float64(tasks)*1e6, result)
	return nil
}
