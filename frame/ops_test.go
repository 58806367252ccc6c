package frame

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// opsData is a random table with nulls in every column: i int64, f float64,
// s string, t timestamp (1907-2033, so before and after 1970), b bool.
type opsData struct {
	i     []int64
	f     []float64
	s     []string
	t     []int64
	b     []bool
	valid [5][]bool
	frame *Frame
}

func newOpsData(t *testing.T, n, nparts int, seed int64) *opsData {
	rng := rand.New(rand.NewSource(seed))
	d := &opsData{i: make([]int64, n), f: make([]float64, n), s: make([]string, n), t: make([]int64, n), b: make([]bool, n)}
	words := []string{"Apple", "banana", "CHERRY", "date", "Élan", "fig", "grape", "", "kiwi", "Lemon"}
	for c := range d.valid {
		d.valid[c] = make([]bool, n)
		for r := range d.valid[c] {
			d.valid[c][r] = rng.Intn(6) != 0
		}
	}
	for r := 0; r < n; r++ {
		d.i[r] = int64(rng.Intn(41) - 20)
		d.f[r] = math.Round(rng.NormFloat64()*1000) / 100
		d.s[r] = words[rng.Intn(len(words))] + strconv.Itoa(rng.Intn(3))
		d.t[r] = rng.Int63n(4e15) - 2e15
		d.b[r] = rng.Intn(2) == 0
	}
	var recs []arrow.Record
	sch := arrow.NewSchema([]arrow.Field{{Name: "i", Type: Int64, Nullable: true}, {Name: "f", Type: Float64, Nullable: true},
		{Name: "s", Type: String, Nullable: true}, {Name: "t", Type: Timestamp, Nullable: true}, {Name: "b", Type: Bool, Nullable: true}}, nil)
	for p := 0; p < nparts; p++ {
		lo, hi := n*p/nparts, n*(p+1)/nparts
		sb := newStrBuilder(hi - lo)
		for r := lo; r < hi; r++ {
			if d.valid[2][r] {
				sb.add([]byte(d.s[r]))
			} else {
				sb.addNull()
			}
		}
		arrs := []arrow.Array{
			int64Array(append([]int64(nil), d.i[lo:hi]...), d.valid[0][lo:hi]),
			float64Array(append([]float64(nil), d.f[lo:hi]...), d.valid[1][lo:hi]),
			sb.array(),
			timeArray(append([]int64(nil), d.t[lo:hi]...), d.valid[3][lo:hi]),
			boolArray(d.b[lo:hi], d.valid[4][lo:hi]),
		}
		recs = append(recs, array.NewRecord(sch, arrs, int64(hi-lo)))
	}
	d.frame = FromRecords(recs...)
	if d.frame.Err() != nil {
		t.Fatal(d.frame.Err())
	}
	return d
}

func (d *opsData) I(r int) any { return nilIf(!d.valid[0][r], d.i[r]) }
func (d *opsData) F(r int) any { return nilIf(!d.valid[1][r], d.f[r]) }
func (d *opsData) S(r int) any { return nilIf(!d.valid[2][r], d.s[r]) }
func (d *opsData) T(r int) any {
	return nilIf(!d.valid[3][r], time.UnixMicro(d.t[r]).UTC())
}
func (d *opsData) B(r int) any { return nilIf(!d.valid[4][r], d.b[r]) }

func nilIf(null bool, v any) any {
	if null {
		return nil
	}
	return v
}

// lift applies f to the non-null arguments, null when any is null.
func lift(f func(a ...any) any, args ...any) any {
	for _, a := range args {
		if a == nil {
			return nil
		}
	}
	return f(args...)
}

func TestExpressionsAgainstNaive(t *testing.T) {
	ctx := context.Background()
	d := newOpsData(t, 2500, 6, 5)
	tm := func(r int) time.Time { return time.UnixMicro(d.t[r]).UTC() }
	cases := []struct {
		e   Expr
		ref func(r int) any
	}{
		{Col("i").Neg(), func(r int) any { return lift(func(a ...any) any { return -a[0].(int64) }, d.I(r)) }},
		{Col("i").Ne(Lit(3)), func(r int) any { return lift(func(a ...any) any { return a[0].(int64) != 3 }, d.I(r)) }},
		{Col("i").Le(Lit(0)), func(r int) any { return lift(func(a ...any) any { return a[0].(int64) <= 0 }, d.I(r)) }},
		{Col("f").Lt(Col("i")), func(r int) any {
			return lift(func(a ...any) any { return a[0].(float64) < float64(a[1].(int64)) }, d.F(r), d.I(r))
		}},
		{Col("i").Add(Col("f")).Mul(Lit(2)).Sub(Lit(1)), func(r int) any {
			return lift(func(a ...any) any { return (float64(a[0].(int64))+a[1].(float64))*2 - 1 }, d.I(r), d.F(r))
		}},
		{Col("i").Div(Lit(4)), func(r int) any { return lift(func(a ...any) any { return float64(a[0].(int64)) / 4 }, d.I(r)) }},
		{Col("b").Not(), func(r int) any { return lift(func(a ...any) any { return !a[0].(bool) }, d.B(r)) }},
		{Col("i").Gt(Lit(0)).Or(Col("b")), func(r int) any {
			x, y := d.I(r), d.B(r)
			switch {
			case x != nil && x.(int64) > 0, y == true:
				return true
			case x == nil || y == nil:
				return nil
			}
			return false
		}},
		{Col("i").Gt(Lit(0)).And(Col("b")), func(r int) any {
			x, y := d.I(r), d.B(r)
			switch {
			case x != nil && x.(int64) <= 0, y == false:
				return false
			case x == nil || y == nil:
				return nil
			}
			return true
		}},
		{Col("s").IsNull(), func(r int) any { return !d.valid[2][r] }},
		{Col("t").NotNull(), func(r int) any { return d.valid[3][r] }},
		{Col("i").IsIn(1, 2, 3, -20), func(r int) any {
			return lift(func(a ...any) any { v := a[0].(int64); return v == 1 || v == 2 || v == 3 || v == -20 }, d.I(r))
		}},
		{Col("f").FillNull(Lit(-1.5)), func(r int) any {
			if v := d.F(r); v != nil {
				return v
			}
			return -1.5
		}},
		{Col("s").FillNull(Col("s").IsNull().Cast(String)), func(r int) any {
			if v := d.S(r); v != nil {
				return v
			}
			return "true"
		}},
		{Col("i").Cast(Float64), func(r int) any { return lift(func(a ...any) any { return float64(a[0].(int64)) }, d.I(r)) }},
		{Col("f").Cast(Int64), func(r int) any { return lift(func(a ...any) any { return int64(a[0].(float64)) }, d.F(r)) }},
		{Col("i").Cast(String).Cast(Int64), func(r int) any { return d.I(r) }},
		{Col("s").Cast(Int64), func(r int) any {
			if v, err := strconv.ParseInt(d.s[r], 10, 64); err == nil && d.valid[2][r] {
				return v
			}
			return nil
		}},
		{Lit("x").Cast(String), func(r int) any { return "x" }},
		{Col("s").Contains("an"), func(r int) any {
			return lift(func(a ...any) any { return strings.Contains(a[0].(string), "an") }, d.S(r))
		}},
		{Col("s").StartsWith("b"), func(r int) any {
			return lift(func(a ...any) any { return strings.HasPrefix(a[0].(string), "b") }, d.S(r))
		}},
		{Col("s").EndsWith("1"), func(r int) any {
			return lift(func(a ...any) any { return strings.HasSuffix(a[0].(string), "1") }, d.S(r))
		}},
		{Col("s").Lower(), func(r int) any { return lift(func(a ...any) any { return strings.ToLower(a[0].(string)) }, d.S(r)) }},
		{Col("s").Upper(), func(r int) any { return lift(func(a ...any) any { return strings.ToUpper(a[0].(string)) }, d.S(r)) }},
		{Col("s").Len(), func(r int) any {
			return lift(func(a ...any) any { return int64(utf8.RuneCountInString(a[0].(string))) }, d.S(r))
		}},
		{Col("t").Year(), func(r int) any { return lift(func(a ...any) any { return int64(tm(r).Year()) }, d.T(r)) }},
		{Col("t").Month(), func(r int) any { return lift(func(a ...any) any { return int64(tm(r).Month()) }, d.T(r)) }},
		{Col("t").Day(), func(r int) any { return lift(func(a ...any) any { return int64(tm(r).Day()) }, d.T(r)) }},
		{Col("t").Hour(), func(r int) any { return lift(func(a ...any) any { return int64(tm(r).Hour()) }, d.T(r)) }},
		{Col("t").Weekday(), func(r int) any {
			return lift(func(a ...any) any { return int64((tm(r).Weekday() + 6) % 7) }, d.T(r))
		}},
		{When(Col("i").Gt(Lit(10))).Then(Lit("big")).When(Col("i").Lt(Lit(-10))).Then(Col("s")).Otherwise(Lit("mid")), func(r int) any {
			x := d.I(r)
			switch {
			case x != nil && x.(int64) > 10:
				return "big"
			case x != nil && x.(int64) < -10:
				return d.S(r)
			}
			return "mid"
		}},
	}
	var exprs []Expr
	for j, c := range cases {
		exprs = append(exprs, c.e.Alias(fmt.Sprintf("e%d", j)))
	}
	tab, err := d.frame.Select(exprs...).Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	for j, c := range cases {
		name := fmt.Sprintf("e%d", j)
		for r := 0; r < tab.NumRows(); r++ {
			got, want := tab.Value(r, name), c.ref(r)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				if gf, ok := got.(float64); ok && want != nil && math.Abs(gf-want.(float64)) < 1e-9 {
					continue
				}
				t.Fatalf("%s row %d: got %v, want %v (i=%v f=%v s=%v t=%v b=%v)", c.e, r, got, want, d.I(r), d.F(r), d.S(r), d.T(r), d.B(r))
			}
		}
	}
}

func TestGroupByAllAggregationsAgainstNaive(t *testing.T) {
	ctx := context.Background()
	d := newOpsData(t, 3000, 9, 6)
	type acc struct {
		size          int64
		is            []int64
		fs            []float64
		first, last   any
		firstS, lastS any
	}
	for _, split := range []int{1, 3} {
		ref := map[string]*acc{}
		var order []string
		for r := range d.i {
			k := fmt.Sprint(d.I(r) != nil && d.i[r]%3 == 0, "/", d.B(r))
			a := ref[k]
			if a == nil {
				a = &acc{}
				ref[k] = a
				order = append(order, k)
			}
			a.size++
			if v := d.I(r); v != nil {
				a.is = append(a.is, v.(int64))
			}
			if v := d.F(r); v != nil {
				a.fs = append(a.fs, v.(float64))
				if a.first == nil {
					a.first = v
				}
				a.last = v
			}
			if v := d.S(r); v != nil {
				if a.firstS == nil {
					a.firstS = v
				}
				a.lastS = v
			}
		}
		q := d.frame.WithColumn("k1", Col("i").Sub(Col("i").Cast(Float64).Div(Lit(3)).Cast(Int64).Mul(Lit(3))).Eq(Lit(0)).FillNull(Lit(false))).
			GroupBy("k1", "b").SplitOut(split).Agg(
			Col("i").Sum().Alias("sum"), Col("f").Mean().Alias("mean"), Col("i").Count().Alias("count"), Lit(1).Size().Alias("size"),
			Col("i").Min().Alias("min"), Col("f").Max().Alias("max"), Col("f").Std().Alias("std"), Col("i").Var().Alias("var"),
			Col("f").First().Alias("first"), Col("f").Last().Alias("last"), Col("s").First().Alias("firstS"), Col("s").Last().Alias("lastS"),
			Col("i").NUnique().Alias("nunique"), Col("f").Median().Alias("median"))
		tab, err := q.Compute(ctx, opts()...)
		if err != nil {
			t.Fatal(err)
		}
		if tab.NumRows() != len(ref) {
			t.Fatalf("split %d: %d groups, want %d", split, tab.NumRows(), len(ref))
		}
		for r := 0; r < tab.NumRows(); r++ {
			k := fmt.Sprint(tab.Value(r, "k1"), "/", tab.Value(r, "b"))
			a := ref[k]
			if a == nil {
				t.Fatalf("unexpected group %s", k)
			}
			var sum int64
			uniq := map[int64]bool{}
			mn := int64(math.MaxInt64)
			for _, v := range a.is {
				sum += v
				uniq[v] = true
				mn = min(mn, v)
			}
			var fsum float64
			mx := math.Inf(-1)
			for _, v := range a.fs {
				fsum += v
				mx = math.Max(mx, v)
			}
			mean := fsum / float64(len(a.fs))
			var q2 float64
			for _, v := range a.fs {
				q2 += (v - mean) * (v - mean)
			}
			imean := float64(sum) / float64(len(a.is))
			var iq float64
			for _, v := range a.is {
				iq += (float64(v) - imean) * (float64(v) - imean)
			}
			sorted := append([]float64(nil), a.fs...)
			sort.Float64s(sorted)
			med := sorted[len(sorted)/2]
			if len(sorted)%2 == 0 {
				med = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
			}
			want := map[string]any{"sum": sum, "count": int64(len(a.is)), "size": a.size, "min": mn, "max": mx,
				"first": a.first, "last": a.last, "firstS": a.firstS, "lastS": a.lastS, "nunique": int64(len(uniq))}
			for c, w := range want {
				if g := tab.Value(r, c); fmt.Sprint(g) != fmt.Sprint(w) {
					t.Fatalf("split %d group %s %s: got %v, want %v", split, k, c, g, w)
				}
			}
			wantF := map[string]float64{"mean": mean, "std": math.Sqrt(q2 / float64(len(a.fs)-1)), "var": iq / float64(len(a.is)-1), "median": med}
			for c, w := range wantF {
				if g := tab.Value(r, c).(float64); math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
					t.Fatalf("split %d group %s %s: got %v, want %v", split, k, c, g, w)
				}
			}
		}
	}
}

func TestFrameReductionsAgainstNaive(t *testing.T) {
	ctx := context.Background()
	d := newOpsData(t, 2000, 5, 7)
	var is []float64
	var fs []float64
	for r := range d.i {
		if d.valid[0][r] {
			is = append(is, float64(d.i[r]))
		}
		if d.valid[1][r] {
			fs = append(fs, d.f[r])
		}
	}
	stats := func(xs []float64) (sum, mean, mn, mx, vr float64, nu int) {
		mn, mx = math.Inf(1), math.Inf(-1)
		u := map[float64]bool{}
		for _, x := range xs {
			sum += x
			mn, mx = math.Min(mn, x), math.Max(mx, x)
			u[x] = true
		}
		mean = sum / float64(len(xs))
		for _, x := range xs {
			vr += (x - mean) * (x - mean)
		}
		return sum, mean, mn, mx, vr / float64(len(xs)-1), len(u)
	}
	for _, c := range []struct {
		col string
		xs  []float64
	}{{"i", is}, {"f", fs}} {
		sum, mean, mn, mx, vr, nu := stats(c.xs)
		want := map[string]float64{"Sum": sum, "Mean": mean, "Min": mn, "Max": mx, "Count": float64(len(c.xs)), "Std": math.Sqrt(vr), "Var": vr, "NUnique": float64(nu)}
		got := map[string]*Frame{"Sum": d.frame.Sum(c.col), "Mean": d.frame.Mean(c.col), "Min": d.frame.Min(c.col), "Max": d.frame.Max(c.col),
			"Count": d.frame.Count(c.col), "Std": d.frame.Std(c.col), "Var": d.frame.Var(c.col), "NUnique": d.frame.NUnique(c.col)}
		for name, f := range got {
			tab, err := f.Compute(ctx, opts()...)
			if err != nil {
				t.Fatalf("%s(%s): %v", name, c.col, err)
			}
			v, _ := tab.Float64s(c.col)
			if len(v) != 1 || math.Abs(v[0]-want[name]) > 1e-9*math.Max(1, math.Abs(want[name])) {
				t.Fatalf("%s(%s) = %v, want %v", name, c.col, v, want[name])
			}
		}
	}
	// NSmallest over the frame: nulls never come before values.
	tab, err := d.frame.NSmallest(5, "f").Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	sorted := append([]float64(nil), fs...)
	sort.Float64s(sorted)
	for r := 0; r < 5; r++ {
		if tab.Value(r, "f") != sorted[r] {
			t.Fatalf("NSmallest row %d: %v, want %v", r, tab.Value(r, "f"), sorted[r])
		}
	}
	// Summing strings, an unknown column in Drop/Loc/Sum: plan-time errors.
	for want, f := range map[string]*Frame{
		"sum of utf8": d.frame.Sum("s"),
		`unknown column "z"; the columns are [i, f`: d.frame.Drop("z"),
		`Loc: unknown column "q"`:                   d.frame.Loc(Col("b"), "i", "q"),
		`Filter: unknown column "nope"`:             d.frame.Loc(Col("nope").Gt(Lit(1))),
		"Filter: (i + 1) is int64":                  d.frame.Loc(Col("i").Add(Lit(1))),
	} {
		if f.Err() == nil || !strings.Contains(f.Err().Error(), want) {
			t.Fatalf("want error containing %q, got %v", want, f.Err())
		}
	}
	dr, err := d.frame.Drop("s", "t").Rename(map[string]string{"i": "ii"}).Compute(ctx, opts()...)
	if err != nil || fmt.Sprint(dr.Columns()) != "[ii f b]" || dr.NumRows() != 2000 || dr.Value(7, "ii") != d.I(7) {
		t.Fatalf("drop/rename: %v %v", dr.Columns(), err)
	}
}

func TestLocFiltersAndSelects(t *testing.T) {
	ctx := context.Background()
	d := newOpsData(t, 1500, 4, 9)
	tab, err := d.frame.Loc(Col("i").Gt(Lit(5)).And(Col("s").StartsWith("b")), "s", "i").Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for r := range d.i {
		if d.valid[0][r] && d.valid[2][r] && d.i[r] > 5 && strings.HasPrefix(d.s[r], "b") {
			want = append(want, fmt.Sprintf("s=%s i=%d", d.s[r], d.i[r]))
		}
	}
	if fmt.Sprint(tab.Columns()) != "[s i]" || strings.Join(rowsOf(tab), "\n") != strings.Join(want, "\n") {
		t.Fatalf("Loc: %v, %d rows, want %d", tab.Columns(), tab.NumRows(), len(want))
	}
	all, err := d.frame.Loc(Col("b")).Compute(ctx, opts()...)
	if err != nil || len(all.Columns()) != 5 {
		t.Fatalf("Loc without columns: %v %v", all, err)
	}
}

// countParts counts the partitions a MapPartitions function sees.
var countParts atomic.Int64

func init() {
	RegisterMap("frame_test.count", func(_ context.Context, r arrow.Record) (arrow.Record, error) {
		countParts.Add(1)
		return r, nil
	})
	RegisterMap("frame_test.double", func(_ context.Context, r arrow.Record) (arrow.Record, error) {
		return project(r, []*enode{Col("x").Mul(Lit(2)).n}, []string{"x2"})
	})
}

func TestHeadTailComputeOnlyNeededPartitions(t *testing.T) {
	ctx := context.Background()
	xs := make([]int64, 1000)
	for i := range xs {
		xs[i] = int64(i)
	}
	f := FromColumns(10, Column{"x", xs}).MapPartitions("frame_test.count", nil)
	for _, c := range []struct {
		n, parts int
		tail     bool
	}{{5, 1, false}, {100, 1, false}, {150, 2, false}, {5, 1, true}, {250, 3, true}, {2000, 10, false}} {
		countParts.Store(0)
		var tab *Table
		var err error
		if c.tail {
			tab, err = f.Tail(ctx, c.n, opts()...)
		} else {
			tab, err = f.Head(ctx, c.n, opts()...)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := countParts.Load(); got != int64(c.parts) {
			t.Fatalf("n=%d tail=%v computed %d partitions, want %d", c.n, c.tail, got, c.parts)
		}
		first := int64(0)
		if c.tail {
			first = int64(1000 - c.n)
		}
		if tab.NumRows() != min(c.n, 1000) || tab.Value(0, "x") != first {
			t.Fatalf("n=%d tail=%v: %d rows from %v", c.n, c.tail, tab.NumRows(), tab.Value(0, "x"))
		}
	}
}

func TestMapPartitionsAndPersist(t *testing.T) {
	ctx := context.Background()
	xs := make([]int64, 500)
	for i := range xs {
		xs[i] = int64(i * 3)
	}
	sch := arrow.NewSchema([]arrow.Field{{Name: "x2", Type: Int64, Nullable: true}}, nil)
	f := FromColumns(5, Column{"x", xs}).MapPartitions("frame_test.double", sch).MapPartitions("frame_test.count", nil)
	if err := FromColumns(1, Column{"x", xs}).MapPartitions("nope", nil).Err(); err == nil || !strings.Contains(err.Error(), `"nope" is not registered`) {
		t.Fatalf("unregistered map: %v", err)
	}
	countParts.Store(0)
	p, err := f.Persist(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	if countParts.Load() != 5 || p.NPartitions() != 5 || fmt.Sprint(p.Keys()) != fmt.Sprint(f.Keys()) {
		t.Fatalf("persist ran %d partitions, %d kept", countParts.Load(), p.NPartitions())
	}
	tab, err := p.Filter(Col("x2").Gt(Lit(2000))).Sum("x2").Compute(ctx, opts()...)
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for _, x := range xs {
		if 2*x > 2000 {
			want += 2 * x
		}
	}
	if countParts.Load() != 5 || tab.Value(0, "x2") != want {
		t.Fatalf("after persist: %d map calls, sum %v want %d", countParts.Load(), tab.Value(0, "x2"), want)
	}
}
