//go:build linux

package cluster_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

// netLab is a small network of namespaces: a switch namespace holding a
// bridge, and veth pairs joining it to this (root) namespace and to one
// namespace per worker host, all on one /24.
type netLab struct {
	t      *testing.T
	tag    string
	subnet string // "10.213.N"
	sw     string // the switch namespace
	hosts  []string
	links  []string // each host's link's name on the switch side
}

func (l *netLab) ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (l *netLab) must(args ...string) {
	l.t.Helper()
	if err := l.ip(args...); err != nil {
		l.t.Fatal(err)
	}
}

// newNetLab builds the network for n hosts, or skips the test saying why.
func newNetLab(t *testing.T, n int) *netLab {
	if os.Geteuid() != 0 {
		t.Skip("SKIPPED: network namespaces (ip netns, veth) need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("SKIPPED: no ip command (iproute2) for network namespaces")
	}
	pid := os.Getpid()
	l := &netLab{t: t, tag: fmt.Sprintf("%d", pid%100000), subnet: fmt.Sprintf("10.213.%d", pid%250+1)}
	l.sw = "gdsw" + l.tag
	if err := l.ip("netns", "add", l.sw); err != nil {
		t.Skipf("SKIPPED: cannot create a network namespace here (%v)", err)
	}
	t.Cleanup(l.close)
	l.must("-n", l.sw, "link", "add", "br0", "type", "bridge")
	l.must("-n", l.sw, "link", "set", "br0", "up")
	// This namespace (the scheduler's) is .1.
	l.must("link", "add", "gdr"+l.tag, "type", "veth", "peer", "name", "gdrs"+l.tag)
	l.must("link", "set", "gdrs"+l.tag, "netns", l.sw)
	l.must("-n", l.sw, "link", "set", "gdrs"+l.tag, "master", "br0", "up")
	l.must("addr", "add", l.subnet+".1/24", "dev", "gdr"+l.tag)
	l.must("link", "set", "gdr"+l.tag, "up")
	for i := 0; i < n; i++ {
		h := fmt.Sprintf("gdh%d_%s", i, l.tag)
		l.must("netns", "add", h)
		l.hosts = append(l.hosts, h)
		in, out := fmt.Sprintf("gd%dh%s", i, l.tag), fmt.Sprintf("gd%ds%s", i, l.tag)
		l.must("link", "add", in, "type", "veth", "peer", "name", out)
		l.must("link", "set", in, "netns", h)
		l.must("link", "set", out, "netns", l.sw)
		l.must("-n", l.sw, "link", "set", out, "master", "br0", "up")
		l.must("-n", h, "addr", "add", fmt.Sprintf("%s.%d/24", l.subnet, i+2), "dev", in)
		l.must("-n", h, "link", "set", in, "up")
		l.must("-n", h, "link", "set", "lo", "up")
		l.links = append(l.links, out)
	}
	return l
}

// hostIP is host i's address.
func (l *netLab) hostIP(i int) string { return fmt.Sprintf("%s.%d", l.subnet, i+2) }

// cut takes host i's link to the switch down.
func (l *netLab) cut(i int) error { return l.ip("-n", l.sw, "link", "set", l.links[i], "down") }

func (l *netLab) close() {
	for _, h := range l.hosts {
		l.ip("netns", "del", h)
	}
	l.ip("netns", "del", l.sw)
	l.ip("link", "del", "gdr"+l.tag) // gone with its peer already, normally
}

// TestNetworkNamespaces runs two workers on separate "hosts" (network
// namespaces joined by veth pairs through a bridge, the scheduler in this
// namespace), takes one host's link down in the middle of a run, and
// checks that the run finishes with the sequential answer: the cut-off
// worker is dropped after the heartbeat silence, and what it held is
// recomputed on the other.
func TestNetworkNamespaces(t *testing.T) {
	lab := newNetLab(t, 2)
	token := cluster.NewToken()
	c, err := cluster.Connect(lab.subnet+".1:0", cluster.WithToken(token), cluster.WithMinWorkers(0),
		cluster.WithHeartbeat(100*time.Millisecond, 1500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	exe, _ := os.Executable()
	var procs []*exec.Cmd
	var outs []*strings.Builder
	var wg sync.WaitGroup
	for i := range lab.hosts {
		cmd := exec.Command("ip", "netns", "exec", lab.hosts[i], exe, "worker", "--scheduler="+c.Addr(),
			"--listen="+lab.hostIP(i)+":0", "--nthreads=2", "--fetch-idle=2s", "--death-timeout=3s", "--heartbeat=100ms")
		cmd.Env = append(os.Environ(), cluster.EnvToken+"="+token)
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs, outs = append(procs, cmd), append(outs, out)
		wg.Add(1)
		go func() { defer wg.Done(); cmd.Wait() }()
	}
	defer func() {
		for _, p := range procs {
			p.Process.Kill()
		}
		wg.Wait()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.WaitWorkers(ctx, 2); err != nil {
		t.Fatalf("%v\nworker 0: %s\nworker 1: %s", err, outs[0], outs[1])
	}
	for _, w := range c.Workers() {
		if !strings.HasPrefix(w.Addr, lab.subnet+".") {
			t.Fatalf("worker %d serves at %s, not on the lab's network", w.ID, w.Addr)
		}
	}

	// Layers of sleeping sums, each reading three values of the layer
	// before: most inputs move between the hosts.
	rng := rand.New(rand.NewSource(5))
	g := &graph.Graph{}
	var prev []graph.Key
	for i := 0; i < 24; i++ {
		tk := task(t, litOp(rng.Int63n(1000)))
		g.Add(tk)
		prev = append(prev, tk.Key)
	}
	for layer := 0; layer < 6; layer++ {
		var cur []graph.Key
		for i := 0; i < 24; i++ {
			tk := task(t, sumOp{salt: int64(layer*100 + i), sleep: 15 * time.Millisecond}, prev[rng.Intn(24)], prev[rng.Intn(24)], prev[rng.Intn(24)])
			if g.Add(tk) {
				cur = append(cur, tk.Key)
			}
		}
		prev = cur
	}
	outKeys := prev
	var finished atomic.Int64
	var cutErr error
	cutDone := make(chan struct{})
	total := int64(g.Len())
	obs := sched.WithObserver(sched.ObserverFunc(func(e sched.Event) {
		if e.Kind == sched.TaskFinished && finished.Add(1) == total/3 {
			go func() { cutErr = lab.cut(1); close(cutDone) }() // not under the scheduler's lock
		}
	}))
	rctx, rcancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer rcancel()
	got, err := sched.Run(rctx, g, outKeys, sched.WithExecutor(c), obs)
	<-cutDone
	if cutErr != nil {
		t.Fatal(cutErr)
	}
	if err != nil {
		t.Fatalf("run with a link cut: %v", err)
	}
	memo := map[graph.Key]int64{}
	for j, k := range outKeys {
		if want := reference(g, k, memo); got[j] != want {
			t.Fatalf("output %s = %v, want %d", k, got[j], want)
		}
	}
	st := c.Stats()
	if st.Lost < 1 {
		t.Fatalf("the cut-off worker was not dropped: %+v", st)
	}
	t.Logf("link cut after %d of %d tasks: %d worker lost, %d tasks recomputed", total/3, total, st.Lost, st.Recomputed)
}
