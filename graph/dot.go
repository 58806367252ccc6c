package graph

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// WriteDOT writes g in Graphviz's DOT language: one node per task, labelled
// with its op's label, an edge from each input to its reader, and the outputs
// drawn bold.
func WriteDOT(w io.Writer, g *Graph, outputs ...Key) error {
	bw := bufio.NewWriter(w)
	out := map[Key]bool{}
	for _, k := range outputs {
		out[k] = true
	}
	fmt.Fprintln(bw, "digraph godask {")
	fmt.Fprintln(bw, "  rankdir=BT;")
	fmt.Fprintln(bw, `  node [shape=box, style=rounded, fontname="Helvetica"];`)
	for i, t := range g.Tasks() {
		attr := ""
		if out[t.Key] {
			attr = ", style=\"rounded,bold\""
		}
		fmt.Fprintf(bw, "  n%d [label=%q, tooltip=%q%s];\n", i, LabelOf(t.Op), string(t.Key), attr)
	}
	for i, t := range g.Tasks() {
		for _, d := range t.Deps {
			if j := g.IndexOf(d); j >= 0 {
				fmt.Fprintf(bw, "  n%d -> n%d;\n", j, i)
			}
		}
	}
	fmt.Fprintln(bw, "}")
	return bw.Flush()
}

// Visualize writes g to path with its tasks coloured by op (one hue per op
// label, the outputs bold): DOT text for a .dot file, or, for .svg, .png or
// .pdf, the picture rendered by Graphviz's dot command, which must then be on
// PATH (the error says so when it is not). Every collection's Visualize
// method draws through it; VisualizeWith colours by a run's durations or
// order instead.
func Visualize(g *Graph, path string, outputs ...Key) error {
	return VisualizeWith(g, path, DOTOptions{Outputs: outputs, Color: "op"})
}

// render writes DOT text to path: as is for .dot, through Graphviz's dot
// for .svg, .png and .pdf.
func render(buf *bytes.Buffer, path string) error {
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	switch ext {
	case "dot", "gv", "":
		return os.WriteFile(path, buf.Bytes(), 0o644)
	case "svg", "png", "pdf":
		dot, err := exec.LookPath("dot")
		if err != nil {
			return fmt.Errorf("graph: visualize %s: Graphviz's dot is not installed (write a .dot file instead): %w", path, err)
		}
		cmd := exec.Command(dot, "-T"+ext, "-o", path)
		cmd.Stdin = buf
		if msg, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("graph: visualize %s: dot: %v: %s", path, err, msg)
		}
		return nil
	}
	return fmt.Errorf("graph: visualize %s: unknown format %q (want .dot, .svg, .png or .pdf)", path, ext)
}
