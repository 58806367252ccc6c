package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Option configures Local or Connect.
type Option func(*options)

type options struct {
	token      string
	tokenFile  string
	ca         *CA
	tlsFiles   TLSFiles
	listen     string
	threads    int
	memLimit   int64
	heartbeat  time.Duration
	silence    time.Duration
	noWorkers  time.Duration
	death      time.Duration
	minWorkers int
	join       time.Duration
	log        io.Writer
	env        []string
	restarts   int
	spillDir   string
	slotArgs   func(slot int) []string
	noSteal    bool
	args       []string
}

func defaults() *options {
	return &options{listen: "127.0.0.1:0", threads: 1, heartbeat: 500 * time.Millisecond, silence: 30 * time.Second,
		noWorkers: 60 * time.Second, death: 30 * time.Second, minWorkers: 1, join: 30 * time.Second, restarts: -1}
}

// WithToken sets the cluster token (Local makes a random one by default;
// Connect requires one, or WithTokenFile).
func WithToken(t string) Option { return func(o *options) { o.token = t } }

// WithTokenFile reads the cluster token from a file.
func WithTokenFile(path string) Option { return func(o *options) { o.tokenFile = path } }

// WithTLS turns on mutual TLS with certificates issued by ca: Local issues
// one for the scheduler and one for each worker; Connect issues the
// scheduler's (the workers bring theirs, see CA.WriteFiles).
func WithTLS(ca *CA) Option { return func(o *options) { o.ca = ca } }

// WithTLSFiles turns on mutual TLS with the scheduler's PEM files.
func WithTLSFiles(f TLSFiles) Option { return func(o *options) { o.tlsFiles = f } }

// WithListen sets the scheduler's listen address (Local's default is
// 127.0.0.1:0, loopback on a free port).
func WithListen(addr string) Option { return func(o *options) { o.listen = addr } }

// WithThreads sets the threads (tasks at once) of each worker Local starts
// (default 1).
func WithThreads(n int) Option { return func(o *options) { o.threads = n } }

// WithMemoryLimit sets the memory limit of each worker Local starts
// (default: the local executor's default limit divided by the workers).
func WithMemoryLimit(bytes int64) Option { return func(o *options) { o.memLimit = bytes } }

// WithSpillDir sets where Local's workers create their spill directories.
func WithSpillDir(dir string) Option { return func(o *options) { o.spillDir = dir } }

// WithHeartbeat sets the workers' heartbeat interval and the silence after
// which the scheduler drops a worker (defaults 500 ms and 30 s: a worker
// whose connection drops is removed at once; silence means a hung host or
// a cut link, and a busy worker on a loaded machine can go seconds unheard).
func WithHeartbeat(interval, silence time.Duration) Option {
	return func(o *options) { o.heartbeat, o.silence = interval, silence }
}

// WithDeathTimeout sets how long Local's workers live without the
// scheduler (default 30 s).
func WithDeathTimeout(d time.Duration) Option { return func(o *options) { o.death = d } }

// WithNoWorkersTimeout fails runs that have had no worker for d (default
// 60 s).
func WithNoWorkersTimeout(d time.Duration) Option { return func(o *options) { o.noWorkers = d } }

// WithMinWorkers makes Connect wait for n workers (default 1).
func WithMinWorkers(n int) Option { return func(o *options) { o.minWorkers = n } }

// WithJoinTimeout bounds how long Local and Connect wait for their workers
// (default 30 s).
func WithJoinTimeout(d time.Duration) Option { return func(o *options) { o.join = d } }

// WithLog sends the cluster's notes (workers removed, restarted) and the
// output of Local's worker processes to w (default: none).
func WithLog(w io.Writer) Option { return func(o *options) { o.log = w } }

// WithWorkerEnv adds environment variables ("K=V") to Local's workers.
func WithWorkerEnv(kv ...string) Option { return func(o *options) { o.env = append(o.env, kv...) } }

// WithWorkerArgs adds command-line flags (see Main) to Local's workers.
func WithWorkerArgs(args ...string) Option {
	return func(o *options) { o.args = append(o.args, args...) }
}

// WithSlotArgs adds flags to the worker Local starts in each slot (0 to
// n-1), e.g. a --listen port and an --advertise address per worker.
func WithSlotArgs(f func(slot int) []string) Option { return func(o *options) { o.slotArgs = f } }

// WithRestarts bounds how many times Local restarts workers that died
// (default 3 per worker); 0 turns restarts off.
func WithRestarts(n int) Option { return func(o *options) { o.restarts = n } }

func (o *options) resolveToken(required bool) error {
	if o.tokenFile != "" {
		t, err := ReadTokenFile(o.tokenFile)
		if err != nil {
			return err
		}
		o.token = t
	}
	if o.token == "" {
		if required {
			return errors.New("cluster: no cluster token (WithToken or WithTokenFile)")
		}
		o.token = NewToken()
	}
	return nil
}

// Connect starts a scheduler listening at addr for workers started by hand
// (prog worker --scheduler ADDR --token-file F ...) and waits for
// WithMinWorkers of them. It needs the workers' token.
func Connect(addr string, opts ...Option) (*Executor, error) {
	o := defaults()
	o.listen = addr
	for _, f := range opts {
		f(o)
	}
	if err := o.resolveToken(true); err != nil {
		return nil, err
	}
	var tmp string
	if o.ca != nil && o.tlsFiles.CA == "" {
		d, err := os.MkdirTemp("", "godask-cluster-tls-")
		if err != nil {
			return nil, err
		}
		tmp = d
		if o.tlsFiles, err = o.ca.WriteFiles(d); err != nil {
			os.RemoveAll(d)
			return nil, err
		}
	}
	e, err := newExecutor(addr, o)
	if tmp != "" {
		os.RemoveAll(tmp) // the configuration is loaded
	}
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.join)
	defer cancel()
	if err := e.WaitWorkers(ctx, o.minWorkers); err != nil {
		e.Close()
		return nil, fmt.Errorf("cluster.Connect(%s): %w", addr, err)
	}
	return e, nil
}

// WithoutStealing turns work stealing off: a task stays on the worker it
// was placed on until it runs or that worker is lost (for comparisons).
func WithoutStealing() Option { return func(o *options) { o.noSteal = true } }
