package ml

import (
	"strings"
	"sync"
	"testing"

	"github.com/godask/godask/array"
	"github.com/godask/godask/ml/datasets"
	"github.com/godask/godask/sched"
)

// stepCounter counts the Incremental step tasks a run reports.
type stepCounter struct {
	sync.Mutex
	n int
}

func (c *stepCounter) Observe(e sched.Event) {
	if e.Kind == sched.TaskFinished && strings.Contains(e.Label, "inc-step") {
		c.Lock()
		c.n++
		c.Unlock()
	}
}

// Incremental against the partial fits run one after another in the test
// (the reference): the same model bit for bit, over more blocks than a
// window, two epochs in shuffled block order, with an empty block, on
// Loopback (every task and value encoded as a remote worker would), and
// every partial fit a task.
func TestIncrementalChainOfTasks(t *testing.T) {
	X0, y0 := datasets.MakeClassification(5300, 250, datasets.Classification{Informative: 4, Features: 6, Seed: 9})
	// uneven row chunks with an empty one
	rc := []int{250, 0, 1000, 50}
	for s := 1300; s < 5300; s += 250 {
		rc = append(rc, 250)
	}
	X, y := X0.Rechunk(array.Explicit{rc, {6}}), y0.Rechunk(array.Explicit{rc})
	inc := Incremental{Estimator: SGDClassifier{Loss: "log_loss", Seed: 3}, Epochs: 2, ShuffleBlocks: true, Seed: 11}
	var obs stepCounter
	got, err := inc.Fit(ctx, X, y, append(loop, sched.WithObserver(&obs))...)
	if err != nil {
		t.Fatal(err)
	}
	xd, err := X.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	yd, _ := y.Compute(ctx)
	starts := []int{0}
	for _, c := range rc {
		starts = append(starts, starts[len(starts)-1]+c)
	}
	var want Model
	steps := 0
	for _, b := range inc.incOrder(rc, 2) {
		xb := dense2(xd.Data[starts[b]*6:starts[b+1]*6], rc[b], 6)
		yb := dense1(yd.Data[starts[b]:starts[b+1]])
		if want, err = inc.Estimator.PartialFit(want, xb, yb, []float64{0, 1}); err != nil {
			t.Fatal(err)
		}
		steps++
	}
	if steps != 2*(len(rc)-1) || steps <= incWindow {
		t.Fatalf("%d steps: the test wants every non-empty block twice, more than a window", steps)
	}
	g, w := got.(*SGDModel), want.(*SGDModel)
	close(t, "coef", g.Coef[0], w.Coef[0], 0)
	close(t, "intercept", g.Intercept, w.Intercept, 0)
	if g.T != w.T || g.Blocks != w.Blocks || g.Blocks != steps {
		t.Fatalf("T %v blocks %d, reference T %v blocks %d (%d steps)", g.T, g.Blocks, w.T, w.Blocks, steps)
	}
	if obs.n != steps {
		t.Fatalf("%d step tasks ran, want %d", obs.n, steps)
	}
	// in block order, the blocks are visited in order
	if o := (Incremental{}).incOrder([]int{3, 0, 2}, 2); len(o) != 4 || o[0] != 0 || o[1] != 2 || o[2] != 0 || o[3] != 2 {
		t.Fatalf("block order %v", o)
	}
}

// MiniBatchKMeans runs through Incremental without y; an unregistered
// PartialFitter and a classifier without y are clear errors.
func TestIncrementalUnsupervisedAndErrors(t *testing.T) {
	X, _, _ := datasets.MakeBlobs(3000, 500, datasets.Blobs{Features: 3, Centers: 3, Std: 0.2, Seed: 4})
	m, err := Incremental{Estimator: MiniBatchKMeans{NClusters: 3, Seed: 1}}.Fit(ctx, X, nil, loop...)
	if err != nil {
		t.Fatal(err)
	}
	mk := m.(*MiniBatchKMeansModel)
	if mk.Blocks != 6 || len(mk.ClusterCenters) != 3 {
		t.Fatalf("%d blocks, %d centres", mk.Blocks, len(mk.ClusterCenters))
	}
	if _, err := (Incremental{Estimator: userFitter{}}).Fit(ctx, X, nil); err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Fatalf("unregistered fitter: %v", err)
	}
	if _, err := (Incremental{Estimator: SGDClassifier{}}).Fit(ctx, X, nil); err == nil || !strings.Contains(err.Error(), "y is required") {
		t.Fatalf("classifier without y: %v", err)
	}
	if _, err := (Incremental{Estimator: SGDRegressor{}}).Fit(ctx, X, nil); err == nil || !strings.Contains(err.Error(), "SGDRegressor: PartialFit needs y") {
		t.Fatalf("regressor without y: %v", err)
	}
}

type userFitter struct{}

func (userFitter) PartialFit(m Model, x, y *array.Dense, classes []float64) (Model, error) {
	return m, nil
}
