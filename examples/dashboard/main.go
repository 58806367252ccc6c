// Command dashboard runs a groupby, a join and an array reduction slowly
// enough to watch them on godask's live dashboard (about 25 s by default),
// after one small run with a task that panics, so that the errors page has
// something to show.
//
//	go run ./examples/dashboard [-addr 127.0.0.1:8787] [-seconds 25] [-hold 0]
//
// The first line it prints is the dashboard's URL with its token,
// http://127.0.0.1:PORT/?token=…; /metrics?token=… reports, among others,
// godask_tasks_finished_total. With -hold it keeps serving that long after
// the work is done (the page then says the run has ended).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/godask/godask/array"
	"github.com/godask/godask/delayed"
	"github.com/godask/godask/frame"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/dashboard"
)

// pace is how long each slowed task sleeps, set from -seconds.
var pace time.Duration

func sleep(ctx context.Context) error {
	select {
	case <-time.After(pace):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func init() {
	frame.RegisterMap("dashboard.slow", func(ctx context.Context, r arrow.Record) (arrow.Record, error) {
		if err := sleep(ctx); err != nil {
			return nil, err
		}
		r.Retain()
		return r, nil
	})
	array.RegisterMapFunc("dashboard.slowblock", func(b []*array.Dense) (*array.Dense, error) {
		time.Sleep(pace)
		out := *b[0]
		out.Data = make([]float64, len(b[0].Data))
		for i, v := range b[0].Data {
			out.Data[i] = v * v
		}
		return &out, nil
	})
}

func main() {
	addr := flag.String("addr", "", "dashboard address (default a free loopback port)")
	seconds := flag.Float64("seconds", 25, "about how long the watched computation lasts")
	hold := flag.Duration("hold", 0, "keep serving this long after the work is done")
	parts := flag.Int("parts", 48, "partitions (and array blocks) per input")
	flag.Parse()
	if err := run(*addr, *seconds, *hold, *parts); err != nil {
		fmt.Fprintln(os.Stderr, "dashboard:", err)
		os.Exit(1)
	}
}

func run(addr string, seconds float64, hold time.Duration, parts int) error {
	srv, err := dashboard.Serve(addr, dashboard.WithOutput(nil))
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Println(srv.URL())
	fmt.Printf("metrics: %smetrics?token=%s\n", baseOf(srv), srv.Token())
	ctx := context.Background()

	// A run with a failing task, for the errors page.
	xs := make([]delayed.In[int], 8)
	for i := range xs {
		xs[i] = delayed.Call(unlucky, delayed.Lit(10+i))
	}
	_, err = delayed.Call(sumInts, delayed.In[[]int](delayed.List(xs...))).Compute(ctx)
	var pe *sched.PanicError
	if !errors.As(err, &pe) {
		return fmt.Errorf("the failing run should fail with a panic, got %v", err)
	}
	fmt.Println("run 1 failed, as it should (see the errors page):", firstLine(err.Error()))

	// The watched run: three slowed computations in one Compute. Slowed
	// tasks: parts for each of the three frame inputs and the array blocks.
	slowTasks := 4 * parts
	workers := runtime.GOMAXPROCS(0)
	pace = time.Duration(seconds * float64(workers) / float64(slowTasks) * float64(time.Second))
	rows := 400_000
	rng := rand.New(rand.NewSource(1))
	ids, cats, vals := make([]int64, rows), make([]string, rows), make([]float64, rows)
	names := []string{"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "θ-theta"}
	for i := range ids {
		ids[i] = int64(rng.Intn(5000))
		cats[i] = names[rng.Intn(len(names))]
		vals[i] = rng.NormFloat64()
	}
	facts := frame.FromColumns(parts, frame.Column{Name: "id", Values: ids}, frame.Column{Name: "cat", Values: cats},
		frame.Column{Name: "v", Values: vals}).MapPartitions("dashboard.slow", nil)
	dimID := make([]int64, 5000)
	dimW := make([]float64, 5000)
	for i := range dimID {
		dimID[i], dimW[i] = int64(i), float64(i%7)
	}
	dim := frame.FromColumns(parts, frame.Column{Name: "id", Values: dimID}, frame.Column{Name: "w", Values: dimW}).
		MapPartitions("dashboard.slow", nil)

	byCat := facts.GroupBy("cat").Agg(frame.Col("v").Sum().Alias("sum"), frame.Col("v").Mean().Alias("mean"))
	joined := facts.Join(dim, frame.Inner, "id").GroupBy("w").Agg(frame.Col("v").Sum().Alias("vw"))
	x := array.Uniform(7, 0, 1, []int{parts * 250, 1000}, array.Regular{250, 1000})
	sq := array.MapBlocks("dashboard.slowblock", array.Float64, nil, x)
	total := sq.Sum()

	t0 := time.Now()
	res, err := sched.Compute(ctx, []sched.Collection{byCat, joined, total}, sched.WithMemoryLimit(256<<20))
	if err != nil {
		return err
	}
	fmt.Printf("run 2 done in %.1fs\n", time.Since(t0).Seconds())
	fmt.Println("groupby by cat:")
	fmt.Println(res[0])
	fmt.Println("join, then groupby by w:")
	fmt.Println(res[1])
	fmt.Printf("sum of squares of %d uniform numbers: %.1f (expected about %.1f)\n", parts*250*1000, res[2].(*array.Dense).Data[0], float64(parts*250*1000)/3)
	if hold > 0 {
		fmt.Printf("serving the dashboard for %s more\n", hold)
		time.Sleep(hold)
	}
	return nil
}

func unlucky(x int) int {
	if x == 13 {
		panic("unlucky number 13")
	}
	time.Sleep(50 * time.Millisecond)
	return x
}

func sumInts(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// baseOf is the dashboard URL without its query.
func baseOf(srv *dashboard.Server) string {
	u := srv.URL()
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i]
	}
	return u
}
