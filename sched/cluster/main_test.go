package cluster_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/leak"
	"github.com/godask/godask/sched/cluster"
)

// TestMain makes the test binary its own worker: Local starts copies of it
// with cluster.EnvWorker set, and Main turns them into workers.
func TestMain(m *testing.M) {
	if os.Getenv("CLUSTER_TEST_EXTRA_OP") != "" {
		// A worker of "another binary": one more op than the scheduler.
		graph.Register("clustertest.only_on_worker", func([]byte) (graph.Op, error) { return litOp(0), nil })
	}
	cluster.Main()
	code := m.Run()
	if sharedExec != nil {
		sharedExec.Close()
	}
	stopSSHD()
	os.Exit(code)
}

// litOp yields its integer.
type litOp int64

func (o litOp) Name() string { return "clustertest.lit" }
func (o litOp) Params() ([]byte, error) {
	return binary.AppendVarint(nil, int64(o)), nil
}
func (o litOp) Run(context.Context, []any) (any, error) { return int64(o), nil }

// sumOp adds its inputs (int64s) and a salt, optionally sleeping first.
type sumOp struct {
	salt  int64
	sleep time.Duration
}

func (o sumOp) Name() string { return "clustertest.sum" }
func (o sumOp) Params() ([]byte, error) {
	return binary.AppendVarint(binary.AppendVarint(nil, o.salt), int64(o.sleep)), nil
}
func (o sumOp) Run(ctx context.Context, in []any) (any, error) {
	if o.sleep > 0 {
		select {
		case <-time.After(o.sleep):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	s := o.salt
	for _, v := range in {
		s += v.(int64)
	}
	return s, nil
}

// failOp fails with a message.
type failOp string

func (o failOp) Name() string                            { return "clustertest.fail" }
func (o failOp) Params() ([]byte, error)                 { return []byte(o), nil }
func (o failOp) Run(context.Context, []any) (any, error) { return nil, errors.New(string(o)) }

// killOp kills the worker process that runs it.
type killOp struct{}

func (killOp) Name() string            { return "clustertest.kill" }
func (killOp) Params() ([]byte, error) { return nil, nil }
func (killOp) Run(context.Context, []any) (any, error) {
	if os.Getenv(cluster.EnvWorker) != "" {
		p, _ := os.FindProcess(os.Getpid())
		p.Kill()
		time.Sleep(time.Hour)
	}
	return int64(0), nil
}

// floatsOp makes a []float64 of n elements, element i = i*scale.
type floatsOp struct {
	n     int
	scale float64
}

func (o floatsOp) Name() string { return "clustertest.floats" }
func (o floatsOp) Params() ([]byte, error) {
	return []byte(fmt.Sprintf("%d %g", o.n, o.scale)), nil
}
func (o floatsOp) Run(context.Context, []any) (any, error) {
	x := make([]float64, o.n)
	for i := range x {
		x[i] = float64(i) * o.scale
	}
	return x, nil
}

// fsumOp sums the []float64 inputs.
type fsumOp struct{}

func (fsumOp) Name() string            { return "clustertest.fsum" }
func (fsumOp) Params() ([]byte, error) { return nil, nil }
func (fsumOp) Run(_ context.Context, in []any) (any, error) {
	s := 0.0
	for _, v := range in {
		for _, x := range v.([]float64) {
			s += x
		}
	}
	return s, nil
}

// opaque has no codec.
type opaque struct{ ch chan int }

type opaqueOp struct{}

func (opaqueOp) Name() string                            { return "clustertest.opaque" }
func (opaqueOp) Params() ([]byte, error)                 { return nil, nil }
func (opaqueOp) Run(context.Context, []any) (any, error) { return opaque{}, nil }

// unregOp is never registered.
type unregOp struct{}

func (unregOp) Name() string                            { return "clustertest.unregistered" }
func (unregOp) Params() ([]byte, error)                 { return nil, nil }
func (unregOp) Run(context.Context, []any) (any, error) { return int64(1), nil }

func init() {
	graph.Register("clustertest.lit", func(p []byte) (graph.Op, error) {
		v, n := binary.Varint(p)
		if n <= 0 {
			return nil, errors.New("bad lit")
		}
		return litOp(v), nil
	})
	graph.Register("clustertest.sum", func(p []byte) (graph.Op, error) {
		r := graph.NewReader(p)
		o := sumOp{salt: r.Varint(), sleep: time.Duration(r.Varint())}
		return o, r.Err()
	})
	graph.Register("clustertest.fail", func(p []byte) (graph.Op, error) { return failOp(p), nil })
	graph.Register("clustertest.kill", func([]byte) (graph.Op, error) { return killOp{}, nil })
	graph.Register("clustertest.floats", func(p []byte) (graph.Op, error) {
		var o floatsOp
		_, err := fmt.Sscanf(string(p), "%d %g", &o.n, &o.scale)
		return o, err
	})
	graph.Register("clustertest.fsum", func([]byte) (graph.Op, error) { return fsumOp{}, nil })
	graph.Register("clustertest.opaque", func([]byte) (graph.Op, error) { return opaqueOp{}, nil })
}

var _ = strconv.Itoa
var _ = leak.Check
