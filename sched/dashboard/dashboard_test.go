package dashboard_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/internal/dash"
	"github.com/godask/godask/internal/leak"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/dashboard"
)

// addOp sums its int inputs plus a constant; failOp fails or panics.
type addOp struct{ c int }

func (addOp) Name() string              { return "dashboard_test.add" }
func (addOp) Label() string             { return "add" }
func (a addOp) Params() ([]byte, error) { return []byte(fmt.Sprint(a.c)), nil }
func (a addOp) Run(_ context.Context, in []any) (any, error) {
	s := a.c
	for _, v := range in {
		s += v.(int)
	}
	return s, nil
}

type failOp struct{ panics bool }

func (failOp) Name() string              { return "dashboard_test.fail" }
func (f failOp) Params() ([]byte, error) { return []byte(fmt.Sprint(f.panics)), nil }
func (f failOp) Run(context.Context, []any) (any, error) {
	if f.panics {
		panic("kaboom")
	}
	return nil, errors.New("boom")
}

// tree is n leaves summed by a binary tree: 2n-1 tasks.
func tree(n int) (*graph.Graph, graph.Key) {
	g := &graph.Graph{}
	var level []graph.Key
	for i := 0; i < n; i++ {
		t := graph.ConstTask(graph.Key(fmt.Sprintf("leaf-%d", i)), i)
		g.Add(t)
		level = append(level, t.Key)
	}
	for len(level) > 1 {
		var next []graph.Key
		for i := 0; i+1 < len(level); i += 2 {
			t, _ := graph.NewTask(addOp{}, level[i], level[i+1])
			g.Add(t)
			next = append(next, t.Key)
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1])
		}
		level = next
	}
	return g, level[0]
}

func get(t *testing.T, url string, cookie *http.Cookie) (int, string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp
}

func TestServeTokenMetricsAndEvents(t *testing.T) {
	leak.Check(t)
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	var out bytes.Buffer
	srv, err := dashboard.Serve("", dashboard.WithOutput(&out))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !regexp.MustCompile(`^godask dashboard: http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{32}\n$`).MatchString(out.String()) {
		t.Fatalf("printed %q", out.String())
	}
	base := strings.TrimSuffix(srv.URL(), "?token="+srv.Token())
	g, root := tree(64)
	vals, err := sched.Run(context.Background(), g, []graph.Key{root}, sched.WithWorkers(3), sched.WithProgress(nil))
	if err != nil || vals[0] != 64*63/2 {
		t.Fatalf("run: %v %v", vals, err)
	}
	for _, u := range []string{base, base + "metrics", base + "api/events", base + "api/errors", base + "debug/pprof/", base + "static/dash.js",
		base + "?token=", base + "metrics?token=" + srv.Token()[:31], base + "metrics?token=" + srv.Token() + "x"} {
		code, body, _ := get(t, u, nil)
		if code != http.StatusForbidden || strings.Contains(body, "godask_") || strings.Contains(body, srv.Token()) || strings.Contains(body, "<html") {
			t.Fatalf("GET %s without a good token: %d %q", u, code, body)
		}
	}
	code, body, resp := get(t, srv.URL(), nil)
	if code != 200 || !strings.Contains(body, "Task stream") {
		t.Fatalf("page: %d", code)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		cookie = c
	}
	if cookie == nil || !cookie.HttpOnly {
		t.Fatalf("no HttpOnly token cookie: %v", resp.Cookies())
	}
	if code, _, _ := get(t, base+"graph", cookie); code != 200 {
		t.Fatalf("graph page with the cookie: %d", code)
	}
	if code, body, _ := get(t, base+"debug/pprof/", cookie); code != 200 || !strings.Contains(body, "goroutine") {
		t.Fatalf("pprof with the cookie: %d", code)
	}
	code, body, _ = get(t, base+"metrics?token="+srv.Token(), nil)
	if code != 200 || !strings.Contains(body, "godask_tasks_finished_total 127\n") || !strings.Contains(body, "# TYPE godask_tasks_finished_total counter") {
		t.Fatalf("metrics: %d\n%s", code, body)
	}
	// The event stream's first frame has the run, complete.
	f := firstFrame(t, base+"api/events?token="+srv.Token())
	if len(f.Runs) != 1 || !f.Runs[0].Ended || f.Runs[0].Tasks != 127 || f.Runs[0].Workers != 3 {
		t.Fatalf("runs in the first frame: %+v", f.Runs)
	}
	var fin int64
	for _, g := range f.Groups {
		fin += g.Finished
		if g.Finished != g.Total || g.Waiting != 0 || g.Running != 0 {
			t.Fatalf("group %+v not complete", g)
		}
	}
	if fin != 127 || len(f.Boxes) != 127 || len(f.Threads) != 3 {
		t.Fatalf("%d finished, %d boxes, %d threads", fin, len(f.Boxes), len(f.Threads))
	}
	if len(f.Mem) == 0 {
		t.Fatal("no memory samples")
	}
	var gi dash.GraphInfo
	_, body, _ = get(t, base+"api/graph?token="+srv.Token(), nil)
	if err := json.Unmarshal([]byte(body), &gi); err != nil || gi.Summary || len(gi.Nodes) != 127 || len(gi.Edges) != 126 {
		t.Fatalf("graph: %v summary=%v %d nodes %d edges", err, gi.Summary, len(gi.Nodes), len(gi.Edges))
	}
}

func firstFrame(t *testing.T, url string) dash.Frame {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var f dash.Frame
			if err := json.Unmarshal([]byte(d), &f); err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatal("no frame")
	return dash.Frame{}
}

func TestErrorsPanicsAndClose(t *testing.T) {
	leak.Check(t)
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	srv, err := dashboard.Serve("127.0.0.1:0", dashboard.WithOutput(nil), dashboard.WithBasePath("/proxy/dask"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(srv.URL(), "/proxy/dask/?token=") {
		t.Fatalf("URL %s lacks the base path", srv.URL())
	}
	base := strings.TrimSuffix(srv.URL(), "?token="+srv.Token())
	for _, panics := range []bool{false, true} {
		a := graph.ConstTask("a", 1)
		bad, _ := graph.NewTask(failOp{panics}, "a")
		_, err := sched.Run(context.Background(), graph.New(a, bad), []graph.Key{bad.Key}, sched.WithProgress(nil))
		if err == nil {
			t.Fatal("the failing run succeeded")
		}
	}
	_, body, _ := get(t, base+"api/errors?token="+srv.Token(), nil)
	var errs struct {
		Errors []dash.TaskErr
		Total  int
	}
	if err := json.Unmarshal([]byte(body), &errs); err != nil || errs.Total != 2 || len(errs.Errors) != 2 {
		t.Fatalf("errors: %v %s", err, body)
	}
	e0, e1 := errs.Errors[0], errs.Errors[1]
	if !strings.Contains(e0.Op, "dashboard_test.fail") || !strings.Contains(e0.Error, "boom") || e0.Stack != "" || !strings.Contains(e1.Error, "kaboom") || !strings.Contains(e1.Stack, "goroutine") {
		t.Fatalf("errors: %+v", errs.Errors)
	}
	if code, _, _ := get(t, strings.Replace(base, "/proxy/dask/", "/", 1)+"metrics?token="+srv.Token(), nil); code != 404 {
		t.Fatalf("outside the base path: %d, want 404", code)
	}
	// An open page hears that the dashboard closes.
	resp, err := http.Get(base + "api/events?token=" + srv.Token())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	frames := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				frames <- d
			}
		}
		close(frames)
	}()
	<-frames
	srv.Close()
	var last string
	for d := range frames {
		last = d
	}
	if !strings.Contains(last, `"closing":true`) {
		t.Fatalf("the last frame does not say the dashboard closes: %.200s", last)
	}
}

func TestBadAddresses(t *testing.T) {
	for _, addr := range []string{"nonsense", "127.0.0.1:99999", "127.0.0.1:http-ish"} {
		if _, err := dashboard.Serve(addr, dashboard.WithOutput(nil)); err == nil || !strings.Contains(err.Error(), "bad address") {
			t.Fatalf("Serve(%q): %v", addr, err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = dashboard.Serve(ln.Addr().String(), dashboard.WithOutput(nil))
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("port in use: %v", err)
	}
	// WithDashboard on a port in use: the run goes on and says why there
	// is no dashboard.
	var out bytes.Buffer
	g, root := tree(8)
	vals, err := sched.Run(context.Background(), g, []graph.Key{root}, sched.WithDashboard(ln.Addr().String()),
		sched.WithDashboardOutput(&out), sched.WithProgress(nil))
	if err != nil || vals[0] != 28 || !strings.Contains(out.String(), "no dashboard for this run") || !strings.Contains(out.String(), "in use") {
		t.Fatalf("run with a dashboard on a port in use: %v %v %q", vals, err, out.String())
	}
}

func TestWithDashboardAndReport(t *testing.T) {
	leak.Check(t)
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	var out bytes.Buffer
	g, root := tree(100)
	vals, err := sched.Run(context.Background(), g, []graph.Key{root}, sched.WithDashboard(""), sched.WithReport(path),
		sched.WithDashboardOutput(&out), sched.WithProgress(nil), sched.WithWorkers(2))
	if err != nil || vals[0] != 4950 {
		t.Fatalf("run: %v %v", vals, err)
	}
	if !regexp.MustCompile(`godask dashboard: http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{32}\n`).MatchString(out.String()) {
		t.Fatalf("printed %q", out.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"window.GODASK_REPORT = {", `"report":true`, "Task stream", "Time per op", `"labels":["const","add"]`} {
		if !strings.Contains(page, want) {
			t.Fatalf("report lacks %q", want)
		}
	}
	if strings.Contains(page, "src=\"") || strings.Contains(page, "href=\"/") || strings.Contains(page, "<!--TAIL-->") {
		t.Fatal("the report links outside itself")
	}
	// The report's recorded stream: every task, once.
	i := strings.Index(page, "window.GODASK_REPORT = ")
	j := strings.Index(page[i:], ";</script>")
	var rep dash.Report
	if err := json.Unmarshal([]byte(page[i+len("window.GODASK_REPORT = "):i+j]), &rep); err != nil {
		t.Fatal(err)
	}
	seen := map[int32]bool{}
	for _, b := range rep.Boxes {
		seen[b.Task] = true
	}
	if len(rep.Boxes) != 199 || len(seen) != 199 || len(rep.Graphs) != 1 || len(rep.Graphs[0].Nodes) != 199 {
		t.Fatalf("report: %d boxes of %d tasks, %d graphs", len(rep.Boxes), len(seen), len(rep.Graphs))
	}
	// A report that cannot be written does not fail the run.
	out.Reset()
	vals, err = sched.Run(context.Background(), g, []graph.Key{root}, sched.WithReport(filepath.Join(dir, "missing", "r.html")),
		sched.WithDashboardOutput(&out), sched.WithProgress(nil))
	if err != nil || vals[0] != 4950 || !strings.Contains(out.String(), "missing") {
		t.Fatalf("run with an unwritable report: %v %v %q", vals, err, out.String())
	}
}

// recorder is a Watcher that records each run's job and events.
type recorder struct {
	mu   sync.Mutex
	job  *sched.Job
	evts []sched.Event
}

func (r *recorder) WatchRun(job *sched.Job) sched.Observer {
	r.mu.Lock()
	r.job = job
	r.mu.Unlock()
	return sched.ObserverFunc(func(e sched.Event) {
		r.mu.Lock()
		r.evts = append(r.evts, e)
		r.mu.Unlock()
	})
}

// TestReplayRecordedStream records the events of real runs (random DAGs on
// several workers, some with a memory limit that spills) and replays them
// into a fresh hub: the hub's counts equal a recount of the recording.
func TestReplayRecordedStream(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for trial := 0; trial < 6; trial++ {
		rec := &recorder{}
		stop := sched.Watch(rec)
		g, root := tree(1 + rng.Intn(300))
		_, err := sched.Run(context.Background(), g, []graph.Key{root}, sched.WithWorkers(1+rng.Intn(4)), sched.WithProgress(nil))
		stop()
		if err != nil {
			t.Fatal(err)
		}
		h := dash.NewHub(1 << 16)
		obs := sched.RunObserver(h, rec.job)
		fin := map[string]int64{}
		kinds := map[sched.EventKind]int{}
		for _, e := range rec.evts {
			obs.Observe(e)
			kinds[e.Kind]++
			if e.Kind == sched.TaskFinished {
				fin[e.Label]++
			}
		}
		if kinds[sched.JobStarted] != 1 || kinds[sched.JobFinished] != 1 || kinds[sched.MemorySampled] < 2 {
			t.Fatalf("recorded kinds %v", kinds)
		}
		runs := h.Runs()
		gs, _ := runs[0].Progress()
		for _, c := range gs {
			if c.Finished != fin[c.Label] || c.Finished != c.Total || c.Released+c.Memory != c.Finished {
				t.Fatalf("trial %d: group %+v, recorded %d finished", trial, c, fin[c.Label])
			}
		}
		if st := h.Totals(); st.Finished != int64(kinds[sched.TaskFinished]) {
			t.Fatalf("totals %d, recorded %d", st.Finished, kinds[sched.TaskFinished])
		}
	}
}

func TestNoWatcherAfterStop(t *testing.T) {
	srv, err := dashboard.Serve("", dashboard.WithOutput(nil))
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	srv.Close() // twice is fine
	g, root := tree(4)
	if _, err := sched.Run(context.Background(), g, []graph.Key{root}, sched.WithProgress(nil)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
}
