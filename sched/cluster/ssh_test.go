//go:build linux

package cluster_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	mrand "math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/cluster"
)

// sshTarget is an sshd to log in to: its address, a client key and a
// known_hosts file holding its host key.
type sshTarget struct {
	addr, user, key, knownHosts, dir string
}

var (
	sshdOnce   sync.Once
	sshdT      sshTarget
	sshdSkip   string
	sshdErr    error
	sshdCancel func()
)

// startSSHD returns the sshd the SSH tests log in to: a private one on a
// free loopback port (started once, as root, with Debian's openssh-server,
// which .ci/run installs; a generated host key and client key), or
// GODASK_SSH_TEST=user@host:port with GODASK_SSH_TEST_KEY and
// GODASK_SSH_TEST_KNOWN_HOSTS naming one's own. Without either the test is
// skipped with the reason.
func startSSHD(t *testing.T) sshTarget {
	t.Helper()
	sshdOnce.Do(func() { sshdT, sshdSkip, sshdErr = launchSSHD() })
	if sshdSkip != "" {
		t.Skip(sshdSkip)
	}
	if sshdErr != nil {
		t.Fatal(sshdErr)
	}
	return sshdT
}

// stopSSHD stops the private sshd (TestMain calls it at the end).
func stopSSHD() {
	if sshdCancel != nil {
		sshdCancel()
	}
}

func launchSSHD() (sshTarget, string, error) {
	dir, err := os.MkdirTemp("", "godask-sshd-")
	if err != nil {
		return sshTarget{}, "", err
	}
	if a := os.Getenv("GODASK_SSH_TEST"); a != "" {
		sshdCancel = func() { os.RemoveAll(dir) }
		i := strings.LastIndex(a, "@")
		if i < 0 {
			return sshTarget{}, "", fmt.Errorf("GODASK_SSH_TEST=%q: want user@host:port", a)
		}
		return sshTarget{addr: a[i+1:], user: a[:i], key: os.Getenv("GODASK_SSH_TEST_KEY"), knownHosts: os.Getenv("GODASK_SSH_TEST_KNOWN_HOSTS"), dir: dir}, "", nil
	}
	sshd := "/usr/sbin/sshd"
	fail := func(skip string, err error) (sshTarget, string, error) {
		os.RemoveAll(dir)
		return sshTarget{}, skip, err
	}
	if _, err := os.Stat(sshd); err != nil {
		return fail("SKIPPED: no sshd reachable: /usr/sbin/sshd is missing (apt-get install openssh-server; .ci/run installs it) and GODASK_SSH_TEST is not set", nil)
	}
	if os.Geteuid() != 0 {
		return fail("SKIPPED: no sshd reachable: a private sshd needs root here, and GODASK_SSH_TEST (user@host:port, with GODASK_SSH_TEST_KEY and GODASK_SSH_TEST_KNOWN_HOSTS) is not set", nil)
	}
	os.MkdirAll("/run/sshd", 0o755) // sshd's privilege separation directory
	write := func(name string, b []byte) {
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name), b, 0o600)
		}
	}
	newKey := func(name string) ssh.PublicKey {
		pub, priv, kerr := ed25519.GenerateKey(rand.Reader)
		blk, merr := ssh.MarshalPrivateKey(priv, "godask test")
		sp, perr := ssh.NewPublicKey(pub)
		if err = errors.Join(err, kerr, merr, perr); err != nil {
			return nil
		}
		write(name, pem.EncodeToMemory(blk))
		return sp
	}
	hostPub := newKey("host_key")
	clientPub := newKey("client_key")
	if err != nil {
		return fail("", err)
	}
	write("authorized_keys", ssh.MarshalAuthorizedKey(clientPub))
	l, lerr := net.Listen("tcp", "127.0.0.1:0")
	if lerr != nil {
		return fail("", lerr)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	write("known_hosts", []byte(knownhosts.Line([]string{addr}, hostPub)+"\n"))
	write("sshd_config", []byte(fmt.Sprintf(`Port %s
ListenAddress 127.0.0.1
HostKey %s/host_key
PidFile %s/sshd.pid
AuthorizedKeysFile %s/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
MaxSessions 50
MaxStartups 50
`, port, dir, dir, dir)))
	if err != nil {
		return fail("", err)
	}
	cmd := exec.Command(sshd, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fail(fmt.Sprintf("SKIPPED: no sshd reachable: start %s: %v", sshd, err), nil)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	sshdCancel = func() { cmd.Process.Kill(); <-exited; os.RemoveAll(dir) }
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-exited:
			return fail("", fmt.Errorf("sshd exited at start: %s", out.String()))
		default:
		}
		if time.Now().After(deadline) {
			sshdCancel()
			return sshTarget{}, "", fmt.Errorf("sshd did not listen on %s: %s", addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return sshTarget{addr: addr, user: "root", key: filepath.Join(dir, "client_key"), knownHosts: filepath.Join(dir, "known_hosts"), dir: dir}, "", nil
}

func (s sshTarget) config(workers int) cluster.SSHConfig {
	return cluster.SSHConfig{User: s.user, KeyFiles: []string{s.key}, KnownHosts: s.knownHosts,
		WorkersPerHost: workers, RemoteDir: filepath.Join(s.dir, "remote")}
}

func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b)[strings.LastIndex(string(b), ")")+1:])
	return len(f) > 0 && f[0] != "Z"
}

func waitGone(t *testing.T, pids []int, d time.Duration, what string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for _, pid := range pids {
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: worker pid %d still running after %v", what, pid, d)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// TestSSHLauncher starts two workers through a real sshd on localhost:
// the binary is copied once (a second start reuses it), random graphs give
// the sequential answers, and Close stops the worker processes.
func TestSSHLauncher(t *testing.T) {
	s := startSSHD(t)
	cfg := s.config(2)
	c, err := cluster.SSH([]string{s.user + "@" + s.addr}, cfg, cluster.WithThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ws := c.Workers()
	if len(ws) != 2 {
		t.Fatalf("%d workers joined, want 2", len(ws))
	}
	bins, _ := filepath.Glob(filepath.Join(cfg.RemoteDir, "*", "*"))
	if len(bins) != 1 {
		t.Fatalf("remote dir holds %v, want the one copied binary", bins)
	}
	exe, _ := os.Executable()
	bi, _ := os.Stat(bins[0])
	ei, _ := os.Stat(exe)
	if bi.Size() != ei.Size() || bi.Mode().Perm() != 0o700 {
		t.Fatalf("copied binary %s: %d bytes mode %v, want %d bytes mode 0700", bins[0], bi.Size(), bi.Mode().Perm(), ei.Size())
	}
	rng := mrand.New(mrand.NewSource(16))
	for round := 0; round < 5; round++ {
		g, outs := randomGraph(t, rng, 20+rng.Intn(100))
		got, err := sched.Run(context.Background(), g, outs, sched.WithExecutor(c))
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		memo := map[graph.Key]int64{}
		for j, k := range outs {
			if want := reference(g, k, memo); got[j] != want {
				t.Fatalf("round %d: output %s = %v, want %d", round, k, got[j], want)
			}
		}
	}
	var pids []int
	for _, w := range ws {
		pids = append(pids, w.PID)
		if !alive(w.PID) {
			t.Fatalf("worker pid %d is not a process here", w.PID)
		}
	}
	c.Close()
	waitGone(t, pids, 10*time.Second, "after Close")

	// A second start, with mutual TLS, finds the binary on the host and
	// copies nothing; the launcher issues the worker's certificate and
	// hands it over on standard input with the token: nothing secret is
	// written on the host.
	mt := bi.ModTime()
	ca, err := cluster.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	cfg.WorkersPerHost = 1
	c2, err := cluster.SSH([]string{s.addr}, cfg, cluster.WithTLS(ca))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if bi2, _ := os.Stat(bins[0]); !bi2.ModTime().Equal(mt) {
		t.Fatalf("the binary was copied again (mtime %v, then %v)", mt, bi2.ModTime())
	}
	got, err := sched.Run(context.Background(), graphOf(t, 41), []graph.Key{lastKey}, sched.WithExecutor(c2))
	if err != nil || got[0] != int64(41) {
		t.Fatalf("second cluster (TLS): %v, %v", got, err)
	}
	if files, _ := filepath.Glob(filepath.Join(cfg.RemoteDir, "*", "*")); len(files) != 1 {
		t.Fatalf("files on the host: %v, want only the binary", files)
	}
	// The client dies: its SSH connections drop, and the workers exit at
	// once (their standard input closes), not after the death timeout.
	pids = pids[:0]
	for _, w := range c2.Workers() {
		pids = append(pids, w.PID)
	}
	cluster.DropSSHConnections(c2)
	waitGone(t, pids, 10*time.Second, "after the SSH connection dropped")
}

var lastKey graph.Key

// graphOf is one lit task (its key in lastKey).
func graphOf(t *testing.T, v int64) *graph.Graph {
	g := &graph.Graph{}
	tk := task(t, litOp(v))
	g.Add(tk)
	lastKey = tk.Key
	return g
}

// TestSSHRefusals: a host key not in known_hosts, a key the host does not
// accept, and a scheduler on loopback for a host that is not: each a clear
// error naming the host, nothing left running.
func TestSSHRefusals(t *testing.T) {
	s := startSSHD(t)
	other := filepath.Join(s.dir, "other_known_hosts")
	os.WriteFile(other, nil, 0o600)
	cfg := s.config(1)
	cfg.KnownHosts = other
	_, err := cluster.SSH([]string{s.addr}, cfg)
	if err == nil || !strings.Contains(err.Error(), s.addr) || !strings.Contains(err.Error(), "key is unknown") {
		t.Fatalf("unknown host key: got %v", err)
	}
	// A client key the host does not know.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	blk, _ := ssh.MarshalPrivateKey(priv, "stranger")
	stranger := filepath.Join(s.dir, "stranger")
	os.WriteFile(stranger, pem.EncodeToMemory(blk), 0o600)
	cfg = s.config(1)
	cfg.KeyFiles = []string{stranger}
	_, err = cluster.SSH([]string{s.addr}, cfg)
	if err == nil || !strings.Contains(err.Error(), "log in to "+s.addr) || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("unknown client key: got %v", err)
	}
	if _, err := cluster.SSH(nil, cfg); err == nil {
		t.Fatal("no hosts: no error")
	}
	cfg = s.config(1)
	cfg.KeyFiles = []string{filepath.Join(s.dir, "missing_key")}
	if _, err := cluster.SSH([]string{s.addr}, cfg); err == nil || !strings.Contains(err.Error(), "missing_key") {
		t.Fatalf("missing key file: got %v", err)
	}
}

// ExampleSSH starts four workers on each of two machines over SSH (the
// user's keys, agent and known_hosts), with mutual TLS, and runs a
// program's computations there; Close stops the workers.
func ExampleSSH() {
	ca, err := cluster.NewCA()
	if err != nil {
		panic(err)
	}
	c, err := cluster.SSH([]string{"alice@node1", "node2:2222"}, cluster.SSHConfig{WorkersPerHost: 4},
		cluster.WithListen("0.0.0.0:7000"), cluster.WithTLS(ca), cluster.WithThreads(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	sched.SetDefault(c) // every Compute now runs on node1 and node2
}
