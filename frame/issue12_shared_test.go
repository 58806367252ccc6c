package frame

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
)

// Defect: several frames computed together over the same CSV each parsed
// it (12 read tasks for 3 queries over 4 ranges). Now each range is parsed
// once, for the union of their columns; the answers are those computed
// apart.
func TestIssue12SharedTextReads(t *testing.T) {
	dir := t.TempDir()
	for fi := 0; fi < 2; fi++ {
		var b strings.Builder
		b.WriteString("k,v,w,s\n")
		for i := 0; i < 400; i++ {
			fmt.Fprintf(&b, "%d,%d.5,%d,x%d\n", i%7, i, i%3, i%5)
		}
		writeAt(t, filepath.Join(dir, fmt.Sprintf("p%d.csv", fi)), b.String())
	}
	for _, format := range []string{"csv", "json"} {
		var df *Frame
		if format == "csv" {
			df = ReadCSV(filepath.Join(dir, "*.csv"), CSVOptions{BlockSize: 2048})
		} else {
			jdir := filepath.Join(dir, "json")
			if err := ReadCSV(filepath.Join(dir, "*.csv")).WriteJSON(context.Background(), jdir); err != nil {
				t.Fatal(err)
			}
			df = ReadJSON(filepath.Join(jdir, "*.jsonl"), JSONOptions{BlockSize: 4096})
		}
		qs := []*Frame{
			df.GroupBy("k").Agg(Col("v").Sum()).SortValues(false, "k"),
			df.Filter(Col("w").Eq(Lit(1))).Agg(Col("v").Max()),
			ReadCSV(filepath.Join(dir, "*.csv"), CSVOptions{BlockSize: 2048}).GroupBy("s").Size().SortValues(false, "s"),
		}
		if format == "json" {
			qs[2] = df.GroupBy("s").Size().SortValues(false, "s")
		}
		nparts := df.NPartitions()
		cs := make([]sched.Collection, len(qs))
		for i, q := range qs {
			cs[i] = q
		}
		shared := qs[0].ShareWith(cs)
		g := &graph.Graph{}
		for _, c := range shared {
			cg, err := c.Graph()
			if err != nil {
				t.Fatal(err)
			}
			g.Merge(cg)
		}
		reads := 0
		for _, task := range g.Tasks() {
			if strings.HasPrefix(graph.LabelOf(task.Op), "read-") {
				reads++
			}
		}
		if reads != nparts {
			t.Fatalf("%s: %d read tasks for %d ranges", format, reads, nparts)
		}
		together, err := ComputeAll(context.Background(), qs, sched.WithProgress(nil))
		if err != nil {
			t.Fatal(err)
		}
		for i, q := range qs {
			apart := compute(t, q)
			if together[i].String() != apart.String() {
				t.Fatalf("%s query %d: together\n%s\napart\n%s", format, i, together[i], apart)
			}
		}
		// Also through the loopback executor (every task encoded).
		if _, err := ComputeAll(context.Background(), qs, opts()...); err != nil {
			t.Fatal(err)
		}
	}
}

// readCounter counts the finished tasks whose label starts with "read-".
type readCounter struct {
	mu sync.Mutex
	n  int
}

func (r *readCounter) Observe(e sched.Event) {
	if e.Kind == sched.TaskFinished && strings.HasPrefix(e.Label, "read-") {
		r.mu.Lock()
		r.n++
		r.mu.Unlock()
	}
}

// Plain sched.Compute and sched.Persist of frames over one CSV parse each
// range once too (sched.Sharer), with the answers computed apart.
func TestSchedComputeSharesTextReads(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("k,v,w\n")
	for i := 0; i < 600; i++ {
		fmt.Fprintf(&b, "%d,%d.25,%d\n", i%5, i, i%4)
	}
	writeAt(t, filepath.Join(dir, "a.csv"), b.String())
	df := ReadCSV(filepath.Join(dir, "a.csv"), CSVOptions{BlockSize: 1024})
	qs := []sched.Collection{
		df.GroupBy("k").Agg(Col("v").Sum()).SortValues(false, "k"),
		df.Filter(Col("w").Eq(Lit(2))).Agg(Col("v").Max()),
		df.Agg(Col("w").Sum()),
	}
	rc := &readCounter{}
	got, err := sched.Compute(context.Background(), qs, sched.WithoutFusion(), sched.WithObserver(rc))
	if err != nil {
		t.Fatal(err)
	}
	if rc.n != df.NPartitions() {
		t.Fatalf("%d read tasks ran for %d ranges", rc.n, df.NPartitions())
	}
	for i, q := range qs {
		apart := compute(t, q.(*Frame))
		if got[i].(*Table).String() != apart.String() {
			t.Fatalf("query %d: together\n%s\napart\n%s", i, got[i], apart)
		}
	}
	rc.n = 0
	ps, err := sched.Persist(context.Background(), qs, sched.WithoutFusion(), sched.WithObserver(rc))
	if err != nil {
		t.Fatal(err)
	}
	if rc.n != df.NPartitions() {
		t.Fatalf("persist: %d read tasks ran for %d ranges", rc.n, df.NPartitions())
	}
	for i, p := range ps {
		if s := compute(t, p.(*Frame)).String(); s != got[i].(*Table).String() {
			t.Fatalf("persisted query %d:\n%s\nwant\n%s", i, s, got[i])
		}
	}
}
