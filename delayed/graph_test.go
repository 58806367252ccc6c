package delayed

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/godask/godask/graph"
)

// referenceGraph is the graph of n built task by task with graph.Add, by a
// plain walk over the nodes (how Graph worked before it added tasks with
// their input positions).
func referenceGraph(n *node) *graph.Graph {
	g := &graph.Graph{}
	stack := []*node{n}
	for len(stack) > 0 {
		m := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if g.Add(m.task) {
			stack = append(stack, m.inputs()...)
		}
	}
	return g
}

// TestGraphMatchesTaskByTask: on random DAGs of calls, with shared values,
// repeated diamonds and computations built twice (equal keys from distinct
// nodes), Graph holds the same tasks as the graph built task by task, each
// with the same dependencies, resolves them to the same keys, and validates.
func TestGraphMatchesTaskByTask(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for trial := 0; trial < 40; trial++ {
		var vals []*Value[int]
		for i := 0; i < 150; i++ {
			switch k := rng.Intn(5); {
			case k == 0 || len(vals) < 2:
				vals = append(vals, Call(inc, Lit(rng.Intn(20)))) // small range: equal keys recur
			case k == 1:
				a := vals[rng.Intn(len(vals))]
				vals = append(vals, Call2(addi, In[int](a), In[int](a))) // diamond
			case k == 2:
				a, b := rng.Intn(len(vals)), rng.Intn(len(vals))
				vals = append(vals, Call2(addi, In[int](vals[a]), In[int](vals[b])))
			case k == 3:
				vals = append(vals, Call2(addi, In[int](vals[rng.Intn(len(vals))]), Lit(rng.Intn(3))))
			default:
				vals = append(vals, Call(inc, In[int](vals[rng.Intn(len(vals))])))
			}
		}
		root := vals[len(vals)-1]
		if trial%3 == 0 {
			root = Call2(addi, In[int](vals[rng.Intn(len(vals))]), In[int](root))
		}
		g, err := root.Graph()
		if err != nil {
			t.Fatal(err)
		}
		ref := referenceGraph(root.n)
		if g.Len() != ref.Len() {
			t.Fatalf("trial %d: %d tasks, task by task %d", trial, g.Len(), ref.Len())
		}
		deps := g.DepIndex()
		for i, tk := range g.Tasks() {
			rt := ref.Get(tk.Key)
			if rt == nil {
				t.Fatalf("trial %d: task %s not in the reference graph", trial, tk.Key)
			}
			if fmt.Sprint(rt.Deps) != fmt.Sprint(tk.Deps) {
				t.Fatalf("trial %d: %s deps %v, reference %v", trial, tk.Key, tk.Deps, rt.Deps)
			}
			for j, d := range deps[i] {
				if g.Tasks()[d].Key != tk.Deps[j] {
					t.Fatalf("trial %d: %s input %d resolves to %s, want %s", trial, tk.Key, j, g.Tasks()[d].Key, tk.Deps[j])
				}
			}
		}
		if err := g.Validate(); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		got, err := root.Compute(ctx, quiet())
		if err != nil {
			t.Fatal(err)
		}
		want, err := evalRef(ref, root.Key())
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("trial %d: Compute = %d, sequential evaluation = %d", trial, got, want)
		}
	}
}

// evalRef evaluates key k of g sequentially by recursion over the ops.
func evalRef(g *graph.Graph, k graph.Key) (int, error) {
	memo := map[graph.Key]any{}
	var eval func(k graph.Key) (any, error)
	eval = func(k graph.Key) (any, error) {
		if v, ok := memo[k]; ok {
			return v, nil
		}
		tk := g.Get(k)
		var in []any
		for _, d := range tk.Deps {
			v, err := eval(d)
			if err != nil {
				return nil, err
			}
			in = append(in, v)
		}
		v, err := tk.Op.Run(ctx, in)
		memo[k] = v
		return v, err
	}
	v, err := eval(k)
	if err != nil {
		return 0, err
	}
	return v.(int), nil
}
