package dash

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Report is what an offline report holds: every frame field the page
// draws, with the whole recorded task stream, plus the graph and the per-op
// table of each run.
type Report struct {
	Frame
	Graphs []GraphInfo `json:"graphs"`
	Errors []TaskErr   `json:"errors"`
}

// WriteReport writes the hub's state as one self-contained HTML file: the
// page's own script and style inlined, the data as JSON, nothing fetched.
func WriteReport(path string, h *Hub) error {
	h.collect()
	var c cursor
	f := h.frame(&c, len(h.ring))
	f.Report = true
	rep := Report{Frame: f}
	for _, r := range h.Runs() {
		rep.Graphs = append(rep.Graphs, r.Graph())
	}
	rep.Errors, _ = h.allErrors()
	b, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("sched: report %s: %w", path, err)
	}
	// "</script>" cannot appear in JSON strings once < is escaped, which
	// encoding/json does by default.
	page := PageHTML("", "", "inline", string(b))
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("sched: report %s: %w", path, err)
		}
	}
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		return fmt.Errorf("sched: report %s: %w", path, err)
	}
	return nil
}

func (h *Hub) allErrors() ([]TaskErr, int) {
	var all []TaskErr
	total := 0
	for _, run := range h.Runs() {
		errs, n := run.Errors()
		all = append(all, errs...)
		total += n
	}
	return all, total
}
