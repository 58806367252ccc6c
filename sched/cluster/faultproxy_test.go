package cluster_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

// faultProxy is a TCP proxy in front of one worker's value service: it
// passes bytes, stalls them (connections stay open, nothing moves), or
// resets every connection (RST), and needs no root.
type faultProxy struct {
	l      net.Listener
	target string
	mode   atomic.Int32 // 0 pass, 1 stall, 2 reset
	resets atomic.Int64
	// cutAt, when positive, resets every connection once a connection
	// has carried that many bytes from the target (mid-stream), once.
	cutAt  atomic.Int64
	mu     sync.Mutex
	conns  []*net.TCPConn
	closed atomic.Bool
	wg     sync.WaitGroup
}

const (
	pass int32 = iota
	stall
	reset
)

func newFaultProxy(t *testing.T, target string) *faultProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{l: l, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *faultProxy) addr() string { return p.l.Addr().String() }

func (p *faultProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		in := c.(*net.TCPConn)
		if p.mode.Load() == reset {
			p.rst(in)
			continue
		}
		o, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		out := o.(*net.TCPConn)
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(out, in, false)
		go p.pipe(in, out, true)
	}
}

func (p *faultProxy) rst(c *net.TCPConn) {
	c.SetLinger(0)
	c.Close()
	p.resets.Add(1)
}

func (p *faultProxy) pipe(dst, src *net.TCPConn, fromTarget bool) {
	defer p.wg.Done()
	defer dst.Close()
	buf := make([]byte, 64<<10)
	var carried int64
	for {
		if cut := p.cutAt.Load(); fromTarget && cut > 0 && carried >= cut && p.cutAt.CompareAndSwap(cut, 0) {
			p.set(reset)
			p.set(pass)
			return
		}
		for p.mode.Load() == stall && !p.closed.Load() {
			time.Sleep(5 * time.Millisecond)
		}
		n, err := src.Read(buf)
		if n > 0 {
			for p.mode.Load() == stall && !p.closed.Load() {
				time.Sleep(5 * time.Millisecond)
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
			carried += int64(n)
		}
		if err != nil {
			if err != io.EOF {
				src.Close()
			}
			return
		}
	}
}

// set changes the mode; reset also resets every open connection.
func (p *faultProxy) set(m int32) {
	p.mode.Store(m)
	if m == reset {
		p.mu.Lock()
		for _, c := range p.conns {
			p.rst(c)
		}
		p.conns = nil
		p.mu.Unlock()
	}
}

func (p *faultProxy) close() {
	p.closed.Store(true)
	p.l.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// TestFaultProxyBetweenWorkers puts a proxy between worker 1 and worker 0's
// value service; resets and stalls of the link delay the fetch, which is
// retried, and the answer is right.
func TestFaultProxyBetweenWorkers(t *testing.T) {
	w0 := freeAddr(t)
	p := newFaultProxy(t, w0)
	c, err := cluster.Local(2, cluster.WithThreads(1), cluster.WithWorkerArgs("--fetch-idle=600ms"),
		cluster.WithSlotArgs(func(slot int) []string {
			if slot == 0 {
				return []string{"--listen=" + w0, "--advertise=" + p.addr()}
			}
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var via, direct uint64
	for _, w := range c.Workers() {
		if w.Addr == p.addr() {
			via = w.ID
		} else {
			direct = w.ID
		}
	}
	if via == 0 || direct == 0 {
		t.Fatalf("workers %+v: want one behind the proxy %s", c.Workers(), p.addr())
	}
	for round, tc := range []struct {
		mode int32
		hold time.Duration
	}{{reset, 400 * time.Millisecond}, {stall, 1500 * time.Millisecond}, {pass, 0}} {
		n := 1<<18 + round
		a := task(t, floatsOp{n: n, scale: 1})
		s := task(t, fsumOp{}, a.Key)
		c.Restrict(a.Key, via)
		c.Restrict(s.Key, direct)
		p.set(tc.mode)
		if tc.hold > 0 {
			time.AfterFunc(tc.hold, func() { p.set(pass) })
		}
		start := time.Now()
		got, err := sched.Run(context.Background(), graph.New(a, s), []graph.Key{s.Key}, sched.WithExecutor(c), sched.WithoutFusion())
		took := time.Since(start)
		c.Unrestrict(a.Key, s.Key)
		if err != nil {
			t.Fatalf("mode %d: %v", tc.mode, err)
		}
		fn := float64(n)
		if want := fn * (fn - 1) / 2; got[0] != want {
			t.Fatalf("mode %d: sum %v, want %v", tc.mode, got[0], want)
		}
		if tc.hold > 0 && took < tc.hold {
			t.Fatalf("mode %d: the run took %v, less than the fault lasted (%v): did the value go through the proxy? resets %d, stats %+v", tc.mode, took, tc.hold, p.resets.Load(), c.Stats())
		}
		t.Logf("%s: right answer in %v (resets so far %d)", []string{"pass", "stall", "reset"}[tc.mode], took.Round(time.Millisecond), p.resets.Load())
	}
	if p.resets.Load() == 0 {
		t.Fatal("the proxy reset no connection")
	}
	_ = fmt.Sprint
}

// TestFaultProxyResetMidStream resets the link between two workers while a
// 48 MiB value is on its way (after 8 MiB of it): the fetch fails as cut
// short, is tried again over a new connection, and the answer is right.
func TestFaultProxyResetMidStream(t *testing.T) {
	w0 := freeAddr(t)
	p := newFaultProxy(t, w0)
	c, err := cluster.Local(2, cluster.WithThreads(1), cluster.WithWorkerArgs("--fetch-idle=5s"),
		cluster.WithSlotArgs(func(slot int) []string {
			if slot == 0 {
				return []string{"--listen=" + w0, "--advertise=" + p.addr()}
			}
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var via, direct uint64
	for _, w := range c.Workers() {
		if w.Addr == p.addr() {
			via = w.ID
		} else {
			direct = w.ID
		}
	}
	if via == 0 || direct == 0 {
		t.Fatalf("workers %+v: want one behind the proxy %s", c.Workers(), p.addr())
	}
	n := 6 << 20 // 48 MiB of float64
	a := task(t, floatsOp{n: n, scale: 1})
	s := task(t, fsumOp{}, a.Key)
	c.Restrict(a.Key, via)
	c.Restrict(s.Key, direct)
	defer c.Unrestrict(a.Key, s.Key)
	p.cutAt.Store(8 << 20)
	got, err := sched.Run(context.Background(), graph.New(a, s), []graph.Key{s.Key}, sched.WithExecutor(c), sched.WithoutFusion())
	if err != nil {
		t.Fatal(err)
	}
	fn := float64(n)
	if want := fn * (fn - 1) / 2; got[0] != want {
		t.Fatalf("sum %v, want %v", got[0], want)
	}
	if p.cutAt.Load() != 0 || p.resets.Load() == 0 {
		t.Fatalf("the proxy did not reset the link mid-stream (resets %d)", p.resets.Load())
	}
	t.Logf("right answer after %d resets mid-stream; stats %+v", p.resets.Load(), c.Stats())
}
