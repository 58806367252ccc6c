package delayed

import (
	"github.com/godask/godask/graph"
)

// RegisteredName returns the name fn was registered under with Register, and
// whether it was. Collections built on delayed (delayed/bag) use it to decide
// whether a task calling fn can ship to another process.
func RegisteredName(fn any) (string, bool) {
	if fn == nil {
		return "", false
	}
	e, ok := regByPtr.Load(funcPtr(fn))
	if !ok {
		return "", false
	}
	return e.(*fnEntry).name, true
}

// Lookup returns the function registered under name with Register: what a
// process that decodes a task finds the task's function by.
func Lookup(name string) (any, bool) {
	e, ok := regByName.Load(name)
	if !ok {
		return nil, false
	}
	return e.(*fnEntry).fn, true
}

// FuncName returns the runtime name of a function ("main.inc",
// "pkg.(*T).m-fm", "main.main.func1" for a closure), as task labels and
// error messages name unregistered functions.
func FuncName(fn any) string { return infoOf(fn).name }

// FromGraph returns the value of task key in g as a *Value[T], so a
// collection that builds its own tasks (a bag reduction, say) hands its result
// on to delayed calls. g must hold the task and everything it reads; the
// value's type must be T when computed. A missing key is the value's error.
func FromGraph[T any](g *graph.Graph, key graph.Key) *Value[T] {
	memo := map[graph.Key]*node{}
	var walk func(k graph.Key) *node
	walk = func(k graph.Key) *node {
		if n, ok := memo[k]; ok {
			return n
		}
		t := g.Get(k)
		if t == nil {
			return errNode(&graph.MissingError{Missing: map[graph.Key][]graph.Key{k: nil}})
		}
		n := &node{task: t, size: 1}
		memo[k] = n
		if len(t.Deps) > 0 {
			n.rare = &nodeRare{deps: make([]*node, 0, len(t.Deps))}
		}
		for _, d := range t.Deps {
			dn := walk(d)
			if err := dn.buildErr(); err != nil {
				n.rare.err = err
			}
			n.rare.deps = append(n.rare.deps, dn)
			n.size = min(n.size+dn.size, maxSizeHint)
		}
		return n
	}
	n := walk(key)
	if err := n.buildErr(); err != nil {
		return &Value[T]{n: errNode(err)}
	}
	graph.RegisterType[T]()
	return &Value[T]{n: n}
}

// Failed returns a value that carries err as its sticky error: what a
// collection hands on when it cannot build the value.
func Failed[T any](err error) *Value[T] { return &Value[T]{n: errNode(err)} }
