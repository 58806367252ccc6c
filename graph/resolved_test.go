package graph

import (
	"errors"
	"math/rand"
	"reflect"
	"testing"
)

// TestAddResolvedMatchesAdd builds random DAGs (with repeated tasks that
// merge by key) both ways: AddResolved with the positions of the inputs, and
// Add. The graphs must hold the same tasks in the same order, the same
// dependency index, and evaluate the same; the resolved one must also pass
// Validate and Cull without looking keys up wrongly.
func TestAddResolvedMatchesAdd(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for trial := 0; trial < 50; trial++ {
		n := 1 + rng.Intn(60)
		var byAdd Graph
		byRes := WithCapacity(n)
		var keys []Key
		for i := 0; i < n; i++ {
			var deps []Key
			var pos []int32
			for j := rng.Intn(4); j > 0 && len(keys) > 0; j-- {
				k := keys[rng.Intn(len(keys))]
				deps = append(deps, k)
				pos = append(pos, int32(byRes.IndexOf(k)))
			}
			tk := task(t, int64(rng.Intn(5)), deps...) // small constants repeat keys
			newA := byAdd.Add(tk)
			at, newR := byRes.AddResolved(tk, pos)
			if newA != newR || byRes.Tasks()[at].Key != tk.Key {
				t.Fatalf("trial %d task %d: Add new=%v, AddResolved new=%v at %d", trial, i, newA, newR, at)
			}
			keys = append(keys, tk.Key)
		}
		if !reflect.DeepEqual(taskKeys(&byAdd), taskKeys(byRes)) {
			t.Fatalf("trial %d: task order differs", trial)
		}
		resDeps := byRes.DepIndex()
		if !byRes.depsOK {
			t.Fatalf("trial %d: a resolved graph lost its dependency index", trial)
		}
		for i, ds := range byAdd.DepIndex() {
			if len(ds) != len(resDeps[i]) || (len(ds) > 0 && !reflect.DeepEqual(ds, resDeps[i])) {
				t.Fatalf("trial %d task %d: dependencies %v, want %v", trial, i, resDeps[i], ds)
			}
		}
		if err := byRes.Validate(); err != nil {
			t.Fatal(err)
		}
		out := keys[len(keys)-1]
		c, err := Cull(byRes, []Key{out})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := evalSeq(t, c, out, map[Key]int64{}), evalSeq(t, &byAdd, out, map[Key]int64{}); got != want {
			t.Fatalf("trial %d: culled resolved graph evaluates to %d, want %d", trial, got, want)
		}
	}
}

func taskKeys(g *Graph) []Key {
	var ks []Key
	for _, t := range g.Tasks() {
		ks = append(ks, t.Key)
	}
	return ks
}

// TestAddResolvedWrongPositions: positions that do not name the task's
// inputs are not trusted; the graph falls back to keys, so a missing input
// is still reported.
func TestAddResolvedWrongPositions(t *testing.T) {
	g := &Graph{}
	a := task(t, 1)
	b := task(t, 2)
	g.AddResolved(a, nil)
	g.AddResolved(b, nil)
	c := task(t, 3, a.Key, b.Key)
	g.AddResolved(c, []int32{1, 0}) // swapped
	if g.depsOK {
		t.Fatal("swapped positions were trusted")
	}
	if d := g.DepIndex()[2]; d[0] != 0 || d[1] != 1 {
		t.Fatalf("dependencies of c resolve to %v, want [0 1]", d)
	}
	// A task whose input is absent, added with an out-of-range position.
	ghost := task(t, 9)
	e := task(t, 4, ghost.Key)
	g.AddResolved(e, []int32{7})
	var miss *MissingError
	if err := g.Validate(); !errors.As(err, &miss) || miss.Missing[ghost.Key] == nil {
		t.Fatalf("Validate = %v, want the missing %s", err, ghost.Key)
	}
	// After a plain Add, later resolved adds do not resurrect the index.
	h := &Graph{}
	h.AddResolved(a, nil)
	h.Add(b)
	h.AddResolved(task(t, 5, a.Key), []int32{0})
	if h.depsOK {
		t.Fatal("index trusted after a plain Add")
	}
	if d := h.DepIndex()[2]; len(d) != 1 || d[0] != 0 {
		t.Fatalf("got %v", d)
	}
}
