package frame

import "github.com/godask/godask/graph"

// Visualize writes the task graph of the frame, after the plan optimizer, to
// path: DOT text for a .dot file, a picture for .svg, .png or .pdf when
// Graphviz's dot is installed.
func (f *Frame) Visualize(path string) error {
	g, err := f.Graph()
	if err != nil {
		return err
	}
	return graph.Visualize(g, path, f.Keys()...)
}
