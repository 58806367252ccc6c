package dash

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
)

// WriteMetrics writes the hub's totals in the Prometheus text exposition
// format (version 0.0.4).
func WriteMetrics(w io.Writer, h *Hub) error {
	st := h.Totals()
	bw := bufio.NewWriter(w)
	counter := func(name, help string, v int64) {
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
	}
	gauge := func(name, help string, v int64) {
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s gauge\n%s %d\n", name, help, name, name, v)
	}
	counter("godask_runs_total", "Scheduler runs started.", st.Runs)
	counter("godask_tasks_finished_total", "Tasks computed.", st.Finished)
	counter("godask_tasks_failed_total", "Tasks that failed.", st.Failed)
	counter("godask_values_spilled_total", "Values written to spill files.", st.Spilled)
	counter("godask_spilled_bytes_total", "Bytes of values spilled.", st.SpilledBytes)
	counter("godask_values_loaded_total", "Spilled values (or parts) read back.", st.Loaded)
	counter("godask_loaded_bytes_total", "Bytes read back from spill files.", st.LoadedBytes)
	var running, waiting, held, spilled, limit int64
	if runs := h.Runs(); len(runs) > 0 {
		cur := runs[len(runs)-1]
		gs, _ := cur.Progress()
		for _, g := range gs {
			running += g.Running
			waiting += g.Waiting
		}
		cur.mu.Lock()
		held, spilled, limit = cur.lastMem.Held, cur.lastMem.Spilled, cur.lastMem.Limit
		cur.mu.Unlock()
	}
	gauge("godask_tasks_running", "Tasks running in the latest run.", running)
	gauge("godask_tasks_waiting", "Tasks not yet run in the latest run.", waiting)
	gauge("godask_memory_held_bytes", "Bytes of values held in memory (latest sample).", held)
	gauge("godask_memory_spilled_bytes", "Bytes of values on disk (latest sample).", spilled)
	gauge("godask_memory_limit_bytes", "The latest run's memory limit (0: none).", limit)
	fmt.Fprintf(bw, "# HELP godask_task_seconds_total Time spent in tasks, by op.\n# TYPE godask_task_seconds_total counter\n")
	ops := make([]string, 0, len(st.TaskSeconds))
	for op := range st.TaskSeconds {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		fmt.Fprintf(bw, "godask_task_seconds_total{op=\"%s\"} %g\n", escapeLabel(op), st.TaskSeconds[op])
	}
	fmt.Fprintf(bw, "# HELP godask_process_cpu_seconds_total CPU time of the process.\n# TYPE godask_process_cpu_seconds_total counter\ngodask_process_cpu_seconds_total %g\n", cpuSeconds())
	return bw.Flush()
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
