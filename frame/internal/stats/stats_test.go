package stats

import (
	"math"
	"math/rand"
	"sort"
	"testing"
)

func TestMomentsMergeMatchesDirect(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for trial := 0; trial < 50; trial++ {
		n := 1 + rng.Intn(200)
		v := make([]float64, n)
		for i := range v {
			v[i] = 1e6 + rng.ExpFloat64()*3 // offset: the naive power sums would cancel
		}
		// two-pass reference
		var s float64
		for _, x := range v {
			s += x
		}
		mean := s / float64(n)
		var m2, m3, m4 float64
		for _, x := range v {
			d := x - mean
			m2 += d * d
			m3 += d * d * d
			m4 += d * d * d * d
		}
		// merge random pieces, some empty
		var all Moments
		for lo := 0; lo < n; {
			hi := lo + rng.Intn(n-lo+1)
			var p Moments
			for _, x := range v[lo:hi] {
				p.Add(x)
			}
			all.Merge(p)
			lo = hi
		}
		for _, c := range [][2]float64{{all.Mean, mean}, {all.M2, m2}, {all.M3, m3}, {all.M4, m4}} {
			if math.Abs(c[0]-c[1]) > 1e-6*(math.Abs(c[1])+1) {
				t.Fatalf("trial %d: got %v, want %v (n=%d)", trial, c[0], c[1], n)
			}
		}
	}
}

func TestCoMomentsMerge(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	n := 1000
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 1e8 + rng.NormFloat64()
		y[i] = -3*x[i] + rng.NormFloat64()
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/float64(n), my/float64(n)
	var sxx, syy, sxy float64
	for i := range x {
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
		sxy += (x[i] - mx) * (y[i] - my)
	}
	var c CoMoments
	for lo := 0; lo < n; lo += 137 {
		var p CoMoments
		for i := lo; i < min(n, lo+137); i++ {
			p.Add(x[i], y[i])
		}
		c.Merge(p)
	}
	if want := sxy / math.Sqrt(sxx*syy); math.Abs(c.Corr()-want) > 1e-9 {
		t.Fatalf("corr %v, want %v", c.Corr(), want)
	}
	if want := sxy / float64(n-1); math.Abs(c.Cov()-want) > 1e-6*math.Abs(want) {
		t.Fatalf("cov %v, want %v", c.Cov(), want)
	}
}

func TestQuantileSelection(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for trial := 0; trial < 200; trial++ {
		n := 1 + rng.Intn(300)
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(rng.Intn(50)) // many ties
		}
		s := append([]float64(nil), v...)
		sort.Float64s(s)
		q := rng.Float64()
		if trial%10 == 0 {
			q = float64(trial%3) / 2
		}
		got := Quantile(append([]float64(nil), v...), q)
		if want := sortedQuantile(s, q); math.Abs(got-want) > 1e-9 {
			t.Fatalf("n=%d q=%v: %v, want %v", n, q, got, want)
		}
	}
}

func TestSummaryErrorBound(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	var all []float64
	var s Summary
	for p := 0; p < 30; p++ {
		n := rng.Intn(5000)
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		all = append(all, v...)
		s = Merge(s, Summarize(append([]float64(nil), v...), 200))
	}
	sort.Float64s(all)
	for _, q := range []float64{0, 0.01, 0.25, 0.5, 0.9, 0.999, 1} {
		got := s.Quantile(q)
		// the rank of got in all must be within Err of the target rank
		r := float64(sort.SearchFloat64s(all, got))
		target := q * float64(len(all)-1)
		if math.Abs(r-target) > s.Err+1 {
			t.Fatalf("q=%v: rank %v, target %v, err bound %v", q, r, target, s.Err)
		}
	}
	if s.Err > float64(len(all))/200+31 {
		t.Fatalf("error bound %v larger than n/m + P", s.Err)
	}
}
