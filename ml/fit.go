package ml

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/godask/godask/array"
	"github.com/godask/godask/sched"
)

// rowFitter is implemented by every estimator of this package: the fit on
// rows that both Fit (lazy arrays) and the in-task fits of model selection
// use.
type rowFitter interface {
	Estimator
	estName() string
	fitRows(ctx context.Context, r rows) (Model, error)
	// supervised reports whether fitRows needs y.
	supervised() bool
}

// fitArrays validates X (and y when e is supervised) and runs e's fit.
func fitArrays(ctx context.Context, e rowFitter, X, y *array.Array, opts []sched.Option) (Model, error) {
	x, err := checkX(e.estName(), X)
	if err != nil {
		return nil, err
	}
	var yy *array.Array
	if e.supervised() {
		if yy, err = checkY(e.estName(), y, x); err != nil {
			return nil, err
		}
	}
	m, err := e.fitRows(ctx, &lazyRows{x: x, y: yy, opts: opts})
	if err != nil {
		return nil, fmt.Errorf("ml: %s: fit: %w", e.estName(), err)
	}
	return m, nil
}

func init() {
	registerPass("ml.classes", &passKernel{
		block: func(_ []byte, _ int, _, y *array.Dense) ([]float64, error) {
			seen := map[float64]bool{}
			out := make([]float64, maxClasses+1)
			for i := range out {
				out[i] = math.NaN()
			}
			for _, v := range y.Data {
				if !seen[v] {
					seen[v] = true
					if len(seen) > maxClasses {
						return nil, fmt.Errorf("y holds more than %d distinct labels: is this a regression target?", maxClasses)
					}
				}
			}
			vs := make([]float64, 0, len(seen))
			for v := range seen {
				vs = append(vs, v)
			}
			sort.Float64s(vs)
			copy(out, vs)
			return out, nil
		},
		merge: func(_ []byte, dst, src []float64) {
			seen := map[float64]bool{}
			for _, v := range append(append([]float64(nil), dst...), src...) {
				if !math.IsNaN(v) {
					seen[v] = true
				}
			}
			vs := make([]float64, 0, len(seen))
			for v := range seen {
				vs = append(vs, v)
			}
			sort.Float64s(vs)
			for i := range dst {
				dst[i] = math.NaN()
			}
			if len(vs) > maxClasses {
				dst[maxClasses] = math.Inf(1) // overflow flag
				vs = vs[:maxClasses]
			}
			copy(dst, vs)
		},
	})
}

const maxClasses = 1000

// classesOf returns the sorted distinct labels of y (at most maxClasses),
// one pass; est names the estimator in errors. Fewer than two is an error.
func classesOf(ctx context.Context, est string, r rows) ([]float64, error) {
	out, err := r.pass(ctx, "ml.classes", nil, maxClasses+1, true)
	if err != nil {
		return nil, err
	}
	if math.IsInf(out[maxClasses], 1) {
		return nil, fmt.Errorf("y holds more than %d distinct labels: is this a regression target?", maxClasses)
	}
	var cs []float64
	for _, v := range out[:maxClasses] {
		if !math.IsNaN(v) {
			cs = append(cs, v)
		}
	}
	if len(cs) < 2 {
		return nil, fmt.Errorf("y holds a single class %v: a classifier needs at least two", cs)
	}
	return cs, nil
}

// classIndex returns the index of label v in the sorted classes, or -1.
func classIndex(classes []float64, v float64) int {
	if len(classes) <= 8 {
		for i, c := range classes {
			if c == v {
				return i
			}
		}
		return -1
	}
	i := sort.SearchFloat64s(classes, v)
	if i < len(classes) && classes[i] == v {
		return i
	}
	return -1
}

func noModel(est, what string) *array.Array {
	return array.Zeros([]int{0}, nil).WithErr(errf(est, "%s before Fit (the model is nil or empty)", what))
}

// dense1 and dense2 wrap results as blocks.
func dense1(v []float64) *array.Dense {
	d, _ := array.NewDenseFloat64(v, len(v))
	return d
}

func dense2(v []float64, r, c int) *array.Dense {
	d, _ := array.NewDenseFloat64(v, r, c)
	return d
}

// cols returns the number of columns of a 2-D block, checking it is want.
func blockCols(est string, x *array.Dense, want int) error {
	if len(x.Shape) != 2 || x.Shape[1] != want {
		return fmt.Errorf("ml: %s: block of shape %v, the model was fitted on %d features", est, x.Shape, want)
	}
	return nil
}
