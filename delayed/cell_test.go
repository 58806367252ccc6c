package delayed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/godask/godask/graph"
)

func concat(s string, n int) string { return fmt.Sprintf("%s:%d", s, n) }
func mulf(a, b float64) float64     { return a * b }

func init() {
	Register("delayed_test.concat", concat)
	Register("delayed_test.mulf", mulf)
}

// generalCall builds a call through the general path (a callOp with boxed
// literals), the reference for the typed cells.
func generalCall(fn any, ins ...arg) *node {
	return build(fn, nil, func([]any) (any, error) { return nil, errors.New("not run") }, ins)
}

// TestTypedCellsMatchGeneralPath: a typed cell has the key, the parameters,
// the label and the dependencies of the callOp built for the same call, its
// task survives encoding (decoding to a callOp that computes the same), and
// it runs to the same value as the function called directly.
func TestTypedCellsMatchGeneralPath(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	strs := []string{"", "a", "naïve ☃", "a much longer string than eight bytes"}
	ints := []int{0, 1, -1, 255, 256, math.MaxInt64, math.MinInt64}
	for trial := 0; trial < 200; trial++ {
		s := strs[rng.Intn(len(strs))]
		n := ints[rng.Intn(len(ints))]
		if rng.Intn(2) == 0 {
			n = rng.Int()
		}
		sv := Call(func(x int) string { return s }, Lit(0)) // unregistered, computed
		nv := Call(inc, Lit(n))
		var got *Value[string]
		var ref *node
		var inputs []any
		want := ""
		switch trial % 4 {
		case 0:
			got, ref = Call2(concat, Lit(s), Lit(n)), generalCall(concat, Lit(s).input(nil), Lit(n).input(nil))
			want = concat(s, n)
		case 1:
			got, ref = Call2(concat, In[string](sv), Lit(n)), generalCall(concat, arg{node: sv.n}, Lit(n).input(nil))
			inputs, want = []any{s}, concat(s, n)
		case 2:
			got, ref = Call2(concat, Lit(s), In[int](nv)), generalCall(concat, Lit(s).input(nil), arg{node: nv.n})
			inputs, want = []any{n + 1}, concat(s, n+1)
		case 3:
			got, ref = Call2(concat, In[string](sv), In[int](nv)), generalCall(concat, arg{node: sv.n}, arg{node: nv.n})
			inputs, want = []any{s, n + 1}, concat(s, n+1)
		}
		gt, rt := got.n.task, ref.task
		if gt.Key != rt.Key || fmt.Sprint(gt.Deps) != fmt.Sprint(rt.Deps) || graph.LabelOf(gt.Op) != graph.LabelOf(rt.Op) {
			t.Fatalf("trial %d: typed %s %v %s, general %s %v %s", trial, gt.Key, gt.Deps, graph.LabelOf(gt.Op), rt.Key, rt.Deps, graph.LabelOf(rt.Op))
		}
		gp, _ := gt.Op.Params()
		rp, _ := rt.Op.Params()
		if !bytes.Equal(gp, rp) {
			t.Fatalf("trial %d: params differ:\n%x\n%x", trial, gp, rp)
		}
		v, err := gt.Op.Run(context.Background(), inputs)
		if err != nil || v != want {
			t.Fatalf("trial %d: Run = %v, %v; want %q", trial, v, err, want)
		}
		enc, err := graph.EncodeTask(gt)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		dt, err := graph.DecodeTask(enc)
		if err != nil {
			t.Fatal(err)
		}
		if dt.Key != gt.Key {
			t.Fatalf("decoded key %s, want %s", dt.Key, gt.Key)
		}
		if v, err := dt.Op.Run(context.Background(), inputs); err != nil || v != want {
			t.Fatalf("trial %d: decoded Run = %v, %v; want %q", trial, v, err, want)
		}
	}
	// One input, literal and computed; float and CallE.
	x := Call(inc, Lit(41))
	cases := []struct {
		got, ref *node
	}{
		{Call(inc, In[int](x)).n, generalCall(inc, arg{node: x.n})},
		{CallE(half, Lit(8)).n, generalCall(half, Lit(8).input(nil))},
		{Call2E(func(a, b int) (int, error) { return a, nil }, Lit(1), In[int](x)).n, nil},
		{Call(norm1, Lit(pt{1, -2})).n, generalCall(norm1, Lit(pt{1, -2}).input(nil))},
		{Call2(mulf, Lit(1.5), Lit(math.NaN())).n, generalCall(mulf, Lit(1.5).input(nil), Lit(math.NaN()).input(nil))},
	}
	for i, c := range cases {
		if c.ref == nil {
			continue
		}
		if c.got.task.Key != c.ref.task.Key {
			t.Errorf("case %d: key %s, want %s", i, c.got.task.Key, c.ref.task.Key)
		}
	}
	if r, err := Call(inc, In[int](x)).Compute(ctx); err != nil || r != 43 {
		t.Errorf("inc(inc(41)) = %d, %v", r, err)
	}
	if _, err := CallE(half, In[int](x)).Compute(ctx); err != nil {
		t.Errorf("half(42): %v", err)
	}
	if _, err := CallE(half, Lit(3)).Compute(ctx); !errors.Is(err, errOdd) {
		t.Errorf("half(3): %v, want errOdd", err)
	}
}

type opaque struct{ ch chan int } // no codec: gob cannot encode a channel

func useOpaque(o opaque, n int) int { return n }

// TestTypedCellUnencodableLiteral: a literal without an encoding is keyed by
// identity (two such calls never merge), runs locally, and refuses to ship
// with an error naming the argument.
func TestTypedCellUnencodableLiteral(t *testing.T) {
	Register("delayed_test.useOpaque", useOpaque)
	o := opaque{make(chan int)}
	a, b := Call2(useOpaque, Lit(o), Lit(1)), Call2(useOpaque, Lit(o), Lit(1))
	if a.Key() == b.Key() {
		t.Fatalf("two calls on an unencodable literal share key %s", a.Key())
	}
	if r, err := a.Compute(ctx); err != nil || r != 1 {
		t.Fatalf("Compute = %d, %v", r, err)
	}
	if _, err := graph.EncodeTask(a.n.task); err == nil || !bytes.Contains([]byte(err.Error()), []byte("argument 0 of delayed_test.useOpaque")) {
		t.Fatalf("EncodeTask = %v, want an error naming argument 0", err)
	}
	if _, err := graph.EncodeTask(Call(inc, Lit(1)).n.task); err != nil {
		t.Fatal(err)
	}
	local := Call(func(x int) int { return x }, Lit(1))
	if _, err := graph.EncodeTask(local.n.task); !errors.Is(err, graph.ErrUnregistered) {
		t.Fatalf("EncodeTask of an unregistered function = %v", err)
	}
}

// TestTypedCellAllocs: a call is one allocation, literal inputs included.
func TestTypedCellAllocs(t *testing.T) {
	x := Call(inc, Lit(1))
	y := Call(inc, Lit(2))
	if n := testing.AllocsPerRun(100, func() { Call2(addi, In[int](x), In[int](y)) }); n > 1 {
		t.Errorf("Call2 on two values: %v allocations, want 1", n)
	}
	i := 1000
	if n := testing.AllocsPerRun(100, func() { i++; Call(inc, Lit(i)) }); n > 1 {
		t.Errorf("Call on a literal: %v allocations, want 1", n)
	}
}
