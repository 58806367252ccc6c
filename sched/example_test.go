package sched_test

import (
	"context"
	"fmt"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Run computes the outputs of a graph built by hand; collections (arrays,
// frames, delayed values) build such graphs for you.
func ExampleRun() {
	a := graph.ConstTask("a", 20)
	b := graph.ConstTask("b", 22)
	sum, _ := graph.NewTask(sumOp{}, "a", "b")
	vals, err := sched.Run(context.Background(), graph.New(a, b, sum), []graph.Key{sum.Key},
		sched.WithWorkers(2), sched.WithProgress(nil))
	fmt.Println(vals[0], err)
	// Output: 42 <nil>
}

type sumOp struct{}

func (sumOp) Name() string            { return "example.sum" }
func (sumOp) Params() ([]byte, error) { return nil, nil }
func (sumOp) Run(_ context.Context, in []any) (any, error) {
	s := 0
	for _, v := range in {
		s += v.(int)
	}
	return s, nil
}
