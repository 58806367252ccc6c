package dash

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"net"
	"net/http"
	"net/http/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed assets
var assets embed.FS

// Options configure a Server.
type Options struct {
	// BasePath is the path prefix the dashboard is served under, for a
	// reverse proxy ("/dask/"); default "/".
	BasePath string
	// Token is the secret every request must carry (?token= or the cookie
	// the first page sets); "" makes a random one.
	Token string
	// RingSize is how many of the latest task boxes the task stream keeps
	// (default 20000).
	RingSize int
}

// Server serves a Hub's state to browsers.
type Server struct {
	hub   *Hub
	token string
	base  string
	ln    net.Listener
	srv   *http.Server
	url   string

	mu      sync.Mutex
	closed  bool
	closing chan struct{}
	done    chan struct{}
}

// DefaultAddr is the address a dashboard listens on when given "".
const DefaultAddr = "127.0.0.1:0"

// ListenAddr normalizes a dashboard address: "" is DefaultAddr and a port
// alone (":8787") binds the loopback interface; an explicit host is kept.
func ListenAddr(addr string) (string, error) {
	if addr == "" {
		return DefaultAddr, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("dashboard: bad address %q (want host:port, e.g. 127.0.0.1:8787 or :0): %w", addr, err)
	}
	if p, err := strconv.Atoi(port); port != "" && (err != nil || p < 0 || p > 65535) {
		return "", fmt.Errorf("dashboard: bad address %q: port %q is not a number from 0 to 65535", addr, port)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// Listen starts serving hub on addr (see ListenAddr). A port in use or a bad
// address is an error saying which.
func Listen(addr string, hub *Hub, opt Options) (*Server, error) {
	a, err := ListenAddr(addr)
	if err != nil {
		return nil, err
	}
	base := opt.BasePath
	if base == "" {
		base = "/"
	}
	if !strings.HasPrefix(base, "/") {
		base = "/" + base
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	tok := opt.Token
	if tok == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("dashboard: make a token: %w", err)
		}
		tok = hex.EncodeToString(b)
	}
	ln, err := net.Listen("tcp", a)
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) && strings.Contains(err.Error(), "address already in use") {
			return nil, fmt.Errorf("dashboard: listen on %s: the port is in use (choose another, or :0 for a free one): %w", a, err)
		}
		return nil, fmt.Errorf("dashboard: listen on %s: %w", a, err)
	}
	s := &Server{hub: hub, token: tok, base: base, ln: ln, closing: make(chan struct{}), done: make(chan struct{})}
	host := ln.Addr().String()
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		host = net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	}
	s.url = "http://" + host + base + "?token=" + tok
	s.srv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// URL is the dashboard's address with its token.
func (s *Server) URL() string { return s.url }

// Token is the secret the server checks.
func (s *Server) Token() string { return s.token }

// Addr is the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close tells open pages the dashboard is closing, then stops the server.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing)
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.srv.Close()
	}
	<-s.done
	return nil
}

const cookieName = "godask_dashboard_token"

// authorized checks the request's token in constant time.
func (s *Server) authorized(r *http.Request) bool {
	tok := r.URL.Query().Get("token")
	if tok == "" {
		if c, err := r.Cookie(cookieName); err == nil {
			tok = c.Value
		}
	}
	return subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) == 1
}

func (s *Server) guard(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintln(w, "403 forbidden: this godask dashboard needs the token in the URL it printed when it started (…/?token=…)")
			return
		}
		if r.URL.Query().Get("token") != "" {
			http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.token, Path: s.base, HttpOnly: true, SameSite: http.SameSiteStrictMode})
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h(w, r)
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	b := s.base
	page := s.guard(s.page)
	mux.HandleFunc(b, func(w http.ResponseWriter, r *http.Request) {
		switch strings.TrimPrefix(r.URL.Path, b) {
		case "", "status", "graph", "workers", "errors":
			page(w, r)
		default:
			s.guard(http.NotFound)(w, r)
		}
	})
	static, _ := fs.Sub(assets, "assets")
	fsrv := http.StripPrefix(b+"static/", http.FileServer(http.FS(static)))
	mux.HandleFunc(b+"static/", s.guard(fsrv.ServeHTTP))
	mux.HandleFunc(b+"api/events", s.guard(s.events))
	mux.HandleFunc(b+"api/graph", s.guard(s.graphJSON))
	mux.HandleFunc(b+"api/errors", s.guard(s.errorsJSON))
	mux.HandleFunc(b+"metrics", s.guard(s.metrics))
	mux.HandleFunc(b+"debug/pprof/", s.guard(func(w http.ResponseWriter, r *http.Request) {
		// pprof.Index serves names below /debug/pprof/: strip our base.
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + strings.TrimPrefix(r.URL.Path, b)
		pprof.Index(w, r2)
	}))
	mux.HandleFunc(b+"debug/pprof/cmdline", s.guard(pprof.Cmdline))
	mux.HandleFunc(b+"debug/pprof/profile", s.guard(pprof.Profile))
	mux.HandleFunc(b+"debug/pprof/symbol", s.guard(pprof.Symbol))
	mux.HandleFunc(b+"debug/pprof/trace", s.guard(pprof.Trace))
	return mux
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:")
	fmt.Fprint(w, PageHTML(s.base, s.token, "", ""))
}

// PageHTML is the dashboard page. Served live it links its script and style
// (with the token); for a report, css and js are inlined and data is the
// recorded state.
func PageHTML(base, token, inline, data string) string {
	idx, _ := assets.ReadFile("assets/index.html")
	page := string(idx)
	var head, tail string
	if inline == "" {
		q := "?token=" + html.EscapeString(token)
		head = `<link rel="stylesheet" href="` + html.EscapeString(base) + `static/dash.css` + q + `">`
		tail = `<script src="` + html.EscapeString(base) + `static/dash.js` + q + `"></script>`
	} else {
		css, _ := assets.ReadFile("assets/dash.css")
		js, _ := assets.ReadFile("assets/dash.js")
		head = "<style>\n" + string(css) + "\n</style>"
		tail = "<script>window.GODASK_REPORT = " + data + ";</script>\n<script>\n" + string(js) + "\n</script>"
	}
	page = strings.Replace(page, "<!--HEAD-->", head, 1)
	page = strings.Replace(page, "<!--BASE-->", html.EscapeString(base), 1)
	page = strings.Replace(page, "<!--TOKEN-->", html.EscapeString(token), 1)
	page = strings.Replace(page, "<!--TAIL-->", tail, 1)
	return page
}

// RunInfo describes a run in a frame.
type RunInfo struct {
	ID      int      `json:"id"`
	Tasks   int      `json:"tasks"`
	Workers int      `json:"workers"`
	Limit   int64    `json:"limit"`
	Start   int64    `json:"start"`
	End     int64    `json:"end,omitempty"`
	Ended   bool     `json:"ended"`
	Err     string   `json:"err,omitempty"`
	Peak    int64    `json:"peak,omitempty"`
	Written int64    `json:"written,omitempty"`
	Read    int64    `json:"read,omitempty"`
	Labels  []string `json:"labels"`
	Errors  int      `json:"errors"`
}

func (r *Run) info() RunInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return RunInfo{ID: r.ID, Tasks: r.n, Workers: r.workers, Limit: r.limit, Start: r.start,
		End: r.endTime, Ended: r.ended.Load(), Err: r.endErr, Peak: r.peak, Written: r.written,
		Read: r.read, Labels: r.labels, Errors: r.nerr}
}

// Frame is one update of the page.
type Frame struct {
	Now     int64         `json:"now"`
	Closing bool          `json:"closing,omitempty"`
	Runs    []RunInfo     `json:"runs"`
	Groups  []GroupCounts `json:"groups"`
	Threads []ThreadStats `json:"threads"`
	Boxes   []Box         `json:"boxes"`
	Dropped int64         `json:"dropped"`
	Mem     []MemPoint    `json:"mem"`
	Marks   []Mark        `json:"marks"`
	TPS     []MemPoint    `json:"tps"`
	States  string        `json:"states,omitempty"`
	CPU     float64       `json:"cpu"`
	Reset   bool          `json:"reset,omitempty"`
	Report  bool          `json:"report,omitempty"`
}

// cursor is what one page has been sent.
type cursor struct {
	seq   int64
	memT  map[int]int64
	marks map[int]int
	tpsT  int64
}

// frame builds the next frame for c; the first has the history.
func (h *Hub) frame(c *cursor, maxBoxes int) Frame {
	first := c.memT == nil
	if first {
		c.memT, c.marks = map[int]int64{}, map[int]int{}
		c.seq = -1 << 62
	}
	f := Frame{Now: h.now(), Reset: first, CPU: cpuSeconds()}
	f.Boxes, c.seq = h.boxesSince(c.seq, maxBoxes)
	h.mu.Lock()
	f.Dropped = h.dropped
	for _, p := range h.tps {
		if p.Time > c.tpsT {
			f.TPS = append(f.TPS, p)
			c.tpsT = p.Time
		}
	}
	runs := append([]*Run(nil), h.runs...)
	h.mu.Unlock()
	for _, r := range runs {
		f.Runs = append(f.Runs, r.info())
		r.mu.Lock()
		last := c.memT[r.ID]
		for _, p := range r.mem {
			if p.Time > last {
				f.Mem = append(f.Mem, p)
				c.memT[r.ID] = p.Time
			}
		}
		if n := c.marks[r.ID]; n < len(r.marks) {
			f.Marks = append(f.Marks, r.marks[n:]...)
			c.marks[r.ID] = len(r.marks)
		}
		r.mu.Unlock()
	}
	if len(runs) > 0 {
		cur := runs[len(runs)-1]
		f.Groups, f.Threads = cur.Progress()
		f.States = cur.States()
	}
	return f
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "dashboard: streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	sig, unsub := s.hub.subscribe()
	defer unsub()
	var c cursor
	last := time.Time{}
	send := func(closing bool) error {
		f := s.hub.frame(&c, 2000)
		f.Closing = closing
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "event: frame\ndata: %s\n\n", b); err != nil {
			return err
		}
		fl.Flush()
		return nil
	}
	if send(false) != nil {
		return
	}
	keep := time.NewTicker(2 * time.Second)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.closing:
			send(true)
			return
		case <-keep.C:
			select { // a frame at least every 2 s keeps proxies from closing the stream
			case sig <- struct{}{}:
			default:
			}
		case <-sig:
			// At most 10 frames a second; a page slower than that misses
			// the signals sent meanwhile and gets one frame with all it
			// missed (up to the ring's size).
			if d := 100*time.Millisecond - time.Since(last); d > 0 {
				select {
				case <-time.After(d):
				case <-r.Context().Done():
					return
				case <-s.closing:
					send(true)
					return
				}
			}
			last = time.Now()
			if send(false) != nil {
				return
			}
		}
	}
}

// GraphInfo is the graph page's data: every task of a small graph, else the
// op groups and the edges between them.
type GraphInfo struct {
	Run     int        `json:"run"`
	Tasks   int        `json:"tasks"`
	Summary bool       `json:"summary"`
	Labels  []string   `json:"labels"`
	Nodes   []Node     `json:"nodes"`
	Edges   [][2]int32 `json:"edges"`
	Counts  []int64    `json:"counts,omitempty"`
}

// Node is one task (or op group, in a summary) on the graph page.
type Node struct {
	Key   string `json:"key"`
	Group int32  `json:"g"`
}

// Graph returns the graph page's data for the run.
func (r *Run) Graph() GraphInfo {
	gi := GraphInfo{Run: r.ID, Tasks: r.n, Labels: r.labels}
	if r.keys != nil {
		for i, k := range r.keys {
			gi.Nodes = append(gi.Nodes, Node{Key: string(k), Group: r.group[i]})
			for _, d := range r.deps[i] {
				gi.Edges = append(gi.Edges, [2]int32{d, int32(i)})
			}
		}
		return gi
	}
	gi.Summary = true
	gi.Counts = r.total
	for g, l := range r.labels {
		gi.Nodes = append(gi.Nodes, Node{Key: l, Group: int32(g)})
	}
	seen := map[[2]int32]bool{}
	for i, ds := range r.deps {
		for _, d := range ds {
			e := [2]int32{r.group[d], r.group[i]}
			if e[0] != e[1] && !seen[e] {
				seen[e] = true
				gi.Edges = append(gi.Edges, e)
			}
		}
	}
	sort.Slice(gi.Edges, func(a, b int) bool {
		if gi.Edges[a][0] != gi.Edges[b][0] {
			return gi.Edges[a][0] < gi.Edges[b][0]
		}
		return gi.Edges[a][1] < gi.Edges[b][1]
	})
	return gi
}

func (h *Hub) run(id string) *Run {
	runs := h.Runs()
	if len(runs) == 0 {
		return nil
	}
	if id == "" {
		return runs[len(runs)-1]
	}
	n, _ := strconv.Atoi(id)
	for _, r := range runs {
		if r.ID == n {
			return r
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (s *Server) graphJSON(w http.ResponseWriter, r *http.Request) {
	run := s.hub.run(r.URL.Query().Get("run"))
	if run == nil {
		writeJSON(w, GraphInfo{})
		return
	}
	writeJSON(w, run.Graph())
}

func (s *Server) errorsJSON(w http.ResponseWriter, r *http.Request) {
	all, total := s.hub.allErrors()
	writeJSON(w, map[string]any{"errors": all, "total": total})
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	WriteMetrics(w, s.hub)
}
