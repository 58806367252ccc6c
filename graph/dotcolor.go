package graph

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"time"
)

// TaskStat is what a run measured of one task, for DOTOptions.Stats: how
// long it ran and its place in the order tasks finished (0 first).
type TaskStat struct {
	Duration time.Duration
	Order    int
}

// DOTOptions choose what WriteDOTWith and VisualizeWith draw.
type DOTOptions struct {
	// Outputs are drawn bold.
	Outputs []Key
	// Color is how tasks are filled: "" (none), "op" (one hue per op
	// label), "duration" (pale to dark red, on a log scale of Stats'
	// durations) or "order" (blue to yellow in the order the tasks ran,
	// Dask's visualize(color="order"); the order is in the label too).
	// Tasks with no entry in Stats are grey.
	Color string
	// Stats are a run's measurements by key (sched.TaskRecorder collects
	// them); "duration" and "order" need them. Run with sched.WithoutFusion
	// to measure every task of the unfused graph.
	Stats map[Key]TaskStat
}

// WriteDOTWith is WriteDOT with tasks coloured as o says.
func WriteDOTWith(w io.Writer, g *Graph, o DOTOptions) error {
	switch o.Color {
	case "", "op", "duration", "order":
	default:
		return fmt.Errorf("graph: DOT colour %q: want \"op\", \"duration\" or \"order\"", o.Color)
	}
	if (o.Color == "duration" || o.Color == "order") && len(o.Stats) == 0 {
		return fmt.Errorf("graph: DOT colour %q needs the statistics of a run (DOTOptions.Stats)", o.Color)
	}
	out := map[Key]bool{}
	for _, k := range o.Outputs {
		out[k] = true
	}
	var minD, maxD float64 = math.Inf(1), 0
	maxOrder := 0
	for _, s := range o.Stats {
		d := float64(s.Duration)
		if d > 0 {
			minD, maxD = math.Min(minD, d), math.Max(maxD, d)
		}
		if s.Order > maxOrder {
			maxOrder = s.Order
		}
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "digraph godask {")
	fmt.Fprintln(bw, "  rankdir=BT;")
	fmt.Fprintln(bw, `  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica"];`)
	for i, t := range g.Tasks() {
		label := LabelOf(t.Op)
		tip := string(t.Key)
		st, measured := o.Stats[t.Key]
		fill := "white"
		switch o.Color {
		case "op":
			fill = opColor(label)
		case "duration":
			fill = "#dddddd"
			if measured {
				f := 0.0
				if maxD > minD && st.Duration > 0 {
					f = math.Log(float64(st.Duration)/minD) / math.Log(maxD/minD)
				}
				fill = ramp(f, [3]float64{255, 245, 235}, [3]float64{165, 15, 21})
				tip += " " + st.Duration.String()
			}
		case "order":
			fill = "#dddddd"
			if measured {
				f := 0.0
				if maxOrder > 0 {
					f = float64(st.Order) / float64(maxOrder)
				}
				fill = ramp(f, [3]float64{68, 1, 84}, [3]float64{253, 231, 37})
				label = fmt.Sprintf("%d: %s", st.Order, label)
			}
		}
		style := "rounded,filled"
		if out[t.Key] {
			style += ",bold"
		}
		font := "black"
		if o.Color == "order" && measured && float64(st.Order) < 0.6*float64(maxOrder) {
			font = "white"
		}
		fmt.Fprintf(bw, "  n%d [label=%q, tooltip=%q, style=%q, fillcolor=%q, fontcolor=%q];\n", i, label, tip, style, fill, font)
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

// VisualizeWith is Visualize with tasks coloured as o says.
func VisualizeWith(g *Graph, path string, o DOTOptions) error {
	var buf bytes.Buffer
	if err := WriteDOTWith(&buf, g, o); err != nil {
		return fmt.Errorf("graph: visualize %s: %w", path, err)
	}
	return render(&buf, path)
}

// opColor is a stable colour per op label (the dashboard's hues).
func opColor(label string) string {
	h := fnv.New32a()
	h.Write([]byte(label))
	hue := float64(h.Sum32()%360) / 360
	return fmt.Sprintf("%.3f 0.45 0.95", hue) // Graphviz HSV
}

// ramp interpolates between two RGB colours.
func ramp(f float64, a, b [3]float64) string {
	f = math.Max(0, math.Min(1, f))
	c := func(i int) int { return int(a[i] + (b[i]-a[i])*f + 0.5) }
	return fmt.Sprintf("#%02x%02x%02x", c(0), c(1), c(2))
}
