package dashboard_test

import (
	"context"
	"testing"

	"github.com/godask/godask/graph"
	"github.com/godask/godask/sched"
	"github.com/godask/godask/sched/dashboard"
)

// BenchmarkOverhead runs a 2^16-leaf sum tree with no observer, with a no-op
// observer (what any observer costs the scheduler: clocks and events), and
// with the dashboard serving; ns/op is per run, divide by 131071 tasks.
func BenchmarkOverhead(b *testing.B) {
	g, root := tree(1 << 16)
	run := func(b *testing.B, opts ...sched.Option) {
		opts = append(opts, sched.WithProgress(nil))
		for i := 0; i < b.N; i++ {
			if _, err := sched.Run(context.Background(), g, []graph.Key{root}, opts...); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("none", func(b *testing.B) { run(b) })
	b.Run("noop-observer", func(b *testing.B) { run(b, sched.WithObserver(sched.ObserverFunc(func(sched.Event) {}))) })
	b.Run("dashboard", func(b *testing.B) {
		srv, err := dashboard.Serve("", dashboard.WithOutput(nil))
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Close()
		run(b)
	})
}
