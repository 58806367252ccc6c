package cluster

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// SSHConfig says how SSH reaches the hosts of SSH and what it starts there.
// The zero value uses the user's name, keys, agent and known_hosts file, as
// the ssh command does.
type SSHConfig struct {
	// User is the login of hosts given without "user@" (default: $USER,
	// else the current user's name).
	User string
	// KeyFiles are private key files to log in with (default: those of
	// ~/.ssh/id_ed25519, id_ecdsa and id_rsa that exist). An agent at
	// $SSH_AUTH_SOCK is asked too. Passphrase-protected keys need the agent.
	KeyFiles []string
	// Auth, when set, replaces KeyFiles and the agent.
	Auth []ssh.AuthMethod
	// KnownHosts is the known_hosts file host keys are checked against
	// (default ~/.ssh/known_hosts); a host whose key is not in it is
	// refused.
	KnownHosts string
	// HostKeyCallback, when set, replaces KnownHosts.
	HostKeyCallback ssh.HostKeyCallback
	// WorkersPerHost is how many worker processes each host runs (default 1).
	WorkersPerHost int
	// Binary is the worker program copied to the hosts (default: the
	// running binary, which must call Main at the top of main). It must be
	// built for the hosts' system and architecture (checked) and register
	// the client's ops and codecs (the handshake checks).
	Binary string
	// RemoteDir is where each host keeps the binary, one copy per content
	// hash, so that starting again copies nothing (default .cache/godask
	// under the login's home directory).
	RemoteDir string
	// Scheduler is the address the workers dial (default: the scheduler's
	// listen address; an unspecified host such as 0.0.0.0 is replaced, for
	// each host, by this machine's address on the SSH connection to it).
	Scheduler string
	// DialTimeout bounds each SSH connection and handshake (default 10 s).
	DialTimeout time.Duration
}

// SSH starts a cluster on other machines: it logs in to each host
// ("host", "host:port" or "user@host:port") over SSH, copies the worker
// binary there unless the host already has it, and starts
// WorkersPerHost workers on each, which dial this process's scheduler.
// The cluster token (and, with WithTLS, each worker's certificate and key)
// reaches a worker on its standard input, never on the remote disk or
// command line. Close stops the workers and ends the sessions; a worker
// whose session ends (the client exited or lost the connection) exits at
// once.
//
// The scheduler listens where WithListen says (default loopback, which only
// suits workers on this machine: for other hosts use e.g.
// WithListen("0.0.0.0:7000")). Workers on a host reached at a loopback
// address listen on loopback; others listen on every interface and
// advertise the address SSH reached them at (override with
// WithWorkerArgs("--listen=...", "--advertise=...")). WithThreads,
// WithMemoryLimit, WithSpillDir, WithHeartbeat, WithDeathTimeout and
// WithLog apply as for Local; workers that die are not restarted (their
// values are recomputed elsewhere).
func SSH(hosts []string, cfg SSHConfig, opts ...Option) (*Executor, error) {
	if len(hosts) == 0 {
		return nil, errors.New("cluster.SSH: no hosts")
	}
	o := defaults()
	for _, f := range opts {
		f(o)
	}
	if err := o.resolveToken(false); err != nil {
		return nil, err
	}
	if cfg.WorkersPerHost <= 0 {
		cfg.WorkersPerHost = 1
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 10 * time.Second
	}
	if cfg.RemoteDir == "" {
		cfg.RemoteDir = ".cache/godask"
	}
	if cfg.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("cluster.SSH: find this binary: %w", err)
		}
		cfg.Binary = exe
	}
	bin, err := newSSHBinary(cfg.Binary)
	if err != nil {
		return nil, err
	}
	conf, err := cfg.clientConfig()
	if err != nil {
		return nil, err
	}

	sp := &sshProcs{o: o, exited: make(chan error, len(hosts)*cfg.WorkersPerHost)}
	// Log in to every host and copy the binary, all hosts at once.
	sp.hosts = make([]*sshHost, len(hosts))
	errs := make([]error, len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Add(1)
		go func(i int, h string) {
			defer wg.Done()
			sp.hosts[i], errs[i] = dialSSHHost(h, cfg, conf, bin)
		}(i, h)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		sp.closeClients()
		return nil, err
	}

	var tmp string
	if o.ca != nil && o.tlsFiles.CA == "" {
		if tmp, err = os.MkdirTemp("", "godask-cluster-tls-"); err != nil {
			sp.closeClients()
			return nil, fmt.Errorf("cluster.SSH: %w", err)
		}
		var names []string // the scheduler's addresses as the hosts see it
		for _, h := range sp.hosts {
			names = append(names, h.localIP)
		}
		if host, _, err := net.SplitHostPort(cfg.Scheduler); err == nil {
			names = append(names, host)
		}
		if o.tlsFiles, err = o.ca.WriteFiles(tmp, names...); err != nil {
			os.RemoveAll(tmp)
			sp.closeClients()
			return nil, err
		}
	}
	e, err := newExecutor(o.listen, o)
	if tmp != "" {
		os.RemoveAll(tmp) // the configuration is loaded
	}
	if err != nil {
		sp.closeClients()
		return nil, err
	}
	e.ssh = sp
	for _, h := range sp.hosts {
		sched, err := h.schedulerAddr(e.addr, cfg.Scheduler)
		if err != nil {
			e.Close()
			return nil, err
		}
		for j := 0; j < cfg.WorkersPerHost; j++ {
			if err := sp.start(h, j, sched); err != nil {
				e.Close()
				return nil, err
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.join)
	defer cancel()
	if err := e.WaitWorkers(ctx, len(hosts)*cfg.WorkersPerHost); err != nil {
		e.Close()
		return nil, fmt.Errorf("cluster.SSH(%s): %w", strings.Join(hosts, ", "), err)
	}
	return e, nil
}

func (cfg *SSHConfig) clientConfig() (*ssh.ClientConfig, error) {
	home, _ := os.UserHomeDir()
	if cfg.User == "" {
		cfg.User = os.Getenv("USER")
		if cfg.User == "" {
			if u, err := user.Current(); err == nil {
				cfg.User = u.Username
			}
		}
	}
	hk := cfg.HostKeyCallback
	if hk == nil {
		kh := cfg.KnownHosts
		if kh == "" {
			kh = filepath.Join(home, ".ssh", "known_hosts")
		}
		cb, err := knownhosts.New(kh)
		if err != nil {
			return nil, fmt.Errorf("cluster.SSH: read known hosts %s (host keys are checked; set SSHConfig.KnownHosts or HostKeyCallback): %w", kh, err)
		}
		hk = cb
	}
	auth := cfg.Auth
	if auth == nil {
		files := cfg.KeyFiles
		if files == nil {
			for _, n := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
				if p := filepath.Join(home, ".ssh", n); fileExists(p) {
					files = append(files, p)
				}
			}
		}
		var signers []ssh.Signer
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("cluster.SSH: read key file: %w", err)
			}
			s, err := ssh.ParsePrivateKey(b)
			var pp *ssh.PassphraseMissingError
			if errors.As(err, &pp) {
				if len(cfg.KeyFiles) > 0 {
					return nil, fmt.Errorf("cluster.SSH: key file %s is protected by a passphrase: load it into an agent ($SSH_AUTH_SOCK) or pass SSHConfig.Auth", f)
				}
				continue // a default key: the agent may hold it
			}
			if err != nil {
				return nil, fmt.Errorf("cluster.SSH: key file %s: %w", f, err)
			}
			signers = append(signers, s)
		}
		if len(signers) > 0 {
			auth = append(auth, ssh.PublicKeys(signers...))
		}
		if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
			if c, err := net.Dial("unix", sock); err == nil {
				auth = append(auth, ssh.PublicKeysCallback(agent.NewClient(c).Signers))
			}
		}
		if len(auth) == 0 {
			return nil, errors.New("cluster.SSH: no way to log in: no key files (SSHConfig.KeyFiles, ~/.ssh/id_*), no agent ($SSH_AUTH_SOCK), no SSHConfig.Auth")
		}
	}
	return &ssh.ClientConfig{User: cfg.User, Auth: auth, HostKeyCallback: hk, Timeout: cfg.DialTimeout}, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// sshBinary is the worker program to copy: its path and content hash.
type sshBinary struct {
	path, name, hash string
	size             int64
}

func newSSHBinary(p string) (*sshBinary, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("cluster.SSH: the worker binary: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return nil, fmt.Errorf("cluster.SSH: hash the worker binary %s: %w", p, err)
	}
	return &sshBinary{path: p, name: filepath.Base(p), hash: hex.EncodeToString(h.Sum(nil))[:16], size: n}, nil
}

// sshHost is one logged-in host.
type sshHost struct {
	name     string // as given
	addr     string // host:port dialed
	client   *ssh.Client
	remoteIP string // the host's address on the connection
	localIP  string // this machine's address on the connection
	bin      string // the binary's path on the host
}

func dialSSHHost(spec string, cfg SSHConfig, conf *ssh.ClientConfig, bin *sshBinary) (*sshHost, error) {
	c := *conf
	hostport := spec
	if i := strings.LastIndex(spec, "@"); i >= 0 {
		c.User, hostport = spec[:i], spec[i+1:]
	}
	if _, _, err := net.SplitHostPort(hostport); err != nil {
		hostport = net.JoinHostPort(strings.Trim(hostport, "[]"), "22")
	}
	h := &sshHost{name: spec, addr: hostport}
	client, err := ssh.Dial("tcp", hostport, &c)
	if err != nil {
		return nil, fmt.Errorf("cluster.SSH: log in to %s as %s: %w", hostport, c.User, err)
	}
	h.client = client
	h.remoteIP = addrIP(client.RemoteAddr())
	h.localIP = addrIP(client.LocalAddr())
	h.bin = path.Join(cfg.RemoteDir, bin.hash, bin.name)
	if err := h.install(bin); err != nil {
		client.Close()
		return nil, err
	}
	return h, nil
}

func addrIP(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.IP.String()
	}
	host, _, _ := net.SplitHostPort(a.String())
	return host
}

// run runs a shell command on the host with stdin as its input and returns
// its output.
func (h *sshHost) run(cmd string, stdin io.Reader) (string, error) {
	s, err := h.client.NewSession()
	if err != nil {
		return "", fmt.Errorf("cluster.SSH: open a session on %s: %w", h.addr, err)
	}
	defer s.Close()
	var out tail
	s.Stdout, s.Stderr, s.Stdin = &out, &out, stdin
	if err := s.Run(cmd); err != nil {
		return out.String(), fmt.Errorf("cluster.SSH: on %s, %s: %w: %s", h.addr, cmd, err, out.String())
	}
	return string(out.b), nil
}

// install checks that the host runs the binary's system and architecture
// and copies the binary unless the host has this build already.
func (h *sshHost) install(bin *sshBinary) error {
	out, err := h.run("uname -sm; test -x "+shellQuote(h.bin)+" && echo have", nil)
	if err != nil && !strings.Contains(out, " ") {
		return err
	}
	lines := strings.Fields(out)
	if len(lines) < 2 {
		return fmt.Errorf("cluster.SSH: on %s, uname -sm said %q", h.addr, out)
	}
	goos, goarch := strings.ToLower(lines[0]), map[string]string{"x86_64": "amd64", "amd64": "amd64",
		"aarch64": "arm64", "arm64": "arm64", "i686": "386", "i386": "386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}[lines[1]]
	if goos != runtime.GOOS || goarch != runtime.GOARCH {
		return fmt.Errorf("cluster.SSH: %s runs %s %s, the worker binary %s is built for %s/%s (build one for the host and set SSHConfig.Binary)",
			h.addr, lines[0], lines[1], bin.path, runtime.GOOS, runtime.GOARCH)
	}
	if len(lines) > 2 && lines[2] == "have" {
		return nil
	}
	f, err := os.Open(bin.path)
	if err != nil {
		return fmt.Errorf("cluster.SSH: the worker binary: %w", err)
	}
	defer f.Close()
	tmp := h.bin + ".tmp" + randHex(6)
	q := shellQuote
	cmd := fmt.Sprintf("umask 077 && mkdir -p %s && cat > %s && test $(wc -c < %s) -eq %d && chmod 700 %s && mv -f %s %s || { rm -f %s; exit 1; }",
		q(path.Dir(h.bin)), q(tmp), q(tmp), bin.size, q(tmp), q(tmp), q(h.bin), q(tmp))
	if _, err := h.run(cmd, f); err != nil {
		return fmt.Errorf("cluster.SSH: copy the worker binary %s to %s:%s: %w", bin.path, h.addr, h.bin, err)
	}
	return nil
}

// schedulerAddr is the address the host's workers dial.
func (h *sshHost) schedulerAddr(listen, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("cluster.SSH: scheduler address %s: %w", listen, err)
	}
	ip := net.ParseIP(host)
	switch {
	case ip != nil && ip.IsUnspecified():
		return net.JoinHostPort(h.localIP, port), nil
	case ip != nil && ip.IsLoopback() && !isLoopback(h.remoteIP):
		return "", fmt.Errorf("cluster.SSH: the scheduler listens on loopback (%s), which %s cannot reach: start it with WithListen(\"0.0.0.0:PORT\") or name an address in SSHConfig.Scheduler", listen, h.addr)
	}
	return listen, nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// sshProcs supervises the workers SSH started: one session each.
type sshProcs struct {
	o      *options
	hosts  []*sshHost
	mu     sync.Mutex
	procs  []*sshProc
	stopng bool
	exited chan error // a worker whose session ended before it joined
	wg     sync.WaitGroup
}

type sshProc struct {
	host *sshHost
	slot int
	sess *ssh.Session
	out  *tail
}

// start starts worker slot on host h, handing it its secrets on stdin.
func (sp *sshProcs) start(h *sshHost, slot int, sched string) error {
	o := sp.o
	args := []string{"worker", "--stdin", "--scheduler=" + sched, fmt.Sprintf("--nthreads=%d", o.threads),
		"--death-timeout=" + o.death.String(), "--heartbeat=" + o.heartbeat.String()}
	if o.memLimit > 0 {
		args = append(args, fmt.Sprintf("--memory-limit=%d", o.memLimit))
	}
	if isLoopback(h.remoteIP) {
		args = append(args, "--listen=127.0.0.1:0")
	} else {
		args = append(args, "--listen=0.0.0.0:0", "--advertise="+net.JoinHostPort(h.remoteIP, "0"))
	}
	if o.spillDir != "" {
		args = append(args, "--spill-dir="+o.spillDir)
	}
	args = append(args, o.args...)
	secrets := stdinSecrets{Token: o.token}
	if o.ca != nil {
		cert, key, err := o.ca.Issue(h.remoteIP, strings.Trim(strings.Split(h.addr, ":")[0], "[]"))
		if err != nil {
			return err
		}
		secrets.CA, secrets.Cert, secrets.Key = o.ca.CertPEM, cert, key
	} else if o.tlsFiles.CA != "" {
		return fmt.Errorf("cluster.SSH: TLS from PEM files (WithTLSFiles) needs the workers' files on %s: use WithTLS(ca) so the launcher issues them", h.addr)
	}
	line, err := json.Marshal(secrets)
	if err != nil {
		return err
	}
	sess, err := h.client.NewSession()
	if err != nil {
		return fmt.Errorf("cluster.SSH: open a session on %s: %w", h.addr, err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		sess.Close()
		return fmt.Errorf("cluster.SSH: session on %s: %w", h.addr, err)
	}
	p := &sshProc{host: h, slot: slot, sess: sess, out: &tail{w: o.log, prefix: fmt.Sprintf("[%s worker %d] ", h.name, slot)}}
	sess.Stdout, sess.Stderr = p.out, p.out
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	cmd := "exec " + shellQuote(h.bin) + " " + strings.Join(q, " ")
	if err := sess.Start(cmd); err != nil {
		sess.Close()
		return fmt.Errorf("cluster.SSH: start a worker on %s (%s): %w", h.addr, h.bin, err)
	}
	if _, err := stdin.Write(append(line, '\n')); err != nil {
		sess.Close()
		return fmt.Errorf("cluster.SSH: hand the secrets to the worker on %s: %w", h.addr, err)
	}
	// stdin stays open: closing it (or the session) makes the worker exit.
	sp.mu.Lock()
	sp.procs = append(sp.procs, p)
	sp.mu.Unlock()
	sp.wg.Add(1)
	go func() {
		defer sp.wg.Done()
		err := sess.Wait()
		sp.mu.Lock()
		stopping := sp.stopng
		sp.mu.Unlock()
		if stopping {
			return
		}
		msg := fmt.Errorf("cluster.SSH: worker %d on %s exited (%v): %s", slot, h.addr, err, p.out.String())
		if o.log != nil {
			fmt.Fprintln(o.log, "godask cluster:", msg)
		}
		select {
		case sp.exited <- msg:
		default:
		}
	}()
	return nil
}

// stop waits up to grace for the workers (told to stop) to end their
// sessions, then closes the sessions, which ends the workers (their
// standard input closes; a hung one is sent SIGKILL), and logs out.
func (sp *sshProcs) stop(grace time.Duration) {
	sp.mu.Lock()
	sp.stopng = true
	procs := append([]*sshProc(nil), sp.procs...)
	sp.mu.Unlock()
	done := make(chan struct{})
	go func() { sp.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		for _, p := range procs {
			p.sess.Signal(ssh.SIGKILL)
			p.sess.Close()
		}
		select {
		case <-done:
		case <-time.After(grace):
		}
	}
	for _, p := range procs {
		p.sess.Close()
	}
	sp.closeClients()
}

func (sp *sshProcs) closeClients() {
	for _, h := range sp.hosts {
		if h != nil && h.client != nil {
			h.client.Close()
		}
	}
}
