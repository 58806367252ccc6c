package cluster

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v15/arrow/flight"
	"google.golang.org/grpc"
	"google.golang.org/grpc/peer"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Executor is the scheduler of a cluster: it implements sched.Executor in
// the client process, so sched.WithExecutor(c) or sched.SetDefault(c) runs
// any program's graphs on the cluster's workers unchanged. Workers dial it
// (Local starts them; Connect waits for hand-started ones). Tasks travel as
// op names and parameter bytes; values stay on the workers and move worker
// to worker; only the outputs of a run come back to the client.
//
// An Executor is safe for concurrent runs. Close it to stop its workers.
type Executor struct {
	opt  *options
	sec  security
	fp   fingerprint
	srv  *grpc.Server
	lis  net.Listener
	addr string

	mu       sync.Mutex
	workers  map[uint64]*wconn
	nextID   uint64
	runs     map[uint64]*runState
	nextRun  uint64
	changed  chan struct{} // closed and replaced when membership changes
	refusals []error
	closed   bool
	noneAt   time.Time // since when there has been no worker
	stats    Stats
	opStats  map[string]*opStat
	conns    map[string]*grpc.ClientConn
	idleData map[string][]*dataConn // data connections to workers not in use (gathers)
	restrict map[graph.Key]uint64
	gathered atomic.Int64 // Stats.Gathered

	local *localProcs // the processes Local started, if any
	ssh   *sshProcs   // the workers SSH started, if any
	quit  chan struct{}
	wg    sync.WaitGroup
}

// Stats are an executor's counters since it started.
type Stats struct {
	// Workers is the number of workers connected now.
	Workers int
	// Joined and Lost count workers that joined and that left or died.
	Joined, Lost int
	// Tasks counts tasks that finished on a worker (recomputations too).
	Tasks int64
	// Recomputed counts tasks run again because their value was lost with a
	// worker (or because they were running on a worker that died).
	Recomputed int64
	// Stolen counts tasks moved from a busy worker to an idle one before
	// they started.
	Stolen int64
	// Refused counts workers refused at the handshake.
	Refused int
	// Gathered counts the bytes of values fetched from the workers into
	// the client (a run's outputs, Ref.Fetch), as encoded on the wire.
	Gathered int64
}

// WorkerInfo describes one connected worker.
type WorkerInfo struct {
	ID      uint64
	Addr    string // where it serves values
	Host    string
	PID     int
	Threads int
	// MemoryLimit, Held and Spilled are its memory manager's limit and its
	// latest figures (bytes in memory, bytes spilled to disk).
	MemoryLimit, Held, Spilled int64
	SpillFiles                 int64
	// Spills and Loads count the values the worker wrote to its spill
	// files and read back, in total.
	Spills, Loads int64
	// Queued and Running are its latest task counts.
	Queued, Running int64
	// Bandwidth is the measured fetch bandwidth of the worker (bytes/s;
	// 0 before its first fetch).
	Bandwidth float64
	// Fetched and FetchTime are the bytes the worker fetched from its
	// peers and the time its fetches took, in total (as of its latest
	// heartbeat).
	Fetched   int64
	FetchTime time.Duration
}

type wconn struct {
	id        uint64
	addr      string
	host      string
	pid       int
	nthreads  int
	memLimit  int64
	out       *outbox
	kill      chan struct{}
	killOnce  sync.Once
	lastSeen  atomic.Int64
	hb        heartbeat
	bw        float64 // bytes/s, measured
	occ       float64 // seconds of work assigned and not done
	nassigned int     // tasks assigned and not done
	lastSteal time.Time
	roots     int // root tasks assigned and not done
	gone      bool
}

func (w *wconn) drop() { w.killOnce.Do(func() { close(w.kill) }) }

// opStat is what the scheduler measured of one op (by label): durations in
// seconds, in all and of the tasks whose input bytes were known, and those
// bytes, so that a task's expected duration scales with its inputs.
type opStat struct {
	n        int64
	sum      float64
	sized    int64
	sizedSum float64
	bytes    float64
}

// newExecutor starts a scheduler listening at addr.
func newExecutor(addr string, o *options) (*Executor, error) {
	sec := security{token: o.token}
	if o.tlsFiles.CA != "" {
		t, err := o.tlsFiles.config()
		if err != nil {
			return nil, err
		}
		sec.tls = t
	}
	l, err := listen(addr)
	if err != nil {
		return nil, err
	}
	e := &Executor{opt: o, sec: sec, fp: localFingerprint(), lis: l, addr: l.Addr().String(),
		workers: map[uint64]*wconn{}, runs: map[uint64]*runState{}, changed: make(chan struct{}),
		opStats: map[string]*opStat{}, restrict: map[graph.Key]uint64{}, conns: map[string]*grpc.ClientConn{}, idleData: map[string][]*dataConn{}, quit: make(chan struct{}), noneAt: time.Now()}
	e.srv = newServer(sec)
	flight.RegisterFlightServiceServer(e.srv, &schedService{e: e})
	e.wg.Add(2)
	go func() { defer e.wg.Done(); e.srv.Serve(l) }()
	go func() { defer e.wg.Done(); e.monitor() }()
	return e, nil
}

// Addr returns the address workers dial.
func (e *Executor) Addr() string { return e.addr }

// Stats returns the executor's counters.
func (e *Executor) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats
	s.Workers = len(e.workers)
	s.Gathered = e.gathered.Load()
	return s
}

// Workers describes the connected workers, by id.
func (e *Executor) Workers() []WorkerInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []WorkerInfo
	for _, w := range e.workers {
		out = append(out, WorkerInfo{ID: w.id, Addr: w.addr, Host: w.host, PID: w.pid, Threads: w.nthreads,
			MemoryLimit: w.memLimit, Held: w.hb.held, Spilled: w.hb.spilled, SpillFiles: w.hb.files, Spills: w.hb.spills, Loads: w.hb.loads,
			Queued: w.hb.queued, Running: w.hb.active, Bandwidth: w.bw, Fetched: w.hb.fetched, FetchTime: time.Duration(w.hb.fetchNs)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// WaitWorkers waits until at least n workers are connected, ctx ends, or a
// worker is refused (then the refusal is the error).
func (e *Executor) WaitWorkers(ctx context.Context, n int) error {
	for {
		e.mu.Lock()
		have, ch := len(e.workers), e.changed
		var ref error
		if len(e.refusals) > 0 {
			ref = e.refusals[len(e.refusals)-1]
		}
		closed := e.closed
		e.mu.Unlock()
		switch {
		case ref != nil:
			return ref
		case closed:
			return ErrClosed
		case have >= n:
			return nil
		}
		var exited <-chan error
		if e.local != nil {
			exited = e.local.exited
		} else if e.ssh != nil {
			exited = e.ssh.exited
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: waiting for %d workers at %s (%d joined): %w", n, e.addr, have, ctx.Err())
		case err := <-exited:
			return err
		case <-ch:
		}
	}
}

// ErrClosed is returned by runs on a closed executor.
var ErrClosed = errors.New("cluster: executor closed")

// Close stops the workers (Local's processes exit; hand-started workers are
// told to exit), fails the runs still going, and stops the scheduler.
func (e *Executor) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	for _, rs := range e.runs {
		e.failLocked(rs, ErrClosed)
	}
	for _, w := range e.workers {
		w.out.send([]byte{mStop})
	}
	e.notifyLocked()
	e.mu.Unlock()
	if e.local != nil {
		e.local.stop(5 * time.Second)
	}
	if e.ssh != nil {
		e.ssh.stop(5 * time.Second)
	}
	close(e.quit)
	stopped := make(chan struct{})
	go func() { e.srv.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(2 * time.Second):
		e.srv.Stop()
	}
	e.wg.Wait()
	e.mu.Lock()
	for _, cc := range e.conns {
		cc.Close()
	}
	e.conns = map[string]*grpc.ClientConn{}
	for _, ds := range e.idleData {
		for _, d := range ds {
			d.Close()
		}
	}
	e.idleData = nil
	e.mu.Unlock()
	return nil
}

func (e *Executor) notifyLocked() {
	close(e.changed)
	e.changed = make(chan struct{})
}

// monitor drops workers that stopped sending heartbeats and fails runs
// that have had no worker for too long.
func (e *Executor) monitor() {
	t := time.NewTicker(e.opt.heartbeat / 2)
	defer t.Stop()
	for {
		select {
		case <-e.quit:
			return
		case <-t.C:
		}
		now := time.Now()
		e.mu.Lock()
		for _, w := range e.workers {
			if now.Sub(time.Unix(0, w.lastSeen.Load())) > e.opt.silence {
				e.removeWorkerLocked(w, fmt.Sprintf("silent for more than %v", e.opt.silence))
			}
		}
		if len(e.workers) == 0 && len(e.runs) > 0 && now.Sub(e.noneAt) > e.opt.noWorkers {
			for _, rs := range e.runs {
				e.failLocked(rs, fmt.Errorf("cluster: no workers at %s for %v", e.addr, e.opt.noWorkers))
			}
		}
		e.mu.Unlock()
	}
}

// schedService is the scheduler's Flight service: workers open DoExchange.
type schedService struct {
	flight.BaseFlightServer
	e *Executor
}

// DoExchange is one worker's control stream, for its whole life.
func (s *schedService) DoExchange(stream flight.FlightService_DoExchangeServer) error {
	e := s.e
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	who := "unknown peer"
	if p, ok := peer.FromContext(stream.Context()); ok {
		who = p.Addr.String()
	}
	h, err := decodeHello(first.AppMetadata)
	if err == nil && h.version != protocolVersion {
		err = fmt.Errorf("protocol version %d, the scheduler speaks %d", h.version, protocolVersion)
	}
	if err == nil {
		if d := e.fp.diff(h.fp); d != "" {
			err = fmt.Errorf("another binary's ops and codecs: %s", d)
		}
	}
	if err != nil {
		desc := who
		if h != nil {
			desc = fmt.Sprintf("%s (pid %d on %s, serving %s)", who, h.pid, h.host, h.addr)
		}
		ref := fmt.Errorf("cluster: worker %s refused: %v", desc, err)
		e.mu.Lock()
		e.refusals = append(e.refusals, ref)
		e.stats.Refused++
		e.notifyLocked()
		e.mu.Unlock()
		stream.Send(&flight.FlightData{AppMetadata: append([]byte{mRefuse}, ref.Error()...)})
		return ref
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		stream.Send(&flight.FlightData{AppMetadata: []byte{mStop}})
		return ErrClosed
	}
	e.nextID++
	w := &wconn{id: e.nextID, addr: h.addr, host: h.host, pid: h.pid, nthreads: max(1, h.nthreads), memLimit: h.memLimit,
		out: newOutbox(), kill: make(chan struct{})}
	w.lastSeen.Store(time.Now().UnixNano())
	welcome := binary.AppendUvarint([]byte{mWelcome}, w.id)
	welcome = binary.AppendUvarint(welcome, uint64(e.opt.heartbeat/time.Millisecond))
	w.out.send(welcome)
	peers := []byte{mPeers}
	for _, o := range e.workers {
		peers = binary.AppendUvarint(peers, o.id)
		peers = graph.AppendBytes(peers, []byte(o.addr))
		o.out.send(graph.AppendBytes(binary.AppendUvarint([]byte{mPeers}, w.id), []byte(w.addr)))
	}
	peers = binary.AppendUvarint(peers, w.id)
	peers = graph.AppendBytes(peers, []byte(w.addr))
	w.out.send(peers)
	e.workers[w.id] = w
	e.stats.Joined++
	e.notifyLocked()
	for _, rs := range e.runs {
		e.pumpRootsLocked(rs)
	}
	e.mu.Unlock()

	sendDone := make(chan error, 1)
	go func() { sendDone <- e.sender(w, stream) }()
	recvDone := make(chan error, 1)
	go func() {
		for {
			fd, err := stream.Recv()
			if err != nil {
				recvDone <- err
				return
			}
			w.lastSeen.Store(time.Now().UnixNano())
			e.handle(w, fd.AppMetadata)
		}
	}()
	var reason string
	select {
	case err := <-recvDone:
		reason = fmt.Sprintf("connection ended (%v)", err)
		if err == io.EOF {
			reason = "connection closed"
		}
	case err := <-sendDone:
		reason = fmt.Sprintf("send failed (%v)", err)
	case <-w.kill:
		reason = "dropped"
	}
	e.mu.Lock()
	e.removeWorkerLocked(w, reason)
	e.mu.Unlock()
	return nil
}

func (e *Executor) sender(w *wconn, s flight.FlightService_DoExchangeServer) error {
	for {
		select {
		case <-w.kill:
			// Send what is left (a stop message) before the stream ends.
			for _, m := range w.out.take() {
				s.Send(&flight.FlightData{AppMetadata: m})
			}
			return nil
		case <-w.out.sig:
		}
		for _, m := range w.out.take() {
			if err := s.Send(&flight.FlightData{AppMetadata: m}); err != nil {
				return err
			}
		}
	}
}

// handle acts on one message from a worker.
func (e *Executor) handle(w *wconn, m []byte) {
	if len(m) == 0 {
		return
	}
	switch m[0] {
	case mHeartbeat:
		hb, err := decodeHeartbeat(m)
		if err != nil {
			return
		}
		e.mu.Lock()
		w.hb = hb
		if hb.fetchNs > 0 && hb.fetched > 1<<20 {
			w.bw = float64(hb.fetched) / (float64(hb.fetchNs) / 1e9)
		}
		if hb.queued == 0 && hb.active == 0 {
			e.stealLocked(w)
		}
		e.mu.Unlock()
	case mDone:
		e.mu.Lock()
		e.doneLocked(w, graph.NewReader(m[1:]))
		e.mu.Unlock()
	}
}

// removeWorkerLocked forgets a worker that died, left or went silent: its
// running tasks are handed out again and the values only it held are
// recomputed where still needed.
func (e *Executor) removeWorkerLocked(w *wconn, reason string) {
	if w.gone {
		return
	}
	w.gone = true
	w.drop()
	delete(e.workers, w.id)
	e.stats.Lost++
	if len(e.workers) == 0 {
		e.noneAt = time.Now()
	}
	if e.opt.log != nil && !e.closed {
		fmt.Fprintf(e.opt.log, "godask cluster: worker %d (%s, pid %d) removed: %s\n", w.id, w.addr, w.pid, reason)
	}
	for _, o := range e.workers {
		o.out.send(graph.AppendBytes(binary.AppendUvarint([]byte{mPeers}, w.id), nil))
	}
	e.notifyLocked()
	for _, rs := range e.runs {
		rs.workerLost(w)
	}
}

// Run implements sched.Executor. Values with lineage (futures' results,
// see Ref) that the job reads and that were lost with their workers are
// computed again first; a run that fails after such a value was lost while
// it ran is run again once it is recomputed (up to allowedFailures times).
func (e *Executor) Run(ctx context.Context, job *sched.Job) ([]any, error) {
	for try := 1; ; try++ {
		if _, err := e.recomputeLost(ctx, job.Graph); err != nil {
			return nil, err
		}
		vals, err := e.run(ctx, job)
		if err == nil || ctx.Err() != nil || try == allowedFailures {
			return vals, err
		}
		if again, rerr := e.recomputeLost(ctx, job.Graph); rerr != nil || !again {
			return vals, err
		}
	}
}

func (e *Executor) run(ctx context.Context, job *sched.Job) ([]any, error) {
	rs, err := e.newRun(job)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, ErrClosed
	}
	e.nextRun++
	rs.id = e.nextRun
	e.runs[rs.id] = rs
	rs.keep = ctx.Value(keepKey{}) != nil
	rs.lineage = ctx.Value(keepKey{}) == keepLineage
	if len(e.workers) == 0 {
		e.noneAt = time.Now()
	}
	rs.start()
	e.mu.Unlock()
	go rs.gatherer()
	select {
	case <-rs.done:
	case <-ctx.Done():
		e.mu.Lock()
		e.failLocked(rs, ctx.Err())
		e.mu.Unlock()
		<-rs.done
	}
	if rs.err != nil {
		return nil, rs.err
	}
	return rs.results, nil
}

// Restrict makes the task with key k run only on the worker with the given
// id (see Workers), in every later run, as long as that worker is alive
// (dask's workers= restriction). Unrestrict lifts it.
func (e *Executor) Restrict(k graph.Key, worker uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.restrict[k] = worker
}

// Unrestrict lifts the restrictions of keys.
func (e *Executor) Unrestrict(keys ...graph.Key) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, k := range keys {
		delete(e.restrict, k)
	}
}

// conn returns the client connection to a worker's value service.
func (e *Executor) conn(addr string) (*grpc.ClientConn, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cc, ok := e.conns[addr]; ok {
		return cc, nil
	}
	cc, err := dial(addr, e.sec)
	if err != nil {
		return nil, err
	}
	e.conns[addr] = cc
	return cc, nil
}

// stealLocked moves tasks that have not started from the busiest worker to
// the idle worker w: work stealing near the end of a run, when there are
// fewer tasks than threads left to hand out.
func (e *Executor) stealLocked(w *wconn) {
	if w.gone || e.opt.noSteal {
		return
	}
	for _, rs := range e.runs {
		if rs.finished {
			continue
		}
		rs.steal(w)
	}
}

// failLocked ends a run with err.
func (e *Executor) failLocked(rs *runState, err error) {
	if rs.finished {
		return
	}
	rs.err = err
	rs.finish()
}
