package cluster

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/godask/godask/sched"
)

// Local starts a cluster of n worker processes on this machine, each a copy
// of the running binary (which must call Main at the top of main, or of
// TestMain), and returns its scheduler once they have all joined. The
// scheduler and the workers listen on loopback; the token is random unless
// WithToken is given. Workers that die are restarted (WithRestarts). Close
// stops them.
func Local(n int, opts ...Option) (*Executor, error) {
	if n <= 0 {
		return nil, fmt.Errorf("cluster.Local(%d): want at least one worker", n)
	}
	o := defaults()
	for _, f := range opts {
		f(o)
	}
	if err := o.resolveToken(false); err != nil {
		return nil, err
	}
	if o.memLimit == 0 {
		o.memLimit = sched.DefaultMemoryLimit() / int64(n)
	}
	if o.restarts < 0 {
		o.restarts = 3 * n
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cluster.Local: find this binary: %w", err)
	}
	dir, err := os.MkdirTemp("", "godask-cluster-")
	if err != nil {
		return nil, fmt.Errorf("cluster.Local: %w", err)
	}
	var workerTLS []TLSFiles
	if o.ca != nil {
		if o.tlsFiles, err = o.ca.WriteFiles(mkdir(dir, "scheduler")); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		for i := 0; i < n; i++ {
			f, err := o.ca.WriteFiles(mkdir(dir, fmt.Sprintf("worker%d", i)))
			if err != nil {
				os.RemoveAll(dir)
				return nil, err
			}
			workerTLS = append(workerTLS, f)
		}
	}
	e, err := newExecutor(o.listen, o)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	lp := &localProcs{e: e, exe: exe, dir: dir, o: o, exited: make(chan error, n), restarts: o.restarts}
	e.local = lp
	for i := 0; i < n; i++ {
		args := []string{"--scheduler=" + e.addr, fmt.Sprintf("--nthreads=%d", o.threads),
			fmt.Sprintf("--memory-limit=%d", o.memLimit), "--death-timeout=" + o.death.String(),
			"--heartbeat=" + o.heartbeat.String()}
		if o.spillDir != "" {
			args = append(args, "--spill-dir="+o.spillDir)
		}
		if workerTLS != nil {
			f := workerTLS[i]
			args = append(args, "--tls-ca="+f.CA, "--tls-cert="+f.Cert, "--tls-key="+f.Key)
		}
		args = append(args, o.args...)
		if o.slotArgs != nil {
			args = append(args, o.slotArgs(i)...)
		}
		p := &proc{slot: i, args: args}
		lp.procs = append(lp.procs, p)
		if err := lp.start(p); err != nil {
			e.Close()
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.join)
	defer cancel()
	if err := e.WaitWorkers(ctx, n); err != nil {
		e.Close()
		return nil, fmt.Errorf("cluster.Local(%d): %w", n, err)
	}
	return e, nil
}

func mkdir(parent, name string) string {
	d := filepath.Join(parent, name)
	os.MkdirAll(d, 0o700)
	return d
}

// localProcs supervises Local's worker processes.
type localProcs struct {
	e        *Executor
	exe      string
	dir      string
	o        *options
	mu       sync.Mutex
	procs    []*proc
	stopping bool
	restarts int
	exited   chan error // a worker that exited before joining, for WaitWorkers
	wg       sync.WaitGroup
}

type proc struct {
	slot int
	args []string
	cmd  *exec.Cmd
	out  *tail
}

func (lp *localProcs) start(p *proc) error {
	cmd := exec.Command(lp.exe)
	cmd.Env = append(os.Environ(), EnvWorker+"="+strings.Join(p.args, " "), EnvToken+"="+lp.o.token)
	cmd.Env = append(cmd.Env, lp.o.env...)
	p.out = &tail{w: lp.o.log, prefix: fmt.Sprintf("[worker %d] ", p.slot)}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cluster.Local: start worker %d (%s): %w", p.slot, lp.exe, err)
	}
	p.cmd = cmd
	lp.wg.Add(1)
	go lp.wait(p, cmd)
	return nil
}

// wait reaps a worker process and restarts it if it died while the
// cluster runs.
func (lp *localProcs) wait(p *proc, cmd *exec.Cmd) {
	defer lp.wg.Done()
	err := cmd.Wait()
	lp.mu.Lock()
	defer lp.mu.Unlock()
	if lp.stopping {
		return
	}
	msg := fmt.Errorf("cluster.Local: worker %d (pid %d) exited (%v): %s", p.slot, cmd.Process.Pid, err, p.out.String())
	if lp.o.log != nil {
		fmt.Fprintln(lp.o.log, "godask cluster:", msg)
	}
	if lp.restarts <= 0 {
		select {
		case lp.exited <- msg: // WaitWorkers reports it
		default:
		}
		return
	}
	lp.restarts--
	if err := lp.start(p); err != nil && lp.o.log != nil {
		fmt.Fprintln(lp.o.log, "godask cluster:", err)
	}
}

// Kill sends SIGKILL to the worker process in slot i (for tests and
// failure drills); Local restarts it unless restarts are used up. It
// returns the killed process id.
func (e *Executor) Kill(i int) (int, error) {
	return e.signal(i, os.Kill)
}

// Signal sends sig to the worker process in slot i of a Local cluster.
func (e *Executor) Signal(i int, sig os.Signal) error {
	_, err := e.signal(i, sig)
	return err
}

func (e *Executor) signal(i int, sig os.Signal) (int, error) {
	if e.local == nil {
		return 0, fmt.Errorf("cluster: signal a worker: not a Local cluster")
	}
	lp := e.local
	lp.mu.Lock()
	defer lp.mu.Unlock()
	if i < 0 || i >= len(lp.procs) || lp.procs[i].cmd == nil {
		return 0, fmt.Errorf("cluster: signal a worker: no worker %d", i)
	}
	pid := lp.procs[i].cmd.Process.Pid
	return pid, lp.procs[i].cmd.Process.Signal(sig)
}

// stop waits for the workers (told to stop) to exit, then kills the rest.
func (lp *localProcs) stop(grace time.Duration) {
	lp.mu.Lock()
	lp.stopping = true
	procs := append([]*proc(nil), lp.procs...)
	lp.mu.Unlock()
	done := make(chan struct{})
	go func() { lp.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		for _, p := range procs {
			if p.cmd != nil {
				p.cmd.Process.Kill()
			}
		}
		<-done
	}
	os.RemoveAll(lp.dir)
}

// tail keeps the last bytes a worker wrote (for error messages) and copies
// them to a log writer if there is one.
type tail struct {
	mu     sync.Mutex
	b      []byte
	w      io.Writer
	prefix string
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = append(t.b[:0:0], t.b[len(t.b)-4096:]...)
	}
	if t.w != nil {
		for _, line := range bytes.SplitAfter(p, []byte("\n")) {
			if len(line) > 0 {
				t.w.Write(append([]byte(t.prefix), line...))
			}
		}
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.b))
	if s == "" {
		return "no output"
	}
	return s
}
