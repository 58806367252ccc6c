package cluster_test

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	arrowarray "github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/godask/godask/array"
	"github.com/godask/godask/delayed"
	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
)

// TestPersistKeepsValuesOnWorkers persists an array on the cluster: its
// blocks stay on the workers (references), later computations start from
// them and equal the local answer, and Release frees them.
func TestPersistKeepsValuesOnWorkers(t *testing.T) {
	c := shared(t)
	ctx := context.Background()
	data := make([]float64, 120*40)
	for i := range data {
		data[i] = float64(i%13) - 6
	}
	x := array.FromSlice(data, []int{120, 40}, array.Regular{25, 40})
	y := x.Mul(x).Add(x)
	p, err := c.Persist(ctx, []sched.Collection{y})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Refs) != 5 {
		t.Fatalf("%d references, want one per block (5)", len(p.Refs))
	}
	for _, r := range p.Refs {
		if r.Size() < 20*40*8 {
			t.Fatalf("reference %s: size %d", r.Key(), r.Size())
		}
	}
	py := p.Collections[0].(*array.Array)
	want, err := y.Sum(0).Compute(ctx, sched.WithExecutor(sched.NewLocal()))
	if err != nil {
		t.Fatal(err)
	}
	before := c.Stats().Tasks
	got, err := py.Sum(0).Compute(ctx, sched.WithExecutor(c))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Data) != fmt.Sprint(want.Data) {
		t.Fatalf("sum of the persisted array %v, want %v", got.Data[:4], want.Data[:4])
	}
	// Only the reduction ran: the persisted blocks were not recomputed.
	if ran := c.Stats().Tasks - before; ran > 8 {
		t.Fatalf("%d tasks ran for a sum of 5 persisted blocks", ran)
	}
	whole, err := py.Compute(ctx, sched.WithExecutor(c))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range data {
		if whole.Data[i] != d*d+d {
			t.Fatalf("gathered persisted array: element %d = %v, want %v", i, whole.Data[i], d*d+d)
		}
	}
	// A delayed value too.
	v := delayed.Call2(addInts, delayed.Lit(20), delayed.Lit(22))
	pv, err := c.Persist(ctx, []sched.Collection{v})
	if err != nil {
		t.Fatal(err)
	}
	sq := delayed.Call(square, delayed.In[int](pv.Collections[0].(*delayed.Value[int])))
	if r, err := sq.Compute(ctx, sched.WithExecutor(c)); err != nil || r != 42*42 {
		t.Fatalf("square of a persisted value: %v %v", r, err)
	}
	// Released, the values are gone from the workers.
	p.Release()
	pv.Release()
	time.Sleep(50 * time.Millisecond)
	_, err = py.Sum(0).Compute(ctx, sched.WithExecutor(c))
	if err == nil || !strings.Contains(err.Error(), "not on this worker") && !strings.Contains(err.Error(), "released") {
		t.Fatalf("a released persisted array computed: %v", err)
	}
}

// TestPersistFrameOnWorkers persists a frame (strings with nulls and
// unicode, int64 extremes, NaN) on the workers: groupbys, a filter with a
// projection, a sort and a join over it equal the local executor's answers
// over the same frame, read no input again (only the queries' own tasks
// run), and after Release a run over it fails naming the key.
func TestPersistFrameOnWorkers(t *testing.T) {
	c := shared(t)
	ctx := context.Background()
	rng := rand.New(rand.NewSource(11))
	sch := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}, {Name: "v", Type: arrow.PrimitiveTypes.Float64}, {Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	var recs []arrow.Record
	for p := 0; p < 9; p++ {
		b := arrowarray.NewRecordBuilder(memory.DefaultAllocator, sch)
		rows := 600 + 37*p
		if p == 4 {
			rows = 0 // an empty partition
		}
		for i := 0; i < rows; i++ {
			k := int64(rng.Intn(40))
			if i%97 == 0 {
				k = math.MaxInt64 - int64(i%2)
			}
			v := rng.NormFloat64()
			if i%53 == 0 {
				v = math.NaN()
			}
			b.Field(0).(*arrowarray.Int64Builder).Append(k)
			b.Field(1).(*arrowarray.Float64Builder).Append(v)
			if i%17 == 0 {
				b.Field(2).AppendNull()
			} else {
				b.Field(2).(*arrowarray.StringBuilder).Append(fmt.Sprintf("ключ-%d", rng.Intn(7)))
			}
		}
		recs = append(recs, b.NewRecord())
		b.Release()
	}
	f := frame.FromRecords(recs...)
	_, g := testFrames(10)
	p, err := c.Persist(ctx, []sched.Collection{f})
	if err != nil {
		t.Fatal(err)
	}
	pf := p.Collections[0].(*frame.Frame)
	if len(p.Refs) != 9 {
		t.Fatalf("%d references, want one per partition (9)", len(p.Refs))
	}
	if !strings.Contains(pf.Explain(), "persisted-on-executor") {
		t.Fatalf("the persisted frame's plan does not read the workers' values:\n%s", pf.Explain())
	}
	queries := map[string]func(x *frame.Frame) *frame.Frame{
		"groupby string": func(x *frame.Frame) *frame.Frame {
			return x.GroupBy("s").Agg(frame.Col("v").Sum(), frame.Col("k").Max())
		},
		"groupby int": func(x *frame.Frame) *frame.Frame {
			return x.GroupBy("k").Agg(frame.Col("v").Mean(), frame.Col("s").Count())
		},
		"filter": func(x *frame.Frame) *frame.Frame {
			return x.Filter(frame.Col("k").Lt(frame.Lit(10))).SelectCols("s", "v")
		},
		"sort": func(x *frame.Frame) *frame.Frame { return x.SortValues(true, "v") },
		"join": func(x *frame.Frame) *frame.Frame {
			return x.Merge(g, frame.MergeOptions{On: []string{"k"}, Broadcast: -1, Partitions: 4})
		},
	}
	for name, q := range queries {
		want, err := q(f).Compute(ctx, sched.WithExecutor(sched.NewLocal()))
		if err != nil {
			t.Fatal(err)
		}
		var roots atomic.Int64
		obs := sched.WithObserver(sched.ObserverFunc(func(e sched.Event) {
			if e.Kind == sched.TaskFinished && strings.Contains(string(e.Key), "from-records") {
				roots.Add(1)
			}
		}))
		got, err := q(pf).Compute(ctx, sched.WithExecutor(c), obs)
		if err != nil {
			t.Fatalf("%s over the persisted frame: %v", name, err)
		}
		if a, b := renderTable(got), renderTable(want); a != b {
			t.Fatalf("%s over the persisted frame differs from the local answer:\n%.300s\nwant\n%.300s", name, a, b)
		}
		if roots.Load() != 0 {
			t.Fatalf("%s: %d partitions were made again", name, roots.Load())
		}
	}
	// Gathered whole, it is the frame.
	whole, err := pf.Compute(ctx, sched.WithExecutor(c))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := f.Compute(ctx)
	if renderTable(whole) != renderTable(want) {
		t.Fatal("the gathered persisted frame differs from the frame")
	}
	p.Release()
	time.Sleep(50 * time.Millisecond)
	if _, err := queries["groupby int"](pf).Compute(ctx, sched.WithExecutor(c)); err == nil || !strings.Contains(err.Error(), "released") && !strings.Contains(err.Error(), "not on this worker") {
		t.Fatalf("a released persisted frame computed: %v", err)
	}
}

// renderTable renders t's rows sorted, NaN and nulls included.
func renderTable(t *frame.Table) string {
	cols := t.Columns()
	rows := make([]string, t.NumRows())
	for r := range rows {
		var b strings.Builder
		for _, c := range cols {
			fmt.Fprintf(&b, "%v|", t.Value(r, c))
		}
		rows[r] = b.String()
	}
	sort.Strings(rows)
	return strings.Join(cols, ",") + "\n" + strings.Join(rows, "\n")
}
