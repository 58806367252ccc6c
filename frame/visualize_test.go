package frame

import (
	"os"
	"strings"
	"testing"
)

func TestVisualize(t *testing.T) {
	f := FromColumns(2, Column{"k", []string{"a", "b", "a"}}, Column{"v", []float64{1, 2, 3}})
	g := f.GroupBy("k").Agg(Col("v").Sum())
	p := t.TempDir() + "/g.dot"
	if err := g.Visualize(p); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "digraph") || !strings.Contains(string(b), "->") {
		t.Errorf("dot:\n%s", b)
	}
	if err := f.Col("nope").Visualize(p); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("a frame with an error must not visualize: %v", err)
	}
}
