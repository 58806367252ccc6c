package delayed_test

import (
	"context"
	"fmt"

	"github.com/godask/godask/delayed"
	"github.com/godask/godask/sched"
)

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func plus(a, b float64) float64 { return a + b }

// The seed example: two averages computed in parallel, then added.
func ExampleCall() {
	a := delayed.Call(mean, delayed.Lit([]float64{1, 2, 3}))
	b := delayed.Call(mean, delayed.Lit([]float64{4, 5, 6}))
	r := delayed.Call2(plus, a, b)
	v, err := r.Compute(context.Background())
	fmt.Println(v, err)
	// Output: 7 <nil>
}

func square(x int) int { return x * x }

// Futures start at once; Gather waits for them.
func ExampleSubmit() {
	c := delayed.NewClient(sched.WithWorkers(2))
	defer c.Close()
	fs := delayed.Map(c, square, []int{1, 2, 3, 4})
	total := delayed.Submit(c, func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	}, delayed.In[[]int](delayed.List(fs[0], fs[1], fs[2], fs[3])))
	v, err := total.Result(context.Background())
	fmt.Println(v, err)
	// Output: 30 <nil>
}
