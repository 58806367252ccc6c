package delayed

import "testing"

// TestNodeInputs checks the inputs a node reports, in its task's Deps
// order, for typed cells (a literal in either place, two inputs, none), a
// general call and a value read back from a graph.
func TestNodeInputs(t *testing.T) {
	x, y := Call(inc, Lit(1)), Call(inc, Lit(2))
	same := func(name string, n *node, want ...*node) {
		t.Helper()
		got := n.inputs()
		if len(got) != len(want) || len(n.task.Deps) != len(want) {
			t.Fatalf("%s: %d inputs, %d deps, want %d", name, len(got), len(n.task.Deps), len(want))
		}
		for i := range want {
			if got[i] != want[i] || n.task.Deps[i] != want[i].task.Key {
				t.Fatalf("%s: input %d is %s, want %s", name, i, got[i].task.Key, want[i].task.Key)
			}
		}
	}
	same("lit", x.n)
	same("dep,lit", Call2(addi, In[int](x), Lit(3)).n, x.n)
	same("lit,dep", Call2(addi, Lit(3), In[int](y)).n, y.n)
	same("dep,dep", Call2(addi, In[int](y), In[int](x)).n, y.n, x.n)
	l := List(In[int](x), Lit(7), In[int](y))
	same("list", l.n, x.n, y.n)
	g, err := l.Graph()
	if err != nil {
		t.Fatal(err)
	}
	back := FromGraph[[]int](g, l.Key())
	if got := len(back.n.inputs()); got != 2 {
		t.Fatalf("FromGraph: %d inputs, want 2", got)
	}
}
