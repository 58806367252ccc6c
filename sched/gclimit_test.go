package sched

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

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
	defer setHeadroomFloor(setHeadroomFloor(0)) // the cap: TestRunCapsGarbageHeadroom
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

// setHeadroomFloor sets headroomFloor and returns the previous value.
func setHeadroomFloor(f int64) int64 {
	rtLimit.Lock()
	defer rtLimit.Unlock()
	prev := headroomFloor
	headroomFloor = f
	return prev
}

// TestRunCapsGarbageHeadroom: data live before a run (a persisted table)
// gets no garbage headroom during it, the run's own data does, and the cap
// follows the live heap after each collection.
func TestRunCapsGarbageHeadroom(t *testing.T) {
	if debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Skip("GOMEMLIMIT is set for this process")
	}
	defer setHeadroomFloor(setHeadroomFloor(16 << 20))
	held := make([]byte, 96<<20) // live before the run
	for i := range held {
		held[i] = byte(i)
	}
	runtime.GC()
	before := heapLive()
	if before < 96<<20 {
		t.Fatalf("live heap %d after holding 96 MiB", before)
	}
	release := holdRuntimeLimit(3 << 30)
	got := debug.SetMemoryLimit(-1)
	// Not the collector's 2x of the held data: live plus the floor.
	if got < before+headroomFloor || got > heapLive()+headroomFloor+(32<<20) || got >= 2*before {
		t.Errorf("limit during the run = %d, want about live %d + floor %d", got, before, headroomFloor)
	}
	// The run's own 64 MiB: after a collection the cap grows to live + own.
	own := make([]byte, 64<<20)
	for i := range own {
		own[i] = byte(i)
	}
	want := before + 64<<20 + int64(float64(64<<20)*headroomShare)
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		got = debug.SetMemoryLimit(-1)
		if got >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got < want || got > want+(32<<20) {
		t.Errorf("limit after the run added 64 MiB = %d, want about %d (live + its own 64 MiB)", got, want)
	}
	runtime.KeepAlive(own)
	release()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit after the run = %d, want none", got)
	}
	// A collection after the release changes nothing.
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("limit after a collection past the run = %d, want none", got)
	}
	runtime.KeepAlive(held)
}
