package frame

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

// pandasFixture is testdata/window_fixtures.json, made by
// testdata/gen_window_fixtures.py with pandas.
type pandasFixture struct {
	X, Y, V         []*float64
	Z               []float64
	G, S            []string
	TS              []int64
	RollingStd5     []*float64 `json:"rolling_std_5"`
	RollingStd5Min2 []*float64 `json:"rolling_std_5_min2"`
	RollingStd2h    []*float64 `json:"rolling_std_2h"`
	RollingMean7    []*float64 `json:"rolling_mean_7"`
	Skew, Kurt      []*float64
	Describe        map[string][]*float64
	DescribeS       []string `json:"describe_s"`
	Quantiles       map[string][]*float64
	Corr, Cov       []*float64
	GroupCorr       map[string]*float64 `json:"group_corr"`
	GroupSkew       map[string]float64  `json:"group_skew"`
	GroupQuantile   map[string]float64  `json:"group_quantile"`
	Rank            map[string][]*float64
	ModeV           []float64 `json:"mode_v"`
}

func loadPandasFixture(t *testing.T) (*pandasFixture, *Frame) {
	t.Helper()
	b, err := os.ReadFile("testdata/window_fixtures.json")
	if err != nil {
		t.Fatal(err)
	}
	var p pandasFixture
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	nan := func(a []*float64) []float64 {
		out := make([]float64, len(a))
		for i, v := range a {
			out[i] = math.NaN()
			if v != nil {
				out[i] = *v
			}
		}
		return out
	}
	ts := make([]time.Time, len(p.TS))
	for i, v := range p.TS {
		ts[i] = time.UnixMicro(v)
	}
	// Uneven partitions with empty ones: 7 parts over 240 rows, cut below.
	f := FromColumns(1, Column{"x", nan(p.X)}, Column{"y", nan(p.Y)}, Column{"z", p.Z}, Column{"g", p.G},
		Column{"v", nan(p.V)}, Column{"ts", ts}, Column{"s", p.S})
	tb, err := f.Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := tb.Record()
	cuts := []int64{0, 0, 13, 13, 100, 101, 180, 240, 240}
	var parts []*Frame
	for i := 0; i+1 < len(cuts); i++ {
		parts = append(parts, FromRecords(r.NewSlice(cuts[i], cuts[i+1])))
	}
	return &p, Concat(parts...)
}

func fixtureFloats(a []*float64) ([]float64, []bool) {
	v, ok := make([]float64, len(a)), make([]bool, len(a))
	for i, e := range a {
		if e != nil {
			v[i], ok[i] = *e, true
		}
	}
	return v, ok
}

func TestWindowsAgainstPandas(t *testing.T) {
	ctx := context.Background()
	p, f := loadPandasFixture(t)
	if f.NPartitions() != 8 {
		t.Fatalf("%d partitions", f.NPartitions())
	}
	for _, c := range []struct {
		name string
		f    *Frame
		want []*float64
	}{
		{"rolling(5).std", f.Rolling(5).Std("x"), p.RollingStd5},
		{"rolling(5, min_periods=2).std", f.Rolling(5).MinPeriods(2).Std("x"), p.RollingStd5Min2},
		{"rolling(2h).std", f.RollingTime(2 * time.Hour).On("ts").Std("x"), p.RollingStd2h},
		{"rolling(7).mean", f.Rolling(7).Mean("x"), p.RollingMean7},
	} {
		tb, err := c.f.Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		g, gok := gotFloats(t, tb, "x")
		w, wok := fixtureFloats(c.want)
		checkFloats(t, c.name, g, gok, w, wok, 1e-9)
	}
}

func TestStatsAgainstPandas(t *testing.T) {
	ctx := context.Background()
	p, f := loadPandasFixture(t)
	check := func(name string, got any, want *float64) {
		t.Helper()
		g, ok := got.(float64)
		if want == nil {
			if got != nil {
				t.Errorf("%s: %v, want null", name, got)
			}
			return
		}
		if !ok || math.Abs(g-*want) > 1e-9*(1+math.Abs(*want)) {
			t.Errorf("%s: %v, want %v", name, got, *want)
		}
	}
	cols := []string{"x", "y", "z"}
	sk, err := f.Skew(cols...).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ku, err := f.Kurt(cols...).Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for j, c := range cols {
		check("skew "+c, sk.Value(0, c), p.Skew[j])
		check("kurt "+c, ku.Value(0, c), p.Kurt[j])
	}
	d, err := f.Describe().Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stats, _ := d.Strings("stat")
	if strings.Join(stats, ",") != "count,mean,std,min,25%,50%,75%,max" {
		t.Fatalf("describe rows %v", stats)
	}
	for _, c := range cols {
		for i := range stats {
			check("describe "+c+" "+stats[i], d.Value(i, c), p.Describe[c][i])
		}
	}
	ds, err := f.Select(Col("s"), Col("g")).Describe().Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := ds.Strings("s"); strings.Join(got, ",") != strings.Join(p.DescribeS, ",") {
		t.Errorf("describe strings %v, want %v", got, p.DescribeS)
	}
	for q, want := range p.Quantiles {
		var qv float64
		if err := json.Unmarshal([]byte(q), &qv); err != nil {
			t.Fatal(err)
		}
		tb, err := f.Quantile(qv, "x", "y").Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		check("quantile x "+q, tb.Value(0, "x"), want[0])
		check("quantile y "+q, tb.Value(0, "y"), want[1])
	}
	for _, fn := range []string{"corr", "cov"} {
		var tb *Table
		want := p.Corr
		if fn == "corr" {
			tb, err = f.Corr(cols...).Compute(ctx)
		} else {
			tb, err = f.Cov(cols...).Compute(ctx)
			want = p.Cov
		}
		if err != nil {
			t.Fatal(err)
		}
		for i := range cols {
			for j, c := range cols {
				check(fn+" "+cols[i]+" "+c, tb.Value(i, c), want[i*3+j])
			}
		}
	}
	gc, err := f.GroupBy("g").Corr("x", "y").Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := f.GroupBy("g").Skew("x").Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gq, err := f.GroupBy("g").Quantile(0.3, "x").Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range []*Table{gc, gs, gq} {
		if tb.NumRows() != len(p.GroupSkew) {
			t.Fatalf("%d groups, want %d", tb.NumRows(), len(p.GroupSkew))
		}
	}
	for i := 0; i < gc.NumRows(); i++ {
		k := gc.Value(i, "g").(string)
		check("group corr "+k, gc.Value(i, "corr"), p.GroupCorr[k])
	}
	for i := 0; i < gs.NumRows(); i++ {
		k := gs.Value(i, "g").(string)
		w := p.GroupSkew[k]
		check("group skew "+k, gs.Value(i, "x"), &w)
	}
	for i := 0; i < gq.NumRows(); i++ {
		k := gq.Value(i, "g").(string)
		w := p.GroupQuantile[k]
		check("group quantile "+k, gq.Value(i, "x"), &w)
	}
	mv, err := f.Mode("v").Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := mv.Float64s("v"); len(got) != len(p.ModeV) || got[0] != p.ModeV[0] {
		t.Errorf("mode %v, want %v", got, p.ModeV)
	}
}

// TestStatsAgainstNaive checks the per-group statistics on random data
// with many partitions (several output pieces, merge trees) against loops.
func TestStatsAgainstNaive(t *testing.T) {
	ctx := context.Background()
	d := newWinData(t, 7, 3000, 40)
	f := d.f
	for _, q := range []float64{0, 0.37, 0.5, 1} {
		tb, err := f.GroupBy("s").SplitOut(3).Quantile(q, "x").Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		groups := map[string][]float64{}
		for r := range d.x {
			if !d.missing(r) {
				groups[d.s[r]] = append(groups[d.s[r]], d.x[r])
			}
		}
		if tb.NumRows() != len(groups) {
			t.Fatalf("%d groups, want %d", tb.NumRows(), len(groups))
		}
		for i := 0; i < tb.NumRows(); i++ {
			vs := groups[tb.Value(i, "s").(string)]
			sort.Float64s(vs)
			pos := q * float64(len(vs)-1)
			lo := int(math.Floor(pos))
			want := vs[lo]
			if lo+1 < len(vs) {
				want += (vs[lo+1] - vs[lo]) * (pos - float64(lo))
			}
			if got := tb.Value(i, "x").(float64); math.Abs(got-want) > 1e-9 {
				t.Fatalf("q=%v group %v: %v, want %v", q, tb.Value(i, "s"), got, want)
			}
		}
	}
	// QuantileApprox stays within its stated rank error.
	var vals []float64
	for r := range d.x {
		if !d.missing(r) {
			vals = append(vals, d.x[r])
		}
	}
	sort.Float64s(vals)
	for _, q := range []float64{0.05, 0.5, 0.95} {
		tb, err := d.f.QuantileApprox(q, 0.01, "x").Compute(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := tb.Value(0, "x").(float64)
		rank := float64(sort.SearchFloat64s(vals, got))
		if bound := 0.01*float64(len(vals)) + 41; math.Abs(rank-q*float64(len(vals)-1)) > bound {
			t.Fatalf("approx q=%v: rank %v of %d, bound %v", q, rank, len(vals), bound)
		}
	}
}

func TestStatsBadInput(t *testing.T) {
	ctx := context.Background()
	f := FromColumns(2, Column{"x", []float64{1, 2, 3}}, Column{"s", []string{"a", "b", "c"}})
	for _, c := range []struct {
		f    *Frame
		want string
	}{
		{f.Quantile(1.5, "x"), "Quantile(1.5): q=1.5 is outside [0, 1]"},
		{f.Quantile(-0.1, "x"), "outside [0, 1]"},
		{f.Quantile(math.NaN(), "x"), "outside [0, 1]"},
		{f.GroupBy("s").Quantile(2, "x"), "GroupBy(s).Quantile(2): q=2 is outside"},
		{f.Quantile(0.5, "s"), `column "s" of type utf8 is not numeric`},
		{f.Corr("x", "nope"), `Corr: no column "nope"`},
		{f.QuantileApprox(0.5, 0, "x"), "eps must be in (0, 1)"},
		{f.Mode("nope"), `Mode("nope"): no such column`},
	} {
		if _, err := c.f.Compute(ctx); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	// Empty input: one row of nulls, no panic.
	e := f.Filter(Col("x").Gt(Lit(10)))
	for _, g := range []*Frame{e.Quantile(0.5, "x"), e.Skew("x"), e.Corr("x"), e.Describe()} {
		if _, err := g.Compute(ctx); err != nil {
			t.Errorf("empty: %v", err)
		}
	}
}
