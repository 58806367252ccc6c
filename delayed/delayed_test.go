package delayed

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/leak"
	"github.com/godask/godask/sched"
)

func avg(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func add(a, b float64) float64 { return a + b }
func inc(x int) int            { return x + 1 }
func addi(a, b int) int        { return a + b }

var errOdd = errors.New("odd input")

func half(x int) (int, error) {
	if x%2 != 0 {
		return 0, errOdd
	}
	return x / 2, nil
}

type pt struct{ X, Y int }

func norm1(p pt) int { return abs(p.X) + abs(p.Y) }
func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func init() {
	Register("delayed_test.avg", avg)
	Register("delayed_test.add", add)
	Register("delayed_test.inc", inc)
	Register("delayed_test.addi", addi)
	Register("delayed_test.half", half)
	Register("delayed_test.norm1", norm1)
}

var ctx = context.Background()

func quiet() sched.Option { return sched.WithProgress(nil) }

func TestSeedExample(t *testing.T) {
	leak.Check(t)
	l1, l2 := []float64{1, 2, 3}, []float64{10, 20}
	a := Call(avg, Lit(l1))
	b := Call(avg, Lit(l2))
	r := Call2(add, a, b)
	for _, opts := range [][]sched.Option{{quiet()}, {quiet(), sched.WithExecutor(sched.NewLoopback())}, {quiet(), sched.WithWorkers(1)}} {
		got, err := r.Compute(ctx, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if got != 17 {
			t.Fatalf("avg+avg = %v, want 17", got)
		}
	}
	if !strings.HasPrefix(r.String(), "Delayed('add-") {
		t.Errorf("String() = %s", r)
	}
}

func TestKeys(t *testing.T) {
	a1, a2 := Call(inc, Lit(1)), Call(inc, Lit(1))
	if a1.Key() != a2.Key() {
		t.Fatal("same call, different keys")
	}
	if Call(inc, Lit(2)).Key() == a1.Key() {
		t.Fatal("different literal, same key")
	}
	if Call2(addi, a1, Lit(1)).Key() == Call2(addi, Lit(1), a1).Key() {
		t.Fatal("argument order not in key")
	}
	// Two closures of the same code with different captures never share a key.
	var fs []*Value[int]
	for i := 0; i < 3; i++ {
		f := func(x int) int { return x + i }
		fs = append(fs, Call(f, Lit(10)))
	}
	if fs[0].Key() == fs[1].Key() || fs[1].Key() == fs[2].Key() {
		t.Fatal("closures with different captures share a key")
	}
	got, err := ComputeAll(ctx, fs, quiet())
	if err != nil || fmt.Sprint(got) != "[10 11 12]" {
		t.Fatalf("closures computed %v, %v", got, err)
	}
	if l := a1.Key().Label(); l != "inc" {
		t.Errorf("label %q", l)
	}
	// Unencodable literals still work locally, keyed by identity.
	ch := make(chan int)
	c1 := Call(func(c chan int) int { return cap(c) }, Lit(ch))
	if v, err := c1.Compute(ctx, quiet()); err != nil || v != 0 {
		t.Fatalf("chan literal: %v %v", v, err)
	}
}

// TestRandomDAGs builds random delayed expressions and checks them against a
// direct evaluation of the same expressions.
func TestRandomDAGs(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for trial := 0; trial < 30; trial++ {
		var vals []*Value[int]
		var want []int
		for i := 0; i < 200; i++ {
			switch k := rng.Intn(3); {
			case k == 0 || len(vals) < 2:
				x := rng.Intn(1000)
				vals = append(vals, Call(inc, Lit(x)))
				want = append(want, x+1)
			case k == 1:
				a, b := rng.Intn(len(vals)), rng.Intn(len(vals))
				vals = append(vals, Call2(addi, vals[a], vals[b]))
				want = append(want, want[a]+want[b])
			default:
				a := rng.Intn(len(vals))
				c := rng.Intn(5)
				vals = append(vals, Call2(addi, vals[a], Lit(c)))
				want = append(want, want[a]+c)
			}
		}
		picks := []int{len(vals) - 1, rng.Intn(len(vals)), rng.Intn(len(vals))}
		ex := sched.Executor(sched.NewLocal())
		if trial%2 == 1 {
			ex = sched.NewLoopback()
		}
		var sel []*Value[int]
		for _, p := range picks {
			sel = append(sel, vals[p])
		}
		got, err := ComputeAll(ctx, sel, quiet(), sched.WithExecutor(ex))
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range picks {
			if got[i] != want[p] {
				t.Fatalf("trial %d: value %d = %d, want %d", trial, p, got[i], want[p])
			}
		}
	}
}

func TestListAndStructs(t *testing.T) {
	xs := []In[int]{Call(inc, Lit(1)), Lit(5), Call(inc, Lit(2))}
	l := List(xs...)
	sum := Call(func(v []int) int { return v[0] + v[1] + v[2] }, In[[]int](l))
	if got, err := sum.Compute(ctx, quiet()); err != nil || got != 2+5+3 {
		t.Fatalf("list sum %v %v", got, err)
	}
	got, err := l.Compute(ctx, quiet(), sched.WithExecutor(sched.NewLoopback()))
	if err != nil || fmt.Sprint(got) != "[2 5 3]" {
		t.Fatalf("list over loopback %v %v", got, err)
	}
	n := Call(norm1, Lit(pt{3, -4}))
	if v, err := n.Compute(ctx, quiet(), sched.WithExecutor(sched.NewLoopback())); err != nil || v != 7 {
		t.Fatalf("struct literal over loopback: %v %v", v, err)
	}
}

func TestErrors(t *testing.T) {
	leak.Check(t)
	var nilFn func(int) int
	v := Call(nilFn, Lit(1))
	if v.Err() == nil || !strings.Contains(v.Err().Error(), "nil function") {
		t.Fatalf("nil fn: %v", v.Err())
	}
	// Sticky: a call reading a broken value is broken too, and Compute says why.
	w := Call2(addi, v, Lit(1))
	if _, err := w.Compute(ctx); err == nil || !strings.Contains(err.Error(), "nil function") {
		t.Fatalf("sticky error: %v", err)
	}
	var nilIn *Value[int]
	if err := Call(inc, In[int](nilIn)).Err(); err == nil || !strings.Contains(err.Error(), "nil *Value") {
		t.Fatalf("nil input: %v", err)
	}
	if err := Call(inc, nil).Err(); err == nil {
		t.Fatal("nil In accepted")
	}
	// A function's error fails the run with the task's key.
	h := CallE(half, In[int](Call(inc, Lit(2))))
	_, err := h.Compute(ctx, quiet())
	var te *sched.TaskError
	if !errors.Is(err, errOdd) || !errors.As(err, &te) || te.Key != h.Key() || !strings.Contains(te.Op, "half") {
		t.Fatalf("function error: %v", err)
	}
	// A panic becomes an error with a stack.
	boom := Call(func(x int) int { return 10 / x }, Lit(0))
	_, err = boom.Compute(ctx, quiet())
	var pe *sched.PanicError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "divide by zero") {
		t.Fatalf("panic: %v", err)
	}
	// An unregistered function cannot ship: the loopback executor says which.
	un := Call(func(x int) int { return x }, Lit(1))
	_, err = un.Compute(ctx, quiet(), sched.WithExecutor(sched.NewLoopback()))
	if !errors.Is(err, graph.ErrUnregistered) || !strings.Contains(err.Error(), "TestErrors.func") {
		t.Fatalf("unregistered over loopback: %v", err)
	}
	// An error returned by a registered function survives the trip.
	_, err = h.Compute(ctx, quiet(), sched.WithExecutor(sched.NewLoopback()))
	if !errors.Is(err, errOdd) {
		t.Fatalf("error over loopback: %v", err)
	}
}

func TestRegisterMisuse(t *testing.T) {
	for _, f := range []func(){
		func() { Register("", inc) },
		func() { Register("x", 5) },
		func() { Register("delayed_test.inc", addi) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
	Register("delayed_test.inc", inc) // the same function again is fine
}

func TestPersistComputesOnce(t *testing.T) {
	var n atomic.Int64
	slow := func(x int) int { n.Add(1); return x * 2 }
	v := Call(slow, Lit(21))
	p, err := v.Persist(ctx, quiet())
	if err != nil {
		t.Fatal(err)
	}
	if p.Key() != v.Key() {
		t.Fatal("persist changed the key")
	}
	r := Call2(addi, p, p)
	if got, err := r.Compute(ctx, quiet()); err != nil || got != 84 || n.Load() != 1 {
		t.Fatalf("got %v %v, ran %d times", got, err, n.Load())
	}
	res, err := sched.Compute(ctx, []sched.Collection{r, p}, quiet())
	if err != nil || res[0].(int) != 84 || res[1].(int) != 42 {
		t.Fatalf("sched.Compute: %v %v", res, err)
	}
}

func TestVisualize(t *testing.T) {
	r := Call2(add, Call(avg, Lit([]float64{1})), Call(avg, Lit([]float64{2})))
	p := t.TempDir() + "/g.dot"
	if err := r.Visualize(p); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if strings.Count(string(b), "->") != 2 || !strings.Contains(string(b), `"avg"`) {
		t.Errorf("dot:\n%s", b)
	}
}

func TestParallelism(t *testing.T) {
	sleep := func(d time.Duration) int { time.Sleep(d); return 1 }
	var xs []*Value[int]
	for i := 0; i < 4; i++ {
		xs = append(xs, Call(sleep, Lit(50*time.Millisecond+time.Duration(i))))
	}
	start := time.Now()
	if _, err := ComputeAll(ctx, xs, quiet(), sched.WithWorkers(4)); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 180*time.Millisecond {
		t.Errorf("4 sleeps of 50ms on 4 workers took %v", el)
	}
}
