package sched

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/godask/godask/graph"
)

// Job is what the front end hands an executor: an optimized graph, the keys to
// return, and a priority for every task (lower first, indexed like
// Graph.Tasks).
type Job struct {
	Graph    *graph.Graph
	Outputs  []graph.Key
	Priority []int32
	// Workers is the number of tasks to run at once; 0 means GOMAXPROCS.
	Workers int
	// Observer receives progress events; nil means none.
	Observer Observer
	// MemoryLimit bounds the bytes of values held in memory: past 60% of it
	// values spill to SpillDir, past 80% new roots wait. 0 means
	// DefaultMemoryLimit(); a negative limit turns the memory manager off.
	MemoryLimit int64
	// SpillDir is where a spill directory is created ("" for os.TempDir).
	SpillDir string
}

// Executor runs jobs. Run returns the values of job.Outputs, in order, or the
// first error; it must stop promptly when ctx is cancelled.
type Executor interface {
	Run(ctx context.Context, job *Job) ([]any, error)
}

var (
	defaultMu   sync.RWMutex
	defaultExec Executor = NewLocal()
)

// SetDefault makes e the executor of every call that does not choose one with
// WithExecutor, and returns the previous default. SetDefault(nil) restores the
// local executor.
func SetDefault(e Executor) Executor {
	if e == nil {
		e = NewLocal()
	}
	defaultMu.Lock()
	defer defaultMu.Unlock()
	old := defaultExec
	defaultExec = e
	return old
}

// Default returns the default executor.
func Default() Executor {
	defaultMu.RLock()
	defer defaultMu.RUnlock()
	return defaultExec
}

func workers(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// TaskError is the error of a run whose task failed: it names the task's key
// and op, and wraps the task's own error, so errors.Is and errors.As see
// through it.
type TaskError struct {
	Key graph.Key
	Op  string
	Err error
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("sched: task %s (op %s): %v", e.Key, e.Op, e.Err)
}

// Unwrap returns the task's error.
func (e *TaskError) Unwrap() error { return e.Err }

// PanicError is the error of a task that panicked: the panic value and the
// goroutine's stack at the panic.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("panic: %v\n%s", e.Value, e.Stack)
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// ErrStopped is returned for work that did not run because the run stopped
// (another task failed or the context was cancelled).
var ErrStopped = errors.New("sched: run stopped")
