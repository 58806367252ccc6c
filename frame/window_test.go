package frame

import (
	"context"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// winData is a random frame for the window tests: x float64 with nulls
// and NaN, i int64 with nulls, ts ascending timestamps (with repeats),
// s strings; cut into nparts partitions of random sizes, many empty.
type winData struct {
	x     []float64
	xnull []bool
	i     []int64
	inull []bool
	ts    []int64
	s     []string
	f     *Frame
}

func newWinData(t *testing.T, seed int64, n, nparts int) *winData {
	rng := rand.New(rand.NewSource(seed))
	d := &winData{}
	tcur := int64(1_700_000_000_000_000)
	for r := 0; r < n; r++ {
		v := math.Round(rng.NormFloat64()*1000) / 8
		null := rng.Intn(9) == 0
		if rng.Intn(13) == 0 {
			v = math.NaN()
		}
		d.x, d.xnull = append(d.x, v), append(d.xnull, null)
		d.i, d.inull = append(d.i, int64(rng.Intn(21)-10)), append(d.inull, rng.Intn(7) == 0)
		if rng.Intn(4) != 0 {
			tcur += int64(rng.Intn(40)) * int64(time.Minute/time.Microsecond)
		}
		d.ts = append(d.ts, tcur)
		d.s = append(d.s, []string{"a", "zoë", "日本", ""}[rng.Intn(4)])
	}
	cuts := []int{0, n}
	for k := 0; k < nparts-1; k++ {
		cuts = append(cuts, rng.Intn(n+1))
	}
	sortInts(cuts)
	var recs []arrow.Record
	for k := 0; k+1 < len(cuts); k++ {
		lo, hi := cuts[k], cuts[k+1]
		recs = append(recs, d.record(lo, hi))
	}
	d.f = FromRecords(recs...)
	if d.f.Err() != nil {
		t.Fatal(d.f.Err())
	}
	return d
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

func (d *winData) record(lo, hi int) arrow.Record {
	xv, xok := make([]float64, hi-lo), make([]bool, hi-lo)
	iv, iok := make([]int64, hi-lo), make([]bool, hi-lo)
	sb := newStrBuilder(hi - lo)
	for r := lo; r < hi; r++ {
		xv[r-lo], xok[r-lo] = d.x[r], !d.xnull[r]
		iv[r-lo], iok[r-lo] = d.i[r], !d.inull[r]
		sb.add([]byte(d.s[r]))
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "ts", Type: Timestamp, Nullable: true}, {Name: "x", Type: Float64, Nullable: true},
		{Name: "i", Type: Int64, Nullable: true}, {Name: "s", Type: String, Nullable: true}}, nil)
	return array.NewRecord(schema, []arrow.Array{timeArray(append([]int64(nil), d.ts[lo:hi]...), nil),
		float64Array(xv, xok), int64Array(iv, iok), sb.array()}, int64(hi-lo))
}

// missing reports whether the reference treats row r of x as missing.
func (d *winData) missing(r int) bool { return d.xnull[r] || math.IsNaN(d.x[r]) }

// got reads a float column as values and validity.
func gotFloats(t *testing.T, tb *Table, name string) ([]float64, []bool) {
	t.Helper()
	a := tb.Column(name)
	if a == nil {
		t.Fatalf("no column %q in %v", name, tb.Columns())
	}
	c := colOf(a)
	vals, ok := make([]float64, c.n), make([]bool, c.n)
	for i := 0; i < c.n; i++ {
		if !c.null(i) {
			vals[i], ok[i] = c.float(i), true
		}
	}
	return vals, ok
}

func checkFloats(t *testing.T, what string, got []float64, gok []bool, want []float64, wok []bool, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range want {
		if gok[i] != wok[i] {
			t.Fatalf("%s row %d: valid=%v (%v), want valid=%v (%v)", what, i, gok[i], got[i], wok[i], want[i])
		}
		if !wok[i] {
			continue
		}
		g, w := got[i], want[i]
		if math.IsNaN(w) != math.IsNaN(g) || (!math.IsNaN(w) && math.Abs(g-w) > tol*(1+math.Abs(w))) {
			t.Fatalf("%s row %d: %v, want %v", what, i, g, w)
		}
	}
}

// refRolling is the naive rolling aggregation: every window recomputed.
func (d *winData) refRolling(fn string, n int, dur int64, minp int) ([]float64, []bool) {
	out, ok := make([]float64, len(d.x)), make([]bool, len(d.x))
	for r := range d.x {
		var vs []float64
		for j := r; j >= 0; j-- {
			if dur == 0 && j <= r-n || dur > 0 && d.ts[j] <= d.ts[r]-dur {
				break
			}
			if !d.missing(j) {
				vs = append(vs, d.x[j])
			}
		}
		if len(vs) < minp || len(vs) == 0 && fn != "rsum" && fn != "rcount" {
			if fn == "rcount" {
				out[r] = float64(len(vs))
			}
			continue
		}
		var s, mn, mx float64 = 0, math.Inf(1), math.Inf(-1)
		for _, v := range vs {
			s += v
			mn, mx = math.Min(mn, v), math.Max(mx, v)
		}
		m := s / float64(len(vs))
		var ss float64
		for _, v := range vs {
			ss += (v - m) * (v - m)
		}
		ok[r] = true
		switch fn {
		case "rsum":
			out[r] = s
		case "rmean":
			out[r] = m
		case "rmin":
			out[r] = mn
		case "rmax":
			out[r] = mx
		case "rcount":
			out[r] = float64(len(vs))
		case "rstd", "rvar":
			if len(vs) < 2 {
				ok[r] = false
				continue
			}
			out[r] = ss / float64(len(vs)-1)
			if fn == "rstd" {
				out[r] = math.Sqrt(out[r])
			}
		}
	}
	return out, ok
}

func TestRollingAgainstNaive(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 4; seed++ {
		d := newWinData(t, seed, 300+int(seed)*37, 12)
		for _, n := range []int{1, 3, 17} {
			for _, c := range []struct {
				fn   string
				call func(r *Rolling) *Frame
			}{
				{"rsum", func(r *Rolling) *Frame { return r.Sum("x") }},
				{"rmean", func(r *Rolling) *Frame { return r.Mean("x") }},
				{"rstd", func(r *Rolling) *Frame { return r.Std("x") }},
				{"rvar", func(r *Rolling) *Frame { return r.Var("x") }},
				{"rmin", func(r *Rolling) *Frame { return r.Min("x") }},
				{"rmax", func(r *Rolling) *Frame { return r.Max("x") }},
				{"rcount", func(r *Rolling) *Frame { return r.Count("x") }},
			} {
				minp := []int{n, 1, 0}[seed%3]
				if c.fn == "rstd" || c.fn == "rvar" {
					minp = max(minp, 1)
				}
				tb, err := c.call(d.f.Rolling(n).MinPeriods(minp)).Compute(ctx)
				if err != nil {
					t.Fatal(err)
				}
				g, gok := gotFloats(t, tb, "x")
				w, wok := d.refRolling(c.fn, n, 0, minp)
				checkFloats(t, c.fn, g, gok, w, wok, 1e-9)
				// time windows
				dur := int64(n) * int64(30*time.Minute/time.Microsecond)
				tb, err = c.call(d.f.RollingTime(time.Duration(dur) * time.Microsecond).On("ts")).Compute(ctx)
				if err != nil {
					t.Fatal(err)
				}
				g, gok = gotFloats(t, tb, "x")
				w, wok = d.refRolling(c.fn, 0, dur, 1)
				checkFloats(t, c.fn+" time", g, gok, w, wok, 1e-9)
			}
		}
	}
}

func TestShiftDiffPctAgainstNaive(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 3; seed++ {
		d := newWinData(t, seed, 200, 15)
		for _, k := range []int{0, 1, 2, 7, -1, -5} {
			tb, err := d.f.Shift(k, "x", "i", "s").Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ss, _ := tb.Strings("s")
			ic := colOf(tb.Column("i"))
			g, gok := gotFloats(t, tb, "x")
			w, wok := make([]float64, len(d.x)), make([]bool, len(d.x))
			for r := range d.x {
				j := r - k
				if j < 0 || j >= len(d.x) {
					if !ic.null(r) || tb.Column("s").IsValid(r) {
						t.Fatalf("shift %d row %d: not null", k, r)
					}
					continue
				}
				w[r], wok[r] = d.x[j], !d.xnull[j]
				if ic.null(r) != d.inull[j] || (!d.inull[j] && ic.i64[r] != d.i[j]) || ss[r] != d.s[j] {
					t.Fatalf("shift %d row %d: i=%v s=%q, want %v %q", k, r, ic.i64[r], ss[r], d.i[j], d.s[j])
				}
			}
			checkFloats(t, "shift", g, gok, w, wok, 0)

			tb, err = d.f.Diff(k, "x", "i").Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			g, gok = gotFloats(t, tb, "x")
			gi, giok := gotFloats(t, tb, "i")
			wi, wiok := make([]float64, len(d.x)), make([]bool, len(d.x))
			for r := range d.x {
				w[r], wok[r] = 0, false
				j := r - k
				if j < 0 || j >= len(d.x) {
					continue
				}
				if !d.xnull[r] && !d.xnull[j] {
					w[r], wok[r] = d.x[r]-d.x[j], true
				}
				if !d.inull[r] && !d.inull[j] {
					wi[r], wiok[r] = float64(d.i[r]-d.i[j]), true
				}
			}
			checkFloats(t, "diff x", g, gok, w, wok, 0)
			checkFloats(t, "diff i", gi, giok, wi, wiok, 0)

			tb, err = d.f.PctChange(k, "x").Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			g, gok = gotFloats(t, tb, "x")
			for r := range d.x {
				w[r], wok[r] = 0, false
				j := r - k
				if j >= 0 && j < len(d.x) && !d.xnull[r] && !d.xnull[j] {
					w[r], wok[r] = d.x[r]/d.x[j]-1, true
				}
			}
			checkFloats(t, "pct", g, gok, w, wok, 1e-12)
		}
	}
}

func TestCumAgainstNaive(t *testing.T) {
	ctx := context.Background()
	for seed := int64(1); seed <= 3; seed++ {
		d := newWinData(t, seed, 250, 20)
		for _, fn := range []string{"cumsum", "cumprod", "cummax", "cummin", "cumcount"} {
			var f *Frame
			switch fn {
			case "cumsum":
				f = d.f.CumSum("x", "i")
			case "cumprod":
				f = d.f.CumProd("x", "i")
			case "cummax":
				f = d.f.CumMax("x", "i")
			case "cummin":
				f = d.f.CumMin("x", "i")
			case "cumcount":
				f = d.f.CumCount("x", "i")
			}
			tb, err := f.Compute(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, which := range []string{"x", "i"} {
				g, gok := gotFloats(t, tb, which)
				w, wok := make([]float64, len(d.x)), make([]bool, len(d.x))
				var acc float64
				var iacc int64
				have := false
				cnt := 0
				if fn == "cumprod" {
					acc, iacc = 1, 1
				}
				for r := range d.x {
					var v float64
					var null, nan bool
					if which == "x" {
						v, null, nan = d.x[r], d.xnull[r], math.IsNaN(d.x[r]) && !d.xnull[r]
					} else {
						v, null = float64(d.i[r]), d.inull[r]
					}
					if null || nan {
						if nan && fn != "cumcount" {
							w[r], wok[r] = math.NaN(), true
						}
						continue
					}
					cnt++
					switch fn {
					case "cumsum":
						acc += v
						iacc += int64(v)
					case "cumprod":
						acc *= v
						iacc *= int64(v)
					case "cummax":
						if !have || v > acc {
							acc = v
						}
					case "cummin":
						if !have || v < acc {
							acc = v
						}
					}
					have = true
					w[r], wok[r] = acc, true
					if which == "i" && (fn == "cumsum" || fn == "cumprod") {
						w[r] = float64(iacc)
					}
					if fn == "cumcount" {
						w[r] = float64(cnt)
					}
				}
				checkFloats(t, fn+" "+which, g, gok, w, wok, 1e-9)
			}
		}
	}
}

func TestWindowBadInput(t *testing.T) {
	ctx := context.Background()
	d := newWinData(t, 1, 50, 3)
	for _, c := range []struct {
		f    *Frame
		want string
	}{
		{d.f.Rolling(0).Mean("x"), "Rolling(0): the window must be at least one row"},
		{d.f.RollingTime(0).On("ts").Mean("x"), "RollingTime(0s): the window must be"},
		{d.f.RollingTime(time.Hour).Mean("x"), "needs a timestamp column"},
		{d.f.RollingTime(time.Hour).On("x").Mean("x"), `column "x" is float64, not a timestamp`},
		{d.f.Rolling(2).Mean("s"), `column "s" of type utf8 is not numeric`},
		{d.f.Rolling(2).Mean("nope"), `no column "nope"`},
		{d.f.CumSum("s"), `CumSum: column "s"`},
	} {
		if _, err := c.f.Compute(ctx); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error with %q", err, c.want)
		}
	}
	// Unsorted timestamps fail the run, naming partition and row.
	rev := FromColumns(3, Column{"ts", []time.Time{time.Unix(10, 0), time.Unix(20, 0), time.Unix(30, 0), time.Unix(5, 0), time.Unix(40, 0), time.Unix(50, 0)}},
		Column{"v", []float64{1, 2, 3, 4, 5, 6}})
	_, err := rev.RollingTime(time.Minute).On("ts").Sum("v").Compute(ctx)
	if err == nil || !strings.Contains(err.Error(), `column "ts" is not sorted: partition 1 row 1`) {
		t.Errorf("unsorted: got %v", err)
	}
}

func TestRollingStable(t *testing.T) {
	// Large offsets: the compensated sum and the Welford updates keep the
	// small variation exact enough.
	n := 5000
	v := make([]float64, n)
	for i := range v {
		v[i] = 1e9 + float64(i%7)
	}
	tb, err := FromColumns(7, Column{"v", v}).Rolling(50).Std("v").Compute(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	g, _ := gotFloats(t, tb, "v")
	for i := 49; i < n; i++ {
		var s, ss float64
		for j := i - 49; j <= i; j++ {
			s += float64(j % 7)
		}
		m := s / 50
		for j := i - 49; j <= i; j++ {
			ss += (float64(j%7) - m) * (float64(j%7) - m)
		}
		if w := math.Sqrt(ss / 49); math.Abs(g[i]-w) > 1e-6 {
			t.Fatalf("row %d: %v, want %v", i, g[i], w)
		}
	}
}
