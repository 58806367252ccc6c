package cluster

import (
	"bufio"
	"container/heap"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v15/arrow/flight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// EnvWorker is the environment variable that turns a process into a worker
// when Main runs: its value holds the worker's flags (as after "worker" on
// the command line). Local starts its workers this way, so a test binary or
// a program with flags of its own can be its own worker.
const EnvWorker = "GODASK_WORKER"

// EnvToken, when set, is the cluster token of a worker started without
// --token-file.
const EnvToken = "GODASK_CLUSTER_TOKEN"

// Main turns the process into a cluster worker when it was started as one:
// with "worker" as its first argument (prog worker --scheduler ADDR ...) or
// with EnvWorker set. It then never returns: the process runs tasks for its
// scheduler and exits when told to, when its scheduler has been gone for
// longer than --death-timeout, or on a fatal error. Otherwise Main returns
// at once and the program goes on as usual. Call it at the top of main
// (and of TestMain in tests that start a Local cluster), after the init
// functions have registered every op and codec, so the worker has them all.
func Main() {
	var args []string
	switch {
	case len(os.Args) > 1 && os.Args[1] == "worker":
		args = os.Args[2:]
	case os.Getenv(EnvWorker) != "":
		args = strings.Fields(os.Getenv(EnvWorker))
	default:
		return
	}
	cfg, err := parseWorkerFlags(args, os.Stdin)
	ctx := context.Background()
	if err == nil && cfg.stdin != nil {
		// Started by the SSH launcher: its session ending (the client
		// closed or died) closes standard input, and the worker exits.
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		go func() { io.Copy(io.Discard, cfg.stdin); cancel() }()
	}
	if err == nil && cfg.cpuProfile != "" {
		f, ferr := os.Create(strings.ReplaceAll(cfg.cpuProfile, "%d", strconv.Itoa(os.Getpid())))
		if ferr == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	if err == nil {
		err = RunWorker(ctx, cfg)
		if err != nil && cfg.stdin != nil && ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "godask worker: standard input closed (the launcher's session ended); exiting")
			err = nil
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "godask worker:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	pprof.StopCPUProfile()
	os.Exit(0)
}

// WorkerConfig configures a worker process (see the flags of Main).
type WorkerConfig struct {
	// Scheduler is the address the worker dials.
	Scheduler string
	// Listen is where the worker serves its values to peers
	// (default 127.0.0.1:0: loopback only).
	Listen string
	// Advertise is the address peers dial (default: the listener's).
	Advertise string
	// Token is the cluster token.
	Token string
	// TLS, when its CA is set, turns on mutual TLS.
	TLS TLSFiles
	// Threads is how many tasks run at once (default GOMAXPROCS).
	Threads int
	// MemoryLimit bounds the bytes of values held (see store); 0 means
	// sched.DefaultMemoryLimit() divided by... nothing: the whole default.
	MemoryLimit int64
	// SpillDir is where the spill directory is created.
	SpillDir string
	// DeathTimeout is how long the worker lives without its scheduler.
	DeathTimeout time.Duration
	// Heartbeat is the interval of heartbeats (default 500 ms).
	Heartbeat time.Duration
	// FetchIdle is how long a fetch from a peer may receive nothing before
	// it is abandoned (default 30 s).
	FetchIdle time.Duration

	cpuProfile string
	stdin      io.Reader // --stdin: the rest of standard input, watched for its end
	tlsPEM     *stdinSecrets
}

// stdinSecrets is the one JSON line a worker started with --stdin reads
// first: the cluster token and, for TLS, its PEM files' contents (so no
// secret is on the remote disk, in argv or in the environment).
type stdinSecrets struct {
	Token string `json:"token"`
	CA    []byte `json:"ca,omitempty"`
	Cert  []byte `json:"cert,omitempty"`
	Key   []byte `json:"key,omitempty"`
}

func parseWorkerFlags(args []string, stdin io.Reader) (*WorkerConfig, error) {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	c := &WorkerConfig{}
	fs.StringVar(&c.Scheduler, "scheduler", "", "scheduler address host:port (required)")
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:0", "address to serve values to peers on")
	fs.StringVar(&c.Advertise, "advertise", "", "address peers dial (default: the listener's)")
	tokenFile := fs.String("token-file", "", "file holding the cluster token (or set "+EnvToken+")")
	fs.StringVar(&c.TLS.CA, "tls-ca", "", "cluster CA certificate (PEM); turns on mutual TLS")
	fs.StringVar(&c.TLS.Cert, "tls-cert", "", "this worker's certificate (PEM)")
	fs.StringVar(&c.TLS.Key, "tls-key", "", "this worker's key (PEM)")
	fs.IntVar(&c.Threads, "nthreads", runtime.GOMAXPROCS(0), "tasks run at once")
	mem := fs.String("memory-limit", "", "bytes of values held before spilling (e.g. 2GiB, 500MB, 0.5 for a fraction of RAM); default: the local executor's")
	fs.StringVar(&c.SpillDir, "spill-dir", "", "where the spill directory is created (default the temp dir)")
	fs.DurationVar(&c.DeathTimeout, "death-timeout", 60*time.Second, "exit after this long without the scheduler")
	fs.DurationVar(&c.Heartbeat, "heartbeat", 500*time.Millisecond, "heartbeat interval")
	fs.DurationVar(&c.FetchIdle, "fetch-idle", 30*time.Second, "abandon a fetch from a peer that sends nothing for this long")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the worker to this file (%d: the pid)")
	useStdin := fs.Bool("stdin", false, "read the token (and TLS PEMs) as one JSON line from standard input, and exit when it closes (the SSH launcher's mode)")
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("worker flags: %w", err)
	}
	if c.Scheduler == "" {
		return nil, errors.New("worker flags: --scheduler ADDR is required")
	}
	if *useStdin {
		r := bufio.NewReader(stdin)
		line, err := r.ReadBytes('\n')
		if err != nil && len(line) == 0 {
			return nil, fmt.Errorf("worker flags: --stdin: read the secrets line from standard input: %w", err)
		}
		var sec stdinSecrets
		if err := json.Unmarshal(line, &sec); err != nil {
			return nil, fmt.Errorf("worker flags: --stdin: the first line of standard input is not the launcher's secrets: %w", err)
		}
		if sec.Token == "" {
			return nil, errors.New("worker flags: --stdin: no cluster token in the secrets line")
		}
		c.Token, c.stdin = sec.Token, r
		if len(sec.CA) > 0 {
			c.tlsPEM = &sec
		}
	} else if *tokenFile != "" {
		t, err := ReadTokenFile(*tokenFile)
		if err != nil {
			return nil, err
		}
		c.Token = t
	} else if t := os.Getenv(EnvToken); t != "" {
		c.Token = t
	} else {
		return nil, errors.New("worker flags: no cluster token (--token-file F or " + EnvToken + ")")
	}
	if *mem != "" {
		n, err := ParseBytes(*mem)
		if err != nil {
			return nil, fmt.Errorf("worker flags: --memory-limit: %w", err)
		}
		c.MemoryLimit = n
	}
	return c, nil
}

// ParseBytes reads a byte count: a plain number, a number with a unit (KB,
// MB, GB, TB, KiB, MiB, GiB, TiB) or a fraction of physical memory (0 < x
// <= 1).
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suf string
		m   float64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}
	mul := 1.0
	for _, u := range units {
		if strings.HasSuffix(s, u.suf) {
			s, mul = strings.TrimSpace(strings.TrimSuffix(s, u.suf)), u.m
			break
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bad byte count %q", s)
	}
	if mul == 1 && f > 0 && f <= 1 {
		return int64(f * float64(sched.PhysicalMemory())), nil
	}
	return int64(f * mul), nil
}

// worker is one worker process's state.
type worker struct {
	cfg   *WorkerConfig
	sec   security
	addr  string // advertised
	store *sched.Store[vkey]
	srv   *grpc.Server

	mu      sync.Mutex
	cond    *sync.Cond
	id      uint64
	peers   map[uint64]string
	runs    map[uint64]*wrun
	tasks   map[tkey]*wtask
	ready   taskHeap // non-root tasks ready to run
	roots   taskHeap // root tasks ready to run
	active  int
	flight  map[vkey]*pendingFetch
	fetchrs map[string]*fetcher
	blobs   map[uint64][]byte
	closed  bool

	outMu  sync.Mutex
	out    []byte // pending done entries (without the type byte)
	outSig chan struct{}

	fetched atomic.Int64
	fetchNs atomic.Int64

	dataMu    sync.Mutex
	dataConns map[net.Conn]bool // open data connections served; nil once stopping
}

type tkey struct{ run, tid uint64 }

type wrun struct {
	ctx    context.Context
	cancel context.CancelFunc
}

type wtask struct {
	run, tid, attempt uint64
	prio              int64
	t                 *graph.Task
	sel               []int
	in                []vkey
	resolved          []bool
	pending           int
	cancelled         bool
	keep              bool // an output of Persist: its value is kept (see Keeper)
	index             int  // in its heap, -1 when not queued
}

type pendingFetch struct {
	k       vkey
	holders []uint64
	waiters []waiter
}

type waiter struct {
	t   *wtask
	dep int
}

// RunWorker runs a worker until it is told to stop, its scheduler has been
// gone for longer than DeathTimeout, or ctx is cancelled.
func RunWorker(ctx context.Context, cfg *WorkerConfig) error {
	if cfg.Threads <= 0 {
		cfg.Threads = runtime.GOMAXPROCS(0)
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 500 * time.Millisecond
	}
	if cfg.DeathTimeout <= 0 {
		cfg.DeathTimeout = 60 * time.Second
	}
	if cfg.FetchIdle <= 0 {
		cfg.FetchIdle = 30 * time.Second
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.MemoryLimit == 0 {
		cfg.MemoryLimit = sched.DefaultMemoryLimit()
	}
	setRecvPoolMax(cfg.MemoryLimit)
	sec := security{token: cfg.Token}
	switch {
	case cfg.tlsPEM != nil:
		t, err := tlsConfigPEM(cfg.tlsPEM.CA, cfg.tlsPEM.Cert, cfg.tlsPEM.Key, "from standard input")
		if err != nil {
			return err
		}
		sec.tls = t
	case cfg.TLS.CA != "":
		t, err := cfg.TLS.config()
		if err != nil {
			return err
		}
		sec.tls = t
	}
	l, err := listen(cfg.Listen)
	if err != nil {
		return err
	}
	if cfg.Advertise != "" {
		// An advertised host without a port, or with port 0, takes the
		// listener's port (the SSH launcher advertises the host it reached).
		host, port, err := net.SplitHostPort(cfg.Advertise)
		if err != nil {
			host, port = cfg.Advertise, "0"
		}
		if port == "0" || port == "" {
			_, lport, _ := net.SplitHostPort(l.Addr().String())
			cfg.Advertise = net.JoinHostPort(host, lport)
		}
	}
	w := &worker{cfg: cfg, sec: sec, addr: l.Addr().String(), store: sched.NewStore[vkey](cfg.MemoryLimit, cfg.SpillDir),
		peers: map[uint64]string{}, runs: map[uint64]*wrun{}, tasks: map[tkey]*wtask{},
		flight: map[vkey]*pendingFetch{}, fetchrs: map[string]*fetcher{}, blobs: map[uint64][]byte{}, outSig: make(chan struct{}, 1)}
	if cfg.Advertise != "" {
		w.addr = cfg.Advertise
	}
	w.cond = sync.NewCond(&w.mu)
	w.srv = newServer(sec)
	flight.RegisterFlightServiceServer(w.srv, &workerService{w: w})
	w.dataConns = map[net.Conn]bool{}
	ds := &dataServer{sec: sec, where: "worker " + w.addr, idle: cfg.FetchIdle, get: w.dataValue, track: w.trackData}
	go w.srv.Serve(newMuxListener(l, ds.serve))
	defer w.srv.Stop()
	defer w.store.Close()
	defer w.closeData()
	for i := 0; i < cfg.Threads; i++ {
		go w.runner()
	}
	defer func() {
		w.mu.Lock()
		w.closed = true
		w.cond.Broadcast()
		for _, f := range w.fetchrs {
			f.stop()
		}
		w.mu.Unlock()
	}()
	lost := time.Now()
	for {
		stop, err := w.session(ctx)
		if stop {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil && errors.Is(err, errRefused) {
			return err
		}
		if err == nil {
			lost = time.Now() // it was connected: the clock restarts
		}
		if time.Since(lost) > cfg.DeathTimeout {
			return fmt.Errorf("lost the scheduler at %s for more than %v (last error: %v); exiting", cfg.Scheduler, cfg.DeathTimeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

var errRefused = errors.New("refused by the scheduler")

// session connects to the scheduler and serves it until the connection
// ends. stop says the worker must exit (told to, or refused). err is nil
// when the session was established and later ended.
func (w *worker) session(ctx context.Context) (stop bool, err error) {
	cc, err := dial(w.cfg.Scheduler, w.sec)
	if err != nil {
		return false, err
	}
	defer cc.Close()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cl := flight.NewFlightServiceClient(cc)
	s, err := cl.DoExchange(sctx)
	if err != nil {
		return false, fmt.Errorf("connect to scheduler %s: %w", w.cfg.Scheduler, err)
	}
	host, _ := os.Hostname()
	h := &hello{version: protocolVersion, fp: localFingerprint(), addr: w.addr, nthreads: w.cfg.Threads,
		memLimit: w.cfg.MemoryLimit, pid: os.Getpid(), host: host}
	if err := s.Send(&flight.FlightData{AppMetadata: h.encode()}); err != nil {
		return false, fmt.Errorf("connect to scheduler %s: %w", w.cfg.Scheduler, err)
	}
	first, err := s.Recv()
	if err != nil {
		return false, fmt.Errorf("connect to scheduler %s: %w", w.cfg.Scheduler, err)
	}
	m := first.AppMetadata
	if len(m) > 0 && m[0] == mStop {
		return true, nil
	}
	if len(m) > 0 && m[0] == mRefuse {
		return true, fmt.Errorf("%w at %s: %s", errRefused, w.cfg.Scheduler, m[1:])
	}
	if len(m) == 0 || m[0] != mWelcome {
		return false, fmt.Errorf("scheduler %s: protocol error: no welcome", w.cfg.Scheduler)
	}
	r := graph.NewReader(m[1:])
	id := r.Uvarint()
	w.mu.Lock()
	w.id = id
	w.mu.Unlock()
	// The sender: done batches and heartbeats.
	sendErr := make(chan error, 1)
	go func() { sendErr <- w.sender(sctx, s) }()
	defer w.reset()
	for {
		fd, err := s.Recv()
		if err != nil {
			return false, nil
		}
		if stop := w.handle(fd.AppMetadata); stop {
			return true, nil
		}
		select {
		case <-sendErr:
			return false, nil
		default:
		}
	}
}

// reset forgets everything of the ended session.
func (w *worker) reset() {
	w.mu.Lock()
	for k, r := range w.runs {
		r.cancel()
		delete(w.runs, k)
	}
	for k, t := range w.tasks {
		t.cancelled = true
		delete(w.tasks, k)
	}
	w.ready, w.roots = nil, nil
	w.flight = map[vkey]*pendingFetch{}
	w.blobs = map[uint64][]byte{}
	w.mu.Unlock()
	w.outMu.Lock()
	w.out = nil
	w.outMu.Unlock()
	w.store.Close()
}

// figures collects the worker's heartbeat figures every interval into
// latest. It runs apart from the sender because the store's lock is held
// while a value spills or loads (seconds for a large one on a loaded
// machine) and the worker's while the runner waits on it: a heartbeat must
// not wait for either, or the scheduler drops a busy worker as silent.
func (w *worker) figures(ctx context.Context, latest *atomic.Pointer[heartbeat]) {
	tick := time.NewTicker(w.cfg.Heartbeat)
	defer tick.Stop()
	for {
		st := w.store.Stats()
		w.mu.Lock()
		q, a := int64(len(w.ready)+len(w.roots)), int64(w.active)
		w.mu.Unlock()
		latest.Store(&heartbeat{held: st.Held, spilled: st.Spilled, files: st.Files, queued: q, active: a,
			spills: st.Spills, loads: st.Loads})
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (w *worker) sender(ctx context.Context, s flight.FlightService_DoExchangeClient) error {
	tick := time.NewTicker(w.cfg.Heartbeat)
	defer tick.Stop()
	var latest atomic.Pointer[heartbeat]
	latest.Store(&heartbeat{})
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	go w.figures(fctx, &latest)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			hb := *latest.Load()
			hb.fetched, hb.fetchNs = w.fetched.Load(), w.fetchNs.Load()
			if err := s.Send(&flight.FlightData{AppMetadata: hb.encode()}); err != nil {
				return err
			}
		case <-w.outSig:
		}
		w.outMu.Lock()
		b := w.out
		w.out = nil
		w.outMu.Unlock()
		if len(b) > 0 {
			if err := s.Send(&flight.FlightData{AppMetadata: append([]byte{mDone}, b...)}); err != nil {
				return err
			}
		}
	}
}

// report appends a done entry for the sender.
func (w *worker) report(t *wtask, st byte, fill func(b []byte) []byte) {
	w.outMu.Lock()
	b := binary.AppendUvarint(w.out, t.run)
	b = binary.AppendUvarint(b, t.tid)
	b = binary.AppendUvarint(b, t.attempt)
	b = append(b, st)
	if fill != nil {
		b = fill(b)
	}
	w.out = b
	w.outMu.Unlock()
	select {
	case w.outSig <- struct{}{}:
	default:
	}
}

func (w *worker) reportErr(t *wtask, msg string) {
	w.report(t, stErr, func(b []byte) []byte { return graph.AppendBytes(b, []byte(msg)) })
}

// handle acts on one message from the scheduler; it reports whether the
// worker must stop.
func (w *worker) handle(m []byte) bool {
	if len(m) == 0 {
		return false
	}
	r := graph.NewReader(m[1:])
	switch m[0] {
	case mStop:
		return true
	case mPeers:
		w.mu.Lock()
		for len(r.Rest()) > 0 && r.Err() == nil {
			id := r.Uvarint()
			addr := string(r.Bytes())
			if addr == "" {
				delete(w.peers, id)
			} else {
				w.peers[id] = addr
			}
		}
		w.mu.Unlock()
	case mBatch:
		w.batch(r)
	case mBlob:
		id, total := r.Uvarint(), r.Uvarint()
		if r.Err() != nil || total > maxValue {
			return false
		}
		w.mu.Lock()
		b := w.blobs[id]
		if b == nil {
			b = make([]byte, 0, total)
		}
		w.blobs[id] = append(b, r.Rest()...)
		w.mu.Unlock()
	case mRelease:
		run := r.Uvarint()
		w.mu.Lock()
		if wr, ok := w.runs[run]; ok {
			wr.cancel()
			delete(w.runs, run)
		}
		for k, t := range w.tasks {
			if k.run == run {
				w.dropTaskLocked(t)
			}
		}
		w.mu.Unlock()
		w.store.FreeIf(func(k vkey) bool { return k.run == run })
		recvMayFree.Store(true)
	}
	return false
}

// dropTaskLocked forgets a task that has not started (or whose result is no
// longer wanted), giving back its references to fetched inputs.
func (w *worker) dropTaskLocked(t *wtask) {
	if t.cancelled {
		return
	}
	t.cancelled = true
	delete(w.tasks, tkey{t.run, t.tid})
	if t.index >= 0 {
		if len(t.t.Deps) == 0 {
			heap.Remove(&w.roots, t.index)
		} else {
			heap.Remove(&w.ready, t.index)
		}
	}
	if t.index != -2 { // -2: running; its runner gives the references back
		for i, ok := range t.resolved {
			if ok {
				w.store.Done(t.in[i])
			}
		}
		recvMayFree.Store(true)
	}
}

// batch acts on the entries of an mBatch in their order: tasks to run,
// values to free, tasks to cancel.
func (w *worker) batch(r *graph.Reader) {
	run := r.Uvarint()
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(r.Rest()) > 0 && r.Err() == nil {
		switch r.Byte() {
		case eCompute:
			if !w.computeLocked(run, r) {
				return
			}
		case eFree:
			k := graph.Key(r.Bytes())
			if r.Err() == nil {
				w.store.Free(vkey{run: run, key: k, part: -1})
				recvMayFree.Store(true)
			}
		case eCancel:
			tid, att := r.Uvarint(), r.Uvarint()
			if t, ok := w.tasks[tkey{run, tid}]; ok && t.attempt == att && r.Err() == nil {
				w.dropTaskLocked(t)
			}
		default:
			return // a malformed batch: the rest cannot be read
		}
	}
}

// computeLocked takes one task of a batch; it reports false when the batch
// is malformed.
func (w *worker) computeLocked(run uint64, r *graph.Reader) bool {
	if _, ok := w.runs[run]; !ok {
		ctx, cancel := context.WithCancel(context.Background())
		w.runs[run] = &wrun{ctx: ctx, cancel: cancel}
	}
	t := &wtask{run: run, tid: r.Uvarint(), attempt: r.Uvarint(), index: -1}
	t.keep = r.Uvarint()&flagKeep != 0
	t.prio = r.Varint()
	var tb []byte
	if blob := r.Uvarint(); blob == 0 {
		tb = r.Bytes()
	} else {
		tb = w.blobs[blob]
		delete(w.blobs, blob)
	}
	nd := int(r.Uvarint())
	type dep struct {
		src     uint64
		holders []uint64
	}
	deps := make([]dep, 0, min(nd, len(r.Rest())))
	for i := 0; i < nd && r.Err() == nil; i++ {
		d := dep{src: r.Uvarint()}
		nh := int(r.Uvarint())
		for j := 0; j < nh && r.Err() == nil; j++ {
			d.holders = append(d.holders, r.Uvarint())
		}
		deps = append(deps, d)
	}
	if r.Err() != nil {
		return false
	}
	task, err := graph.DecodeTask(tb)
	if err != nil {
		w.reportErr(t, fmt.Sprintf("worker %s: %v", w.addr, err))
		return true
	}
	if len(task.Deps) != len(deps) {
		w.reportErr(t, fmt.Sprintf("worker %s: task %s: %d inputs, %d locations", w.addr, task.Key, len(task.Deps), len(deps)))
		return true
	}
	t.t = task
	t.sel = graph.InputPartsOf(task.Op, len(task.Deps))
	t.in = make([]vkey, len(deps))
	t.resolved = make([]bool, len(deps))
	if old, ok := w.tasks[tkey{run, t.tid}]; ok {
		w.dropTaskLocked(old)
	}
	w.tasks[tkey{run, t.tid}] = t
	for i, d := range task.Deps {
		src := deps[i].src
		if src == 0 {
			src = run
		}
		part := -1
		if t.sel != nil {
			part = t.sel[i]
		}
		whole := vkey{run: src, key: d, part: -1}
		if w.store.AddReader(whole) {
			t.in[i], t.resolved[i] = whole, true
			continue
		}
		fk := whole
		if part >= 0 {
			fk.part = part
			if w.store.AddReader(fk) {
				t.in[i], t.resolved[i] = fk, true
				continue
			}
		}
		t.in[i] = fk
		t.pending++
		if pf, ok := w.flight[fk]; ok {
			pf.waiters = append(pf.waiters, waiter{t, i})
			continue
		}
		pf := &pendingFetch{k: fk, holders: deps[i].holders, waiters: []waiter{{t, i}}}
		w.flight[fk] = pf
		w.startFetchLocked(pf)
	}
	if t.pending == 0 {
		w.pushLocked(t)
	}
	return true
}

func (w *worker) pushLocked(t *wtask) {
	if len(t.t.Deps) == 0 {
		heap.Push(&w.roots, t)
	} else {
		heap.Push(&w.ready, t)
	}
	w.cond.Signal()
}

// startFetchLocked asks the next holder of pf for it, or, when none is
// left, reports its waiters' inputs missing.
func (w *worker) startFetchLocked(pf *pendingFetch) {
	for len(pf.holders) > 0 {
		h := pf.holders[0]
		pf.holders = pf.holders[1:]
		addr, ok := w.peers[h]
		if !ok || h == w.id {
			continue
		}
		f := w.fetchrs[addr]
		if f == nil {
			f = newFetcher(w, addr)
			w.fetchrs[addr] = f
		}
		f.enqueue(pf)
		return
	}
	delete(w.flight, pf.k)
	for _, wt := range pf.waiters {
		t := wt.t
		if t.cancelled {
			continue
		}
		dep := wt.dep
		w.report(t, stMissing, func(b []byte) []byte {
			b = binary.AppendUvarint(b, uint64(dep))
			return graph.AppendBytes(b, []byte(fmt.Sprintf("worker %s could not fetch %s from any holder", w.addr, pf.k.key)))
		})
		w.dropTaskLocked(t)
	}
}

// fetched ends a fetch: v arrived (or err).
func (w *worker) fetchDone(pf *pendingFetch, v any, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.flight[pf.k] != pf {
		return // the session was reset
	}
	if err != nil {
		if errors.Is(err, errRemote) || len(pf.holders) == 0 {
			pf.holders = nil
		}
		w.startFetchLocked(pf)
		return
	}
	delete(w.flight, pf.k)
	n := int32(0)
	for _, wt := range pf.waiters {
		if !wt.t.cancelled {
			n++
		}
	}
	if n == 0 {
		return
	}
	w.store.Put(pf.k, v, n)
	for _, wt := range pf.waiters {
		t := wt.t
		if t.cancelled {
			continue
		}
		t.resolved[wt.dep] = true
		t.pending--
		if t.pending == 0 {
			w.pushLocked(t)
		}
	}
}

// runner runs ready tasks, best priority first; roots wait while memory is
// past the pause level and other tasks run.
func (w *worker) runner() {
	w.mu.Lock()
	for {
		var t *wtask
		for !w.closed {
			rootOK := len(w.roots) > 0 && (w.active == 0 || !w.store.OverPause())
			switch {
			case len(w.ready) > 0 && (!rootOK || w.ready[0].prio <= w.roots[0].prio):
				t = heap.Pop(&w.ready).(*wtask)
			case rootOK:
				t = heap.Pop(&w.roots).(*wtask)
			}
			if t != nil {
				break
			}
			w.cond.Wait()
		}
		if w.closed {
			w.mu.Unlock()
			return
		}
		wr := w.runs[t.run]
		if wr == nil || t.cancelled {
			continue
		}
		t.index = -2
		w.active++
		w.mu.Unlock()
		w.runTask(wr.ctx, t)
		w.mu.Lock()
		w.active--
		if w.tasks[tkey{t.run, t.tid}] == t {
			delete(w.tasks, tkey{t.run, t.tid})
		}
		if len(w.roots) > 0 {
			w.cond.Signal()
		}
	}
}

func (w *worker) runTask(ctx context.Context, t *wtask) {
	w.report(t, stBegan, nil)
	args := make([]any, len(t.in))
	var err error
	got, missing := 0, -1
	for i, k := range t.in {
		var v any
		if v, err = w.store.Get(k); err != nil {
			if !w.store.Has(k) {
				missing = i
			}
			break
		}
		got++
		if k.part < 0 && t.sel != nil {
			v = graph.SelectPart(v, t.sel[i])
		}
		args[i] = v
	}
	var v any
	start := time.Now()
	if err == nil {
		v, err = runOp(ctx, t.t.Op, args)
	}
	if err == nil && t.keep {
		v, err = keptValue(v)
	}
	dur := time.Since(start)
	for i, k := range t.in {
		if i < got {
			w.store.Unpin(k)
		}
		w.store.Done(k)
	}
	if len(t.in) > 0 {
		recvMayFree.Store(true)
	}
	w.mu.Lock()
	cancelled := t.cancelled
	w.mu.Unlock()
	if cancelled || ctx.Err() != nil {
		return
	}
	if missing >= 0 {
		// The input left this worker's store after the task was resolved
		// against it (a free that crossed the task's placement): reported
		// as an input no holder could give, so the scheduler places the
		// task again with the input's holders (or its lineage) instead of
		// failing the run.
		dep := missing
		msg := fmt.Sprintf("worker %s: input %s: %v", w.addr, t.in[dep].key, err)
		w.report(t, stMissing, func(b []byte) []byte {
			b = binary.AppendUvarint(b, uint64(dep))
			return graph.AppendBytes(b, []byte(msg))
		})
		return
	}
	if err != nil {
		w.reportErr(t, err.Error())
		return
	}
	if v != nil && !canEncode(v) {
		w.reportErr(t, fmt.Sprintf("result of type %T cannot be encoded to leave worker %s: no codec (graph.RegisterType or graph.RegisterCodec)", v, w.addr))
		return
	}
	size := graph.SizeOf(v)
	nparts := 0
	if p, ok := v.(graph.Parted); ok {
		nparts = p.NumParts()
	}
	w.store.Put(vkey{run: t.run, key: t.t.Key, part: -1}, v, -1)
	w.report(t, stOK, func(b []byte) []byte {
		b = binary.AppendVarint(b, size)
		b = binary.AppendUvarint(b, uint64(nparts))
		return binary.AppendUvarint(b, uint64(dur))
	})
}

// runOp runs an op, turning a panic into an error with its stack.
func runOp(ctx context.Context, op graph.Op, args []any) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &sched.PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return op.Run(ctx, args)
}

// Keeper is implemented by values that prepare themselves to be kept in
// memory for later runs: a worker keeping an output of Executor.Persist
// stores v.Kept() instead of v (frame partitions dictionary-encode their
// string columns there once, as frame.Frame.Persist does in process). Kept
// must return a value equal to v for every reader.
type Keeper interface {
	Kept() any
}

// keptValue returns v as a Persist keeps it on a worker.
func keptValue(v any) (out any, err error) {
	k, ok := v.(Keeper)
	if !ok {
		return v, nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = &sched.PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return k.Kept(), nil
}

func canEncode(v any) bool {
	if v == nil {
		return true
	}
	_, ok := graph.CodecName(reflect.TypeOf(v))
	return ok
}

// workerService serves a worker's values to its peers and to the client.
type workerService struct {
	flight.BaseFlightServer
	w *worker
}

// DoGet sends the values a ticket names, in order.
func (s *workerService) DoGet(t *flight.Ticket, stream flight.FlightService_DoGetServer) error {
	items, err := decodeTicket(t.Ticket)
	if err != nil {
		return fmt.Errorf("worker %s: bad ticket: %w", s.w.addr, err)
	}
	for _, it := range items {
		k := vkey{run: it.run, key: it.key, part: -1}
		v, err := s.w.store.Get(k)
		if err != nil {
			if err := sendValueError(stream, fmt.Sprintf("worker %s: %v", s.w.addr, err)); err != nil {
				return err
			}
			continue
		}
		err = sendAny(stream, graph.SelectPart(v, it.part), fmt.Sprintf("worker %s: value %s", s.w.addr, it.key))
		s.w.store.Unpin(k)
		if err != nil {
			return err
		}
	}
	return nil
}

// dataValue is a value the data plane sends, pinned until release.
func (w *worker) dataValue(it item) (any, func(), error) {
	k := vkey{run: it.run, key: it.key, part: -1}
	v, err := w.store.Get(k)
	if err != nil {
		return nil, nil, err
	}
	return v, func() { w.store.Unpin(k) }, nil
}

// trackData registers (open) or forgets a data connection being served;
// it refuses new ones once the worker stops.
func (w *worker) trackData(c net.Conn, open bool) bool {
	w.dataMu.Lock()
	defer w.dataMu.Unlock()
	if w.dataConns == nil {
		return false
	}
	if open {
		w.dataConns[c] = true
	} else {
		delete(w.dataConns, c)
	}
	return true
}

// closeData closes the data connections being served.
func (w *worker) closeData() {
	w.dataMu.Lock()
	defer w.dataMu.Unlock()
	for c := range w.dataConns {
		c.Close()
	}
	w.dataConns = nil
}

// fetcher fetches values from one peer, many per call.
type fetcher struct {
	w    *worker
	addr string
	mu   sync.Mutex
	q    []*pendingFetch
	sig  chan struct{}
	quit chan struct{}
	once sync.Once
}

func newFetcher(w *worker, addr string) *fetcher {
	f := &fetcher{w: w, addr: addr, sig: make(chan struct{}, 1), quit: make(chan struct{})}
	go f.loop()
	return f
}

func (f *fetcher) stop() { f.once.Do(func() { close(f.quit) }) }

func (f *fetcher) enqueue(pf *pendingFetch) {
	f.mu.Lock()
	f.q = append(f.q, pf)
	f.mu.Unlock()
	select {
	case f.sig <- struct{}{}:
	default:
	}
}

func (f *fetcher) loop() {
	var cc *grpc.ClientConn
	var dc *dataConn
	defer func() {
		if cc != nil {
			cc.Close()
		}
		if dc != nil {
			dc.Close()
		}
	}()
	useData := dataPlaneOn()
	for {
		select {
		case <-f.quit:
			return
		case <-f.sig:
		}
		for {
			f.mu.Lock()
			batch := f.q
			if len(batch) > 256 {
				batch = batch[:256]
			}
			f.q = f.q[len(batch):]
			f.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			var err error
			switch {
			case useData && dc == nil:
				dc, err = dialData(f.addr, f.w.sec, f.w.cfg.FetchIdle)
			case !useData && cc == nil:
				cc, err = dial(f.addr, f.w.sec)
			}
			if err != nil {
				err = fmt.Errorf("fetch from %s: %w", f.addr, err)
				for _, pf := range batch {
					f.w.fetchDone(pf, nil, err)
				}
				continue
			}
			items := make([]item, len(batch))
			for i, pf := range batch {
				items[i] = item{run: pf.k.run, key: pf.k.key, part: pf.k.part}
			}
			start := time.Now()
			n := 0
			var bytes int64
			got := func(i int, b []byte) error {
				bytes += int64(len(b))
				v, err := graph.DecodeValueOwned(b)
				n = i + 1
				f.w.fetchDone(batch[i], v, err)
				return nil
			}
			if useData {
				err = dc.fetch(items, f.w.cfg.FetchIdle, got, func(i int, err error) {
					n = i + 1
					f.w.fetchDone(batch[i], nil, fmt.Errorf("fetch from %s: %w", f.addr, err))
				})
			} else {
				err = fetch(context.Background(), flight.NewFlightServiceClient(cc), items, f.w.cfg.FetchIdle, got)
			}
			f.w.fetched.Add(bytes)
			f.w.fetchNs.Add(int64(time.Since(start)))
			if err != nil {
				err = fmt.Errorf("fetch from %s: %w", f.addr, err)
				for _, pf := range batch[n:] {
					f.w.fetchDone(pf, nil, err)
				}
				if cc != nil {
					cc.Close()
					cc = nil
				}
				if dc != nil {
					dc.Close()
					dc = nil
				}
			}
		}
	}
}

type taskHeap []*wtask

func (h taskHeap) Len() int           { return len(h) }
func (h taskHeap) Less(i, j int) bool { return h[i].prio < h[j].prio }
func (h taskHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *taskHeap) Push(x any) {
	t := x.(*wtask)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *taskHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}

// metadataToken is used by tests to call a worker with a given token.
func metadataToken(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, tokenHeader, token)
}
