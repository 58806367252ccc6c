package array

import (
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

type numpyStats struct {
	Percentile []struct {
		X, P   []string
		Q      []float64
		Median string
	}
	Histogram []struct {
		X      []string
		Bins   int
		Range  []float64
		Counts []int64
		Edges  []string
	}
	Unique []struct {
		X, Values []string
		Counts    []int64
	}
}

func fixtureFloats(t *testing.T, s []string) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = f
	}
	return out
}

func sameF(a, b float64) bool { return a == b || a != a && b != b }

// TestStatsNumPyFixture checks Percentile, Median, Histogram and Unique
// against answers NumPy 1.24 wrote (testdata/gen_stats.py).
func TestStatsNumPyFixture(t *testing.T) {
	b, err := os.ReadFile("testdata/stats_numpy.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx numpyStats
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(5))
	for ci, c := range fx.Percentile {
		x := fixtureFloats(t, c.X)
		a := FromSlice(x, []int{len(x)}, withEmpty(rng, []int{len(x)}))
		got := computeModes(t, a.Percentile(c.Q))
		for i, w := range fixtureFloats(t, c.P) {
			if !sameF(got.Data[i], w) {
				t.Errorf("case %d percentile %v of %v: %v, NumPy %v", ci, c.Q[i], x, got.Data[i], w)
			}
		}
		med := computeModes(t, a.Median())
		if w, _ := strconv.ParseFloat(c.Median, 64); !sameF(med.Data[0], w) {
			t.Errorf("case %d median of %v: %v, NumPy %v", ci, x, med.Data[0], w)
		}
	}
	for ci, c := range fx.Histogram {
		x := fixtureFloats(t, c.X)
		a := FromSlice(x, []int{len(x)}, withEmpty(rng, []int{len(x)}))
		cnt, edges := a.Histogram(c.Bins, c.Range...)
		gc, ge := computeModes(t, cnt), computeModes(t, edges)
		if !slices.Equal(gc.I64, c.Counts) {
			t.Errorf("case %d histogram of %v: %v, NumPy %v", ci, x, gc.I64, c.Counts)
		}
		for i, w := range fixtureFloats(t, c.Edges) {
			if ge.Data[i] != w {
				t.Errorf("case %d edge %d: %v, NumPy %v", ci, i, ge.Data[i], w)
			}
		}
	}
	for ci, c := range fx.Unique {
		x := fixtureFloats(t, c.X)
		a := FromSlice(x, []int{len(x)}, withEmpty(rng, []int{len(x)}))
		v, n := a.Unique()
		gv, gn := computeModes(t, v), computeModes(t, n)
		want := fixtureFloats(t, c.Values)
		if len(gv.Data) != len(want) || !slices.Equal(gn.I64, c.Counts) {
			t.Fatalf("case %d unique of %v: %v %v, NumPy %v %v", ci, x, gv.Data, gn.I64, want, c.Counts)
		}
		for i, w := range want {
			if !sameF(gv.Data[i], w) {
				t.Errorf("case %d unique value %d: %v, NumPy %v", ci, i, gv.Data[i], w)
			}
		}
	}
}

// bruteQuantile is numpy's 'linear' quantile on a sorted copy.
func bruteQuantile(x []float64, q float64) float64 {
	s := append([]float64{}, x...)
	sort.Float64s(s)
	if s[len(s)-1] != s[len(s)-1] || slices.ContainsFunc(s, math.IsNaN) {
		return math.NaN()
	}
	n := len(s)
	v := float64(n-1) * q
	if v >= float64(n-1) {
		return s[n-1]
	}
	if v < 0 {
		return s[0]
	}
	lo := int(math.Floor(v))
	g := v - float64(lo)
	d := s[lo+1] - s[lo]
	if g >= 0.5 {
		return s[lo+1] - d*(1-g)
	}
	return s[lo] + d*g
}

func TestPercentileRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	qs := []float64{0, 1, 25, 50, 73.5, 90, 99, 100}
	for trial := 0; trial < 10; trial++ {
		n := 1 + rng.Intn(300)
		x := make([]float64, n)
		for i := range x {
			switch rng.Intn(8) {
			case 0:
				x[i] = float64(rng.Intn(4)) // ties
			case 1:
				x[i] = -x[max(i-1, 0)]
			default:
				x[i] = rng.NormFloat64() * math.Pow(10, float64(rng.Intn(20)-10))
			}
		}
		if trial%7 == 3 {
			x[rng.Intn(n)] = math.NaN()
		}
		shape := []int{n}
		a := FromSlice(x, shape, withEmpty(rng, shape))
		got := computeModes(t, a.Percentile(qs))
		gq := computeModes(t, a.Quantile([]float64{0.5}))
		for i, q := range qs {
			if w := bruteQuantile(x, q/100); !sameF(got.Data[i], w) {
				t.Fatalf("trial %d percentile %v of %d values: %v, want %v", trial, q, n, got.Data[i], w)
			}
		}
		if w := bruteQuantile(x, 0.5); !sameF(gq.Data[0], w) {
			t.Fatalf("quantile 0.5: %v want %v", gq.Data[0], w)
		}
	}
	// int64 extremes: exact selection (the answer is float64, as NumPy).
	v := []int64{math.MaxInt64, math.MinInt64, 1 << 60, 1<<60 + 1, 7, -7}
	a := FromDense(int64Dense(v, len(v)), Regular{2})
	got := computeModes(t, a.Percentile([]float64{0, 100}))
	if got.Data[0] != float64(math.MinInt64) || got.Data[1] != float64(math.MaxInt64) {
		t.Fatalf("int64 percentile 0, 100: %v", got)
	}
	// Along an axis whose other axis is chunked.
	m := make([]float64, 6*11)
	for i := range m {
		m[i] = rng.NormFloat64()
	}
	ma := FromSlice(m, []int{6, 11}, Regular{2, 4})
	for ax := 0; ax < 2; ax++ {
		got := computeModes(t, ma.Percentile([]float64{10, 50}, ax))
		med := computeModes(t, ma.Median(ax))
		no, nl := 11, 6
		if ax == 1 {
			no, nl = 6, 11
		}
		if !slices.Equal(got.Shape, []int{2, no}) {
			t.Fatalf("percentile along %d: shape %v", ax, got.Shape)
		}
		for o := 0; o < no; o++ {
			lane := make([]float64, nl)
			for k := range lane {
				if ax == 0 {
					lane[k] = m[k*11+o]
				} else {
					lane[k] = m[o*11+k]
				}
			}
			for qi, q := range []float64{0.1, 0.5} {
				if w := bruteQuantile(lane, q); got.Data[qi*no+o] != w {
					t.Fatalf("axis %d lane %d q %v: %v want %v", ax, o, q, got.Data[qi*no+o], w)
				}
			}
			s := append([]float64{}, lane...)
			sort.Float64s(s)
			w := s[nl/2]
			if nl%2 == 0 {
				w = (s[nl/2-1] + s[nl/2]) / 2
			}
			if med.Data[o] != w {
				t.Fatalf("median axis %d lane %d: %v want %v", ax, o, med.Data[o], w)
			}
		}
	}
}

func TestSortRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	for trial := 0; trial < 14; trial++ {
		n := rng.Intn(400)
		x := make([]float64, n)
		for i := range x {
			switch rng.Intn(6) {
			case 0:
				x[i] = float64(rng.Intn(3))
			case 1:
				x[i] = math.Inf(2*rng.Intn(2) - 1)
			case 2:
				if rng.Intn(4) == 0 {
					x[i] = math.NaN()
				} else {
					x[i] = rng.NormFloat64()
				}
			default:
				x[i] = rng.NormFloat64()
			}
		}
		shape := []int{n}
		ch := withEmpty(rng, shape)
		if trial%3 == 0 {
			ch = Explicit{regularChunks(n, 1+n/8+rng.Intn(30))}
		}
		a := FromSlice(x, shape, ch)
		got := computeModes(t, a.Sort(0))
		want := append([]float64{}, x...)
		sort.Float64s(want) // NaN first here: move them last as NumPy
		k := 0
		for k < len(want) && want[k] != want[k] {
			k++
		}
		want = append(want[k:], want[:k]...)
		for i := range want {
			if !sameF(got.Data[i], want[i]) {
				t.Fatalf("trial %d sort of %d values in %v at %d: %v, want %v", trial, n, ch, i, got.Data[i], want[i])
			}
		}
		// ArgSort: stable.
		gi := computeModes(t, a.ArgSort(0))
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		key := func(v float64) float64 {
			if v != v {
				return math.Inf(1)
			}
			return v
		}
		sort.SliceStable(idx, func(i, j int) bool {
			vi, vj := x[idx[i]], x[idx[j]]
			if vi != vi || vj != vj {
				return vj != vj && vi == vi
			}
			return key(vi) < key(vj) || vi == vj && math.Signbit(vi) && !math.Signbit(vj)
		})
		for i := range idx {
			if gi.I64[i] != int64(idx[i]) {
				t.Fatalf("trial %d argsort of %v in %v at %d: %v, want %v", trial, x, ch, i, gi.I64, idx)
			}
		}
	}
	// int64 extremes and a 2-d sort along each axis.
	v := randInt64s(rng, 50)
	a := FromDense(int64Dense(v, 50), Regular{7})
	got := computeModes(t, a.Sort(0))
	w := slices.Clone(v)
	slices.Sort(w)
	if !slices.Equal(got.I64, w) {
		t.Fatalf("int64 sort: %v want %v", got.I64, w)
	}
	m := make([]float64, 5*9)
	for i := range m {
		m[i] = float64(rng.Intn(10))
	}
	ma := FromSlice(m, []int{5, 9}, Regular{2, 4})
	for ax := 0; ax < 2; ax++ {
		s := computeModes(t, ma.Sort(ax))
		for o := 0; o < 9+ax*(5-9); o++ {
			var lane, gl []float64
			for k := 0; k < 5+ax*4; k++ {
				i := k*9 + o
				if ax == 1 {
					i = o*9 + k
				}
				lane, gl = append(lane, m[i]), append(gl, s.Data[i])
			}
			sort.Float64s(lane)
			if !slices.Equal(lane, gl) {
				t.Fatalf("sort axis %d lane %d: %v want %v", ax, o, gl, lane)
			}
		}
	}
}

func TestTopKDiffBincount(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	x := make([]float64, 4*30)
	for i := range x {
		x[i] = float64(rng.Intn(50))
	}
	a := FromSlice(x, []int{4, 30}, Regular{3, 4})
	for _, k := range []int{3, -5, 30} {
		got := computeModes(t, a.TopK(k, 1))
		for r := 0; r < 4; r++ {
			lane := slices.Clone(x[r*30 : (r+1)*30])
			sort.Float64s(lane)
			kk := k
			if k > 0 {
				slices.Reverse(lane)
			} else {
				kk = -k
			}
			if !slices.Equal(got.Data[r*kk:(r+1)*kk], lane[:kk]) {
				t.Fatalf("topk %d row %d: %v want %v", k, r, got.Data[r*kk:(r+1)*kk], lane[:kk])
			}
		}
	}
	if err := a.TopK(31, 1).Err(); err == nil || !strings.Contains(err.Error(), "TopK") {
		t.Fatalf("topk too large: %v", err)
	}
	// Diff of order 2 along axis 1.
	d := computeModes(t, a.Diff(2, 1))
	for r := 0; r < 4; r++ {
		for j := 0; j < 28; j++ {
			w := x[r*30+j+2] - 2*x[r*30+j+1] + x[r*30+j]
			if d.Data[r*28+j] != w {
				t.Fatalf("diff at %d,%d: %v want %v", r, j, d.Data[r*28+j], w)
			}
		}
	}
	// Bincount with and without weights, against a loop.
	v := make([]int64, 57)
	w := make([]float64, 57)
	for i := range v {
		v[i] = int64(rng.Intn(12))
		w[i] = rng.Float64()
	}
	b := FromDense(int64Dense(v, 57), withEmpty(rng, []int{57}))
	wa := FromSlice(w, []int{57}, Regular{10})
	gc := computeModes(t, b.Bincount(nil, 20))
	gw := computeModes(t, b.Bincount(wa, 0))
	wc := make([]int64, 20)
	ww := make([]float64, slices.Max(v)+1)
	for i, e := range v {
		wc[e]++
		ww[e] += w[i]
	}
	if !slices.Equal(gc.I64, wc) {
		t.Fatalf("bincount: %v want %v", gc.I64, wc)
	}
	for i := range ww {
		if math.Abs(gw.Data[i]-ww[i]) > 1e-12 {
			t.Fatalf("weighted bincount: %v want %v", gw.Data, ww)
		}
	}
}

func TestStatsBadInput(t *testing.T) {
	x := FromSlice([]float64{1, 2, 3}, []int{3}, Regular{2})
	c, _ := x.Histogram(0)
	c2, _ := x.Histogram(5, 3, 1)
	c3, _ := x.Histogram(5, 0, math.Inf(1))
	i := FromDense(int64Dense([]int64{1, -2, 3}, 3), Regular{2})
	for _, tc := range []struct {
		a    *Array
		want string
	}{
		{x.Percentile([]float64{101}), "Percentile: q[0] = 101 is outside [0, 100]"},
		{x.Percentile([]float64{math.NaN()}), "outside [0, 100]"},
		{x.Quantile([]float64{-0.1}), "Quantile: q[0] = -0.1 is outside [0, 1]"},
		{x.Percentile([]float64{50}, 3), "axis 3 out of range"},
		{c, "Histogram: bins 0 must be positive"},
		{c2, "max must be larger than min"},
		{c3, "not finite"},
		{x.Bincount(nil, 0), "Bincount of float64"},
		{i.Bincount(nil, -1), "minlength -1"},
		{x.Sort(1), "Sort of shape (3,): axis 1 out of range"},
		{x.TopK(0, 0), "TopK: k = 0"},
		{x.Diff(-1, 0), "Diff: order n = -1"},
		{x.NanMax(2), "nanmax over axes [2]"},
	} {
		if err := tc.a.Err(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error containing %q", err, tc.want)
		}
	}
	if _, err := i.Bincount(nil, 0).Compute(ctx); err == nil || !strings.Contains(err.Error(), "negative value -2") {
		t.Errorf("bincount of a negative: %v", err)
	}
	n := FromSlice([]float64{math.NaN(), 1}, []int{2}, Regular{1})
	if _, err := n.Histogram(3); err.Err() != nil {
		t.Fatal(err.Err())
	}
	cn, _ := n.Histogram(3)
	if _, err := cn.Compute(ctx); err == nil || !strings.Contains(err.Error(), "not finite") {
		t.Errorf("histogram with NaN and no range: %v", err)
	}
}
