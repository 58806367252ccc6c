package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"syscall"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

func init() {
	graph.Register("bench.spin", func(p []byte) (graph.Op, error) {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			return nil, fmt.Errorf("bench.spin: bad parameters")
		}
		return spinOp{iters: v}, nil
	})
}

// spinOp burns a fixed amount of CPU (iters steps of an LCG), so that a
// starved worker is slow at it.
type spinOp struct{ iters uint64 }

func (o spinOp) Name() string            { return "bench.spin" }
func (o spinOp) Params() ([]byte, error) { return binary.AppendUvarint(nil, o.iters), nil }
func (o spinOp) Run(_ context.Context, in []any) (any, error) {
	x := o.iters
	for i := uint64(0); i < o.iters; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return float64(x>>11) / (1 << 53), nil
}

// clusterSteal times 200 CPU-bound tasks (a few ms each) over two tiny
// roots on 2 workers x 1 thread while worker 1 straggles (SIGSTOPped 9 ms in every 10), with work
// stealing and without it; each on a fresh cluster.
func clusterSteal(opts ...cluster.Option) error {
	for _, steal := range []bool{true, false} {
		o := append([]cluster.Option{}, opts...)
		if !steal {
			o = append(o, cluster.WithoutStealing())
		}
		c, err := cluster.Local(2, o...)
		if err != nil {
			return err
		}
		run := func(salt uint64) (time.Duration, error) {
			// Two tiny roots (one per worker) and 200 tasks over them,
			// placed with their inputs: half queue behind the straggler.
			g := &graph.Graph{}
			var roots []graph.Key
			for r := uint64(0); r < 2; r++ {
				t, err := graph.NewTask(spinOp{iters: 1000 + 10*salt + r})
				if err != nil {
					return 0, err
				}
				g.Add(t)
				roots = append(roots, t.Key)
			}
			var outs []graph.Key
			for i := 0; i < 200; i++ {
				s, err := graph.NewTask(fsumLike{salt: uint64(i)}, roots[i%2])
				if err != nil {
					return 0, err
				}
				g.Add(s)
				outs = append(outs, s.Key)
			}
			t := time.Now()
			_, err := sched.Run(context.Background(), g, outs, sched.WithExecutor(c), sched.WithProgress(nil), sched.WithoutFusion())
			return time.Since(t), err
		}
		if _, err := run(1); err != nil { // warm-up: op statistics
			c.Close()
			return err
		}
		before := c.Stats().Stolen
		stop := straggle(c.Workers()[0].PID)
		d, err := run(2)
		stop()
		stolen := c.Stats().Stolen - before
		c.Close()
		if err != nil {
			return err
		}
		fmt.Printf("cluster/straggler seconds=%.4f stealing=%v stolen=%d tasks=202\n", d.Seconds(), steal, stolen)
	}
	return nil
}

// fsumLike passes a float64 on (the non-root half of each pair, which
// stealing may move).
type fsumLike struct{ salt uint64 }

func (fsumLike) Name() string              { return "bench.pass" }
func (o fsumLike) Params() ([]byte, error) { return binary.AppendUvarint(nil, o.salt), nil }
func (o fsumLike) Run(_ context.Context, in []any) (any, error) {
	x := in[0].(float64) + float64(o.salt)
	for i := 0; i < 1_500_000; i++ {
		x = x*0.999999 + 1e-9
	}
	return x, nil
}

func init() {
	graph.Register("bench.pass", func(p []byte) (graph.Op, error) {
		v, n := binary.Uvarint(p)
		if n <= 0 {
			return nil, fmt.Errorf("bench.pass: bad parameters")
		}
		return fsumLike{salt: v}, nil
	})
}

// straggle stops pid 9 ms in every 10 until stop is called.
func straggle(pid int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer syscall.Kill(pid, syscall.SIGCONT)
		for {
			syscall.Kill(pid, syscall.SIGSTOP)
			select {
			case <-done:
				return
			case <-time.After(9 * time.Millisecond):
			}
			syscall.Kill(pid, syscall.SIGCONT)
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
