package sched

import (
	"context"
	"math"
	"runtime/debug"
	"testing"

	"github.com/godask/godask/graph"
)

// softLimitOp returns the runtime's soft memory limit while it runs.
type softLimitOp struct{}

func (softLimitOp) Name() string            { return "sched_test.softlimit" }
func (softLimitOp) Params() ([]byte, error) { return nil, nil }
func (softLimitOp) Run(context.Context, []any) (any, error) {
	return debug.SetMemoryLimit(-1), nil
}

func softLimitDuring(t *testing.T, opts ...Option) int64 {
	t.Helper()
	task, err := graph.NewTask(softLimitOp{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Run(context.Background(), graph.New(task), []graph.Key{task.Key}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return out[0].(int64)
}

func TestRunSetsRuntimeSoftLimitOnlyWhenTheProgramHasNone(t *testing.T) {
	if debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Skip("GOMEMLIMIT is set for this process")
	}
	limit := int64(3 << 30)
	want := softLimit(limit)
	if p := PhysicalMemory(); p > 16<<30 && want != int64(float64(limit)*runtimeFactor) {
		t.Errorf("softLimit(%d) = %d, want %.2f times it", limit, want, runtimeFactor)
	}
	if got := softLimitDuring(t, WithMemoryLimit(limit)); got != want {
		t.Errorf("soft limit during a run with a %d-byte limit = %d, want %d", limit, got, want)
	}
	if got := softLimitDuring(t, WithMemoryLimit(1)); got != runtimeFloor {
		t.Errorf("soft limit during a run with a 1-byte limit = %d, want the floor %d", got, runtimeFloor)
	}
	if got := softLimitDuring(t, WithMemoryLimit(-1)); got != math.MaxInt64 {
		t.Errorf("soft limit during a run without a memory manager = %d, want none", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("soft limit after the runs = %d, want none (restored)", got)
	}

	// Nested holds: the largest wins, the last release restores.
	r1 := holdRuntimeLimit(2 << 30)
	r2 := holdRuntimeLimit(4 << 30)
	if got, want := debug.SetMemoryLimit(-1), softLimit(4<<30); got != want {
		t.Errorf("soft limit with two runs = %d, want the larger run's %d", got, want)
	}
	r2()
	if got := debug.SetMemoryLimit(-1); got == math.MaxInt64 {
		t.Error("soft limit released while a run still holds it")
	}
	r1()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("soft limit after both releases = %d, want none", got)
	}

	// A program's own soft limit is left alone.
	prev := debug.SetMemoryLimit(5 << 30)
	defer debug.SetMemoryLimit(prev)
	if got := softLimitDuring(t, WithMemoryLimit(limit)); got != 5<<30 {
		t.Errorf("soft limit during a run = %d, want the program's %d", got, 5<<30)
	}
}
