// Package dashboard serves a live web dashboard of every scheduler run in
// the process: the task stream, progress by op, memory over time, tasks per
// second, the graph, the workers and the failed tasks, plus /metrics in the
// Prometheus text format and /debug/pprof.
//
// It sits beside sched in the data flow, fed only by the observer events
// the executors emit (sched.Watch hands it every run), aggregated in O(1)
// per event into bounded buffers and pushed to the page by server-sent
// events at most ten times a second; a slow page skips frames, the workers
// never wait for it. The page's script and style are the project's own,
// embedded in the binary: nothing to install.
//
//	srv, err := dashboard.Serve("")   // prints http://127.0.0.1:PORT/?token=…
//	defer srv.Close()
//
// The server listens on loopback unless given an explicit host, and every
// request must carry the token of the URL it prints (or the cookie the first
// page sets): without it the answer is 403 and nothing else. For one run
// only, use sched.WithDashboard.
package dashboard

import (
	"fmt"
	"io"
	"net"
	"os"

	"github.com/godask/godask/internal/dash"
	"github.com/godask/godask/sched"
)

// Option configures Serve.
type Option func(*config)

type config struct {
	base  string
	token string
	out   io.Writer
	ring  int
}

// WithBasePath serves the dashboard under path (e.g. "/dask/" behind a
// reverse proxy); the printed URL includes it.
func WithBasePath(path string) Option { return func(c *config) { c.base = path } }

// WithToken sets the token requests must carry instead of a random one.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithOutput sets where Serve prints the URL (default os.Stderr; nil: nowhere).
func WithOutput(w io.Writer) Option { return func(c *config) { c.out = w } }

// WithTaskStream sets how many of the latest tasks the task stream keeps
// (default 20000).
func WithTaskStream(n int) Option { return func(c *config) { c.ring = n } }

// Server is a running dashboard.
type Server struct {
	hub   *dash.Hub
	srv   *dash.Server
	stop  func()
	token string
}

// Serve starts a dashboard of every later run of the process on addr: ""
// or ":0" for a free loopback port, ":8787" for that port on loopback, or an
// explicit host:port. It prints the URL with its token (see WithOutput). A
// bad address or a port in use is an error saying so.
func Serve(addr string, opts ...Option) (*Server, error) {
	c := config{out: os.Stderr, ring: 20000}
	for _, o := range opts {
		o(&c)
	}
	hub := dash.NewHub(c.ring)
	srv, err := dash.Listen(addr, hub, dash.Options{BasePath: c.base, Token: c.token})
	if err != nil {
		return nil, err
	}
	hub.Start()
	s := &Server{hub: hub, srv: srv, token: srv.Token()}
	s.stop = sched.Watch(s)
	if c.out != nil {
		fmt.Fprintf(c.out, "godask dashboard: %s\n", srv.URL())
	}
	return s, nil
}

// WatchRun implements sched.Watcher.
func (s *Server) WatchRun(job *sched.Job) sched.Observer { return sched.RunObserver(s.hub, job) }

// URL is the dashboard's address with its token,
// http://127.0.0.1:PORT/?token=….
func (s *Server) URL() string { return s.srv.URL() }

// Token is the secret every request must carry.
func (s *Server) Token() string { return s.token }

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.srv.Addr() }

// Close stops watching runs, tells open pages the dashboard is closing, and
// stops the server. Runs in progress go on.
func (s *Server) Close() error {
	s.stop()
	s.hub.Stop()
	return s.srv.Close()
}

// WriteReport writes what the dashboard has recorded as one offline HTML
// file (see sched.WithReport).
func (s *Server) WriteReport(path string) error { return dash.WriteReport(path, s.hub) }
