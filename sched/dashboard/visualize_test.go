package dashboard_test

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// TestVisualizeColours: after a run, "order" numbers every task by the order
// it finished (a permutation that respects dependencies), "duration" and "op"
// fill every node.
func TestVisualizeColours(t *testing.T) {
	g, root := tree(16)
	rec := sched.NewTaskRecorder()
	if _, err := sched.Run(context.Background(), g, []graph.Key{root}, sched.WithObserver(rec), sched.WithoutFusion(), sched.WithProgress(nil)); err != nil {
		t.Fatal(err)
	}
	st := rec.Stats()
	if len(st) != g.Len() {
		t.Fatalf("recorded %d tasks of %d", len(st), g.Len())
	}
	for _, tk := range g.Tasks() {
		for _, d := range tk.Deps {
			if st[d].Order >= st[tk.Key].Order {
				t.Fatalf("%s finished before its input %s", tk.Key, d)
			}
		}
	}
	var buf bytes.Buffer
	if err := graph.WriteDOTWith(&buf, g, graph.DOTOptions{Color: "order", Stats: st, Outputs: []graph.Key{root}}); err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, m := range regexp.MustCompile(`label="(\d+): `).FindAllStringSubmatch(buf.String(), -1) {
		n, _ := strconv.Atoi(m[1])
		seen[n] = true
	}
	if len(seen) != g.Len() || !seen[0] || !seen[g.Len()-1] {
		t.Fatalf("order labels: %d distinct of %d", len(seen), g.Len())
	}
	for _, c := range []string{"duration", "op"} {
		buf.Reset()
		if err := graph.WriteDOTWith(&buf, g, graph.DOTOptions{Color: c, Stats: st}); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(buf.String(), "fillcolor="); n != g.Len()+1 || strings.Contains(buf.String(), `fillcolor="#dddddd"`) {
			t.Fatalf("%s: %d fills", c, n)
		}
	}
	if err := graph.WriteDOTWith(&buf, g, graph.DOTOptions{Color: "order"}); err == nil || !strings.Contains(err.Error(), "statistics") {
		t.Fatalf("order without stats: %v", err)
	}
	if err := graph.WriteDOTWith(&buf, g, graph.DOTOptions{Color: "rainbow"}); err == nil || !strings.Contains(err.Error(), "rainbow") {
		t.Fatalf("bad colour: %v", err)
	}
}
