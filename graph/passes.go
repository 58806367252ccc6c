package graph

import (
	"fmt"
	"strings"
)

// Cull returns the graph of the tasks that the outputs need, in g's order. It
// returns g itself when every task is needed. A missing output or dependency
// gives an error naming the keys.
func Cull(g *Graph, outputs []Key) (*Graph, error) {
	var missing []string
	for _, k := range outputs {
		if !g.Has(k) {
			missing = append(missing, string(k))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("graph: outputs not in the graph: %s", strings.Join(missing, ", "))
	}
	if err := g.missing(); err != nil {
		return nil, err
	}
	n := g.Len()
	off, flat := g.DepCSR()
	keep := make([]bool, n)
	stack := make([]int32, 0, len(outputs))
	for _, k := range outputs {
		i, _ := g.index.get(k, g.tasks)
		if !keep[i] {
			keep[i] = true
			stack = append(stack, i)
		}
	}
	kept := len(stack)
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, j := range flat[off[i]:off[i+1]] {
			if !keep[j] {
				keep[j] = true
				kept++
				stack = append(stack, j)
			}
		}
	}
	if kept == n {
		return g, nil
	}
	// Renumber, carrying the dependency index over without key lookups.
	newIdx := make([]int32, n)
	out := &Graph{tasks: make([]*Task, 0, kept), depOff: make([]int32, 1, kept+1)}
	out.index.reserve(kept, nil)
	for i, t := range g.tasks {
		if keep[i] {
			newIdx[i] = int32(len(out.tasks))
			out.tasks = append(out.tasks, t)
			out.index.put(t.Key, len(out.tasks)-1, out.tasks)
		}
	}
	for i := range g.tasks {
		if keep[i] {
			for _, d := range flat[off[i]:off[i+1]] {
				out.depFlat = append(out.depFlat, newIdx[d])
			}
			out.depOff = append(out.depOff, int32(len(out.depFlat)))
		}
	}
	out.depsOK = true // g had no missing dependency
	return out, nil
}

// dependents counts, for each task, how many tasks read it (a task reading the
// same input twice counts twice, which only makes fusion more careful).
func dependents(n int, flat []int32) []int32 {
	c := make([]int32, n)
	for _, d := range flat {
		c[d]++
	}
	return c
}

// Fuse merges linear chains into single tasks (see Fused): a task whose only
// input is produced by a task that nothing else reads absorbs that producer,
// so a chain read → transform → partial reduce runs as one task and its
// intermediates never reach the executor. Outputs are never absorbed, so their
// keys stay. It returns g itself when there is nothing to fuse. g must be
// valid (see Validate).
func Fuse(g *Graph, outputs []Key) (*Graph, error) {
	n := g.Len()
	if n < 2 {
		return g, nil
	}
	off, flat := g.DepCSR()
	deps := func(i int32) []int32 { return flat[off[i]:off[i+1]] }
	single := false // some task has exactly one input (else nothing fuses)
	for i := 0; i < n && !single; i++ {
		single = off[i+1]-off[i] == 1
	}
	if !single {
		return g, nil
	}
	nd := dependents(n, flat)
	isOut := make([]bool, n)
	for _, k := range outputs {
		if i, ok := g.index.get(k, g.tasks); ok {
			isOut[i] = true
		}
	}
	// absorbed[p] is true when p's only reader has p as its only input.
	absorbed := make([]bool, n)
	found := false
	for i := int32(0); int(i) < n; i++ {
		if off[i+1]-off[i] == 1 {
			p := flat[off[i]]
			if nd[p] == 1 && !isOut[p] {
				absorbed[p] = true
				found = true
			}
		}
	}
	if !found {
		return g, nil
	}
	out := &Graph{tasks: make([]*Task, 0, n)}
	out.index.reserve(n, nil)
	var chain []*Task
	for i, t := range g.tasks {
		if absorbed[i] {
			continue
		}
		// i ends a chain: walk up through absorbed producers.
		chain = append(chain[:0], t)
		cur := int32(i)
		for len(deps(cur)) == 1 && absorbed[deps(cur)[0]] {
			cur = deps(cur)[0]
			chain = append(chain, g.tasks[cur])
		}
		nt := t
		if len(chain) > 1 {
			c := make([]*Task, len(chain))
			for j := range chain {
				c[j] = chain[len(chain)-1-j]
			}
			var err error
			if nt, err = NewFused(c); err != nil {
				return nil, err
			}
		}
		out.tasks = append(out.tasks, nt)
		out.index.put(nt.Key, len(out.tasks)-1, out.tasks)
	}
	return out, nil
}

// Order gives every task a priority (lower runs first) so that the executor
// finishes one branch before it starts new roots, keeping few intermediates
// alive.
//
// The heuristic: a depth-first walk from the outputs, in their order, visiting
// each task's inputs in the order they are listed, and numbering tasks as the
// walk leaves them (post-order). A task's number is then lower than that of
// every root of a later branch, so as soon as its inputs exist it outranks
// starting new work. A sequential run in this order over a binary tree
// reduction of depth d holds at most d+2 values at once (one pending value per
// level, plus the output of the running task); with W workers each taking the
// lowest-numbered ready task, at most about W·(d+2). Tasks no output needs
// come last, in graph order. Dependencies must be present (see Cull); a cycle
// gives a *CycleError.
func Order(g *Graph, outputs []Key) ([]int32, error) {
	n := g.Len()
	prio := make([]int32, n)
	for i := range prio {
		prio[i] = -1
	}
	off, flat := g.DepCSR()
	next := int32(0)
	type frame struct{ v, i int32 }
	var stack []frame
	var cycle error
	visit := func(s int32) {
		if prio[s] >= 0 || cycle != nil {
			return
		}
		prio[s] = -2 // on the stack
		stack = append(stack[:0], frame{s, 0})
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			ds := flat[off[f.v]:off[f.v+1]]
			if int(f.i) < len(ds) {
				d := ds[f.i]
				f.i++
				switch prio[d] {
				case -1:
					prio[d] = -2
					stack = append(stack, frame{d, 0})
				case -2:
					var cyc []Key
					for i := len(stack) - 1; i >= 0; i-- {
						cyc = append(cyc, g.tasks[stack[i].v].Key)
						if stack[i].v == d {
							break
						}
					}
					cycle = &CycleError{Cycle: append(cyc, cyc[0])}
					return
				}
				continue
			}
			prio[f.v] = next
			next++
			stack = stack[:len(stack)-1]
		}
	}
	for _, k := range outputs {
		if i, ok := g.index.get(k, g.tasks); ok {
			visit(i)
		}
	}
	for i := range prio {
		visit(int32(i))
	}
	if cycle != nil {
		return nil, cycle
	}
	return prio, nil
}
