package graph

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"strings"
	"testing"
)

// addOp adds a constant to the sum of its inputs: a registered test op.
type addOp struct{ c int64 }

func (addOp) Name() string { return "graph_test.add" }
func (a addOp) Params() ([]byte, error) {
	return binary.AppendVarint(nil, a.c), nil
}
func (a addOp) Run(_ context.Context, in []any) (any, error) {
	s := a.c
	for _, v := range in {
		s += v.(int64)
	}
	return s, nil
}

// localOp is never registered.
type localOp struct{}

func (localOp) Name() string                            { return "graph_test.local" }
func (localOp) Params() ([]byte, error)                 { return nil, nil }
func (localOp) Run(context.Context, []any) (any, error) { return int64(0), nil }

func init() {
	Register("graph_test.add", func(p []byte) (Op, error) {
		r := NewReader(p)
		c := r.Varint()
		return addOp{c}, r.Err()
	})
}

func task(t *testing.T, c int64, deps ...Key) *Task {
	t.Helper()
	tk, err := NewTask(addOp{c}, deps...)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// evalSeq evaluates key k of g by plain recursion: the reference for passes.
func evalSeq(t *testing.T, g *Graph, k Key, memo map[Key]int64) int64 {
	if v, ok := memo[k]; ok {
		return v
	}
	tk := g.Get(k)
	in := make([]any, len(tk.Deps))
	for i, d := range tk.Deps {
		in[i] = evalSeq(t, g, d, memo)
	}
	v, err := tk.Op.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	memo[k] = v.(int64)
	return v.(int64)
}

func TestKeysAreDeterministicAndDistinct(t *testing.T) {
	a1, a2 := task(t, 1), task(t, 1)
	if a1.Key != a2.Key {
		t.Fatalf("same computation, different keys: %s %s", a1.Key, a2.Key)
	}
	b := task(t, 2)
	c1, c2 := task(t, 0, a1.Key, b.Key), task(t, 0, b.Key, a1.Key)
	seen := map[Key]bool{}
	for _, k := range []Key{a1.Key, b.Key, c1.Key, c2.Key} {
		if seen[k] {
			t.Fatalf("key collision: %s", k)
		}
		seen[k] = true
	}
	if got := a1.Key.Label(); got != "graph_test.add" {
		t.Errorf("label = %q", got)
	}
	// Length-prefixing: ("ab","c") and ("a","bc") differ.
	if NewKey("x", "op", []byte("ab"), []Key{"c"}) == NewKey("x", "op", []byte("a"), []Key{"bc"}) {
		t.Error("ambiguous key encoding")
	}
	// Many keys, no collisions.
	keys := map[Key]int{}
	for i := 0; i < 100000; i++ {
		k := NewKey("t", "op", binary.AppendUvarint(nil, uint64(i)), nil)
		if j, ok := keys[k]; ok {
			t.Fatalf("keys of %d and %d collide", i, j)
		}
		keys[k] = i
	}
}

func TestValidateMissingAndCycle(t *testing.T) {
	a := task(t, 1)
	b := task(t, 2, a.Key, "ghost-1")
	err := New(a, b).Validate()
	var me *MissingError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "ghost-1") || !strings.Contains(err.Error(), string(b.Key)) {
		t.Fatalf("want missing error naming ghost-1 and %s, got %v", b.Key, err)
	}
	// x -> y -> z -> x
	x := &Task{Key: "x", Op: addOp{}, Deps: []Key{"z"}}
	y := &Task{Key: "y", Op: addOp{}, Deps: []Key{"x"}}
	z := &Task{Key: "z", Op: addOp{}, Deps: []Key{"y"}}
	ok := &Task{Key: "ok", Op: addOp{}}
	g := New(ok, x, y, z)
	err = g.Validate()
	var ce *CycleError
	if !errors.As(err, &ce) {
		t.Fatalf("want cycle error, got %v", err)
	}
	if len(ce.Cycle) != 4 || ce.Cycle[0] != ce.Cycle[3] {
		t.Fatalf("cycle = %v", ce.Cycle)
	}
	for _, k := range []string{"x", "y", "z"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("cycle error %q does not name %s", err, k)
		}
	}
	if _, err := Order(g, []Key{"x"}); !errors.As(err, &ce) {
		t.Fatalf("Order: want cycle error, got %v", err)
	}
	if err := New(&Task{Key: "n"}).Validate(); err == nil || !strings.Contains(err.Error(), "nil op") {
		t.Fatalf("nil op: %v", err)
	}
}

func TestCull(t *testing.T) {
	a, b := task(t, 1), task(t, 2)
	c := task(t, 3, a.Key)
	d := task(t, 4, b.Key)
	g := New(a, b, c, d)
	cg, err := Cull(g, []Key{c.Key})
	if err != nil {
		t.Fatal(err)
	}
	if cg.Len() != 2 || !cg.Has(a.Key) || !cg.Has(c.Key) {
		t.Fatalf("culled graph has %d tasks", cg.Len())
	}
	if same, _ := Cull(g, []Key{c.Key, d.Key}); same != g {
		t.Error("culling nothing should return the graph itself")
	}
	if _, err := Cull(g, []Key{"nope-0"}); err == nil || !strings.Contains(err.Error(), "nope-0") {
		t.Fatalf("missing output: %v", err)
	}
}

// randomDAG builds n tasks, each reading up to 3 earlier ones.
func randomDAG(t *testing.T, rng *rand.Rand, n int) *Graph {
	g := &Graph{}
	var keys []Key
	for i := 0; i < n; i++ {
		var deps []Key
		if i > 0 {
			for j := rng.Intn(4); j > 0; j-- {
				deps = append(deps, keys[rng.Intn(len(keys))])
			}
		}
		tk := task(t, int64(rng.Intn(100)), deps...)
		if g.Add(tk) {
			keys = append(keys, tk.Key)
		}
	}
	return g
}

func TestFusePreservesResults(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 50; trial++ {
		g := randomDAG(t, rng, 2+rng.Intn(60))
		// Chains: append a linear tail to a random task.
		last := g.Tasks()[rng.Intn(g.Len())].Key
		for j := 0; j < rng.Intn(5); j++ {
			tk := task(t, int64(j+1000*trial), last)
			g.Add(tk)
			last = tk.Key
		}
		outs := []Key{last, g.Tasks()[rng.Intn(g.Len())].Key}
		fg, err := Fuse(g, outs)
		if err != nil {
			t.Fatal(err)
		}
		if err := fg.Validate(); err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			if !fg.Has(o) {
				t.Fatalf("output %s absorbed", o)
			}
			want := evalSeq(t, g, o, map[Key]int64{})
			got := evalSeq(t, fg, o, map[Key]int64{})
			if got != want {
				t.Fatalf("trial %d: fused %d, want %d", trial, got, want)
			}
		}
	}
}

func TestFuseLinearChain(t *testing.T) {
	read := task(t, 1)
	tr := task(t, 2, read.Key)
	red := task(t, 3, tr.Key)
	other := task(t, 4)
	comb := task(t, 0, red.Key, other.Key)
	g := New(read, tr, red, other, comb)
	fg, err := Fuse(g, []Key{comb.Key})
	if err != nil {
		t.Fatal(err)
	}
	if fg.Len() != 3 {
		t.Fatalf("want read+transform+reduce fused: %d tasks", fg.Len())
	}
	ft := fg.Get(red.Key)
	f, ok := ft.Op.(*Fused)
	if !ok || len(f.Tasks) != 3 || len(ft.Deps) != 0 {
		t.Fatalf("fused task = %#v", ft)
	}
	// A task read twice is not absorbed.
	a := task(t, 1)
	b, c := task(t, 2, a.Key), task(t, 3, a.Key)
	g2 := New(a, b, c)
	if fg2, _ := Fuse(g2, []Key{b.Key, c.Key}); fg2 != g2 {
		t.Error("a shared input must not be fused")
	}
}

// maxLive simulates a sequential run in priority order and returns the most
// values alive at once (a value dies when its last reader has run).
func maxLive(g *Graph, prio []int32, outputs []Key) int {
	n := g.Len()
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	deps := g.DepIndex()
	readers := make([]int, n)
	for _, ds := range deps {
		for _, d := range ds {
			readers[d]++
		}
	}
	idx := make([]int, n)
	for i, p := range prio {
		idx[p] = i
	}
	live, best := 0, 0
	for _, i := range idx {
		live++
		if live > best {
			best = live
		}
		for _, d := range deps[i] {
			readers[d]--
			if readers[d] == 0 {
				live--
			}
		}
	}
	return best
}

func TestOrderTreeReductionMemory(t *testing.T) {
	for _, n := range []int{2, 7, 64, 1000, 4096} {
		var level []Key
		g := &Graph{}
		for i := 0; i < n; i++ {
			tk := task(t, int64(i))
			g.Add(tk)
			level = append(level, tk.Key)
		}
		depth := 0
		for len(level) > 1 {
			var next []Key
			for i := 0; i < len(level); i += 2 {
				if i+1 < len(level) {
					tk := task(t, 0, level[i], level[i+1])
					g.Add(tk)
					next = append(next, tk.Key)
				} else {
					next = append(next, level[i])
				}
			}
			level = next
			depth++
		}
		// Shuffle insertion order: the priority must not depend on it.
		tasks := append([]*Task(nil), g.Tasks()...)
		rand.New(rand.NewSource(int64(n))).Shuffle(len(tasks), func(i, j int) { tasks[i], tasks[j] = tasks[j], tasks[i] })
		g = New(tasks...)
		prio, err := Order(g, level)
		if err != nil {
			t.Fatal(err)
		}
		// Every input ranks before its reader.
		for i, ds := range g.DepIndex() {
			for _, d := range ds {
				if prio[d] >= prio[i] {
					t.Fatalf("input %d ranks %d, reader %d ranks %d", d, prio[d], i, prio[i])
				}
			}
		}
		if got := maxLive(g, prio, level); got > depth+2 {
			t.Errorf("n=%d depth=%d: %d values alive at once, want <= depth+2", n, depth, got)
		}
	}
}

func TestEncodeDecodeTask(t *testing.T) {
	a := task(t, 5)
	b := task(t, -7, a.Key, a.Key)
	for _, tk := range []*Task{a, b, ConstTask("c-1", []float64{1, 2.5}), ConstTask("s-1", "hello")} {
		p, err := EncodeTask(tk)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeTask(p)
		if err != nil {
			t.Fatal(err)
		}
		if got.Key != tk.Key || !reflect.DeepEqual(got.Deps, tk.Deps) || !reflect.DeepEqual(got.Op, tk.Op) {
			t.Fatalf("round trip: %#v != %#v", got, tk)
		}
		// Truncations are errors, never panics.
		for i := 0; i < len(p); i++ {
			if _, err := DecodeTask(p[:i]); err == nil {
				t.Fatalf("truncated at %d of %d: no error", i, len(p))
			}
		}
	}
	// A fused chain ships and runs the same after the trip.
	c := task(t, 1, a.Key)
	d := task(t, 2, c.Key)
	fused, err := NewFused([]*Task{c, d})
	if err != nil {
		t.Fatal(err)
	}
	p, err := EncodeTask(fused)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeTask(p)
	if err != nil {
		t.Fatal(err)
	}
	v, err := back.Op.Run(context.Background(), []any{int64(10)})
	if err != nil || v.(int64) != 13 {
		t.Fatalf("decoded fused ran to %v, %v; want 13", v, err)
	}
	// Unregistered ops are refused by name.
	u, _ := NewTask(localOp{})
	if _, err := EncodeTask(u); !errors.Is(err, ErrUnregistered) || !strings.Contains(err.Error(), "graph_test.local") {
		t.Fatalf("unregistered: %v", err)
	}
	if _, err := NewFused([]*Task{u}); err != nil {
		t.Fatal(err)
	}
	f2, _ := NewFused([]*Task{u, task(t, 1, u.Key)})
	if _, err := EncodeTask(f2); !errors.Is(err, ErrUnregistered) {
		t.Fatalf("fused with unregistered op: %v", err)
	}
	if _, err := Decode("no.such.op", nil); !errors.Is(err, ErrUnregistered) {
		t.Fatalf("decode unknown op: %v", err)
	}
}

type point struct{ X, Y float64 }

type blob struct{ b []byte }

func (b blob) MarshalBinary() ([]byte, error)  { return append([]byte("B"), b.b...), nil }
func (b *blob) UnmarshalBinary(p []byte) error { b.b = append([]byte(nil), p[1:]...); return nil }
func (b blob) Size() int64                     { return int64(len(b.b)) }

func TestValueCodecs(t *testing.T) {
	RegisterType[point]()
	RegisterType[blob]()
	RegisterType[point]() // again: no-op
	for _, v := range []any{nil, 42, int64(-3), int32(7), uint64(1 << 60), 3.25, float32(1.5), true, "héllo", []byte{1, 2},
		[]float64{1, -2, 3.5}, []int{4, 5}, []string{"a", ""}, [][]float64{{1}, {2, 3}}, map[string]int{"a": 1},
		point{1, 2}, blob{[]byte("xyz")}} {
		b, err := EncodeValue(v)
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		got, err := DecodeValue(b)
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		if !reflect.DeepEqual(got, v) {
			t.Fatalf("%T: round trip %#v != %#v", v, got, v)
		}
		// AppendValue writes the same bytes, length-prefixed.
		ab, err := AppendValue(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		r := NewReader(ab)
		if !bytes.Equal(r.Bytes(), b) || r.Err() != nil {
			t.Fatalf("%T: AppendValue differs from EncodeValue", v)
		}
	}
	type unregistered struct{ A int }
	if _, err := EncodeValue(unregistered{1}); !errors.Is(err, ErrUnregistered) {
		t.Fatalf("unregistered type: %v", err)
	}
	if _, err := DecodeValue([]byte{3, 'z', 'z', 'z'}); !errors.Is(err, ErrUnregistered) {
		t.Fatalf("unknown codec: %v", err)
	}
	if s := SizeOf([]float64{1, 2}); s != 40 {
		t.Errorf("SizeOf([]float64 len 2) = %d", s)
	}
	if s := SizeOf(blob{make([]byte, 100)}); s != 100 {
		t.Errorf("SizeOf(Sizer) = %d", s)
	}
}

func TestWriteDOT(t *testing.T) {
	a := task(t, 1)
	b := task(t, 2, a.Key)
	var buf bytes.Buffer
	if err := WriteDOT(&buf, New(a, b), b.Key); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, want := range []string{"digraph", "n0 -> n1", `label="graph_test.add"`, "bold", string(b.Key)} {
		if !strings.Contains(s, want) {
			t.Errorf("DOT lacks %q:\n%s", want, s)
		}
	}
	if err := Visualize(New(a), t.TempDir()+"/g.bmp"); err == nil {
		t.Error("unknown format accepted")
	}
	p := t.TempDir() + "/g.dot"
	if err := Visualize(New(a, b), p); err != nil {
		t.Fatal(err)
	}
	// Visualize colours by op: the fill is the op's hue, not white.
	dot, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("fillcolor=%q", opColor("graph_test.add")); !strings.Contains(string(dot), want) {
		t.Errorf("Visualize does not colour by op (want %s):\n%s", want, dot)
	}
}

func BenchmarkNewKey(b *testing.B) {
	deps := []Key{NewKey("a", "x", nil, nil), NewKey("b", "x", nil, nil)}
	p := []byte("params")
	for i := 0; i < b.N; i++ {
		NewKey("add", "delayed.call", p, deps)
	}
}

func Example() {
	a, _ := NewTask(Const{V: 2})
	fmt.Println(a.Key.Label())
	g := New(a)
	fmt.Println(g.Len(), g.Validate())
	// Output:
	// const
	// 1 <nil>
}
